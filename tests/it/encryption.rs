//! Backups sealed with age (issue 18): recipients and passphrase, the age CLI reads them,
//! wrong or missing keys are clear errors that restore nothing, and encryption that cannot
//! be applied writes nothing.

use std::process::Command;

use crate::sqlite::{seed_sqlite, sqlite_fingerprint};
use crate::support::*;

/// A key pair made by the real `age-keygen`: (identity file, public key).
pub fn keygen(ctx: &TestContext, name: &str) -> (std::path::PathBuf, String) {
    let path = ctx.path(&format!("keys/{name}.txt"));
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let out =
        Command::new("age-keygen").arg("-o").arg(&path).output().expect("age-keygen (Debian package age) is installed");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let public = Command::new("age-keygen").arg("-y").arg(&path).output().unwrap();
    (path, String::from_utf8(public.stdout).unwrap().trim().to_string())
}

fn project() -> TestContext {
    let ctx = TestContext::new();
    ctx.prisma7_project("sqlite", "file:./dev.db");
    seed_sqlite(&ctx.path("dev.db"));
    ctx
}

fn sealed_file(ctx: &TestContext) -> std::path::PathBuf {
    let files = ctx.backup_files();
    let name = files.iter().find(|f| f.ends_with(".sqlite.zst.age")).unwrap_or_else(|| panic!("{files:?}"));
    ctx.path("backups").join(name)
}

#[test]
fn backups_are_sealed_to_recipients_and_open_with_the_identity_or_the_age_cli() {
    let ctx = project();
    let (key, public) = keygen(&ctx, "team");
    let (_, other) = keygen(&ctx, "ci");
    ctx.write_own_config(&format!("[encryption]\nrecipients = [\"{public}\", \"{other}\"]\n"));
    let run = ctx.run(&["backup"]);
    run.ok();
    assert!(run.stderr.contains("not test-restored here"), "no identity here: {}", run.stderr);
    let file = sealed_file(&ctx);
    let m = &ctx.manifests()[0];
    let recipients = m["file"]["encryption"]["recipients"].as_array().unwrap();
    assert_eq!(recipients.len(), 2);
    assert!(!m.to_string().contains(&public), "fingerprints, never keys: {m}");
    // The stored bytes are not the database.
    let stored = std::fs::read(&file).unwrap();
    assert!(stored.starts_with(b"age-encryption.org/v1"), "an age file");
    // The age CLI opens it: age -d -i key | zstd -dc gives the SQLite file.
    let restored = ctx.path("by-hand.db");
    let line = format!(
        "age -d -i {} {} | zstd -dc > {}",
        shell_quote(&key.display().to_string()),
        shell_quote(&file.display().to_string()),
        shell_quote(&restored.display().to_string())
    );
    let out = Command::new("sh").arg("-c").arg(&line).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(sqlite_fingerprint(&restored), sqlite_fingerprint(&ctx.path("dev.db")));
    // verify: the checksum without a key; decryption too with one.
    let run = ctx.run(&["verify"]);
    run.ok();
    assert!(run.stdout.contains("not decrypted"), "{}", run.stdout);
    let mut with_key = ctx.cmd(&["verify"]);
    with_key.env("PRISMA_GUARD_AGE_IDENTITY", &key);
    let run = Run::from(with_key.output().unwrap());
    run.ok();
    assert!(run.stdout.contains("decompresses to"), "{}", run.stdout);
    // restore-test: refused without a key, done with one.
    let run = ctx.run(&["restore-test"]);
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(run.stderr.contains("PRISMA_GUARD_AGE_IDENTITY"), "{}", run.stderr);
    let run = ctx.run(&["--identity", key.to_str().unwrap(), "restore-test"]);
    run.ok();
    assert!(run.all().contains("row counts match"), "{}", run.all());
}

#[test]
fn a_wrong_key_restores_nothing_and_says_so() {
    let ctx = project();
    let (_, public) = keygen(&ctx, "team");
    let (wrong, _) = keygen(&ctx, "stranger");
    ctx.write_own_config(&format!("[encryption]\nrecipients = [\"{public}\"]\n"));
    ctx.run(&["backup"]).ok();
    let before = sqlite_fingerprint(&ctx.path("dev.db"));
    let mut cmd = ctx.cmd(&["restore", "latest"]);
    cmd.env("PRISMA_GUARD_AGE_IDENTITY", &wrong);
    let run = Run::from(cmd.output().unwrap());
    assert_ne!(run.code, 0, "{}", run.all());
    assert!(run.stderr.contains("cannot be decrypted"), "{}", run.stderr);
    assert_eq!(sqlite_fingerprint(&ctx.path("dev.db")), before, "nothing restored");
}

