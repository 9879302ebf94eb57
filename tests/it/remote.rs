//! Off-site copies (issue 18) against a real S3-compatible server on loopback: `moto_server`
//! from PyPI, started once per test run (the test fails, never skips, when it cannot start),
//! and a small fault-injecting proxy in front of it for 500s, dropped connections and
//! stalled responses.

use std::collections::VecDeque;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use rusqlite::Connection;

use crate::sqlite::seed_sqlite;
use crate::support::*;

pub const KEY_ID: &str = "AKIAPRISMAGUARDTEST";
pub const SECRET_KEY: &str = "remote-secret-key-never-shown-0123456789";

pub struct Moto {
    pub port: u16,
}

/// The S3 server for this test run.
pub fn moto() -> &'static Moto {
    static MOTO: OnceLock<Moto> = OnceLock::new();
    MOTO.get_or_init(|| {
        let found = std::process::Command::new("sh").args(["-c", "command -v moto_server"]).output().unwrap();
        assert!(
            found.status.success(),
            "moto_server is not installed: the S3 tests need it (./scripts/test.sh installs it: pip install 'moto[server]')"
        );
        let dir = tempfile::Builder::new().prefix("pg-it-moto-").tempdir().unwrap().keep();
        let port = free_port();
        start_watched(&format!("moto_server -H 127.0.0.1 -p {port}"), &dir);
        wait_for("moto_server", Duration::from_secs(60), || http(port, "GET", "/", &[], b"").is_some());
        Moto { port }
    })
}

/// One raw HTTP/1.1 request (moto does not check signatures): `(status, body)`.
pub fn http(port: u16, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Option<(u16, Vec<u8>)> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(30))).ok()?;
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes()).ok()?;
    s.write_all(body).ok()?;
    let mut out = Vec::new();
    s.read_to_end(&mut out).ok()?;
    let split = out.windows(4).position(|w| w == b"\r\n\r\n")?;
    let status = String::from_utf8_lossy(&out[..split]).split_whitespace().nth(1)?.parse().ok()?;
    let head_text = String::from_utf8_lossy(&out[..split]).to_ascii_lowercase();
    let mut body = out[split + 4..].to_vec();
    if head_text.contains("transfer-encoding: chunked") {
        body = dechunk(&body);
    }
    Some((status, body))
}

fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = b.windows(2).position(|w| w == b"\r\n") {
        let n = usize::from_str_radix(String::from_utf8_lossy(&b[..eol]).trim(), 16).unwrap_or(0);
        if n == 0 {
            break;
        }
        out.extend_from_slice(&b[eol + 2..eol + 2 + n]);
        b = &b[eol + 2 + n + 2..];
    }
    out
}

/// A fresh bucket (with Object Lock when asked).
pub fn bucket(name: &str, object_lock: bool) -> String {
    let port = moto().port;
    let headers: &[(&str, &str)] = if object_lock { &[("x-amz-bucket-object-lock-enabled", "True")] } else { &[] };
    let (status, body) = http(port, "PUT", &format!("/{name}"), headers, b"").expect("moto answers");
    assert!(status == 200 || status == 409, "create bucket {name}: {status} {}", String::from_utf8_lossy(&body));
    name.to_string()
}

/// The keys in a bucket.
pub fn keys(bucket: &str) -> Vec<String> {
    let (_, body) = http(moto().port, "GET", &format!("/{bucket}?list-type=2"), &[], b"").unwrap();
    let text = String::from_utf8_lossy(&body).into_owned();
    text.split("<Key>").skip(1).filter_map(|s| s.split("</Key>").next()).map(str::to_string).collect()
}

/// Run Python with boto3 (moto's dependency) against the server, signed like a real client:
/// `s3` is the client. Its output.
pub fn boto(code: &str) -> String {
    let script = format!(
        "import boto3\ns3 = boto3.client('s3', endpoint_url='http://127.0.0.1:{}', aws_access_key_id='{KEY_ID}', aws_secret_access_key='{SECRET_KEY}', region_name='us-east-1')\n{code}\n",
        moto().port
    );
    let out = std::process::Command::new("python3").arg("-c").arg(&script).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "boto3: {text}");
    text
}

/// A faulty network between prisma-guard and the store.
#[derive(Clone, Copy, Debug)]
pub enum Fault {
    /// Answer 500 without forwarding.
    Status500,
    /// Read half the request body, then hang up.
    DropMidBody,
    /// Read the request, say nothing for this long, hang up.
    Stall(u64),
    /// Forward the request with one bit of its body flipped (corruption in transit).
    FlipBit,
}

pub struct Proxy {
    pub port: u16,
    /// (substring of the request line, fault): the first that matches is used up.
    pub faults: Arc<Mutex<VecDeque<(String, Fault)>>>,
    /// Every request line the proxy saw.
    pub seen: Arc<Mutex<Vec<String>>>,
    /// (substrings of the request line, action): the first request whose line holds every
    /// substring runs the action (given the line) before it is forwarded; used up.
    pub hooks: Arc<Mutex<Vec<Hook>>>,
}

pub type Hook = (Vec<String>, Box<dyn FnOnce(&str) + Send>);

impl Proxy {
    pub fn start() -> Proxy {
        let upstream = moto().port;
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let faults: Arc<Mutex<VecDeque<(String, Fault)>>> = Arc::default();
        let seen: Arc<Mutex<Vec<String>>> = Arc::default();
        let hooks: Arc<Mutex<Vec<Hook>>> = Arc::default();
        let (f, s, h) = (faults.clone(), seen.clone(), hooks.clone());
        std::thread::spawn(move || {
            for conn in listener.incoming().flatten() {
                let (f, s, h) = (f.clone(), s.clone(), h.clone());
                std::thread::spawn(move || {
                    let _ = serve(conn, upstream, &f, &s, &h);
                });
            }
        });
        Proxy { port, faults, seen, hooks }
    }

    /// Run `action` before forwarding the first request whose line holds all of `parts`.
    pub fn on(&self, parts: &[&str], action: impl FnOnce(&str) + Send + 'static) {
        self.hooks.lock().unwrap().push((parts.iter().map(|p| p.to_string()).collect(), Box::new(action)));
    }

    pub fn fail(&self, when: &str, fault: Fault) {
        self.faults.lock().unwrap().push_back((when.to_string(), fault));
    }

