//! Tables, columns and types: CREATE/ALTER/DROP/RENAME of tables, column type changes,
//! NOT NULL, MySQL MODIFY/CHANGE, enum types; judged against the schema replayed so far.

use super::*;

pub(super) const COLUMN_STOP: &[&str] = &[
    "NOT",
    "NULL",
    "DEFAULT",
    "PRIMARY",
    "REFERENCES",
    "UNIQUE",
    "CHECK",
    "CONSTRAINT",
    "GENERATED",
    "AUTO_INCREMENT",
    "AUTOINCREMENT",
    "COLLATE",
    "ON",
    "COMMENT",
    "USING",
    "FIRST",
    "AFTER",
    "CHARACTER",
    "CHARSET",
];

pub(super) const CONSTRAINT_WORDS: &[&str] = &[
    "CONSTRAINT",
    "PRIMARY",
    "UNIQUE",
    "FOREIGN",
    "CHECK",
    "INDEX",
    "KEY",
    "FULLTEXT",
    "SPATIAL",
    "PARTITION",
    "EXCLUDE",
];

/// A column definition: name, type and flags, from tokens `name type ...`.
pub(super) struct ColumnDef {
    pub(super) name: String,
    pub(super) ty: String,
    pub(super) not_null: bool,
    pub(super) has_default: bool,
    pub(super) auto: bool,
}

pub(super) fn column_def(toks: &[Tok]) -> Option<ColumnDef> {
    let first = toks.first()?;
    if !first.is_name() || (first.kind == Tk::Word && CONSTRAINT_WORDS.iter().any(|w| first.is(w))) {
        return None;
    }
    let mut ty = String::new();
    let mut k = 1;
    while let Some(t) = toks.get(k) {
        if t.kind == Tk::Word && COLUMN_STOP.iter().any(|w| t.is(w)) {
            break;
        }
        match t.kind {
            Tk::Word => ty.extend(t.value.chars().map(|c| c.to_ascii_uppercase())),
            Tk::Str => {
                ty.push('\'');
                ty.push_str(t.value);
                ty.push('\'');
            }
            _ => ty.push_str(t.value),
        }
        k += 1;
    }
    // The constraints after the type, in one pass.
    let (mut not_null, mut has_default, mut auto) = (false, false, false);
    for (j, t) in toks.iter().enumerate().skip(k) {
        if t.is("NOT") && toks.get(j + 1).is_some_and(|n| n.is("NULL")) || t.is("PRIMARY") {
            not_null = true;
        } else if t.is("DEFAULT") {
            has_default = true;
        } else if t.is("AUTO_INCREMENT") || t.is("AUTOINCREMENT") || t.is("GENERATED") {
            auto = true;
        }
    }
    let t = ty.as_bytes();
    auto |= t.windows(6).any(|w| w.eq_ignore_ascii_case(b"SERIAL"))
        || t.get(..14).is_some_and(|p| p.eq_ignore_ascii_case(b"INTEGERPRIMARY"));
    Some(ColumnDef { name: first.value.to_string(), ty, not_null, has_default, auto })
}

/// `ALTER [ONLINE|OFFLINE] [IGNORE] TABLE`: the index of `TABLE`.
pub(super) fn alter_table_at(t: &[Tok]) -> Option<usize> {
    if !t.first()?.is("ALTER") {
        return None;
    }
    let k = (1..4).find(|&k| t.get(k).is_some_and(|x| !(x.is("ONLINE") || x.is("OFFLINE") || x.is("IGNORE"))))?;
    t[k].is("TABLE").then_some(k)
}

pub(super) fn redefine_base(name: &str) -> Option<&str> {
    name.strip_prefix("new_")
}

