//! Switching the PostgreSQL tripwire off from a command line, past any SQL: reading its
//! approval key (`~/.local/share/prisma-guard/tripwire/<id>.key`, under `$XDG_DATA_HOME` when
//! set; see [`crate::tripwire::key`]), with which any client can open the approval window the
//! tripwire waits for; and `session_replication_role=replica` in the options a client
//! connects with (`export PGOPTIONS=...`, `env PGOPTIONS=... node app.js`), under which no
//! trigger fires. Listing the key folder is fine; reading, copying or sending anything in it
//! is not. (SQL that switches it off is [`crate::sql::tripwire_tamper`]'s.)

use crate::shell::SimpleCommand;

/// Commands that only name files, never read them.
const NAMES_ONLY: &[&str] = &["ls", "stat", "test", "[", "file", "du", "echo", "printf"];

/// Whether a word names the tripwire's key folder or a file in it.
fn names_key_folder(word: &str) -> bool {
    let w = word.trim_end_matches('/');
    w.contains("prisma-guard/tripwire")
        // The data folder as a whole (`cp -r ~/.local/share/prisma-guard /tmp`).
        || w.ends_with(".local/share/prisma-guard")
        || w.ends_with("XDG_DATA_HOME/prisma-guard")
        || w.ends_with("XDG_DATA_HOME}/prisma-guard")
        // A key file by its name, from inside the folder.
        || (w.ends_with(".key") && w.contains("prisma-guard"))
}

/// Where the key is, spelled from the home folder.
const KEY_SAMPLE: &str = "~/.local/share/prisma-guard/tripwire/0123abcd.key";

/// A path with the home folder spelled `~` (`$HOME`, `${HOME}`, the home folder's own path),
/// and `$XDG_DATA_HOME` as its default `~/.local/share`.
fn from_home(word: &str) -> String {
    let w = word.trim_end_matches('/');
    for (var, to) in [
        ("${HOME}", "~"),
        ("$HOME", "~"),
        ("${XDG_DATA_HOME}", "~/.local/share"),
        ("$XDG_DATA_HOME", "~/.local/share"),
        ("~+", "."),
    ] {
        if let Some(rest) = w.strip_prefix(var) {
            return format!("{to}{rest}");
        }
    }
    if let Some(home) = crate::config::env::home().map(|h| h.to_string_lossy().trim_end_matches('/').to_string()) {
        if !home.is_empty() {
            if w == home {
                return "~".into();
            }
            if let Some(rest) = w.strip_prefix(&format!("{home}/")) {
                return format!("~/{rest}");
            }
        }
    }
    w.to_string()
}

/// Whether `word` names the key file or a folder above it: a pattern matching one (`~/.local/share/p*/t*/*`,
/// `.../tri?wire`), or a folder holding it (`~`, `~/.local`, `/home`).
fn reaches_key(word: &str) -> (bool, bool) {
    let w = from_home(word);
    if w.is_empty() || !(w.starts_with('~') || w.starts_with('/')) {
        return (false, false);
    }
    let mut ancestors: Vec<String> = Vec::new();
    let mut p = KEY_SAMPLE.to_string();
    while let Some(k) = p.rfind('/') {
        p.truncate(k);
        ancestors.push(p.clone());
    }
    // Where this machine keeps it (`$XDG_DATA_HOME` may be anywhere), as an absolute path.
    let real = crate::tripwire::key::dir().join("0123abcd.key").to_string_lossy().into_owned();
    let mut p = real.clone();
    while let Some(k) = p.rfind('/') {
        p.truncate(k);
        if !p.is_empty() {
            ancestors.push(p.clone());
        }
    }
    let home = crate::config::env::home().map(|h| h.to_string_lossy().into_owned()).unwrap_or_default();
    let abs = |a: &str| a.strip_prefix('~').map(|r| format!("{}{r}", home.trim_end_matches('/')));
    if w.contains(['*', '?', '[']) {
        let Some(re) = crate::judge::tamper::glob_regex(&w, false, false) else { return (false, false) };
        let file = re.is_match(KEY_SAMPLE) || abs(KEY_SAMPLE).is_some_and(|k| re.is_match(&k)) || re.is_match(&real);
        let folder = ancestors.iter().any(|a| re.is_match(a) || abs(a).is_some_and(|x| re.is_match(&x)));
        return (file, folder);
    }
    // `/` and `/home` hold every home folder.
    let above = w == "/"
        || ancestors.iter().any(|a| *a == w || abs(a).is_some_and(|x| x == w || x.starts_with(&format!("{w}/"))));
    (false, above)
}

