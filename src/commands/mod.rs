//! One file per subcommand.

pub mod backup;
pub mod check;
pub mod exec;
pub mod hooks;
pub mod init;
pub mod list;
pub mod prune;
pub mod restore;
pub mod scan;
pub mod shim;
pub mod verify;
