//! What is worth telling someone about, and how loud.

use serde::{Deserialize, Serialize};

/// How loud: a `[[notify]]` sends what is at or above its `min_severity`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Critical => "critical",
        }
    }
}

/// The events prisma-guard reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Event {
    BackupFailed,
    UploadFailed,
    RestoreTestFailed,
    /// No backup within `--max-age` (from `status`, run by a scheduler).
    Stale,
    /// A guarded prisma command was refused.
    Refused,
    /// A schema-changing prisma command failed after its backup.
    MigrationFailed,
    StorageLow,
    /// Backups look healthy: the daily confirmation.
    Digest,
    /// `prisma-guard notify test`.
    Test,
    /// Worth knowing, not a failure (from `status`: no backup restore-tested yet).
    Notice,
}

impl Event {
    pub fn as_str(self) -> &'static str {
        match self {
            Event::BackupFailed => "backup-failed",
            Event::UploadFailed => "upload-failed",
            Event::RestoreTestFailed => "restore-test-failed",
            Event::Stale => "stale",
            Event::Refused => "refused",
            Event::MigrationFailed => "migration-failed",
            Event::StorageLow => "storage-low",
            Event::Digest => "digest",
            Event::Test => "test",
            Event::Notice => "notice",
        }
    }
}

/// One notification.
#[derive(Debug, Clone, Serialize)]
pub struct Message {
    pub event: Event,
    pub severity: Severity,
    /// One line: what happened.
    pub title: String,
    /// The details and the next step.
    pub body: String,
    /// The project folder (its name tells a team which project).
    pub project: String,
    pub host: String,
    /// RFC 3339.
    pub at: String,
}
