//! The environment Prisma will have: the real one plus what a Prisma 7 config's dotenv calls
//! load (as dotenv runs them), or the `.env` files Prisma 6 loads itself.

use std::collections::HashMap;
use std::path::Path;

use super::{dotenv, prisma_files, watch};

/// The environment a Prisma 7 config gives Prisma: the real one, plus its dotenv loads as
/// dotenv runs them. Also why that may be wrong, when it may.
pub(super) fn config_env(
    cwd: &Path,
    ts: &prisma_files::ConfigTs,
    seen: &mut watch::Watched,
) -> (HashMap<String, String>, Option<String>) {
    let mut env: HashMap<String, String> = crate::config::env::vars();
    let mut unknown = ts.unknown_env.clone();
    // dotenv 18 reads DOTENV_PATH, earlier ones DOTENV_CONFIG_PATH (both for `dotenv/config`).
    let env_path = env.get("DOTENV_PATH").or_else(|| env.get("DOTENV_CONFIG_PATH")).cloned();
    let env_override = env
        .get("DOTENV_OVERRIDE")
        .or_else(|| env.get("DOTENV_CONFIG_OVERRIDE"))
        .is_some_and(|v| !["false", "0", "no", "off", ""].contains(&v.to_ascii_lowercase().as_str()));
    let mut loads = ts.env_loads.clone();
    loads.sort_by_key(|l| !l.side_effect_import); // imports run before the module body
    for load in &loads {
        let paths: Vec<String> = if !load.paths.is_empty() {
            load.paths.clone()
        } else if let Some(p) = &env_path {
            if !load.side_effect_import {
                // dotenv 18 applies it to config() too, earlier versions do not.
                unknown.get_or_insert_with(|| {
                    "calls config() without a path while DOTENV_CONFIG_PATH is set (dotenv versions differ)".into()
                });
            }
            vec![p.clone()]
        } else {
            vec![".env".to_string()]
        };
        let overrides = load.override_.unwrap_or(env_override);
        let mut parsed_all: Vec<(String, String)> = Vec::new();
        for p in &paths {
            let path = if let Some(rest) = p.strip_prefix('~') {
                crate::config::env::home().unwrap_or_default().join(rest.trim_start_matches('/'))
            } else {
                cwd.join(p)
            };
            let read = std::fs::read_to_string(&path);
            seen.add_content(&path, read.as_ref().ok().map(String::as_bytes));
            let Ok(text) = read else { continue };
            for (k, v) in dotenv::parse(&text) {
                match parsed_all.iter_mut().find(|(key, _)| *key == k) {
                    Some(slot) if overrides => slot.1 = v,
                    Some(_) => {}
                    None => parsed_all.push((k, v)),
                }
            }
        }
        for (k, v) in parsed_all {
            if overrides || !env.contains_key(&k) {
                env.insert(k, v);
            }
        }
    }
    (env, unknown)
}

/// Prisma 6 without a config loads `.env` at the project root, then beside the schema,
/// with dotenv-expand; the real environment wins.
pub(super) fn prisma6_env(
    root: &Path,
    datasource_file: Option<&Path>,
    seen: &mut watch::Watched,
) -> HashMap<String, String> {
    let mut env: HashMap<String, String> = crate::config::env::vars();
    let mut files = vec![root.join(".env")];
    if let Some(dir) = datasource_file.and_then(Path::parent) {
        files.push(dir.join(".env"));
    }
    for f in &files {
        let read = std::fs::read_to_string(f);
        seen.add_content(f, read.as_ref().ok().map(String::as_bytes));
        if let Ok(text) = read {
            for (k, v) in dotenv::parse_expanded(&text, &crate::config::env::var) {
                env.entry(k).or_insert(v);
            }
        }
    }
    env
}
