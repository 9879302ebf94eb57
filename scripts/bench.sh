#!/usr/bin/env bash
# Benchmark: prisma-guard backup and restore of a ~1 GB Prisma-like PostgreSQL database,
# against bare pg_dump, pg_dump | gzip, pg_dump | zstd and zstd -dc | psql.
#
#   ./scripts/bench.sh            # SIZE_ROWS=1000000 posts, about 1 GB in PostgreSQL
#   SIZE_ROWS=50000 ./scripts/bench.sh   # a quick run
#   ONLY=shim ./scripts/bench.sh         # only the guard's pass-through overhead
#   ONLY=agent ./scripts/bench.sh        # only agent-hook decision time
#   ONLY=scan ./scripts/bench.sh         # only the scanner: 850 generated migrations vs squawk,
#                                        # recall, and the pre-commit hook (needs squawk-cli)
#   ONLY=decision ./scripts/bench.sh     # a guarded command's decision: Prisma's own config
#                                        # loader (node + @prisma/config) vs the static reader
#   ONLY=small ./scripts/bench.sh        # backup of a 20-table, 20,000-row database, with and
#                                        # without its restore check, vs pg_dump | zstd
#   ONLY=offsite ./scripts/bench.sh      # backup + age + upload to moto's S3 vs pg_dump, and a
#                                        # restore from the remote vs the local restore
#   GUARD_BINS="old/prisma-guard new/prisma-guard" ONLY=shim ./scripts/bench.sh
#                                        # time these binaries (interleaved, in the same rounds)
#                                        # instead of building one; shim and agent benchmarks
#
# Starts a throwaway PostgreSQL server in a temp folder (as the postgres user when run as root),
# prints a Markdown table for docs/benchmarks.md. Each command runs RUNS times (default 5), in
# interleaved rounds; the table shows the median wall time.
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS="${SIZE_ROWS:-1000000}"
RUNS="${RUNS:-5}"
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)

if [ -n "${GUARD_BINS:-}" ]; then
  read -r -a given <<<"$GUARD_BINS"
else
  given=("$(./scripts/build-release.sh)")   # the binary install.sh installs
fi
# Timed as installed (install.sh copies it with `install`), not where the linker wrote it:
# a file the linker has just written sits in the page cache in small pieces, and starting it
# takes more page faults (3-6% of a scan's time here) than starting a copy of it, or the
# same file after the cache is dropped.
bindir=$(mktemp -d /tmp/pg-bench-bin-XXXXXX)
trap 'rm -rf "$bindir"' EXIT
GUARDS=()
for i in "${!given[@]}"; do
  echo "== prisma-guard: ${given[$i]}" >&2
  mkdir "$bindir/$i"
  install -m 0755 "${given[$i]}" "$bindir/$i/prisma-guard"
  GUARDS+=("$bindir/$i/prisma-guard")
done
GUARD="${GUARDS[0]}"