#[test]
fn passphrase_backups_round_trip() {
    let ctx = project();
    ctx.write_own_config("[encryption]\npassphrase_env = \"BACKUP_PASSPHRASE\"\n");
    // Without the passphrase there is no backup at all, never an unencrypted one.
    let run = ctx.run(&["backup"]);
    assert_ne!(run.code, 0, "{}", run.all());
    assert!(run.stderr.contains("BACKUP_PASSPHRASE, which is not set"), "{}", run.stderr);
    assert!(ctx.backup_files().iter().all(|f| !f.contains(".sqlite.")), "{:?}", ctx.backup_files());
    let mut cmd = ctx.cmd(&["backup"]);
    cmd.env("BACKUP_PASSPHRASE", "correct horse battery staple");
    Run::from(cmd.output().unwrap()).ok();
    sealed_file(&ctx);
    let mut cmd = ctx.cmd(&["restore-test"]);
    cmd.env("PRISMA_GUARD_AGE_PASSPHRASE", "correct horse battery staple");
    let run = Run::from(cmd.output().unwrap());
    run.ok();
    assert!(run.all().contains("row counts match"), "{}", run.all());
    assert!(!run.all().contains("correct horse"), "the passphrase never shows");
}

#[test]
fn encryption_that_cannot_be_applied_writes_nothing() {
    let ctx = project();
    ctx.write_own_config("[encryption]\nrecipients = [\"age1thisisnotakey\"]\n");
    let run = ctx.run(&["backup"]);
    assert_ne!(run.code, 0, "{}", run.all());
    assert!(run.stderr.contains("is not an age public key"), "{}", run.stderr);
    assert!(ctx.backup_files().iter().all(|f| !f.contains(".sqlite.")), "{:?}", ctx.backup_files());
}

#[test]
fn a_named_or_uncommitted_config_cannot_add_a_recipient() {
    let ctx = project();
    let (_, attacker) = keygen(&ctx, "attacker");
    ctx.write("evil.toml", &format!("[encryption]\nrecipients = [\"{attacker}\"]\n"));
    let run = ctx.run(&["--guard-config", ctx.path("evil.toml").to_str().unwrap(), "backup"]);
    run.ok();
    assert!(run.stderr.contains("encryption (who can read the backups)"), "{}", run.stderr);
    assert!(ctx.manifests()[0]["file"].get("encryption").is_none(), "not sealed to the attacker");
}

#[test]
fn postgres_backups_sealed_test_restore_with_the_key_and_restore_in_place() {
    let pg = postgres();
    let db = pg.create_db("enc_pg");
    pg.app_sql(&db, "CREATE TABLE \"User\" (id serial PRIMARY KEY, email text); INSERT INTO \"User\" (email) SELECT 'u' || g FROM generate_series(1, 40) g");
    let ctx = TestContext::new();
    ctx.prisma7_project("postgresql", &pg.url(&db));
    let (key, public) = keygen(&ctx, "team");
    ctx.write_own_config(&format!("[encryption]\nrecipients = [\"{public}\"]\n"));
    // Where the identity is, the new backup is test-restored before it counts.
    let mut cmd = ctx.cmd(&["backup"]);
    cmd.env("PRISMA_GUARD_AGE_IDENTITY", &key);
    let run = Run::from(cmd.output().unwrap());
    run.ok().no_secret();
    assert!(!run.stderr.contains("not test-restored"), "{}", run.stderr);
    pg.app_sql(&db, "DELETE FROM \"User\"");
    let run = ctx.run_with_tty(&["--identity", key.to_str().unwrap(), "restore"], &format!("{db}\n"));
    run.ok().no_secret();
    assert_eq!(pg.app_sql(&db, "SELECT count(*) FROM \"User\""), "40");
}

