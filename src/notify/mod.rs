//! `[[notify]]`: telling people when backups fail, go stale or a guarded command is refused,
//! by webhook (generic JSON or Slack's format), ntfy, or email over SMTP.
//!
//! Sending is best effort with short timeouts: a notifier that is down never fails the
//! command that reports (it says so on stderr). Secrets (webhook URLs, tokens, SMTP
//! passwords) come from environment variables named in the config and are never printed:
//! messages name a notifier by its kind and host.

pub mod event;
mod send;

use std::time::{Duration, SystemTime};

use anyhow::Result;
use serde::Deserialize;

pub use event::{Event, Message, Severity};

use crate::error::fail;
use crate::ExitStatus;

/// One `[[notify]]` table.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotifySection {
    /// `webhook` (generic JSON), `slack`, `ntfy` or `email`.
    pub kind: String,
    /// The URL (webhook, slack, ntfy topic). A webhook URL is often a secret: prefer `url_env`.
    pub url: Option<String>,
    /// The environment variable holding the URL.
    pub url_env: Option<String>,
    /// `info`, `warning` (default) or `critical`.
    pub min_severity: Option<Severity>,
    /// Only these events (default: all).
    #[serde(default)]
    pub events: Vec<Event>,
    /// ntfy: the variable holding an access token.
    pub token_env: Option<String>,
    /// email: the SMTP server.
    pub smtp_host: Option<String>,
    pub smtp_port: Option<u16>,
    /// email: `starttls` (default), `tls` (implicit, port 465) or `none` (loopback relays).
    pub tls: Option<String>,
    pub username: Option<String>,
    /// email: the variable holding the SMTP password.
    pub password_env: Option<String>,
    pub from: Option<String>,
    #[serde(default)]
    pub to: Vec<String>,
}

/// A notifier ready to send.
#[derive(Debug, Clone)]
pub struct Notifier {
    pub section: NotifySection,
    /// For messages: kind and host, never the URL's path or query (tokens live there).
    pub label: String,
}

impl Notifier {
    pub fn min_severity(&self) -> Severity {
        self.section.min_severity.unwrap_or(Severity::Warning)
    }

    /// Whether this notifier wants `m`.
    pub fn wants(&self, m: &Message) -> bool {
        m.event == Event::Test
            || (m.severity >= self.min_severity()
                && (self.section.events.is_empty() || self.section.events.contains(&m.event)))
    }
}

fn usage(msg: String, hint: &str) -> anyhow::Error {
    fail(msg).hint(hint).status(ExitStatus::Usage).into()
}

/// Check the `[[notify]]` tables: a kind, where to send, nothing half-set.
pub fn notifiers(sections: &[NotifySection]) -> Result<Vec<Notifier>> {
    let mut out = Vec::new();
    for (i, s) in sections.iter().enumerate() {
        let n = i + 1;
        let label = match s.kind.as_str() {
            "webhook" | "slack" | "ntfy" => {
                if s.url.is_some() == s.url_env.is_some() {
                    return Err(usage(
                        format!("[[notify]] #{n} ({}) needs exactly one of url and url_env", s.kind),
                        "url_env = \"SLACK_WEBHOOK_URL\" keeps the secret out of the file",
                    ));
                }
                let host =
                    s.url.as_deref().map(host_of).unwrap_or_else(|| format!("${}", s.url_env.as_deref().unwrap_or("")));
                format!("{} ({host})", s.kind)
            }
            "email" => {
                let (Some(host), Some(_), false) = (&s.smtp_host, &s.from, s.to.is_empty()) else {
                    return Err(usage(
                        format!("[[notify]] #{n} (email) needs smtp_host, from and to"),
                        "for example smtp_host = \"smtp.example.com\", from = \"backups@example.com\", to = [\"oncall@example.com\"]",
                    ));
                };
                if !matches!(s.tls.as_deref(), None | Some("starttls" | "tls" | "none")) {
                    return Err(usage(
                        format!("[[notify]] #{n}: tls must be starttls, tls or none"),
                        "starttls is the default",
                    ));
                }
                if s.username.is_some() != s.password_env.is_some() {
                    return Err(usage(
                        format!("[[notify]] #{n} (email) needs both username and password_env, or neither"),
                        "password_env names the variable that holds the SMTP password",
                    ));
                }
                format!("email ({host})")
            }
            other => {
                return Err(usage(
                    format!("[[notify]] #{n}: kind = \"{other}\" is not known"),
                    "use webhook, slack, ntfy or email",
                ))
            }
        };
        out.push(Notifier { section: s.clone(), label });
    }
    Ok(out)
}

