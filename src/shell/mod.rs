//! Shell command lines -> the Prisma commands they would run. Used by the scanner (scripts,
//! CI files, Dockerfiles) and by the agent hooks (`check`, `agent-hook`).

pub mod parse;
pub mod resolve;

pub use parse::{parse, ParseError, SimpleCommand};
pub use resolve::{resolve, EnvChange, Target};

/// package.json scripts, for expanding `npm run X`.
pub trait Scripts {
    fn script(&self, name: &str) -> Option<String>;
}

/// No scripts known: `npm run X` leads nowhere (except `pnpm prisma ...`, a binary).
pub struct NoScripts;

impl Scripts for NoScripts {
    fn script(&self, _: &str) -> Option<String> {
        None
    }
}

impl Scripts for std::collections::BTreeMap<String, String> {
    fn script(&self, name: &str) -> Option<String> {
        self.get(name).cloned()
    }
}

/// One Prisma invocation a command line leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// Prisma's arguments.
    pub args: Vec<String>,
    /// How the line got there: wrappers, runners and script names, outermost first.
    pub via: Vec<String>,
    /// Environment changes on the way, outermost first.
    pub env: Vec<EnvChange>,
    /// Byte offset, in the line given, of the top-level command that leads here.
    pub offset: usize,
}

/// One command a line runs, as [`visit`] sees it.
pub struct Visit<'a> {
    pub command: &'a SimpleCommand,
    pub target: &'a Target,
    /// Wrappers, runners and script names on the way, outermost first.
    pub via: &'a [String],
    /// Environment changes on the way, outermost first.
    pub env: &'a [EnvChange],
    /// Byte offset, in the line given, of the top-level command that leads here.
    pub offset: usize,
}

