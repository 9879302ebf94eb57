//! Scan output: human text, JSON, SARIF 2.1.0 (GitHub code scanning), GitHub workflow
//! command annotations.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::Finding;
use crate::rules::{Severity, RULES};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
    Sarif,
    Github,
}

pub struct Summary {
    pub errors: usize,
    pub warnings: usize,
    pub files: usize,
}

pub fn summary(findings: &[Finding], files: usize) -> Summary {
    Summary {
        errors: findings.iter().filter(|f| f.severity == Severity::Error).count(),
        warnings: findings.iter().filter(|f| f.severity == Severity::Warning).count(),
        files,
    }
}

/// `1 file`, `2 files`.
pub fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// Human text: `path:line:col: severity[rule]: message`, the source line with a caret,
/// Prisma's warning and the help. Coloured only when stdout is a terminal.
pub fn text(findings: &[Finding], files: usize) -> String {
    use console::style;
    let mut out = String::new();
    for f in findings {
        let sev = match f.severity {
            Severity::Error => style("error").red().bold(),
            Severity::Warning => style("warning").yellow().bold(),
        };
        let _ = writeln!(
            out,
            "{}: {sev}[{}]: {}",
            style(format!("{}:{}:{}", f.path, f.line, f.col)).bold(),
            f.rule,
            f.message
        );
        let num = f.line.to_string();
        let pad = " ".repeat(num.len());
        let src: String = f.source.chars().map(|c| if c == '\t' { ' ' } else { c }).collect();
        let _ = writeln!(out, " {} {} {}", style(&num).blue(), style("|").blue(), src.trim_end());
        let _ = writeln!(
            out,
            " {pad} {} {}{}",
            style("|").blue(),
            " ".repeat(f.col.saturating_sub(1)),
            style("^").red().bold()
        );
        if let Some(w) = extra_warning(f) {
            let _ = writeln!(out, " {pad} = prisma: {w}");
        }
        let _ = writeln!(out, " {pad} = help: {}", f.help);
        out.push('\n');
    }
    let _ = writeln!(out, "{}", summary_line(findings, files));
    out
}

/// `no findings (1 file scanned)`, `1 error, 2 warnings (3 files scanned)`.
pub fn summary_line(findings: &[Finding], files: usize) -> String {
    let s = summary(findings, files);
    if findings.is_empty() {
        format!("no findings ({} scanned)", plural(s.files, "file"))
    } else {
        format!(
            "{}, {} ({} scanned)",
            plural(s.errors, "error"),
            plural(s.warnings, "warning"),
            plural(s.files, "file")
        )
    }
}

/// JSON, laid out as `serde_json`'s pretty printer does (a test holds them equal), written
/// directly: the report of a large scan is most of the time left after the analysis.
pub fn json(findings: &[Finding], files: usize) -> String {
    let mut whole = String::new();
    let _ = json_to(findings, files, &mut |piece: &str| {
        whole.push_str(piece);
        Ok(())
    });
    whole
}

/// How much of the JSON report is built before it is handed on.
const PIECE: usize = 32 << 10;

/// [`json()`], handed to `emit` a piece (about 32 KiB) at a time, so a large report
/// (hundreds of KiB) is never held whole: its fresh pages would cost more than building it.
pub fn json_to(
    findings: &[Finding],
    files: usize,
    emit: &mut dyn FnMut(&str) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let s = summary(findings, files);
    let mut out = String::with_capacity(PIECE + 4096);
    out.push_str("{\n  \"version\": 1,\n  \"findings\": [");
    for (n, f) in findings.iter().enumerate() {
        out.push_str(if n == 0 { "\n    {\n      \"rule\": " } else { ",\n    {\n      \"rule\": " });
        json_str(&mut out, f.rule.as_str());
        json_field(&mut out, "severity", f.severity.as_str());
        json_field(&mut out, "path", &f.path);
        let _ = write!(out, ",\n      \"line\": {},\n      \"col\": {}", f.line, f.col);
        json_field(&mut out, "message", &f.message);
        json_field(&mut out, "help", f.help);
        if let Some(w) = &f.prisma_warning {
            json_field(&mut out, "prisma_warning", w);
        }
        json_field(&mut out, "source", &f.source);
        out.push_str("\n    }");
        if out.len() >= PIECE {
            emit(&out)?;
            out.clear();
        }
    }
    out.push_str(if findings.is_empty() { "]" } else { "\n  ]" });
    let _ = write!(
        out,
        ",\n  \"summary\": {{\n    \"errors\": {},\n    \"warnings\": {},\n    \"files_scanned\": {}\n  }}\n}}\n",
        s.errors, s.warnings, s.files
    );
    emit(&out)
}