impl Analyzer<'_> {
    pub(super) fn create_table(&mut self, t: &[Tok], k: usize) {
        let Some((name, k)) = name_at(t, k) else { return };
        self.state.created.insert(name);
        let mut table = Table::default();
        if let Some(close) = t.get(k).filter(|x| x.is_punct('(')).and_then(|_| matching_paren(t, k)) {
            for (from, to) in split_commas(t, k + 1, close) {
                if let Some(c) = column_def(&t[from..to]) {
                    table.columns.push(Column {
                        name: c.name,
                        ty: c.ty,
                        nullable: !c.not_null,
                        has_default: c.has_default || c.auto,
                    });
                }
            }
        }
        self.schema.tables.insert(key(name), std::sync::Arc::new(table));
    }

    pub(super) fn create_type(&mut self, i: usize, offset: usize, t: &[Tok], k: usize) {
        let Some((name, k)) = name_at(t, k) else { return };
        if !starts(&t[k.min(t.len())..], &["AS", "ENUM"]) {
            return;
        }
        let values: Vec<String> = t[k..].iter().filter(|x| x.kind == Tk::Str).map(|x| x.value.to_string()).collect();
        if let Some(base) = name.strip_suffix("_new") {
            let before = self.schema.enums.get(&key(base)).cloned();
            self.missed |= before.is_none();
            let e = NewEnum { display: base.to_string(), values: values.clone(), statement: i, offset, before };
            self.state.new_enums.insert(key(base), e);
        }
        self.schema.enums.insert(key(name), values);
    }

    pub(super) fn alter_type(&mut self, t: &[Tok]) {
        let Some((name, k)) = name_at(t, 2) else { return };
        if starts(&t[k.min(t.len())..], &["ADD", "VALUE"]) {
            let value = t[k..].iter().find(|x| x.kind == Tk::Str).map(|x| x.value.to_string());
            if let (Some(v), Some(values)) = (value, self.schema.enums.get_mut(&key(name))) {
                values.push(v);
            }
        } else if starts(&t[k.min(t.len())..], &["RENAME", "TO"]) {
            if let Some((to, _)) = name_at(t, k + 2) {
                if to.strip_suffix("_old").is_some_and(|b| b.eq_ignore_ascii_case(name)) {
                    self.state.renamed_old.insert(name);
                }
                if let Some(v) = self.schema.enums.remove(&key(name)) {
                    self.schema.enums.insert(key(to), v);
                }
            }
        }
    }

    pub(super) fn rename_table(&mut self, i: usize, offset: usize, from: &str, to: &str) {
        let redefine = redefine_base(from).is_some_and(|b| b.eq_ignore_ascii_case(to));
        if !redefine && !self.state.created.contains(from) {
            self.report(
                RuleId::RenameTable,
                i,
                offset,
                format!("renames table `{from}` to `{to}`"),
                Subject { table: Some(from.to_string()), ..Subject::default() },
            );
        }
        if let Some(table) = self.schema.tables.remove(&key(from)) {
            self.schema.tables.insert(key(to), table);
        }
        if self.state.created.remove(from) {
            self.state.created.insert(to);
        }
    }

    pub(super) fn drop_table(&mut self, i: usize, offset: usize, name: &str) {
        let k = key(name);
        let new_name = format!("new_{k}");
        if self.state.created.contains(&new_name) && !self.state.created.contains(&k) {
            // SQLite RedefineTables: data is copied into new_X first; judged in finish().
            let before: Option<Vec<String>> =
                self.schema.table(name).map(|t| t.columns.iter().map(|c| c.name.clone()).collect());
            self.missed |= before.is_none();
            let r = Redefined { statement: i, offset, before, table: name.to_string() };
            self.state.redefined.insert(k.clone(), r);
        } else if !self.state.created.contains(&k) {
            self.report(
                RuleId::DropTable,
                i,
                offset,
                format!("drops table `{name}` and every row in it"),
                Subject { table: Some(name.to_string()), ..Subject::default() },
            );
        }
        self.state.dropped_tables.insert(&k);
        self.schema.tables.remove(&k);
    }

    pub(super) fn alter_table(&mut self, i: usize, base: usize, t: &[Tok], table: &str, k: usize) {
        for (from, to) in split_commas(t, k, t.len()) {
            let a = &t[from..to];
            let at = a.first().map_or(base, |x| x.pos);
            if a.is_empty() {
                continue;
            }
            let subject =
                |column: Option<String>| Subject { table: Some(table.to_string()), column, ..Subject::default() };
            if a[0].is("ADD") {
                let j = 1;
                if a.get(j).is_some_and(|x| x.is("CONSTRAINT")) {
                    if let Some((name, _)) = name_at(a, j + 1) {
                        self.state.added_constraints.insert(name);
                    }
                    if a.iter().any(|x| x.is("PRIMARY")) {
                        self.state.added_pk.insert(table);
                    }
                    continue;
                }
                if a.get(j).is_some_and(|x| CONSTRAINT_WORDS.iter().any(|w| x.is(w))) {
                    if a.get(j).is_some_and(|x| x.is("PRIMARY")) {
                        self.state.added_pk.insert(table);
                    }
                    continue;
                }
                let j = skip_if(a, opt(a, j, "COLUMN"));
                let Some(def) = column_def(&a[j..]) else { continue };
                self.state.added.insert(table, &def.name);
                if def.not_null && !def.has_default && !def.auto && !self.state.created.contains(table) {
                    self.report(
                        RuleId::AddRequiredColumn,
                        i,
                        at,
                        format!(
                            "adds required column `{}` to `{table}` without a default; fails when the table has rows",
                            def.name
                        ),
                        subject(Some(def.name.clone())),
                    );
                }
                if let Some(tab) = self.schema.table_mut(table) {
                    tab.columns.push(Column {
                        name: def.name,
                        ty: def.ty,
                        nullable: !def.not_null,
                        has_default: def.has_default || def.auto,
                    });
                }
            } else if a[0].is("DROP") {
                let mut j = 1;
                let word = a.get(j);
                if word.is_some_and(|x| x.is("CONSTRAINT") || x.is("FOREIGN") || x.is("CHECK")) {
                    j += if word.is_some_and(|x| x.is("FOREIGN")) { 2 } else { 1 };
                    let name = name_at(a, skip_if(a, j)).map(|n| n.0).unwrap_or_default();
                    // As written (messages show it); compared ignoring case.
                    self.state.dropped_constraints.push((name.to_string(), table.to_string(), i, at));
                    continue;
                }
                if word.is_some_and(|x| x.is("PRIMARY")) {
                    self.state.dropped_constraints.push(("PRIMARY KEY".into(), table.to_string(), i, at));
                    continue;
                }
                if word.is_some_and(|x| {
                    x.kind == Tk::Word
                        && ["INDEX", "KEY", "DEFAULT", "NOT", "PARTITION", "IDENTITY"].iter().any(|w| x.is(w))
                }) {
                    continue;
                }
                if word.is_some_and(|x| x.is("COLUMN")) {
                    j += 1;
                }
                j = skip_if(a, j);
                let Some((column, _)) = name_at(a, j) else { continue };
                self.state.dropped_columns.insert(table, column);
                if !self.state.created.contains(table) {
                    self.report(
                        RuleId::DropColumn,
                        i,
                        at,
                        format!("drops column `{column}` of `{table}` and the data in it"),
                        subject(Some(column.to_string())),
                    );
                }
                if let Some(tab) = self.schema.table_mut(table) {
                    tab.remove(column);
                }
            } else if a[0].is("ALTER") {
                let Some((column, j)) = name_at(a, opt(a, 1, "COLUMN")) else { continue };
                let rest = &a[j.min(a.len())..];
                if starts(rest, &["TYPE"]) || starts(rest, &["SET", "DATA", "TYPE"]) {
                    // `USING <expression>` that never reads the column: every value replaced.
                    if let Some(u) = rest.iter().position(|x| x.is("USING")) {
                        let reads = rest[u + 1..].iter().any(|x| x.is_name() && x.value.eq_ignore_ascii_case(column));
                        if !reads && !self.state.created.contains(table) {
                            self.report(
                                RuleId::AlterColumnType,
                                i,
                                at,
                                format!("sets every value of `{table}`.`{column}` to an expression that does not read it (USING)"),
                                subject(Some(column.to_string())),
                            );
                        }
                    }
                    let skip = if starts(rest, &["TYPE"]) { 1 } else { 3 };
                    let ty = column_def(&std::iter::once(a[0]).chain(rest[skip..].iter().copied()).collect::<Vec<_>>())
                        .map(|d| d.ty)
                        .unwrap_or_default();
                    self.change_type(i, at, table, column, &ty);
                } else if starts(rest, &["SET", "NOT", "NULL"]) {
                    self.set_not_null(i, at, table, column);
                } else if starts(rest, &["DROP", "DEFAULT"]) && !self.state.created.contains(table) {
                    // Judged at the end: Prisma's enum recreation sets it again.
                    self.state.dropped_defaults.push((table.to_string(), column.to_string(), i, at));
                } else if starts(rest, &["SET", "DEFAULT"]) {
                    self.state.set_defaults.insert(table, column);
                } else if starts(rest, &["DROP", "NOT", "NULL"]) {
                    if let Some(c) = self.schema.table_mut(table).and_then(|t| t.column_mut(column)) {
                        c.nullable = true;
                    }
                }
            } else if a[0].is("MODIFY") || a[0].is("CHANGE") {
                let j = opt(a, 1, "COLUMN");
                let Some((old, j2)) = name_at(a, j) else { continue };
                let (new, def_start) =
                    if a[0].is("CHANGE") { (name_at(a, j2).map_or(old, |n| n.0), j2) } else { (old, j) };
                if !new.eq_ignore_ascii_case(old) {
                    self.report(
                        RuleId::RenameColumn,
                        i,
                        at,
                        format!("renames column `{old}` of `{table}` to `{new}`"),
                        subject(Some(old.to_string())),
                    );
                }
                let Some(def) = column_def(&a[def_start.min(a.len())..]) else { continue };
                self.mysql_modify(i, at, table, old, &def);
            } else if a[0].is("RENAME") {
                let j = opt(a, 1, "COLUMN");
                if a.get(1).is_some_and(|x| x.is("INDEX") || x.is("KEY") || x.is("CONSTRAINT")) {
                    continue;
                }
                if a.get(1).is_some_and(|x| x.is("TO") || x.is("AS")) {
                    let to = name_at(a, 2).map(|n| n.0).unwrap_or_default();
                    self.rename_table(i, at, table, to);
                    continue;
                }
                let Some((from, j)) = name_at(a, j) else { continue };
                let to = name_at(a, j + 1).map(|n| n.0).unwrap_or_default();
                // A column added here, filled from the old one in every row, which was then
                // dropped, takes the old one's name: the data moved, nothing is lost.
                let replaces = self.state.dropped_columns.contains(table, to)
                    && self.state.filled_from.iter().any(|(t, c, sources)| {
                        t.eq_ignore_ascii_case(table)
                            && c.eq_ignore_ascii_case(from)
                            && sources.iter().any(|s| s.eq_ignore_ascii_case(to))
                    });
                if replaces {
                    self.findings.retain(|f| {
                        !(f.rule == RuleId::DropColumn
                            && f.subject.table.as_deref().is_some_and(|t| t.eq_ignore_ascii_case(table))
                            && f.subject.column.as_deref().is_some_and(|c| c.eq_ignore_ascii_case(to)))
                    });
                }
                if !self.state.created.contains(table) && !replaces {
                    self.report(
                        RuleId::RenameColumn,
                        i,
                        at,
                        format!("renames column `{from}` of `{table}` to `{to}`"),
                        subject(Some(from.to_string())),
                    );
                }
                if let Some(c) = self.schema.table_mut(table).and_then(|t| t.column_mut(from)) {
                    c.name = to.to_string();
                }
            }
        }
    }

    pub(super) fn change_type(&mut self, i: usize, at: usize, table: &str, column: &str, ty: &str) {
        let subject =
            Subject { table: Some(table.to_string()), column: Some(column.to_string()), ..Subject::default() };
        let old = self.schema.column(table, column).map(|c| c.ty.clone());
        self.missed |= old.is_none();
        let enum_recreation = ty.strip_suffix("_new").is_some_and(|b| {
            let b = b.rsplit('.').next().unwrap_or(b);
            self.state.new_enums.contains_key(&key(b))
        });
        if !enum_recreation && !self.state.created.contains(table) && !widens(old.as_deref(), ty) {
            let from = old.as_deref().map(|o| format!(" from {o}")).unwrap_or_default();
            self.report(
                RuleId::AlterColumnType,
                i,
                at,
                format!("changes the type of `{table}`.`{column}`{from} to {ty}; values that do not convert are lost or fail"),
                subject,
            );
        }
        if let Some(c) = self.schema.table_mut(table).and_then(|t| t.column_mut(column)) {
            c.ty = ty.strip_suffix("_new").unwrap_or(ty).to_string();
        }
    }

    pub(super) fn set_not_null(&mut self, i: usize, at: usize, table: &str, column: &str) {
        let state = &self.state;
        if !state.created.contains(table)
            && !state.added.contains(table, column)
            && !state.backfilled.contains(table, column)
        {
            self.report(
                RuleId::SetNotNull,
                i,
                at,
                format!("makes `{table}`.`{column}` required; fails if a row holds NULL"),
                Subject { table: Some(table.to_string()), column: Some(column.to_string()), ..Subject::default() },
            );
        }
        if let Some(c) = self.schema.table_mut(table).and_then(|t| t.column_mut(column)) {
            c.nullable = false;
        }
    }

    /// MySQL `MODIFY`/`CHANGE`: a type change, an enum change, or only a nullability change.
    pub(super) fn mysql_modify(&mut self, i: usize, at: usize, table: &str, column: &str, def: &ColumnDef) {
        let old = self.schema.column(table, column).cloned();
        self.missed |= old.is_none();
        let subject =
            Subject { table: Some(table.to_string()), column: Some(column.to_string()), ..Subject::default() };
        let created = self.state.created.contains(table);
        match old {
            Some(old) if !created => {
                let (oe, ne) = (mysql_enum_values(&old.ty), mysql_enum_values(&def.ty));
                if let (Some(oe), Some(ne)) = (&oe, &ne) {
                    let removed: Vec<String> = oe.iter().filter(|v| !ne.contains(v)).cloned().collect();
                    if !removed.is_empty() {
                        self.report(
                            RuleId::DropEnumValue,
                            i,
                            at,
                            format!("removes {} from the enum of `{table}`.`{column}`", list(&removed)),
                            Subject { enum_name: Some(format!("{table}_{column}")), ..subject.clone() },
                        );
                    }
                } else if !widens(Some(&old.ty), &def.ty) {
                    self.report(
                        RuleId::AlterColumnType,
                        i,
                        at,
                        format!(
                            "changes the type of `{table}`.`{column}` from {} to {}; values that do not convert are lost or fail",
                            old.ty, def.ty
                        ),
                        subject.clone(),
                    );
                }
                if old.nullable && def.not_null {
                    self.set_not_null(i, at, table, column);
                }
            }
            None if !created => {
                self.report(
                    RuleId::AlterColumnType,
                    i,
                    at,
                    format!("redefines `{table}`.`{column}` as {} (its earlier type is unknown)", def.ty),
                    subject,
                );
            }
            _ => {}
        }
        if let Some(tab) = self.schema.table_mut(table) {
            tab.remove(column);
            tab.columns.push(Column {
                name: def.name.clone(),
                ty: def.ty.clone(),
                nullable: !def.not_null,
                has_default: def.has_default || def.auto,
            });
        }
    }
}
