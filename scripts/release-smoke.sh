#!/usr/bin/env bash
# The release binary, as install.sh builds it, run for real (scripts/test.sh calls this).
#
# The tests run a debug build; the release binary can differ in what matters: optimisations
# and LTO (and with PRISMA_GUARD_TARGET=musl, another libc, linked statically). So
# (besides the integration tests, which scripts/test.sh also runs against it): it must start,
# scan 850 generated migrations to exactly the report the debug build gives, and back up,
# restore-test and verify the example SQLite project (libgit2, SQLite and zstd, all C, built
# against the same libc).
#
#   scripts/release-smoke.sh RELEASE_BIN DEBUG_BIN
set -euo pipefail
cd "$(dirname "$0")/.."
release=$(realpath "$1")
debug=$(realpath "$2")
work=$(mktemp -d /tmp/release-smoke-XXXXXX)
trap 'rm -rf "$work"' EXIT

"$release" --version >/dev/null

python3 scripts/gen-migrations.py "$work/scan" >/dev/null
# Exit 1: the generated set holds data-loss statements on purpose.
status=0
(cd "$work/scan" && "$release" scan . --format json >"$work/release.json") || status=$?
[ "$status" -eq 1 ] || { echo "error: release scan exited $status, expected 1" >&2; exit 1; }
status=0
(cd "$work/scan" && "$debug" scan . --format json >"$work/debug.json") || status=$?
[ "$status" -eq 1 ] || { echo "error: debug scan exited $status, expected 1" >&2; exit 1; }
if ! cmp -s "$work/release.json" "$work/debug.json"; then
  echo "error: the release binary's scan report differs from the debug build's" >&2
  diff "$work/debug.json" "$work/release.json" | head -20 >&2
  exit 1
fi

cp -r examples/sqlite-app "$work/app"
for step in "backup --label smoke" "verify latest" "restore-test latest"; do
  # shellcheck disable=SC2086 # the step's words are separate arguments
  if ! "$release" -C "$work/app" $step >"$work/log" 2>&1; then
    echo "error: release binary: \`prisma-guard $step\` failed:" >&2
    cat "$work/log" >&2
    exit 1
  fi
done
echo "release binary $release: starts, scans as the debug build does, backs up, verifies, restore-tests"