# The guard's cost on a harmless command: `prisma --version` through the PATH shim vs the
# real prisma's own link, N runs each, interleaved; median and the difference. Twice: with the
# fake prisma (Node, as users see it), and with `true` standing in for prisma, which shows
# prisma-guard's own part without Node's run-to-run noise (several ms on a busy VM). With
# several binaries (GUARD_BINS), each has its own shim folder, timed in the same rounds.
shim_bench() {
  local n="${SHIM_RUNS:-200}" dir real i
  dir=$(mktemp -d "$bindir/shim-XXXXXX")   # removed with $bindir, even on failure
  for real in node true; do
    mkdir -p "$dir/$real/node_modules/.bin"
    for i in "${!GUARDS[@]}"; do
      mkdir "$dir/$real/shim$i"
      ln -s "${GUARDS[$i]}" "$dir/$real/shim$i/prisma"
    done
  done
  mkdir -p "$dir/node/node_modules/prisma/build"
  cp tests/fixtures/fake-prisma/package.json "$dir/node/node_modules/prisma/"
  cp tests/fixtures/fake-prisma/build/index.js "$dir/node/node_modules/prisma/build/"
  ln -s ../prisma/build/index.js "$dir/node/node_modules/.bin/prisma"
  ln -s "$(type -P true)" "$dir/true/node_modules/.bin/prisma"
  python3 - "$dir" "$n" "${given[@]}" <<'PY'
import os, statistics, subprocess, sys, time
d, n, names = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
for real, what in (("node", "the fake prisma (Node)"), ("true", "`true` standing in for prisma")):
    cwd = os.path.join(d, real)
    cases = [(f"{what} directly (`node_modules/.bin/prisma`)", "node_modules/.bin/prisma")]
    for i, name in enumerate(names):
        tag = "" if len(names) == 1 else f" [{name}]"
        cases.append((f"through the PATH shim (prisma-guard, then exec){tag}", f"shim{i}/prisma"))
    times = {label: [] for label, _ in cases}
    for _ in range(n):
        for label, cmd in cases:
            t = time.perf_counter()
            subprocess.run([cmd, "--version"], cwd=cwd, stdout=subprocess.DEVNULL, check=True)
            times[label].append((time.perf_counter() - t) * 1000)
    md = statistics.median(times[cases[0][0]])
    print(f"\n`prisma --version`, {what} ({n} runs each, interleaved, median ms):\n")
    print("| path | median ms | added by prisma-guard |\n|---|---:|---:|")
    for label, _ in cases:
        m = statistics.median(times[label])
        print(f"| {label} | {m:.2f} | {m - md:+.2f} |")
PY
  rm -rf "$dir"
}
# What an agent waits for when the guard refuses `migrate reset --force` on a local
# PostgreSQL database (rows counted for the message): the whole decision,
# with Prisma's own config loader (node + the real @prisma/config, a config that imports
# dotenv) and with the static reader (no @prisma/config installed), vs `prisma --version`.
decision_bench() {
  local n="${DECISION_RUNS:-30}" dir deps=tests/fixtures/node-deps/node_modules dirs=()
  [ -f "$deps/@prisma/config/package.json" ] || npm ci --silent --prefix tests/fixtures/node-deps
  for layout in loader static; do
    dir=$(mktemp -d "/tmp/decision-$layout-XXXXXX"); dirs+=("$dir")
    mkdir -p "$dir/node_modules/prisma/build" "$dir/node_modules/.bin" "$dir/prisma" "$dir/node_modules/@prisma"
    cp tests/fixtures/fake-prisma/package.json tests/fixtures/fake-prisma/config.js "$dir/node_modules/prisma/"
    cp tests/fixtures/fake-prisma/build/index.js "$dir/node_modules/prisma/build/"
    ln -s ../prisma/build/index.js "$dir/node_modules/.bin/prisma"
    ln -s "$PWD/$deps/dotenv" "$dir/node_modules/dotenv"
    [ "$layout" = loader ] && ln -s "$PWD/$deps/@prisma/config" "$dir/node_modules/@prisma/config"
    printf 'datasource db {\n  provider = "postgresql"\n}\n' > "$dir/prisma/schema.prisma"
    printf 'import "dotenv/config";\nimport { defineConfig, env } from "prisma/config";\nexport default defineConfig({ schema: "prisma/schema.prisma", datasource: { url: env("DATABASE_URL") } });\n' > "$dir/prisma.config.ts"
    printf 'DATABASE_URL="postgresql://postgres@127.0.0.1:%s/bench?schema=public"\n' "$port" > "$dir/.env"
  done
  python3 - "$GUARD" "$n" "${dirs[@]}" <<'PY'
import os, statistics, subprocess, sys, time
guard, n, loader, static = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
env = dict(os.environ, CLAUDECODE="1")
cases = [
    ("`node -e 0` (Node's own start, for scale)", loader, None),
    ("`migrate reset --force` refused, Prisma's own loader", loader, ["exec", "--", "migrate", "reset", "--force"]),
    ("`migrate reset --force` refused, static reader", static, ["exec", "--", "migrate", "reset", "--force"]),
]
times = {c[0]: [] for c in cases}
for _ in range(n):
    for name, d, args in cases:
        t = time.perf_counter()
        cmd = ["node", "-e", "0"] if args is None else [guard, *args]
        r = subprocess.run(cmd, cwd=d, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        times[name].append((time.perf_counter() - t) * 1000)
        if name.startswith("`migrate") and r.returncode != 3:
            sys.exit(f"expected a refusal (exit 3) for {name}, got {r.returncode}: {r.stderr.decode()}")
print(f"\nA guarded command's decision ({n} runs each, interleaved, as an AI agent: refused, exit 3), median ms:\n")
print("| case | median ms |\n|---|---:|")
for name, _, _ in cases:
    print(f"| {name} | {statistics.median(times[name]):.1f} |")
PY
  rm -rf "${dirs[@]}"
}
if [ "${ONLY:-}" = shim ]; then shim_bench; exit 0; fi
if [ "${ONLY:-}" = agent ]; then python3 scripts/bench-agent.py "${AGENT_RUNS:-300}" "${GUARDS[@]}"; exit 0; fi
if [ "${ONLY:-}" = scan ]; then
  command -v squawk >/dev/null || pip install -q squawk-cli || pip install -q --break-system-packages squawk-cli
  python3 scripts/bench-scan.py "$GUARD" "${SCAN_ROUNDS:-18}"
  exit 0
fi

work=$(mktemp -d /tmp/pg-bench-XXXXXX)
as_pg=()
if [ "$(id -u)" -eq 0 ]; then as_pg=(setpriv --reuid postgres --regid postgres --init-groups); chown postgres:postgres "$work"; fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"${as_pg[@]}" "$PGBIN/initdb" -D "$work/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
"${as_pg[@]}" "$PGBIN/pg_ctl" -D "$work/data" -l "$work/log" -o "-p $port -k $work -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c shared_buffers=512MB -c max_wal_size=4GB" -w start >/dev/null
cleanup() { "${as_pg[@]}" "$PGBIN/pg_ctl" -D "$work/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$work" "$bindir"; }
trap cleanup EXIT

export PGHOST=127.0.0.1 PGPORT=$port PGUSER=postgres
psql -X -q -c "CREATE DATABASE bench" >/dev/null
if [ "${ONLY:-}" = decision ]; then
  psql -X -q -d bench -c 'CREATE TABLE "User" (id int); INSERT INTO "User" SELECT generate_series(1, 100)' >/dev/null
  decision_bench; exit 0
fi
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# A small database (20 tables, 1,000 rows each): what a backup before `migrate dev` costs,
# with the restore check (the dump's schema replayed into a scratch database) and without
# (the same dump, timed as pg_dump | zstd).
if [ "${ONLY:-}" = small ]; then
  for t in $(seq 20); do
    psql -X -q -d bench -c "CREATE TABLE \"T$t\" (id serial PRIMARY KEY, name text NOT NULL, n int, at timestamptz DEFAULT now()); INSERT INTO \"T$t\" (name, n) SELECT md5(g::text), g FROM generate_series(1, 1000) g;" >/dev/null
  done
  sproj="$work/small"; mkdir -p "$sproj"
  printf 'datasource db {\n  provider = "postgresql"\n  url = env("DATABASE_URL")\n}\n' > "$sproj/schema.prisma"
  export DATABASE_URL="postgresql://postgres@127.0.0.1:$port/bench?schema=public&connection_limit=5"
  small_runs="${SMALL_RUNS:-15}"; plain=(); guarded=()
  for _ in $(seq "$small_runs"); do
    s=$(date +%s.%N); pg_dump -d bench | zstd -q > "$work/small.sql.zst"; e=$(date +%s.%N); plain+=("$(echo "$e - $s" | bc)")
    rm -rf "$sproj/backups"
    s=$(date +%s.%N); "$GUARD" -q -C "$sproj" backup >/dev/null 2>&1 || { echo "FAILED: small backup" >&2; exit 1; }; e=$(date +%s.%N); guarded+=("$(echo "$e - $s" | bc)")
  done
  echo
  echo "Small database (20 tables x 1,000 rows), median of $small_runs runs, wall seconds:"
  echo
  echo "| command | seconds |"
  echo "|---|---:|"
  echo "| \`pg_dump \| zstd > f\` | $(printf '%s\n' "${plain[@]}" | median) |"
  echo "| \`prisma-guard backup\` (dump, checksums, manifest, restore check) | $(printf '%s\n' "${guarded[@]}" | median) |"
  exit 0
fi
content_expr=$(for _ in $(seq 24); do printf "md5(random()::text) || ' ' || "; done; printf "''")
echo "== generating $ROWS posts"
psql -X -q -d bench <<SQL
CREATE TABLE "User" (id text PRIMARY KEY, email text NOT NULL UNIQUE, name text, "createdAt" timestamp(3) NOT NULL DEFAULT now());
CREATE TABLE "Post" (id uuid PRIMARY KEY, "authorId" text NOT NULL REFERENCES "User"(id), title text NOT NULL, content text, metadata jsonb, published boolean NOT NULL DEFAULT false, "createdAt" timestamp(3) NOT NULL DEFAULT now());
CREATE TABLE "_prisma_migrations" (id varchar(36) PRIMARY KEY, checksum varchar(64) NOT NULL, finished_at timestamptz, migration_name varchar(255) NOT NULL, logs text, rolled_back_at timestamptz, started_at timestamptz NOT NULL DEFAULT now(), applied_steps_count integer NOT NULL DEFAULT 0);
INSERT INTO "_prisma_migrations" VALUES ('1', 'x', now(), '20260101000000_init', NULL, NULL, now(), 1);
INSERT INTO "User" (id, email, name)
  SELECT 'c' || substr(md5(g::text), 1, 24), 'user' || g || '@example.com', 'User ' || g FROM generate_series(1, $((ROWS / 10))) g;
-- Random text (compresses about 2x, like ids and prose do; not 100x like pgbench's zeros).
INSERT INTO "Post" (id, "authorId", title, content, metadata, published)
  SELECT gen_random_uuid(),
         'c' || substr(md5((1 + g % $((ROWS / 10)))::text), 1, 24),
         'Post ' || g || ' ' || substr(md5(random()::text), 1, 12),
         $content_expr,
         jsonb_build_object('views', (random() * 10000)::int, 'tags', jsonb_build_array(substr(md5(random()::text), 1, 6), substr(md5(random()::text), 1, 8)), 'rating', random()),
         g % 3 = 0
  FROM generate_series(1, $ROWS) g;
SQL
size=$(psql -X -At -d bench -c "SELECT pg_size_pretty(pg_database_size('bench'))")
echo "== database size: $size"

proj="$work/project"; mkdir -p "$proj"
printf 'datasource db {\n  provider = "postgresql"\n  url = env("DATABASE_URL")\n}\n' > "$proj/schema.prisma"
export DATABASE_URL="postgresql://postgres@127.0.0.1:$port/bench?schema=public&connection_limit=5"

# Off-site (issue 18): backup + age encryption + upload to a local S3 server (moto) against
# bare pg_dump, and a restore from the remote against the local restore of the same backup.
if [ "${ONLY:-}" = offsite ]; then
  command -v moto_server >/dev/null || { echo "moto_server is needed: pip install 'moto[server]'" >&2; exit 1; }
  command -v age-keygen >/dev/null || { echo "age-keygen is needed: apt-get install age" >&2; exit 1; }
  s3port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  moto_server -H 127.0.0.1 -p "$s3port" >/dev/null 2>&1 & motopid=$!
  trap 'kill $motopid 2>/dev/null; cleanup' EXIT
  for _ in $(seq 100); do curl -s "http://127.0.0.1:$s3port/" >/dev/null && break; sleep 0.2; done
  curl -s -X PUT "http://127.0.0.1:$s3port/bench-backups" >/dev/null
  age-keygen -o "$work/key.txt" 2>/dev/null
  recipient=$(age-keygen -y "$work/key.txt")
  oproj="$work/offsite"; mkdir -p "$oproj"
  printf 'datasource db {\n  provider = "postgresql"\n  url = env("DATABASE_URL")\n}\n' > "$oproj/schema.prisma"
  printf '[encryption]\nrecipients = ["%s"]\n\n[[remote]]\nname = "offsite"\nurl = "s3://bench-backups/app"\nendpoint = "http://127.0.0.1:%s"\npath_style = true\n' "$recipient" "$s3port" > "$oproj/prisma-guard.toml"
  (cd "$oproj" && git init -q && git add -A && git -c user.email=b@x -c user.name=bench commit -qm bench)
  export DATABASE_URL="postgresql://postgres@127.0.0.1:$port/bench?schema=public&connection_limit=5"
  export AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench-secret PRISMA_GUARD_AGE_IDENTITY="$work/key.txt"
  bare=(); off=(); rlocal=(); rremote=()
  for _ in $(seq "$RUNS"); do
    s=$(date +%s.%N); pg_dump -d bench > /dev/null; e=$(date +%s.%N); bare+=("$(echo "$e - $s" | bc)")
    rm -rf "$oproj/backups"
    s=$(date +%s.%N); "$GUARD" -q -C "$oproj" backup >/dev/null 2>&1 || { echo "FAILED: offsite backup" >&2; exit 1; }; e=$(date +%s.%N); off+=("$(echo "$e - $s" | bc)")
  done
  target="postgresql://postgres@127.0.0.1:$port/r?schema=public"
  for _ in $(seq "$RUNS"); do
    psql -X -q -c "DROP DATABASE IF EXISTS r" && psql -X -q -c "CREATE DATABASE r" && psql -X -q -c "CHECKPOINT" >/dev/null
    s=$(date +%s.%N); "$GUARD" -q -C "$oproj" restore latest --to "$target" >/dev/null 2>&1 || { echo "FAILED: local restore" >&2; exit 1; }; e=$(date +%s.%N); rlocal+=("$(echo "$e - $s" | bc)")
    keep=$(mktemp -d "$work/keep-XXXX"); mv "$oproj/backups" "$keep/"
    psql -X -q -c "DROP DATABASE IF EXISTS r" && psql -X -q -c "CREATE DATABASE r" && psql -X -q -c "CHECKPOINT" >/dev/null
    s=$(date +%s.%N); "$GUARD" -q -C "$oproj" restore --from offsite latest --to "$target" >/dev/null 2>&1 || { echo "FAILED: remote restore" >&2; exit 1; }; e=$(date +%s.%N); rremote+=("$(echo "$e - $s" | bc)")
    rm -rf "$oproj/backups"; mv "$keep/backups" "$oproj/"; rm -rf "$keep"
  done
  t_bare=$(printf '%s\n' "${bare[@]}" | median); t_off=$(printf '%s\n' "${off[@]}" | median)
  t_rl=$(printf '%s\n' "${rlocal[@]}" | median); t_rr=$(printf '%s\n' "${rremote[@]}" | median)
  dump=$(ls "$oproj"/backups/*.age | head -1)
  echo
  echo "Database: $(psql -X -At -d bench -c "SELECT pg_size_pretty(pg_database_size('bench'))") ($ROWS posts); encrypted dump $(du -h "$dump" | cut -f1). Median of $RUNS runs, wall seconds."
  echo
  echo "| command | seconds | ratio |"
  echo "|---|---:|---:|"
  echo "| \`pg_dump > /dev/null\` (baseline) | $t_bare | 1.00 |"
  echo "| \`prisma-guard backup\` + age + upload to S3 (moto), read back | $t_off | $(echo "scale=2; $t_off / $t_bare" | bc) |"
  echo "| \`prisma-guard restore --to\` (local, encrypted; baseline) | $t_rl | 1.00 |"
  echo "| \`prisma-guard restore --from offsite --to\` (download + verify + restore) | $t_rr | $(echo "scale=2; $t_rr / $t_rl" | bc) |"
  exit 0
fi

# Interleaved rounds: every variant runs once per round, so all see the same conditions.
declare -A times
variants=(bare gzip zstd guard guard_gz)
run_variant() {
  case $1 in
    bare) pg_dump -d bench > /dev/null ;;
    gzip) pg_dump -d bench | gzip > "$work/plain.sql.gz" ;;
    zstd) pg_dump -d bench | zstd -q -T0 > "$work/plain.sql.zst" ;;
    guard) rm -rf "$proj/backups"; "$GUARD" -q -C "$proj" backup ;;
    guard_gz) rm -rf "$proj/backups"; "$GUARD" -q -C "$proj" backup --compression gzip ;;
  esac
}
for _ in $(seq "$RUNS"); do
  for v in "${variants[@]}"; do
    s=$(date +%s.%N); run_variant "$v" >/dev/null 2>&1 || { echo "FAILED: $v" >&2; exit 1; }; e=$(date +%s.%N)
    times[$v]="${times[$v]:-} $(echo "$e - $s" | bc)"
  done
done
med() { printf '%s\n' ${times[$1]} | median; }
t_bare=$(med bare); t_gzip=$(med gzip); t_zstd=$(med zstd); t_guard=$(med guard); t_guard_gz=$(med guard_gz)
"$GUARD" -q -C "$proj" backup >/dev/null
dump=$(ls "$proj"/backups/*.sql.zst | head -1)
dump_size=$(du -h "$dump" | cut -f1)
raw_size=$(zstd -dc "$dump" | wc -c | numfmt --to=iec)

restore_plain() { psql -X -q -c "DROP DATABASE IF EXISTS r" && psql -X -q -c "CREATE DATABASE r" && zstd -dc "$dump" | psql -X -q -v ON_ERROR_STOP=1 -1 -d r; }
restore_guard() { psql -X -q -c "DROP DATABASE IF EXISTS r" && psql -X -q -c "CREATE DATABASE r" && "$GUARD" -q -C "$proj" restore latest --to "postgresql://postgres@127.0.0.1:$port/r?schema=public"; }
# Interleaved, into the same database name, so both see the same cluster state.
plain_times=(); guard_times=()
for _ in $(seq "$RUNS"); do
  psql -X -q -c "CHECKPOINT" >/dev/null
  s=$(date +%s.%N); restore_plain >/dev/null 2>&1 || { echo "FAILED: plain restore" >&2; exit 1; }; e=$(date +%s.%N)
  plain_times+=("$(echo "$e - $s" | bc)")
  psql -X -q -c "CHECKPOINT" >/dev/null
  s=$(date +%s.%N); restore_guard >/dev/null 2>&1 || { echo "FAILED: guard restore" >&2; exit 1; }; e=$(date +%s.%N)
  guard_times+=("$(echo "$e - $s" | bc)")
done
t_rplain=$(printf '%s\n' "${plain_times[@]}" | median)
t_rguard=$(printf '%s\n' "${guard_times[@]}" | median)

ratio() { echo "scale=2; $1 / $2" | bc; }
cat <<MD

Database: $size in PostgreSQL ($ROWS posts), dump $raw_size uncompressed, $dump_size with zstd.
Median of $RUNS runs, wall seconds.

| command | seconds | vs baseline |
|---|---:|---:|
| \`pg_dump > /dev/null\` (baseline for backups) | $t_bare | 1.00 |
| \`pg_dump \| gzip > f\` | $t_gzip | $(ratio "$t_gzip" "$t_bare") |
| \`pg_dump \| zstd -T0 > f\` | $t_zstd | $(ratio "$t_zstd" "$t_bare") |
| \`prisma-guard backup\` (zstd) | $t_guard | $(ratio "$t_guard" "$t_bare") |
| \`prisma-guard backup --compression gzip\` | $t_guard_gz | $(ratio "$t_guard_gz" "$t_bare") |
| \`zstd -dc f \| psql -1\` (baseline for restores) | $t_rplain | 1.00 |
| \`prisma-guard restore --to\` (verify + restore + count check) | $t_rguard | $(ratio "$t_rguard" "$t_rplain") |
MD
shim_bench
