//! Test context and throwaway database servers.
//!
//! Every test gets its own project folder, HOME and environment. PostgreSQL and MariaDB
//! servers are real, started once per test binary from the system binaries in a temp
//! folder (as the `postgres`/`mysql` user when running as root), each test using its own
//! database. A watchdog shell stops each server and deletes its folder when the test
//! process exits.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The password of the `app` role/user on the test servers: tests grep for it to prove
/// it never leaks.
pub const SECRET: &str = "Sup3r-S3cret_pw";

/// The binary under test: the debug build cargo made for this test run, or, when
/// `PRISMA_GUARD_TEST_BIN` names one, that binary (scripts/test.sh runs the suite a second
/// time against the release binary that install.sh installs).
pub fn bin() -> &'static str {
    static BIN: OnceLock<String> = OnceLock::new();
    BIN.get_or_init(|| match std::env::var("PRISMA_GUARD_TEST_BIN") {
        Ok(path) if !path.is_empty() => {
            assert!(Path::new(&path).is_file(), "PRISMA_GUARD_TEST_BIN={path} is not a file");
            path
        }
        _ => env!("CARGO_BIN_EXE_prisma-guard").to_string(),
    })
}

/// prisma-guard's own command line, quoted for a shell.
fn our_line(args: &[&str]) -> String {
    std::iter::once(bin().to_string()).chain(args.iter().map(|a| shell_quote(a))).collect::<Vec<_>>().join(" ")
}

/// Whether a terminal shows a typed-confirmation prompt: prisma-guard's, or Prisma 8's own
/// (the fake imitates its wording).
fn shows_prompt(shown: &[u8]) -> bool {
    let shown = String::from_utf8_lossy(shown);
    shown.contains("(anything else cancels)") || shown.contains("type the name of the database")
}

/// A project folder and a clean environment for one test.
pub struct TestContext {
    pub dir: tempfile::TempDir,
    pub env: Vec<(String, String)>,
}

impl TestContext {
    pub fn new() -> TestContext {
        let dir = tempfile::Builder::new().prefix("pg-it-").tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("home")).unwrap();
        let env = vec![
            ("HOME".to_string(), dir.path().join("home").display().to_string()),
            ("PATH".to_string(), std::env::var("PATH").unwrap_or_default()),
            ("LANG".to_string(), "C.UTF-8".to_string()),
        ];
        TestContext { dir, env }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn write(&self, rel: &str, contents: &str) {
        let p = self.path(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, contents).unwrap();
    }

