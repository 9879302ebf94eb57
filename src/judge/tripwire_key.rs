//! Commands that read the PostgreSQL tripwire's approval key (`~/.local/share/prisma-guard/
//! tripwire/<id>.key`, under `$XDG_DATA_HOME` when set; see [`crate::tripwire::key`]): with
//! it, any client can open the approval window the tripwire waits for, which switches the
//! tripwire off. Listing the folder is fine; reading, copying or sending anything in it is not.

use crate::shell::SimpleCommand;

/// Commands that only name files, never read them.
const NAMES_ONLY: &[&str] = &["ls", "stat", "test", "[", "file", "du", "echo", "printf"];

/// Whether a word names the tripwire's key folder or a file in it.
fn names_key_folder(word: &str) -> bool {
    let w = word.trim_end_matches('/');
    w.contains("prisma-guard/tripwire")
        // The data folder as a whole (`cp -r ~/.local/share/prisma-guard /tmp`).
        || w.ends_with(".local/share/prisma-guard")
        || w.ends_with("XDG_DATA_HOME/prisma-guard")
        || w.ends_with("XDG_DATA_HOME}/prisma-guard")
        // A key file by its name, from inside the folder.
        || (w.ends_with(".key") && w.contains("prisma-guard"))
}

/// Why `cmd` reads the tripwire's approval key, if it does.
pub fn reads_key(cmd: &SimpleCommand, dirs: &[String]) -> Option<String> {
    let name = cmd.argv.first().map(|a| a.rsplit('/').next().unwrap_or(a))?;
    let inside = dirs.iter().any(|d| names_key_folder(d) || d.ends_with("prisma-guard/tripwire"));
    let key_here = |w: &str| inside && (w.ends_with(".key") || w == "." || w.starts_with('*'));
    let input = cmd.input_file.iter().find(|f| names_key_folder(f) || key_here(f));
    if let Some(f) = input {
        return Some(format!("`{name}` reads {f}, the PostgreSQL tripwire's approval key: {MESSAGE}"));
    }
    if NAMES_ONLY.contains(&name) {
        return None;
    }
    let word = cmd.argv[1..].iter().find(|w| names_key_folder(w) || key_here(w))?;
    Some(format!("`{name}` reads {word}, where the PostgreSQL tripwire's approval key is kept: {MESSAGE}"))
}

const MESSAGE: &str = "with the key any client can open an approval window, switching the tripwire off";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shell::parse::parse;

    fn reads(line: &str, dirs: &[&str]) -> bool {
        let cmd = parse(line).unwrap().pop().unwrap();
        let dirs: Vec<String> = dirs.iter().map(|d| (*d).to_string()).collect();
        reads_key(&cmd, &dirs).is_some()
    }

    #[test]
    fn reading_the_key_is_refused_and_listing_it_is_not() {
        assert!(reads("cat ~/.local/share/prisma-guard/tripwire/*.key", &[""]));
        assert!(reads("cat $HOME/.local/share/prisma-guard/tripwire/ab12.key", &[""]));
        assert!(reads("cat \"$XDG_DATA_HOME/prisma-guard/tripwire/ab12.key\"", &[""]));
        assert!(reads("cp -r ~/.local/share/prisma-guard /tmp/x", &[""]));
        assert!(reads("base64 < ~/.local/share/prisma-guard/tripwire/ab.key", &[""]));
        assert!(reads("grep -r . ~/.local/share/prisma-guard/tripwire/", &[""]));
        assert!(reads("cat ab12.key", &["", "~/.local/share/prisma-guard/tripwire"]));
        assert!(!reads("ls ~/.local/share/prisma-guard/tripwire", &[""]));
        assert!(!reads("cat ab12.key", &[""]));
        assert!(!reads("cat ~/.ssh/id_rsa.pub", &[""]));
    }
}