    pub fn always_fail(&self) {
        for _ in 0..200 {
            self.fail("", Fault::Status500);
        }
    }

    pub fn heal(&self) {
        self.faults.lock().unwrap().clear();
    }
}

fn serve(
    mut conn: TcpStream,
    upstream: u16,
    faults: &Mutex<VecDeque<(String, Fault)>>,
    seen: &Mutex<Vec<String>>,
    hooks: &Mutex<Vec<Hook>>,
) -> std::io::Result<()> {
    conn.set_read_timeout(Some(Duration::from_secs(30)))?;
    {
        // One request: its head, then its body (Content-Length).
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") {
            if conn.read(&mut byte)? == 0 {
                return Ok(());
            }
            head.push(byte[0]);
        }
        let text = String::from_utf8_lossy(&head).into_owned();
        let line = text.lines().next().unwrap_or("").to_string();
        let length: usize = text
            .lines()
            .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().to_string()))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        seen.lock().unwrap().push(line.clone());
        let hook = {
            let mut h = hooks.lock().unwrap();
            let at = h.iter().position(|(parts, _)| parts.iter().all(|p| line.contains(p.as_str())));
            at.map(|i| h.remove(i).1)
        };
        if let Some(action) = hook {
            action(&line);
        }
        let fault = {
            let mut q = faults.lock().unwrap();
            let at = q.iter().position(|(when, _)| line.contains(when.as_str()));
            at.and_then(|i| q.remove(i)).map(|(_, f)| f)
        };
        if let Some(Fault::DropMidBody) = fault {
            let mut half = vec![0u8; length / 2];
            let _ = conn.read_exact(&mut half);
            return Ok(());
        }
        let mut body = vec![0u8; length];
        conn.read_exact(&mut body)?;
        if let (Some(Fault::FlipBit), false) = (fault, body.is_empty()) {
            let mid = body.len() / 2;
            body[mid] ^= 0x04;
        }
        match fault {
            Some(Fault::Status500) => {
                let msg = b"<Error><Code>InternalError</Code><Message>injected</Message></Error>";
                write!(
                    conn,
                    "HTTP/1.1 500 Internal Server Error\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    msg.len()
                )?;
                conn.write_all(msg)?;
                return Ok(());
            }
            Some(Fault::Stall(secs)) => {
                std::thread::sleep(Duration::from_secs(secs));
                return Ok(());
            }
            _ => {}
        }
        // Forward, one connection per request, and hand the answer back whole.
        let mut up = TcpStream::connect(("127.0.0.1", upstream))?;
        let mut fixed = String::new();
        for l in text.split("\r\n").filter(|l| !l.is_empty()) {
            if !l.to_ascii_lowercase().starts_with("connection:") {
                fixed.push_str(l);
                fixed.push_str("\r\n");
            }
        }
        fixed.push_str("Connection: close\r\n\r\n");
        up.write_all(fixed.as_bytes())?;
        up.write_all(&body)?;
        let mut answer = Vec::new();
        up.read_to_end(&mut answer)?;
        conn.write_all(&answer)?;
        // The upstream closed; so do we (the client opens a new connection).
    }
    Ok(())
}

/// A PostgreSQL project (Prisma 6 layout) at `url` whose remote is `bucket` on moto.
fn pg_project(url: &str, bucket: &str) -> TestContext {
    let mut ctx = TestContext::new();
    ctx.write(
        "prisma/schema.prisma",
        "datasource db {\n  provider = \"postgresql\"\n  url = env(\"DATABASE_URL\")\n}\n",
    );
    ctx.set_env("DATABASE_URL", url);
    ctx.set_env("AWS_ACCESS_KEY_ID", KEY_ID);
    ctx.set_env("AWS_SECRET_ACCESS_KEY", SECRET_KEY);
    ctx.write_own_config(&remote_toml(bucket, moto().port, ""));
    ctx
}

/// A SQLite project whose own prisma-guard.toml names `remote_toml`, with keys in the env.
pub fn project(remote_toml: &str) -> TestContext {
    let mut ctx = TestContext::new();
    ctx.prisma7_project("sqlite", "file:./dev.db");
    seed_sqlite(&ctx.path("dev.db"));
    ctx.write_own_config(remote_toml);
    ctx.set_env("AWS_ACCESS_KEY_ID", KEY_ID);
    ctx.set_env("AWS_SECRET_ACCESS_KEY", SECRET_KEY);
    ctx
}

pub fn remote_toml(bucket: &str, port: u16, extra: &str) -> String {
    format!("[[remote]]\nname = \"offsite\"\nurl = \"s3://{bucket}/team/app\"\nendpoint = \"http://127.0.0.1:{port}\"\npath_style = true\n{extra}")
}

#[track_caller]
fn no_key(ctx: &TestContext, run: &Run) {
    assert!(!run.all().contains(SECRET_KEY), "the secret key leaked:\n{}", run.all());
    for m in ctx.manifests() {
        assert!(!m.to_string().contains(SECRET_KEY), "the secret key is in a manifest");
    }
}

#[test]
fn a_backup_streams_to_the_remote_is_read_back_and_comes_back_from_it() {
    let b = bucket("pg-roundtrip", false);
    let ctx = project(&remote_toml(&b, moto().port, ""));
    let run = ctx.run(&["backup"]);
    run.ok();
    no_key(&ctx, &run);
    assert!(run.stderr.contains("size and SHA-256 read back"), "{}", run.all());
    let m = &ctx.manifests()[0];
    assert_eq!(m["remotes"][0]["checked_by"], "sha256", "read back by default: {m}");
    let id = m["id"].as_str().unwrap().to_string();
    let copy = &m["remotes"][0];
    assert_eq!(copy["name"], "offsite");
    assert_eq!(copy["verified"], true, "{m}");
    let name = m["file"]["name"].as_str().unwrap();
    assert_eq!(copy["url"], format!("s3://{b}/team/app/{name}"));
    let mut stored = keys(&b);
    stored.sort();
    let mut want = vec![format!("team/app/{id}.json"), format!("team/app/{name}"), format!("team/app/{name}.sha256")];
    want.sort();
    assert_eq!(stored, want);
    // Listed and verified on the remote; the local listing shows the copy.
    let run = ctx.run(&["backups", "--remote", "offsite"]);
    run.ok();
    assert!(run.stdout.contains(&id), "{}", run.stdout);
    let run = ctx.run(&["backups"]);
    assert!(run.stdout.contains("OFF-SITE") && run.stdout.contains("offsite"), "{}", run.stdout);
    let run = ctx.run(&["verify", "--remote", "offsite"]);
    run.ok();
    assert!(run.stdout.contains(&format!("ok      {id}  on `offsite`")), "{}", run.stdout);
    // The machine loses its backups and the data: the remote brings both back.
    let before = crate::sqlite::sqlite_fingerprint(&ctx.path("dev.db"));
    std::fs::remove_dir_all(ctx.path("backups")).unwrap();
    Connection::open(ctx.path("dev.db")).unwrap().execute_batch("DROP TABLE \"Post\";").unwrap();
    let run = ctx.run(&["restore-test", "--from", "offsite"]);
    run.ok();
    assert!(run.all().contains("row counts match"), "{}", run.all());
    let run = ctx.run_with_tty(&["restore", "--from", "offsite", "latest"], "dev.db\n");
    run.ok();
    no_key(&ctx, &run);
    assert_eq!(crate::sqlite::sqlite_fingerprint(&ctx.path("dev.db")), before);
    assert!(ctx.path("backups").join(name).is_file(), "the fetched backup is kept locally");
}