    /// The value of `key` in the environment the tool runs with ("" when unset).
    pub fn env_var(&self, key: &str) -> String {
        self.env.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()).unwrap_or_default()
    }

    pub fn set_env(&mut self, key: &str, value: &str) {
        self.env.retain(|(k, _)| k != key);
        self.env.push((key.to_string(), value.to_string()));
    }

    /// A Prisma 7 project: prisma.config.ts loading .env, schema with `provider`.
    pub fn prisma7_project(&self, provider: &str, url: &str) {
        self.write(
            "prisma.config.ts",
            "import \"dotenv/config\";\nimport { defineConfig, env } from \"prisma/config\";\n\nexport default defineConfig({\n  schema: \"prisma/schema.prisma\",\n  migrations: { path: \"prisma/migrations\" },\n  datasource: {\n    url: env(\"DATABASE_URL\"),\n  },\n});\n",
        );
        self.write("prisma/schema.prisma", &format!("generator client {{\n  provider = \"prisma-client\"\n  output = \"../generated/prisma\"\n}}\n\ndatasource db {{\n  provider = \"{provider}\"\n}}\n"));
        self.write(".env", &format!("DATABASE_URL=\"{url}\"\n"));
    }

    /// A command for prisma-guard, in the project folder, with no controlling terminal.
    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new("/usr/bin/setsid");
        cmd.arg("-w").arg(bin()).args(args);
        cmd.current_dir(self.root()).env_clear().envs(self.env.iter().map(|(k, v)| (k, v))).stdin(Stdio::null());
        cmd
    }

    pub fn run(&self, args: &[&str]) -> Run {
        Run::from(self.cmd(args).output().unwrap())
    }

    /// Run with a pseudo-terminal (util-linux `script`) whose keyboard input is `typed`.
    pub fn run_with_tty(&self, args: &[&str], typed: &str) -> Run {
        self.run_script_with_tty(&our_line(args), typed)
    }

    /// `line` run by util-linux `script` on a pseudo-terminal, in the project, with this
    /// context's environment; stdin and stdout piped.
    fn tty_command(&self, line: &str) -> Command {
        let mut cmd = Command::new("script");
        cmd.args(["-qec", line, "/dev/null"])
            .current_dir(self.root())
            .env_clear()
            .env("TERM", "xterm")
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped());
        cmd
    }

    /// Run a shell command line as `sh -c` in its own session (no controlling terminal), in
    /// the project, with this context's environment and no stdin.
    pub fn sh(&self, line: &str) -> Run {
        let mut cmd = Command::new("/usr/bin/setsid");
        cmd.args(["-w", "sh", "-c", line])
            .current_dir(self.root())
            .env_clear()
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null());
        Run::from(cmd.output().unwrap())
    }

    /// Run a shell command line on a pseudo-terminal whose keyboard input is `typed`.
    pub fn run_script_with_tty(&self, line: &str, typed: &str) -> Run {
        let mut child = self.tty_command(line).stderr(Stdio::piped()).spawn().unwrap();
        // Collect what the terminal shows; type only once the prompt is there (or the program
        // has ended without one): no fixed sleeps.
        let collect = |mut from: Box<dyn std::io::Read + Send>| {
            let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
            let into = std::sync::Arc::clone(&seen);
            let handle = std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                while let Ok(n) = from.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    into.lock().unwrap().extend_from_slice(&buf[..n]);
                }
            });
            (seen, handle)
        };
        let (stdout, out_reader) = collect(Box::new(child.stdout.take().unwrap()));
        let (stderr, err_reader) = collect(Box::new(child.stderr.take().unwrap()));
        let start = Instant::now();
        let prompted = || shows_prompt(&stdout.lock().unwrap());
        while !prompted() && child.try_wait().unwrap().is_none() {
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "no prompt within 60 s and the program still runs; it shows: {}",
                String::from_utf8_lossy(&stdout.lock().unwrap())
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        {
            use std::io::Write;
            let mut stdin = child.stdin.take().unwrap();
            let _ = stdin.write_all(typed.as_bytes());
            let _ = stdin.flush();
            // `script` passes on what it reads until its input ends; the program reads its line
            // from the terminal, then the input may end.
            let start = Instant::now();
            while child.try_wait().unwrap().is_none() && start.elapsed() < Duration::from_millis(300) {
                std::thread::sleep(Duration::from_millis(10));
            }
        }
        let status = child.wait().unwrap();
        out_reader.join().unwrap();
        err_reader.join().unwrap();
        let take = |v: std::sync::Arc<std::sync::Mutex<Vec<u8>>>| std::mem::take(&mut *v.lock().unwrap());
        Run::from(std::process::Output { status, stdout: take(stdout), stderr: take(stderr) })
    }

    /// Start `args` on a pseudo-terminal and return once it shows its typed-confirmation prompt
    /// (fails after 60 s without one): the returned child is `script`, prisma-guard its child.
    pub fn spawn_at_prompt(&self, args: &[&str]) -> std::process::Child {
        let mut child = self.tty_command(&our_line(args)).stderr(Stdio::null()).spawn().unwrap();
        let mut out = child.stdout.take().unwrap();
        let mut seen = Vec::new();
        let start = Instant::now();
        let mut buf = [0u8; 4096];
        while !shows_prompt(&seen) {
            use std::io::Read;
            let n = out.read(&mut buf).unwrap_or(0);
            assert!(
                n > 0 && start.elapsed() < Duration::from_secs(60),
                "no prompt: {}",
                String::from_utf8_lossy(&seen)
            );
            seen.extend_from_slice(&buf[..n]);
        }
        // Keep draining what it prints so it never blocks on a full pipe.
        std::thread::spawn(move || {
            use std::io::Read;
            let mut sink = Vec::new();
            let _ = out.read_to_end(&mut sink);
        });
        child
    }

    /// Run git in `dir` (relative to the project folder) with a clean identity and config.
    pub fn git_in(&self, dir: &str, args: &[&str]) -> Run {
        let out = Command::new("git")
            .args(args)
            .current_dir(self.path(dir))
            .env_clear()
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_NAME", "Test")
            .env("GIT_AUTHOR_EMAIL", "test@example.com")
            .env("GIT_COMMITTER_NAME", "Test")
            .env("GIT_COMMITTER_EMAIL", "test@example.com")
            .env("GIT_TERMINAL_PROMPT", "0")
            .stdin(Stdio::null())
            .output()
            .unwrap();
        Run::from(out)
    }

    /// Run git in the project folder; it must succeed.
    #[track_caller]
    pub fn git(&self, args: &[&str]) -> Run {
        let run = self.git_in(".", args);
        assert_eq!(run.code, 0, "git {args:?} failed:\n{}", run.all());
        run
    }

    /// Commit `paths` as they are now (hooks skipped): the project's own prisma-guard.toml
    /// loosens the guard only as committed.
    pub fn commit_files(&self, paths: &[&str]) {
        let mut add = vec!["add", "--"];
        add.extend_from_slice(paths);
        self.git(&add);
        self.git(&["commit", "-q", "--no-verify", "-m", "settings", "--"]);
    }

    /// The project's own prisma-guard.toml, committed (in a new repository when there is none):
    /// its loosening keys count only so.
    pub fn write_own_config(&self, contents: &str) {
        self.write("prisma-guard.toml", contents);
        if !self.path(".git").exists() {
            self.git_init();
        }
        self.commit_files(&["prisma-guard.toml"]);
    }

    /// `git init` with `main` as the first branch.
    pub fn git_init(&self) {
        self.git(&["init", "-q", "-b", "main"]);
    }

    /// Every file under the backup folder, relative names, sorted; the folder's lock file
    /// (`.lock`, there for good once a backup ran) aside.
    pub fn backup_files(&self) -> Vec<String> {
        let mut names: Vec<String> = match std::fs::read_dir(self.path("backups")) {
            Ok(rd) => {
                rd.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).filter(|n| n != ".lock").collect()
            }
            Err(_) => Vec::new(),
        };
        names.sort();
        names
    }

    /// Manifests in the backup folder, newest first, as JSON.
    pub fn manifests(&self) -> Vec<serde_json::Value> {
        let run = self.run(&["backups", "--json"]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        serde_json::from_str::<Vec<serde_json::Value>>(&run.stdout).unwrap()
    }
}

