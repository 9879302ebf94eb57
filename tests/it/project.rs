//! Finding the Prisma project and its database the way Prisma does.

use crate::sqlite::seed_sqlite;
use crate::support::*;

fn backed_up_rows(ctx: &TestContext, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["backup"];
    all.extend_from_slice(args);
    ctx.run(&all).ok();
    // The backup folder belongs to the project the flags select.
    let mut list = vec!["backups", "--json"];
    list.extend_from_slice(args);
    let run = ctx.run(&list);
    run.ok();
    let manifests: Vec<serde_json::Value> = serde_json::from_str(&run.stdout).unwrap();
    manifests[0]["row_counts"].clone()
}

#[test]
fn multi_file_schema_folder_from_package_json() {
    let ctx = TestContext::new();
    ctx.write("package.json", "{\"name\": \"app\", \"prisma\": {\"schema\": \"prisma/schema\"}}");
    ctx.write("prisma/schema/models.prisma", "model User {\n  id String @id\n}\n");
    ctx.write(
        "prisma/schema/schema.prisma",
        "datasource db {\n  provider = \"sqlite\"\n  url = env(\"DATABASE_URL\")\n}\n",
    );
    ctx.write(".env", "DATABASE_URL=file:../data/app.db\n");
    std::fs::create_dir_all(ctx.path("prisma/data")).unwrap();
    seed_sqlite(&ctx.path("prisma/data/app.db"));
    // Relative to the folder of the file holding the datasource: prisma/schema/../data/app.db.
    assert_eq!(backed_up_rows(&ctx, &[])["User"], 50);
}

#[test]
fn prisma6_env_file_beside_the_schema() {
    let ctx = TestContext::new();
    ctx.write("prisma/schema.prisma", "datasource db {\n  provider = \"sqlite\"\n  url = env(\"DB_FILE_URL\")\n}\n");
    ctx.write("prisma/.env", "DB_FILE_URL=file:./beside.db\n");
    seed_sqlite(&ctx.path("prisma/beside.db"));
    assert_eq!(backed_up_rows(&ctx, &[])["Post"], 50);
}

#[test]
fn url_schema_and_config_flags_override_discovery() {
    let ctx = TestContext::new();
    ctx.prisma7_project("sqlite", "file:./dev.db");
    seed_sqlite(&ctx.path("dev.db"));
    seed_sqlite(&ctx.path("elsewhere.db"));
    rusqlite::Connection::open(ctx.path("elsewhere.db"))
        .unwrap()
        .execute("DELETE FROM \"Post\" WHERE id > 5", [])
        .unwrap();
    assert_eq!(backed_up_rows(&ctx, &["--url", "file:./elsewhere.db"])["Post"], 5);

    // --config: another config file whose datasource is a literal.
    ctx.write("alt/prisma.config.ts", "export default { datasource: { url: \"file:./alt.db\" } }\n");
    seed_sqlite(&ctx.path("alt/alt.db"));
    rusqlite::Connection::open(ctx.path("alt/alt.db"))
        .unwrap()
        .execute("DELETE FROM \"Post\" WHERE id > 7", [])
        .unwrap();
    assert_eq!(backed_up_rows(&ctx, &["--config", "alt/prisma.config.ts"])["Post"], 7);

    // --schema: a Prisma 6 schema somewhere else; its url is read with the project's .env.
    ctx.write("other/schema.prisma", "datasource db {\n  provider = \"sqlite\"\n  url = env(\"OTHER_URL\")\n}\n");
    ctx.write(".env", "DATABASE_URL=\"file:./dev.db\"\nOTHER_URL=file:./other.db\n");
    seed_sqlite(&ctx.path("other/other.db"));
    rusqlite::Connection::open(ctx.path("other/other.db"))
        .unwrap()
        .execute("DELETE FROM \"Post\" WHERE id > 3", [])
        .unwrap();
    std::fs::remove_file(ctx.path("prisma.config.ts")).unwrap();
    assert_eq!(backed_up_rows(&ctx, &["--schema", "other/schema.prisma"])["Post"], 3);
}

