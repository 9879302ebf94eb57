//! One file per subcommand, named as the user types it (`restore-test` is `restore_test.rs`).
//! Each turns its clap arguments into work for the feature modules and returns an exit status.

pub mod agent_hook;
pub mod backup;
pub mod backups;
pub mod check;
pub mod completions;
pub mod doctor;
pub mod drill;
pub mod exec;
pub mod explain;
pub mod hooks;
pub mod init;
pub mod mcp;
pub mod migrate;
pub mod notify;
pub mod pitr;
pub mod protect;
pub mod prune;
pub mod restore;
pub mod restore_test;
pub mod scan;
pub mod schedule;
pub mod shim;
pub mod status;
pub mod sync;
pub mod uninstall;
pub mod verify;
