//! package.json `scripts`, each with the line its value starts on, and the Nx targets of its
//! `nx` key (read as project.json's are).

use super::{is_production_script, line_col, strip_bom, CommandLine};

/// The scripts of a package.json; `Err` when it is not JSON (npm would refuse it too).
pub(super) fn package_json(text: &str, prod_scripts: &[String]) -> Result<Vec<CommandLine>, String> {
    let json =
        serde_json::from_str::<serde_json::Value>(strip_bom(text)).map_err(|e| format!("not valid JSON: {e}"))?;
    let mut out = Vec::new();
    // Nx targets written in package.json (`"nx": {"targets": {...}}`): as in project.json.
    if let Some(nx) = json.get("nx") {
        super::deploy::json_value(text, nx, &mut vec!["nx".to_string()], &mut out);
    }
    let Some(scripts) = json.get("scripts").and_then(|s| s.as_object()) else { return Ok(out) };
    let scripts_at = text.find("\"scripts\"").unwrap_or(0);
    // Where each value is, read the way the JSON was: with a name written twice, the last
    // value is the one npm runs, so that is the one shown.
    let starts: std::collections::HashMap<String, usize> = crate::install::jsonedit::Doc::new(text)
        .map(|d| d.value_starts(&["scripts"]).into_iter().collect())
        .unwrap_or_default();
    for (name, cmd) in scripts {
        let Some(cmd) = cmd.as_str() else { continue };
        let found = starts.get(name).map(|at| at + 1);
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
        // A name written twice: npm runs the last value, and the caret points at it.
        let text = "{\"scripts\": {\n  \"x\": \"echo hi\",\n  \"x\": \"prisma migrate reset --force\"\n}}\n";
        let c = package_json(text, &[]).unwrap();
        assert_eq!((c.len(), c[0].text.as_str(), c[0].line, c[0].col), (1, "prisma migrate reset --force", 3, 9));
        // Nx targets in package.json (issue 22, round 9).
        let text =
            "{\"name\": \"api\", \"nx\": {\"targets\": {\"wipe\": {\"command\": \"prisma db push --force-reset\"}}}}\n";
        let c = package_json(text, &[]).unwrap();
        assert_eq!(
            (c.len(), c[0].text.as_str(), c[0].context.as_str()),
            (1, "prisma db push --force-reset", "nx.targets.wipe.command")
        );
    }
}
