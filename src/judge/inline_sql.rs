//! Inline driver code that changes the database without a client program: `node -e` with
//! `pg`/`mysql2`/`better-sqlite3` running `DELETE FROM "User"`, `python3 -c` with psycopg2 or
//! sqlite3, `npx tsx -e` with `new PrismaClient().user.deleteMany()`. The SQL in its string
//! literals is judged as a client's would be; Prisma Client calls that delete every row or run
//! raw SQL that cannot be read are refused.

/// Why inline `code` loses data, if it does.
pub fn judge(code: &str) -> Option<String> {
    let literals = literals(code);
    for lit in &literals {
        let head = lit.trim_start().to_ascii_uppercase();
        let sqlish =
            ["DELETE", "DROP", "TRUNCATE", "UPDATE", "ALTER", "REPLACE", "INSERT", "WITH", "CREATE OR REPLACE"]
                .iter()
                .any(|v| head.starts_with(v));
        if !sqlish {
            continue;
        }
        let found = crate::sql::dangers(lit);
        if let Some(d) = found.first() {
            return Some(format!("runs inline code whose SQL {} ({})", d.message, first_line(lit)));
        }
    }
    // Prisma Client: `deleteMany()` / `deleteMany({})` over every row, raw SQL built at run time.
    let squeezed: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    for (i, _) in squeezed.match_indices("deleteMany(") {
        let args = &squeezed[i + "deleteMany(".len()..];
        if args.starts_with(')') || args.starts_with("{})") || args.starts_with("{where:{}})") {
            return Some(
                "runs inline code that calls Prisma Client's `deleteMany()` with no condition, deleting every row"
                    .into(),
            );
        }
    }
    let raw = ["$executeRaw", "$executeRawUnsafe", "$queryRawUnsafe", "$runCommandRaw"];
    if raw.iter().any(|r| code.contains(r)) && !literals.iter().any(|l| !l.trim().is_empty()) {
        return Some("runs inline code that sends raw SQL through Prisma Client, which cannot be read".into());
    }
    None
}

/// The string literals of code (`'...'`, `"..."`, `` `...` ``), escapes read.
fn literals(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = code.chars();
    while let Some(c) = chars.next() {
        if !matches!(c, '\'' | '"' | '`') {
            continue;
        }
        let mut lit = String::new();
        while let Some(d) = chars.next() {
            match d {
                '\\' => lit.extend(chars.next()),
                d if d == c => break,
                d => lit.push(d),
            }
        }
        out.push(lit);
    }
    out
}

fn first_line(s: &str) -> String {
    let line = s.lines().next().unwrap_or("").trim();
    if line.len() > 80 {
        format!("{}...", &line[..line.char_indices().nth(77).map_or(line.len(), |(i, _)| i)])
    } else {
        line.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn driver_code_that_deletes() {
        assert!(judge("const {Pool}=require('pg');new Pool().query('DELETE FROM \"User\"')").is_some());
        assert!(judge("import psycopg2;c=psycopg2.connect('');c.cursor().execute('DROP TABLE \"User\"')").is_some());
        assert!(judge("new PrismaClient().user.deleteMany()").is_some());
        assert!(judge("new PrismaClient().user.deleteMany({ })").is_some());
        assert!(judge("p.$executeRawUnsafe(process.argv[2])").is_some());
        assert!(judge("new Pool().query('SELECT 1')").is_none());
        assert!(judge("new Pool().query('DELETE FROM \"User\" WHERE id = 5')").is_none());
        assert!(judge("new PrismaClient().user.deleteMany({ where: { id: 5 } })").is_none());
        assert!(judge("console.log('update done')").is_none());
    }
}