/// `,\n      "name": "value"` (a field after the first of a finding).
fn json_field(out: &mut String, name: &str, value: &str) {
    out.push_str(",\n      \"");
    out.push_str(name);
    out.push_str("\": ");
    json_str(out, value);
}

/// The first byte JSON escapes (`"`, `\\`, control characters), eight bytes per step.
fn escape_at(b: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let zero_byte = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
    let special = |c: u8| c < 0x20 || c == b'"' || c == b'\\';
    let mut chunks = b.chunks_exact(8);
    let mut at = 0;
    for chunk in chunks.by_ref() {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let x = u64::from_le_bytes(word);
        // May flag a byte after a real match (borrows); the exact byte is found below.
        let flagged = x.wrapping_sub(0x20 * ONES) & !x & HIGH
            | zero_byte(x ^ (b'"' as u64 * ONES))
            | zero_byte(x ^ (b'\\' as u64 * ONES));
        if flagged != 0 {
            if let Some(i) = chunk.iter().position(|&c| special(c)) {
                return Some(at + i);
            }
        }
        at += 8;
    }
    chunks.remainder().iter().position(|&c| special(c)).map(|i| at + i)
}

/// A JSON string literal, escaped as `serde_json` escapes.
fn json_str(out: &mut String, s: &str) {
    out.push('"');
    let mut rest = s;
    while let Some(i) = escape_at(rest.as_bytes()) {
        out.push_str(&rest[..i]);
        match rest.as_bytes()[i] {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            0x08 => out.push_str("\\b"),
            0x0c => out.push_str("\\f"),
            b => {
                let _ = write!(out, "\\u{b:04x}");
            }
        }
        rest = &rest[i + 1..];
    }
    out.push_str(rest);
    out.push('"');
}

/// A URI reference for a repository-relative path.
fn uri(path: &str) -> String {
    let mut out = String::new();
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// A rule's SARIF tags: `prisma`, its kind (`sql`, `command`, `meta`) and `data-loss` when
/// a finding means rows are lost.
fn tags(r: &crate::rules::Rule) -> Vec<&'static str> {
    let mut tags = vec!["prisma", r.kind.as_str()];
    if r.data_loss {
        tags.push("data-loss");
    }
    tags
}

