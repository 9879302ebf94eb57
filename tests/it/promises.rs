//! Issue 16: the guard's promises hold. The database it protects is the one Prisma uses (for
//! each dotenv layout, with Prisma's own config loader and without it), and nothing an agent
//! can set (environment, a named config file) loosens it. Real PostgreSQL, the fake prisma
//! loading prisma.config.ts with the real @prisma/config.

use crate::guard::{install_fake_prisma_only, link_node_deps, node_deps, prisma, prisma_calls, prisma_tty};
use crate::support::*;

/// Whether prisma-guard can use Prisma's own loader (the project's `@prisma/config`), or must
/// read the config without running it. The fake prisma loads the config for real either way.
#[derive(Clone, Copy, Debug)]
enum Loader {
    Prisma,
    Static,
}

const INIT_SQL: &str = "CREATE TABLE \"User\" (\"id\" SERIAL PRIMARY KEY, \"email\" TEXT NOT NULL);\n";

/// Two databases that tell apart by their rows: `a` (3 users) and `b` (5 users).
fn two_databases(tag: &str) -> (String, String) {
    let pg = postgres();
    let a = pg.create_db(&format!("pr_{tag}_a"));
    let b = pg.create_db(&format!("pr_{tag}_b"));
    for (db, n) in [(&a, 3), (&b, 5)] {
        pg.app_sql(db, INIT_SQL);
        pg.app_sql(db, &format!("INSERT INTO \"User\" (email) SELECT 'u' || g || '@x' FROM generate_series(1, {n}) g"));
        pg.app_sql(db, "CREATE TABLE \"_prisma_migrations\" (id VARCHAR(36) PRIMARY KEY, checksum VARCHAR(64) NOT NULL, finished_at TIMESTAMP, migration_name VARCHAR(255) NOT NULL, logs TEXT, rolled_back_at TIMESTAMP, started_at TIMESTAMP NOT NULL DEFAULT now(), applied_steps_count INTEGER NOT NULL DEFAULT 0); INSERT INTO \"_prisma_migrations\" VALUES ('1', 'x', now(), '20260101000000_init', NULL, NULL, now(), 1)");
    }
    (a, b)
}

fn users(db: &str) -> i64 {
    postgres().app_sql(db, "SELECT count(*) FROM \"User\"").parse().unwrap()
}

/// A guarded Prisma 7 PostgreSQL project at `dir` (relative), the fake prisma in the root's
/// node_modules and `prisma` on PATH being prisma-guard.
fn project(loader: Loader, dir: &str) -> TestContext {
    let mut ctx = TestContext::new();
    install_fake_prisma_only(ctx.root());
    match loader {
        Loader::Prisma => link_node_deps(ctx.root()),
        Loader::Static => {
            // dotenv for the config's imports; @prisma/config only where the fake prisma
            // looks for it, not where prisma-guard does.
            std::os::unix::fs::symlink(node_deps().join("dotenv"), ctx.path("node_modules/dotenv")).unwrap();
            ctx.set_env("FAKE_PRISMA_CONFIG_MODULE", &node_deps().join("@prisma/config").display().to_string());
        }
    }
    let base = if dir.is_empty() { String::new() } else { format!("{dir}/") };
    ctx.write(&format!("{base}prisma/schema.prisma"), "datasource db {\n  provider = \"postgresql\"\n}\n");
    ctx.write(&format!("{base}prisma/migrations/20260101000000_init/migration.sql"), INIT_SQL);
    crate::guard::guard_on_path(&mut ctx);
    ctx
}

fn config_ts(head: &str) -> String {
    format!("{head}\nimport {{ defineConfig, env }} from \"prisma/config\";\n\nexport default defineConfig({{\n  schema: \"prisma/schema.prisma\",\n  migrations: {{ path: \"prisma/migrations\" }},\n  datasource: {{ url: env(\"DATABASE_URL\") }},\n}});\n")
}

fn env_line(db: &str) -> String {
    format!("DATABASE_URL=\"{}\"\n", postgres().url(db))
}

/// The layouts of issue 16, point 1: each writes its files, sets its environment and says
/// which prisma arguments select the config. Prisma uses database `a`.
fn layout(ctx: &mut TestContext, name: &str, a: &str, b: &str) -> Vec<String> {
    match name {
        "dotenv-path" => {
            ctx.write(
                "prisma.config.ts",
                &config_ts("import { config } from \"dotenv\";\nconfig({ path: \".env.local\" });"),
            );
            ctx.write(".env.local", &env_line(a));
            ctx.write(".env", &env_line(b));
            vec![]
        }
        "dotenv-path-list" => {
            ctx.write(
                "prisma.config.ts",
                &config_ts(
                    "import { config } from \"dotenv\";\nconfig({ path: [\".env.local\", \".env\"], quiet: true });",
                ),
            );
            ctx.write(".env.local", &env_line(a));
            ctx.write(".env", &env_line(b));
            vec![]
        }
        "dotenv-config-path" => {
            ctx.write("prisma.config.ts", &config_ts("import \"dotenv/config\";"));
            ctx.write(".env.b", &env_line(a));
            ctx.write(".env", &env_line(b));
            ctx.set_env("DOTENV_CONFIG_PATH", ".env.b");
            vec![]
        }
        "monorepo-config-flag" => {
            // Run from the root with --config: dotenv/config reads the root's .env (the
            // working directory), not the package's.
            ctx.write("packages/db/prisma.config.ts", &config_ts("import \"dotenv/config\";"));
            ctx.write("packages/db/.env", &env_line(b));
            ctx.write(".env", &env_line(a));
            vec!["--config".into(), "packages/db/prisma.config.ts".into()]
        }
        other => panic!("no layout {other}"),
    }
}

const LAYOUTS: [&str; 4] = ["dotenv-path", "dotenv-path-list", "dotenv-config-path", "monorepo-config-flag"];

/// The database name in Prisma's `Datasource "db": PostgreSQL database "x", ...` line.
fn datasource_db(stdout: &str) -> Option<String> {
    let line = stdout.lines().find(|l| l.starts_with("Datasource \"db\": PostgreSQL database \""))?;
    line.split('"').nth(3).map(str::to_string)
}

fn check_layouts(loader: Loader) {
    for (i, name) in LAYOUTS.iter().enumerate() {
        let tag = format!("{}{i}", if matches!(loader, Loader::Prisma) { "l" } else { "s" });
        let (a, b) = two_databases(&tag);
        let dir = if name.starts_with("monorepo") { "packages/db" } else { "" };
        let mut ctx = project(loader, dir);
        let flags = layout(&mut ctx, name, &a, &b);
        let args = |rest: &[&str]| -> Vec<String> {
            flags.iter().cloned().chain(rest.iter().map(|s| s.to_string())).collect()
        };

        // A schema change: backed up first, and the backup is of the database Prisma changes.
        let deploy = args(&["migrate", "deploy"]);
        let run = prisma(&ctx, &deploy.iter().map(String::as_str).collect::<Vec<_>>());
        run.ok().no_secret();
        assert_eq!(datasource_db(&run.stdout).as_deref(), Some(a.as_str()), "{name} ({loader:?}): {}", run.all());
        let manifests = ctx.manifests_in(dir);
        assert_eq!(manifests.len(), 1, "{name} ({loader:?}): {}", run.all());
        let url = manifests[0]["database_url"].as_str().unwrap();
        assert!(url.contains(&format!("/{a}")), "{name} ({loader:?}): backed up {url}, Prisma changed {a}");
        assert_eq!(
            manifests[0]["row_counts"]["public.User"].as_u64().or(manifests[0]["row_counts"]["User"].as_u64()),
            Some(3),
            "{name}: {}",
            manifests[0]
        );

        // A destructive command: the name to type is the database Prisma would reset.
        let reset = args(&["migrate", "reset", "--force"]);
        let run = prisma_tty(&ctx, &reset.iter().map(String::as_str).collect::<Vec<_>>(), "no\n");
        assert!(run.all().contains(&format!("Type the database name `{a}`")), "{name} ({loader:?}): {}", run.all());
        assert!(run.all().contains("cancelled"), "{name} ({loader:?}): {}", run.all());
        assert_eq!((users(&a), users(&b)), (3, 5), "{name} ({loader:?}): nothing was reset");
    }
}

#[test]
fn prismas_own_loader_names_the_database_prisma_uses_in_every_dotenv_layout() {
    check_layouts(Loader::Prisma);
}

#[test]
fn the_static_reader_agrees_with_dotenv_in_every_layout_when_prismas_loader_is_missing() {
    check_layouts(Loader::Static);
}

/// Issue 16, review round 15: Prisma 7 finds `prisma.config.cjs`, `.mjs`, `.cts` and `.mts`
/// (and `.js`) as it finds `prisma.config.ts`; so does the guard, with Prisma's loader and
/// without it: the database backed up and named is the one Prisma changes (`.env.local` here).
#[test]
fn configs_in_commonjs_and_module_files_are_the_projects_config() {
    let cjs = "require(\"dotenv\").config({ path: \".env.local\" });\nconst { defineConfig, env } = require(\"prisma/config\");\n\nmodule.exports = defineConfig({\n  schema: \"prisma/schema.prisma\",\n  migrations: { path: \"prisma/migrations\" },\n  datasource: { url: env(\"DATABASE_URL\") },\n});\n";
    let esm = config_ts("import { config } from \"dotenv\";\nconfig({ path: \".env.local\" });");
    let cases = [
        ("prisma.config.cjs", cjs.to_string(), Loader::Prisma),
        ("prisma.config.cjs", cjs.to_string(), Loader::Static),
        ("prisma.config.mjs", esm.clone(), Loader::Prisma),
        ("prisma.config.mts", esm.clone(), Loader::Static),
        ("prisma.config.cts", cjs.to_string(), Loader::Prisma),
    ];
    for (i, (file, text, loader)) in cases.iter().enumerate() {
        let (a, b) = two_databases(&format!("ext{i}"));
        let ctx = project(*loader, "");
        ctx.write(file, text);
        ctx.write(".env.local", &env_line(&a));
        ctx.write(".env", &env_line(&b));
        let run = prisma(&ctx, &["migrate", "deploy"]);
        run.ok().no_secret();
        assert_eq!(datasource_db(&run.stdout).as_deref(), Some(a.as_str()), "{file} ({loader:?}): {}", run.all());
        let manifests = ctx.manifests();
        assert_eq!(manifests.len(), 1, "{file} ({loader:?}): {}", run.all());
        let url = manifests[0]["database_url"].as_str().unwrap();
        assert!(url.contains(&format!("/{a}")), "{file} ({loader:?}): backed up {url}, Prisma changed {a}");
        let run = prisma_tty(&ctx, &["migrate", "reset", "--force"], "no\n");
        assert!(run.all().contains(&format!("Type the database name `{a}`")), "{file} ({loader:?}): {}", run.all());
        assert_eq!((users(&a), users(&b)), (3, 5), "{file} ({loader:?}): nothing was reset");
    }
}

/// A config the static reader cannot follow, and no Prisma loader: refused, not "nothing to
/// lose" because the database it guessed does not exist.
#[test]
fn an_uncertain_database_is_refused_never_taken_as_nothing_to_lose() {
    let (a, _b) = two_databases("unc");
    let ctx = project(Loader::Static, "");
    ctx.write("prisma.config.ts", &config_ts("import \"./load-env\";"));
    ctx.write("load-env.ts", &format!("process.env.DATABASE_URL = \"{}\";\n", postgres().url(&a)));
    // What a static reading would find: a database that does not exist.
    ctx.write(".env", &env_line("pr_unc_missing"));
    let run = prisma(&ctx, &["migrate", "reset", "--force"]);
    assert_ne!(run.code, 0, "{}", run.all());
    assert!(run.stderr.contains("cannot be sure which database"), "{}", run.stderr);
    assert!(run.stderr.contains("imports `./load-env`"), "{}", run.stderr);
    assert!(!run.all().contains("there is nothing to back up"), "{}", run.all());
    run.no_secret();
    assert!(prisma_calls(&ctx).is_empty(), "prisma did not run");
    assert_eq!(users(&a), 3);

    // Review finding: aliases of `process` in the config itself (no import) are uncertain too.
    for head in [
        format!("const {{ env: E }} = process; E.DATABASE_URL = \"{}\";", postgres().url(&a)),
        format!("const pr = process; pr.env.DATABASE_URL = \"{}\";", postgres().url(&a)),
        format!("Reflect.set(process.env, \"DATABASE_URL\", \"{}\");", postgres().url(&a)),
    ] {
        ctx.write("prisma.config.ts", &config_ts(&format!("import \"dotenv/config\";\n{head}")));
        let run = prisma(&ctx, &["migrate", "reset", "--force"]);
        assert_ne!(run.code, 0, "{head}: {}", run.all());
        assert!(run.stderr.contains("cannot be sure which database"), "{head}: {}", run.stderr);
        assert!(prisma_calls(&ctx).is_empty(), "prisma did not run");
        assert_eq!(users(&a), 3);
    }
    ctx.write("prisma.config.ts", &config_ts("import \"./load-env\";"));

    // With Prisma's own loader, the same config resolves for certain: the real database.
    link_node_deps(ctx.root());
    let run = prisma_tty(&ctx, &["migrate", "reset", "--force"], "no\n");
    assert!(run.all().contains(&format!("Type the database name `{a}`")), "{}", run.all());
    assert_eq!(users(&a), 3);
}

/// A config that fails to load fails the guarded command (Prisma would fail too), with the
/// loader's reason; a harmless command still passes through.
#[test]
fn a_config_prisma_cannot_load_fails_closed() {
    let ctx = project(Loader::Prisma, "");
    ctx.write("prisma.config.ts", &config_ts("import \"dotenv/config\";"));
    let run = prisma(&ctx, &["migrate", "deploy"]);
    assert_ne!(run.code, 0, "{}", run.all());
    assert!(run.stderr.contains("Prisma's own config loader could not load"), "{}", run.stderr);
    assert!(run.stderr.contains("DATABASE_URL"), "{}", run.stderr);
    assert!(prisma_calls(&ctx).is_empty(), "prisma did not run");
}

fn reset_as_agent(ctx: &TestContext, extra_env: &[(&str, &str)]) -> Run {
    let mut cmd = crate::guard::prisma_command(ctx, &["migrate", "reset", "--force"]);
    cmd.env("CLAUDECODE", "1");
    for (k, v) in extra_env {
        cmd.env(k, v);
    }
    Run::from(cmd.output().unwrap())
}

/// Issue 16, point 2: PRISMA_GUARD_DATABASE_URL naming a missing database does not replace
/// the database Prisma resets: the agent is still refused, the rows are still there.
#[test]
fn a_database_url_override_never_replaces_the_database_prisma_uses() {
    let (a, _) = two_databases("ovr");
    let mut ctx = project(Loader::Prisma, "");
    layout(&mut ctx, "dotenv-path", &a, "pr_ovr_b");
    let missing = postgres().url("pr_ovr_missing");
    let run = reset_as_agent(&ctx, &[("PRISMA_GUARD_DATABASE_URL", &missing)]);
    assert_eq!(run.code, 3, "{}", run.all());
    assert!(run.stderr.contains("needs a human"), "{}", run.stderr);
    assert!(prisma_calls(&ctx).is_empty());
    assert_eq!(users(&a), 3);
    // No agent, no terminal: refused as well.
    let mut cmd = crate::guard::prisma_command(&ctx, &["migrate", "reset", "--force"]);
    cmd.env("PRISMA_GUARD_DATABASE_URL", &missing);
    let run = Run::from(cmd.output().unwrap());
    assert_eq!(run.code, 3, "{}", run.all());
    assert_eq!(users(&a), 3);
    // It adds protection: a schema change backs up both databases.
    let (c, _) = two_databases("ovr2");
    let mut cmd = crate::guard::prisma_command(&ctx, &["migrate", "deploy"]);
    cmd.env("PRISMA_GUARD_DATABASE_URL", postgres().url(&c));
    let run = Run::from(cmd.output().unwrap());
    run.ok().no_secret();
    let urls: Vec<String> = ctx.manifests().iter().map(|m| m["database_url"].as_str().unwrap().to_string()).collect();
    assert!(urls.iter().any(|u| u.contains(&format!("/{a}"))), "{urls:?}");
    assert!(urls.iter().any(|u| u.contains(&format!("/{c}"))), "{urls:?}");
}