/// Review (issue 18, round 2, defect 5): a wrong key (or none, or a wrong passphrase) is a
/// usage error (exit 2), never a verdict on the backup: nothing recorded, no alert, status
/// stays healthy.
#[test]
fn a_wrong_or_missing_key_is_no_verdict_on_the_backup() {
    let web = crate::notify::Listener::start();
    let hook = format!("[[notify]]\nkind = \"webhook\"\nurl = \"http://127.0.0.1:{}/hook\"\n", web.port);
    let ctx = project();
    let (_, public) = keygen(&ctx, "team");
    let (wrong, _) = keygen(&ctx, "stranger");
    ctx.write_own_config(&format!("[encryption]\nrecipients = [\"{public}\"]\n\n{hook}"));
    ctx.run(&["backup"]).ok();
    let with = |args: &[&str], var: &str, value: &str| {
        let mut cmd = ctx.cmd(args);
        cmd.env(var, value);
        Run::from(cmd.output().unwrap())
    };
    let wrong = wrong.to_str().unwrap();
    for args in [&["verify", "--all"][..], &["verify"], &["restore-test"], &["restore-test", "latest"]] {
        let run = with(args, "PRISMA_GUARD_AGE_IDENTITY", wrong);
        assert_eq!(run.code, 2, "{args:?}: {}", run.all());
        assert!(run.stderr.contains("none of the backup's recipients"), "{}", run.stderr);
        let run = with(args, "PRISMA_GUARD_AGE_PASSPHRASE", "not the key");
        assert_eq!(run.code, 2, "{args:?} with a passphrase: {}", run.all());
    }
    assert_eq!(ctx.run(&["restore-test"]).code, 2, "no key at all");
    let m = &ctx.manifests()[0];
    assert!(m.get("verified").is_none_or(serde_json::Value::is_null), "not recorded: {m}");
    assert!(m.get("restore_tested").is_none_or(serde_json::Value::is_null), "not recorded: {m}");
    assert!(web.at("/hook").is_empty(), "no alert: {:?}", web.at("/hook"));
    let run = ctx.run(&["status", "--max-age", "1h"]);
    assert_eq!(run.code, 0, "{}", run.all());
    // A passphrase backup and a wrong passphrase: the same.
    let ctx = project();
    ctx.write_own_config(&format!("[encryption]\npassphrase_env = \"BACKUP_PASSPHRASE\"\n\n{hook}"));
    let mut cmd = ctx.cmd(&["backup"]);
    cmd.env("BACKUP_PASSPHRASE", "correct horse battery staple");
    Run::from(cmd.output().unwrap()).ok();
    for args in [&["verify", "--all"][..], &["restore-test"]] {
        let mut cmd = ctx.cmd(args);
        cmd.env("PRISMA_GUARD_AGE_PASSPHRASE", "wrong horse");
        let run = Run::from(cmd.output().unwrap());
        assert_eq!(run.code, 2, "{args:?}: {}", run.all());
    }
    let m = &ctx.manifests()[0];
    assert!(m.get("verified").is_none_or(serde_json::Value::is_null), "not recorded: {m}");
    assert!(m.get("restore_tested").is_none_or(serde_json::Value::is_null), "not recorded: {m}");
    assert!(web.at("/hook").is_empty(), "no alert: {:?}", web.at("/hook"));
}

