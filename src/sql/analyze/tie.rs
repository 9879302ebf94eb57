//! Prisma's `Warnings:` block tied to the statements it warns about.

use super::*;

/// Attach each Prisma warning to the finding it describes; warnings with no finding become
/// `prisma-warning` findings on the statement they name (or on the warning itself).
pub(super) fn tie_warnings(warnings: Vec<Warning>, statements: &[Piece], toks: &[Tok], findings: &mut Vec<SqlFinding>) {
    for w in warnings {
        if let Some(f) = findings.iter_mut().find(|f| f.prisma_warning.is_none() && matches(&w, f)) {
            f.prisma_warning = Some(w.text.clone());
            continue;
        }
        // Data loss Prisma announced for a redefined table whose earlier columns we did not
        // know: report it on the redefinition.
        if let About::DropColumn { table, column } = &w.about {
            if let Some((i, s)) = statements.iter().enumerate().find(|(_, s)| {
                let t = &toks[s.toks()];
                starts(t, &["DROP", "TABLE"])
                    && name_at(t, skip_if(t, 2)).is_some_and(|n| n.0.eq_ignore_ascii_case(table))
            }) {
                findings.push(SqlFinding {
                    rule: RuleId::DropColumn,
                    offset: s.offset,
                    statement: Some(i),
                    message: format!("redefines table `{table}` without column `{column}`; its data is lost"),
                    prisma_warning: Some(w.text.clone()),
                    subject: Subject { table: Some(table.clone()), column: Some(column.clone()), ..Subject::default() },
                });
                continue;
            }
        }
        let names = names_of(&w.about);
        let stmt = statements.iter().enumerate().find(|(_, s)| mentions_all(&toks[s.toks()], &names));
        findings.push(SqlFinding {
            rule: RuleId::PrismaWarning,
            offset: stmt.map_or(w.offset, |(_, s)| s.offset),
            statement: stmt.map(|(i, _)| i),
            message: format!("Prisma warned: {}", w.text),
            prisma_warning: Some(w.text.clone()),
            subject: Subject::default(),
        });
    }
}

pub(super) fn eq(a: &Option<String>, b: &str) -> bool {
    a.as_deref().is_some_and(|x| x.eq_ignore_ascii_case(b))
}

pub(super) fn matches(w: &Warning, f: &SqlFinding) -> bool {
    let s = &f.subject;
    match &w.about {
        About::DropColumn { table, column } => {
            f.rule == RuleId::DropColumn && eq(&s.table, table) && eq(&s.column, column)
        }
        About::DropTable { table } => f.rule == RuleId::DropTable && eq(&s.table, table),
        About::AddRequiredColumn { table, column } => {
            f.rule == RuleId::AddRequiredColumn && eq(&s.table, table) && eq(&s.column, column)
        }
        About::MadeRequired { table, column } => {
            f.rule == RuleId::SetNotNull && eq(&s.table, table) && eq(&s.column, column)
        }
        About::AlterColumn { table, column } => {
            f.rule == RuleId::AlterColumnType && eq(&s.table, table) && eq(&s.column, column)
        }
        About::EnumValues { name, .. } => f.rule == RuleId::DropEnumValue && eq(&s.enum_name, name),
        About::Other { .. } => false,
    }
}

pub(super) fn names_of(about: &About) -> Vec<String> {
    match about {
        About::DropColumn { table, column }
        | About::AddRequiredColumn { table, column }
        | About::MadeRequired { table, column }
        | About::AlterColumn { table, column } => vec![table.clone(), column.clone()],
        About::DropTable { table } => vec![table.clone()],
        About::EnumValues { name, .. } => vec![name.clone()],
        About::Other { names } => names
            .iter()
            .flat_map(|n| n.trim_matches(|c| c == '[' || c == ']').split(',').map(|s| s.trim().to_string()))
            .filter(|s| !s.is_empty())
            .collect(),
    }
}

pub(super) fn mentions_all(toks: &[Tok], names: &[String]) -> bool {
    !names.is_empty()
        && !toks.is_empty()
        && names.iter().all(|n| toks.iter().any(|t| t.is_name() && t.value.eq_ignore_ascii_case(n)))
}
