//! Status and alerts (issue 18): `status` exit codes and formats, and `[[notify]]` delivered to
//! a real SMTP server (`aiosmtpd` from PyPI, started by the test) and to local HTTP listeners
//! that record what they receive (webhook, Slack, ntfy).

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rusqlite::Connection;

use crate::sqlite::seed_sqlite;
use crate::support::*;

/// One received HTTP request: path, headers (lowercase names), body.
#[derive(Debug, Clone)]
pub struct Received {
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

/// A local HTTP server that answers 200 and keeps every request.
pub struct Listener {
    pub port: u16,
    pub got: Arc<Mutex<Vec<Received>>>,
}

impl Listener {
    pub fn start() -> Listener {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        let got: Arc<Mutex<Vec<Received>>> = Arc::default();
        let keep = got.clone();
        std::thread::spawn(move || {
            for conn in l.incoming().flatten() {
                let keep = keep.clone();
                std::thread::spawn(move || {
                    let mut conn = conn;
                    let _ = conn.set_read_timeout(Some(Duration::from_secs(10)));
                    let mut head = Vec::new();
                    let mut b = [0u8; 1];
                    while !head.ends_with(b"\r\n\r\n") {
                        if conn.read(&mut b).unwrap_or(0) == 0 {
                            return;
                        }
                        head.push(b[0]);
                    }
                    let text = String::from_utf8_lossy(&head).into_owned();
                    let mut lines = text.split("\r\n");
                    let path = lines.next().unwrap_or("").split_whitespace().nth(1).unwrap_or("").to_string();
                    let headers: Vec<(String, String)> = lines
                        .filter_map(|l| l.split_once(':'))
                        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
                        .collect();
                    let len = headers
                        .iter()
                        .find(|(k, _)| k == "content-length")
                        .and_then(|(_, v)| v.parse().ok())
                        .unwrap_or(0);
                    let mut body = vec![0u8; len];
                    let _ = conn.read_exact(&mut body);
                    keep.lock().unwrap().push(Received {
                        path,
                        headers,
                        body: String::from_utf8_lossy(&body).into_owned(),
                    });
                    let _ = conn.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
                });
            }
        });
        Listener { port, got }
    }

