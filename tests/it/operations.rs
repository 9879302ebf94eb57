//! Operations: retention judges each database on its own and gives no slot to
//! a backup that failed its verify; `status --notify` sends each event to the tables that
//! want it; the printed schedules (signing key in CI, pinned install, `--max-age` written as
//! one word, a status that cannot run is heard, user timers that outlive a logout, the identity
//! a restore test needs).

use std::time::Duration;

use crate::notify::Listener;
use crate::sqlite::seed_sqlite;
use crate::support::*;

fn project(config: &str) -> TestContext {
    let ctx = TestContext::new();
    ctx.prisma7_project("sqlite", "file:./dev.db");
    seed_sqlite(&ctx.path("dev.db"));
    ctx.write_own_config(config);
    ctx
}

/// Backup ids are by the second.
fn next_second() {
    std::thread::sleep(Duration::from_millis(1100));
}

/// The row of the prune table for the backup whose id ends in `-label`.
fn row<'a>(table: &'a str, label: &str) -> &'a str {
    table
        .lines()
        .find(|l| l.split_whitespace().next().is_some_and(|id| id.ends_with(&format!("-{label}"))))
        .unwrap_or_else(|| panic!("{label}: {table}"))
}

fn labels(ctx: &TestContext) -> Vec<String> {
    ctx.manifests().iter().map(|m| m["label"].as_str().unwrap_or("").to_string()).collect()
}

/// Finding 1: the day's slot went to the backup whose verify had failed, and `prune --yes`
/// deleted the day's only good backup.
#[test]
fn prune_gives_the_days_slot_to_the_good_backup_not_the_one_that_failed_verify() {
    let ctx = project("[retention]\nkeep_daily = 4\n");
    ctx.run(&["backup", "--label", "good"]).ok();
    next_second();
    ctx.run(&["backup", "--label", "bad"]).ok();
    let bad = ctx.manifests().into_iter().find(|m| m["label"] == "bad").unwrap();
    let file = ctx.path("backups").join(bad["file"]["name"].as_str().unwrap());
    let mut bytes = std::fs::read(&file).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    std::fs::write(&file, bytes).unwrap();
    let verify = ctx.run(&["verify", "--all"]);
    assert_ne!(verify.code, 0, "{}", verify.all());
    let table = ctx.run(&["prune"]);
    table.ok();
    assert!(
        row(&table.stdout, "good").contains("keep") && row(&table.stdout, "good").contains("daily"),
        "{}",
        table.stdout
    );
    assert!(row(&table.stdout, "good").contains("the newest backup"), "{}", table.stdout);
    // Newer than every good backup: it stays (no slot) until a newer backup is good.
    let bad_row = row(&table.stdout, "bad");
    assert!(bad_row.contains("its last verify failed") && !bad_row.contains("daily"), "{}", table.stdout);
    assert!(bad_row.contains("kept until a newer backup of this database is good"), "{}", table.stdout);
    next_second();
    ctx.run(&["backup", "--label", "good2"]).ok();
    let table = ctx.run(&["prune"]);
    assert!(row(&table.stdout, "bad").contains("DELETE"), "{}", table.stdout);
    ctx.run(&["prune", "--yes"]).ok();
    // good2: the day's slot and the newest; good: the newest verified.
    assert_eq!(labels(&ctx), ["good2", "good"]);
}

/// Finding 2: a newer backup of another database (`--url`) took "the newest backup" and the
/// day's slot, and prune deleted the project database's newest backup.
#[test]
fn prune_judges_each_database_on_its_own() {
    let ctx = project("[retention]\nkeep_daily = 4\n");
    seed_sqlite(&ctx.path("other.db"));
    ctx.run(&["backup", "--label", "mine"]).ok();
    next_second();
    let other = format!("file:{}", ctx.path("other.db").display());
    ctx.run(&["--url", &other, "backup", "--label", "otherdb"]).ok();
    let table = ctx.run(&["prune"]);
    table.ok();
    assert!(table.stdout.contains("Backups of 2 databases"), "{}", table.stdout);
    for label in ["mine", "otherdb"] {
        let r = row(&table.stdout, label);
        assert!(r.contains("keep") && r.contains("the newest backup"), "{label}: {}", table.stdout);
    }
    ctx.run(&["prune", "--yes"]).ok();
    assert_eq!(labels(&ctx).len(), 2, "{:?}", labels(&ctx));
}