#[test]
fn a_bit_flipped_in_the_stored_object_is_caught() {
    let b = bucket("pg-bitrot", false);
    let ctx = project(&remote_toml(&b, moto().port, ""));
    ctx.run(&["backup"]).ok();
    let m = &ctx.manifests()[0];
    let key = format!("/{b}/team/app/{}", m["file"]["name"].as_str().unwrap());
    let (_, mut data) = http(moto().port, "GET", &key, &[], b"").unwrap();
    let mid = data.len() / 2;
    data[mid] ^= 0x10;
    let (status, _) = http(moto().port, "PUT", &key, &[], &data).unwrap();
    assert_eq!(status, 200);
    let run = ctx.run(&["verify", "--remote", "offsite", "--all"]);
    assert_eq!(run.code, 4, "{}", run.all());
    assert!(run.stdout.contains("FAILED") && run.stdout.contains("checksum mismatch"), "{}", run.stdout);
    std::fs::remove_dir_all(ctx.path("backups")).unwrap();
    let run = ctx.run(&["restore-test", "--from", "offsite"]);
    assert_eq!(run.code, 4, "{}", run.all());
    assert!(run.stderr.contains("damaged"), "{}", run.stderr);
}

#[test]
fn server_errors_dropped_connections_and_stalls_are_retried() {
    let b = bucket("pg-faults", false);
    let proxy = Proxy::start();
    let ctx = project(&remote_toml(&b, proxy.port, "part_size_mib = 5\ntimeout = \"3s\"\n"));
    // 12 MB that does not compress: three parts.
    Connection::open(ctx.path("dev.db"))
        .unwrap()
        .execute_batch("CREATE TABLE blobs (id INTEGER PRIMARY KEY, b BLOB); WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 12) INSERT INTO blobs SELECT x, randomblob(1000000) FROM c;")
        .unwrap();
    proxy.fail("partNumber=1", Fault::Status500);
    proxy.fail("partNumber=2", Fault::DropMidBody);
    proxy.fail("partNumber=3", Fault::Stall(20));
    proxy.fail("uploadId", Fault::Status500);
    let started = std::time::Instant::now();
    let run = ctx.run(&["backup"]);
    run.ok();
    assert!(started.elapsed() < Duration::from_secs(60), "retried, not stuck: {:?}", started.elapsed());
    assert!(proxy.faults.lock().unwrap().is_empty(), "every fault was met");
    let parts = proxy.seen.lock().unwrap().iter().filter(|l| l.contains("partNumber=")).count();
    assert!(parts >= 6, "three parts, three of them twice: {parts}");
    let m = &ctx.manifests()[0];
    assert_eq!(m["remotes"][0]["verified"], true, "{m}");
    let run = ctx.run(&["verify", "--remote", "offsite"]);
    run.ok();
}

#[test]
fn a_failed_upload_fails_the_backup_keeps_the_local_copy_and_sync_sends_it_later() {
    let b = bucket("pg-down", false);
    let proxy = Proxy::start();
    proxy.always_fail();
    let ctx = project(&remote_toml(&b, proxy.port, "retries = 1\n"));
    let run = ctx.run(&["backup"]);
    assert_eq!(run.code, 1, "{}", run.all());
    no_key(&ctx, &run);
    assert!(run.stderr.contains("saved locally, but its off-site copy failed"), "{}", run.stderr);
    assert!(run.stderr.contains("prisma-guard sync"), "{}", run.stderr);
    let m = &ctx.manifests()[0];
    assert!(m["remotes"][0]["error"].is_string(), "{m}");
    ctx.run(&["verify"]).ok();
    // Nothing on the store looks like a backup: no object at all.
    assert!(keys(&b).is_empty(), "{:?}", keys(&b));
    let run = ctx.run(&["backups"]);
    assert!(run.stdout.contains("offsite FAILED"), "{}", run.stdout);
    proxy.heal();
    let run = ctx.run(&["sync"]);
    run.ok();
    assert!(run.stdout.contains("sent"), "{}", run.all());
    assert_eq!(ctx.manifests()[0]["remotes"][0]["verified"], true);
    let run = ctx.run(&["sync"]);
    run.ok();
    assert!(run.stderr.contains("0 uploaded, 1 already there"), "{}", run.all());
    ctx.run(&["verify", "--remote", "offsite", "--all"]).ok();
}

