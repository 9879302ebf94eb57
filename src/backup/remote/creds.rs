//! Credentials for a remote, the way the AWS tools look for them, minus the surprises:
//! the variables named in `[[remote]]`, then `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`
//! (`AWS_SESSION_TOKEN`), then a profile of `~/.aws/credentials` (the remote's `profile`,
//! `AWS_PROFILE`, or `default`), then web identity and container credentials from their
//! usual variables; the instance metadata service only with `credentials = "instance"`
//! (asked elsewhere, it would make a laptop without keys wait on timeouts).
//! Keys are never printed: errors name the variable or file, never a value.

use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::config::RemoteSection;
use crate::error::fail;

/// Static keys found in the environment or a profile.
#[derive(Clone, PartialEq, Eq)]
pub struct Keys {
    pub key_id: String,
    pub secret: String,
    pub token: Option<String>,
    /// Where they came from, for messages (`AWS_ACCESS_KEY_ID`, `profile backup`).
    pub source: String,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Keys(from {})", self.source)
    }
}

/// What signs the requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Keys(Keys),
    /// Web identity, container or instance credentials: `(config key, value)` pairs for
    /// object_store's own providers.
    Provider(Vec<(&'static str, String)>),
}

/// Find the credentials for `spec`. `env` reads a variable; `home` is the user's home.
pub fn resolve(spec: &RemoteSection, env: &dyn Fn(&str) -> Option<String>, home: Option<&Path>) -> Result<Source> {
    let var = |k: &str| env(k).filter(|v| !v.is_empty());
    if spec.access_key_id_env.is_some() || spec.secret_access_key_env.is_some() {
        let (Some(id_var), Some(secret_var)) = (&spec.access_key_id_env, &spec.secret_access_key_env) else {
            return Err(fail(format!(
                "remote `{}` names only one of access_key_id_env and secret_access_key_env",
                spec.name
            ))
            .hint("name both variables in its [[remote]] table")
            .status(crate::ExitStatus::Usage)
            .into());
        };
        return match (var(id_var), var(secret_var)) {
            (Some(key_id), Some(secret)) => Ok(Source::Keys(Keys {
                key_id,
                secret,
                token: spec.session_token_env.as_deref().and_then(var),
                source: id_var.clone(),
            })),
            _ => Err(fail(format!("remote `{}`: {id_var} and {secret_var} must both be set", spec.name))
                .hint(format!("export {id_var}=... {secret_var}=... (the store's access key) and run again"))
                .into()),
        };
    }
    if let (Some(key_id), Some(secret)) = (var("AWS_ACCESS_KEY_ID"), var("AWS_SECRET_ACCESS_KEY")) {
        return Ok(Source::Keys(Keys {
            key_id,
            secret,
            token: var("AWS_SESSION_TOKEN"),
            source: "AWS_ACCESS_KEY_ID".into(),
        }));
    }
    let profile = spec.profile.clone().or_else(|| var("AWS_PROFILE")).unwrap_or_else(|| "default".into());
    let files = [
        var("AWS_SHARED_CREDENTIALS_FILE").map(PathBuf::from).or_else(|| home.map(|h| h.join(".aws/credentials"))),
        var("AWS_CONFIG_FILE").map(PathBuf::from).or_else(|| home.map(|h| h.join(".aws/config"))),
    ];
    for (i, file) in files.iter().enumerate() {
        let Some(file) = file else { continue };
        let Ok(text) = std::fs::read_to_string(file) else { continue };
        // ~/.aws/config names sections `[profile NAME]` (but `[default]`).
        let section = if i == 1 && profile != "default" { format!("profile {profile}") } else { profile.clone() };
        if let Some(keys) = profile_keys(&text, &section) {
            return Ok(Source::Keys(Keys { source: format!("profile {profile} in {}", file.display()), ..keys }));
        }
    }
    if spec.profile.is_some() {
        return Err(fail(format!("remote `{}`: profile `{profile}` has no keys in ~/.aws/credentials", spec.name))
            .hint("add aws_access_key_id and aws_secret_access_key to that profile, or set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY")
            .into());
    }
    let mut provider = Vec::new();
    for (key, name) in [
        ("aws_web_identity_token_file", "AWS_WEB_IDENTITY_TOKEN_FILE"),
        ("aws_role_arn", "AWS_ROLE_ARN"),
        ("aws_role_session_name", "AWS_ROLE_SESSION_NAME"),
        ("aws_container_credentials_relative_uri", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"),
        ("aws_container_credentials_full_uri", "AWS_CONTAINER_CREDENTIALS_FULL_URI"),
        ("aws_container_authorization_token_file", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"),
    ] {
        if let Some(v) = var(name) {
            provider.push((key, v));
        }
    }
    let web = provider.iter().any(|(k, _)| *k == "aws_web_identity_token_file")
        && provider.iter().any(|(k, _)| *k == "aws_role_arn");
    let container = provider.iter().any(|(k, _)| k.starts_with("aws_container_credentials"));
    if web || container || spec.credentials.as_deref() == Some("instance") {
        return Ok(Source::Provider(provider));
    }
    Err(fail(format!("no credentials for remote `{}` ({})", spec.name, spec.url))
        .hint(
            "export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, name a profile (`profile = \"...\"` in its [[remote]] table), or set `credentials = \"instance\"` on a cloud machine",
        )
        .into())
}

/// `aws_access_key_id`/`aws_secret_access_key`/`aws_session_token` of `[section]` in an
/// INI file as the AWS tools write it.
fn profile_keys(text: &str, section: &str) -> Option<Keys> {
    let mut inside = false;
    let (mut id, mut secret, mut token) = (None, None, None);
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('#') || line.starts_with(';') || line.is_empty() {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            if inside {
                break;
            }
            inside = name.trim() == section;
            continue;
        }
        if !inside {
            continue;
        }
        let Some((k, v)) = line.split_once('=') else { continue };
        let v = v.trim().to_string();
        match k.trim().to_ascii_lowercase().as_str() {
            "aws_access_key_id" => id = Some(v),
            "aws_secret_access_key" => secret = Some(v),
            "aws_session_token" => token = Some(v),
            _ => {}
        }
    }
    Some(Keys { key_id: id?, secret: secret?, token, source: String::new() })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> RemoteSection {
        RemoteSection { name: "offsite".into(), url: "s3://b/p".into(), ..RemoteSection::default() }
    }

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let pairs: Vec<(String, String)> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())
    }

    #[test]
    fn named_variables_come_first_and_must_both_be_set() {
        let mut s = spec();
        s.access_key_id_env = Some("R2_ID".into());
        s.secret_access_key_env = Some("R2_SECRET".into());
        let e = env(&[
            ("R2_ID", "id"),
            ("R2_SECRET", "sec"),
            ("AWS_ACCESS_KEY_ID", "other"),
            ("AWS_SECRET_ACCESS_KEY", "x"),
        ]);
        let Source::Keys(k) = resolve(&s, &e, None).unwrap() else { panic!() };
        assert_eq!((k.key_id.as_str(), k.secret.as_str()), ("id", "sec"));
        let e = env(&[("R2_ID", "id")]);
        let err = format!("{:#}", resolve(&s, &e, None).unwrap_err());
        assert!(err.contains("R2_SECRET"), "{err}");
        assert!(!err.contains("id,") && !format!("{k:?}").contains("sec"), "keys never shown: {err} {k:?}");
    }

    #[test]
    fn profiles_are_read_from_the_credentials_and_config_files() {
        let home = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(home.path().join(".aws")).unwrap();
        std::fs::write(
            home.path().join(".aws/credentials"),
            "[default]\naws_access_key_id = D\naws_secret_access_key = DS\n\n[backup]\naws_access_key_id=B\naws_secret_access_key=BS\naws_session_token = T\n",
        )
        .unwrap();
        std::fs::write(
            home.path().join(".aws/config"),
            "[profile cfg]\naws_access_key_id = C\naws_secret_access_key = CS\n",
        )
        .unwrap();
        let none = env(&[]);
        let Source::Keys(k) = resolve(&spec(), &none, Some(home.path())).unwrap() else { panic!() };
        assert_eq!(k.key_id, "D");
        let mut s = spec();
        s.profile = Some("backup".into());
        let Source::Keys(k) = resolve(&s, &none, Some(home.path())).unwrap() else { panic!() };
        assert_eq!((k.key_id.as_str(), k.token.as_deref()), ("B", Some("T")));
        let Source::Keys(k) = resolve(&spec(), &env(&[("AWS_PROFILE", "cfg")]), Some(home.path())).unwrap() else {
            panic!()
        };
        assert_eq!(k.key_id, "C");
        s.profile = Some("missing".into());
        assert!(resolve(&s, &none, Some(home.path())).is_err());
    }

    #[test]
    fn without_any_credentials_it_says_what_to_set_and_never_waits_on_metadata() {
        let err = format!("{:#}", resolve(&spec(), &env(&[]), None).unwrap_err());
        assert!(err.contains("no credentials for remote `offsite`"), "{err}");
        let mut s = spec();
        s.credentials = Some("instance".into());
        assert_eq!(resolve(&s, &env(&[]), None).unwrap(), Source::Provider(vec![]));
        let e = env(&[("AWS_WEB_IDENTITY_TOKEN_FILE", "/t"), ("AWS_ROLE_ARN", "arn:aws:iam::1:role/r")]);
        assert!(matches!(resolve(&spec(), &e, None).unwrap(), Source::Provider(p) if p.len() == 2));
    }
}