/// Finding 4: one message went out, tagged with the first finding's event, so a table with
/// `events = ["stale"]` heard nothing of a stale backup.
#[test]
fn status_sends_each_event_to_the_tables_that_want_it() {
    let web = Listener::start();
    let ctx = project(&format!(
        "[[notify]]\nkind = \"webhook\"\nurl = \"http://127.0.0.1:{p}/stale\"\nevents = [\"stale\"]\n\n[[notify]]\nkind = \"webhook\"\nurl = \"http://127.0.0.1:{p}/restore\"\nevents = [\"restore-test-failed\"]\n",
        p = web.port
    ));
    ctx.run(&["backup"]).ok();
    let m = &ctx.manifests()[0];
    let path = ctx.path("backups").join(format!("{}.json", m["id"].as_str().unwrap()));
    let mut json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    json["restore_tested"] =
        serde_json::json!({"at": "2026-12-07T00:00:00Z", "ok": false, "error": "relation missing"});
    std::fs::write(&path, serde_json::to_string_pretty(&json).unwrap()).unwrap();
    std::thread::sleep(Duration::from_secs(2));
    let run = ctx.run(&["status", "--max-age", "1s", "--notify"]);
    assert_eq!(run.code, 1, "{}", run.all());
    let stale = web.at("/stale");
    let restore = web.at("/restore");
    assert_eq!(stale.len(), 1, "{}", run.all());
    assert_eq!(restore.len(), 1, "{}", run.all());
    let stale: serde_json::Value = serde_json::from_str(&stale[0].body).unwrap();
    let restore: serde_json::Value = serde_json::from_str(&restore[0].body).unwrap();
    assert_eq!(stale["event"], "stale", "{stale}");
    assert_eq!(restore["event"], "restore-test-failed", "{restore}");
}

