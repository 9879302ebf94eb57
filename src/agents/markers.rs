//! Detecting an AI coding agent from its environment markers (the ones Prisma 7 uses,
//! and more). Any non-empty value counts.

/// Exact variable names that mark an agent.
const MARKERS: &[&str] = &[
    "CLAUDECODE",
    "CLAUDE_CODE_ENTRYPOINT",
    "CURSOR_AGENT",
    "CURSOR_TRACE_ID",
    "GEMINI_CLI",
    "COPILOT_CLI",
    "COPILOT_AGENT",
    "AGENT",
    "AI_AGENT",
    "AMP_AGENT",
    "AIDER",
    "CLINE_ACTIVE",
    "OPENCODE",
    "REPL_ID",
    "WINDSURF_AGENT",
];

/// Prefixes that mark an agent (`CODEX_SANDBOX`, `CODEX_...`).
const PREFIXES: &[&str] = &["CODEX_"];

/// Whether `name` is one of the variables that mark an agent.
pub fn is_marker(name: &str) -> bool {
    MARKERS.contains(&name) || PREFIXES.iter().any(|p| name.starts_with(p))
}

/// The first agent marker set in `env`, if any.
pub fn detect(env: impl IntoIterator<Item = (String, String)>) -> Option<String> {
    let mut found: Vec<String> = env
        .into_iter()
        .filter(|(k, v)| !v.is_empty() && (MARKERS.contains(&k.as_str()) || PREFIXES.iter().any(|p| k.starts_with(p))))
        .map(|(k, _)| k)
        .collect();
    found.sort();
    found.into_iter().next()
}

/// Detect from the process environment.
pub fn detect_current() -> Option<String> {
    detect(crate::config::env::vars())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn markers() {
        assert_eq!(detect(env(&[("CLAUDECODE", "1")])), Some("CLAUDECODE".into()));
        assert_eq!(detect(env(&[("CODEX_SANDBOX", "seatbelt")])), Some("CODEX_SANDBOX".into()));
        assert_eq!(detect(env(&[("CLAUDECODE", "")])), None);
        assert_eq!(detect(env(&[("HOME", "/root"), ("PRISMA_USER_CONSENT_FOR_DANGEROUS_AI_ACTION", "yes")])), None);
    }
}