/// Whether `cmd` reads whole folder trees (`grep -r`, `cp -r`, `tar`, `rsync -a`, `zip -r`,
/// `find ... -exec`).
fn reads_trees(name: &str, argv: &[String]) -> bool {
    let short = |c: char| argv[1..].iter().any(|a| a.starts_with('-') && !a.starts_with("--") && a.contains(c));
    let long = |l: &str| argv[1..].iter().any(|a| a == l);
    match name {
        "grep" | "egrep" | "fgrep" | "ack" | "ag" => short('r') || short('R') || long("--recursive") || name != "grep",
        "rg" | "tar" | "bsdtar" | "7z" | "7za" | "7zz" | "rclone" | "restic" | "borg" | "duplicity" => true,
        "cp" | "scp" | "rsync" | "zip" | "gcp" => {
            short('r') || short('R') || short('a') || long("--recursive") || long("--archive")
        }
        "find" => argv
            .iter()
            .any(|a| matches!(a.as_str(), "-exec" | "-execdir" | "-ok" | "-okdir" | "-fprint" | "-fprint0" | "-fls")),
        "aws" | "gsutil" => long("--recursive") || short('r') || argv.iter().any(|a| a == "sync" || a == "rsync"),
        _ => false,
    }
}

/// Why `cmd` reads the tripwire's approval key, if it does.
pub fn reads_key(cmd: &SimpleCommand, dirs: &[String]) -> Option<String> {
    let name = cmd.argv.first().map(|a| a.rsplit('/').next().unwrap_or(a))?;
    // Patterns that match the key (`cat ~/.local/share/p*/t*/*`), and folders above it read
    // as a whole (`grep -r . ~/.local`, `tar czf x.tgz ~`, `cp -r ~ /tmp/x`).
    if !NAMES_ONLY.contains(&name) && !matches!(name, "cd" | "pushd") {
        let trees = reads_trees(name, &cmd.argv);
        if let Some(w) = cmd.argv[1..].iter().find(|w| {
            let (file, folder) = reaches_key(w);
            file || (folder && trees)
        }) {
            return Some(format!(
                "`{name}` reads {w}, which holds the PostgreSQL tripwire's approval key (in {}): {MESSAGE}",
                crate::tripwire::key::dir().display()
            ));
        }
    }
    let inside = dirs.iter().any(|d| names_key_folder(d) || d.ends_with("prisma-guard/tripwire"));
    let key_here = |w: &str| inside && (w.ends_with(".key") || w == "." || w.starts_with('*'));
    let input = cmd.input_file.iter().find(|f| names_key_folder(f) || key_here(f));
    if let Some(f) = input {
        return Some(format!("`{name}` reads {f}, the PostgreSQL tripwire's approval key: {MESSAGE}"));
    }
    if NAMES_ONLY.contains(&name) {
        return None;
    }
    // Spread over several words (`find ~/.local/share -path '*tripwire*' -name '*.key'`), or
    // the whole data home (`tar czf x.tgz ~/.local/share`).
    let all = cmd.argv[1..].join(" ").to_ascii_lowercase();
    let spread = all.contains("tripwire")
        && (all.contains(".key") || all.contains("prisma-guard"))
        && (all.contains(".local/share") || all.contains("xdg_data_home") || all.contains("prisma-guard"));
    let home = |w: &&String| {
        let w = w.trim_end_matches('/');
        w.ends_with(".local/share") || w == "$XDG_DATA_HOME" || w == "${XDG_DATA_HOME}"
    };
    let word = cmd.argv[1..]
        .iter()
        .find(|w| names_key_folder(w) || key_here(w) || home(w))
        .or_else(|| spread.then(|| &cmd.argv[1]))?;
    // The shell walk cannot follow `cd ~/...`: what runs there afterwards is not known.
    if matches!(name, "cd" | "pushd") {
        return Some(format!(
            "`{name}` goes into {word}, where the PostgreSQL tripwire's approval key is kept, \
             so what runs there cannot be checked: {MESSAGE}"
        ));
    }
    Some(format!("`{name}` reads {word}, where the PostgreSQL tripwire's approval key is kept: {MESSAGE}"))
}