    pub fn at(&self, path: &str) -> Vec<Received> {
        self.got.lock().unwrap().iter().filter(|r| r.path == path).cloned().collect()
    }
}

/// A real SMTP server on loopback writing each message into a Maildir.
pub struct Smtp {
    pub port: u16,
    pub maildir: std::path::PathBuf,
}

pub fn smtp() -> Smtp {
    let ok = std::process::Command::new("python3").args(["-c", "import aiosmtpd"]).status().unwrap();
    assert!(
        ok.success(),
        "aiosmtpd is not installed: the email tests need it (./scripts/test.sh installs it: pip install aiosmtpd)"
    );
    let dir = tempfile::Builder::new().prefix("pg-it-smtp-").tempdir().unwrap().keep();
    let maildir = dir.join("mail");
    let port = free_port();
    start_watched(
        &format!("python3 -m aiosmtpd -n -l 127.0.0.1:{port} -c aiosmtpd.handlers.Mailbox {}", maildir.display()),
        &dir,
    );
    wait_for("aiosmtpd", Duration::from_secs(30), || std::net::TcpStream::connect(("127.0.0.1", port)).is_ok());
    Smtp { port, maildir }
}

impl Smtp {
    pub fn messages(&self) -> Vec<String> {
        let mut out = Vec::new();
        for sub in ["new", "cur"] {
            if let Ok(rd) = std::fs::read_dir(self.maildir.join(sub)) {
                for e in rd.flatten() {
                    out.push(std::fs::read_to_string(e.path()).unwrap_or_default());
                }
            }
        }
        out
    }
}

fn sqlite_project(config: &str) -> TestContext {
    let ctx = TestContext::new();
    ctx.prisma7_project("sqlite", "file:./dev.db");
    seed_sqlite(&ctx.path("dev.db"));
    ctx.write_own_config(config);
    ctx
}

const HOOK_SECRET: &str = "T000/B000/hook-secret-xyz";
const NTFY_TOKEN: &str = "tk_ntfy_secret_token_123";

#[test]
fn notify_test_reaches_a_webhook_slack_ntfy_and_an_smtp_server() {
    let web = Listener::start();
    let mail = smtp();
    let mut ctx = sqlite_project(&format!(
        "[[notify]]\nkind = \"webhook\"\nurl = \"http://127.0.0.1:{p}/hook\"\n\n[[notify]]\nkind = \"slack\"\nurl_env = \"SLACK_URL\"\n\n[[notify]]\nkind = \"ntfy\"\nurl = \"http://127.0.0.1:{p}/alerts\"\ntoken_env = \"NTFY_TOKEN\"\n\n[[notify]]\nkind = \"email\"\nsmtp_host = \"127.0.0.1\"\nsmtp_port = {m}\ntls = \"none\"\nfrom = \"backups@example.com\"\nto = [\"oncall@example.com\"]\n",
        p = web.port,
        m = mail.port
    ));
    ctx.set_env("SLACK_URL", &format!("http://127.0.0.1:{}/services/{HOOK_SECRET}", web.port));
    ctx.set_env("NTFY_TOKEN", NTFY_TOKEN);
    let run = ctx.run(&["notify", "test"]);
    run.ok();
    assert_eq!(run.stdout.matches("sent").count(), 4, "{}", run.all());
    assert!(!run.all().contains(HOOK_SECRET) && !run.all().contains(NTFY_TOKEN), "{}", run.all());
    let hook = web.at("/hook");
    let body: serde_json::Value = serde_json::from_str(&hook[0].body).unwrap();
    assert_eq!(body["event"], "test");
    assert_eq!(body["severity"], "info");
    let slack = web.at(&format!("/services/{HOOK_SECRET}"));
    let body: serde_json::Value = serde_json::from_str(&slack[0].body).unwrap();
    assert!(body["text"].as_str().unwrap().contains("[prisma-guard info]"), "{body}");
    let ntfy = &web.at("/alerts")[0];
    let header = |k: &str| ntfy.headers.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
    assert!(header("title").contains("test message"), "{:?}", ntfy.headers);
    assert_eq!(header("authorization"), format!("Bearer {NTFY_TOKEN}"));
    let mut got = Vec::new();
    for _ in 0..50 {
        got = mail.messages();
        if !got.is_empty() {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(got.len(), 1, "one email");
    assert!(got[0].contains("Subject: [prisma-guard info]") && got[0].contains("oncall@example.com"), "{}", got[0]);
    // A notifier that is down is reported, and the command says which.
    let ctx = sqlite_project("[[notify]]\nkind = \"webhook\"\nurl = \"http://127.0.0.1:9/down\"\n");
    let run = ctx.run(&["notify", "test"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stdout.contains("FAILED  webhook (127.0.0.1:9)"), "{}", run.stdout);
}

#[test]
fn status_reports_health_for_monitors_and_alerts_from_a_scheduler() {
    let web = Listener::start();
    let ctx = sqlite_project(&format!(
        "[[notify]]\nkind = \"webhook\"\nurl = \"http://127.0.0.1:{}/hook\"\nmin_severity = \"info\"\n",
        web.port
    ));
    // No backups: stale, exit 1, and the alert goes out.
    let run = ctx.run(&["status", "--notify"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stdout.contains("NOT HEALTHY") && run.stdout.contains("no backups"), "{}", run.stdout);
    let alert: serde_json::Value = serde_json::from_str(&web.at("/hook")[0].body).unwrap();
    assert_eq!(alert["event"], "stale");
    assert_eq!(alert["severity"], "critical");
    // Backed up, verified and restore-tested: healthy, exit 0, and the daily digest.
    ctx.run(&["backup"]).ok();
    ctx.run(&["verify"]).ok();
    ctx.run(&["restore-test"]).ok();
    let run = ctx.run(&["status", "--notify"]);
    run.ok();
    assert_eq!(web.at("/hook").len(), 1, "healthy: no alert without --digest");
    let run = ctx.run(&["status", "--notify", "--digest"]);
    run.ok();
    assert!(run.stdout.contains("healthy") && run.stdout.contains("restore  last test"), "{}", run.stdout);
    let digest: serde_json::Value = serde_json::from_str(&web.at("/hook")[1].body).unwrap();
    assert_eq!(digest["event"], "digest");
    let json: serde_json::Value = serde_json::from_str(&ctx.run(&["status", "--json"]).stdout).unwrap();
    assert_eq!(json["healthy"], true);
    assert_eq!(json["locations"][0]["kind"], "local");
    assert_eq!(json["last_restore_test"]["ok"], true);
    assert!(json["disk"]["free_bytes"].as_u64().unwrap() > 0);
    let prom = ctx.run(&["status", "--format", "prometheus"]);
    prom.ok();
    assert!(prom.stdout.contains("prisma_guard_healthy 1"), "{}", prom.stdout);
    assert!(
        prom.stdout.contains("prisma_guard_backup_newest_age_seconds{location=\"local\",kind=\"local\"}"),
        "{}",
        prom.stdout
    );
    // Stale by the monitor's own measure.
    std::thread::sleep(Duration::from_millis(2100));
    assert_eq!(ctx.run(&["status", "--max-age", "1s"]).code, 1);
    // The data shrank by more than 20 %: worth a look.
    Connection::open(ctx.path("dev.db")).unwrap().execute_batch("DELETE FROM \"Post\"; VACUUM;").unwrap();
    ctx.run(&["backup"]).ok();
    let run = ctx.run(&["status"]);
    assert_eq!(run.code, 1, "{}", run.all());
    // "-71 % the size" it said once (review of issue 18, round 5, finding 13).
    assert!(run.stdout.contains(" % smaller than the one before"), "{}", run.stdout);
    let size = run.stdout.lines().find(|l| l.contains("smaller than")).unwrap_or_default();
    assert!(!size.contains(" -"), "no negative size: {size}");
    assert_eq!(ctx.run(&["status", "--max-age", "soon"]).code, 2);
}

#[test]
fn failures_and_refusals_are_sent_as_they_happen() {
    let web = Listener::start();
    let hook = format!("[[notify]]\nkind = \"webhook\"\nurl = \"http://127.0.0.1:{}/hook\"\n", web.port);
    let ctx = sqlite_project(&hook);
    ctx.run(&["backup"]).ok();
    // A damaged backup: the restore test fails, and says so.
    let m = &ctx.manifests()[0];
    let dump = ctx.path("backups").join(m["file"]["name"].as_str().unwrap());
    let mut bytes = std::fs::read(&dump).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 1;
    std::fs::write(&dump, bytes).unwrap();
    assert_ne!(ctx.run(&["restore-test"]).code, 0);
    let events: Vec<String> = web
        .at("/hook")
        .iter()
        .map(|r| serde_json::from_str::<serde_json::Value>(&r.body).unwrap()["event"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(events, ["restore-test-failed"]);
    // And `status` knows: the last restore test failed.
    let run = ctx.run(&["status"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stdout.contains("the last restore test"), "{}", run.stdout);
    // The guard refusing an agent's reset is on the record.
    let mut ctx = crate::guard::guarded_project();
    ctx.write_own_config(&hook);
    ctx.set_env("CLAUDECODE", "1");
    let run = crate::guard::prisma(&ctx, &["migrate", "reset", "--force"]);
    assert_eq!(run.code, 3, "{}", run.all());
    let last: serde_json::Value = serde_json::from_str(&web.at("/hook").last().unwrap().body).unwrap();
    assert_eq!(last["event"], "refused");
    assert!(last["title"].as_str().unwrap().contains("migrate reset"), "{last}");
}

#[test]
fn schedule_prints_units_that_run_as_printed() {
    let web = Listener::start();
    let ctx = sqlite_project(&format!(
        "[[notify]]\nkind = \"webhook\"\nurl = \"http://127.0.0.1:{}/hook\"\nmin_severity = \"info\"\n",
        web.port
    ));
    let run = ctx.run(&["schedule", "--cron", "--at", "02:05"]);
    run.ok();
    let root = ctx.root().canonicalize().unwrap().display().to_string();
    assert!(run.stdout.contains(&format!("5 2 * * * cd '{root}'")), "{}", run.stdout);
    assert!(run.stdout.contains(bin()), "{}", run.stdout);
    // Each job line runs as cron would run it: the backup job, then the hourly status.
    let jobs: Vec<String> = run
        .stdout
        .lines()
        .filter(|l| l.chars().next().is_some_and(|c| c.is_ascii_digit()))
        .map(|l| l.splitn(6, ' ').nth(5).unwrap().to_string())
        .collect();
    assert_eq!(jobs.len(), 3, "{}", run.stdout);
    assert!(!ctx.path("backups").exists(), "the job makes its log folder itself");
    for job in &jobs[..2] {
        let out = std::process::Command::new("sh")
            .args(["-c", job])
            .env_clear()
            .envs(ctx.env.iter().map(|(k, v)| (k, v)))
            .status()
            .unwrap();
        assert!(out.success(), "{job}");
    }
    assert_eq!(ctx.manifests().len(), 1);
    assert_eq!(ctx.manifests()[0]["label"], "nightly");
    assert_eq!(ctx.manifests()[0]["restore_tested"]["ok"], true);
    let log = std::fs::read_to_string(ctx.path("backups/schedule.log")).unwrap();
    assert!(log.contains("row counts match"), "{log}");
    // Healthy: no alert from the hourly status (the digest is the daily job's).
    assert!(web.at("/hook").is_empty());
    let run = ctx.run(&["schedule", "--systemd", "--at", "02:05"]);
    run.ok();
    assert!(
        run.stdout.contains("OnCalendar=*-*-* 02:05:00") && run.stdout.contains("EnvironmentFile=-"),
        "{}",
        run.stdout
    );
    let run = ctx.run(&["schedule", "--github-actions"]);
    run.ok();
    assert!(
        run.stdout.contains("cron: \"15 3 * * *\"") && run.stdout.contains("${{ secrets.DATABASE_URL }}"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("status --max-age 25h --notify"), "{}", run.stdout);
    let run = ctx.run(&["schedule", "--gitlab"]);
    run.ok();
    assert!(run.stdout.contains("$CI_PIPELINE_SOURCE == \"schedule\""), "{}", run.stdout);
    assert_eq!(ctx.run(&["schedule"]).code, 2);
    assert_eq!(ctx.run(&["schedule", "--cron", "--at", "25:00"]).code, 2);
}

/// Review (issue 18, round 2, defect 13): "no backup has been restore-tested yet" is a notice,
/// not a `restore-test-failed` event.
#[test]
fn never_restore_tested_is_a_notice_not_a_failure() {
    let ctx = sqlite_project("");
    ctx.run(&["backup"]).ok();
    let run = ctx.run(&["status", "--json", "--max-age", "1h"]);
    assert_eq!(run.code, 0, "{}", run.all());
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let note = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["message"].as_str().unwrap_or("").contains("restore-tested"))
        .cloned()
        .unwrap_or_else(|| panic!("{report}"));
    assert_eq!(note["event"], "notice", "{note}");
    assert_eq!(note["severity"], "info", "{note}");
}

/// Review (issue 18, round 2, defect 13): the last restore test's result outlives the backup it
/// tested once prune deletes it ("never tested" it was not).
#[test]
fn the_last_restore_test_is_remembered_after_its_backup_is_pruned() {
    let ctx = sqlite_project("[retention]\nkeep_last = 1\n");
    ctx.run(&["backup"]).ok();
    let tested = ctx.manifests()[0]["id"].as_str().unwrap().to_string();
    ctx.run(&["restore-test"]).ok();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    ctx.run(&["backup"]).ok();
    ctx.run(&["verify"]).ok();
    let run = ctx.run(&["prune", "--yes"]);
    run.ok();
    assert_eq!(ctx.manifests().len(), 1, "{}", run.all());
    assert!(ctx.manifests().iter().all(|m| m["id"] != tested.as_str()), "{}", run.all());
    let run = ctx.run(&["status", "--json", "--max-age", "1h"]);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(report["last_restore_test"]["id"], tested.as_str(), "{report}");
    assert_eq!(report["last_restore_test"]["ok"], true, "{report}");
    assert!(!run.stdout.contains("restore-tested yet"), "{}", run.stdout);
}

/// Review (issue 18, round 2, defect 7): generated CI schedules pass the variables the config
/// reads (not fixed AWS/Slack names), check staleness in a job of their own (hourly, on the
/// remotes), and install prisma-guard as the README says (the npm package, this version).
#[test]
fn ci_schedules_use_the_configs_variables_and_a_separate_staleness_job() {
    let ctx = sqlite_project(
        "[[remote]]\nname = \"offsite\"\nurl = \"s3://bucket/app\"\nendpoint = \"http://127.0.0.1:1\"\naccess_key_id_env = \"VAULT_KEY_ID\"\nsecret_access_key_env = \"VAULT_SECRET\"\n\n[[notify]]\nkind = \"slack\"\nurl_env = \"HOOK_URL\"\n",
    );
    ctx.write(
        "prisma.config.ts",
        &std::fs::read_to_string(ctx.path("prisma.config.ts")).unwrap().replace("DATABASE_URL", "APP_DB_URL"),
    );
    ctx.write(".env", "APP_DB_URL=\"file:./dev.db\"\n");
    let run = ctx.run(&["schedule", "--github-actions", "--at", "03:15"]);
    run.ok();
    let out = &run.stdout;
    for name in ["APP_DB_URL", "VAULT_KEY_ID", "VAULT_SECRET", "HOOK_URL"] {
        assert!(out.contains(&format!("  {name}: ${{{{ secrets.{name} }}}}")), "{name}: {out}");
    }
    for fixed in ["AWS_ACCESS_KEY_ID", "SLACK_WEBHOOK_URL", "secrets.DATABASE_URL", "cargo install"] {
        assert!(!out.contains(fixed), "{fixed}: {out}");
    }
    assert!(out.contains("cron: \"15 3 * * *\"") && out.contains("cron: \"45 * * * *\""), "{out}");
    assert!(out.contains("github.event.schedule == '45 * * * *'"), "{out}");
    assert!(out.contains("prisma-guard status --remotes-only --max-age 25h --notify"), "{out}");
    // Installed at this version from npm (review of issue 18, round 5, finding 8).
    assert!(out.contains(&format!("@prisma-guard/cli@{}", env!("CARGO_PKG_VERSION"))), "{out}");
    assert!(out.contains("install -y -q zstd"), "a SQLite project needs no server client: {out}");
    let run = ctx.run(&["schedule", "--gitlab", "--at", "03:15"]);
    run.ok();
    let out = &run.stdout;
    assert!(out.contains("APP_DB_URL, VAULT_KEY_ID, VAULT_SECRET, HOOK_URL"), "{out}");
    assert!(out.contains("$PRISMA_GUARD_JOB == \"status\"") && out.contains("\"45 * * * *\""), "{out}");
    assert!(out.contains("status --remotes-only") && !out.contains("cargo install"), "{out}");
    // The staleness job judges the remotes alone; without one, --remotes-only is a usage error.
    let bare = sqlite_project("");
    assert_eq!(bare.run(&["status", "--remotes-only"]).code, 2);
}
