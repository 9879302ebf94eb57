//! Integration tests: prisma-guard as a user runs it, against real databases.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

mod agents;
mod data_clients;
mod data_paths;
mod data_review2;
mod data_runners;
mod data_shell;
mod encryption;
mod failures;
mod guard;
mod hooks;
mod launchers;
mod mcp;
mod migrate;
mod mysql;
mod notify;
mod postgres;
mod prisma8;
mod project;
mod promises;
mod remote;
mod restore_r14;
mod scan;
mod setup;
mod shim;
mod snapshots;
mod sqlite;
mod tripwire;
