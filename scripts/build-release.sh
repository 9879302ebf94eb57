#!/usr/bin/env bash
# Build the release binary and print its path.
#
# On Linux with glibc the binary is linked statically and without PIE: prisma-guard starts
# for every `prisma` command (the shim) and before every shell command of an AI agent (the
# agent hook), and a static non-PIE binary starts in ~0.2 ms instead of ~2 ms (no dynamic
# loader, none of the ~12,000 relocations to apply). The target is named explicitly so the
# flags apply to the binary only, not to proc macros and build scripts.
set -euo pipefail
cd "$(dirname "$0")/.."
host=$(rustc -vV | sed -n 's/^host: //p')
case "$host" in
  *-linux-gnu)
    RUSTFLAGS="${RUSTFLAGS:-} -C relocation-model=static -C target-feature=+crt-static" \
      cargo build --release --locked -q --target "$host"
    echo "$PWD/target/$host/release/prisma-guard"
    ;;
  *)
    cargo build --release --locked -q
    echo "$PWD/target/release/prisma-guard"
    ;;
esac
