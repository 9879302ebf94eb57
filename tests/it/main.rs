//! Integration tests: prisma-guard as a user runs it, against real databases.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

mod action;
mod agents;
mod completions;
mod data_clients;
mod data_globs_links;
mod data_inputs;
mod data_paths;
mod data_runners;
mod data_shell;
mod data_sqlite_remote;
mod drill;
mod encryption;
mod failures;
mod guard;
mod hooks;
mod hooks_related;
mod hooks_team_setups;
mod launchers;
mod mcp;
mod migrate;
mod migrate_deploy;
mod mysql;
mod notify;
mod npm;
mod operations;
mod packaging;
mod pitr;
mod postgres;
mod prisma8;
mod project;
mod promises;
mod remote;
mod remote_faults;
mod restore_check;
mod restore_contents;
mod scan;
mod setup;
mod shim;
mod snapshots;
mod sqlite;
mod tripwire;
