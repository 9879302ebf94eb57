//! package.json `scripts`, each with the line its value starts on.

use super::{is_production_script, line_col, strip_bom, CommandLine};

/// The scripts of a package.json; `Err` when it is not JSON (npm would refuse it too).
pub(super) fn package_json(text: &str, prod_scripts: &[String]) -> Result<Vec<CommandLine>, String> {
    let json =
        serde_json::from_str::<serde_json::Value>(strip_bom(text)).map_err(|e| format!("not valid JSON: {e}"))?;
    let Some(scripts) = json.get("scripts").and_then(|s| s.as_object()) else { return Ok(Vec::new()) };
    let scripts_at = text.find("\"scripts\"").unwrap_or(0);
    let mut out = Vec::new();
    for (name, cmd) in scripts {
        let Some(cmd) = cmd.as_str() else { continue };
        // Find `"name":` after "scripts", allowing blanks before the colon.
        let quoted = serde_json::Value::String(name.clone()).to_string();
        let mut at = scripts_at;
        let mut found = None;
        while let Some(p) = text.get(at..).and_then(|t| t.find(&quoted)) {
            let after = at + p + quoted.len();
            if text.get(after..).is_some_and(|t| t.trim_start().starts_with(':')) {
                let value_at = text[after..].find('"').map_or(after, |n| after + n + 1);
                found = Some(value_at);
                break;
            }
            at = after;
        }
        let (line, col) = line_col(text, found.unwrap_or(scripts_at));
        out.push(CommandLine {
            line,
            col,
            text: cmd.to_string(),
            verbatim: false,
            production: is_production_script(name, prod_scripts),
            context: format!("script \"{name}\""),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_json_lines_and_production() {
        let text = "{\n  \"name\": \"x\",\n  \"scripts\": {\n    \"dev\": \"next dev\",\n    \"build\" : \"prisma migrate dev && next build\"\n  }\n}\n";
        let c = package_json(text, &[]).unwrap();
        assert_eq!(c.len(), 2);
        assert_eq!((c[1].line, c[1].production, c[1].context.as_str()), (5, true, "script \"build\""));
        assert!(!c[0].production);
        assert!(package_json("{oops", &[]).is_err());
    }
}
