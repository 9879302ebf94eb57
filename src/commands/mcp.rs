//! `prisma-guard mcp`: the guarded MCP server on stdin/stdout (see `crate::mcp`).

use anyhow::Result;

use crate::cli::McpArgs;
use crate::config::settings::GlobalOptions;
use crate::ExitStatus;

pub fn run(global: &GlobalOptions, _args: &McpArgs) -> Result<ExitStatus> {
    let root = crate::config::settings::working_dir(global)?;
    let printer = crate::ui::Printer { quiet: global.quiet };
    let ctx = crate::mcp::tools::Context::new(root.clone(), printer);
    printer.info(format!("prisma-guard mcp: serving {} on stdio", root.display()));
    crate::mcp::serve(std::io::stdin().lock(), std::io::stdout().lock(), &ctx)?;
    Ok(ExitStatus::Success)
}