/// (pid, comm, cmdline) of every process, from /proc.
pub fn processes() -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir("/proc") {
        for e in rd.flatten() {
            let p = e.path();
            let (Ok(comm), Ok(cmdline)) = (std::fs::read_to_string(p.join("comm")), std::fs::read(p.join("cmdline")))
            else {
                continue;
            };
            let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
            out.push((e.file_name().to_string_lossy().into_owned(), comm.trim().to_string(), cmdline));
        }
    }
    out
}

impl TestContext {
    /// Run `program args` in the project under a file-size limit (`prlimit --fsize`): a full disk.
    pub fn run_with_file_limit(&self, bytes: u64, program: &str, args: &[&str]) -> Run {
        let mut cmd = Command::new("prlimit");
        cmd.arg(format!("--fsize={bytes}")).arg("--").arg(program).args(args);
        cmd.current_dir(self.root()).env_clear().envs(self.env.iter().map(|(k, v)| (k, v))).stdin(Stdio::null());
        Run::from(cmd.output().unwrap())
    }
}

/// Run `cmd` with `input` on its stdin (the child may exit before reading it all).
pub fn run_with_stdin(mut cmd: Command, input: &[u8]) -> Run {
    cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    {
        use std::io::Write;
        let _ = child.stdin.take().unwrap().write_all(input);
    }
    Run::from(child.wait_with_output().unwrap())
}

pub fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// The outcome of one run.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(o: Output) -> Run {
        Run {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
}

impl Run {
    pub fn all(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }

    #[track_caller]
    pub fn ok(&self) -> &Run {
        assert_eq!(self.code, 0, "expected success\nstdout:\n{}\nstderr:\n{}", self.stdout, self.stderr);
        self
    }

    #[track_caller]
    pub fn no_secret(&self) -> &Run {
        assert!(!self.all().contains(SECRET), "the password leaked:\n{}", self.all());
        self
    }
}

pub fn is_root() -> bool {
    // SAFETY-free: read our own uid from /proc.
    std::fs::read_to_string("/proc/self/status")
        .map(|s| s.lines().any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("0")))
        .unwrap_or(false)
}

