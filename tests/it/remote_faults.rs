//! Off-site copies under faults (interrupted, refused and tampered uploads and downloads),
//! against the real S3 server on loopback (moto) and its fault-injecting proxy.

use std::time::Duration;

use crate::remote::{boto, bucket, http, keys, moto, project, remote_toml, Fault, Proxy};
use crate::support::*;

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs()
}

/// moto answers anonymous requests 403: any signature will do (it checks none).
const AUTH: (&str, &str) = (
    "Authorization",
    "AWS4-HMAC-SHA256 Credential=AKIAPRISMAGUARDTEST/20261207/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0",
);

fn s3(method: &str, path: &str, body: &[u8]) -> (u16, Vec<u8>) {
    http(moto().port, method, path, &[AUTH], body).expect("moto answers")
}

fn remote_manifest(b: &str, id: &str) -> serde_json::Value {
    let (status, body) = s3("GET", &format!("/{b}/team/app/{id}.json"), b"");
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    serde_json::from_slice(&body).unwrap()
}

/// Upload, as the holder of a stolen write token would, the project's own dump under a newer
/// id with a manifest that matches it (and no signature). Its id.
fn forge(ctx: &TestContext, b: &str) -> String {
    let real = ctx.manifests()[0].clone();
    let real_id = real["id"].as_str().unwrap();
    let real_name = real["file"]["name"].as_str().unwrap();
    let id = format!("{real_id}-forged");
    let name = format!("{id}{}", real_name.strip_prefix(real_id).unwrap());
    let dump = std::fs::read(ctx.path("backups").join(real_name)).unwrap();
    let mut m = real.clone();
    m["id"] = id.clone().into();
    m["created_unix"] = (real["created_unix"].as_u64().unwrap() + 1).into();
    m["file"]["name"] = name.clone().into();
    if let Some(o) = m.as_object_mut() {
        o.remove("signature");
        o.remove("remotes");
    }
    boto(&format!(
        "s3.put_object(Bucket='{b}', Key='team/app/{id}.json', Body=bytes.fromhex('{}'))\ns3.put_object(Bucket='{b}', Key='team/app/{name}', Body=bytes.fromhex('{}'))",
        hex(m.to_string().as_bytes()),
        hex(&dump)
    ));
    id
}

