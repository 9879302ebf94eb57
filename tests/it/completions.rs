//! Issue 21: shell completions and the man page, generated from the CLI definitions.

use crate::support::*;

#[test]
fn bash_completes_subcommands_and_options() {
    let ctx = TestContext::new();
    let script = ctx.run(&["completions", "bash"]).ok().stdout.clone();
    ctx.write("completion.bash", &script);
    // As bash-completion calls it: COMP_WORDS/COMP_CWORD set, the function run, COMPREPLY read.
    let complete = |words: &str| -> Vec<String> {
        let line = format!(
            "source completion.bash; COMP_WORDS=({words}); COMP_CWORD=$((${{#COMP_WORDS[@]}}-1)); \
             COMP_LINE=\"${{COMP_WORDS[*]}}\"; COMP_POINT=${{#COMP_LINE}}; \
             _prisma__guard prisma-guard \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\"; \
             printf '%s\\n' \"${{COMPREPLY[@]}}\""
        );
        let out = std::process::Command::new("bash").args(["-c", &line]).current_dir(ctx.root()).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).lines().map(str::to_string).collect()
    };
    let subcommands = complete("prisma-guard rest");
    assert!(subcommands.contains(&"restore".to_string()), "{subcommands:?}");
    assert!(subcommands.contains(&"restore-test".to_string()), "{subcommands:?}");
    let options = complete("prisma-guard scan --for");
    assert_eq!(options, vec!["--format".to_string()]);
}

#[test]
fn every_shell_gets_a_script_and_an_unknown_one_is_a_usage_error() {
    let ctx = TestContext::new();
    for (shell, marker) in [
        ("zsh", "#compdef prisma-guard"),
        ("fish", "complete -c prisma-guard"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let script = ctx.run(&["completions", shell]).ok().stdout.clone();
        assert!(script.contains(marker), "{shell}: {}", &script[..script.len().min(300)]);
        assert!(script.contains("restore-test"), "{shell} completes the subcommands");
    }
    let run = ctx.run(&["completions", "tcsh"]);
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(run.stderr.contains("possible values"), "{}", run.all());
}

#[test]
fn the_man_page_lists_every_command() {
    let ctx = TestContext::new();
    let page = ctx.run(&["man"]).ok().stdout.clone();
    assert!(page.starts_with(".ie") || page.contains(".TH prisma-guard 1"), "{}", &page[..page.len().min(200)]);
    for section in [".SH NAME", ".SH SYNOPSIS", ".SH SUBCOMMANDS"] {
        assert!(page.contains(section), "{section}");
    }
    for command in ["exec", "backup", "restore\\-test", "scan", "agent\\-hook", "init", "doctor", "completions"] {
        assert!(page.contains(&format!("prisma\\-guard\\-{command}")), "the man page lists {command}");
    }
}

/// Review finding 5: one page per subcommand (`man prisma-guard-backup`), each documenting
/// that command's own flags, as `install.sh` installs them.
#[test]
fn man_dir_writes_a_page_per_subcommand_with_its_flags() {
    let ctx = TestContext::new();
    let dir = ctx.path("man1");
    ctx.run(&["man", "--dir", &dir.display().to_string()]).ok();
    for page in ["prisma-guard.1", "prisma-guard-backup.1", "prisma-guard-restore.1", "prisma-guard-migrate-deploy.1"] {
        assert!(dir.join(page).is_file(), "{page} was not written");
    }
    // Rendered by man itself, as `man prisma-guard-backup` shows it.
    let out = std::process::Command::new("man")
        .arg("-l")
        .arg(dir.join("prisma-guard-backup.1"))
        .env("MANPAGER", "cat")
        .env("MANWIDTH", "120")
        .env("LC_ALL", "C")
        .output()
        .expect("man runs");
    // Overstrike bold ("b\x08b") as a terminal shows it: the character after each backspace.
    let mut text = String::new();
    for c in String::from_utf8_lossy(&out.stdout).chars() {
        if c == '\u{8}' {
            text.pop();
        } else {
            text.push(c);
        }
    }
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(text.contains("prisma-guard-backup"), "{text}");
    for flag in ["--label", "--compression"] {
        assert!(text.contains(flag), "the backup page documents {flag}: {text}");
    }
}