/// A loopback port nothing listens on (bound, then released).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn chown_to(path: &Path, user: &str) {
    if is_root() {
        let st = Command::new("chown").arg("-R").arg(format!("{user}:{user}")).arg(path).status().unwrap();
        assert!(st.success());
    }
}

/// Start `line` in the background under a watchdog that kills it and removes `cleanup`
/// when this test process exits.
// The watchdog outlives every test on purpose: it is reaped when the test process exits.
#[allow(clippy::zombie_processes)]
pub fn start_watched(line: &str, cleanup: &Path) {
    let script = format!(
        "{line} & child=$!\nwhile kill -0 {pid} 2>/dev/null && kill -0 $child 2>/dev/null; do sleep 0.3; done\nkill -INT $child 2>/dev/null; sleep 1; kill -9 $child 2>/dev/null; rm -rf {dir}\n",
        pid = std::process::id(),
        dir = shell_quote(&cleanup.display().to_string())
    );
    Command::new("sh")
        .arg("-c")
        .arg(script)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
}

pub fn wait_for(what: &str, timeout: Duration, mut ready: impl FnMut() -> bool) {
    let start = Instant::now();
    while !ready() {
        assert!(start.elapsed() < timeout, "{what} did not start within {timeout:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn run_as(user: &str, program: &str) -> Command {
    if is_root() {
        let mut c = Command::new("setpriv");
        c.args(["--reuid", user, "--regid", user, "--init-groups", program]);
        c
    } else {
        Command::new(program)
    }
}

fn pg_bin(tool: &str) -> String {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|rd| rd.flatten().map(|e| e.path().join("bin")).collect())
        .unwrap_or_default();
    dirs.sort();
    dirs.pop().map(|d| d.join(tool).display().to_string()).unwrap_or_else(|| tool.to_string())
}

/// A throwaway PostgreSQL server.
pub struct Postgres {
    pub port: u16,
    pub socket_dir: PathBuf,
}

pub fn postgres() -> &'static Postgres {
    static PG: OnceLock<Postgres> = OnceLock::new();
    PG.get_or_init(|| {
        let base = tempfile::Builder::new().prefix("pg-it-server-").tempdir().unwrap().keep();
        let data = base.join("data");
        let sock = base.join("sock");
        std::fs::create_dir_all(&sock).unwrap();
        let pwfile = base.join("pw");
        std::fs::write(&pwfile, "postgres-admin-pw\n").unwrap();
        chown_to(&base, "postgres");
        let out = run_as("postgres", &pg_bin("initdb"))
            .args(["-D", data.to_str().unwrap(), "-U", "postgres", "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8"])
            .arg(format!("--pwfile={}", pwfile.display()))
            .output()
            .unwrap();
        assert!(out.status.success(), "initdb failed: {}", String::from_utf8_lossy(&out.stderr));
        let port = free_port();
        let prefix = if is_root() { "setpriv --reuid postgres --regid postgres --init-groups " } else { "" };
        start_watched(
            &format!(
                "{prefix}{} -D {} -k {} -p {port} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c synchronous_commit=off",
                pg_bin("postgres"),
                data.display(),
                sock.display()
            ),
            &base,
        );
        let pg = Postgres { port, socket_dir: sock };
        wait_for("PostgreSQL", Duration::from_secs(30), || pg.try_admin("SELECT 1").is_some());
        pg.admin(&format!("CREATE ROLE app LOGIN CREATEDB PASSWORD '{SECRET}'"));
        pg
    })
}

impl Postgres {
    fn try_admin(&self, sql: &str) -> Option<String> {
        self.try_sql("postgres", sql)
    }

    pub fn try_sql(&self, db: &str, sql: &str) -> Option<String> {
        let out = Command::new("psql")
            .args(["-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-h"])
            .arg(&self.socket_dir)
            .args(["-p", &self.port.to_string(), "-U", "postgres", "-d", db, "-c", sql])
            .env_remove("PGPASSWORD")
            .output()
            .ok()?;
        if !out.status.success() {
            eprintln!("psql: {}", String::from_utf8_lossy(&out.stderr).trim());
        }
        out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
    }

    pub fn admin(&self, sql: &str) -> String {
        self.sql("postgres", sql)
    }