/// A config file named in the environment cannot turn on an allow-list, nor choose another
/// prisma; the environment's PRISMA_GUARD_REAL_PRISMA is ignored.
#[test]
fn a_named_config_or_env_var_cannot_loosen_the_guard() {
    let (a, _) = two_databases("evil");
    let mut ctx = project(Loader::Prisma, "");
    layout(&mut ctx, "dotenv-path", &a, "pr_evil_b");
    ctx.write(
        "evil.toml",
        "[[guard.allow]]\ndatabase = \"*\"\nbackup = false\n\n[guard]\nreal_prisma = \"/bin/true\"\n",
    );
    let evil = ctx.path("evil.toml").display().to_string();
    let run = reset_as_agent(&ctx, &[("PRISMA_GUARD_CONFIG", &evil)]);
    assert_eq!(run.code, 3, "{}", run.all());
    assert!(
        run.stderr.contains("guard.allow, which only the project's own prisma-guard.toml may set"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("guard.real_prisma"), "{}", run.stderr);
    assert_eq!(users(&a), 3);
    let run = reset_as_agent(&ctx, &[("PRISMA_GUARD_REAL_PRISMA", "/bin/true")]);
    assert_eq!(run.code, 3, "{}", run.all());
    assert!(run.stderr.contains("PRISMA_GUARD_REAL_PRISMA is ignored"), "{}", run.stderr);
    // A harmless command still reaches the real (fake) prisma, not /bin/true.
    let mut cmd = crate::guard::prisma_command(&ctx, &["generate"]);
    cmd.env("PRISMA_GUARD_REAL_PRISMA", "/bin/true");
    Run::from(cmd.output().unwrap()).ok();
    assert_eq!(prisma_calls(&ctx).len(), 1, "the project's prisma ran");
    // The project's own file may allow-list: then the agent's reset runs, and the audit log
    // says who asked.
    ctx.write_own_config(&format!("[[guard.allow]]\ndatabase = \"{a}\"\nreason = \"throwaway\"\n"));
    let run = reset_as_agent(&ctx, &[]);
    assert_eq!(run.code, 1, "the fake prisma's own agent check refuses: {}", run.all());
    let audit = std::fs::read_to_string(ctx.path("backups/audit.jsonl")).unwrap();
    let last: serde_json::Value = serde_json::from_str(audit.lines().last().unwrap()).unwrap();
    assert_eq!(last["decision"], "allow-listed", "{audit}");
    assert_eq!(last["agent"], "CLAUDECODE", "{audit}");
    // An allow-list entry that skips the backup is on the record as such.
    ctx.write_own_config(&format!("[[guard.allow]]\ndatabase = \"{a}\"\nbackup = false\n"));
    reset_as_agent(&ctx, &[]);
    let audit = std::fs::read_to_string(ctx.path("backups/audit.jsonl")).unwrap();
    let last: serde_json::Value = serde_json::from_str(audit.lines().last().unwrap()).unwrap();
    assert_eq!(last["decision"], "allow-listed-no-backup", "{audit}");
    assert_eq!(last["agent"], "CLAUDECODE", "{audit}");
}

/// Round 9: a prisma-guard.toml beside a prisma config named with `--config` is not the
/// project's own file: outside the repository prisma-guard runs in, or under a folder with a
/// `.git` of its own that git cannot read, its allow-list does not count.
#[test]
fn a_guard_config_beside_a_named_prisma_config_cannot_loosen_the_guard() {
    let (a, _) = two_databases("beside");
    let mut ctx = project(Loader::Prisma, "");
    layout(&mut ctx, "dotenv-path", &a, "pr_beside_b");
    ctx.git_init();
    let allow = "[[guard.allow]]\ndatabase = \"*\"\nbackup = false\nreason = \"scratch\"\n";
    let config = |schema: &str| {
        config_ts("import { config } from \"dotenv\";\nconfig({ path: \".env.local\" });")
            .replace("schema: \"prisma/schema.prisma\"", &format!("schema: \"{schema}\""))
    };
    let schema = ctx.path("prisma/schema.prisma").display().to_string();
    // (a) A folder outside the repository.
    let elsewhere = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(ctx.path("node_modules"), elsewhere.path().join("node_modules")).unwrap();
    std::fs::write(elsewhere.path().join("prisma.config.ts"), config(&schema)).unwrap();
    std::fs::write(elsewhere.path().join("prisma-guard.toml"), allow).unwrap();
    // (b) A folder of the repository with a `.git` file that leads nowhere.
    ctx.write("tools/db/prisma.config.ts", &config(&schema));
    ctx.write("tools/db/prisma-guard.toml", allow);
    ctx.write("tools/db/.git", "gitdir: /nonexistent\n");
    let outside = elsewhere.path().join("prisma.config.ts").display().to_string();
    for named in [outside.as_str(), "tools/db/prisma.config.ts"] {
        let mut cmd = crate::guard::prisma_command(&ctx, &["migrate", "reset", "--force", "--config", named]);
        cmd.env("CLAUDECODE", "1").env("PRISMA_USER_CONSENT_FOR_DANGEROUS_AI_ACTION", "1");
        let run = Run::from(cmd.output().unwrap());
        assert_eq!(run.code, 3, "{named}: {}", run.all());
        assert!(run.stderr.contains("loosening keys do not count"), "{named}: {}", run.stderr);
        assert_eq!(users(&a), 3, "{named}");
    }
}

/// Round 9: a config that reads how it is run (`process.execArgv`, a counter file ...) can name
/// a missing database to the guard's loader and the real one to Prisma: prisma-guard does not
/// trust such a config, and it never takes "the database does not exist" as "nothing to lose"
/// when the reader cannot confirm what Prisma's loader said.
#[test]
fn a_config_that_reads_how_it_is_run_is_not_trusted() {
    let (a, _) = two_databases("runs");
    let ctx = project(Loader::Prisma, "");
    ctx.write(".env", &env_line(&a));
    ctx.write("prisma/migrations/20260102000000_cleanup/migration.sql", "DROP TABLE \"User\";\n");
    let head = "import \"dotenv/config\";\nimport { defineConfig, env } from \"prisma/config\";\n";
    ctx.write(
        "prisma.config.ts",
        &format!("{head}const u = env(\"DATABASE_URL\");\nexport default defineConfig({{\n  schema: \"prisma/schema.prisma\",\n  datasource: {{ url: process.execArgv.length ? u.replace(\"/{a}\", \"/{a}_fresh\") : u }},\n}});\n"),
    );
    let deploy = |ctx: &TestContext| {
        let mut cmd = crate::guard::prisma_command(ctx, &["migrate", "deploy"]);
        cmd.env("CLAUDECODE", "1").stdin(std::process::Stdio::null());
        Run::from(cmd.output().unwrap())
    };
    let run = deploy(&ctx);
    assert_ne!(run.code, 0, "{}", run.all());
    assert!(run.stderr.contains("uses `process`"), "{}", run.stderr);
    assert!(!run.stderr.contains("there is nothing to back up"), "{}", run.stderr);
    assert_eq!(users(&a), 3, "the migration did not run");
    // A config the reader cannot follow (its own module), naming a database that is not
    // there: Prisma's loader is believed for the backup, but a missing database needs a
    // person, not "nothing to lose".
    ctx.write(
        "db-url.ts",
        &format!("export const url = (process.env.DATABASE_URL ?? \"\").replace(\"/{a}\", \"/{a}_missing\");\n"),
    );
    ctx.write(
        "prisma.config.ts",
        &format!("{head}import {{ url }} from \"./db-url\";\nexport default defineConfig({{\n  schema: \"prisma/schema.prisma\",\n  datasource: {{ url }},\n}});\n"),
    );
    let run = deploy(&ctx);
    assert_eq!(run.code, 3, "{}", run.all());
    assert!(run.stderr.contains("does not find"), "{}", run.stderr);
    assert!(!run.stderr.contains("there is nothing to back up"), "{}", run.stderr);
}

/// Round 9: migration SQL can destroy a schema Prisma does not manage (`DROP SCHEMA audit
/// CASCADE` with `?schema=public`): the backup before it holds every existing schema the SQL
/// names.
#[test]
fn the_backup_before_migrations_holds_the_schemas_their_sql_names() {
    let (a, _) = two_databases("otherschema");
    postgres()
        .app_sql(&a, "CREATE SCHEMA audit; CREATE TABLE audit.logs (id int); INSERT INTO audit.logs VALUES (1), (2)");
    let ctx = project(Loader::Prisma, "");
    ctx.write(".env", &env_line(&a));
    ctx.write("prisma.config.ts", &config_ts("import \"dotenv/config\";"));
    ctx.write("prisma/migrations/20260102000000_drop_audit/migration.sql", "DROP SCHEMA audit CASCADE;\n");
    let mut cmd = crate::guard::prisma_command(&ctx, &["migrate", "deploy"]);
    cmd.stdin(std::process::Stdio::null());
    let run = Run::from(cmd.output().unwrap());
    run.ok().no_secret();
    assert!(run.stderr.contains("schema(s) audit that the SQL names"), "{}", run.stderr);
    let m = &ctx.manifests()[0];
    assert_eq!(m["row_counts"]["audit.logs"], 2, "{m}");
    assert_eq!(m["row_counts"]["public.User"], 3, "{m}");
}

/// Round 9: a password in the URL's query (`?password=`) is a secret like the one in its
/// user part: not in the audit log, not in messages; and the guard's clients never prompt.
#[test]
fn a_password_in_the_url_query_never_leaks() {
    let (a, _) = two_databases("querypw");
    let ctx = project(Loader::Prisma, "");
    ctx.write(".env", &env_line(&a));
    ctx.write("prisma.config.ts", &config_ts("import \"dotenv/config\";"));
    let url = format!("postgresql://app@127.0.0.1:{}/{a}?password={}", postgres().port, crate::support::SECRET);
    let mut cmd = crate::guard::prisma_command(&ctx, &["migrate", "reset", "--force", "--url", &url]);
    cmd.env("CLAUDECODE", "1").stdin(std::process::Stdio::null());
    let run = Run::from(cmd.output().unwrap());
    assert_ne!(run.code, 0, "{}", run.all());
    run.no_secret();
    assert!(!run.all().contains("Password for user"), "no prompt: {}", run.all());
    let audit = std::fs::read_to_string(ctx.path("backups/audit.jsonl")).unwrap_or_default();
    assert!(!audit.contains(crate::support::SECRET), "{audit}");
    assert!(audit.contains("password=****"), "{audit} {}", run.all());
    assert_eq!(users(&a), 3);
}

impl TestContext {
    /// Manifests of the backup folder of the project at `dir`.
    fn manifests_in(&self, dir: &str) -> Vec<serde_json::Value> {
        let mut cmd = self.cmd(&["backups", "--json"]);
        cmd.current_dir(self.path(dir));
        if !dir.is_empty() {
            cmd.current_dir(self.root());
            cmd.args(["--config", &format!("{dir}/prisma.config.ts")]);
        }
        let run = Run::from(cmd.output().unwrap());
        assert_eq!(run.code, 0, "{}", run.all());
        serde_json::from_str(&run.stdout).unwrap()
    }
}

/// Wait until `ready` or panic after `secs`.
fn wait_until(what: &str, secs: u64, mut ready: impl FnMut() -> bool) {
    let start = std::time::Instant::now();
    while !ready() {
        assert!(start.elapsed().as_secs() < secs, "{what} did not happen within {secs}s");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// Issue 16, point 4: a restore killed with SIGTERM, SIGHUP or SIGKILL while the dump streams
/// in commits nothing: the database is as it was. For `restore --to` and `restore` alike.
#[test]
fn a_killed_postgres_restore_commits_nothing() {
    let pg = postgres();
    let src = pg.create_db("pr_kill_src");
    pg.app_sql(&src, INIT_SQL);
    pg.app_sql(&src, "INSERT INTO \"User\" (email) VALUES ('a@x'), ('b@x'), ('c@x')");
    pg.app_sql(&src, "CREATE TABLE big (id int, payload text); INSERT INTO big SELECT g, repeat(md5(g::text), 4) FROM generate_series(1, 400000) g");
    let dst = pg.create_db("pr_kill_dst");
    pg.app_sql(&dst, "CREATE TABLE keep_me (id int)");
    let mut ctx = TestContext::new();
    ctx.write(
        "prisma/schema.prisma",
        "datasource db {\n  provider = \"postgresql\"\n  url = env(\"DATABASE_URL\")\n}\n",
    );
    ctx.set_env("DATABASE_URL", &pg.url(&dst));
    let run = ctx.run(&["backup", "--url", &pg.url(&src)]);
    run.ok();
    let id = ctx.manifests()[0]["id"].as_str().unwrap().to_string();
    let state = |db: &str| {
        pg.app_sql(
            db,
            "SELECT coalesce(to_regclass('keep_me')::text, '-') || ' ' || coalesce(to_regclass('big')::text, '-')",
        )
    };
    let dst_url = pg.url(&dst);
    for signal in ["TERM", "HUP", "KILL"] {
        for to in [true, false] {
            let mut args = vec!["restore", id.as_str()];
            if to {
                args.extend(["--to", dst_url.as_str()]);
            }
            let mut child = ctx
                .cmd(&args)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap();
            let copying = || {
                pg.admin(&format!(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = '{dst}' AND query ILIKE 'COPY%'"
                )) != "0"
            };
            wait_until("the restore's COPY", 60, copying);
            std::process::Command::new("kill").args([&format!("-{signal}"), &child.id().to_string()]).status().unwrap();
            let status = child.wait().unwrap();
            assert!(!status.success(), "SIG{signal}: {status:?}");
            wait_until("psql's exit", 30, || {
                pg.admin(&format!("SELECT count(*) FROM pg_stat_activity WHERE datname = '{dst}' AND application_name = 'prisma-guard'")) == "0"
            });
            assert_eq!(state(&dst), "keep_me -", "SIG{signal} (--to: {to}): a partial restore was committed");
        }
    }
    // The same restore, left alone, completes.
    ctx.run(&["restore", &id, "--to", &dst_url]).ok().no_secret();
    assert_eq!(state(&dst), "- big");
    assert_eq!(pg.app_sql(&dst, "SELECT count(*) FROM big"), "400000");
}

/// Issue 16, point 4 for SQLite: killed at any moment, the database is the old one or the
/// restored one, whole and consistent; never a mix.
#[test]
fn a_killed_sqlite_restore_leaves_the_old_or_the_new_database() {
    let ctx = TestContext::new();
    ctx.prisma7_project("sqlite", "file:./dev.db");
    let conn = rusqlite::Connection::open(ctx.path("dev.db")).unwrap();
    conn.execute_batch("CREATE TABLE big (id INTEGER PRIMARY KEY, payload TEXT); WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 300000) INSERT INTO big SELECT i, hex(randomblob(64)) FROM s;").unwrap();
    drop(conn);
    ctx.run(&["backup"]).ok();
    let id = ctx.manifests()[0]["id"].as_str().unwrap().to_string();
    let count = || -> i64 {
        let c = rusqlite::Connection::open(ctx.path("dev.db")).unwrap();
        let ok: String = c.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
        assert_eq!(ok, "ok");
        c.query_row("SELECT count(*) FROM big", [], |r| r.get(0)).unwrap_or(-1)
    };
    for delay_ms in [50, 150, 300, 600] {
        rusqlite::Connection::open(ctx.path("dev.db")).unwrap().execute("DELETE FROM big WHERE id > 10", []).unwrap();
        let mut child =
            ctx.cmd(&["restore", &id, "--to", "file:./dev.db"]).stderr(std::process::Stdio::null()).spawn().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        let n = count();
        assert!(n == 10 || n == 300_000, "killed after {delay_ms} ms: {n} rows");
    }
    // Review finding: the staged copies killed restores left beside the database (full copies
    // of the data, in the project's folder) go at the next run.
    ctx.write(".prisma-guard-restore-AbC123", "a copy of the data");
    let staged = || {
        std::fs::read_dir(ctx.root())
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with(".prisma-guard-restore-"))
            .count()
    };
    assert!(staged() >= 1);
    ctx.run(&["backup"]).ok();
    assert_eq!(staged(), 0, "swept");
}

/// Issue 16, point 5: ten backups started together, with a writer running: ten distinct ids,
/// every one complete and verified; the waiting ones say so.
#[test]
fn concurrent_backups_get_distinct_ids_and_never_corrupt_each_other() {
    let pg = postgres();
    let db = pg.create_db("pr_concurrent");
    pg.app_sql(&db, INIT_SQL);
    pg.app_sql(&db, "INSERT INTO \"User\" (email) SELECT 'u' || g FROM generate_series(1, 20000) g");
    let mut ctx = TestContext::new();
    ctx.write(
        "prisma/schema.prisma",
        "datasource db {\n  provider = \"postgresql\"\n  url = env(\"DATABASE_URL\")\n}\n",
    );
    ctx.set_env("DATABASE_URL", &pg.url(&db));
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let (stop, db) = (stop.clone(), db.clone());
        std::thread::spawn(move || {
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                postgres().app_sql(&db, "INSERT INTO \"User\" (email) SELECT 'w' || g FROM generate_series(1, 500) g");
            }
        })
    };
    let children: Vec<_> = (0..10)
        .map(|_| {
            ctx.cmd(&["backup"])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let runs: Vec<Run> = children.into_iter().map(|c| Run::from(c.wait_with_output().unwrap())).collect();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    writer.join().unwrap();
    for r in &runs {
        r.ok().no_secret();
    }
    assert!(
        runs.iter().any(|r| r.stderr.contains("is busy (a backup, restore, sync or prune by pid ")),
        "a waiting run says whom it waits for"
    );
    let manifests = ctx.manifests();
    let mut ids: Vec<&str> = manifests.iter().map(|m| m["id"].as_str().unwrap()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 10, "{ids:?}");
    ctx.run(&["verify", "--all"]).ok();
    for id in [ids[0], ids[9]] {
        ctx.run(&["restore-test", id]).ok();
    }
}

/// A Prisma 6 style project (schema `url = env(...)`) whose DATABASE_URL is `url`.
fn url_project(url: &str, datasource_extra: &str) -> TestContext {
    let mut ctx = TestContext::new();
    ctx.write(
        "prisma/schema.prisma",
        &format!(
            "datasource db {{\n  provider = \"postgresql\"\n  url = env(\"DATABASE_URL\")\n{datasource_extra}}}\n"
        ),
    );
    ctx.set_env("DATABASE_URL", url);
    ctx
}

/// Issue 16, point 3: with `schemas = ["app", "audit"]` and `?schema=app`, every schema
/// Prisma manages is backed up, counted as at risk, and restored.
#[test]
fn multi_schema_backups_hold_every_schema_prisma_manages() {
    let pg = postgres();
    let db = pg.create_db("pr_multi");
    pg.app_sql(&db, "CREATE SCHEMA app; CREATE SCHEMA audit; CREATE TABLE app.\"User\" (id int); CREATE TABLE audit.\"Log\" (id int); INSERT INTO app.\"User\" SELECT g FROM generate_series(1, 3) g; INSERT INTO audit.\"Log\" SELECT g FROM generate_series(1, 302) g; CREATE TABLE public.other (id int)");
    let url = pg.url(&db).replace("schema=public", "schema=app");
    let ctx = url_project(&url, "  schemas = [\"app\", \"audit\"]\n");
    ctx.run(&["backup"]).ok().no_secret();
    let m = &ctx.manifests()[0];
    assert_eq!(m["row_counts"]["audit.Log"], 302, "{m}");
    assert_eq!(m["row_counts"]["app.User"], 3, "{m}");
    assert!(m["row_counts"].get("public.other").is_none(), "only the managed schemas: {m}");
    assert_eq!(m["schema"], "app,audit");
    ctx.run(&["restore-test"]).ok();
    // The prompt before a reset lists the rows of both schemas.
    install_fake_prisma_only(ctx.root());
    let run = ctx.run_with_tty(&["exec", "--", "migrate", "reset", "--force"], "no\n");
    assert!(run.all().contains("audit.Log: 302"), "{}", run.all());
    // A restore over the database brings both schemas back.
    pg.app_sql(&db, "DROP SCHEMA audit CASCADE; DELETE FROM app.\"User\"");
    ctx.run_with_tty(&["restore", m["id"].as_str().unwrap()], &format!("{db}\n")).ok();
    assert_eq!(pg.app_sql(&db, "SELECT count(*) FROM audit.\"Log\""), "302");
    assert_eq!(pg.app_sql(&db, "SELECT count(*) FROM app.\"User\""), "3");
}

/// Review round 13, finding 3: `restore --to` with an unrelated `?schema=` checks every
/// schema the backup writes for data (an agent is refused over a database holding rows), and
/// the row check after a restore counts the schemas the backup holds.
#[test]
fn restore_to_checks_every_schema_the_backup_writes() {
    let pg = postgres();
    let db = pg.create_db("pr_multito");
    let dst = pg.create_db("pr_multito_dst");
    let empty = pg.create_db("pr_multito_empty");
    let tables = "CREATE SCHEMA app; CREATE SCHEMA audit; CREATE TABLE app.\"User\" (id int); CREATE TABLE audit.\"Log\" (id int)";
    pg.app_sql(&db, &format!("{tables}; INSERT INTO app.\"User\" SELECT g FROM generate_series(1, 3) g; INSERT INTO audit.\"Log\" SELECT g FROM generate_series(1, 302) g"));
    pg.app_sql(&dst, &format!("{tables}; INSERT INTO app.\"User\" SELECT g FROM generate_series(1, 1277) g"));
    let url = pg.url(&db).replace("schema=public", "schema=app");
    let ctx = url_project(&url, "  schemas = [\"app\", \"audit\"]\n");
    ctx.run(&["backup"]).ok();
    let id = ctx.manifests()[0]["id"].as_str().unwrap().to_string();
    let to = pg.url(&dst).replace("schema=public", "schema=zzz");
    let mut cmd = ctx.cmd(&["restore", &id, "--to", &to]);
    cmd.env("CLAUDECODE", "1");
    let run = Run::from(cmd.output().unwrap());
    run.no_secret();
    assert_ne!(run.code, 0, "refused over a database holding rows: {}", run.all());
    assert!(run.stderr.contains("holds data"), "{}", run.all());
    assert_eq!(pg.app_sql(&dst, "SELECT count(*) FROM app.\"User\""), "1277");
    assert_eq!(pg.app_sql(&dst, "SELECT count(*) FROM audit.\"Log\""), "0");
    // Into an empty database: restored, and the counts checked where the backup wrote them.
    let to = pg.url(&empty).replace("schema=public", "schema=zzz");
    let run = ctx.run(&["restore", &id, "--to", &to]);
    run.ok();
    assert_eq!(pg.app_sql(&empty, "SELECT count(*) FROM audit.\"Log\""), "302");
}

/// Issue 16, point 3: a schema-limited dump of a database with an extension restores (the
/// extension comes first), in a scratch database and over the database itself.
#[test]
fn a_schema_limited_backup_of_a_database_with_an_extension_restores() {
    let pg = postgres();
    let db = pg.create_db("pr_ext");
    pg.app_sql(&db, "CREATE EXTENSION citext; CREATE TABLE \"User\" (id int, email citext UNIQUE); INSERT INTO \"User\" VALUES (1, 'Ann@x'), (2, 'bob@x')");
    let ctx = url_project(&pg.url(&db), "");
    ctx.run(&["backup"]).ok();
    ctx.run(&["restore-test"]).ok();
    pg.app_sql(&db, "DELETE FROM \"User\"");
    pg.app_sql(&db, "INSERT INTO \"User\" VALUES (9, 'z@x')");
    let id = ctx.manifests()[0]["id"].as_str().unwrap().to_string();
    ctx.run_with_tty(&["restore", &id], &format!("{db}\n")).ok();
    assert_eq!(pg.app_sql(&db, "SELECT id FROM \"User\" WHERE email = 'ANN@X'"), "1", "citext works after the restore");
}

/// Issue 16, point 3: a whole-database restore keeps GRANTs, and `public` as it was: usable by
/// everyone, owned by the database owner; a read-only role still reads.
#[test]
fn a_whole_database_restore_keeps_privileges_and_the_public_schema() {
    let pg = postgres();
    let db = pg.create_db("pr_priv");
    pg.admin("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'pr_reader') THEN CREATE ROLE pr_reader; END IF; IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'pr_nobody') THEN CREATE ROLE pr_nobody; END IF; END $$");
    pg.app_sql(
        &db,
        "CREATE TABLE \"User\" (id int); INSERT INTO \"User\" VALUES (1), (2); GRANT SELECT ON \"User\" TO pr_reader",
    );
    let whole = pg.url(&db).replace("schema=public&", "");
    assert!(!whole.contains("schema="), "{whole}");
    let ctx = url_project(&whole, "");
    ctx.run(&["backup"]).ok();
    let id = ctx.manifests()[0]["id"].as_str().unwrap().to_string();
    let privileges = || {
        pg.app_sql(
            &db,
            "SELECT has_table_privilege('pr_reader', 'public.\"User\"', 'SELECT')::text || ' ' || has_schema_privilege('pr_nobody', 'public', 'USAGE')::text || ' ' || (SELECT nspowner::regrole::text FROM pg_namespace WHERE nspname = 'public')",
        )
    };
    let before = privileges();
    assert_eq!(before, "true true pg_database_owner");
    pg.app_sql(&db, "DELETE FROM \"User\"");
    ctx.run_with_tty(&["restore", &id], &format!("{db}\n")).ok();
    assert_eq!(privileges(), before);
    assert_eq!(pg.app_sql(&db, "SELECT count(*) FROM \"User\""), "2");
}

/// Issue 16, point 7: `restore latest` means the newest backup of the data as the user had it,
/// not the safety copy the previous restore took; the prompt shows what the backup holds.
#[test]
fn restore_latest_never_brings_back_the_safety_copy() {
    let ctx = crate::guard::guarded_project();
    ctx.run(&["backup"]).ok();
    let sqlite = |sql: &str| rusqlite::Connection::open(ctx.path("dev.db")).unwrap().execute_batch(sql).unwrap();
    sqlite("DELETE FROM \"Post\"");
    let run = ctx.run_with_tty(&["restore", "latest"], "dev.db\n");
    run.ok();
    assert!(run.all().contains("holds:") && run.all().contains("Post: 3 rows"), "{}", run.all());
    assert_eq!(crate::guard::rows(&ctx, "Post"), 3);
    sqlite("DELETE FROM \"User\"");
    ctx.run_with_tty(&["restore", "latest"], "dev.db\n").ok();
    assert_eq!(crate::guard::rows(&ctx, "Post"), 3, "the first backup again, not the empty state");
    assert_eq!(crate::guard::rows(&ctx, "User"), 2);
    // The safety copy is there by name.
    let run = ctx.run_with_tty(&["restore", "latest-safety"], "dev.db\n");
    run.ok();
    assert_eq!(crate::guard::rows(&ctx, "User"), 0, "latest-safety is the state the last restore replaced");
}

/// Issue 16, point 6: `db execute` of SQL that deletes every row in a disguised way needs a
/// human (refused without a terminal, nothing deleted); the scanner reports the same SQL in a
/// migration.
#[test]
fn disguised_data_loss_in_db_execute_needs_a_human_and_is_scanned() {
    let ctx = crate::guard::guarded_project();
    for sql in [
        "DELETE FROM \"Post\" WHERE true;",
        "DELETE FROM \"Post\" WHERE 1=1;",
        "DELETE FROM \"Post\" WHERE 'a'='a';",
        "WITH d AS (DELETE FROM \"Post\" RETURNING *) SELECT count(*) FROM d;",
        "DELETE FROM \"Post\" WHERE id = ANY(SELECT id FROM \"Post\");",
        "SELECT purge_posts();",
        "DO $$ BEGIN EXECUTE 'DR' || 'OP TABLE \"Post\"'; END $$;",
        "MERGE INTO \"Post\" p USING \"Post\" s ON p.id = s.id WHEN MATCHED THEN UPDATE SET title = '';",
        "DELETE FROM \"Post\" p USING \"Post\" q WHERE p.id = q.id;",
    ] {
        ctx.write("wipe.sql", sql);
        let run = prisma(&ctx, &["db", "execute", "--file", "wipe.sql"]);
        assert_eq!(run.code, 3, "{sql}: {}", run.all());
        assert!(run.stderr.contains("needs a typed confirmation"), "{sql}: {}", run.stderr);
        assert_eq!(crate::guard::rows(&ctx, "Post"), 3, "{sql}");
    }
    ctx.write(
        "prisma/migrations/20260103000000_cleanup/migration.sql",
        "DROP OWNED BY app;\nDROP TYPE \"Role\" CASCADE;\nDROP MATERIALIZED VIEW \"Stats\";\nDO $$ BEGIN EXECUTE 'DROP TABLE \"User\"'; END $$;\nMERGE INTO \"Post\" p USING s ON p.id = s.id WHEN MATCHED THEN DELETE;\nUPDATE \"User\" SET name = s.name FROM s WHERE true;\n",
    );
    let run = ctx.run(&["scan", "--format", "json", "prisma/migrations"]);
    assert_eq!(run.code, 1, "{}", run.all());
    for rule in
        ["drop-owned", "drop-cascade", "drop-materialized-view", "dynamic-sql", "merge-delete", "update-without-where"]
    {
        assert!(run.stdout.contains(&format!("\"{rule}\"")), "{rule}: {}", run.stdout);
    }
}

/// Issue 16, review round 15, finding 3: WHERE clauses of session values (the same for every
/// row) are no WHERE, in db execute and in the scanner.
#[test]
fn session_valued_where_clauses_need_a_human_and_are_scanned() {
    let ctx = crate::guard::guarded_project();
    for sql in [
        "DELETE FROM \"Post\" WHERE current_user = current_user;",
        "DELETE FROM \"Post\" WHERE current_user IS NOT NULL;",
        "DELETE FROM \"Post\" WHERE session_user <> '';",
        "DELETE FROM \"Post\" WHERE now() = now();",
        "DELETE FROM \"Post\" WHERE id = 1 OR current_user IS NOT NULL;",
    ] {
        ctx.write("wipe.sql", sql);
        let run = prisma(&ctx, &["db", "execute", "--file", "wipe.sql"]);
        assert_eq!(run.code, 3, "{sql}: {}", run.all());
        assert!(run.stderr.contains("needs a typed confirmation"), "{sql}: {}", run.stderr);
        assert_eq!(crate::guard::rows(&ctx, "Post"), 3, "{sql}");
    }
    ctx.write(
        "prisma/migrations/20260103000000_cleanup/migration.sql",
        "DELETE FROM \"Post\" WHERE session_user <> '';\nUPDATE \"User\" SET name = 'x' WHERE current_user IS NOT NULL;\n",
    );
    let run = ctx.run(&["scan", "--format", "json", "prisma/migrations"]);
    assert_eq!(run.code, 1, "{}", run.all());
    for rule in ["delete-without-where", "update-without-where"] {
        assert!(run.stdout.contains(&format!("\"{rule}\"")), "{rule}: {}", run.stdout);
    }
}

/// Issue 16, point 7: a broken prisma-guard.toml does not block harmless commands (a
/// warning), and guarded ones fail closed with the parse error.
#[test]
fn a_broken_guard_toml_blocks_only_guarded_commands() {
    let ctx = crate::guard::guarded_project();
    ctx.write("prisma-guard.toml", "[guard\nallow = oops\n");
    let run = prisma(&ctx, &["--version"]);
    run.ok();
    assert!(run.stdout.contains("7.10.1"), "{}", run.all());
    assert!(run.stderr.contains("warning:") && run.stderr.contains("prisma-guard.toml"), "{}", run.stderr);
    prisma(&ctx, &["generate"]).ok();
    let run = prisma(&ctx, &["migrate", "deploy"]);
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(run.stderr.contains("was NOT run") && run.stderr.contains("is not valid"), "{}", run.stderr);
    assert_eq!(prisma_calls(&ctx).iter().filter(|c| c["argv"][0] == "migrate").count(), 1, "only the setup's deploy");
}

/// Issue 16, point 7: `.env` with a UTF-8 BOM, and dotenv's `KEY: value` form, are read as
/// Prisma reads them (Prisma 6: its own loader; Prisma 7: dotenv).
#[test]
fn dotenv_with_a_bom_or_colon_form_is_read_as_prisma_reads_it() {
    for (schema_url, env) in [
        ("  url = env(\"DATABASE_URL\")\n", "\u{feff}DATABASE_URL=\"file:./dev.db\"\n"),
        ("  url = env(\"DATABASE_URL\")\n", "DATABASE_URL: file:./dev.db\n"),
    ] {
        let ctx = TestContext::new();
        ctx.write("prisma/schema.prisma", &format!("datasource db {{\n  provider = \"sqlite\"\n{schema_url}}}\n"));
        ctx.write(".env", env);
        rusqlite::Connection::open(ctx.path("prisma/dev.db"))
            .unwrap()
            .execute_batch("CREATE TABLE t (id int); INSERT INTO t VALUES (1);")
            .unwrap();
        let run = ctx.run(&["backup"]);
        run.ok();
        assert_eq!(ctx.manifests()[0]["row_counts"]["t"], 1, "{env:?}");
    }
    // Prisma 7: the config's dotenv reads the BOM file too.
    let ctx = TestContext::new();
    ctx.prisma7_project("sqlite", "file:./dev.db");
    ctx.write(".env", "\u{feff}DATABASE_URL: file:./dev.db\n");
    rusqlite::Connection::open(ctx.path("dev.db")).unwrap().execute_batch("CREATE TABLE t (id int);").unwrap();
    ctx.run(&["backup"]).ok();
}

/// Issue 16, point 7: prisma exiting 130 (it declined to run: drift, a data-loss question
/// answered no; or Ctrl-C) is not reported as a certain change to undo, nor as certainly none.
#[test]
fn prisma_declining_is_not_reported_as_a_change_to_undo() {
    let mut ctx = crate::guard::guarded_project();
    ctx.set_env("FAKE_PRISMA_EXIT", "130");
    let run = prisma(&ctx, &["migrate", "deploy"]);
    assert_eq!(run.code, 130);
    assert!(
        run.stderr.contains("declined or was not confirmed") && run.stderr.contains("interrupted"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("To put it back"), "{}", run.stderr);
    ctx.set_env("FAKE_PRISMA_EXIT", "1");
    let run = prisma(&ctx, &["migrate", "deploy"]);
    assert!(run.stderr.contains("To put it back: prisma-guard restore"), "{}", run.stderr);
}

/// Issue 16, point 7: no password file for PostgreSQL at all; for MySQL, files a killed run
/// left behind are swept, a live run's are kept.
#[test]
fn password_files_never_outlive_their_run() {
    let pg = postgres();
    let db = pg.create_db("pr_secret");
    pg.app_sql(&db, INIT_SQL);
    let mut ctx = url_project(&pg.url(&db), "");
    let tmp = ctx.path("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    ctx.set_env("TMPDIR", &tmp.display().to_string());
    let secrets = || -> Vec<String> {
        std::fs::read_dir(&tmp)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(".prisma-guard-secret-"))
            .collect()
    };
    // A restore waiting at its prompt holds no file, and a SIGTERM there leaves none (the
    // database holds a row, so the restore asks before replacing it).
    pg.app_sql(&db, "INSERT INTO \"User\" (\"email\") VALUES ('a@example.com')");
    ctx.run(&["backup"]).ok();
    let mut child = ctx.spawn_at_prompt(&["restore", "latest"]);
    assert!(secrets().is_empty(), "{:?}", secrets());
    // SIGTERM to prisma-guard itself (the child of `script`), then wait for both to end.
    let killed = std::process::Command::new("pkill").args(["-TERM", "-P", &child.id().to_string()]).status().unwrap();
    assert!(killed.success(), "prisma-guard was running at its prompt");
    let _ = child.wait();
    assert!(secrets().is_empty(), "{:?}", secrets());

    let my = mariadb();
    let mdb = my.create_db("pr_secret_my");
    my.sql(&mdb, "CREATE TABLE t (id INT); INSERT INTO t VALUES (1)");
    let stale = tmp.join(".prisma-guard-secret-999999999-abcdef");
    let live = tmp.join(format!(".prisma-guard-secret-{}-abcdef", std::process::id()));
    std::fs::write(&stale, "password=old").unwrap();
    std::fs::write(&live, "password=live").unwrap();
    let mut other = TestContext::new();
    other.set_env("TMPDIR", &tmp.display().to_string());
    other.run(&["backup", "--url", &my.url(&mdb)]).ok().no_secret();
    assert!(!stale.exists(), "a dead run's file is swept");
    assert!(live.exists(), "a live run's file is kept");
    std::fs::remove_file(&live).unwrap();
    assert!(secrets().is_empty(), "the run removed its own: {:?}", secrets());
}

/// Issue 16, point 7: when psql stops reading part-way, its own error is shown, not "Broken
/// pipe" blaming the backup.
#[test]
fn a_failed_restore_shows_psqls_error_not_a_broken_pipe() {
    let pg = postgres();
    let src = pg.create_db("pr_pipe_src");
    pg.app_sql(&src, "CREATE TABLE big (id int, payload text); INSERT INTO big SELECT g, repeat(md5(g::text), 4) FROM generate_series(1, 60000) g");
    let ctx = url_project(&pg.url(&src), "");
    ctx.run(&["backup"]).ok();
    // A database app may connect to but not create tables in.
    let dst = "pr_pipe_dst";
    pg.admin(&format!("DROP DATABASE IF EXISTS {dst} WITH (FORCE)"));
    pg.admin(&format!("CREATE DATABASE {dst}"));
    let run = ctx.run(&["restore", "latest", "--to", &pg.url(dst)]);
    assert_ne!(run.code, 0, "{}", run.all());
    assert!(run.stderr.contains("permission denied"), "{}", run.stderr);
    assert!(
        !run.stderr.contains("Broken pipe") && !run.stderr.contains("could not read the whole backup"),
        "{}",
        run.stderr
    );
    run.no_secret();
}

/// Issue 16, point 7: the audit log names the user when $USER is not set (cron, containers).
#[test]
fn the_audit_log_names_the_user_without_user_set() {
    let ctx = crate::guard::guarded_project();
    assert!(ctx.env.iter().all(|(k, _)| k != "USER" && k != "LOGNAME"));
    prisma(&ctx, &["migrate", "deploy"]).ok();
    let audit = std::fs::read_to_string(ctx.path("backups/audit.jsonl")).unwrap();
    let entry: serde_json::Value = serde_json::from_str(audit.lines().last().unwrap()).unwrap();
    let me = std::process::Command::new("id").arg("-un").output().unwrap();
    assert_eq!(entry["user"], String::from_utf8_lossy(&me.stdout).trim(), "{audit}");
}

/// Issue 16, point 3: a backup that does not restore (here: an index over a function that calls
/// another without its schema, which fails under pg_dump's empty search_path once rows are
/// there) fails, so it is never the only backup taken before a destructive command: the guard
/// refuses.
#[test]
fn an_unrestorable_backup_fails_and_the_guard_refuses() {
    let pg = postgres();
    let db = pg.create_db("pr_unrestorable");
    pg.app_sql(&db, "CREATE SCHEMA app; SET search_path = app, public; CREATE FUNCTION app.inner_norm(text) RETURNS text LANGUAGE sql IMMUTABLE AS 'SELECT lower($1)'; CREATE FUNCTION app.norm(text) RETURNS text LANGUAGE sql IMMUTABLE AS 'SELECT inner_norm($1)'; CREATE TABLE app.\"User\" (id int, name text); CREATE INDEX user_norm ON app.\"User\" (app.norm(name)); INSERT INTO app.\"User\" VALUES (1, 'ADMIN')");
    let url = pg.url(&db).replace("schema=public", "schema=app");
    let ctx = url_project(&url, "");
    let run = ctx.run(&["backup"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stderr.contains("cannot be restored"), "{}", run.stderr);
    assert!(run.stderr.contains("inner_norm"), "psql's reason: {}", run.stderr);
    install_fake_prisma_only(ctx.root());
    let run = ctx.run_with_tty(&["exec", "--", "migrate", "reset", "--force"], &format!("{db}\n"));
    assert!(run.all().contains("the backup failed") && run.all().contains("was NOT run"), "{}", run.all());
    assert_eq!(pg.app_sql(&db, "SELECT count(*) FROM app.\"User\""), "1");
}

/// Subagent finding: prisma-guard's own `-C` must move prisma too, and `--config` given to
/// prisma-guard (not prisma) is refused: otherwise the guard judges one database and prisma
/// resets another.
#[test]
fn prisma_guard_dash_c_and_config_cannot_split_the_guard_from_prisma() {
    let (a, _) = two_databases("dashc");
    let mut ctx = project(Loader::Prisma, "");
    layout(&mut ctx, "dotenv-path", &a, "pr_dashc_b");
    // Another folder whose config names a database that does not exist.
    ctx.write("other/prisma.config.ts", &config_ts("import \"dotenv/config\";"));
    ctx.write("other/.env", &env_line("pr_dashc_missing"));
    ctx.write("other/prisma/schema.prisma", "datasource db {\n  provider = \"postgresql\"\n}\n");
    crate::guard::link_node_deps(&ctx.path("other"));
    crate::guard::install_fake_prisma_only(&ctx.path("other"));
    let mut cmd = ctx.cmd(&["-C", "other", "exec", "--", "migrate", "reset", "--force"]);
    cmd.env("CLAUDECODE", "1").env("PRISMA_USER_CONSENT_FOR_DANGEROUS_AI_ACTION", "yes");
    let run = Run::from(cmd.output().unwrap());
    run.no_secret();
    assert_eq!(users(&a), 3, "the database of the folder prisma-guard was not pointed at is untouched: {}", run.all());
    for call in prisma_calls(&ctx) {
        assert!(call["cwd"].as_str().unwrap().ends_with("/other"), "prisma ran where the guard looked: {call}");
    }
    let mut cmd = ctx.cmd(&["--config", "other/prisma.config.ts", "exec", "--", "migrate", "reset", "--force"]);
    cmd.env("CLAUDECODE", "1").env("PRISMA_USER_CONSENT_FOR_DANGEROUS_AI_ACTION", "yes");
    let run = Run::from(cmd.output().unwrap());
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(run.stderr.contains("given to prisma-guard, not to prisma"), "{}", run.stderr);
    assert_eq!(users(&a), 3);
}

/// Subagent finding: code preloaded by NODE_OPTIONS runs in Prisma and in the loader alike and
/// can give each a different DATABASE_URL: the database is not certain, the command refused.
#[test]
fn node_options_preloads_make_the_database_uncertain() {
    let (a, _) = two_databases("nodeopt");
    let mut ctx = project(Loader::Prisma, "");
    layout(&mut ctx, "dotenv-path", &a, "pr_nodeopt_b");
    ctx.write(
        "evil.js",
        "if (process.argv.includes('-e')) process.env.DATABASE_URL = 'postgresql://app@127.0.0.1:1/ghost';\n",
    );
    for evil in [
        format!("--require {}", ctx.path("evil.js").display()),
        format!("\"--require\" {}", ctx.path("evil.js").display()),
        format!("-r{}", ctx.path("evil.js").display()),
    ] {
        let mut cmd = crate::guard::prisma_command(&ctx, &["migrate", "reset", "--force"]);
        cmd.env("NODE_OPTIONS", &evil);
        let run = Run::from(cmd.output().unwrap());
        assert_ne!(run.code, 0, "{evil}: {}", run.all());
        assert!(run.stderr.contains("NODE_OPTIONS"), "{evil}: {}", run.stderr);
        assert!(prisma_calls(&ctx).is_empty(), "{evil}: prisma did not run");
        assert_eq!(users(&a), 3);
    }
}

/// Second review round: an AI agent is refused a destructive command even when the database
/// the guard resolves does not exist (it may not be the one that matters); and backups taken
/// before a prisma command stay in the project's folder whatever PRISMA_GUARD_BACKUP_DIR says.
#[test]
fn agents_are_refused_destructive_commands_on_missing_databases_too() {
    let mut ctx = project(Loader::Prisma, "");
    layout(&mut ctx, "dotenv-path", "pr_agentmissing_a", "pr_agentmissing_b");
    let run = reset_as_agent(&ctx, &[("PRISMA_USER_CONSENT_FOR_DANGEROUS_AI_ACTION", "yes")]);
    assert_eq!(run.code, 3, "{}", run.all());
    assert!(run.stderr.contains("needs a human"), "{}", run.stderr);
    assert!(prisma_calls(&ctx).is_empty());

    let (a, _) = two_databases("bdir");
    layout(&mut ctx, "dotenv-path", &a, "pr_bdir_b");
    let elsewhere = ctx.path("elsewhere");
    let mut cmd = crate::guard::prisma_command(&ctx, &["migrate", "deploy"]);
    cmd.env("PRISMA_GUARD_BACKUP_DIR", &elsewhere);
    let run = Run::from(cmd.output().unwrap());
    run.ok();
    assert!(run.stderr.contains("PRISMA_GUARD_BACKUP_DIR") && run.stderr.contains("ignored"), "{}", run.stderr);
    assert!(!elsewhere.exists(), "nothing written elsewhere");
    assert_eq!(ctx.manifests().len(), 1, "the backup is in the project's folder");
}

/// Subagent finding: an extension only a superuser may create (installed by one) must not make
/// every backup fail for the app's own user: the restore check is skipped with a warning.
#[test]
fn a_superuser_only_extension_does_not_block_backups() {
    let pg = postgres();
    let db = pg.create_db("pr_fdw");
    pg.sql(&db, "CREATE EXTENSION IF NOT EXISTS postgres_fdw");
    pg.app_sql(&db, INIT_SQL);
    let ctx = url_project(&pg.url(&db), "");
    let run = ctx.run(&["backup"]);
    run.ok();
    assert!(run.stderr.contains("could not check that the backup restores"), "{}", run.stderr);
    let m = &ctx.manifests()[0];
    assert!(m["warnings"].to_string().contains("extension"), "{m}");
}

/// Subagent findings: a prisma-guard.toml dropped in a subfolder is not the project's own (the
/// search starts at the project root); an AI agent may not prune backups; the audit log stays
/// in the project's backup folder whatever PRISMA_GUARD_BACKUP_DIR says.
#[test]
fn a_subfolder_toml_prune_and_backup_dir_cannot_loosen_the_guard() {
    let (a, _) = two_databases("subtoml");
    let mut ctx = project(Loader::Prisma, "");
    layout(&mut ctx, "dotenv-path", &a, "pr_subtoml_b");
    ctx.write("sub/prisma-guard.toml", "[[guard.allow]]\ndatabase = \"*\"\nbackup = false\n");
    let mut cmd = ctx.cmd(&["exec", "--", "--config", "../prisma.config.ts", "migrate", "reset", "--force"]);
    cmd.current_dir(ctx.path("sub"))
        .env("CLAUDECODE", "1")
        .env("PRISMA_USER_CONSENT_FOR_DANGEROUS_AI_ACTION", "1")
        .env("DATABASE_URL", postgres().url(&a));
    let run = Run::from(cmd.output().unwrap());
    assert_eq!(run.code, 3, "{}", run.all());
    assert!(!run.all().contains("Allow-listed"), "{}", run.all());
    assert_eq!(users(&a), 3);

    for _ in 0..3 {
        ctx.run(&["backup"]).ok();
    }
    let mut cmd = ctx.cmd(&["prune", "--yes", "--keep", "1", "--max-age-days", "0"]);
    cmd.env("CLAUDECODE", "1");
    let run = Run::from(cmd.output().unwrap());
    assert_eq!(run.code, 3, "{}", run.all());
    assert_eq!(ctx.manifests().len(), 3, "nothing deleted");
    assert_eq!(ctx.run(&["check", "--", "prisma-guard prune --yes --keep 1"]).code, 3);

    let elsewhere = ctx.path("elsewhere");
    let run = reset_as_agent(&ctx, &[("PRISMA_GUARD_BACKUP_DIR", elsewhere.to_str().unwrap())]);
    assert_eq!(run.code, 3, "{}", run.all());
    let audit = std::fs::read_to_string(ctx.path("backups/audit.jsonl")).unwrap();
    let last: serde_json::Value = serde_json::from_str(audit.lines().last().unwrap()).unwrap();
    assert_eq!((last["decision"].as_str(), last["agent"].as_str()), (Some("refused"), Some("CLAUDECODE")), "{audit}");
    assert!(!elsewhere.join("audit.jsonl").exists());
}

/// Subagent findings: a whole-database backup holding a large object restores in place (the
/// dump's own BEGIN/COMMIT around it no longer ends the restore's transaction, and the old
/// object is removed first).
#[test]
fn a_database_with_large_objects_restores_in_place() {
    let pg = postgres();
    let db = pg.create_db("pr_lo");
    pg.app_sql(&db, "CREATE TABLE doc (id int, body oid); INSERT INTO doc VALUES (1, lo_from_bytea(0, 'hello large object'::bytea))");
    let whole = pg.url(&db).replace("schema=public&", "");
    let ctx = url_project(&whole, "");
    ctx.run(&["backup"]).ok();
    ctx.run(&["restore-test"]).ok();
    pg.app_sql(&db, "DELETE FROM doc");
    ctx.run_with_tty(&["restore", "latest"], &format!("{db}\n")).ok();
    assert_eq!(pg.app_sql(&db, "SELECT convert_from(lo_get(body), 'UTF8') FROM doc"), "hello large object");
    ctx.run_with_tty(&["restore", "latest"], &format!("{db}\n")).ok();
}

/// Subagent finding: restoring a backup of some schemas never drops what other schemas build on
/// them (a view, a foreign key, a column of their type): refused, nothing changed.
#[test]
fn a_restore_that_would_drop_objects_of_other_schemas_is_refused() {
    let pg = postgres();
    let db = pg.create_db("pr_deps");
    pg.app_sql(&db, "CREATE SCHEMA app; CREATE SCHEMA reporting; CREATE TABLE app.\"User\" (id int PRIMARY KEY); INSERT INTO app.\"User\" VALUES (1), (2); CREATE VIEW reporting.user_count AS SELECT count(*) FROM app.\"User\"; CREATE TABLE reporting.kept (user_id int REFERENCES app.\"User\"(id)); INSERT INTO reporting.kept VALUES (1)");
    let url = pg.url(&db).replace("schema=public", "schema=app");
    let ctx = url_project(&url, "");
    ctx.run(&["backup"]).ok();
    let run = ctx.run_with_tty(&["restore", "latest"], &format!("{db}\n"));
    assert_ne!(run.code, 0, "{}", run.all());
    assert!(
        run.all().contains("would drop objects outside the schemas") && run.all().contains("user_count"),
        "{}",
        run.all()
    );
    assert_eq!(pg.app_sql(&db, "SELECT count(*) FROM reporting.kept"), "1");
    assert_eq!(pg.app_sql(&db, "SELECT * FROM reporting.user_count"), "2");
}

/// Subagent findings: with `.config/prisma.ts` (found from the project root) a relative SQLite
/// path is the project root's, as Prisma's engine runs there; and a dotenv call the static
/// reader cannot be sure runs (in an `if`, behind `&&`) makes the database uncertain.
#[test]
fn dot_config_sqlite_paths_and_conditional_dotenv_calls() {
    let ctx = crate::guard::guarded_project();
    std::fs::remove_file(ctx.path("prisma.config.ts")).unwrap();
    ctx.write(".config/prisma.ts", "import { defineConfig } from \"prisma/config\";\nexport default defineConfig({ schema: \"../prisma/schema.prisma\", datasource: { url: \"file:./dev.db\" } });\n");
    let run = ctx.run_with_tty(&["exec", "--", "migrate", "reset", "--force"], "no\n");
    assert!(run.all().contains(&format!("sqlite file {}", ctx.path("dev.db").display())), "{}", run.all());
    assert!(!run.all().contains("there is nothing to back up"), "{}", run.all());

    let (a, _) = two_databases("cond");
    let ctx = project(Loader::Static, "");
    ctx.write("prisma.config.ts", &config_ts("import { config } from \"dotenv\";\nif (process.env.NODE_ENV === \"test\") config({ path: \".env.test\" });"));
    ctx.write(".env.test", &env_line("pr_cond_missing"));
    let mut cmd = crate::guard::prisma_command(&ctx, &["migrate", "reset", "--force"]);
    cmd.env("DATABASE_URL", postgres().url(&a));
    let run = Run::from(cmd.output().unwrap());
    assert_ne!(run.code, 0, "{}", run.all());
    assert!(
        run.stderr.contains("cannot be sure which database") && run.stderr.contains("conditionally"),
        "{}",
        run.stderr
    );
    assert_eq!(users(&a), 3);
}

/// Subagent finding: a restore keeps who owns each table (where the restoring user may give
/// objects to that role), so the owner can still use its tables afterwards.
#[test]
fn a_restore_keeps_table_owners() {
    let pg = postgres();
    let db = pg.create_db("pr_owner");
    pg.admin("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'pr_owner1') THEN CREATE ROLE pr_owner1; END IF; END $$");
    pg.admin("GRANT pr_owner1 TO app");
    pg.sql(&db, "GRANT CREATE ON SCHEMA public TO pr_owner1");
    pg.app_sql(&db, "SET ROLE pr_owner1; CREATE TABLE owned (id int); INSERT INTO owned VALUES (1), (2)");
    let ctx = url_project(&pg.url(&db), "");
    ctx.run(&["backup"]).ok().no_secret();
    ctx.run(&["restore-test"]).ok();
    pg.app_sql(&db, "DELETE FROM owned");
    ctx.run_with_tty(&["restore", "latest"], &format!("{db}\n")).ok();
    assert_eq!(pg.app_sql(&db, "SELECT tableowner FROM pg_tables WHERE tablename = 'owned'"), "pr_owner1");
    assert_eq!(pg.app_sql(&db, "SELECT count(*) FROM owned"), "2");
}

/// Third review round: lines inside a comment's text that look like pg_dump's own statements
/// are data, not statements (they gave a role the schema when a superuser restored); and a
/// partitioned table or a name with quotes no longer makes a good backup fail its row counts.
#[test]
fn dump_text_inside_strings_is_never_run_and_odd_tables_count_right() {
    let pg = postgres();
    let db = pg.create_db("pr_comment");
    pg.admin("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'pr_mallory') THEN CREATE ROLE pr_mallory LOGIN PASSWORD 'm'; END IF; END $$");
    pg.sql(&db, "GRANT CREATE ON SCHEMA public TO pr_mallory");
    pg.sql(&db, "SET ROLE pr_mallory; CREATE TABLE public.mine (id int); COMMENT ON TABLE public.mine IS 'notes\nALTER SCHEMA \"public\" OWNER TO \"pr_mallory\";\nBEGIN;\n'");
    pg.sql(&db, "CREATE TABLE m (id int, at date) PARTITION BY RANGE (at); CREATE TABLE m1 PARTITION OF m FOR VALUES FROM ('2020-01-01') TO ('2030-01-01'); INSERT INTO m VALUES (1, '2024-01-01'), (2, '2025-01-01'); CREATE TABLE \"Odd \"\"Name\"\" ; --\" (id int); INSERT INTO \"Odd \"\"Name\"\" ; --\" VALUES (7)");
    let superuser = format!("postgresql://postgres:postgres-admin-pw@127.0.0.1:{}/{db}", pg.port);
    let ctx = url_project(&superuser, "");
    ctx.run(&["backup"]).ok();
    ctx.run(&["restore-test"]).ok();
    let owner = || pg.sql(&db, "SELECT nspowner::regrole::text FROM pg_namespace WHERE nspname = 'public'");
    let before = owner();
    assert_ne!(before, "pr_mallory");
    pg.sql(&db, "DELETE FROM m");
    ctx.run_with_tty(&["restore", "latest"], &format!("{db}\n")).ok();
    assert_eq!(owner(), before, "the comment's text was not run");
    assert_eq!(
        pg.sql(&db, "SELECT obj_description('public.mine'::regclass)"),
        "notes\nALTER SCHEMA \"public\" OWNER TO \"pr_mallory\";\nBEGIN;"
    );
    assert_eq!(pg.sql(&db, "SELECT count(*) FROM m"), "2");
    assert_eq!(
        pg.sql(&db, "SELECT tableowner FROM pg_tables WHERE tablename = 'mine'"),
        "pr_mallory",
        "the real owner line still runs"
    );
}

/// Third review round: FORCE ROW LEVEL SECURITY makes pg_dump refuse for the owning role; the
/// backup fails closed and says how to take it.
#[test]
fn force_row_level_security_fails_the_backup_with_the_fix() {
    let pg = postgres();
    let db = pg.create_db("pr_rls");
    pg.app_sql(&db, "CREATE TABLE r (id int, who text); INSERT INTO r VALUES (1, 'a'); ALTER TABLE r ENABLE ROW LEVEL SECURITY; ALTER TABLE r FORCE ROW LEVEL SECURITY; CREATE POLICY p ON r USING (who = current_user)");
    let ctx = url_project(&pg.url(&db), "");
    let run = ctx.run(&["backup"]);
    assert_ne!(run.code, 0, "{}", run.all());
    assert!(run.stderr.contains("BYPASSRLS"), "{}", run.stderr);
    run.no_secret();
}

/// Review finding: publications belong to the database, not to a schema. A whole-database
/// restore in place brings back the backup's publications (it no longer fails on "already
/// exists"); a schema-limited restore keeps the memberships its tables had (dropping the schema
/// dropped them, and a `--schema` dump does not hold them).
#[test]
fn publications_survive_in_place_restores() {
    let pg = postgres();
    let members = |db: &str| {
        pg.app_sql(db, "SELECT string_agg(m, ' ' ORDER BY m) FROM (SELECT pubname || ':' || schemaname || '.' || tablename AS m FROM pg_publication_tables) x")
    };
    // Whole database.
    let db = pg.create_db("pr_pub_whole");
    pg.app_sql(&db, "CREATE TABLE \"User\" (id int PRIMARY KEY, email text); INSERT INTO \"User\" VALUES (1, 'a'), (2, 'b'); CREATE PUBLICATION pr_feed FOR TABLE \"User\" (id) WHERE (id > 0)");
    let whole = pg.url(&db).replace("schema=public&", "");
    let ctx = url_project(&whole, "");
    ctx.run(&["backup"]).ok();
    pg.app_sql(&db, "DELETE FROM \"User\"");
    ctx.run_with_tty(&["restore", "latest"], &format!("{db}\n")).ok();
    assert_eq!(pg.app_sql(&db, "SELECT count(*) FROM \"User\""), "2");
    assert_eq!(members(&db), "pr_feed:public.User");
    assert_eq!(pg.app_sql(&db, "SELECT pg_get_expr(prqual, prrelid) FROM pg_publication_rel"), "(id > 0)");

    // Schema-limited, with a table-level and a schema-level publication.
    let db = pg.create_db("pr_pub_schema");
    pg.app_sql(&db, "CREATE SCHEMA app; CREATE TABLE app.\"User\" (id int PRIMARY KEY, email text); CREATE TABLE app.\"Post\" (id int); INSERT INTO app.\"User\" VALUES (1, 'a'); CREATE PUBLICATION pr_users FOR TABLE app.\"User\" (id, email) WHERE (id < 100)");
    pg.sql(&db, "CREATE PUBLICATION pr_app FOR TABLES IN SCHEMA app; ALTER PUBLICATION pr_app OWNER TO app");
    let before = members(&db);
    let url = pg.url(&db).replace("schema=public", "schema=app");
    let ctx = url_project(&url, "");
    ctx.run(&["backup"]).ok();
    pg.app_sql(&db, "DELETE FROM app.\"User\"");
    ctx.run_with_tty(&["restore", "latest"], &format!("{db}\n")).ok();
    assert_eq!(pg.app_sql(&db, "SELECT count(*) FROM app.\"User\""), "1");
    assert_eq!(members(&db), before);
    assert_eq!(pg.app_sql(&db, "SELECT pg_get_expr(prqual, prrelid) FROM pg_publication_rel"), "(id < 100)");
    // A membership the restored table cannot take (a column the backup does not have) is
    // named in a warning; the restore itself completes.
    pg.app_sql(
        &db,
        "ALTER TABLE app.\"User\" ADD COLUMN extra int; ALTER PUBLICATION pr_users SET TABLE app.\"User\" (id, extra)",
    );
    let run = ctx.run_with_tty(&["restore", "latest"], &format!("{db}\n"));
    run.ok();
    assert!(
        run.all().contains("could not put back publication membership (ALTER PUBLICATION pr_users")
            && run.all().contains("pr_users"),
        "{}",
        run.all()
    );
    assert_eq!(pg.app_sql(&db, "SELECT count(*) FROM app.\"User\""), "1");
}

/// Review finding: an extension only a superuser may create (installed by one) stays in place
/// when the app's own user restores over the database (the schema holding it is emptied, not
/// dropped), whole-database and schema-limited.
#[test]
fn a_superuser_only_extension_survives_an_in_place_restore_by_the_app_user() {
    let pg = postgres();
    for (name, whole) in [("pr_fdw_whole", true), ("pr_fdw_schema", false)] {
        let db = pg.create_db(name);
        pg.sql(&db, "CREATE EXTENSION IF NOT EXISTS postgres_fdw");
        pg.app_sql(&db, "CREATE EXTENSION citext; CREATE TYPE mood AS ENUM ('ok'); CREATE DOMAIN email AS citext; CREATE TABLE \"User\" (id serial PRIMARY KEY, m mood, e email, n int GENERATED ALWAYS AS IDENTITY); CREATE SEQUENCE free_seq; CREATE VIEW v AS SELECT id FROM \"User\"; CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql AS 'SELECT a'; INSERT INTO \"User\" (m, e) VALUES ('ok', 'A@x'), ('ok', 'b@x')");
        let url = if whole { pg.url(&db).replace("schema=public&", "") } else { pg.url(&db) };
        let ctx = url_project(&url, "");
        ctx.run(&["backup"]).ok();
        pg.app_sql(&db, "DELETE FROM \"User\"; DROP VIEW v; DROP FUNCTION f(int)");
        let run = ctx.run_with_tty(&["restore", "latest"], &format!("{db}\n"));
        run.ok();
        assert_eq!(pg.app_sql(&db, "SELECT count(*) FROM v WHERE f(id) = id"), "2", "{name}");
        assert_eq!(pg.app_sql(&db, "SELECT id FROM \"User\" WHERE e = 'a@X'"), "1", "{name}");
        assert_eq!(
            pg.app_sql(&db, "SELECT count(*) FROM pg_extension WHERE extname IN ('postgres_fdw', 'citext')"),
            "2",
            "{name}"
        );
        assert_eq!(pg.app_sql(&db, "SELECT nextval('\"User_id_seq\"')"), "3", "{name}");
        // A second restore in place works as well.
        ctx.run_with_tty(&["restore", "latest"], &format!("{db}\n")).ok();
    }
}

/// Review finding: loosening comes only from the project's own prisma-guard.toml as written by
/// its user and committed: a file in a folder above a project that is not in git (such as
/// /tmp), and an uncommitted or changed file in a git project (an agent can write one with
/// `python3 -c`), do not allow-list an agent's reset; once committed, it does.
#[test]
fn only_the_committed_project_toml_may_loosen_the_guard() {
    let allow = "[[guard.allow]]\ndatabase = \"*\"\nbackup = false\nreason = \"planted\"\n";
    // (a) Not in git, a file above the project.
    let ctx = crate::guard::guarded_project();
    let outer = tempfile::tempdir().unwrap();
    let app = outer.path().join("app");
    std::fs::create_dir_all(&app).unwrap();
    std::fs::write(outer.path().join("prisma-guard.toml"), allow).unwrap();
    for entry in ["prisma.config.ts", "prisma", ".env", "dev.db", "node_modules"] {
        let status = std::process::Command::new("cp").arg("-a").arg(ctx.path(entry)).arg(&app).status().unwrap();
        assert!(status.success());
    }
    let mut cmd = ctx.cmd(&["exec", "--", "migrate", "reset", "--force"]);
    cmd.current_dir(&app).env("CLAUDECODE", "1");
    let run = Run::from(cmd.output().unwrap());
    assert_eq!(run.code, 3, "{}", run.all());
    assert!(!run.all().contains("Allow-listed"), "{}", run.all());

    // (b) In git: uncommitted, then committed.
    let ctx = crate::guard::guarded_project();
    ctx.git_init();
    ctx.write("prisma-guard.toml", allow);
    let run = reset_as_agent(&ctx, &[]);
    assert_eq!(run.code, 3, "{}", run.all());
    assert!(run.stderr.contains("is not committed"), "{}", run.stderr);
    assert!(prisma_calls(&ctx).iter().all(|c| c["args"][1] != "reset"), "prisma did not reset");
    ctx.commit_files(&["prisma-guard.toml"]);
    let run = reset_as_agent(&ctx, &[]);
    assert!(run.all().contains("Allow-listed"), "{}", run.all());
    // Changed after the commit: the change does not count until committed; the committed
    // version (issue 18 review round 2: the base for a changed file) still does.
    ctx.write("prisma-guard.toml", &allow.replace("planted", "changed"));
    let run = reset_as_agent(&ctx, &[]);
    assert!(run.stderr.contains("differs from its committed version"), "{}", run.stderr);
    assert!(run.all().contains("(planted)") && !run.all().contains("(changed)"), "{}", run.all());
}

/// Review finding: when the restore check cannot make its scratch database (no CREATEDB), the
/// warning and the manifest carry psql's own error, not a line cut after "failed:".
#[test]
fn a_restore_check_that_cannot_run_says_why_in_full() {
    let pg = postgres();
    pg.admin("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'pr_nocreate') THEN CREATE ROLE pr_nocreate LOGIN PASSWORD 'nocreate-pw'; END IF; END $$");
    pg.admin("DROP DATABASE IF EXISTS pr_nocreate_db WITH (FORCE)");
    pg.admin("CREATE DATABASE pr_nocreate_db OWNER pr_nocreate");
    let url = format!("postgresql://pr_nocreate:nocreate-pw@127.0.0.1:{}/pr_nocreate_db?schema=public", pg.port);
    let ctx = url_project(&url, "");
    let run = ctx.run(&["backup"]);
    run.ok();
    assert!(run.stderr.contains("permission denied to create database"), "{}", run.stderr);
    let m = &ctx.manifests()[0];
    assert!(m["warnings"].to_string().contains("permission denied to create database"), "{m}");
    assert!(!run.all().contains("nocreate-pw"));
}

/// Review finding: a config that reads `process.argv` or the environment prisma runs in
/// (PRISMA_GUARD_DEPTH) is loaded with the same argv and environment as Prisma, so the guard
/// names the database Prisma changes, and a destructive command on it is not "nothing to
/// lose". Prisma's own `--schema` decides which datasource (and its `schemas`) counts.
#[test]
fn the_config_is_loaded_with_the_argv_and_environment_prisma_gets() {
    let (a, b) = two_databases("argv");
    let ctx = project(Loader::Prisma, "");
    ctx.write(".env", &env_line(&a));
    ctx.write(
        "prisma.config.ts",
        &format!(
            "import \"dotenv/config\";\nimport {{ defineConfig, env }} from \"prisma/config\";\nconst real = env(\"DATABASE_URL\");\nconst url = process.argv.length > 2 && process.env.PRISMA_GUARD_DEPTH ? real : real.replace(\"/{a}?\", \"/{b}_missing?\");\nexport default defineConfig({{ schema: \"prisma/schema.prisma\", datasource: {{ url }} }});\n"
        ),
    );
    let run = prisma_tty(&ctx, &["migrate", "reset", "--force"], "no\n");
    assert!(run.all().contains(&format!("Type the database name `{a}`")), "{}", run.all());
    assert!(!run.all().contains("there is nothing to back up"), "{}", run.all());
    assert_eq!(users(&a), 3);
    let _ = b;
}

/// Review finding: with a prisma.config.ts, Prisma's own `--schema` decides the datasource, and
/// so which schemas a multiSchema reset puts at risk (and are backed up).
#[test]
fn prismas_schema_flag_decides_which_schemas_are_at_risk() {
    let pg = postgres();
    let db = pg.create_db("pr_alt_schema");
    pg.app_sql(&db, "CREATE SCHEMA app; CREATE SCHEMA audit; CREATE TABLE app.\"User\" (id int); CREATE TABLE audit.\"Log\" (id int); INSERT INTO app.\"User\" VALUES (1); INSERT INTO audit.\"Log\" SELECT g FROM generate_series(1, 702) g");
    let ctx = project(Loader::Prisma, "");
    let url = pg.url(&db).replace("schema=public", "schema=app");
    ctx.write(".env", &format!("DATABASE_URL=\"{url}\"\n"));
    ctx.write("prisma.config.ts", &config_ts("import \"dotenv/config\";"));
    ctx.write("prisma/schema.prisma", "datasource db {\n  provider = \"postgresql\"\n  schemas = [\"app\"]\n}\n");
    ctx.write(
        "prisma/alt.prisma",
        "datasource db {\n  provider = \"postgresql\"\n  schemas = [\"app\", \"audit\"]\n}\n",
    );
    let run = prisma_tty(&ctx, &["migrate", "reset", "--force", "--schema", "prisma/alt.prisma"], "no\n");
    assert!(run.all().contains("audit.Log: 702"), "{}", run.all());
}

/// Review finding: an impostor pg_dump earlier on PATH (one an agent set) wrote a "backup"
/// that verified but held nothing, and the guard let prisma run. The backup now fails when
/// it holds none of some of the server's tables; a line that sets PATH for prisma is refused.
#[test]
fn an_impostor_dump_tool_on_path_is_no_backup() {
    let pg = postgres();
    let db = pg.create_db("pr_fake_dump");
    pg.app_sql(&db, INIT_SQL);
    let mut ctx = url_project(&pg.url(&db), "");
    ctx.write(
        "fakebin/pg_dump",
        "#!/bin/sh\ncase \"$1\" in --version) echo 'pg_dump (PostgreSQL) 99.0';; *) echo 'SELECT 1;';; esac\n",
    );
    std::process::Command::new("chmod").args(["+x", ctx.path("fakebin/pg_dump").to_str().unwrap()]).status().unwrap();
    let path = format!("{}:{}", ctx.path("fakebin").display(), ctx.env_var("PATH"));
    ctx.set_env("PATH", &path);
    let run = ctx.run(&["backup"]);
    assert_ne!(run.code, 0, "{}", run.all());
    assert!(run.stderr.contains("holds no data for") && run.stderr.contains("public.User"), "{}", run.stderr);
    assert!(ctx.manifests().is_empty(), "no backup recorded");
    let run = ctx.run(&["check", "--", "PATH=/tmp/x:$PATH npx prisma db execute --file del.sql"]);
    assert_eq!(run.code, 3, "{}", run.all());
    let run = ctx.run(&["check", "--", "export PATH=/tmp/x:$PATH; npx prisma migrate dev"]);
    assert_eq!(run.code, 3, "{}", run.all());
    let run = ctx.run(&["check", "--", "SQLITE_PATH=x npx prisma migrate status"]);
    assert_eq!(run.code, 0, "{}", run.all());
}

/// Review finding: `restore latest` over the project's database is the newest backup of that
/// database, not a newer one of another database taken with --url; a backup of another
/// database named by id says so in the prompt.
#[test]
fn restore_latest_is_a_backup_of_this_database() {
    let (a, b) = two_databases("latestdb");
    let ctx = url_project(&postgres().url(&a), "");
    ctx.run(&["backup"]).ok();
    let mine = ctx.manifests()[0]["id"].as_str().unwrap().to_string();
    ctx.run(&["--url", &postgres().url(&b), "backup"]).ok();
    let other = ctx.manifests()[0]["id"].as_str().unwrap().to_string();
    assert_ne!(mine, other);
    let run = ctx.run_with_tty(&["restore", "latest"], "nope\n");
    assert!(run.all().contains(&format!("Restoring backup {mine}")), "{}", run.all());
    let run = ctx.run_with_tty(&["restore", &other], "nope\n");
    assert!(run.all().contains(&format!("The backup is of another database: `{b}`")), "{}", run.all());
    assert_eq!(users(&a), 3);
}

/// Review findings (sixth round): a config that names another database in the guard's own
/// loader run than in Prisma's (`process.execArgv`, stdin, a counter file ...) cannot make a
/// destructive command run unasked: a missing database is no "nothing to lose" for a reset;
/// and `db execute --file` hands prisma the SQL that was judged (on its stdin), so the file
/// cannot be swapped between the check and prisma reading it.
#[test]
fn a_config_that_tells_the_runs_apart_and_a_swapped_sql_file_lose_nothing() {
    let (a, _) = two_databases("twofaced");
    let ctx = project(Loader::Prisma, "");
    ctx.write(".env", &env_line(&a));
    ctx.write(
        "prisma.config.ts",
        &format!(
            "import \"dotenv/config\";\nimport {{ defineConfig, env }} from \"prisma/config\";\nconst probe = process.execArgv.includes(\"-e\");\nexport default defineConfig({{ schema: \"prisma/schema.prisma\", datasource: {{ url: probe ? env(\"DATABASE_URL\").replace(\"/{a}?\", \"/pr_twofaced_missing?\") : env(\"DATABASE_URL\") }} }});\n"
        ),
    );
    let run = prisma(&ctx, &["migrate", "reset", "--force"]);
    assert_ne!(run.code, 0, "{}", run.all());
    assert!(run.stderr.contains("was NOT run"), "{}", run.all());
    assert!(!run.all().contains("there is nothing to back up"), "{}", run.all());
    assert_eq!(users(&a), 3, "nothing was reset");

    let ctx = crate::guard::guarded_project();
    ctx.write("harmless.sql", "SELECT 1;\n");
    let run = prisma(&ctx, &["db", "execute", "--file", "harmless.sql"]);
    run.ok();
    let call = prisma_calls(&ctx).last().unwrap().clone();
    let argv: Vec<String> = call["argv"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect();
    assert!(argv.iter().any(|a| a == "--stdin") && !argv.iter().any(|a| a == "--file"), "{argv:?}");
    assert_eq!(call["stdin"], "SELECT 1;\n", "prisma ran the very SQL that was judged");
}

/// Review finding (seventh round): libpq's environment (PGPORT, PGHOST, PGDATABASE, a
/// service) must not point the guard's pg_dump and psql at another server than the one
/// Prisma uses: a URL without a port is Prisma's 5432, whatever PGPORT says.
#[test]
fn libpq_variables_cannot_point_the_guard_at_another_server() {
    let pg = postgres();
    let db = pg.create_db("pr_pgport");
    pg.app_sql(&db, INIT_SQL);
    // No port in the URL: Prisma connects to 5432 (nothing listens there in the tests).
    let url = format!("postgresql://app:{SECRET}@127.0.0.1/{db}?schema=public");
    let mut ctx = url_project(&url, "");
    ctx.set_env("PGPORT", &pg.port.to_string());
    ctx.set_env("PGHOST", "127.0.0.1");
    let run = ctx.run(&["backup"]);
    assert_ne!(run.code, 0, "backed up the server PGPORT names, not Prisma's: {}", run.all());
    assert!(run.all().contains("5432"), "{}", run.all());
    assert!(ctx.manifests().is_empty());
}

/// Review finding (eighth round): libpq settings in the URL's query (`?dbname=decoy`) do not
/// send the backup to another database than the one Prisma reads from the URL.
#[test]
fn libpq_settings_in_the_url_query_cannot_redirect_the_backup() {
    let pg = postgres();
    let db = pg.create_db("pr_query_dbname");
    pg.app_sql(&db, "CREATE TABLE \"User\" (id int); INSERT INTO \"User\" VALUES (1), (2), (3)");
    pg.create_db("pr_query_decoy");
    let url = pg.url(&db).replace("schema=public", "schema=public&dbname=pr_query_decoy&port=1");
    let ctx = url_project(&url, "");
    ctx.run(&["backup"]).ok();
    let m = &ctx.manifests()[0];
    assert_eq!(m["row_counts"]["public.User"], 3, "{m}");
}

/// Round 10: a first-run trick hidden behind a computed `require`, or in a module the config
/// imports, makes the database uncertain; a `node` wrapper earlier on PATH cannot hand the
/// config loader another database than Prisma's; a named guard config cannot move the
/// backups and the audit log out of the project.
#[test]
fn first_run_tricks_node_wrappers_and_moved_backups_do_not_split_the_guard_from_prisma() {
    let (a, b) = two_databases("r10");
    let ctx = project(Loader::Prisma, "");
    ctx.write(".env", &env_line(&a));
    ctx.write("prisma/migrations/20260102000000_cleanup/migration.sql", "DROP TABLE \"User\";\n");
    let flag = ctx.path("first-run-flag").display().to_string();
    let head = "import \"dotenv/config\";\nimport { defineConfig, env } from \"prisma/config\";\n";
    let tricky = |body: &str| {
        format!("{head}{body}const u = env(\"DATABASE_URL\");\nexport default defineConfig({{\n  schema: \"prisma/schema.prisma\",\n  datasource: {{ url: first ? u.split(\"/{a}\").join(\"/{b}\") : u }},\n}});\n")
    };
    let deploy = |ctx: &TestContext, env: &[(&str, &str)]| {
        let mut cmd = crate::guard::prisma_command(ctx, &["migrate", "deploy"]);
        cmd.env("CLAUDECODE", "1").stdin(std::process::Stdio::null());
        for (k, v) in env {
            cmd.env(k, v);
        }
        Run::from(cmd.output().unwrap())
    };
    // A computed require of fs.
    ctx.write(
        "prisma.config.ts",
        &tricky(&format!("const f = require([\"f\", \"s\"].join(\"\"));\nconst first = !f.existsSync(\"{flag}\");\nif (first) f.writeFileSync(\"{flag}\", \"\");\n")),
    );
    let run = deploy(&ctx, &[]);
    assert_ne!(run.code, 0, "{}", run.all());
    assert!(run.stderr.contains("computed module name"), "{}", run.stderr);
    assert_eq!(users(&a), 3, "the migration did not run");
    // The same trick in a module the config imports.
    let _ = std::fs::remove_file(&flag);
    ctx.write(
        "lib/first.ts",
        &format!("import {{ existsSync, writeFileSync }} from \"node:fs\";\nexport const first = !existsSync(\"{flag}\");\nif (first) writeFileSync(\"{flag}\", \"\");\n"),
    );
    ctx.write("prisma.config.ts", &tricky("import { first } from \"./lib/first\";\n"));
    let run = deploy(&ctx, &[]);
    assert_ne!(run.code, 0, "{}", run.all());
    assert!(run.stderr.contains("first.ts, which imports `fs`"), "{}", run.stderr);
    assert_eq!(users(&a), 3, "the migration did not run");
    // A node wrapper on PATH that gives only the guard's loader another DATABASE_URL: the
    // loader is not asked through a script, the files decide, and the backup is of `a`.
    ctx.write("prisma.config.ts", &config_ts("import \"dotenv/config\";"));
    let node = which::which("node").unwrap();
    ctx.write(
        "fakenode/node",
        &format!("#!/bin/sh\ncase \"$1\" in */prisma-guard-load-config-*) export DATABASE_URL=\"{}\";; esac\nexec {} \"$@\"\n", postgres().url(&b), node.display()),
    );
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(ctx.path("fakenode/node"), std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!("{}:{}", ctx.path("fakenode").display(), ctx.env_var("PATH"));
    let run = deploy(&ctx, &[("PATH", &path)]);
    let urls: Vec<String> = ctx.manifests().iter().map(|m| m["database_url"].as_str().unwrap().to_string()).collect();
    assert!(!urls.iter().any(|u| u.contains(&format!("/{b}"))), "never a backup of the decoy: {urls:?} {}", run.all());
    if run.code == 0 {
        assert!(urls.iter().any(|u| u.contains(&format!("/{a}"))), "{urls:?}");
    }
    // A named guard config's backup folder is ignored, with a warning: the backup and the
    // audit log stay in the project.
    let elsewhere = tempfile::tempdir().unwrap();
    ctx.write("evil.toml", &format!("[backup]\ndir = \"{}\"\n", elsewhere.path().display()));
    let evil = ctx.path("evil.toml").display().to_string();
    let before = ctx.manifests().len();
    let run = deploy(&ctx, &[("PRISMA_GUARD_CONFIG", &evil)]);
    assert!(run.stderr.contains("backup.dir"), "{}", run.all());
    assert_eq!(std::fs::read_dir(elsewhere.path()).unwrap().count(), 0, "nothing written there");
    assert!(ctx.manifests().len() > before || run.code != 0, "{}", run.all());
    let audit = std::fs::read_to_string(ctx.path("backups/audit.jsonl")).unwrap_or_default();
    assert!(audit.contains("CLAUDECODE"), "the audit log stays in the project: {audit}");
}

/// Round 10: PostgreSQL ends a `--` comment at a carriage return: a DELETE after one is seen.
#[test]
fn a_carriage_return_cannot_hide_sql_in_a_comment() {
    let ctx = crate::guard::guarded_project();
    ctx.write("q.sql", "SELECT 1; -- cleanup\rDELETE FROM \"Post\";\n");
    let run = prisma(&ctx, &["db", "execute", "--file", "q.sql"]);
    assert_eq!(run.code, 3, "{}", run.all());
    assert_eq!(crate::guard::rows(&ctx, "Post"), 3);
    let run = ctx.run(&["check", "--", "npx prisma db execute --file q.sql"]);
    assert_eq!(run.code, 3, "{}", run.all());
    ctx.write("prisma/migrations/20260103000000_cr/migration.sql", "SELECT 1; -- x\rDELETE FROM \"Post\";\n");
    let run = ctx.run(&["scan", "prisma/migrations"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stdout.contains("delete-without-where"), "{}", run.stdout);
}

/// Round 11: `mainModule` from `node:process` tells the guard's loader from Prisma's run: the
/// database is uncertain. A .env rewritten between the guard's check and Prisma's start does
/// not move Prisma: the values the check saw are handed to it.
#[test]
fn process_imports_and_a_late_dotenv_change_do_not_split_the_guard_from_prisma() {
    let (a, b) = two_databases("r11");
    let ctx = project(Loader::Prisma, "");
    ctx.write(".env", &env_line(&a));
    ctx.write("prisma/migrations/20260102000000_cleanup/migration.sql", "DROP TABLE \"User\";\n");
    let deploy = |ctx: &TestContext| {
        let mut cmd = crate::guard::prisma_command(ctx, &["migrate", "deploy"]);
        cmd.env("CLAUDECODE", "1").stdin(std::process::Stdio::null());
        cmd
    };
    ctx.write(
        "prisma.config.ts",
        &format!("import \"dotenv/config\";\nimport {{ mainModule, env as E }} from \"node:process\";\nimport {{ defineConfig, env }} from \"prisma/config\";\nif (!String(mainModule && mainModule.filename).includes(\"load-config\")) E.DATABASE_URL = \"{}\";\nexport default defineConfig({{ schema: \"prisma/schema.prisma\", migrations: {{ path: \"prisma/migrations\" }}, datasource: {{ url: env(\"DATABASE_URL\") }} }});\n", postgres().url(&b)),
    );
    let run = Run::from(deploy(&ctx).output().unwrap());
    assert_ne!(run.code, 0, "{}", run.all());
    assert!(run.stderr.contains("mainModule"), "{}", run.stderr);
    assert_eq!(users(&b), 5, "the other database is untouched");
    // A plain config; .env is rewritten to name `b` the moment the backup of `a` is saved.
    ctx.write("prisma.config.ts", &config_ts("import \"dotenv/config\";"));
    let swap = {
        let (backups, env, line) = (ctx.path("backups"), ctx.path(".env"), env_line(&b));
        std::thread::spawn(move || {
            for _ in 0..3000 {
                let saved = std::fs::read_dir(&backups)
                    .map(|d| d.flatten().any(|e| e.file_name().to_string_lossy().ends_with(".json")))
                    .unwrap_or(false);
                if saved {
                    std::fs::write(&env, line).unwrap();
                    return true;
                }
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
            false
        })
    };
    let run = Run::from(deploy(&ctx).output().unwrap());
    assert!(swap.join().unwrap(), "the .env was swapped during the run");
    // Round 12: the files are read again just before Prisma starts, so a swap before that
    // moment stops the run; one after it is too late to matter: the values the check saw
    // are handed to Prisma.
    if run.code == 0 {
        assert_eq!(datasource_db(&run.stdout).as_deref(), Some(a.as_str()), "{}", run.all());
    } else {
        assert!(run.stderr.contains(".env changed"), "{}", run.all());
        assert!(!prisma_ran(&ctx), "prisma did not run");
    }
    assert_eq!(users(&b), 5, "prisma did not touch the database nobody backed up");
    let urls: Vec<String> = ctx.manifests().iter().map(|m| m["database_url"].as_str().unwrap().to_string()).collect();
    assert!(urls.iter().all(|u| u.contains(&format!("/{a}"))), "{urls:?}");
}

/// Round 11: a table owned by a role the restoring user belongs to, but which may not create
/// in `public` (PostgreSQL 15): the backup restores (the owner change is a warning, not a
/// rolled-back restore).
#[test]
fn an_owner_that_cannot_hold_the_object_does_not_make_the_backup_unrestorable() {
    let pg = postgres();
    pg.admin("DO $$ BEGIN CREATE ROLE owner2 NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$; GRANT owner2 TO app");
    let db = pg.create_db("pr_owner2");
    pg.app_sql(
        &db,
        "CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t SELECT generate_series(1, 50); CREATE TABLE o (id int)",
    );
    pg.sql(&db, "ALTER TABLE o OWNER TO owner2");
    let ctx = url_project(&pg.url(&db), "");
    ctx.run(&["backup"]).ok();
    let run = ctx.run(&["restore-test"]);
    run.ok();
    pg.app_sql(&db, "DELETE FROM t WHERE id > 10");
    let run = ctx.run_with_tty(&["restore", "latest"], &format!("{db}\n"));
    run.ok();
    assert_eq!(pg.app_sql(&db, "SELECT count(*) FROM t"), "50");
}

/// Round 12, finding 1: the values prisma-guard hands Prisma (what the config's dotenv calls
/// loaded) never change what the config evaluates to. A config that reads the URL before a
/// later `config({ override: true })` (or reads the environment before its dotenv call) names
/// one database when evaluated bare and another with those values set: refused, nothing
/// applied, in either database.
#[test]
fn variables_handed_to_prisma_never_change_what_its_config_names() {
    let (a, b) = two_databases("r12pins");
    let ctx = project(Loader::Prisma, "");
    // `.env.a` names the decoy `b`, `.env.b` the database `a`.
    ctx.write(".env.a", &env_line(&b));
    ctx.write(".env.b", &env_line(&a));
    ctx.write("prisma/migrations/20260102000000_wipe/migration.sql", "DELETE FROM \"User\" WHERE id IS NOT NULL;\n");
    let deploy = |ctx: &TestContext| {
        let mut cmd = crate::guard::prisma_command(ctx, &["migrate", "deploy"]);
        cmd.env("CLAUDECODE", "1").stdin(std::process::Stdio::null());
        Run::from(cmd.output().unwrap())
    };
    let tail = "migrations: { path: 'prisma/migrations' }, schema: 'prisma/schema.prisma'";
    for config in [
        format!("import {{ config }} from 'dotenv'\nimport {{ defineConfig, env }} from 'prisma/config'\nconst NAME = 'DATABASE_URL'\nconfig({{ path: '.env.a', quiet: true }})\nconst settings = defineConfig({{ {tail}, datasource: {{ url: env(NAME) }} }})\nconfig({{ path: '.env.b', override: true, quiet: true }})\nexport default settings\n"),
        format!("import {{ config }} from 'dotenv'\nimport {{ defineConfig }} from 'prisma/config'\nconst fromShell = process.env.DATABASE_URL\nconfig({{ path: '.env.b', quiet: true }})\nexport default defineConfig({{ {tail}, datasource: {{ url: fromShell ?? '{}' }} }})\n", postgres().url(&b)),
    ] {
        ctx.write("prisma.config.ts", &config);
        let run = deploy(&ctx);
        assert_ne!(run.code, 0, "{config}\n{}", run.all());
        assert!(run.stderr.contains("cannot be sure which database"), "{}", run.stderr);
        assert!(run.stderr.contains("evaluates"), "{}", run.stderr);
        assert!(!prisma_ran(&ctx), "prisma did not run");
        assert_eq!((users(&a), users(&b)), (3, 5), "nothing was deleted");
    }

    // Read without Prisma's loader: an override after the URL is read is not followed either.
    let ctx = project(Loader::Static, "");
    ctx.write(".env.a", &env_line(&b));
    ctx.write(".env.b", &env_line(&a));
    ctx.write("prisma/migrations/20260102000000_wipe/migration.sql", "DELETE FROM \"User\" WHERE id IS NOT NULL;\n");
    ctx.write(
        "prisma.config.ts",
        &format!("import {{ config }} from 'dotenv'\nimport {{ defineConfig, env }} from 'prisma/config'\nconfig({{ path: '.env.b', override: true, quiet: true }})\nconst settings = defineConfig({{ {tail}, datasource: {{ url: env('DATABASE_URL') }} }})\nconfig({{ path: '.env.a', override: true, quiet: true }})\nexport default settings\n"),
    );
    let run = deploy(&ctx);
    assert_ne!(run.code, 0, "{}", run.all());
    assert!(run.stderr.contains("override"), "{}", run.stderr);
    assert!(!prisma_ran(&ctx), "prisma did not run");
    assert_eq!((users(&a), users(&b)), (3, 5), "nothing was deleted");
}

/// Run `migrate deploy` as an agent while `swap` runs on another thread as soon as the backup
/// starts (its file appears in backups/).
fn deploy_while_swapping(ctx: &TestContext, swap: impl FnOnce() + Send + 'static) -> (Run, bool) {
    let backups = ctx.path("backups");
    let swapper = std::thread::spawn(move || {
        for _ in 0..6000 {
            let started = std::fs::read_dir(&backups)
                // A backup's first file: its hidden reservation (the dump itself keeps a
                // hidden name until it is checked, at the very end).
                .map(|d| d.flatten().any(|e| e.file_name().to_string_lossy().trim_start_matches('.').starts_with("20")))
                .unwrap_or(false);
            if started {
                swap();
                return true;
            }
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        false
    });
    let mut cmd = crate::guard::prisma_command(ctx, &["migrate", "deploy"]);
    cmd.env("CLAUDECODE", "1").stdin(std::process::Stdio::null());
    let run = Run::from(cmd.output().unwrap());
    (run, swapper.join().unwrap())
}

/// Round 12, finding 2: prisma.config.ts, or a JSON file or module it imports, rewritten while
/// the guard backs up, cannot point Prisma at a database nobody backed up: the files are
/// checked again just before Prisma starts, and a change stops the run.
#[test]
fn a_config_or_its_imports_swapped_during_the_backup_stop_the_run() {
    let (a, b) = two_databases("r12swap");
    let ctx = project(Loader::Prisma, "");
    ctx.write("prisma/migrations/20260102000000_wipe/migration.sql", "DELETE FROM \"User\" WHERE id IS NOT NULL;\n");
    let head = "import { defineConfig } from 'prisma/config'\n";
    let literal = |db: &str| {
        format!("{head}export default defineConfig({{ schema: 'prisma/schema.prisma', migrations: {{ path: 'prisma/migrations' }}, datasource: {{ url: '{}' }} }})\n", postgres().url(db))
    };
    // The config itself: names the decoy `b` when checked, `a` when Prisma starts.
    ctx.write("prisma.config.ts", &literal(&b));
    let (file, text) = (ctx.path("prisma.config.ts"), literal(&a));
    let (run, swapped) = deploy_while_swapping(&ctx, move || std::fs::write(&file, text).unwrap());
    assert!(swapped, "the config was swapped during the run: {}", run.all());
    assert_ne!(run.code, 0, "{}", run.all());
    assert!(run.stderr.contains("prisma.config.ts changed"), "{}", run.stderr);
    assert!(run.stderr.contains("run the command again"), "{}", run.stderr);
    assert!(!prisma_ran(&ctx), "prisma did not run");
    assert_eq!((users(&a), users(&b)), (3, 5), "nothing was deleted");

    // A JSON file the config imports.
    let _ = std::fs::remove_dir_all(ctx.path("backups"));
    let json = |db: &str| format!("{{ \"url\": \"{}\" }}\n", postgres().url(db));
    ctx.write("db.json", &json(&b));
    ctx.write(
        "prisma.config.ts",
        &format!("{head}import db from './db.json'\nexport default defineConfig({{ schema: 'prisma/schema.prisma', migrations: {{ path: 'prisma/migrations' }}, datasource: {{ url: db.url }} }})\n"),
    );
    let (file, text) = (ctx.path("db.json"), json(&a));
    let (run, swapped) = deploy_while_swapping(&ctx, move || std::fs::write(&file, text).unwrap());
    assert!(swapped, "db.json was swapped during the run: {}", run.all());
    assert_ne!(run.code, 0, "{}", run.all());
    assert!(run.stderr.contains("db.json changed"), "{}", run.stderr);
    assert!(!prisma_ran(&ctx), "prisma did not run");
    assert_eq!((users(&a), users(&b)), (3, 5), "nothing was deleted");

    // A .env the config loads with `override` (so the values handed to Prisma do not hold).
    let _ = std::fs::remove_dir_all(ctx.path("backups"));
    ctx.write(".env", &env_line(&b));
    ctx.write(
        "prisma.config.ts",
        &format!("import {{ config }} from 'dotenv'\n{head}import {{ env }} from 'prisma/config'\nconfig({{ override: true, quiet: true }})\nexport default defineConfig({{ schema: 'prisma/schema.prisma', migrations: {{ path: 'prisma/migrations' }}, datasource: {{ url: env('DATABASE_URL') }} }})\n"),
    );
    let (file, text) = (ctx.path(".env"), env_line(&a));
    let (run, swapped) = deploy_while_swapping(&ctx, move || std::fs::write(&file, text).unwrap());
    assert!(swapped, ".env was swapped during the run: {}", run.all());
    assert_ne!(run.code, 0, "{}", run.all());
    assert!(run.stderr.contains(".env changed"), "{}", run.stderr);
    assert!(!prisma_ran(&ctx), "prisma did not run");
    assert_eq!((users(&a), users(&b)), (3, 5), "nothing was deleted");

    // Unchanged files: the migration runs, after a backup of the database it changes.
    ctx.write(".env", &env_line(&b));
    let run = Run::from({
        let mut cmd = crate::guard::prisma_command(&ctx, &["migrate", "deploy"]);
        cmd.env("CLAUDECODE", "1").stdin(std::process::Stdio::null());
        cmd.output().unwrap()
    });
    run.ok();
    assert_eq!(datasource_db(&run.stdout).as_deref(), Some(b.as_str()), "{}", run.all());
    assert_eq!((users(&a), users(&b)), (3, 0));
}

/// Round 12, finding 3: a function whose body is not known, called from a materialized view
/// (or any other place that runs it), needs a human like `SELECT g()` does.
#[test]
fn unknown_functions_called_from_views_triggers_and_checks_need_a_human() {
    let ctx = crate::guard::guarded_project();
    for sql in [
        "CREATE MATERIALIZED VIEW mv AS SELECT g();",
        "VALUES (g());",
        "COPY (SELECT g()) TO STDOUT;",
        "DECLARE c CURSOR FOR SELECT g(); FETCH c;",
        "CREATE VIEW v AS SELECT g(); SELECT * FROM v;",
        "CREATE TRIGGER t AFTER INSERT ON \"User\" FOR EACH ROW EXECUTE FUNCTION g(); INSERT INTO \"User\" VALUES ('u9', 'z@example.com', NULL);",
        "ALTER TABLE \"User\" ADD CONSTRAINT c CHECK (g() IS NULL);",
        "DO cnt();",
        "DELETE FROM \"Post\" WHERE id IS NOT NULL;",
    ] {
        let mut cmd = crate::guard::prisma_command(&ctx, &["db", "execute", "--stdin"]);
        cmd.env("CLAUDECODE", "1");
        let run = run_with_stdin(cmd, sql.as_bytes());
        assert_eq!(run.code, 3, "{sql}: {}", run.all());
        assert!(run.stderr.contains("needs a human"), "{sql}: {}", run.stderr);
    }
    assert!(prisma_calls(&ctx).iter().all(|c| c["argv"][0] != "db"), "prisma never ran the SQL");
    assert_eq!(crate::guard::rows(&ctx, "Post"), 3);
}

/// Round 12, finding 4: with `?schema=X`, large objects are in the backup (pg_dump -b), the
/// manifest counts them, the restore test compares the count, and an in-place restore puts
/// them back.
#[test]
fn a_schema_limited_backup_holds_the_large_objects() {
    let pg = postgres();
    let db = pg.create_db("pr_lo_schema");
    pg.app_sql(&db, "CREATE TABLE lo_t (id int, o oid); INSERT INTO lo_t VALUES (1, lo_from_bytea(0, 'hello'::bytea))");
    let ctx = url_project(&pg.url(&db), "");
    assert!(pg.url(&db).contains("schema=public"));
    ctx.run(&["backup"]).ok();
    let m = &ctx.manifests()[0];
    assert_eq!(m["large_objects"], 1, "{m}");
    let run = ctx.run(&["restore-test"]);
    run.ok();
    assert!(run.all().contains("1 large object"), "{}", run.all());
    // The large object is gone; the restore brings it back.
    pg.app_sql(&db, "SELECT lo_unlink(o) FROM lo_t; DELETE FROM lo_t");
    ctx.run_with_tty(&["restore", "latest"], &format!("{db}\n")).ok();
    assert_eq!(pg.app_sql(&db, "SELECT convert_from(lo_get(o), 'UTF8') FROM lo_t"), "hello");
    // A restore over the large object still there replaces it rather than failing.
    ctx.run_with_tty(&["restore", "latest"], &format!("{db}\n")).ok();
    assert_eq!(pg.app_sql(&db, "SELECT count(*) FROM pg_largeobject_metadata"), "1");
}

/// Round 12, finding 5: a password with a raw `@` (Prisma takes the last `@` before the host)
/// is hidden whole in messages, hints and the audit log.
#[test]
fn a_password_with_a_raw_at_sign_is_hidden_whole() {
    let ctx = crate::guard::guarded_project();
    let url = "postgresql://atuser:S3c@retpw@127.0.0.1:1/app";
    let run = ctx.run(&["exec", "--", "migrate", "reset", "--force", "--url", url]);
    assert_ne!(run.code, 0, "{}", run.all());
    let audit = std::fs::read_to_string(ctx.path("backups/audit.jsonl")).unwrap_or_default();
    for text in [run.all(), audit.clone()] {
        assert!(!text.contains("retpw") && !text.contains("S3c"), "{text}");
    }
    assert!(audit.contains("postgresql://atuser:****@127.0.0.1:1/app"), "{audit}");
}

/// The real `node` on PATH, through links.
fn real_node() -> std::path::PathBuf {
    let out = std::process::Command::new("sh").args(["-c", "command -v node"]).output().unwrap();
    std::path::PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()).canonicalize().unwrap()
}

/// Review round 13, finding 1: a `node` ahead of the real one (a script or a compiled
/// wrapper, in node_modules/.bin as npx puts it first, or earlier on PATH) can hand Prisma
/// another DATABASE_URL than the guard's evaluation saw: the database is uncertain, the
/// command refused (and the audit says so).
#[test]
fn a_node_wrapper_ahead_of_node_makes_the_database_uncertain() {
    let (a, _) = two_databases("nodewrap");
    let ctx = project(Loader::Prisma, "");
    ctx.write("prisma.config.ts", &config_ts("import \"dotenv/config\";"));
    ctx.write(".env", &env_line("pr_nodewrap_missing"));
    ctx.write("prisma/migrations/20260102000000_drop/migration.sql", "DROP TABLE \"User\";\n");
    let node = real_node();
    let real_url = postgres().url(&a);
    let script = format!(
        "#!/bin/sh\ncase \"$1\" in */.bin/prisma|*/build/index.js) export DATABASE_URL='{real_url}';; esac\nexec {} \"$@\"\n",
        node.display()
    );
    ctx.write("wrapper.c", &format!(
        "#include <string.h>\n#include <stdlib.h>\n#include <unistd.h>\nint main(int argc, char **argv) {{\n  if (argc > 1 && (strstr(argv[1], \".bin/prisma\") || strstr(argv[1], \"build/index.js\"))) setenv(\"DATABASE_URL\", \"{real_url}\", 1);\n  execv(\"{}\", argv);\n  return 127;\n}}\n",
        node.display()
    ));
    let cc = std::process::Command::new("cc")
        .args(["-o", "elf-node", "wrapper.c"])
        .current_dir(ctx.root())
        .status()
        .unwrap();
    assert!(cc.success(), "a C compiler builds the wrapper");
    let base_path = ctx.env_var("PATH");
    let shim = ctx.path("shim").display().to_string();
    let bin = ctx.path("node_modules/.bin").display().to_string();
    let evilbin = ctx.path("evilbin").display().to_string();
    std::fs::create_dir_all(ctx.path("evilbin")).unwrap();
    let exe = |rel: &str| {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(ctx.path(rel), std::fs::Permissions::from_mode(0o755)).unwrap();
    };
    for (case, place, elf) in [
        ("npx, script in .bin", "node_modules/.bin/node", false),
        ("npx, compiled in .bin", "node_modules/.bin/node", true),
        ("PATH, script", "evilbin/node", false),
        ("PATH, compiled", "evilbin/node", true),
    ] {
        let _ = std::fs::remove_file(ctx.path("node_modules/.bin/node"));
        let _ = std::fs::remove_file(ctx.path("evilbin/node"));
        match elf {
            true => std::fs::copy(ctx.path("elf-node"), ctx.path(place)).map(|_| ()).unwrap(),
            false => ctx.write(place, &script),
        }
        exe(place);
        // npx puts node_modules/.bin first (the guard's shim before it here, as `init` installs it).
        let path = format!("{shim}:{bin}:{evilbin}:{base_path}");
        let mut cmd = crate::guard::prisma_command(&ctx, &["migrate", "deploy"]);
        cmd.env("PATH", &path).env("CLAUDECODE", "1");
        let run = Run::from(cmd.output().unwrap());
        run.no_secret();
        assert_ne!(run.code, 0, "{case}: {}", run.all());
        assert!(run.stderr.contains("node"), "{case}: says why: {}", run.stderr);
        assert!(prisma_calls(&ctx).is_empty(), "{case}: prisma did not run: {}", run.all());
        assert_eq!(users(&a), 3, "{case}");
        let audit = std::fs::read_to_string(ctx.path("backups/audit.jsonl")).unwrap_or_default();
        let last: serde_json::Value = serde_json::from_str(audit.lines().last().unwrap_or("{}")).unwrap();
        assert_eq!(last["decision"], "uncertain-database", "{case}: {audit}");
    }
    // A link to the real node in node_modules/.bin is the same Node: the guard goes on.
    let _ = std::fs::remove_file(ctx.path("evilbin/node"));
    let _ = std::fs::remove_file(ctx.path("node_modules/.bin/node"));
    std::os::unix::fs::symlink(&node, ctx.path("node_modules/.bin/node")).unwrap();
    ctx.write(".env", &env_line(&a));
    let mut cmd = crate::guard::prisma_command(&ctx, &["migrate", "deploy"]);
    cmd.env("PATH", format!("{shim}:{bin}:{base_path}"));
    let run = Run::from(cmd.output().unwrap());
    run.ok();
    assert_eq!(ctx.manifests().len(), 1, "{}", run.all());
}

/// Review round 13, finding 2: the URL from an imported package (a workspace package linked
/// into node_modules) that names one database on the first evaluation and another after: the
/// package's code is checked like the project's own, the command refused.
#[test]
fn a_url_from_an_imported_package_is_checked_like_local_code() {
    let (a, b) = two_databases("pkgimp");
    let ctx = project(Loader::Prisma, "");
    let (url_a, url_b) = (postgres().url(&a), postgres().url(&b));
    ctx.write("packages/env/package.json", "{ \"name\": \"@acme/env\", \"main\": \"index.ts\" }\n");
    ctx.write(
        "packages/env/index.ts",
        &format!("import {{ existsSync, writeFileSync }} from \"node:fs\";\nconst f = process.cwd() + \"/.count\";\nconst first = !existsSync(f);\nwriteFileSync(f, \"1\");\nexport const pick = () => (first ? \"{url_b}\" : \"{url_a}\");\n"),
    );
    std::fs::create_dir_all(ctx.path("node_modules/@acme")).unwrap();
    std::os::unix::fs::symlink("../../packages/env", ctx.path("node_modules/@acme/env")).unwrap();
    ctx.write(
        "prisma.config.ts",
        "import { pick } from \"@acme/env\";\nimport { defineConfig } from \"prisma/config\";\n\nexport default defineConfig({\n  schema: \"prisma/schema.prisma\",\n  migrations: { path: \"prisma/migrations\" },\n  datasource: { url: pick() },\n});\n",
    );
    let run = prisma_tty(&ctx, &["migrate", "reset", "--force"], &format!("{b}\n"));
    assert!(run.all().contains("cannot be sure which database"), "{}", run.all());
    assert!(run.all().contains("packages/env/index.ts"), "names the module: {}", run.all());
    assert!(prisma_calls(&ctx).is_empty(), "prisma did not run: {}", run.all());
    assert_eq!(users(&a), 3);
    assert_eq!(users(&b), 5);
}

/// Review round 13, finding 4: a backup whose restore check failed is marked in `backups`,
/// fails `verify`, and `restore latest` skips it.
#[test]
fn a_backup_known_not_to_restore_is_marked_and_never_latest() {
    let pg = postgres();
    let db = pg.create_db("pr_norestore");
    pg.app_sql(&db, "CREATE SCHEMA app; CREATE TABLE app.\"User\" (id int); INSERT INTO app.\"User\" VALUES (1), (2)");
    let url = pg.url(&db).replace("schema=public", "schema=app");
    let ctx = url_project(&url, "");
    ctx.run(&["backup"]).ok();
    let good = ctx.manifests()[0]["id"].as_str().unwrap().to_string();
    // An index over a function that calls another without its schema: pg_dump restores with
    // an empty search_path, so the index cannot be built over the restored rows.
    pg.app_sql(
        &db,
        "SET search_path = app, public; CREATE FUNCTION app.inner_norm(text) RETURNS text LANGUAGE sql IMMUTABLE AS 'SELECT lower($1)'; CREATE FUNCTION app.norm(text) RETURNS text LANGUAGE sql IMMUTABLE AS 'SELECT inner_norm($1)'; ALTER TABLE app.\"User\" ADD COLUMN name text DEFAULT 'x'; CREATE INDEX user_norm ON app.\"User\" (app.norm(name))",
    );
    std::thread::sleep(std::time::Duration::from_millis(1100));
    assert_eq!(ctx.run(&["backup"]).code, 1);
    let bad = ctx.manifests().iter().map(|m| m["id"].as_str().unwrap().to_string()).find(|id| *id != good).unwrap();
    let list = ctx.run(&["backups"]);
    let line = list.stdout.lines().find(|l| l.starts_with(&bad)).unwrap_or_default().to_string();
    assert!(line.contains("NO RESTORE"), "{}", list.stdout);
    let run = ctx.run(&["verify", &bad]);
    assert_ne!(run.code, 0, "{}", run.all());
    assert!(run.stdout.contains("does not restore"), "{}", run.all());
    pg.app_sql(&db, "DELETE FROM app.\"User\"");
    let run = ctx.run_with_tty(&["restore", "latest"], &format!("{db}\n"));
    assert!(run.all().contains(&format!("Restoring {good}")) || run.all().contains(&good), "{}", run.all());
    assert!(!run.all().contains(&format!("Restoring {bad}")), "{}", run.all());
}

/// Issue 16 review 13, finding 7: when the static reader (no Node.js loader) cannot follow the
/// config (`path.join(__dirname, ...)`), the refusal says what it could not follow and what
/// works: never "pass --url" for a command Prisma 7 takes no --url for (migrate reset), and for
/// one that takes it (db push), Prisma's own `--url` after `--`, which then runs, backed up.
#[test]
fn an_unreadable_config_says_what_was_not_followed_and_the_form_that_works() {
    let (a, _) = two_databases("hint");
    let ctx = project(Loader::Static, "packages/db");
    ctx.write(
        "packages/db/prisma.config.ts",
        &config_ts("import path from \"node:path\";\nimport { config } from \"dotenv\";\nconfig({ path: path.join(__dirname, \".env.db\") });"),
    );
    ctx.write("packages/db/.env.db", &env_line(&a));
    let config = ["exec", "--", "--config", "packages/db/prisma.config.ts"];
    fn with<'a>(config: &[&'a str], rest: &[&'a str]) -> Vec<&'a str> {
        config.iter().chain(rest).copied().collect()
    }
    let run = ctx.run_with_tty(&with(&config, &["migrate", "reset", "--force"]), "x\n");
    assert_eq!(run.code, 1, "{}", run.all());
    let text = run.all();
    assert!(text.contains("path.join(__dirname, \".env.db\")"), "what was not followed: {text}");
    assert!(text.contains("npm install") && text.contains("`prisma migrate reset` takes no --url"), "{text}");
    assert!(!text.contains("pass the database with --url"), "{text}");
    assert_eq!(users(&a), 3);
    let run = ctx.run(&with(&config, &["db", "push"]));
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(
        run.all().contains("prisma-guard exec -- --config packages/db/prisma.config.ts db push --url <url>"),
        "{}",
        run.all()
    );
    // The form it names works.
    let url = postgres().url(&a);
    let run = ctx.run(&with(&config, &["db", "push", "--url", &url]));
    run.ok().no_secret();
    let manifests = ctx.manifests_in("packages/db");
    assert_eq!(manifests.len(), 1, "{}", run.all());
    assert!(manifests[0]["database_url"].as_str().unwrap().contains(&format!("/{a}")));
}

/// Issue 16 review 13, finding 8: the prompt before a reset of a database that does not exist
/// promised a backup ("It holds no rows. A backup is taken first ... its id is printed") and
/// then printed "No backup". It says once that there is nothing to back up, and does so.
#[test]
fn the_prompt_for_a_missing_database_promises_no_backup() {
    let ctx = project(Loader::Prisma, "");
    ctx.write("prisma.config.ts", &config_ts("import \"dotenv/config\";"));
    ctx.write(".env", &env_line("pr_prompt_missing"));
    let run = prisma_tty(&ctx, &["migrate", "reset", "--force"], "pr_prompt_missing\n");
    let text = run.all();
    assert!(text.contains("finds no such database"), "{text}");
    assert!(text.contains("No backup is taken: there is no database to back up"), "{text}");
    assert!(!text.contains("A backup is taken first") && !text.contains("It holds no rows"), "{text}");
    assert!(text.contains("does not exist yet, so there is nothing to back up"), "{text}");
    assert!(ctx.manifests().is_empty());
}

/// Issue 16 review 14, finding 4: an agent committed a loosened prisma-guard.toml with
/// `git commit -a` (only `git commit ... prisma-guard.toml` by name was refused), and the
/// guard then honoured its allow-list.
#[test]
fn an_agent_cannot_commit_a_changed_prisma_guard_toml_by_staging_everything() {
    let ctx = TestContext::new();
    ctx.write("app.txt", "a\n");
    ctx.write_own_config("[backup]\ndir = \"backups\"\n");
    ctx.commit_files(&["app.txt"]);
    let verdict = |line: &str| ctx.run(&["check", "--", line]).code;
    assert_eq!(verdict("git commit -qam tweak"), 0, "nothing of the settings changed");
    ctx.write(
        "prisma-guard.toml",
        "[backup]\ndir = \"backups\"\n\n[[guard.allow]]\ndatabase = \"app*\"\nbackup = false\n",
    );
    ctx.write("app.txt", "b\n");
    for line in ["git commit -qam tweak", "git add -A", "git add .", "git add -u", "git commit -m x ."] {
        let run = ctx.run(&["check", "--", line]);
        assert_eq!(run.code, 3, "{line}: {}", run.all());
        assert!(run.stdout.contains("prisma-guard.toml"), "{line}: {}", run.all());
    }
    assert_eq!(verdict("git add app.txt"), 0);
    assert_eq!(verdict("git commit -m x"), 0, "nothing staged of the settings");
    ctx.git(&["add", "prisma-guard.toml"]);
    assert_eq!(verdict("git commit -m x"), 3, "the settings are staged");
}

/// Whether prisma ran a command: the read-only `migrate diff` of `migrate deploy`'s plan (its
/// drift check, before the backup) does not count.
fn prisma_ran(ctx: &TestContext) -> bool {
    prisma_calls(ctx).iter().any(|c| c["argv"][1] != "diff")
}