/// SARIF 2.1.0: every rule with its descriptions and help, results with repository-relative
/// URIs, 1-based regions, and fingerprints that survive lines moving.
pub fn sarif(findings: &[Finding]) -> String {
    let rules: Vec<Value> = RULES
        .iter()
        .map(|r| {
            json!({
                "id": r.id,
                "name": r.id.as_str().split('-').map(|w| {
                    let mut c = w.chars();
                    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
                }).collect::<String>(),
                "shortDescription": {"text": r.summary},
                "fullDescription": {"text": format!("{}. {}", capitalise(r.summary), r.help)},
                "help": {
                    "text": r.help,
                    "markdown": format!("**{}**\n\n{}\n\nSee docs/rules.md#{} in prisma-guard.", capitalise(r.summary), r.help, r.id),
                },
                "helpUri": format!("https://github.com/prisma-guard/prisma-guard/blob/main/docs/rules.md#{}", r.id),
                "defaultConfiguration": {"level": r.severity.as_str()},
                "properties": {
                    "tags": tags(r),
                    "problem.severity": r.severity.as_str(),
                },
            })
        })
        .collect();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let results: Vec<Value> = findings
        .iter()
        .map(|f| {
            let index = f.rule as usize;
            let mut h = Sha256::new();
            h.update(f.rule.as_str().as_bytes());
            h.update([0]);
            h.update(f.path.as_bytes());
            h.update([0]);
            h.update(f.source.split_whitespace().collect::<Vec<_>>().join(" ").as_bytes());
            let hash = hex(&h.finalize()[..8]);
            let n = seen.entry(hash.clone()).or_insert(0);
            *n += 1;
            let mut message = f.message.clone();
            if let Some(w) = extra_warning(f) {
                message.push_str(&format!(" (Prisma: {w})"));
            }
            json!({
                "ruleId": f.rule,
                "ruleIndex": index,
                "level": f.severity.as_str(),
                "message": {"text": message},
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": {"uri": uri(&f.path), "uriBaseId": "%SRCROOT%"},
                        "region": {"startLine": f.line.max(1), "startColumn": f.col.max(1)},
                    }
                }],
                "partialFingerprints": {"primaryLocationLineHash": format!("{hash}:{n}")},
            })
        })
        .collect();
    let v = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "prisma-guard",
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/prisma-guard/prisma-guard",
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    serde_json::to_string_pretty(&v).unwrap_or_default() + "\n"
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Escape workflow-command data (the message).
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escape a workflow-command property value (file, title).
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// GitHub Actions annotations: `::error file=...,line=...,col=...,title=...::message`.
/// Prisma's warning for a finding, unless the message already says it (`prisma-warning`).
fn extra_warning(f: &Finding) -> Option<&str> {
    f.prisma_warning.as_deref().filter(|w| !f.message.contains(w.trim()))
}

