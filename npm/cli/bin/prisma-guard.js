#!/usr/bin/env node
// @prisma-guard/cli: runs the native prisma-guard binary that npm installed with the platform
// package matching this machine (an optional dependency: npm, pnpm, yarn and bun install only
// the one whose os/cpu/libc fit). No download, no install script.
//
// This launcher is for people typing `npx @prisma-guard/cli ...`. The paths that run on every
// prisma call, git commit and agent tool call (the project shim, the git hooks, the agent
// hooks) run the native binary directly: Node's start-up alone costs more than their budget.
"use strict";

const { spawnSync } = require("node:child_process");
const path = require("node:path");

const SUPPORTED = ["linux-x64-gnu", "linux-x64-musl", "linux-arm64-gnu", "darwin-x64", "darwin-arm64"];

function platformKey() {
  const { platform, arch } = process;
  if (platform === "linux") {
    const report = typeof process.report?.getReport === "function" ? process.report.getReport() : null;
    const glibc = report?.header?.glibcVersionRuntime;
    return `linux-${arch}-${glibc ? "gnu" : "musl"}`;
  }
  return `${platform}-${arch}`;
}

function binaryPath(key) {
  const pkg = `@prisma-guard/cli-${key}/package.json`;
  try {
    return path.join(path.dirname(require.resolve(pkg)), "bin", "prisma-guard");
  } catch {
    return null;
  }
}

const key = platformKey();
const bin = binaryPath(key);
if (!bin) {
  const why = SUPPORTED.includes(key)
    ? `its platform package @prisma-guard/cli-${key} is not installed (installed with --omit=optional or --no-optional?)`
    : `there is no prisma-guard binary for ${key} (supported: ${SUPPORTED.join(", ")}; on Windows use WSL)`;
  console.error(`error: prisma-guard cannot run here: ${why}`);
  console.error("hint: reinstall with optional dependencies: npm install -D @prisma-guard/cli");
  process.exit(2);
}

const run = spawnSync(bin, process.argv.slice(2), { stdio: "inherit" });
if (run.error) {
  console.error(`error: could not start ${bin}: ${run.error.message}`);
  console.error("hint: reinstall @prisma-guard/cli (the binary may be missing its execute permission)");
  process.exit(2);
}
if (run.signal) {
  process.kill(process.pid, run.signal);
}
process.exit(run.status ?? 1);
