#!/usr/bin/env python3
"""Agent-hook decision time: whole process, hook JSON on stdin, as an agent runs it.

Usage: bench-agent.py PRISMA_GUARD_BIN [RUNS]   (run by scripts/bench.sh with ONLY=agent)

Times, interleaved, RUNS times each: /bin/true fed the same input (the floor for starting any
process from here), the fast path (a command without prisma), a full decision on a destructive
prisma command, and a decision that expands npm scripts through package.json.
"""
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

pg = os.path.abspath(sys.argv[1])
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 300
work = tempfile.mkdtemp(prefix="bench-agent-")
with open(os.path.join(work, "package.json"), "w") as f:
    json.dump({"scripts": {"db:reset": "prisma migrate reset -f", "fresh": "npm run db:reset && node seed.js"}}, f)


def payload(cmd):
    return json.dumps({"session_id": "s", "cwd": work, "hook_event_name": "PreToolUse", "tool_name": "Bash",
                       "tool_input": {"command": cmd, "description": "x"}}).encode()


cases = {
    "/bin/true (process floor)": (["/bin/true"], payload("ls -la")),
    "fast path: `ls -la && cargo test`": ([pg, "agent-hook", "--agent", "claude"], payload("ls -la && cargo test")),
    "full: `npx prisma migrate reset --force`": ([pg, "agent-hook", "--agent", "claude"], payload("npx prisma migrate reset --force")),
    "scripts: `pnpm fresh` (package.json)": ([pg, "agent-hook", "--agent", "claude"], payload("pnpm fresh")),
}
# What is timed must be the real decision: the two prisma commands denied, the other allowed.
for k, (cmd, data) in cases.items():
    if cmd[0] == "/bin/true":
        continue
    out = subprocess.run(cmd, input=data, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=work).stdout
    denied = b'"permissionDecision":"deny"' in out
    if denied != ("prisma" in k or "pnpm" in k):
        sys.exit("unexpected decision for %s: %r" % (k, out[:200]))
times = {k: [] for k in cases}
for _ in range(runs):
    for k, (cmd, data) in cases.items():
        t = time.perf_counter()
        subprocess.run(cmd, input=data, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=work)
        times[k].append(time.perf_counter() - t)
floor = statistics.median(times["/bin/true (process floor)"])
for k, v in times.items():
    m = statistics.median(v)
    print("%-45s median %.2f ms (p90 %.2f ms), %+.2f ms over /bin/true" % (
        k, m * 1000, sorted(v)[int(len(v) * 0.9)] * 1000, (m - floor) * 1000))
