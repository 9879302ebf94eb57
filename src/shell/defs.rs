//! Variables and aliases a line defines for the commands after it: `P=prisma; npx $P ...`,
//! `export X=reset`, `alias p='npx prisma'; p migrate reset`. Their values are put in place
//! before a command is resolved, so indirection hides nothing the text shows. A variable the
//! line does not define stays as written (`$X`): what it holds is only known when the line
//! runs, and the judge treats such words as unknown.

use std::collections::HashMap;

use super::parse::SimpleCommand;

/// What the commands read so far defined.
#[derive(Debug, Default, Clone)]
pub struct Defs {
    vars: HashMap<String, String>,
    aliases: HashMap<String, String>,
}

impl Defs {
    /// Learn what `cmd` defines: plain assignments (`X=1` alone), `export`/`declare`/`local`/
    /// `readonly`/`typeset` assignments, `alias NAME=VALUE`, and `unset`/`unalias`.
    pub fn learn(&mut self, cmd: &SimpleCommand) {
        if cmd.argv.is_empty() {
            for (k, v) in &cmd.assigns {
                let v = self.expand_word(v);
                self.vars.insert(k.clone(), v);
            }
            return;
        }
        let args = &cmd.argv[1..];
        match cmd.argv[0].as_str() {
            "export" | "declare" | "typeset" | "local" | "readonly" => {
                for a in args.iter().filter(|a| !a.starts_with('-')) {
                    if let Some((k, v)) = a.split_once('=') {
                        let v = self.expand_word(v);
                        self.vars.insert(k.to_string(), v);
                    }
                }
            }
            "alias" => {
                for a in args.iter().filter(|a| !a.starts_with('-')) {
                    if let Some((k, v)) = a.split_once('=') {
                        self.aliases.insert(k.to_string(), v.to_string());
                    }
                }
            }
            "unset" => args.iter().for_each(|a| {
                self.vars.remove(a);
            }),
            "unalias" => args.iter().for_each(|a| {
                self.aliases.remove(a);
            }),
            _ => {}
        }
    }

    /// The value the line gave variable `name`, if it gave one.
    pub fn var(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(String::as_str)
    }

    /// `cmd` with the variables the line defined put in place, when it uses any.
    pub fn expand(&self, cmd: &SimpleCommand) -> Option<SimpleCommand> {
        if self.vars.is_empty() || !cmd.argv.iter().chain(cmd.writes.iter()).any(|w| w.contains('$')) {
            return None;
        }
        let mut out = cmd.clone();
        for w in out.writes.iter_mut() {
            *w = self.expand_word(w);
        }
        // A word that is one variable splits into words at the characters of IFS (`IFS=,;
        // c='npx,prisma,migrate,reset'; $c` runs npx).
        let ifs = self.vars.get("IFS").map_or(" \t\n", String::as_str);
        out.argv = cmd
            .argv
            .iter()
            .flat_map(|w| {
                let expanded = self.expand_word(w);
                if expanded != *w && self.lone_variable(w) {
                    expanded.split(|c| ifs.contains(c)).filter(|p| !p.is_empty()).map(str::to_string).collect()
                } else {
                    vec![expanded]
                }
            })
            .collect();
        (out != *cmd).then_some(out)
    }

    /// The text an alias in command position stands for, followed by the command's other
    /// words: the alias's name and that text.
    pub fn alias(&self, cmd: &SimpleCommand) -> Option<(String, String)> {
        let name = cmd.argv.first()?;
        let value = self.aliases.get(name)?;
        let rest: Vec<String> = cmd.argv[1..].iter().map(|a| super::quote(a)).collect();
        Some((name.clone(), format!("{value} {}", rest.join(" "))))
    }

    /// Whether `word` is one variable the line defined: `$NAME` or `${NAME}`.
    fn lone_variable(&self, word: &str) -> bool {
        let name = word.strip_prefix("${").and_then(|w| w.strip_suffix('}')).or_else(|| word.strip_prefix('$'));
        name.is_some_and(|n| self.vars.contains_key(n))
    }

    /// `$NAME` and `${NAME}` replaced by what the line set them to.
    fn expand_word(&self, word: &str) -> String {
        if !word.contains('$') || self.vars.is_empty() {
            return word.to_string();
        }
        let b = word.as_bytes();
        let mut out = String::with_capacity(word.len());
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'$' {
                let braced = b.get(i + 1) == Some(&b'{');
                let start = i + 1 + usize::from(braced);
                let len = b[start..].iter().take_while(|c| c.is_ascii_alphanumeric() || **c == b'_').count();
                let end = start + len;
                let closed = !braced || b.get(end) == Some(&b'}');
                if len > 0 && closed {
                    if let Some(v) = self.vars.get(&word[start..end]) {
                        out.push_str(v);
                        i = end + usize::from(braced);
                        continue;
                    }
                }
            }
            let ch_len = word[i..].chars().next().map_or(1, char::len_utf8);
            out.push_str(&word[i..i + ch_len]);
            i += ch_len;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shell::parse::parse;

    fn run(line: &str) -> Vec<Vec<String>> {
        let mut defs = Defs::default();
        let mut out = Vec::new();
        for cmd in parse(line).unwrap() {
            let cmd = defs.expand(&cmd).unwrap_or(cmd);
            defs.learn(&cmd);
            if let Some((_, text)) = defs.alias(&cmd) {
                out.push(vec![text]);
            } else if !cmd.argv.is_empty() {
                out.push(cmd.argv);
            }
        }
        out
    }

    #[test]
    fn variables_and_aliases_of_the_line_are_put_in_place() {
        let v = |s: &str| s.split(' ').map(String::from).collect::<Vec<_>>();
        assert_eq!(run("P=prisma; npx $P migrate reset"), vec![v("npx prisma migrate reset")]);
        assert_eq!(run("x=reset; npx prisma migrate ${x} --force"), vec![v("npx prisma migrate reset --force")]);
        assert_eq!(
            run("export A=mig B=\"${A}rate\"; npx prisma $B reset"),
            vec![v("export A=mig B=${A}rate"), v("npx prisma migrate reset")]
        );
        assert_eq!(
            run("alias p='npx prisma'; p migrate reset"),
            vec![vec!["alias".to_string(), "p=npx prisma".to_string()], vec!["npx prisma migrate reset".to_string()]]
        );
        // Not defined by the line: left as written.
        assert_eq!(run("npx prisma migrate $X"), vec![v("npx prisma migrate $X")]);
        assert_eq!(run("P=prisma; unset P; npx $P"), vec![v("unset P"), v("npx $P")]);
        // A lone variable splits at IFS.
        assert_eq!(run("c='npx prisma migrate reset'; $c"), vec![v("npx prisma migrate reset")]);
        assert_eq!(run("IFS=,; c='npx,prisma,migrate,reset'; $c"), vec![v("npx prisma migrate reset")]);
    }
}
