//! The guard: classify a prisma command line, confirm, back up, forward.

pub mod allow;
mod around_backup;
pub mod audit;
pub mod classify;
pub mod confirm;
pub mod dispatch;
pub mod forward;
mod sequence;
