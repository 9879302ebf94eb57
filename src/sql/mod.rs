//! SQL analysis shared by the guard (`prisma db execute`) and the migration scanner:
//! statement splitting that respects quoting, a token reader, a replayed schema model,
//! Prisma's warnings block, and the rules that find data loss.

pub mod analyze;
pub mod danger;
pub mod lex;
pub mod schema;
pub mod tokens;
pub mod warnings;

pub use analyze::analyze;
pub use danger::dangers;
pub use schema::Schema;
