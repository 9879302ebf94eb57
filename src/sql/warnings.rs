//! The `Warnings:` block Prisma writes at the top of a generated migration:
//!
//! ```sql
//! /*
//!   Warnings:
//!
//!   - You are about to drop the column `bio` on the `User` table. All the data in the column will be lost.
//!   - The values [ADMIN] on the enum `Role` will be removed. If these variants are still used in the database, this will fail.
//! */
//! ```

use std::sync::OnceLock;

use regex::Regex;

/// What a warning is about, read from its wording.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum About {
    DropColumn { table: String, column: String },
    DropTable { table: String },
    AddRequiredColumn { table: String, column: String },
    MadeRequired { table: String, column: String },
    AlterColumn { table: String, column: String },
    EnumValues { name: String, values: Vec<String> },
    Other { names: Vec<String> },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    pub text: String,
    /// Byte offset of the bullet in the file.
    pub offset: usize,
    pub about: About,
}

fn re(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).expect("static regex"))
}

/// The warnings of the block at the top of `sql` (none when there is no block).
pub fn read(sql: &str) -> Vec<Warning> {
    static BLOCK: OnceLock<Regex> = OnceLock::new();
    if !sql.trim_start().starts_with("/*") {
        return Vec::new();
    }
    let Some(m) = re(&BLOCK, r"(?s)\A\s*/\*\s*Warnings:(.*?)\*/").captures(sql) else { return Vec::new() };
    let Some(body) = m.get(1) else { return Vec::new() };
    let mut out = Vec::new();
    let mut offset = body.start();
    for line in body.as_str().split_inclusive('\n') {
        let trimmed = line.trim_start();
        if let Some(text) = trimmed.strip_prefix("- ") {
            let text = text.trim().to_string();
            let about = about(&text);
            out.push(Warning { text, offset: offset + (line.len() - trimmed.len()), about });
        }
        offset += line.len();
    }
    out
}

fn about(text: &str) -> About {
    static NAMES: OnceLock<Regex> = OnceLock::new();
    static VALUES: OnceLock<Regex> = OnceLock::new();
    let names: Vec<String> = re(&NAMES, r"`([^`]*)`").captures_iter(text).map(|c| c[1].to_string()).collect();
    let two = |f: fn(String, String) -> About| match names.as_slice() {
        [a, b, ..] => f(b.clone(), a.clone()),
        _ => About::Other { names: names.clone() },
    };
    if text.contains("drop the column") || (text.contains("would be dropped and recreated") && names.len() >= 2) {
        two(|table, column| About::DropColumn { table, column })
    } else if text.starts_with("You are about to drop the") && text.contains("table") && names.len() == 1 {
        About::DropTable { table: names[0].clone() }
    } else if text.starts_with("Added the required column") {
        two(|table, column| About::AddRequiredColumn { table, column })
    } else if text.starts_with("Made the column") {
        two(|table, column| About::MadeRequired { table, column })
    } else if text.contains("alter the column") || text.starts_with("Changed the type of") {
        two(|table, column| About::AlterColumn { table, column })
    } else if let (Some(v), Some(name)) =
        (re(&VALUES, r"The values \[([^\]]*)\] on the enum").captures(text), names.first())
    {
        let values = v[1].split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
        About::EnumValues { name: name.clone(), values }
    } else {
        About::Other { names }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_each_kind() {
        let sql = "/*\n  Warnings:\n\n  - You are about to drop the column `bio` on the `User` table. All the data in the column will be lost.\n  - You are about to drop the `Post` table. If the table is not empty, all the data it contains will be lost.\n  - Added the required column `slug` to the `Tag` table without a default value. This is not possible if the table is not empty.\n  - The values [ADMIN,GUEST] on the enum `Role` will be removed. If these variants are still used in the database, this will fail.\n  - A unique constraint covering the columns `[a,b]` on the table `T` will be added. If there are existing duplicate values, this will fail.\n\n*/\nDROP TABLE \"Post\";";
        let w = read(sql);
        assert_eq!(w.len(), 5);
        assert_eq!(w[0].about, About::DropColumn { table: "User".into(), column: "bio".into() });
        assert_eq!(w[1].about, About::DropTable { table: "Post".into() });
        assert_eq!(w[2].about, About::AddRequiredColumn { table: "Tag".into(), column: "slug".into() });
        assert_eq!(w[3].about, About::EnumValues { name: "Role".into(), values: vec!["ADMIN".into(), "GUEST".into()] });
        assert!(matches!(w[4].about, About::Other { .. }));
        assert!(sql[w[0].offset..].starts_with("- You are about"));
        assert!(read("-- no block\nDROP TABLE x;").is_empty());
    }
}