/// Why `cmd` reads the tripwire's key through a name made when the line runs, in a line that
/// names the key's folder (`f=$(ls -d ~/.local/share/prisma-guard/tripwire/*); cat $f`).
pub fn reads_made_name(cmd: &SimpleCommand, line: &str) -> Option<String> {
    let lower = line.to_ascii_lowercase();
    if !(lower.contains("tripwire") && (lower.contains("prisma-guard") || lower.contains("prisma_guard"))) {
        return None;
    }
    let name = cmd.argv.first().map(|a| a.rsplit('/').next().unwrap_or(a))?;
    if matches!(
        name,
        "ls" | "echo"
            | "printf"
            | "test"
            | "["
            | "stat"
            | "basename"
            | "dirname"
            | "realpath"
            | "readlink"
            | "true"
            | "prisma-guard"
    ) || cmd.argv.is_empty()
    {
        return None;
    }
    let made = |w: &String| w.contains('$') || w.contains(crate::shell::parse::SUBSTITUTED);
    let word = cmd.argv[1..].iter().chain(cmd.input_file.iter()).find(|w| made(w))?;
    Some(format!(
        "`{name}` reads {word}, a name made when the line runs, in a line about the PostgreSQL tripwire's key folder: {MESSAGE}"
    ))
}

/// Why `cmd` switches the tripwire off, if it does: it reads the key, or sets
/// `session_replication_role=replica` for the connections it makes.
pub fn switches_off(cmd: &SimpleCommand, dirs: &[String]) -> Option<String> {
    if let Some(why) = reads_key(cmd, dirs) {
        return Some(why);
    }
    let name = cmd.argv.first().map(|a| a.rsplit('/').next().unwrap_or(a))?;
    if matches!(name, "psql" | "pgcli" | "usql") {
        return None; // judged with the client's SQL (`super::clients`)
    }
    let words = cmd.assigns.iter().map(|(k, v)| format!("{k}={v}")).chain(cmd.argv.iter().cloned());
    let w = words
        .into_iter()
        .find(|w| crate::sql::tripwire_tamper::sets_replica(w) || crate::sql::tripwire_tamper::event_triggers_off(w))?;
    let what = if crate::sql::tripwire_tamper::sets_replica(&w) {
        "session_replication_role to replica"
    } else {
        "event_triggers off (PostgreSQL 17)"
    };
    Some(format!(
        "`{name}` sets {what} (`{w}`) for the connections it makes, under which the tripwire's triggers do not fire, switching off {}",
        crate::sql::tripwire_tamper::MARK
    ))
}

