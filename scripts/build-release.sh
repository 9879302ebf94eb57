#!/usr/bin/env bash
# Build the release binary and print its path. install.sh installs this binary, and
# scripts/test.sh and scripts/bench.sh test and time this same binary.
#
# By default this is a plain `cargo build --release --locked` for the host. On Linux that gives
# a glibc binary that is position-independent (so ASLR applies) and uses the system's
# resolver (getaddrinfo, used by the S3 and SMTP clients). On macOS it is the usual Mach-O
# binary. Nothing on the machine changes that choice: with the musl target or musl-tools
# installed, the default is still glibc.
#
# PRISMA_GUARD_TARGET=musl asks for a static musl binary for this CPU (x86_64 or aarch64
# Linux), built with Rust's default for musl (static-pie, so ASLR still applies). It needs
# `rustup target add <arch>-unknown-linux-musl` and musl-gcc (`apt install musl-tools`), and
# fails if they are missing. Test it with the same variable set:
# `PRISMA_GUARD_TARGET=musl ./scripts/test.sh`.
set -euo pipefail
cd "$(dirname "$0")/.."
target_dir="${CARGO_TARGET_DIR:-$PWD/target}"

case "${PRISMA_GUARD_TARGET:-}" in
  "")
    cargo build --release --locked -q
    echo "$target_dir/release/prisma-guard"
    ;;
  musl)
    [ "$(uname -s)" = Linux ] || { echo "error: PRISMA_GUARD_TARGET=musl is for Linux only" >&2; exit 2; }
    target="$(uname -m)-unknown-linux-musl"
    if [ ! -d "$(rustc --print sysroot)/lib/rustlib/$target/lib" ] || ! command -v musl-gcc >/dev/null 2>&1; then
      echo "error: PRISMA_GUARD_TARGET=musl, but the $target target or musl-gcc is missing" >&2
      echo "hint: rustup target add $target && sudo apt-get install -y musl-tools" >&2
      exit 2
    fi
    # The C parts (libgit2, SQLite, zstd) are compiled against musl's headers, not glibc's.
    cc_var="CC_${target//-/_}"
    export "$cc_var=musl-gcc"
    cargo build --release --locked -q --target "$target"
    echo "$target_dir/$target/release/prisma-guard"
    ;;
  *)
    echo "error: PRISMA_GUARD_TARGET=${PRISMA_GUARD_TARGET} is not known (leave it unset, or set it to musl)" >&2
    exit 2
    ;;
esac
