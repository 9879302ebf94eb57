// prisma-guard: load prisma.config.ts with the project's own @prisma/config, exactly as the
// Prisma CLI does before it runs a command (`loadConfigFromFile({ configFile })`, in the same
// working directory and environment), and print what it says for the datasource. Run as
// `node <this file> <prisma package dir> [config file]`. The last line of stdout is ours: the
// config itself may print (dotenv does).
"use strict";
const MARK = "@@prisma-guard-config@@";
// `node <this file> <package dir> <config file or ""> <prisma's argv[1..]>`: the config sees
// the process.argv prisma will have.
const [packageDir, configArg, ...prismaArgv] = process.argv.slice(2);
const configFile = configArg || undefined;
process.argv = [process.argv[0], ...prismaArgv];
function say(obj) {
  process.stdout.write("\n" + MARK + JSON.stringify(Object.assign({ execPath: process.execPath }, obj)) + "\n");
}
// Every file the config's evaluation reads (the config, its imports and JSON, the .env files
// its dotenv calls read): prisma-guard checks them again just before Prisma starts, so one
// rewritten in between is caught. Patched before anything loads, so the loaders bind to it.
// Each with the SHA-256 of what was read ("missing": not there; null: read some other way,
// prisma-guard hashes it itself; "unstable": read twice, different).
const fs = require("fs");
const nodePath = require("path");
const crypto = require("crypto");
const read = new Map();
const note = (p, seen) => {
  try {
    if (typeof p === "string" || Buffer.isBuffer(p) || p instanceof URL) {
      const s = p instanceof URL ? require("url").fileURLToPath(p) : String(p);
      const abs = nodePath.resolve(process.cwd(), s);
      if (abs.split(nodePath.sep).includes("node_modules")) return;
      const prev = read.get(abs);
      if (!read.has(abs) || prev === null) read.set(abs, seen);
      else if (seen !== null && prev !== seen) read.set(abs, "unstable");
    }
  } catch (_) {}
};
const digest = (content, options) => {
  const enc = typeof options === "string" ? options : options && options.encoding;
  if (Buffer.isBuffer(content)) return crypto.createHash("sha256").update(content).digest("hex");
  if (typeof content === "string" && (enc === "utf8" || enc === "utf-8")) {
    return crypto.createHash("sha256").update(content, "utf8").digest("hex");
  }
  return null;
};
const origSync = fs.readFileSync;
fs.readFileSync = function (p, options, ...rest) {
  let out;
  try {
    out = origSync.call(this, p, options, ...rest);
  } catch (e) {
    if (e && e.code === "ENOENT") note(p, "missing");
    throw e;
  }
  note(p, digest(out, options));
  return out;
};
for (const [obj, name] of [[fs, "readFile"], [fs.promises, "readFile"]]) {
  const orig = obj[name];
  obj[name] = function (p, ...rest) {
    note(p, null);
    return orig.call(this, p, ...rest);
  };
}
let mod;
try {
  const pkg = require.resolve("prisma/package.json", { paths: [packageDir, process.cwd()] });
  const version = require(pkg).version;
  const dir = require("path").dirname(pkg);
  mod = require(require.resolve("@prisma/config", { paths: [dir] }));
  if (typeof mod.loadConfigFromFile !== "function") throw new Error(`@prisma/config of prisma ${version} has no loadConfigFromFile`);
} catch (e) {
  say({ status: "unavailable", reason: String((e && e.message) || e).split("\n")[0] });
  process.exit(0);
}
const describe = (err) => {
  if (!err) return "unknown error";
  const inner = err.error || err;
  const text = (inner && inner.message) || String(inner);
  return `${err._tag ? err._tag + ": " : ""}${text}`.split("\n").slice(0, 3).join(" ");
};
// What loading the config adds to the environment (its dotenv calls): the guard hands these
// values to prisma, so a .env file changed after this check cannot point prisma elsewhere.
const before = Object.assign({}, process.env);
const loadedEnv = () => {
  const out = {};
  for (const [k, v] of Object.entries(process.env)) if (before[k] !== v && typeof v === "string") out[k] = v;
  return out;
};
mod.loadConfigFromFile({ configFile: configFile || undefined }).then(
  (r) => {
    if (r.error) return say({ status: "error", message: describe(r.error) });
    if (!r.resolvedPath) return say({ status: "no-config" });
    const c = r.config || {};
    const ds = c.datasource || {};
    say({
      status: "loaded",
      configFile: r.resolvedPath,
      schema: typeof c.schema === "string" ? c.schema : null,
      url: typeof ds.url === "string" ? ds.url : null,
      env: loadedEnv(),
      read: [...read].map(([path, seen]) => ({ path, seen })),
    });
  },
  (e) => say({ status: "error", message: describe(e) }),
);
