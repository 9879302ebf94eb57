//! Exit codes are a type: every way prisma-guard can end maps to one documented code.

/// How a prisma-guard run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// 0: everything asked for was done.
    Success,
    /// 1: the operation failed (backup failed, database unreachable, ...).
    Failure,
    /// 2: bad command line or configuration.
    Usage,
    /// 3: refused: a human confirmation was required and not given (or could not be asked).
    Refused,
    /// 4: a check found a difference: checksum mismatch, row counts differ after a restore.
    Mismatch,
    /// 5: `check`: the command changes the schema (runs, with a backup first).
    SchemaChange,
    /// 130: interrupted by Ctrl-C.
    Interrupted,
    /// The exit code of a forwarded child process, passed through unchanged.
    Child(u8),
}

impl ExitStatus {
    pub fn code(self) -> u8 {
        match self {
            ExitStatus::Success => 0,
            ExitStatus::Failure => 1,
            ExitStatus::Usage => 2,
            ExitStatus::Refused => 3,
            ExitStatus::Mismatch => 4,
            ExitStatus::SchemaChange => 5,
            ExitStatus::Interrupted => 130,
            ExitStatus::Child(code) => code,
        }
    }
}

/// The table printed at the end of `--help`.
pub const EXIT_CODES_HELP: &str = "\
Exit codes:
  0    success
  1    failure (backup failed, database unreachable, tool missing, ...)
  2    usage or configuration error
  3    refused: needs a human to confirm on a terminal, or the confirmation was not given
  4    mismatch: checksum or row counts differ (verify, restore, restore-test)
  5    check: the command changes the schema (3: destructive, 0: allowed)
  130  interrupted
  exec (and `prisma` through the shim) exits with prisma's own code; 3 when refused
  scan: 0 clean, 1 error-level findings, 2 usage or I/O error
  agent-hook: what the agent's hook protocol expects (docs/agents.md)";