#[test]
fn object_lock_protects_each_uploaded_object() {
    let b = bucket("pg-locked", true);
    let ctx = project(&remote_toml(&b, moto().port, "object_lock_mode = \"GOVERNANCE\"\nobject_lock_days = 2\n"));
    let run = ctx.run(&["backup"]);
    run.ok();
    let m = &ctx.manifests()[0];
    let until = m["remotes"][0]["locked_until"].as_str().expect("locked").to_string();
    assert!(until.starts_with("20"), "{until}");
    assert_eq!(m["remotes"][0]["lock_mode"], "GOVERNANCE");
    // With the remote's own keys (as a leaked key would), each object is locked and its
    // version cannot be deleted.
    let stored = keys(&b);
    assert_eq!(stored.len(), 3, "{stored:?}");
    for key in stored {
        let script = format!(
            "import boto3\ns3 = boto3.client('s3', endpoint_url='http://127.0.0.1:{port}', aws_access_key_id='{KEY_ID}', aws_secret_access_key='{SECRET_KEY}', region_name='us-east-1')\nh = s3.head_object(Bucket='{b}', Key='{key}')\nprint(h.get('ObjectLockMode'))\ntry:\n    s3.delete_object(Bucket='{b}', Key='{key}', VersionId=h['VersionId'])\n    print('deleted')\nexcept Exception as e:\n    print('refused', e)\n",
            port = moto().port
        );
        let out = std::process::Command::new("python3").arg("-c").arg(&script).output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
        assert!(
            text.contains("GOVERNANCE") && text.contains("refused") && text.contains("AccessDenied"),
            "{key}: {text}"
        );
    }
    let run = ctx.run(&["backups", "--remote", "offsite"]);
    assert!(run.stdout.contains("LOCKED UNTIL") && run.stdout.contains(&until), "{}", run.stdout);
    // A bucket without Object Lock: the copy is a failure that says so, never an unlocked
    // copy passed off as locked.
    let plain = bucket("pg-not-lockable", false);
    let ctx = project(&remote_toml(&plain, moto().port, "object_lock_mode = \"COMPLIANCE\"\nobject_lock_days = 2\n"));
    let run = ctx.run(&["backup"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stderr.contains("Object Lock"), "{}", run.stderr);
}

#[test]
fn remote_settings_are_checked_and_only_the_projects_own_file_names_remotes() {
    let ctx = project("[[remote]]\nname = \"offsite\"\nurl = \"https://bucket.example/x\"\n");
    let run = ctx.run(&["backup"]);
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(run.stderr.contains("not an s3:// URL"), "{}", run.stderr);
    assert!(ctx.manifests().is_empty(), "nothing written");
    // A named file cannot send the backups to anyone's bucket.
    let b = bucket("pg-named", false);
    let ctx = project("");
    ctx.write("other.toml", &remote_toml(&b, moto().port, ""));
    let run = ctx.run(&["--guard-config", "other.toml", "backup"]);
    run.ok();
    assert!(run.stderr.contains("remote (where the backups are sent)"), "{}", run.stderr);
    assert!(keys(&b).is_empty());
    // No credentials: the local backup is taken, the copy fails with what to set.
    let b = bucket("pg-nokeys", false);
    let mut ctx = project(&remote_toml(&b, moto().port, ""));
    ctx.set_env("AWS_ACCESS_KEY_ID", "");
    ctx.set_env("AWS_SECRET_ACCESS_KEY", "");
    let run = ctx.run(&["backup"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stderr.contains("no credentials for remote `offsite`"), "{}", run.stderr);
    assert_eq!(ctx.manifests().len(), 1);
    let run = ctx.run(&["backups", "--remote", "nowhere"]);
    assert_eq!(run.code, 2, "{}", run.all());
}

#[test]
fn prune_applies_retention_on_each_remote_and_spares_locked_copies() {
    let b = bucket("pg-prune", false);
    let ctx = project(&remote_toml(&b, moto().port, "[remote.retention]\nkeep_last = 1\n"));
    ctx.run(&["backup"]).ok();
    ctx.run(&["backup"]).ok();
    assert_eq!(keys(&b).len(), 6);
    // The table first, per location; nothing deleted.
    let run = ctx.run(&["prune", "--keep", "1", "--max-age-days", "0"]);
    run.ok();
    assert!(run.stdout.contains("Remote `offsite`") && run.stdout.contains("DELETE"), "{}", run.stdout);
    assert_eq!(keys(&b).len(), 6);
    let run = ctx.run(&["prune", "--remote", "offsite", "--yes"]);
    run.ok();
    assert_eq!(keys(&b).len(), 3, "the older copy went, all three files: {:?}", keys(&b));
    assert_eq!(ctx.manifests().len(), 2, "--remote leaves the local folder alone");
    // Locked copies stay until their lock ends, whatever the rules say.
    let locked = bucket("pg-prune-locked", true);
    let ctx = project(&remote_toml(
        &locked,
        moto().port,
        "object_lock_mode = \"GOVERNANCE\"\nobject_lock_days = 3\n[remote.retention]\nkeep_last = 1\n",
    ));
    ctx.run(&["backup"]).ok();
    ctx.run(&["backup"]).ok();
    let run = ctx.run(&["prune", "--remote", "offsite", "--yes"]);
    run.ok();
    assert!(run.stdout.contains("under Object Lock until"), "{}", run.stdout);
    assert_eq!(keys(&locked).len(), 6);
}

#[test]
fn one_sync_or_prune_at_a_time_per_remote() {
    let b = bucket("pg-remote-lock", false);
    let mut ctx = project(&remote_toml(&b, moto().port, ""));
    ctx.run(&["backup"]).ok();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let put_lock = |heartbeat: u64| {
        let body = format!("{{\"pid\":4242,\"host\":\"ci-runner\",\"started\":1,\"heartbeat\":{heartbeat}}}");
        boto(&format!("s3.put_object(Bucket='{b}', Key='team/app/.prisma-guard.lock', Body=b'{body}')"));
    };
    put_lock(now);
    ctx.set_env("PRISMA_GUARD_LOCK_WAIT", "1s");
    let run = ctx.run(&["sync"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stderr.contains("busy: remote `offsite` is locked by pid 4242 on ci-runner"), "{}", run.stderr);
    put_lock(now - 3600);
    let run = ctx.run(&["sync"]);
    run.ok();
    assert!(run.stderr.contains("taking it over"), "{}", run.stderr);
    assert!(!keys(&b).iter().any(|k| k.ends_with(".prisma-guard.lock")), "released: {:?}", keys(&b));
}

#[test]
fn a_bit_flipped_in_transit_is_caught_and_read_back_can_be_asked_for() {
    let b = bucket("pg-transit", false);
    let proxy = Proxy::start();
    let ctx = project(&remote_toml(&b, proxy.port, ""));
    proxy.fail("partNumber=1", Fault::FlipBit);
    let run = ctx.run(&["backup"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(
        run.stderr.contains("does not match what was sent") && run.stderr.contains("checksum mismatch"),
        "{}",
        run.stderr
    );
    assert!(keys(&b).is_empty(), "the bad copy was deleted: {:?}", keys(&b));
    ctx.run(&["verify"]).ok();
    // Review (issue 18, round 2, defect 8): by default every upload is read back, size and
    // SHA-256 of what the store holds; the multipart ETag stands in only when asked.
    let b2 = bucket("pg-readback", false);
    let ctx = project(&remote_toml(&b2, moto().port, ""));
    let run = ctx.run(&["backup"]);
    run.ok();
    assert!(run.stderr.contains("size and SHA-256 read back"), "{}", run.all());
    assert_eq!(ctx.manifests()[0]["remotes"][0]["checked_by"], "sha256");
    let b3 = bucket("pg-etag", false);
    let ctx = project(&remote_toml(&b3, moto().port, "verify_upload = \"etag\"\n"));
    let run = ctx.run(&["backup"]);
    run.ok();
    assert!(run.stderr.contains("the store's ETag of the parts match"), "{}", run.all());
    assert_eq!(ctx.manifests()[0]["remotes"][0]["checked_by"], "etag");
}

#[test]
fn a_postgres_restore_streams_from_the_remote_and_a_damaged_copy_commits_nothing() {
    let pg = postgres();
    let db = pg.create_db("pg_remote_stream");
    pg.app_sql(&db, "CREATE TABLE \"User\" (id int PRIMARY KEY, email text); INSERT INTO \"User\" SELECT g, 'u' || g FROM generate_series(1, 500) g");
    let b = bucket("pg-stream", false);
    let ctx = pg_project(&pg.url(&db), &b);
    ctx.run(&["backup"]).ok();
    let name = ctx.manifests()[0]["file"]["name"].as_str().unwrap().to_string();
    pg.app_sql(&db, "DELETE FROM \"User\" WHERE id > 100");
    std::fs::remove_dir_all(ctx.path("backups")).unwrap();
    let run = ctx.run_with_tty(&["restore", "--from", "offsite"], &format!("{db}\n"));
    run.ok();
    no_key(&ctx, &run);
    assert_eq!(pg.app_sql(&db, "SELECT count(*) FROM \"User\""), "500");
    assert!(ctx.path("backups").join(&name).is_file(), "the streamed copy is kept");
    ctx.run(&["verify", "--all"]).ok();
    // The stored object is damaged: the stream is refused at its end, nothing is committed.
    let key = format!("/{b}/team/app/{name}");
    let (_, mut data) = http(moto().port, "GET", &key, &[], b"").unwrap();
    let last = data.len() - 5;
    data[last] ^= 1;
    boto(&format!(
        "s3.put_object(Bucket='{b}', Key='team/app/{name}', Body=bytes.fromhex('{}'))",
        data.iter().map(|x| format!("{x:02x}")).collect::<String>()
    ));
    pg.app_sql(&db, "DELETE FROM \"User\" WHERE id > 200");
    std::fs::remove_dir_all(ctx.path("backups")).unwrap();
    let run = ctx.run_with_tty(&["restore", "--from", "offsite", "latest"], &format!("{db}\n"));
    assert_ne!(run.code, 0, "{}", run.all());
    assert!(run.all().contains("rolled back"), "{}", run.all());
    assert_eq!(pg.app_sql(&db, "SELECT count(*) FROM \"User\""), "200", "rolled back");
    assert!(!ctx.path("backups").join(&name).exists(), "a damaged copy is not kept");
}

/// Anyone with the bucket's keys can write there: a planted backup that carries psql commands
/// is refused, and a manifest naming a path outside the backup folder is not used.
#[test]
fn planted_backups_on_the_remote_cannot_run_commands_or_write_files() {
    let pg = postgres();
    let db = pg.create_db("pg_remote_planted");
    pg.app_sql(&db, "CREATE TABLE \"User\" (id int PRIMARY KEY); INSERT INTO \"User\" VALUES (1), (2)");
    let b = bucket("pg-planted", false);
    let ctx = pg_project(&pg.url(&db), &b);
    ctx.run(&["backup"]).ok();
    let real = ctx.manifests()[0].clone();
    let marker = ctx.path("RCE_FROM_BACKUP");
    let sql = format!("SELECT 1;\n\\! touch {}\nCREATE TABLE \"Evil\" (id int);\n", marker.display());
    let mut z = std::process::Command::new("zstd")
        .args(["-q", "-c"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    z.stdin.take().unwrap().write_all(sql.as_bytes()).unwrap();
    let dump = z.wait_with_output().unwrap().stdout;
    let plant = |id: &str, name: &str, dump: &[u8]| {
        let mut m = real.clone();
        m["id"] = id.into();
        // Newer than the real one, not in the future (a future date is never `latest`).
        m["created_unix"] = (real["created_unix"].as_u64().unwrap() + 1).into();
        m["file"]["name"] = name.into();
        m["file"]["compressed_bytes"] = dump.len().into();
        m["file"]["uncompressed_bytes"] = sql.len().into();
        use sha2::Digest;
        m["file"]["sha256"] = format!("{:x}", sha2::Sha256::digest(dump)).into();
        let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
        boto(&format!(
            "s3.put_object(Bucket='{b}', Key='team/app/{id}.json', Body=bytes.fromhex('{}'))\ns3.put_object(Bucket='{b}', Key='team/app/{}', Body=bytes.fromhex('{}'))",
            hex(m.to_string().as_bytes()),
            name.trim_start_matches('/'),
            hex(dump)
        ));
    };
    plant("20991231T000000Z", "20991231T000000Z.sql.zst", &dump);
    std::fs::remove_dir_all(ctx.path("backups")).unwrap();
    // Planted backups are unsigned, and refused as such (tests/it/remote_faults.rs); with the
    // override, the next defences are what stops them.
    ctx.write_own_config(&remote_toml(&b, moto().port, "[signing]\naccept_unsigned = true\n"));
    let run = ctx.run(&["restore-test", "--from", "offsite"]);
    assert_ne!(run.code, 0, "{}", run.all());
    assert!(run.all().contains("pg_dump never writes"), "{}", run.all());
    assert!(!marker.exists(), "the planted command did not run");
    // A manifest whose file name is a path: not listed, not fetched.
    let outside = ctx.path("PWNED");
    plant("20991231T000001Z", &outside.display().to_string(), b"x");
    let run = ctx.run(&["backups", "--remote", "offsite"]);
    run.ok();
    assert!(!run.stdout.contains("20991231T000001Z") && run.stderr.contains("not used"), "{}", run.all());
    let run = ctx.run(&["restore-test", "--from", "offsite", "20991231T000001Z"]);
    assert_ne!(run.code, 0, "{}", run.all());
    assert!(!outside.exists(), "nothing written outside the backup folder");
}

/// A remote copy found to be another backup (a prefix shared with another project) or damaged
/// is a failed verification, and `status` says so afterwards; prune never deletes the newest
/// copy known to be good.
#[test]
fn verify_results_on_the_remote_reach_status_and_prune() {
    let b = bucket("pg-verify-status", false);
    let ctx = project(&remote_toml(&b, moto().port, "[remote.retention]\nkeep_last = 1\n"));
    ctx.run(&["backup"]).ok();
    ctx.run(&["verify"]).ok();
    ctx.run(&["restore-test"]).ok();
    ctx.run(&["status"]).ok();
    let good = ctx.manifests()[0]["id"].as_str().unwrap().to_string();
    std::thread::sleep(Duration::from_millis(1100));
    ctx.run(&["backup"]).ok();
    let newest = ctx.manifests()[0].clone();
    let id = newest["id"].as_str().unwrap().to_string();
    // Another project's backup under the same id replaces ours on the remote.
    let mut other = newest.clone();
    other["database_name"] = "someone-else".into();
    other["file"]["sha256"] = "0".repeat(64).into();
    let hex = |s: &str| s.bytes().map(|x| format!("{x:02x}")).collect::<String>();
    boto(&format!(
        "s3.put_object(Bucket='{b}', Key='team/app/{id}.json', Body=bytes.fromhex('{}'))",
        hex(&other.to_string())
    ));
    let run = ctx.run(&["verify", "--remote", "offsite", "--all"]);
    assert_eq!(run.code, 4, "{}", run.all());
    assert!(run.stdout.contains("another backup than this project's"), "{}", run.stdout);
    let run = ctx.run(&["status"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stdout.contains("failed verification"), "{}", run.stdout);
    // keep_last = 1 keeps the newest; the newest good copy stays too.
    let run = ctx.run(&["prune", "--remote", "offsite"]);
    run.ok();
    let line = run.stdout.lines().find(|l| l.starts_with(&good)).unwrap_or_default().to_string();
    assert!(line.contains("keep") && line.contains("verified"), "{}", run.stdout);
}

/// Review (issue 18, round 2, defect 1): a prisma-guard.toml that is not as committed (a
/// section deleted, a recipient added, the file moved away or made writable by the group) never
/// switches encryption, off-site copies or alerts off: the committed version counts. Outside
/// git the project's own file counts when nobody else may write it; else encryption asked for
/// and not applied writes nothing.
#[test]
fn a_working_config_not_as_committed_keeps_encryption_remotes_and_alerts() {
    use std::os::unix::fs::PermissionsExt;
    let b = bucket("pg-distrusted", false);
    let web = crate::notify::Listener::start();
    let ctx = project("");
    let (_, team) = crate::encryption::keygen(&ctx, "team");
    let (_, ci) = crate::encryption::keygen(&ctx, "ci");
    let (_, attacker) = crate::encryption::keygen(&ctx, "attacker");
    let hook = format!("[[notify]]\nkind = \"webhook\"\nurl = \"http://127.0.0.1:{}/hook\"\n", web.port);
    let encryption = format!("[encryption]\nrecipients = [\"{team}\", \"{ci}\"]\n");
    let committed = format!("{encryption}\n{}\n{hook}", remote_toml(&b, moto().port, ""));
    ctx.write_own_config(&committed);
    let config = ctx.path("prisma-guard.toml");
    let protected = |ctx: &TestContext, case: &str| {
        let run = ctx.run(&["backup"]);
        run.ok();
        let newest = ctx.manifests().into_iter().max_by_key(|m| m["id"].as_str().unwrap().to_string()).unwrap();
        let sealed = newest["file"]["encryption"]["recipients"].as_array().map(Vec::len);
        assert_eq!(sealed, Some(2), "{case}: sealed to the committed recipients only: {newest}\n{}", run.all());
        assert_eq!(newest["remotes"][0]["verified"], true, "{case}: uploaded: {newest}");
        let before = web.at("/hook").len();
        ctx.run(&["notify", "test"]).ok();
        assert_eq!(web.at("/hook").len(), before + 1, "{case}: alerts still reach the webhook");
        run
    };
    // [encryption] deleted, uncommitted.
    std::fs::write(&config, committed.replace(&encryption, "")).unwrap();
    let run = protected(&ctx, "encryption deleted");
    assert!(run.stderr.contains("leaves out [encryption]"), "{}", run.stderr);
    // An attacker's recipient added, uncommitted.
    std::fs::write(&config, committed.replace(&format!("\"{ci}\"]"), &format!("\"{ci}\", \"{attacker}\"]"))).unwrap();
    let run = protected(&ctx, "recipient added");
    assert!(run.stderr.contains("encryption (who can read the backups)"), "{}", run.stderr);
    // The file moved away.
    std::fs::remove_file(&config).unwrap();
    protected(&ctx, "file missing");
    // As committed but writable by the group.
    std::fs::write(&config, &committed).unwrap();
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o664)).unwrap();
    protected(&ctx, "group-writable");
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o644)).unwrap();
    // The committed project deployed without .git: its own file, only its owner may write.
    let mut deploy = TestContext::new();
    deploy.env.clone_from(&ctx.env);
    for f in ["prisma.config.ts", "prisma/schema.prisma", ".env", "dev.db", "prisma-guard.toml"] {
        std::fs::create_dir_all(deploy.path(f).parent().unwrap()).unwrap();
        std::fs::copy(ctx.path(f), deploy.path(f)).unwrap();
    }
    // Same bucket and prefix: ids are per-second, one second apart never collide.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    protected(&deploy, "no .git");
    // ... but one the group may write counts for nothing that sends or seals data.
    let config = deploy.path("prisma-guard.toml");
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o664)).unwrap();
    let before = deploy.manifests().len();
    let run = deploy.run(&["backup"]);
    assert_eq!(run.code, 2, "never a backup in the clear: {}", run.all());
    assert!(run.stderr.contains("asks for [encryption]"), "{}", run.stderr);
    assert_eq!(deploy.manifests().len(), before, "nothing written");
    // Encryption added to a committed file without it, uncommitted: refused, not ignored.
    let plain = project("");
    plain.write("prisma-guard.toml", &encryption);
    let run = plain.run(&["backup"]);
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(run.stderr.contains("asks for [encryption]"), "{}", run.stderr);
    assert!(plain.manifests().is_empty(), "nothing written");
}

/// Review (issue 18, round 2, defect 2): where the config asks for encryption, `sync` never
/// ships a backup in the clear (taken before encryption was set up, or planted) off-site.
#[test]
fn sync_never_ships_unencrypted_backups_when_encryption_is_asked_for() {
    let b = bucket("pg-sync-plain", false);
    let ctx = project("");
    ctx.run(&["backup"]).ok();
    let (_, team) = crate::encryption::keygen(&ctx, "team");
    ctx.write_own_config(&format!("[encryption]\nrecipients = [\"{team}\"]\n\n{}", remote_toml(&b, moto().port, "")));
    let run = ctx.run(&["sync"]);
    run.ok();
    assert!(run.stderr.contains("not encrypted"), "{}", run.all());
    assert!(keys(&b).is_empty(), "nothing in the clear off-site: {:?}", keys(&b));
    ctx.run(&["backup"]).ok();
    let stored = keys(&b);
    assert_eq!(stored.len(), 3, "{stored:?}");
    assert!(stored.iter().all(|k| !k.contains(".sqlite.zst") || k.contains(".age")), "{stored:?}");
    let run = ctx.run(&["sync"]);
    run.ok();
    assert!(run.stderr.contains("0 uploaded, 1 already there"), "{}", run.all());
    assert_eq!(keys(&b).len(), 3);
}

/// Review (issue 18, round 2, defect 3): the newest backup that reached no remote, with no
/// error on record (the run killed during its upload, a remote added since), is critical.
#[test]
fn status_is_critical_when_the_newest_backup_never_reached_a_remote() {
    let b = bucket("pg-never-sent", false);
    let ctx = project("");
    ctx.run(&["backup"]).ok();
    ctx.write_own_config(&remote_toml(&b, moto().port, ""));
    assert!(ctx.manifests()[0].get("remotes").is_none_or(|r| r.as_array().is_none_or(Vec::is_empty)));
    let run = ctx.run(&["status", "--max-age", "1h"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stdout.contains("did not reach remote `offsite`"), "{}", run.stdout);
    ctx.run(&["sync"]).ok();
    let run = ctx.run(&["status", "--max-age", "1h"]);
    assert_eq!(run.code, 0, "{}", run.all());
}

/// Review (issue 18, round 2, defect 6): `sync` checks what the remote holds: a copy found
/// damaged (a bit flipped, same size) is sent again, not counted as "already there".
#[test]
fn sync_replaces_a_damaged_remote_copy() {
    let b = bucket("pg-sync-damaged", false);
    let ctx = project(&remote_toml(&b, moto().port, ""));
    ctx.run(&["backup"]).ok();
    let m = &ctx.manifests()[0];
    let key = format!("/{b}/team/app/{}", m["file"]["name"].as_str().unwrap());
    let (_, mut data) = http(moto().port, "GET", &key, &[], b"").unwrap();
    let mid = data.len() / 2;
    data[mid] ^= 0x10;
    assert_eq!(http(moto().port, "PUT", &key, &[], &data).unwrap().0, 200);
    assert_eq!(ctx.run(&["verify", "--remote", "offsite"]).code, 4);
    let run = ctx.run(&["sync", "--remote", "offsite"]);
    run.ok();
    assert!(run.stdout.contains("DAMAGED") && run.stdout.contains("sent"), "{}", run.all());
    assert!(run.stderr.contains("1 damaged copies sent again"), "{}", run.all());
    ctx.run(&["verify", "--remote", "offsite"]).ok();
    let run = ctx.run(&["sync"]);
    run.ok();
    assert!(run.stderr.contains("0 uploaded, 1 already there"), "{}", run.all());
}

/// Known gap (issue 18 review 2): `sync` trusted any copy verified once, so a copy replaced or
/// changed on the store since went unnoticed until `verify --remote`. The store's ETag is
/// recorded when a copy is checked whole; a different one makes `sync` read it again; and
/// `sync --read` reads every copy (damage the store's metadata does not show).
#[test]
fn sync_reads_again_a_copy_changed_on_the_store_and_read_checks_every_copy() {
    let b = bucket("pg-sync-etag", false);
    let ctx = project(&remote_toml(&b, moto().port, ""));
    ctx.run(&["backup"]).ok();
    let m = &ctx.manifests()[0];
    assert!(m["remotes"][0]["stored_etag"].is_string(), "the ETag is recorded at upload: {m}");
    let name = m["file"]["name"].as_str().unwrap().to_string();
    let key = format!("/{b}/team/app/{name}");
    let flip = || {
        let (_, mut data) = http(moto().port, "GET", &key, &[], b"").unwrap();
        let mid = data.len() / 2;
        data[mid] ^= 0x10;
        assert_eq!(http(moto().port, "PUT", &key, &[], &data).unwrap().0, 200);
    };
    flip();
    // No `verify --remote` first: the changed ETag is enough for sync to look.
    let run = ctx.run(&["sync"]);
    run.ok();
    assert!(run.stdout.contains("DAMAGED") && run.stderr.contains("1 damaged copies sent again"), "{}", run.all());
    let run = ctx.run(&["sync"]);
    assert!(run.stderr.contains("0 uploaded, 1 already there"), "{}", run.all());
    // Damage the store's metadata does not show (simulated: a record without an ETag, as
    // copies uploaded before ETags were recorded have).
    flip();
    let manifest_path = ctx.path(&format!("backups/{}.json", m["id"].as_str().unwrap()));
    let mut local: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&manifest_path).unwrap()).unwrap();
    assert!(local["remotes"][0]["stored_etag"].is_string(), "recorded again after the re-send: {local}");
    local["remotes"][0]["stored_etag"] = serde_json::Value::Null;
    std::fs::write(&manifest_path, serde_json::to_string(&local).unwrap()).unwrap();
    let run = ctx.run(&["sync"]);
    assert!(run.stderr.contains("1 already there"), "trusted without --read: {}", run.all());
    let run = ctx.run(&["sync", "--read"]);
    run.ok();
    assert!(run.stdout.contains("DAMAGED") && run.stderr.contains("1 damaged copies sent again"), "{}", run.all());
    ctx.run(&["verify", "--remote", "offsite"]).ok();
}

/// Review (issue 18, round 2, defect 12): with an identity at hand, a bit flipped in a sealed
/// copy is a checksum mismatch (the store damaged it), not a "decryption error" that points
/// at the key.
#[test]
fn a_damaged_sealed_copy_is_a_checksum_mismatch_with_the_key_too() {
    let b = bucket("pg-sealed-bitrot", false);
    let mut ctx = project("");
    let (key, team) = crate::encryption::keygen(&ctx, "team");
    ctx.write_own_config(&format!("[encryption]\nrecipients = [\"{team}\"]\n\n{}", remote_toml(&b, moto().port, "")));
    ctx.run(&["backup"]).ok();
    let m = &ctx.manifests()[0];
    let object = format!("/{b}/team/app/{}", m["file"]["name"].as_str().unwrap());
    let (_, mut data) = http(moto().port, "GET", &object, &[], b"").unwrap();
    let mid = data.len() / 2;
    data[mid] ^= 0x10;
    assert_eq!(http(moto().port, "PUT", &object, &[], &data).unwrap().0, 200);
    ctx.set_env("PRISMA_GUARD_AGE_IDENTITY", key.to_str().unwrap());
    let run = ctx.run(&["verify", "--remote", "offsite"]);
    assert_eq!(run.code, 4, "{}", run.all());
    assert!(run.stdout.contains("checksum mismatch"), "{}", run.stdout);
    assert!(!run.stdout.contains("decrypt"), "{}", run.stdout);
    let run = ctx.run(&["status", "--max-age", "1h"]);
    assert!(!run.stdout.contains("does not decrypt"), "{}", run.stdout);
}

/// Review (issue 18, round 2, defect 11): one exit code per kind of failure: a damaged copy is
/// 4 for `restore --from` as for `restore-test --from`; every `[encryption]` that cannot be
/// applied is a configuration error, 2.
#[test]
fn exit_codes_agree_for_damaged_copies_and_encryption_settings() {
    let b = bucket("pg-exit-codes", false);
    let mut ctx = project("");
    let (key, team) = crate::encryption::keygen(&ctx, "team");
    ctx.write_own_config(&format!("[encryption]\nrecipients = [\"{team}\"]\n\n{}", remote_toml(&b, moto().port, "")));
    ctx.run(&["backup"]).ok();
    let m = &ctx.manifests()[0];
    let object = format!("/{b}/team/app/{}", m["file"]["name"].as_str().unwrap());
    let (_, mut data) = http(moto().port, "GET", &object, &[], b"").unwrap();
    let mid = data.len() / 2;
    data[mid] ^= 0x10;
    assert_eq!(http(moto().port, "PUT", &object, &[], &data).unwrap().0, 200);
    std::fs::remove_dir_all(ctx.path("backups")).unwrap();
    ctx.set_env("PRISMA_GUARD_AGE_IDENTITY", key.to_str().unwrap());
    let run = ctx.run(&["restore-test", "--from", "offsite"]);
    assert_eq!(run.code, 4, "{}", run.all());
    let run = ctx.run_with_tty(&["restore", "--from", "offsite", "latest"], "dev.db\n");
    assert_eq!(run.code, 4, "{}", run.all());
    for (encryption, says) in [
        ("recipients = [\"age1thisisnotakey\"]".to_string(), "is not an age public key"),
        ("recipients_file = \"missing-keys.txt\"".to_string(), "cannot be read"),
        ("passphrase_env = \"UNSET_PASSPHRASE\"".to_string(), "which is not set"),
        ("recipients = []".to_string(), "names no key"),
        (format!("recipients = [\"{team}\"]\npassphrase_env = \"P\""), "not both"),
    ] {
        ctx.write_own_config(&format!("[encryption]\n{encryption}\n"));
        let run = ctx.run(&["backup"]);
        assert_eq!(run.code, 2, "{encryption}: {}", run.all());
        assert!(run.stderr.contains(says), "{}", run.stderr);
    }
}

/// Review (issue 18, round 2, defect 11): a sealed PostgreSQL copy damaged on the store and
/// streamed by `restore --from` with the key: a checksum mismatch, exit 4, rolled back.
#[test]
fn a_damaged_sealed_postgres_copy_streamed_by_restore_is_a_mismatch() {
    let pg = postgres();
    let db = pg.create_db("pg_remote_sealed_damaged");
    pg.app_sql(&db, "CREATE TABLE \"User\" (id int PRIMARY KEY, email text); INSERT INTO \"User\" SELECT g, 'u' || g FROM generate_series(1, 500) g");
    let b = bucket("pg-stream-sealed", false);
    let mut ctx = pg_project(&pg.url(&db), &b);
    let (key, team) = crate::encryption::keygen(&ctx, "team");
    ctx.write_own_config(&format!("[encryption]\nrecipients = [\"{team}\"]\n\n{}", remote_toml(&b, moto().port, "")));
    ctx.set_env("PRISMA_GUARD_AGE_IDENTITY", key.to_str().unwrap());
    ctx.run(&["backup"]).ok();
    let name = ctx.manifests()[0]["file"]["name"].as_str().unwrap().to_string();
    let object = format!("/{b}/team/app/{name}");
    let (_, mut data) = http(moto().port, "GET", &object, &[], b"").unwrap();
    let mid = data.len() / 2;
    data[mid] ^= 1;
    assert_eq!(http(moto().port, "PUT", &object, &[], &data).unwrap().0, 200);
    pg.app_sql(&db, "DELETE FROM \"User\" WHERE id > 200");
    std::fs::remove_dir_all(ctx.path("backups")).unwrap();
    let run = ctx.run_with_tty(&["restore", "--from", "offsite", "latest"], &format!("{db}\n"));
    assert_eq!(run.code, 4, "{}", run.all());
    assert!(run.all().contains("checksum mismatch"), "{}", run.all());
    assert_eq!(pg.app_sql(&db, "SELECT count(*) FROM \"User\""), "200", "rolled back");
}
