//! The guard: classify a prisma command line, confirm, back up, forward.

pub mod allow;
pub mod audit;
pub mod classify;
pub mod confirm;
pub mod forward;
pub mod run;
mod sequence;
mod steps;