/// The host of a URL, for messages.
fn host_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    host.rsplit('@').next().unwrap_or(host).to_string()
}

/// A message about this project, now.
pub fn message(project: &std::path::Path, event: Event, severity: Severity, title: String, body: String) -> Message {
    Message {
        event,
        severity,
        title,
        body,
        project: project.display().to_string(),
        host: crate::backup::store::lock::hostname(),
        at: humantime::format_rfc3339_seconds(SystemTime::now()).to_string(),
    }
}

/// Send `m` to each notifier that wants it; the results, one per notifier that was tried.
pub fn send(notifiers: &[Notifier], m: &Message) -> Vec<(String, Result<()>)> {
    notifiers
        .iter()
        .filter(|n| n.wants(m))
        .map(|n| (n.label.clone(), send::one(&n.section, m, Duration::from_secs(15))))
        .collect()
}

/// Send, and say on stderr which notifier failed (never failing the caller).
pub fn report(
    settings: &crate::config::settings::Settings,
    event: Event,
    severity: Severity,
    title: String,
    body: String,
) {
    let Ok(notifiers) = notifiers(&settings.config.file.notify) else { return };
    if notifiers.is_empty() {
        return;
    }
    let m = message(&settings.project_root, event, severity, title, body);
    for (label, result) in send(&notifiers, &m) {
        if let Err(e) = result {
            settings.printer.warn(format!("could not notify {label}: {}", crate::error::one_line(&e)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notifier_tables_are_checked() {
        let ok = NotifySection { kind: "slack".into(), url_env: Some("HOOK".into()), ..NotifySection::default() };
        let n = notifiers(&[ok]).unwrap();
        assert_eq!(n[0].label, "slack ($HOOK)");
        let both = NotifySection {
            kind: "webhook".into(),
            url: Some("https://h.example/x?token=s3cret".into()),
            url_env: Some("X".into()),
            ..NotifySection::default()
        };
        assert!(notifiers(&[both]).is_err());
        let mail = NotifySection { kind: "email".into(), smtp_host: Some("smtp".into()), ..NotifySection::default() };
        assert!(notifiers(&[mail]).is_err());
        let bad = NotifySection { kind: "pager".into(), ..NotifySection::default() };
        assert!(notifiers(&[bad]).is_err());
        assert_eq!(host_of("https://user:pw@hooks.slack.com/services/T/B/x?t=1"), "hooks.slack.com");
    }

    #[test]
    fn severity_and_event_filters() {
        let mut s = NotifySection { kind: "webhook".into(), url: Some("http://h/".into()), ..NotifySection::default() };
        let m = |e, sev| message(std::path::Path::new("/p"), e, sev, String::new(), String::new());
        let n = &notifiers(std::slice::from_ref(&s)).unwrap()[0];
        assert!(!n.wants(&m(Event::Digest, Severity::Info)));
        assert!(n.wants(&m(Event::Stale, Severity::Critical)));
        assert!(n.wants(&m(Event::Test, Severity::Info)), "a test always goes out");
        s.events = vec![Event::BackupFailed];
        let n = &notifiers(&[s]).unwrap()[0];
        assert!(!n.wants(&m(Event::Stale, Severity::Critical)));
    }
}