/// Review (issue 18, round 2, defect 10): passphrase mode end to end. The new backup is
/// test-restored where it is taken (the passphrase that seals it opens it) and `schedule` keeps
/// the restore test; `restore` and `restore-test` take the passphrase from the environment
/// (the project's `passphrase_env`, or PRISMA_GUARD_AGE_PASSPHRASE) or from a file
/// (PRISMA_GUARD_AGE_PASSPHRASE_FILE), never from the command line; a wrong one is a usage
/// error (exit 2) that restores nothing.
#[test]
fn passphrase_backups_restore_with_the_passphrase_from_env_or_file_never_argv() {
    const PASS: &str = "correct horse battery staple";
    let mut ctx = project();
    let original = sqlite_fingerprint(&ctx.path("dev.db"));
    ctx.write_own_config("[encryption]\npassphrase_env = \"BACKUP_PASSPHRASE\"\n");
    ctx.set_env("BACKUP_PASSPHRASE", PASS);
    let run = ctx.run(&["backup"]);
    run.ok();
    assert!(!run.stderr.contains("not test-restored"), "the passphrase is here: {}", run.stderr);
    sealed_file(&ctx);
    let run = ctx.run(&["schedule", "--cron"]);
    assert!(run.stdout.contains("restore-test"), "{}", run.stdout);
    let run = ctx.run(&["restore-test"]);
    run.ok();
    assert!(run.all().contains("row counts match"), "{}", run.all());
    // Without the project's variable: PRISMA_GUARD_AGE_PASSPHRASE, or a file.
    let restore_test = |env: &[(&str, &str)]| {
        let mut cmd = ctx.cmd(&["restore-test"]);
        cmd.env_remove("BACKUP_PASSPHRASE");
        for (k, v) in env {
            cmd.env(k, v);
        }
        Run::from(cmd.output().unwrap())
    };
    let run = restore_test(&[]);
    assert_eq!(run.code, 2, "no passphrase: {}", run.all());
    restore_test(&[("PRISMA_GUARD_AGE_PASSPHRASE", PASS)]).ok();
    ctx.write("secrets/pass.txt", &format!("{PASS}\n"));
    let file = ctx.path("secrets/pass.txt").display().to_string();
    let run = restore_test(&[("PRISMA_GUARD_AGE_PASSPHRASE_FILE", &file)]);
    run.ok();
    assert!(run.all().contains("row counts match"), "{}", run.all());
    ctx.write("secrets/wrong.txt", "wrong horse\n");
    let wrong = ctx.path("secrets/wrong.txt").display().to_string();
    assert_eq!(restore_test(&[("PRISMA_GUARD_AGE_PASSPHRASE_FILE", &wrong)]).code, 2);
    assert_eq!(restore_test(&[("PRISMA_GUARD_AGE_PASSPHRASE", "wrong horse")]).code, 2);
    // A restore in place, typed on the terminal, with the passphrase from a file.
    let id = ctx.manifests()[0]["id"].as_str().unwrap().to_string();
    rusqlite::Connection::open(ctx.path("dev.db")).unwrap().execute("DELETE FROM \"Post\"", []).unwrap();
    let emptied = sqlite_fingerprint(&ctx.path("dev.db"));
    ctx.set_env("PRISMA_GUARD_AGE_PASSPHRASE_FILE", &wrong);
    let run = ctx.run_with_tty(&["restore", &id], "dev.db\n");
    assert_eq!(run.code, 2, "a wrong passphrase: {}", run.all());
    assert_eq!(sqlite_fingerprint(&ctx.path("dev.db")), emptied, "nothing restored");
    ctx.set_env("PRISMA_GUARD_AGE_PASSPHRASE_FILE", &file);
    let run = ctx.run_with_tty(&["restore", &id], "dev.db\n");
    assert_eq!(run.code, 0, "{}", run.all());
    assert_eq!(sqlite_fingerprint(&ctx.path("dev.db")), original);
    // Never on the command line.
    for args in [&["restore-test", "--passphrase", PASS][..], &["restore", &id, "--passphrase", PASS]] {
        assert_eq!(ctx.run(args).code, 2, "{args:?}");
    }
    for run in [ctx.run(&["backups"]), ctx.run(&["restore-test"])] {
        assert!(!run.all().contains(PASS), "{}", run.all());
    }
}

/// Known gap (issue 18 review 2): `recipients_file` was read from the working tree, so an
/// uncommitted line could add a reader of every new backup. It follows prisma-guard.toml's
/// rules: as committed (a change is set aside, with a warning), never an untracked file.
#[test]
fn an_uncommitted_recipients_file_cannot_add_a_reader() {
    let ctx = project();
    let (_, team) = keygen(&ctx, "team");
    let (_, attacker) = keygen(&ctx, "attacker");
    ctx.write("keys.pub", &format!("# the team\n{team}\n"));
    ctx.write("prisma-guard.toml", "[encryption]\nrecipients_file = \"keys.pub\"\n");
    ctx.git_init();
    ctx.commit_files(&["prisma-guard.toml", "keys.pub"]);
    ctx.run(&["backup"]).ok();
    let fingerprints = |m: &serde_json::Value| m["file"]["encryption"]["recipients"].as_array().unwrap().len();
    assert_eq!(fingerprints(&ctx.manifests()[0]), 1);
    ctx.write("keys.pub", &format!("# the team\n{team}\n{attacker}\n"));
    let run = ctx.run(&["backup", "--label", "after-edit"]);
    run.ok();
    assert!(run.stderr.contains("differs from its committed version"), "{}", run.stderr);
    assert_eq!(fingerprints(&ctx.manifests()[0]), 1, "not sealed to the attacker: {}", ctx.manifests()[0]);
    // A config naming a file that was never committed: nothing is written.
    ctx.write("new.pub", &format!("{attacker}\n"));
    ctx.write_own_config("[encryption]\nrecipients_file = \"new.pub\"\n");
    let run = ctx.run(&["backup"]);
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(run.stderr.contains("is not committed"), "{}", run.stderr);
    assert_eq!(ctx.manifests().len(), 2);
}
