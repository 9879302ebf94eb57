//! Prisma 8 (release candidates): `db update` replaces `db push` and asks the user to type the
//! database's name before losing data, unless `--no-interactive --confirm <database>` answers
//! for them, a flag an agent can pass. The fake prisma imitates Prisma 8 when its package.json
//! says 8.x (tests/fixtures/fake-prisma).

use crate::guard::{guarded_project, prisma, prisma_calls, prisma_tty, rows};
use crate::support::*;

/// The guarded SQLite project with Prisma 8 installed and a pending migration that drops the
/// `Post` table (3 rows).
fn prisma8_project() -> TestContext {
    let ctx = guarded_project();
    let pkg = ctx.path("node_modules/prisma/package.json");
    let text = std::fs::read_to_string(&pkg).expect("package.json");
    std::fs::write(&pkg, text.replace("\"version\": \"7.10.1\"", "\"version\": \"8.0.0-rc.3\"")).expect("write");
    ctx.write("prisma/migrations/20260103000000_drop_posts/migration.sql", "DROP TABLE \"Post\";\n");
    ctx
}

#[test]
fn an_agent_passing_prismas_confirm_flag_is_refused_and_nothing_is_lost() {
    let mut ctx = prisma8_project();
    ctx.set_env("CLAUDECODE", "1");
    let run = prisma(&ctx, &["db", "update", "--no-interactive", "--confirm", "dev.db"]);
    assert_ne!(run.code, 0, "{}", run.all());
    assert!(run.all().contains("--confirm"), "the refusal says why: {}", run.all());
    assert_eq!(rows(&ctx, "Post"), 3, "the table is still there");
    assert!(!prisma_calls(&ctx).iter().any(|c| c["argv"].to_string().contains("update")), "prisma was never started");
    // And the agent hooks refuse the line before it runs.
    let check = ctx.run(&["check", "--", "npx prisma db update --no-interactive --confirm dev.db"]);
    assert_eq!(check.code, 3, "{}", check.all());
    let check = ctx.run(&["check", "--", "npx prisma@8 db update"]);
    assert_eq!(check.code, 3, "past the shim: {}", check.all());
}

#[test]
fn db_update_without_a_terminal_is_backed_up_then_prisma_itself_refuses() {
    let ctx = prisma8_project();
    let before = ctx.backup_files().len();
    let run = prisma(&ctx, &["db", "update"]);
    assert_ne!(run.code, 0, "{}", run.all());
    assert!(run.all().contains("non-interactive"), "Prisma 8's own refusal: {}", run.all());
    assert!(ctx.backup_files().len() > before, "a schema change is backed up first");
    assert_eq!(rows(&ctx, "Post"), 3);
}

#[test]
fn a_person_types_the_database_name_at_prisma_8s_prompt_after_the_backup() {
    let ctx = prisma8_project();
    let before = ctx.backup_files().len();
    let run = prisma_tty(&ctx, &["db", "update"], "dev.db\n");
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(run.all().contains("type the name of the database"), "{}", run.all());
    assert!(ctx.backup_files().len() > before, "backed up before Prisma changed anything");
    assert_eq!(rows(&ctx, "Post"), -1, "the table was dropped as the person confirmed");
}

#[test]
fn confirm_typed_by_a_person_goes_through_the_guards_own_confirmation() {
    let ctx = prisma8_project();
    // Destructive for prisma-guard: its own typed confirmation comes first, on the terminal.
    let run = prisma_tty(&ctx, &["db", "update", "--no-interactive", "--confirm", "dev.db"], "dev.db\n");
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(run.all().to_lowercase().contains("type"), "{}", run.all());
    assert_eq!(rows(&ctx, "Post"), -1);
    let wrong = prisma8_project();
    let run = prisma_tty(&wrong, &["db", "update", "--no-interactive", "--confirm", "dev.db"], "nope\n");
    assert_ne!(run.code, 0, "{}", run.all());
    assert_eq!(rows(&wrong, "Post"), 3, "a wrong name changes nothing");
}
