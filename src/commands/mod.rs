//! One file per subcommand.

pub mod backup;
pub mod list;
pub mod prune;
pub mod restore;
pub mod verify;
