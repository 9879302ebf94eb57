//! `prisma-guard mcp`: an MCP server (stdio) offering the tools of `prisma mcp`
//! (`migrate-status`, `migrate-dev`, `migrate-reset`, `Prisma-Studio`) through the guard, and
//! prisma-guard's own (`backup`, `backups`, `restore-test`, `status`). `protocol` speaks
//! JSON-RPC, `tools` checks the calls, `run` runs them, `agent_files` finds and replaces `prisma
//! mcp` in the agents' MCP settings (for `init`, `uninstall` and `doctor`).

pub mod agent_files;
mod agent_files_toml;
pub mod protocol;
pub mod run;
pub mod tools;

use std::io::{BufRead, Write};

use anyhow::Result;

/// Serve requests from `input` until it ends, one answer per line on `output`. Nothing but
/// protocol messages goes to `output`; a message that breaks a rule gets its error answer,
/// never the end of the server.
pub fn serve(mut input: impl BufRead, mut output: impl Write, ctx: &tools::Context) -> Result<()> {
    let mut buf = Vec::new();
    loop {
        buf.clear();
        if input.read_until(b'\n', &mut buf)? == 0 {
            return Ok(());
        }
        let answer = match std::str::from_utf8(&buf) {
            Ok(line) => {
                let line = line.trim_end_matches(['\n', '\r']);
                // A bug must not end the session: the request gets an internal error.
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| protocol::handle_line(line, ctx)))
                    .unwrap_or_else(|_| {
                        Some(protocol::error(
                            serde_json::Value::Null,
                            protocol::RpcError::new(protocol::INTERNAL_ERROR, "internal error"),
                        ))
                    })
            }
            Err(_) => Some(protocol::error(
                serde_json::Value::Null,
                protocol::RpcError::new(protocol::PARSE_ERROR, "parse error: not UTF-8"),
            )),
        };
        if let Some(answer) = answer {
            let mut text = serde_json::to_string(&answer)?;
            text.push('\n');
            if output.write_all(text.as_bytes()).and_then(|()| output.flush()).is_err() {
                return Ok(()); // the client is gone
            }
        }
    }
}
