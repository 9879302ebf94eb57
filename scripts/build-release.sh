#!/usr/bin/env bash
# Build the release binary and print its path.
#
# On Linux the binary is linked statically and without PIE: prisma-guard starts for every
# `prisma` command (the shim) and before every shell command of an AI agent (the agent
# hook), and a static non-PIE binary starts in a fraction of the time of a dynamic one (no
# dynamic loader, none of the ~12,000 relocations to apply). The target is named explicitly
# so the flags apply to the binary only, not to proc macros and build scripts.
#
# On x86_64 Linux it is linked against musl when the musl target and musl-gcc are there
# (`rustup target add x86_64-unknown-linux-musl`, `apt install musl-tools`), else against
# glibc. glibc's start-up asks the CPU for its cache sizes with ~80 `cpuid` instructions,
# each a trap to the hypervisor in a VM: ~0.5 ms per process there, half of what
# `prisma-guard --version` costs. The musl binary uses musl's own memcpy & co.
# PRISMA_GUARD_LIBC=gnu or =musl forces one (musl fails when it cannot be built).
set -euo pipefail
cd "$(dirname "$0")/.."
host=$(rustc -vV | sed -n 's/^host: //p')
musl=x86_64-unknown-linux-musl
want="${PRISMA_GUARD_LIBC:-}"

musl_ready() {
  [ -d "$(rustc --print sysroot)/lib/rustlib/$musl/lib" ] && command -v musl-gcc >/dev/null 2>&1
}

target=$host
if [ "$host" = x86_64-unknown-linux-gnu ] && [ "$want" != gnu ] && { [ "$want" = musl ] || musl_ready; }; then
  if ! musl_ready; then
    echo "error: PRISMA_GUARD_LIBC=musl, but the musl target or musl-gcc is missing" >&2
    echo "hint: rustup target add $musl && sudo apt-get install -y musl-tools" >&2
    exit 2
  fi
  target=$musl
  # The C parts (libgit2, SQLite, zstd) compiled against musl's headers, not glibc's.
  export CC_x86_64_unknown_linux_musl=musl-gcc
fi

case "$target" in
  *-linux-gnu | *-linux-musl)
    RUSTFLAGS="${RUSTFLAGS:-} -C relocation-model=static -C target-feature=+crt-static" \
      cargo build --release --locked -q --target "$target"
    echo "$PWD/target/$target/release/prisma-guard"
    ;;
  *)
    cargo build --release --locked -q
    echo "$PWD/target/release/prisma-guard"
    ;;
esac
