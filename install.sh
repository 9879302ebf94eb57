#!/usr/bin/env sh
# Build prisma-guard, install it into $PREFIX/bin (default ~/.local/bin), then show it
# working on the example SQLite Prisma project: a backup and a restore test.
set -eu
cd "$(dirname "$0")"
PREFIX="${PREFIX:-$HOME/.local}"
BIN="$PREFIX/bin"

if ! command -v cargo >/dev/null 2>&1; then
  echo "error: cargo was not found" >&2
  echo "hint: install Rust (https://rustup.rs), then run ./install.sh again" >&2
  exit 1
fi

echo "== building prisma-guard (release; a few minutes the first time)"
# A plain `cargo build --release --locked` for this machine (PRISMA_GUARD_TARGET=musl: a
# static musl binary instead; scripts/build-release.sh says more).
built=$(./scripts/build-release.sh)
mkdir -p "$BIN"
install -m 0755 "$built" "$BIN/prisma-guard"
echo "== installed $BIN/prisma-guard"

case ":$PATH:" in
  *":$BIN:"*) ;;
  *)
    echo "note: $BIN is not on your PATH. Add this line to your shell profile (~/.bashrc, ~/.zshrc):"
    echo "  export PATH=\"$BIN:\$PATH\""
    ;;
esac

demo=examples/sqlite-app
echo "== trying it on $demo (a Prisma 7 SQLite project with rows)"
# The demo's own .env names its database: a DATABASE_URL set for the caller's project (a CI
# job's secret) must not point the demo elsewhere.
env -u DATABASE_URL "$BIN/prisma-guard" -C "$demo" backup --label install-check
env -u DATABASE_URL "$BIN/prisma-guard" -C "$demo" restore-test latest
env -u DATABASE_URL "$BIN/prisma-guard" -C "$demo" backups
echo "== done. In your own Prisma project run: prisma-guard init (then prisma-guard doctor)"
