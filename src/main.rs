use std::process::ExitCode;

use prisma_guard::{cli::Cli, error};

fn main() -> ExitCode {
    let cli = Cli::from_env();
    let status = match prisma_guard::run(cli) {
        Ok(status) => status,
        Err(err) => error::report(&err),
    };
    ExitCode::from(status.code())
}
