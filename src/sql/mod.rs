//! SQL analysis shared by the guard (`prisma db execute`) and, later, the migration scanner:
//! statement splitting that respects quoting, and detection of statements that lose data.

pub mod danger;
pub mod split;

pub use danger::{dangers, Danger};
pub use split::{split, Statement};
