//! The one package.json writer, for `init`'s `db:*` scripts, the project shim's `postinstall`
//! and `uninstall`. Edits go through [`Doc`], so the file keeps its indentation (tabs, 2 or 4
//! spaces), key order and final newline; [`super::write_keeping_mode`] writes it back with
//! its own mode.

use std::path::{Path, PathBuf};

use anyhow::Result;
use serde_json::Value;

use crate::install::jsonedit::Doc;

/// A package.json being edited.
pub struct PackageJson {
    path: PathBuf,
    doc: Doc,
    value: Value,
}

impl PackageJson {
    /// The file's text as an editable document. Text that is not JSON is an error naming the
    /// file (it is never overwritten).
    pub fn parse(path: &Path, text: &str) -> Result<PackageJson> {
        let not_json = |e: String| {
            crate::error::fail(format!("{} is not valid JSON ({e}); not touching it", path.display()))
                .hint("fix the file, then run the command again")
        };
        let doc = Doc::new(text).map_err(not_json)?;
        let value = doc.value().map_err(not_json)?;
        Ok(PackageJson { path: path.to_path_buf(), doc, value })
    }

    /// Whether the file is a JSON object.
    pub fn is_object(&self) -> bool {
        self.value.is_object()
    }

    /// Whether scripts can be added: the file is an object whose `scripts`, if any, is one.
    pub fn scripts_editable(&self) -> bool {
        self.is_object() && self.value.get("scripts").is_none_or(Value::is_object)
    }

    /// A script's command, as the file was read.
    pub fn script(&self, name: &str) -> Option<&str> {
        self.value.get("scripts")?.get(name)?.as_str()
    }

    /// Set a script (added at the end of `scripts`, which is created when missing).
    pub fn set_script(&mut self, name: &str, command: &str) -> Result<()> {
        let path = &self.path;
        self.doc
            .set(&["scripts"], name, &Value::String(command.to_string()))
            .map_err(|e| crate::error::fail(format!("could not edit {}: {e}", path.display())).into())
    }

    /// Remove a script. Returns whether it was there.
    pub fn remove_script(&mut self, name: &str) -> Result<bool> {
        let path = &self.path;
        self.doc
            .remove(&["scripts"], name)
            .map_err(|e| crate::error::fail(format!("could not edit {}: {e}", path.display())).into())
    }

    /// Remove `scripts` when it has no scripts left.
    pub fn drop_empty_scripts(&mut self) -> Result<()> {
        if self.doc.get(&["scripts"]).is_some() && self.doc.keys(&["scripts"]).is_empty() {
            let path = &self.path;
            self.doc
                .remove(&[], "scripts")
                .map_err(|e| crate::error::fail(format!("could not edit {}: {e}", path.display())))?;
        }
        Ok(())
    }

    pub fn into_text(self) -> String {
        self.doc.into_text()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Tabs, 4 spaces and 2 spaces, key order and the final newline (or its absence) stay.
    #[test]
    fn edits_keep_the_files_layout() {
        for text in [
            "{\n\t\"name\": \"a\",\n\t\"scripts\": {\n\t\t\"dev\": \"next\"\n\t}\n}\n",
            "{\n    \"scripts\": {\n        \"dev\": \"next\"\n    },\n    \"name\": \"a\"\n}",
            "{\n  \"name\": \"a\"\n}\n",
        ] {
            let mut pkg = PackageJson::parse(Path::new("package.json"), text).unwrap();
            assert!(pkg.scripts_editable());
            pkg.set_script("db:backup", "prisma-guard backup").unwrap();
            let edited = pkg.into_text();
            assert_eq!(edited.ends_with('\n'), text.ends_with('\n'), "{edited}");
            let mut pkg = PackageJson::parse(Path::new("package.json"), &edited).unwrap();
            assert_eq!(pkg.script("db:backup"), Some("prisma-guard backup"));
            assert!(pkg.remove_script("db:backup").unwrap());
            if !text.contains("\"dev\"") {
                pkg.drop_empty_scripts().unwrap();
            }
            assert_eq!(pkg.into_text(), text);
        }
        assert!(PackageJson::parse(Path::new("package.json"), "{oops").is_err());
        assert!(!PackageJson::parse(Path::new("package.json"), "[]").unwrap().scripts_editable());
    }
}
