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

/// The warnings of the block at the top of `sql` (none when there is no block).
/// Hand-parsed: this runs on every migration of a scan, and a regex costs its compile time.
pub fn read(sql: &str) -> Vec<Warning> {
    let lead = sql.len() - sql.trim_start().len();
    let Some(rest) = sql[lead..].strip_prefix("/*") else { return Vec::new() };
    let body_start = lead + 2 + (rest.len() - rest.trim_start().len());
    let Some(after) = sql[body_start..].strip_prefix("Warnings:") else { return Vec::new() };
    let Some(end) = after.find("*/") else { return Vec::new() };
    let body = &after[..end];
    let mut offset = body_start + "Warnings:".len();
    let mut out = Vec::new();
    for line in body.split_inclusive('\n') {
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

/// The `backticked` names in a warning, in order.
fn names(text: &str) -> Vec<String> {
    text.split('`').skip(1).step_by(2).map(str::to_string).collect()
}

fn about(text: &str) -> About {
    let names = names(text);
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
    } else if let (Some(values), Some(name)) = (enum_values(text), names.first()) {
        About::EnumValues { name: name.clone(), values }
    } else {
        About::Other { names }
    }
}

/// `The values [A,B] on the enum` -> [A, B].
fn enum_values(text: &str) -> Option<Vec<String>> {
    let rest = text.split_once("The values [")?.1;
    let (list, tail) = rest.split_once(']')?;
    if !tail.trim_start().starts_with("on the enum") {
        return None;
    }
    Some(list.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect())
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