    #[track_caller]
    pub fn sql(&self, db: &str, sql: &str) -> String {
        self.try_sql(db, sql).unwrap_or_else(|| panic!("SQL failed on {db}: {sql}"))
    }

    /// A fresh database owned by `app`.
    pub fn create_db(&self, name: &str) -> String {
        self.admin(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"));
        self.admin(&format!("CREATE DATABASE \"{name}\" OWNER app"));
        name.to_string()
    }

    /// The URL a Prisma project would use, with Prisma-only parameters.
    pub fn url(&self, db: &str) -> String {
        format!("postgresql://app:{SECRET}@127.0.0.1:{}/{db}?schema=public&connection_limit=5", self.port)
    }

    /// Run SQL as `app` in `db`.
    pub fn app_sql(&self, db: &str, sql: &str) -> String {
        let out = Command::new("psql")
            .args(["-X", "-q", "-At", "-v", "ON_ERROR_STOP=1"])
            .arg(format!("host=127.0.0.1 port={} dbname={db} user=app", self.port))
            .args(["-c", sql])
            .env("PGPASSWORD", SECRET)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }
}

/// A throwaway MariaDB server.
pub struct Mariadb {
    pub port: u16,
    pub socket: PathBuf,
}

pub fn mariadb() -> &'static Mariadb {
    static MY: OnceLock<Mariadb> = OnceLock::new();
    MY.get_or_init(|| {
        let base = tempfile::Builder::new().prefix("my-it-server-").tempdir().unwrap().keep();
        let data = base.join("data");
        std::fs::create_dir_all(&data).unwrap();
        chown_to(&base, "mysql");
        let user_arg = if is_root() { "--user=mysql" } else { "" };
        let out = Command::new("mariadb-install-db")
            .args(["--no-defaults", "--auth-root-authentication-method=normal", "--skip-test-db"])
            .arg(format!("--datadir={}", data.display()))
            .args(if is_root() { vec![user_arg] } else { vec![] })
            .output()
            .unwrap();
        assert!(out.status.success(), "mariadb-install-db failed: {}", String::from_utf8_lossy(&out.stderr));
        let port = free_port();
        let socket = base.join("mysqld.sock");
        start_watched(
            &format!(
                "/usr/sbin/mariadbd --no-defaults {user_arg} --datadir={} --socket={} --port={port} --bind-address=127.0.0.1 --pid-file={}/mysqld.pid --log-error={}/error.log --skip-log-bin --innodb-buffer-pool-size=64M --innodb-flush-log-at-trx-commit=0 --skip-name-resolve",
                data.display(),
                socket.display(),
                base.display(),
                base.display()
            ),
            &base,
        );
        let my = Mariadb { port, socket };
        wait_for("MariaDB", Duration::from_secs(60), || my.try_root("SELECT 1").is_some());
        my.root(&format!("CREATE USER 'app'@'%' IDENTIFIED BY '{SECRET}'; GRANT ALL ON *.* TO 'app'@'%'"));
        my
    })
}

impl Mariadb {
    fn try_root(&self, sql: &str) -> Option<String> {
        let out = Command::new("mariadb")
            .arg("--no-defaults")
            .arg(format!("--socket={}", self.socket.display()))
            .args(["-u", "root", "--default-character-set=utf8mb4", "--batch", "--skip-column-names", "-e", sql])
            .output()
            .ok()?;
        out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
    }

    #[track_caller]
    pub fn root(&self, sql: &str) -> String {
        let out = Command::new("mariadb")
            .arg("--no-defaults")
            .arg(format!("--socket={}", self.socket.display()))
            .args(["-u", "root", "--default-character-set=utf8mb4", "--batch", "--skip-column-names", "-e", sql])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "SQL failed ({:?}): {sql}\n{stderr}", out.status);
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    pub fn create_db(&self, name: &str) -> String {
        self.root(&format!("DROP DATABASE IF EXISTS `{name}`; CREATE DATABASE `{name}` CHARACTER SET utf8mb4"));
        name.to_string()
    }

    pub fn url(&self, db: &str) -> String {
        format!("mysql://app:{SECRET}@localhost:{}/{db}?connection_limit=5", self.port)
    }

    pub fn sql(&self, db: &str, sql: &str) -> String {
        self.root(&format!("USE `{db}`; {sql}"))
    }
}
