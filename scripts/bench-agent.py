#!/usr/bin/env python3
"""Agent-hook decision time: whole process, hook JSON on stdin, as Claude Code runs it.

Usage: bench-agent.py RUNS PRISMA_GUARD_BIN [OTHER_BIN ...]   (scripts/bench.sh: ONLY=agent)

The hook runs where agents run it: inside a git repository holding a Prisma 7 project with a
SQLite database (prisma.config.ts importing dotenv, .env, prisma/schema.prisma with one
migration, dev.db with rows, package.json with scripts), committed. Times, interleaved, RUNS
times each: /bin/true fed the same input (the floor for starting any process from here), then
for each binary given: lines that are allowed and lines that are refused. Before timing, each
binary's answer to each line is checked, so what is timed is the real decision. Several
binaries (a before and an after build) are timed in the same rounds.
"""
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

if len(sys.argv) < 3:
    sys.exit(__doc__)
runs = int(sys.argv[1])
bins = [os.path.abspath(b) for b in sys.argv[2:]]

work = tempfile.mkdtemp(prefix="bench-agent-")
files = {
    "package.json": json.dumps({
        "name": "bench-app",
        "private": True,
        "scripts": {
            "dev": "next dev",
            "test": "node --test",
            "db:migrate": "prisma migrate dev",
            "db:reset": "prisma migrate reset -f",
            "fresh": "npm run db:reset && node seed.js",
        },
        "dependencies": {"@prisma/client": "7.10.1"},
        "devDependencies": {"prisma": "7.10.1", "dotenv": "16.4.7"},
    }, indent=2) + "\n",
    "prisma.config.ts": 'import "dotenv/config";\nimport { defineConfig, env } from "prisma/config";\n\n'
                        'export default defineConfig({\n  schema: "prisma/schema.prisma",\n'
                        '  migrations: { path: "prisma/migrations" },\n'
                        '  datasource: { url: env("DATABASE_URL") },\n});\n',
    ".env": 'DATABASE_URL="file:./dev.db"\n',
    ".gitignore": "node_modules/\n",
    "prisma/schema.prisma": 'generator client {\n  provider = "prisma-client"\n  output   = "../generated/prisma"\n}\n\n'
                            'datasource db {\n  provider = "sqlite"\n}\n\n'
                            'model User {\n  id    Int     @id @default(autoincrement())\n  email String  @unique\n'
                            '  name  String?\n}\n',
    "prisma/migrations/migration_lock.toml": 'provider = "sqlite"\n',
    "prisma/migrations/20260101000000_init/migration.sql":
        'CREATE TABLE "User" ("id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, "email" TEXT NOT NULL, "name" TEXT);\n'
        'CREATE UNIQUE INDEX "User_email_key" ON "User"("email");\n',
}
for rel, text in files.items():
    path = os.path.join(work, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
db = sqlite3.connect(os.path.join(work, "dev.db"))
db.executescript(files["prisma/migrations/20260101000000_init/migration.sql"])
db.executemany('INSERT INTO "User" (email, name) VALUES (?, ?)', [("u%d@example.com" % i, "U%d" % i) for i in range(100)])
db.commit()
db.close()
genv = dict(os.environ, GIT_AUTHOR_NAME="b", GIT_AUTHOR_EMAIL="b@b", GIT_COMMITTER_NAME="b",
            GIT_COMMITTER_EMAIL="b@b", GIT_CONFIG_NOSYSTEM="1")
for cmd in (["git", "init", "-q", "-b", "main"], ["git", "add", "-A"], ["git", "commit", "-qm", "app"]):
    subprocess.run(cmd, cwd=work, check=True, env=genv, stdout=subprocess.DEVNULL)


def payload(cmd):
    return json.dumps({"session_id": "s", "cwd": work, "hook_event_name": "PreToolUse", "tool_name": "Bash",
                       "tool_input": {"command": cmd, "description": "x"}}).encode()


# (label, command line, refused?)
lines = [
    ("allowed: `git status && npm test`", "git status && npm test", False),
    ("allowed: `npx prisma migrate status`", "npx prisma migrate status", False),
    ("refused: `npx prisma migrate reset --force`", "npx prisma migrate reset --force", True),
    ("refused: `npm run fresh` (package.json scripts)", "npm run fresh", True),
    ("refused: `rm dev.db` (the SQLite database)", "rm dev.db", True),
]
cases = {"/bin/true (process floor)": (["/bin/true"], payload("ls -la"))}
for b in bins:
    tag = "" if len(bins) == 1 else " [%s]" % b
    for label, line, _ in lines:
        cases[label + tag] = ([b, "agent-hook", "--agent", "claude"], payload(line))
for b in bins:
    for label, line, refused in lines:
        p = subprocess.run([b, "agent-hook", "--agent", "claude"], input=payload(line), stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, cwd=work)
        denied = b'"permissionDecision":"deny"' in p.stdout
        if p.returncode != 0 or denied != refused or (not refused and p.stdout):
            sys.exit("unexpected answer of %s for %r: exit %d, %r %r" % (b, line, p.returncode, p.stdout[:300], p.stderr[:300]))
times = {k: [] for k in cases}
for _ in range(runs):
    for k, (cmd, data) in cases.items():
        t = time.perf_counter()
        subprocess.run(cmd, input=data, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=work)
        times[k].append(time.perf_counter() - t)
floor = statistics.median(times["/bin/true (process floor)"])
print("agent-hook --agent claude in a git repository with a Prisma 7 SQLite project, %d runs each, interleaved:" % runs)
for k, v in times.items():
    m = statistics.median(v)
    print("%-60s median %.2f ms (p90 %.2f ms), %+.2f ms over /bin/true" % (
        k, m * 1000, sorted(v)[int(len(v) * 0.9)] * 1000, (m - floor) * 1000))
subprocess.run(["rm", "-rf", work])
