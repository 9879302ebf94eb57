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
  process.stdout.write("\n" + MARK + JSON.stringify(obj) + "\n");
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
    });
  },
  (e) => say({ status: "error", message: describe(e) }),
);
