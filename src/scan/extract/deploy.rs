//! Deploy settings: every string (or list of strings) that mentions prisma in netlify.toml,
//! fly.toml, railway.toml, nixpacks.toml (read with the `toml` crate, with spans), and in
//! vercel.json, app.json (Heroku) and railway.json.
//!
//! A command runs in production unless its keys say dev or test (`[dev] command`,
//! `devCommand`, `[context.deploy-preview]` still deploys): these files describe builds,
//! releases and starts.

use std::sync::OnceLock;

use regex::Regex;
use toml::de::{DeTable, DeValue};

use super::{line_col, re, CommandLine};

fn production(path: &[String]) -> bool {
    static DEV: OnceLock<Regex> = OnceLock::new();
    !path.iter().any(|k| re(&DEV, r"(?i)^dev|dev(command)?$|test|local").is_match(k))
}

fn line(at: (usize, usize), text: String, path: &[String]) -> CommandLine {
    CommandLine { line: at.0, col: at.1, text, verbatim: false, production: production(path), context: path.join(".") }
}

/// A TOML file's command strings; `Err` when it is not TOML.
pub(super) fn toml(text: &str) -> Result<Vec<CommandLine>, String> {
    let doc = DeTable::parse(text).map_err(|e| format!("not valid TOML: {}", e.message()))?;
    let mut out = Vec::new();
    let mut path = Vec::new();
    toml_table(text, doc.get_ref(), &mut path, &mut out);
    Ok(out)
}

fn toml_table(text: &str, table: &DeTable, path: &mut Vec<String>, out: &mut Vec<CommandLine>) {
    for (key, value) in table {
        path.push(key.get_ref().to_string());
        toml_value(text, value.get_ref(), value.span(), path, out);
        path.pop();
    }
}

fn toml_value(
    text: &str,
    value: &DeValue,
    span: std::ops::Range<usize>,
    path: &mut Vec<String>,
    out: &mut Vec<CommandLine>,
) {
    match value {
        DeValue::String(s) if super::mentions_data_command(s) => {
            // The span covers the quotes: the command starts one column in (three for `"""`).
            let quote = if text.get(span.start..).is_some_and(|t| t.starts_with("\"\"\"") || t.starts_with("'''")) {
                3
            } else {
                1
            };
            let (l, c) = line_col(text, span.start);
            out.push(line((l, c + quote), s.to_string(), path));
        }
        DeValue::Array(items) => {
            for item in items.iter() {
                toml_value(text, item.get_ref(), item.span(), path, out);
            }
        }
        DeValue::Table(table) => toml_table(text, table, path, out),
        _ => {}
    }
}

/// A JSON file's command strings; `Err` when it is not JSON.
pub(super) fn json(text: &str) -> Result<Vec<CommandLine>, String> {
    let value: serde_json::Value =
        serde_json::from_str(super::strip_bom(text)).map_err(|e| format!("not valid JSON: {e}"))?;
    let mut out = Vec::new();
    json_value(text, &value, &mut Vec::new(), &mut out);
    Ok(out)
}

pub(super) fn json_value(text: &str, value: &serde_json::Value, path: &mut Vec<String>, out: &mut Vec<CommandLine>) {
    match value {
        serde_json::Value::String(s) if super::mentions_data_command(s) => {
            // JSON values carry no positions: the first place the encoded string is written.
            let encoded = serde_json::Value::String(s.clone()).to_string();
            let at = text.find(&encoded).map_or(0, |i| i + 1);
            out.push(line(line_col(text, at), s.clone(), path));
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| json_value(text, v, path, out)),
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                path.push(k.clone());
                json_value(text, v, path, out);
                path.pop();
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn netlify_fly_and_nixpacks_commands_with_positions() {
        let netlify = "[build]\n  command = \"npx prisma migrate deploy && next build\"\n[dev]\n  command = 'npx prisma db push --force-reset'\n";
        let c = toml(netlify).unwrap();
        let got: Vec<(usize, usize, bool, &str)> =
            c.iter().map(|c| (c.line, c.col, c.production, c.context.as_str())).collect();
        assert_eq!(got, vec![(2, 14, true, "build.command"), (4, 14, false, "dev.command")]);
        let fly = "app = \"x\"\n[deploy]\n  release_command = \"npx prisma migrate dev\"\n";
        assert_eq!(toml(fly).unwrap()[0].context, "deploy.release_command");
        let nixpacks = "[phases.build]\ncmds = [\"npm ci\", \"npx prisma db push --accept-data-loss\"]\n";
        let n = toml(nixpacks).unwrap();
        assert_eq!((n.len(), n[0].text.as_str(), n[0].line), (1, "npx prisma db push --accept-data-loss", 2));
        assert!(toml("[build\ncommand = 1").unwrap_err().starts_with("not valid TOML"));
    }

    #[test]
    fn vercel_and_heroku_json() {
        let vercel = "{\n  \"buildCommand\": \"prisma migrate deploy && next build\",\n  \"devCommand\": \"prisma db push\"\n}\n";
        let c = json(vercel).unwrap();
        assert_eq!((c[0].line, c[0].production, c[1].production), (2, true, false));
        let heroku = "{\"scripts\": {\"postdeploy\": \"npx prisma migrate reset --force\"}, \"environments\": {\"test\": {\"scripts\": {\"test\": \"npx prisma db push\"}}}}";
        let h = json(heroku).unwrap();
        assert_eq!((h[0].context.as_str(), h[0].production, h[1].production), ("scripts.postdeploy", true, false));
        assert!(json("{oops").is_err());
    }
}