/// Call `f` for every command `line` runs, expanding shells (`bash -c`, `eval`, heredocs)
/// and, through `scripts`, npm scripts (recursively; a cycle stops).
pub fn visit(line: &str, scripts: &dyn Scripts, f: &mut dyn FnMut(&Visit<'_>)) -> Result<(), ParseError> {
    let mut stack = Vec::new();
    walk(line, scripts, 0, None, &[], &[], &mut stack, f)
}

/// Every prisma invocation in `line`, expanding shells and (through `scripts`) npm scripts.
pub fn find_prisma(line: &str, scripts: &dyn Scripts) -> Result<Vec<Found>, ParseError> {
    let mut out = Vec::new();
    visit(line, scripts, &mut |v| {
        if let Target::Prisma { args } = v.target {
            out.push(Found { args: args.clone(), via: v.via.to_vec(), env: v.env.to_vec(), offset: v.offset });
        }
    })?;
    Ok(out)
}

#[allow(clippy::too_many_arguments)]
fn walk(
    line: &str,
    scripts: &dyn Scripts,
    depth: usize,
    top_offset: Option<usize>,
    via: &[String],
    env: &[EnvChange],
    stack: &mut Vec<String>,
    f: &mut dyn FnMut(&Visit<'_>),
) -> Result<(), ParseError> {
    if depth > parse::MAX_DEPTH {
        return Err(ParseError { message: "nested too deeply".into(), offset: top_offset.unwrap_or(0) });
    }
    for cmd in parse::parse_at_depth(line, depth)? {
        let offset = top_offset.unwrap_or(cmd.offset);
        let r = resolve(&cmd);
        let mut via: Vec<String> = via.iter().cloned().chain(r.chain.iter().cloned()).collect();
        let env: Vec<EnvChange> = env.iter().cloned().chain(r.env.iter().cloned()).collect();
        // A script name that is no script but the prisma binary (`pnpm prisma ...`).
        let target = match &r.target {
            Target::Script { name, args } if scripts.script(name).is_none() && resolve::is_prisma_word(name) => {
                Target::Prisma { args: args.clone() }
            }
            t => t.clone(),
        };
        f(&Visit { command: &cmd, target: &target, via: &via, env: &env, offset });
        match target {
            Target::Shell { script } => walk(&script, scripts, depth + 1, Some(offset), &via, &env, stack, f)?,
            Target::Script { name, args } => match scripts.script(&name) {
                Some(_) if stack.contains(&name) => {} // a cycle: already being expanded
                Some(body) => {
                    via.push(format!("script `{name}`"));
                    let full = if args.is_empty() {
                        body
                    } else {
                        format!("{body} {}", args.iter().map(|a| quote(a)).collect::<Vec<_>>().join(" "))
                    };
                    stack.push(name);
                    let r = walk(&full, scripts, depth + 1, Some(offset), &via, &env, stack, f);
                    stack.pop();
                    r?;
                }
                None => {}
            },
            Target::Prisma { .. } | Target::Other => {}
        }
    }
    Ok(())
}

/// Single-quote a word for re-parsing.
pub fn quote(word: &str) -> String {
    if !word.is_empty() && word.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_./=:@,+%".contains(&b)) {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn args(line: &str, scripts: &dyn Scripts) -> Vec<String> {
        find_prisma(line, scripts).unwrap().into_iter().map(|f| f.args.join(" ")).collect()
    }

    #[test]
    fn scripts_expand_recursively_and_cycles_stop() {
        let mut s = BTreeMap::new();
        s.insert("db:reset".to_string(), "prisma migrate reset --force".to_string());
        s.insert("fresh".to_string(), "npm run db:reset && npm run seed".to_string());
        s.insert("seed".to_string(), "node seed.js".to_string());
        s.insert("a".to_string(), "npm run b".to_string());
        s.insert("b".to_string(), "npm run a && prisma db push".to_string());
        assert_eq!(args("pnpm fresh", &s), vec!["migrate reset --force"]);
        assert_eq!(args("npm run a", &s), vec!["db push"]);
        let found = &find_prisma("yarn fresh", &s).unwrap()[0];
        assert_eq!(found.via, vec!["yarn", "script `fresh`", "npm", "script `db:reset`"]);
    }

    #[test]
    fn nested_shells() {
        assert_eq!(
            args("bash -c \"sh -c 'npx prisma db push --force-reset'\"", &NoScripts),
            vec!["db push --force-reset"]
        );
        assert_eq!(args("echo $(bash -c 'prisma migrate reset')", &NoScripts), vec!["migrate reset"]);
        assert_eq!(args("pnpm prisma migrate dev", &NoScripts), vec!["migrate dev"]);
    }

    #[test]
    fn quoting_round_trips() {
        for w in ["plain", "with space", "it's", "", "$HOME", "a;b"] {
            assert_eq!(parse(&format!("x {}", quote(w))).unwrap()[0].argv[1], w);
        }
    }
}

/// Fuzzing the parser: arbitrary and hostile input never panics and finishes in bounded time.
#[cfg(test)]
mod fuzz {
    use std::time::{Duration, Instant};

    use proptest::prelude::*;

    use super::*;

    /// Shell-ish fragments, so random strings reach deep into the grammar.
    fn fragment() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("prisma".to_string()),
            Just(" migrate reset ".to_string()),
            Just("npx ".to_string()),
            Just("npm run x ".to_string()),
            Just("bash -c '".to_string()),
            Just("\"".to_string()),
            Just("'".to_string()),
            Just("$(".to_string()),
            Just(")".to_string()),
            Just("(".to_string()),
            Just("`".to_string()),
            Just("<<EOF\n".to_string()),
            Just("\nEOF\n".to_string()),
            Just("\\".to_string()),
            Just(" && ".to_string()),
            Just(" | ".to_string()),
            Just(";".to_string()),
            Just("${".to_string()),
            Just("}".to_string()),
            Just("$((".to_string()),
            Just("env -u CLAUDECODE ".to_string()),
            Just("FOO=1 ".to_string()),
            Just("# c\n".to_string()),
            Just("> f ".to_string()),
            "[ -~]{0,12}",
            any::<char>().prop_map(|c| c.to_string()),
        ]
    }

    fn bounded<T>(what: &str, f: impl FnOnce() -> T) -> T {
        let start = Instant::now();
        let out = f();
        assert!(start.elapsed() < Duration::from_secs(2), "{what} took {:?}", start.elapsed());
        out
    }

    struct Loop;
    impl Scripts for Loop {
        fn script(&self, name: &str) -> Option<String> {
            Some(format!("npm run {name}x && npm run {name}"))
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

        #[test]
        fn random_fragments_never_panic(parts in proptest::collection::vec(fragment(), 0..40)) {
            let line: String = parts.concat();
            let _ = bounded("parse", || parse(&line));
            let _ = bounded("find_prisma", || find_prisma(&line, &NoScripts));
        }

        #[test]
        fn arbitrary_bytes_never_panic(line in "\\PC{0,200}") {
            let _ = parse(&line);
            let _ = find_prisma(&line, &NoScripts);
        }
    }

    #[test]
    fn hostile_input_is_bounded() {
        let cases = [
            "$(".repeat(50_000),
            "(".repeat(50_000),
            "`".repeat(50_000),
            "bash -c \"".repeat(2_000),
            "echo a && ".repeat(50_000),
            format!("npx prisma {}", "x".repeat(900_000)),
            "'".repeat(100_001),
            "<<EOF\n".repeat(10_000),
            "\\\n".repeat(100_000),
            "x".repeat(2 << 20),
        ];
        for line in &cases {
            let _ = bounded("hostile parse", || parse(line));
            let _ = bounded("hostile find", || find_prisma(line, &NoScripts));
        }
        // Scripts that expand forever: stopped by the cycle check and the depth limit.
        let r = bounded("script loop", || find_prisma("npm run a", &Loop));
        assert!(r.is_err() || r.is_ok_and(|f| f.is_empty()));
    }
}