/// Finding 3: the CI schedules left signing to each runner (a throwaway key every restore
/// refuses). Finding 8: they built prisma-guard from an unpinned git HEAD with every secret in
/// the environment.
#[test]
fn ci_schedules_sign_with_a_key_from_a_secret_and_install_a_pinned_version() {
    let mut ctx =
        project("[[remote]]\nname = \"offsite\"\nurl = \"s3://bucket/app\"\nendpoint = \"http://127.0.0.1:1\"\n");
    let version = env!("CARGO_PKG_VERSION");
    let run = ctx.run(&["schedule", "--github-actions"]);
    run.ok();
    let out = &run.stdout;
    assert!(out.contains("${{ secrets.PRISMA_GUARD_SIGNING_KEY_FILE }}"), "{out}");
    assert!(
        out.contains("echo \"PRISMA_GUARD_SIGNING_KEY=$RUNNER_TEMP/prisma-guard-signing.key\" >> \"$GITHUB_ENV\""),
        "{out}"
    );
    assert!(out.contains(&format!("\"@prisma-guard/cli@{version}\"")), "{out}");
    assert!(!out.contains("git clone") && !out.contains("install.sh"), "{out}");
    assert!(!out.lines().any(|l| l == "env:"), "no workflow-wide secrets: {out}");
    // Secrets only on the steps that run prisma-guard: none before the install.
    let install = out.find("npm install --global").unwrap();
    assert!(!out[..install].contains("${{ secrets."), "{out}");
    assert!(run.stderr.contains("[signing] public_keys is empty"), "{}", run.stderr);
    let run = ctx.run(&["schedule", "--gitlab"]);
    run.ok();
    assert!(run.stdout.contains("PRISMA_GUARD_SIGNING_KEY, of type File"), "{}", run.stdout);
    assert!(run.stdout.contains("if [ ! -f \"${PRISMA_GUARD_SIGNING_KEY:-}\" ]"), "{}", run.stdout);
    assert!(run.stdout.contains(&format!("@prisma-guard/cli@{version}")) && !run.stdout.contains("git clone"));
    // The key made as the comments say: schedule prints the line that makes restores trust it.
    ctx.write("ci-signing.key", &format!("# prisma-guard backup signing key\n{}\n", "ab".repeat(32)));
    ctx.set_env("PRISMA_GUARD_SIGNING_KEY", &ctx.path("ci-signing.key").display().to_string());
    let run = ctx.run(&["schedule", "--github-actions"]);
    run.ok();
    let public = run
        .stderr
        .split("public_keys = [\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap_or_else(|| panic!("{}", run.stderr))
        .to_string();
    assert!(public.starts_with("ed25519:") && public.len() == 8 + 64, "{public}");
    ctx.write_own_config(&format!(
        "[[remote]]\nname = \"offsite\"\nurl = \"s3://bucket/app\"\nendpoint = \"http://127.0.0.1:1\"\n\n[signing]\npublic_keys = [\"{public}\"]\n"
    ));
    let run = ctx.run(&["schedule", "--github-actions"]);
    run.ok();
    assert!(run.stderr.contains("is in [signing] public_keys") && !run.stderr.contains("warning"), "{}", run.stderr);
}

/// Finding 5: `--max-age "1h 30m"` was written as two words, and the status job exited 2 on
/// every run. Finding 9: user timers without lingering stop at logout.
#[test]
fn schedules_write_max_age_as_one_word_and_say_how_user_timers_outlive_a_logout() {
    let ctx = project("");
    for mode in ["--cron", "--systemd", "--github-actions", "--gitlab"] {
        let run = ctx.run(&["schedule", mode, "--max-age", "1h 30m"]);
        run.ok();
        assert!(
            run.stdout.contains("--max-age 1h30m") || run.stdout.contains("--max-age '1h30m'"),
            "{mode}: {}",
            run.stdout
        );
        assert!(!run.stdout.contains("1h 30m"), "{mode}: {}", run.stdout);
    }
    assert_eq!(ctx.run(&["schedule", "--cron", "--max-age", "1h;true"]).code, 2);
    let run = ctx.run(&["schedule", "--systemd"]);
    assert!(run.stdout.contains("loginctl enable-linger"), "{}", run.stdout);
    // `%` is a newline to cron and a specifier to systemd: refused, not written.
    let odd = TestContext::new();
    odd.prisma7_project("sqlite", "file:./dev.db");
    std::fs::create_dir_all(odd.path("pct%dir")).unwrap();
    for entry in ["prisma.config.ts", "prisma", ".env"] {
        std::fs::rename(odd.path(entry), odd.path(&format!("pct%dir/{entry}"))).unwrap();
    }
    let mut cmd = odd.cmd(&["schedule", "--cron"]);
    let run = Run::from(cmd.current_dir(odd.path("pct%dir")).output().unwrap());
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(run.stderr.contains('%'), "{}", run.stderr);
}

/// Finding 6: a broken prisma-guard.toml made the hourly status exit 2, and the cron line sent
/// that to /dev/null: no alert, no mail, nothing.
#[test]
fn the_cron_status_line_speaks_when_status_cannot_run() {
    let ctx = project("");
    let run = ctx.run(&["schedule", "--cron"]);
    run.ok();
    let hourly =
        run.stdout.lines().find(|l| l.starts_with("7 * * * *")).unwrap().splitn(6, ' ').nth(5).unwrap().to_string();
    let sh = |job: &str| {
        std::process::Command::new("sh")
            .args(["-c", job])
            .env_clear()
            .envs(ctx.env.iter().map(|(k, v)| (k, v)))
            .output()
            .unwrap()
    };
    ctx.run(&["backup"]).ok();
    let quiet = sh(&hourly);
    assert!(quiet.status.success() && quiet.stderr.is_empty(), "{}", String::from_utf8_lossy(&quiet.stderr));
    ctx.write_own_config("[[notify]]\nkind = \"webhook\"\nurl = \"http://127.0.0.1:1/hook\"\nbogus = 1\n");
    let broken = sh(&hourly);
    let said = String::from_utf8_lossy(&broken.stderr);
    assert!(said.contains("prisma-guard status could not run (exit 2)"), "{said}");
}

/// Finding 10: `schedule` in a shell that names the identity kept the restore test, but cron
/// does not have that shell's variables: the nightly restore test failed as a usage error,
/// unrecorded.
#[test]
fn a_scheduled_restore_test_is_given_the_identity_file() {
    let mut ctx = project("");
    let (key, public) = crate::encryption::keygen(&ctx, "team");
    ctx.write_own_config(&format!("[encryption]\nrecipients = [\"{public}\"]\n"));
    let run = ctx.run(&["schedule", "--cron"]);
    run.ok();
    assert!(!run.stdout.contains("restore-test") || run.stdout.contains("restore-test left out"), "{}", run.stdout);
    ctx.set_env("PRISMA_GUARD_AGE_IDENTITY", &key.display().to_string());
    let run = ctx.run(&["schedule", "--cron"]);
    run.ok();
    let nightly = run.stdout.lines().find(|l| l.contains("backup --label nightly")).unwrap();
    assert!(nightly.contains(&format!("PRISMA_GUARD_AGE_IDENTITY='{}' '", key.display())), "{nightly}");
    // The job, run as cron runs it: without this shell's variable.
    let job = nightly.splitn(6, ' ').nth(5).unwrap();
    let out = std::process::Command::new("sh")
        .args(["-c", job])
        .env_clear()
        .envs(ctx.env.iter().filter(|(k, _)| k.as_str() != "PRISMA_GUARD_AGE_IDENTITY").map(|(k, v)| (k, v)))
        .status()
        .unwrap();
    assert!(out.success(), "{}", std::fs::read_to_string(ctx.path("backups/schedule.log")).unwrap_or_default());
    assert_eq!(ctx.manifests()[0]["restore_tested"]["ok"], true);
    // CI runners hold no identity: left out there.
    let run = ctx.run(&["schedule", "--github-actions"]);
    assert!(run.stdout.contains("restore-test left out"), "{}", run.stdout);
}

/// Finding 7: the look "does the remote already hold this id?" ran before the dump with the
/// full timeout and every retry: a refused connection delayed the backup (and the prisma
/// command waiting on it) by about a minute, a store that accepts and never answers by 12.
#[test]
fn an_unreachable_remote_does_not_hold_up_the_local_backup() {
    // Accepts connections and never answers (a stalled store or proxy).
    let blackhole = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let stalled = blackhole.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for conn in blackhole.incoming().flatten() {
            held.push(conn);
        }
    });
    // Nothing listens there (a refused connection).
    let refused = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    for (what, port) in [("refused", refused), ("stalled", stalled)] {
        let mut ctx = project(&format!(
            "[[remote]]\nname = \"offsite\"\nurl = \"s3://bucket/app\"\nendpoint = \"http://127.0.0.1:{port}\"\npath_style = true\nregion = \"us-east-1\"\n"
        ));
        ctx.set_env("AWS_ACCESS_KEY_ID", "test");
        ctx.set_env("AWS_SECRET_ACCESS_KEY", "test");
        let started = std::time::Instant::now();
        let run = ctx.run(&["backup"]);
        let took = started.elapsed();
        assert!(took < Duration::from_secs(30), "{what}: the backup took {took:?}: {}", run.all());
        assert_eq!(ctx.manifests().len(), 1, "{what}: the local backup is taken: {}", run.all());
        let copy = &ctx.manifests()[0]["remotes"][0];
        assert!(copy["error"].as_str().is_some_and(|e| e.contains("sync")), "{what}: {copy}");
        assert_ne!(run.code, 0, "{what}: a copy that failed is a failed backup for alerting: {}", run.all());
    }
}

