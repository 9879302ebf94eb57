//! Integration tests: prisma-guard as a user runs it, against real databases.

mod support;

mod failures;
mod mysql;
mod postgres;
mod sqlite;
