//! Integration tests: prisma-guard as a user runs it, against real databases.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

mod action;
mod agents;
mod attack_r3;
mod completions;
mod data_clients;
mod data_paths;
mod data_review2;
mod data_review5;
mod data_runners;
mod data_shell;
mod drill;
mod encryption;
mod failures;
mod guard;
mod hooks;
mod launchers;
mod mcp;
mod migrate;
mod migrate_deploy;
mod mysql;
mod notify;
mod npm;
mod offsite_r3;
mod packaging;
mod pitr;
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
mod team_r8;
mod tripwire;