const MESSAGE: &str = "with the key any client can open an approval window, switching the tripwire off";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shell::parse::parse;

    fn reads(line: &str, dirs: &[&str]) -> bool {
        let cmd = parse(line).unwrap().pop().unwrap();
        let dirs: Vec<String> = dirs.iter().map(|d| (*d).to_string()).collect();
        reads_key(&cmd, &dirs).is_some()
    }

    #[test]
    fn reading_the_key_is_refused_and_listing_it_is_not() {
        assert!(reads("cat ~/.local/share/prisma-guard/tripwire/*.key", &[""]));
        assert!(reads("cat $HOME/.local/share/prisma-guard/tripwire/ab12.key", &[""]));
        assert!(reads("cat \"$XDG_DATA_HOME/prisma-guard/tripwire/ab12.key\"", &[""]));
        assert!(reads("cp -r ~/.local/share/prisma-guard /tmp/x", &[""]));
        assert!(reads("base64 < ~/.local/share/prisma-guard/tripwire/ab.key", &[""]));
        assert!(reads("grep -r . ~/.local/share/prisma-guard/tripwire/", &[""]));
        assert!(reads("cat ab12.key", &["", "~/.local/share/prisma-guard/tripwire"]));
        assert!(reads("cat ~/.local/share/*/tripwire/*.key", &[""]));
        assert!(reads("find ~/.local/share -path '*tripwire*' -name '*.key' -exec cat {} +", &[""]));
        assert!(reads("tar czf /tmp/x.tgz ~/.local/share", &[""]));
        assert!(!reads("du -sh ~/.local/share", &[""]));
        assert!(!reads("ls ~/.local/share/prisma-guard/tripwire", &[""]));
        assert!(reads("cd ~/.local/share/prisma-guard/tripwire", &[""]), "what follows cannot be followed");
        assert!(!reads("cat ab12.key", &[""]));
        assert!(!reads("cat ~/.ssh/id_rsa.pub", &[""]));
    }

    #[test]
    fn replica_mode_for_every_connection_is_refused() {
        let off = |line: &str| {
            let cmd = parse(line).unwrap().pop().unwrap();
            switches_off(&cmd, &[String::new()]).is_some()
        };
        assert!(off("export PGOPTIONS='-c session_replication_role=replica'"));
        assert!(off("PGOPTIONS='-c session_replication_role=replica' node wipe.js"));
        assert!(off("env PGOPTIONS=-csession_replication_role=replica npm run seed"));
        assert!(!off("export PGOPTIONS='-c session_replication_role=origin'"));
        assert!(!off("export PGOPTIONS='-c statement_timeout=0'"));
        // Review round 2 (issue 19), finding 15: PostgreSQL 17's switch for event triggers.
        assert!(off("PGOPTIONS='-c event_triggers=off' node app.js"));
        assert!(off("export PGOPTIONS=\"-c event_triggers=false\""));
        assert!(!off("PGOPTIONS='-c event_triggers=on' node app.js"));
    }

    /// Review round 2 (issue 19), finding 15: the key read through a pattern, or with a folder
    /// above it read whole.
    #[test]
    fn broad_reads_that_reach_the_key() {
        for line in [
            "cat ~/.local/share/p*/t*/*",
            "grep -rh . ~/.local/share/prisma-guard/tri?wire",
            "grep -r . ~/.local",
            "grep -R secret $HOME",
            "tar czf /tmp/k.tgz ~/.local",
            "find ~ -name '*.key' -exec cat {} +",
            "cp -r ~ /tmp/homecopy",
            "rsync -a ~/ /mnt/copy/",
            "zip -r /tmp/x.zip ~/.local/share",
            "rg -uu . ~",
        ] {
            assert!(reads(line, &[""]), "{line}");
        }
        for line in [
            "ls -la ~/.local",
            "du -sh ~",
            "grep x ~/.bashrc",
            "cat ~/.local/share/other/x.txt",
            "cp ~/.gitconfig /tmp/x",
            "find ~ -name '*.key'",
            "tar czf /tmp/src.tgz src",
            "grep -r TODO src",
            "cp -r ~/projects/app /tmp/app",
        ] {
            assert!(!reads(line, &[""]), "{line}");
        }
    }
}