#[test]
fn process_env_in_config_and_url_env_in_guard_config() {
    let ctx = TestContext::new();
    ctx.write("prisma.config.ts", "import 'dotenv/config'\nexport default defineConfig({\n  schema: 'prisma/schema.prisma',\n  datasource: {\n    url: process.env.APP_DB_URL!,\n  },\n})\n");
    ctx.write("prisma/schema.prisma", "datasource db {\n  provider = \"sqlite\"\n}\n");
    ctx.write(".env", "APP_DB_URL=file:./a.db\nOTHER=file:./b.db\n");
    seed_sqlite(&ctx.path("a.db"));
    seed_sqlite(&ctx.path("b.db"));
    rusqlite::Connection::open(ctx.path("b.db")).unwrap().execute("DELETE FROM \"Post\"", []).unwrap();
    assert_eq!(backed_up_rows(&ctx, &[])["Post"], 50);
    ctx.write_own_config("[database]\nurl_env = \"OTHER\"\n");
    assert_eq!(backed_up_rows(&ctx, &[])["Post"], 0);
}

#[test]
fn runs_from_a_subfolder_and_with_dash_c() {
    let ctx = TestContext::new();
    ctx.prisma7_project("sqlite", "file:./dev.db");
    seed_sqlite(&ctx.path("dev.db"));
    std::fs::create_dir_all(ctx.path("src/deep")).unwrap();
    let mut cmd = ctx.cmd(&["backup"]);
    cmd.current_dir(ctx.path("src/deep"));
    let run = Run::from(cmd.output().unwrap());
    run.ok();
    assert_eq!(ctx.manifests().len(), 1, "backups/ is at the project root, not the subfolder");
    let other = TestContext::new();
    let run = other.run(&["-C", ctx.root().to_str().unwrap(), "backups", "--json"]);
    run.ok();
    assert_eq!(serde_json::from_str::<Vec<serde_json::Value>>(&run.stdout).unwrap().len(), 1);
}

#[test]
fn backup_folder_is_added_to_gitignore_once() {
    let ctx = TestContext::new();
    ctx.prisma7_project("sqlite", "file:./dev.db");
    seed_sqlite(&ctx.path("dev.db"));
    git2::Repository::init(ctx.root()).unwrap();
    ctx.write(".gitignore", "node_modules");
    ctx.run(&["backup"]).ok();
    ctx.run(&["backup"]).ok();
    let text = std::fs::read_to_string(ctx.path(".gitignore")).unwrap();
    assert_eq!(text.matches("/backups/").count(), 1, "{text}");
    assert!(text.starts_with("node_modules\n"), "{text}");
    let repo = git2::Repository::open(ctx.root()).unwrap();
    assert!(repo.is_path_ignored(std::path::Path::new("backups/x.sql.zst")).unwrap());
}

#[test]
fn manifest_records_the_git_commit() {
    let ctx = TestContext::new();
    ctx.prisma7_project("sqlite", "file:./dev.db");
    seed_sqlite(&ctx.path("dev.db"));
    let repo = git2::Repository::init(ctx.root()).unwrap();
    let mut index = repo.index().unwrap();
    index.add_path(std::path::Path::new("prisma.config.ts")).unwrap();
    let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
    let sig = git2::Signature::now("t", "t@example.com").unwrap();
    let oid = repo.commit(Some("HEAD"), &sig, &sig, "init", &tree, &[]).unwrap();
    ctx.run(&["backup"]).ok();
    let m = &ctx.manifests()[0];
    assert_eq!(m["git"]["commit"], oid.to_string());
}

#[test]
fn pg_non_public_schema_is_dumped_alone_and_restores() {
    let pg = postgres();
    let db = pg.create_db("proj_app_schema");
    pg.app_sql(&db, "CREATE SCHEMA app; CREATE TABLE app.\"Item\" (id int PRIMARY KEY, v text); INSERT INTO app.\"Item\" SELECT g, 'v' || g FROM generate_series(1, 42) g; CREATE TABLE public.other (id int); INSERT INTO public.other VALUES (1);");
    let ctx = TestContext::new();
    ctx.prisma7_project("postgresql", &pg.url(&db).replace("schema=public", "schema=app"));
    ctx.run(&["backup"]).ok();
    let m = &ctx.manifests()[0];
    assert_eq!(m["row_counts"], serde_json::json!({"app.Item": 42}));
    assert_eq!(m["schema"], "app");
    ctx.run(&["restore-test"]).ok();
    // Restore into a database that does not exist yet: it is created, no confirmation.
    let fresh = "proj_app_schema_new";
    pg.admin(&format!("DROP DATABASE IF EXISTS {fresh}"));
    let to = pg.url(fresh).replace("schema=public", "schema=app");
    let run = ctx.run(&["restore", "latest", "--to", &to]);
    run.ok().no_secret();
    assert!(run.stderr.contains("Created"), "{}", run.stderr);
    assert_eq!(pg.app_sql(fresh, "SELECT count(*) FROM app.\"Item\""), "42");
}