/// Finding 17: the agent refusal of `restore --from NAME ID` (a backup held only on the
/// remote) told the user to run `prisma-guard restore ID`, which finds no such backup.
#[test]
fn the_refusal_of_a_restore_from_a_remote_repeats_from() {
    let b = crate::remote::bucket("r5-from-hint", false);
    let mut ctx = crate::remote::project(&crate::remote::remote_toml(&b, crate::remote::moto().port, ""));
    ctx.run(&["backup"]).ok();
    let id = ctx.manifests()[0]["id"].as_str().unwrap().to_string();
    std::fs::remove_dir_all(ctx.path("backups")).unwrap();
    ctx.set_env("CLAUDECODE", "1");
    let run = ctx.run(&["restore", "--from", "offsite", &id]);
    assert_eq!(run.code, 3, "{}", run.all());
    assert!(run.all().contains(&format!("prisma-guard restore --from offsite {id}")), "{}", run.all());
}

/// Finding 16: a remote lock left by a killed `sync` on this host blocked the next run for
/// 10 minutes (until its heartbeat went stale), although its pid was dead.
#[test]
fn a_remote_lock_of_a_dead_run_on_this_host_is_taken_over_at_once() {
    let b = crate::remote::bucket("r5-dead-lock", false);
    let mut ctx = crate::remote::project(&crate::remote::remote_toml(&b, crate::remote::moto().port, ""));
    ctx.run(&["backup"]).ok();
    let mut gone = std::process::Command::new("true").spawn().unwrap();
    let pid = gone.id();
    gone.wait().unwrap();
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap().trim().to_string();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let body = format!("{{\"pid\":{pid},\"host\":\"{host}\",\"started\":{now},\"heartbeat\":{now}}}");
    crate::remote::boto(&format!("s3.put_object(Bucket='{b}', Key='team/app/.prisma-guard.lock', Body=b'{body}')"));
    ctx.set_env("PRISMA_GUARD_LOCK_WAIT", "6s");
    let started = std::time::Instant::now();
    let run = ctx.run(&["sync"]);
    run.ok();
    assert!(started.elapsed() < Duration::from_secs(6), "{}", run.all());
    assert!(run.stderr.contains("no longer running") && run.stderr.contains("taking it over"), "{}", run.stderr);
}

/// Finding 10, second half: one manual restore test kept `restore ... ok` green for ever while
/// the nightly one never ran.
#[test]
fn status_warns_when_the_last_restore_test_is_old() {
    let ctx = project("");
    ctx.run(&["backup"]).ok();
    ctx.run(&["restore-test"]).ok();
    assert_eq!(ctx.run(&["status"]).code, 0);
    let m = &ctx.manifests()[0];
    let path = ctx.path("backups").join(format!("{}.json", m["id"].as_str().unwrap()));
    let mut json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let old = std::time::SystemTime::now() - Duration::from_secs(10 * 86_400);
    json["restore_tested"]["at"] = humantime::format_rfc3339_seconds(old).to_string().into();
    std::fs::write(&path, serde_json::to_string_pretty(&json).unwrap()).unwrap();
    let run = ctx.run(&["status", "--json"]);
    assert_eq!(run.code, 1, "{}", run.all());
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let f = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["event"] == "restore-test-failed")
        .cloned()
        .unwrap_or_else(|| panic!("{report}"));
    assert_eq!(f["severity"], "warning", "{f}");
    assert!(f["message"].as_str().unwrap().contains("the scheduled one is not running"), "{f}");
}
