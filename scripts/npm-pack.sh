#!/usr/bin/env bash
# Build the npm packages of prisma-guard into tarballs: the main package @prisma-guard/cli (a
# small Node launcher whose optionalDependencies name one package per platform) and this
# machine's platform package (@prisma-guard/cli-<os>-<cpu>[-<libc>], holding the native binary
# with the os/cpu/libc fields that make npm, pnpm, yarn and bun install only the one that fits).
#
#   ./scripts/npm-pack.sh                      # builds the release binary, writes target/npm/*.tgz
#   NPM_OUT=DIR ./scripts/npm-pack.sh          # the tarballs go to DIR
#   PRISMA_GUARD_BIN=FILE ./scripts/npm-pack.sh  # package FILE instead of building (the tests
#                                              # package the binary they test)
#   PLATFORM=linux-arm64-gnu PRISMA_GUARD_BIN=FILE ./scripts/npm-pack.sh
#                                              # a cross-built binary for another platform
#                                              # (templates/ci/release.yml builds all five)
#
# Prints the tarballs' paths, the main package first. The version is Cargo.toml's.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v node >/dev/null 2>&1 || { echo "error: npm-pack.sh needs node and npm" >&2; exit 2; }
out="${NPM_OUT:-${CARGO_TARGET_DIR:-$PWD/target}/npm}"
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
[ -n "$version" ] || { echo "error: no version in Cargo.toml" >&2; exit 2; }

host_platform() {
  local os cpu
  case "$(uname -s)" in
    Linux) os=linux ;;
    Darwin) os=darwin ;;
    *) echo "error: no prisma-guard npm package for $(uname -s) (Linux and macOS are supported)" >&2; exit 2 ;;
  esac
  case "$(uname -m)" in
    x86_64|amd64) cpu=x64 ;;
    aarch64|arm64) cpu=arm64 ;;
    *) echo "error: no prisma-guard npm package for $(uname -m)" >&2; exit 2 ;;
  esac
  if [ "$os" = linux ]; then
    if ldd --version 2>&1 | grep -qi musl; then echo "linux-$cpu-musl"; else echo "linux-$cpu-gnu"; fi
  else
    echo "$os-$cpu"
  fi
}

platform="${PLATFORM:-$(host_platform)}"
bin="${PRISMA_GUARD_BIN:-}"
if [ -z "$bin" ]; then
  bin=$(./scripts/build-release.sh)
fi
[ -x "$bin" ] || { echo "error: $bin is not an executable prisma-guard" >&2; exit 2; }

rm -rf "$out/stage"
mkdir -p "$out/stage/cli/bin" "$out/stage/platform/bin"

# The platform package: the binary and the fields that pick it.
cp "$bin" "$out/stage/platform/bin/prisma-guard"
chmod 755 "$out/stage/platform/bin/prisma-guard"
# The licence goes with each package (npm includes a LICENSE file whatever `files` says).
cp LICENSE "$out/stage/platform/LICENSE"
node - "$platform" "$version" "$out/stage/platform" <<'JS'
const fs = require("node:fs");
const [platform, version, dir] = process.argv.slice(2);
const row = JSON.parse(fs.readFileSync("npm/platforms.json", "utf8")).find((p) => p.key === platform);
if (!row) {
  console.error(`error: unknown platform ${platform} (see npm/platforms.json)`);
  process.exit(2);
}
const pkg = {
  name: `@prisma-guard/cli-${row.key}`,
  version,
  description: `The prisma-guard binary for ${row.key} (${row.rust}); installed by @prisma-guard/cli.`,
  license: "MIT",
  repository: { type: "git", url: "https://github.com/prisma-guard/prisma-guard" },
  os: [row.os],
  cpu: [row.cpu],
  ...(row.libc ? { libc: [row.libc] } : {}),
  files: ["bin/prisma-guard"],
  preferUnplugged: true,
};
fs.writeFileSync(`${dir}/package.json`, JSON.stringify(pkg, null, 2) + "\n");
fs.writeFileSync(`${dir}/README.md`, `# ${pkg.name}\n\nThe native prisma-guard binary for ${row.key}. Install \`@prisma-guard/cli\` instead: it depends on this package where it fits.\n`);
JS

# The main package: the launcher, one optional dependency per platform at the same version.
cp npm/cli/bin/prisma-guard.js "$out/stage/cli/bin/"
cp README.md "$out/stage/cli/README.md"
cp LICENSE "$out/stage/cli/LICENSE"
node - "$version" "$out/stage/cli" <<'JS'
const fs = require("node:fs");
const [version, dir] = process.argv.slice(2);
const pkg = JSON.parse(fs.readFileSync("npm/cli/package.json", "utf8"));
pkg.version = version;
pkg.optionalDependencies = {};
for (const row of JSON.parse(fs.readFileSync("npm/platforms.json", "utf8"))) {
  pkg.optionalDependencies[`@prisma-guard/cli-${row.key}`] = version;
}
fs.writeFileSync(`${dir}/package.json`, JSON.stringify(pkg, null, 2) + "\n");
JS

main=$(cd "$out" && npm pack --silent ./stage/cli)
plat=$(cd "$out" && npm pack --silent ./stage/platform)
echo "$out/$main"
echo "$out/$plat"