pub fn github(findings: &[Finding]) -> String {
    let mut out = String::new();
    for f in findings {
        let level = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut msg = format!("{}\nhelp: {}", f.message, f.help);
        if let Some(w) = extra_warning(f) {
            msg = format!("{}\nprisma: {w}\nhelp: {}", f.message, f.help);
        }
        let _ = writeln!(
            out,
            "::{level} file={},line={},col={},title={}::{}",
            escape_property(&f.path),
            f.line,
            f.col,
            escape_property(&format!("prisma-guard {}", f.rule)),
            escape_data(&msg)
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f() -> Finding {
        Finding {
            rule: crate::rules::RuleId::DropColumn,
            severity: Severity::Error,
            path: "prisma/migrations/2024 x/migration.sql".into(),
            line: 3,
            col: 20,
            message: "drops column `a`, 100% gone: really\r\nyes".into(),
            help: "h",
            prisma_warning: None,
            source: "ALTER TABLE \"User\" DROP COLUMN \"a\"".into(),
            subject: None,
        }
    }

    #[test]
    fn escape_at_finds_the_first_special_byte() {
        let plain = "ALTER TABLE x DROP COLUMN y, é ✓ ~~~~~~~~~~~~~~~~~~~~";
        assert_eq!(escape_at(plain.as_bytes()), None);
        for special in ['"', '\\', '\n', '\u{1}', '\u{1f}'] {
            for at in 0..plain.len() {
                if !plain.is_char_boundary(at) {
                    continue;
                }
                let s = format!("{}{special}{}", &plain[..at], &plain[at..]);
                assert_eq!(escape_at(s.as_bytes()), Some(at), "{s:?}");
            }
        }
    }

    /// A large report is handed on in pieces of about `PIECE` bytes (never held whole), which
    /// put together are the report; an error from the writer stops it there.
    #[test]
    fn json_to_hands_on_pieces_that_make_the_report() {
        let findings: Vec<Finding> = (0..400).map(|_| f()).collect();
        let mut pieces: Vec<String> = Vec::new();
        let done = json_to(&findings, 3, &mut |p: &str| {
            pieces.push(p.to_string());
            Ok(())
        });
        assert!(done.is_ok());
        assert!(pieces.len() > 2, "{} pieces", pieces.len());
        assert!(pieces.iter().all(|p| p.len() < PIECE + 4096), "a piece stays near PIECE bytes");
        assert_eq!(pieces.concat(), json(&findings, 3));
        let mut calls = 0;
        let failed = json_to(&findings, 3, &mut |_: &str| {
            calls += 1;
            Err(std::io::Error::from(std::io::ErrorKind::BrokenPipe))
        });
        assert_eq!(failed.map_err(|e| e.kind()), Err(std::io::ErrorKind::BrokenPipe));
        assert_eq!(calls, 1, "nothing more is built once the writer failed");
    }

    #[test]
    fn json_is_serde_json_pretty_output() {
        #[derive(serde::Serialize)]
        struct Report<'a> {
            version: u32,
            findings: &'a [Finding],
            summary: serde_json::Value,
        }
        let mut tricky = f();
        tricky.message = "quote \" backslash \\ tab \t bell \u{7} nul \0 del \u{7f} é ✓ \u{8}\u{c}".into();
        tricky.prisma_warning = Some("You are about to drop `a`.\n".into());
        tricky.severity = Severity::Warning;
        for findings in [vec![], vec![f()], vec![f(), tricky]] {
            let s = summary(&findings, 7);
            let want = serde_json::to_string_pretty(&Report {
                version: 1,
                findings: &findings,
                summary: serde_json::json!({"errors": s.errors, "warnings": s.warnings, "files_scanned": 7}),
            })
            .unwrap_or_default()
                + "\n";
            assert_eq!(json(&findings, 7), want);
        }
    }

    #[test]
    fn prisma_warning_findings_do_not_repeat_their_text() {
        let mut w = f();
        w.rule = crate::rules::RuleId::PrismaWarning;
        w.message = "Prisma warned: You are about to drop `a`.".into();
        w.prisma_warning = Some("You are about to drop `a`.".into());
        let out = github(std::slice::from_ref(&w));
        assert_eq!(out.matches("You are about to drop").count(), 1, "{out}");
        let mut d = f();
        d.prisma_warning = Some("You are about to drop `a`.".into());
        assert!(github(&[d]).contains("prisma: You are about"), "another rule's finding keeps it");
    }

    #[test]
    fn github_escapes() {
        let out = github(&[f()]);
        assert_eq!(
            out,
            "::error file=prisma/migrations/2024 x/migration.sql,line=3,col=20,title=prisma-guard drop-column::drops column `a`, 100%25 gone: really%0D%0Ayes%0Ahelp: h\n"
        );
        assert_eq!(escape_property("a:b,c%"), "a%3Ab%2Cc%25");
    }

    #[test]
    fn text_has_location_caret_and_help() {
        console::set_colors_enabled(false);
        let out = text(&[f()], 7);
        assert!(
            out.starts_with("prisma/migrations/2024 x/migration.sql:3:20: error[drop-column]: drops column"),
            "{out}"
        );
        assert!(out.contains(" 3 | ALTER TABLE \"User\" DROP COLUMN \"a\"\n   |                    ^\n"), "{out}");
        assert!(out.contains("= help: h"));
        assert!(out.ends_with("1 error, 0 warnings (7 files scanned)\n"), "{out}");
    }

    #[test]
    fn sarif_uris_are_encoded() {
        let v: Value = serde_json::from_str(&sarif(&[f()])).unwrap();
        let loc = &v["runs"][0]["results"][0]["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uri"], "prisma/migrations/2024%20x/migration.sql");
    }
}