/// Review round 3, finding 6: recipients are public, so a stolen write token could upload a
/// newer backup that `restore --from latest` and `restore-test` took for this project's.
/// Manifests are signed where backups are taken; restores from a remote refuse backups not
/// signed by a trusted key (unless prisma-guard.toml says `accept_unsigned`), `latest` passes
/// over them, and `status` and `backups --remote` flag them.
#[test]
fn a_forged_latest_uploaded_with_the_buckets_keys_is_refused_and_flagged() {
    let b = bucket("r3-forged", false);
    let ctx = project(&remote_toml(&b, moto().port, ""));
    let run = ctx.run(&["backup"]);
    run.ok();
    assert!(run.stderr.contains("backup signing key") && run.stderr.contains("public_keys"), "{}", run.all());
    let key = ctx.path("home/.config/prisma-guard/signing.key");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&key).unwrap().permissions().mode() & 0o777, 0o600, "the key is private");
    let real_id = ctx.manifests()[0]["id"].as_str().unwrap().to_string();
    let signed = remote_manifest(&b, &real_id);
    assert!(signed["signature"]["key"].as_str().unwrap().starts_with("ed25519:"), "{signed}");
    let forged = forge(&ctx, &b);

    let run = ctx.run(&["restore-test", "--from", "offsite", &forged]);
    assert_eq!(run.code, 3, "refused: {}", run.all());
    assert!(run.stderr.contains("is not signed") && run.stderr.contains("accept_unsigned"), "{}", run.stderr);
    // `latest` is the newest backup a restore may use, and says what it passed over.
    let run = ctx.run(&["restore-test", "--from", "offsite"]);
    run.ok();
    assert!(run.all().contains(&format!("passed over the newer backup {forged}")), "{}", run.all());
    assert!(run.all().contains(&real_id), "{}", run.all());
    let run = ctx.run(&["status", "--remotes-only"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(
        run.stdout.contains("CRITICAL") && run.stdout.contains("not signed by a key this project trusts"),
        "{}",
        run.stdout
    );
    let run = ctx.run(&["backups", "--remote", "offsite"]);
    run.ok();
    assert!(run.stderr.contains(&forged) && run.stderr.contains("restores refuse it"), "{}", run.stderr);
    // Retention gives it no slot (planted backups cannot push ours out), and leaves it.
    let run = ctx.run(&["prune", "--remote", "offsite"]);
    run.ok();
    assert!(
        run.stderr.contains(&format!("backup {forged} on remote `offsite` is not signed: no rule counts it")),
        "{}",
        run.all()
    );

    // A backup made elsewhere with another key (the thief's own prisma-guard) is refused too.
    std::thread::sleep(Duration::from_millis(1100));
    let thief = project(&remote_toml(&b, moto().port, ""));
    thief.run(&["backup"]).ok();
    let theirs = thief.manifests()[0]["id"].as_str().unwrap().to_string();
    let run = ctx.run(&["restore-test", "--from", "offsite", &theirs]);
    assert_eq!(run.code, 3, "{}", run.all());
    assert!(run.stderr.contains("signed by a key this project does not trust"), "{}", run.stderr);

    // A changed manifest under the project's own signature: refused, whatever the config says.
    let mut changed = remote_manifest(&b, &real_id);
    changed["created_unix"] = (changed["created_unix"].as_u64().unwrap() + 7).into();
    boto(&format!(
        "s3.put_object(Bucket='{b}', Key='team/app/{real_id}.json', Body=bytes.fromhex('{}'))",
        hex(changed.to_string().as_bytes())
    ));
    ctx.write_own_config(&format!("{}[signing]\naccept_unsigned = true\n", remote_toml(&b, moto().port, "")));
    let run = ctx.run(&["restore-test", "--from", "offsite", &real_id]);
    assert_eq!(run.code, 3, "{}", run.all());
    assert!(run.stderr.contains("the manifest was changed"), "{}", run.stderr);
    // The explicit override in prisma-guard.toml lets an unsigned backup through, said.
    let run = ctx.run(&["restore-test", "--from", "offsite", &forged]);
    run.ok();
    assert!(run.stderr.contains("accept_unsigned = true"), "{}", run.stderr);
}

/// Review round 3, finding 6: another machine (disaster recovery) trusts the backups once the
/// key the first backup printed is in `[signing] public_keys`, and not before.
#[test]
fn another_machine_trusts_the_keys_prisma_guard_toml_lists() {
    let b = bucket("r3-other-machine", false);
    let ctx = project(&remote_toml(&b, moto().port, ""));
    let run = ctx.run(&["backup"]);
    run.ok();
    let at = run.stderr.find("ed25519:").expect("the public key is printed");
    let public: String = run.stderr[at..].chars().take(8 + 64).collect();
    assert!(
        !run.stderr.contains(
            &std::fs::read_to_string(ctx.path("home/.config/prisma-guard/signing.key"))
                .unwrap()
                .lines()
                .nth(1)
                .unwrap()
                .to_string()
        ),
        "the secret part is never printed"
    );
    let other = project(&remote_toml(&b, moto().port, ""));
    let run = other.run(&["restore-test", "--from", "offsite"]);
    assert_eq!(run.code, 3, "{}", run.all());
    assert!(run.stderr.contains("trusted keys: none"), "{}", run.stderr);
    other.write_own_config(&format!("{}[signing]\npublic_keys = [\"{public}\"]\n", remote_toml(&b, moto().port, "")));
    let run = other.run(&["restore-test", "--from", "offsite"]);
    run.ok();
    assert!(run.all().contains("row counts match"), "{}", run.all());
    // A key that is not a key is a configuration error.
    other.write_own_config(&format!("{}[signing]\npublic_keys = [\"age1nope\"]\n", remote_toml(&b, moto().port, "")));
    assert_eq!(other.run(&["backups", "--remote", "offsite"]).code, 2);
}

fn dump_key(b: &str, id: &str) -> String {
    keys(b)
        .into_iter()
        .find(|k| k.contains(id) && !k.ends_with(".json") && !k.ends_with(".sha256"))
        .unwrap_or_else(|| panic!("no dump of {id} in {:?}", keys(b)))
}

/// Review round 3, finding 9: two writers on one prefix (`verify_upload = "etag"`) both said
/// "verified" while one had overwritten the other. A backup id the prefix holds is never
/// uploaded over, and the dump and manifest are read back after the manifest is written.
#[test]
fn a_second_writer_on_the_prefix_is_never_overwritten_nor_reported_verified() {
    let b = bucket("r3-two-writers", false);
    let proxy = Proxy::start();
    let ctx = project(&remote_toml(&b, proxy.port, "verify_upload = \"etag\"\n"));
    // The other writer took this id a moment before our upload starts.
    proxy.on(&[&format!("HEAD /{b}/team/app/"), ".json "], move |line| {
        let path = line.split_whitespace().nth(1).unwrap().to_string();
        let (status, _) = s3("PUT", &path, b"{\"theirs\":true}");
        assert_eq!(status, 200);
    });
    let run = ctx.run(&["backup"]);
    assert_eq!(run.code, 1, "{}", run.all());
    let m = &ctx.manifests()[0];
    let id = m["id"].as_str().unwrap().to_string();
    assert!(m["remotes"][0]["error"].as_str().unwrap_or("").contains("already holds"), "{m}");
    assert_eq!(m["remotes"][0]["verified"], false, "{m}");
    let (_, body) = s3("GET", &format!("/{b}/team/app/{id}.json"), b"");
    assert_eq!(body, b"{\"theirs\":true}", "the other writer's object is untouched");

    // The other writer replaces the dump between our upload's check and its manifest.
    std::thread::sleep(Duration::from_millis(1100));
    let b2 = b.clone();
    proxy.on(&[&format!("PUT /{b}/team/app/"), ".json "], move |line| {
        let path = line.split_whitespace().nth(1).unwrap();
        let id = path.rsplit('/').next().unwrap().split(".json").next().unwrap().to_string();
        let key = dump_key(&b2, &id);
        let (_, mut data) = s3("GET", &format!("/{b2}/{key}"), b"");
        let last = data.len() - 1;
        data[last] ^= 1;
        let (status, _) = s3("PUT", &format!("/{b2}/{key}"), &data);
        assert_eq!(status, 200);
    });
    let run = ctx.run(&["backup"]);
    assert_eq!(run.code, 1, "{}", run.all());
    let m = &ctx.manifests()[0];
    assert_ne!(m["id"].as_str().unwrap(), id);
    assert_eq!(m["remotes"][0]["verified"], false, "never verified: {m}");
    assert!(m["remotes"][0]["error"].as_str().unwrap_or("").contains("another writer replaced"), "{m}");
    assert!(proxy.hooks.lock().unwrap().is_empty(), "both writers met");
}

/// Review round 3, finding 9: `sync` never replaces another backup stored under the id of
/// one of ours (it used to call it damaged and send ours over it).
#[test]
fn sync_never_replaces_another_backup_under_the_same_id() {
    let b = bucket("r3-sync-theirs", false);
    let proxy = Proxy::start();
    proxy.always_fail();
    let ctx = project(&remote_toml(&b, proxy.port, "retries = 0\n"));
    assert_eq!(ctx.run(&["backup"]).code, 1);
    proxy.heal();
    let m = ctx.manifests()[0].clone();
    let id = m["id"].as_str().unwrap().to_string();
    let name = m["file"]["name"].as_str().unwrap().to_string();
    let mut theirs = m.clone();
    theirs["database_name"] = "someone-else".into();
    theirs["file"]["sha256"] = "1".repeat(64).into();
    theirs["file"]["compressed_bytes"] = 5.into();
    boto(&format!(
        "s3.put_object(Bucket='{b}', Key='team/app/{id}.json', Body=bytes.fromhex('{}'))\ns3.put_object(Bucket='{b}', Key='team/app/{name}', Body=b'their')",
        hex(theirs.to_string().as_bytes())
    ));
    let run = ctx.run(&["sync"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stdout.contains("holds another backup under this id"), "{}", run.stdout);
    let (_, body) = s3("GET", &format!("/{b}/team/app/{name}"), b"");
    assert_eq!(body, b"their", "not replaced");
}

/// Review round 3, finding 7: a remote lock whose heartbeat is dated in the future blocked
/// sync and prune until then, and status said "lock free".
#[test]
fn a_remote_lock_dated_in_the_future_is_taken_over_and_status_reports_remote_locks() {
    let b = bucket("r3-future-lock", false);
    let mut ctx = project(&remote_toml(&b, moto().port, ""));
    ctx.run(&["backup"]).ok();
    let put_lock = |heartbeat: u64| {
        let body = format!("{{\"pid\":4242,\"host\":\"ci-runner\",\"started\":1,\"heartbeat\":{heartbeat}}}");
        boto(&format!("s3.put_object(Bucket='{b}', Key='team/app/.prisma-guard.lock', Body=b'{body}')"));
    };
    put_lock(now());
    let run = ctx.run(&["status"]);
    assert!(run.stdout.contains("remote `offsite` is locked by pid 4242 on ci-runner"), "{}", run.stdout);
    assert!(run.stdout.contains("a sync or prune is running"), "{}", run.stdout);
    let json: serde_json::Value = serde_json::from_str(&ctx.run(&["status", "--json"]).stdout).unwrap();
    let remote = json["locations"].as_array().unwrap().iter().find(|l| l["name"] == "offsite").unwrap().clone();
    assert_eq!(remote["lock"]["pid"], 4242, "{remote}");
    put_lock(now() + 30 * 86_400);
    let run = ctx.run(&["status", "--remotes-only"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stdout.contains("WARNING") && run.stdout.contains("dated in the future"), "{}", run.stdout);
    ctx.set_env("PRISMA_GUARD_LOCK_WAIT", "1s");
    let run = ctx.run(&["sync"]);
    run.ok();
    assert!(run.stderr.contains("dated in the future") && run.stderr.contains("taking it over"), "{}", run.stderr);
    assert!(!keys(&b).iter().any(|k| k.ends_with(".prisma-guard.lock")), "released: {:?}", keys(&b));
}

/// Review round 3, finding 10: a `[[remote]]` removed from prisma-guard.toml kept raising
/// "did not reach remote" alerts: only configured remotes count.
#[test]
fn a_removed_remote_raises_no_alert() {
    let b = bucket("r3-removed", false);
    let proxy = Proxy::start();
    proxy.always_fail();
    let ctx = project(&remote_toml(&b, proxy.port, "retries = 0\n"));
    assert_eq!(ctx.run(&["backup"]).code, 1);
    let run = ctx.run(&["status"]);
    assert!(run.stdout.contains("did not reach remote `offsite`"), "{}", run.stdout);
    ctx.write_own_config("");
    let run = ctx.run(&["status"]);
    assert!(!run.stdout.contains("offsite"), "{}", run.stdout);
}

/// Review round 3, finding 11: archive storage classes break every upload's check and every
/// restore: refused in the config, before anything is written.
#[test]
fn an_archive_storage_class_is_a_configuration_error() {
    let b = bucket("r3-glacier", false);
    for class in ["GLACIER", "deep_archive"] {
        let ctx = project(&remote_toml(&b, moto().port, &format!("storage_class = \"{class}\"\n")));
        let run = ctx.run(&["backup"]);
        assert_eq!(run.code, 2, "{}", run.all());
        assert!(run.stderr.contains("archive class") && run.stderr.contains("GLACIER_IR"), "{}", run.stderr);
        assert!(ctx.manifests().is_empty(), "nothing written");
    }
    assert!(keys(&b).is_empty());
}

/// Review round 3, finding 11: retries waited 0.2 s (a burst of 500s of a few seconds failed
/// the upload), and the error shown was the failed abort's, not the part's own.
#[test]
fn retries_back_off_for_seconds_and_the_error_is_the_parts_own() {
    let b = bucket("r3-backoff", false);
    let proxy = Proxy::start();
    for _ in 0..3 {
        proxy.fail("partNumber=", Fault::Status500);
    }
    for _ in 0..5 {
        proxy.fail("DELETE ", Fault::Status500);
    }
    let ctx = project(&remote_toml(&b, proxy.port, "retries = 2\n"));
    let started = std::time::Instant::now();
    let run = ctx.run(&["backup"]);
    let took = started.elapsed();
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(took >= Duration::from_secs(2), "waited between attempts: {took:?}");
    let m = &ctx.manifests()[0];
    let error = m["remotes"][0]["error"].as_str().unwrap_or("").to_string();
    assert!(error.contains("could not upload a part"), "{error}");
    // A burst shorter than the retries' waits is ridden out.
    let proxy = Proxy::start();
    for _ in 0..2 {
        proxy.fail("partNumber=", Fault::Status500);
    }
    let ctx = project(&remote_toml(&b, proxy.port, "retries = 2\n"));
    ctx.run(&["backup"]).ok();
}

/// Review round 3, finding 11: `status --remotes-only` (the CI templates' check) said nothing
/// about backups never restore-tested.
#[test]
fn status_remotes_only_says_when_nothing_was_restore_tested() {
    let b = bucket("r3-never-tested", false);
    let ctx = project(&remote_toml(&b, moto().port, ""));
    ctx.run(&["backup"]).ok();
    let run = ctx.run(&["status", "--remotes-only"]);
    run.ok();
    assert!(run.stdout.contains("restore-tested yet"), "{}", run.stdout);
}

/// Review round 3, finding 8: `verify --all` with an identity stopped (exit 2) at the first
/// backup sealed otherwise (a passphrase, before keys were set up); it checks that one's
/// checksum, says so, and goes on.
#[test]
fn verify_all_with_an_identity_goes_on_past_backups_sealed_otherwise() {
    let mut ctx = TestContext::new();
    ctx.prisma7_project("sqlite", "file:./dev.db");
    crate::sqlite::seed_sqlite(&ctx.path("dev.db"));
    ctx.set_env("R3_PASSPHRASE", "correct horse battery staple");
    ctx.write_own_config("[encryption]\npassphrase_env = \"R3_PASSPHRASE\"\n");
    ctx.run(&["backup"]).ok();
    std::thread::sleep(Duration::from_millis(1100));
    let (key, public) = crate::encryption::keygen(&ctx, "team");
    ctx.write_own_config(&format!("[encryption]\nrecipients = [\"{public}\"]\n"));
    ctx.run(&["backup"]).ok();
    let mut cmd = ctx.cmd(&["verify", "--all"]);
    cmd.env("PRISMA_GUARD_AGE_IDENTITY", &key);
    let run = Run::from(cmd.output().unwrap());
    run.ok();
    assert_eq!(run.stdout.lines().filter(|l| l.starts_with("ok ")).count(), 2, "{}", run.all());
    assert!(run.stdout.contains("decompresses to"), "the one it opens is decrypted: {}", run.stdout);
    assert!(
        run.stderr.contains("sealed to passphrase") && run.stderr.contains("checksum is checked"),
        "{}",
        run.stderr
    );
    // One backup named alone with the wrong key stays a usage error.
    let old = ctx.manifests().last().unwrap()["id"].as_str().unwrap().to_string();
    let mut cmd = ctx.cmd(&["verify", &old]);
    cmd.env("PRISMA_GUARD_AGE_IDENTITY", &key);
    assert_eq!(Run::from(cmd.output().unwrap()).code, 2);
}

/// Review round 3, finding 11: an encrypted backup's manifest on the remote said in the clear
/// where the database lives and who connects to it.
#[test]
fn an_encrypted_backups_remote_manifest_does_not_name_the_server_or_user() {
    let pg = postgres();
    let db = pg.create_db("r3_remote_strip");
    pg.app_sql(&db, "CREATE TABLE \"User\" (id int PRIMARY KEY); INSERT INTO \"User\" VALUES (1)");
    let b = bucket("r3-strip", false);
    let mut ctx = TestContext::new();
    ctx.write(
        "prisma/schema.prisma",
        "datasource db {\n  provider = \"postgresql\"\n  url = env(\"DATABASE_URL\")\n}\n",
    );
    let url = pg.url(&db);
    ctx.set_env("DATABASE_URL", &url);
    ctx.set_env("AWS_ACCESS_KEY_ID", crate::remote::KEY_ID);
    ctx.set_env("AWS_SECRET_ACCESS_KEY", crate::remote::SECRET_KEY);
    let (_, public) = crate::encryption::keygen(&ctx, "team");
    ctx.write_own_config(&format!("{}[encryption]\nrecipients = [\"{public}\"]\n", remote_toml(&b, moto().port, "")));
    ctx.run(&["backup"]).ok();
    let local = ctx.manifests()[0].clone();
    let there = remote_manifest(&b, local["id"].as_str().unwrap());
    let host_and_user = url.split("://").nth(1).unwrap().split('/').next().unwrap();
    let user = host_and_user.split(['@', ':']).next().unwrap();
    let host = host_and_user.rsplit('@').next().unwrap().split(':').next().unwrap();
    let text = there.to_string();
    assert!(!text.contains(&format!("{user}:")) && !text.contains(&format!("@{host}")), "{text}");
    assert!(text.contains("not stored off-site"), "{text}");
    assert!(local["database_url"].as_str().unwrap().contains(host), "the local manifest keeps it: {local}");
    assert_eq!(there["row_counts"], local["row_counts"], "a restore test still compares them");
}

/// Review round 3, finding 11: the CI templates installed the distribution's PostgreSQL client,
/// older than many servers (pg_dump refuses a newer server).
#[test]
fn ci_templates_install_the_newest_postgresql_client_from_pgdg() {
    let ctx = TestContext::new();
    ctx.write(
        "prisma/schema.prisma",
        "datasource db {\n  provider = \"postgresql\"\n  url = env(\"DATABASE_URL\")\n}\n",
    );
    for flag in ["--github-actions", "--gitlab"] {
        let run = ctx.run(&["schedule", flag]);
        run.ok();
        assert!(run.stdout.contains("apt.postgresql.org.sh -y"), "{}", run.stdout);
        assert!(!run.stdout.contains("{{CLIENT"), "{}", run.stdout);
    }
}

/// Review round 3, finding 6 (the way in): backups uploaded before manifests were signed are
/// refused by restores; `sync`, where they were taken, signs their manifests (the local
/// manifest of the same backup vouches for them), and restores trust them again.
#[test]
fn sync_signs_this_projects_backups_uploaded_before_signing() {
    let b = bucket("r3-sign-old", false);
    let ctx = project(&remote_toml(&b, moto().port, ""));
    ctx.run(&["backup"]).ok();
    let id = ctx.manifests()[0]["id"].as_str().unwrap().to_string();
    let mut old = remote_manifest(&b, &id);
    old.as_object_mut().unwrap().remove("signature");
    boto(&format!(
        "s3.put_object(Bucket='{b}', Key='team/app/{id}.json', Body=bytes.fromhex('{}'))",
        hex(old.to_string().as_bytes())
    ));
    let run = ctx.run(&["restore-test", "--from", "offsite", &id]);
    assert_eq!(run.code, 3, "{}", run.all());
    let run = ctx.run(&["sync"]);
    run.ok();
    assert!(run.stderr.contains("1 manifest(s)"), "{}", run.all());
    assert!(remote_manifest(&b, &id)["signature"].is_object());
    ctx.run(&["restore-test", "--from", "offsite", &id]).ok();
    let run = ctx.run(&["sync"]);
    run.ok();
    assert!(!run.stderr.contains("manifest(s)"), "signed once: {}", run.all());
}
