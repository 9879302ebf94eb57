//! Links made by the line to the data and then used: `ln -s . here && rm here/dev.db`, `ln
//! -sfn "$PWD" /tmp/pp && rm /tmp/pp/dev.db`, `ln dev.db /tmp/h.db && sqlite3 /tmp/h.db
//! "DELETE ..."`. The link is not there when the line is judged, so paths through it cannot be
//! followed: a line that links to the database, a folder holding it or the backups and then
//! runs anything else is refused (fail closed). Links made before the line are followed by
//! [`super::globs::through_links`].

use crate::shell::SimpleCommand;

/// The link to the data the line made so far, if any.
#[derive(Debug, Default)]
pub struct Links {
    made: Option<String>,
}

impl Links {
    /// Sees `cmd` (in line order); `touches`: whether a path names the data or the backups.
    /// Returns why `cmd` is refused: it runs after a link to the data was made.
    pub fn see(&mut self, cmd: &SimpleCommand, touches: &dyn Fn(&str) -> bool) -> Option<String> {
        if let Some(link) = &self.made {
            let what = cmd.argv.join(" ");
            return Some(format!(
                "`{what}` runs after the line links to {link}: what goes through the link cannot be checked"
            ));
        }
        self.made = linked(&cmd.argv).into_iter().find(|p| touches(p)).map(|p| {
            let name = cmd.argv.first().cloned().unwrap_or_default();
            format!("{p} (with `{name}`), which holds the project's data")
        });
        None
    }
}

/// What `argv` makes links to: `ln`'s and `link`'s sources, `cp -l`/`cp -s`'s, `mount --bind`'s,
/// `bindfs`'s.
fn linked(argv: &[String]) -> Vec<String> {
    let Some(name) = argv.first().map(|a| a.rsplit('/').next().unwrap_or(a)) else { return Vec::new() };
    let flags = |short: char, long: &[&str]| {
        argv[1..]
            .iter()
            .any(|a| long.contains(&a.as_str()) || (a.starts_with('-') && !a.starts_with("--") && a.contains(short)))
    };
    let links = match name {
        "ln" | "link" => true,
        "cp" => flags('l', &["--link"]) || flags('s', &["--symbolic-link"]),
        "mount" => argv.iter().any(|a| a == "--bind" || a == "--rbind" || a == "-B"),
        "bindfs" => true,
        _ => false,
    };
    if !links {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut i = 1;
    let mut operands = Vec::new();
    let mut target_dir = false;
    while let Some(a) = argv.get(i) {
        match a.as_str() {
            "-t" | "--target-directory" => {
                target_dir = true;
                i += 1;
            }
            "-S" | "--suffix" | "-o" => i += 1,
            _ if a.starts_with("--target-directory=") => target_dir = true,
            _ if a.starts_with('-') => {}
            _ => operands.push(a.clone()),
        }
        i += 1;
    }
    // Without `-t`, the last operand is the link (unless it is the only one).
    if !target_dir && operands.len() > 1 {
        operands.pop();
    }
    out.extend(operands);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(line: &str) -> Vec<String> {
        line.split(' ').map(String::from).collect()
    }

    #[test]
    fn what_links_point_to() {
        assert_eq!(linked(&argv("ln -s . here")), vec!["."]);
        assert_eq!(linked(&argv("ln -sfn $PWD /tmp/pp")), vec!["$PWD"]);
        assert_eq!(linked(&argv("ln dev.db /tmp/h.db")), vec!["dev.db"]);
        assert_eq!(linked(&argv("ln -s prisma")), vec!["prisma"]);
        assert_eq!(linked(&argv("cp -al prisma /tmp/x")), vec!["prisma"]);
        assert_eq!(linked(&argv("cp -a prisma /tmp/x")), Vec::<String>::new());
        assert_eq!(linked(&argv("mount --bind . /mnt")), vec!["."]);
    }
}
