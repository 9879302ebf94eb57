//! SQL analysis shared by the guard (`prisma db execute`) and the migration scanner:
//! statement splitting that respects quoting, a token reader, a replayed schema model,
//! Prisma's warnings block, and the rules that find data loss.

pub mod analyze;
pub mod danger;
pub mod lex;
pub mod schema;
pub mod tokens;
pub mod tripwire_tamper;
pub mod warnings;

pub use analyze::analyze;
pub use danger::dangers;
pub use schema::Schema;

/// Schema names the SQL may touch (PostgreSQL): the first part of every qualified name
/// (`audit.logs`), the schemas of `DROP/ALTER/CREATE SCHEMA`, and `SET search_path`. Table
/// aliases (`u.id`) come along too: callers keep the names that are schemas.
pub fn named_schemas(sql: &str) -> std::collections::BTreeSet<String> {
    use tokens::Tk;
    let lexed = lex::lex(sql, true);
    let all = lexed.toks(sql);
    let name = |t: &tokens::Tok| match t.kind {
        Tk::Word => Some(t.value.to_ascii_lowercase()),
        Tk::Ident => Some(t.value.to_string()),
        _ => None,
    };
    let mut out = std::collections::BTreeSet::new();
    for piece in &lexed.statements {
        let toks = all.get(piece.toks()).unwrap_or_default();
        for (i, t) in toks.iter().enumerate() {
            if t.is_name()
                && toks.get(i + 1).is_some_and(|n| n.is_punct('.'))
                && toks.get(i + 2).is_some_and(|n| n.is_name())
            {
                out.extend(name(t));
            }
            let mut j = if t.is("SCHEMA") {
                i + 1
            } else if t.is("search_path") && toks.get(i + 1).is_some_and(|n| n.is("TO") || n.is_punct('=')) {
                i + 2
            } else {
                continue;
            };
            while toks.get(j).is_some_and(|n| n.is("IF") || n.is("NOT") || n.is("EXISTS")) {
                j += 1;
            }
            // A list of names (or one string of them), comma-separated.
            while let Some(n) = toks.get(j) {
                match n.kind {
                    Tk::Str => out.extend(
                        n.value.split(',').map(|s| s.trim().trim_matches('"').to_string()).filter(|s| !s.is_empty()),
                    ),
                    Tk::Word | Tk::Ident => out.extend(name(n)),
                    Tk::Punct => break,
                }
                if !toks.get(j + 1).is_some_and(|c| c.is_punct(',')) {
                    break;
                }
                j += 2;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn schemas_an_sql_text_names() {
        let sql = "DROP SCHEMA IF EXISTS audit, \"Logs\" CASCADE;\nDELETE FROM billing.invoices u WHERE u.id = 1;\nSET search_path TO archive, public;\nSELECT 1;";
        let got: Vec<String> = super::named_schemas(sql).into_iter().collect();
        assert_eq!(got, ["Logs", "archive", "audit", "billing", "public", "u"]);
    }
}
