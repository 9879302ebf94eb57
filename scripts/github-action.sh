#!/usr/bin/env bash
# The scan step of the prisma-guard GitHub Action (action.yml at the repository root runs it;
# tests/it/action.rs runs it in a temporary git repository). Scans what the pull request or
# push changes, writes SARIF for code scanning and prints GitHub annotations; exits 1 when the
# change has error-level findings, 2 on a usage or I/O error.
#
# Inputs (environment): PG_SINCE (a git revision; default: the pull request's base branch, a
# tag's default branch, a push's previous commit, else the whole repository), PG_PATHS (files
# or folders, space-separated), PG_FORMAT (github, text, json: the report printed; default
# github), PG_SARIF (the SARIF file to write; empty: none), PG_DIRECTORY (where to run).
# GitHub sets GITHUB_BASE_REF, GITHUB_REF_TYPE, and the action passes BEFORE and
# DEFAULT_BRANCH from the event.
set -uo pipefail
cd "${PG_DIRECTORY:-.}" || { echo "::error::prisma-guard: cannot enter ${PG_DIRECTORY}"; exit 2; }
command -v prisma-guard >/dev/null 2>&1 || { echo "::error::prisma-guard is not installed (the action's install input)"; exit 2; }

since="${PG_SINCE:-}"
if [ -z "$since" ]; then
  if [ -n "${GITHUB_BASE_REF:-}" ]; then
    since="origin/$GITHUB_BASE_REF"
    # A shallow checkout (actions/checkout's default depth 1) lacks the base branch.
    git cat-file -e "$since^{commit}" 2>/dev/null \
      || git fetch --no-tags --quiet origin "+refs/heads/$GITHUB_BASE_REF:refs/remotes/origin/$GITHUB_BASE_REF" \
      || { echo "::error::prisma-guard: cannot fetch the base branch $GITHUB_BASE_REF"; exit 2; }
    if [ "$(git rev-parse --is-shallow-repository)" = true ]; then
      git fetch --no-tags --quiet --unshallow origin || true
    fi
  elif [ "${GITHUB_REF_TYPE:-}" = tag ] && [ -n "${DEFAULT_BRANCH:-}" ] \
      && git cat-file -e "origin/$DEFAULT_BRANCH^{commit}" 2>/dev/null; then
    since="origin/$DEFAULT_BRANCH"
  elif [ -n "${BEFORE:-}" ] && git cat-file -e "$BEFORE^{commit}" 2>/dev/null; then
    since="$BEFORE"
  fi
fi

args=()
[ -n "$since" ] && args+=(--since "$since")
# shellcheck disable=SC2206 # paths are space-separated by design (an action input is one string)
[ -n "${PG_PATHS:-}" ] && args+=(${PG_PATHS})

if [ -n "${PG_SARIF:-}" ]; then
  prisma-guard scan --format sarif --output "$PG_SARIF" "${args[@]}"
  code=$?
  if [ "$code" -gt 1 ]; then
    exit "$code"
  fi
fi
prisma-guard scan --format "${PG_FORMAT:-github}" "${args[@]}"
