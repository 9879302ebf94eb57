//! The wire formats: a generic JSON webhook (the message as JSON), Slack's incoming webhook
//! (`{"text": ...}`), ntfy (text body, Title/Priority/Tags headers), email (lettre's SMTP
//! client, STARTTLS by default).

use std::time::Duration;

use anyhow::{Context, Result};

use super::{Message, NotifySection, Severity};

fn env_var(name: &str) -> Result<String> {
    crate::config::env::var(name).filter(|v| !v.is_empty()).with_context(|| format!("{name} is not set"))
}

pub fn one(s: &NotifySection, m: &Message, timeout: Duration) -> Result<()> {
    match s.kind.as_str() {
        "email" => email(s, m, timeout),
        _ => http(s, m, timeout),
    }
}

/// An HTTP header value: plain ASCII as it is, anything else as an RFC 2047 encoded word
/// (ntfy decodes it; an HTTP header cannot carry `café` as such).
fn header_text(text: &str) -> String {
    use base64::Engine as _;
    let clean: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    if clean.is_ascii() {
        clean
    } else {
        format!("=?UTF-8?B?{}?=", base64::engine::general_purpose::STANDARD.encode(clean.as_bytes()))
    }
}

fn subject(m: &Message) -> String {
    let project =
        std::path::Path::new(&m.project).file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    format!("[prisma-guard {}] {}: {}", m.severity.as_str(), project, m.title)
}

fn text(m: &Message) -> String {
    format!(
        "{}\n\n{}\n\nproject: {}\nhost: {}\nevent: {}\nat: {}\n",
        m.title,
        m.body,
        m.project,
        m.host,
        m.event.as_str(),
        m.at
    )
}

fn http(s: &NotifySection, m: &Message, timeout: Duration) -> Result<()> {
    let url = match (&s.url, &s.url_env) {
        (Some(u), _) => u.clone(),
        (None, Some(var)) => env_var(var)?,
        (None, None) => anyhow::bail!("no url"),
    };
    #[allow(deprecated)]
    let _ = rustls::crypto::ring::default_provider().install_default();
    let runtime =
        tokio::runtime::Builder::new_current_thread().enable_all().build().context("could not start a runtime")?;
    let _inside = runtime.enter();
    let client = reqwest::Client::builder().timeout(timeout).build().context("could not build an HTTP client")?;
    let request = match s.kind.as_str() {
        "slack" => client.post(&url).json(&serde_json::json!({ "text": format!("*{}*\n{}", subject(m), m.body) })),
        "ntfy" => {
            let priority = match m.severity {
                Severity::Critical => "5",
                Severity::Warning => "4",
                Severity::Info => "3",
            };
            let mut r = client
                .post(&url)
                .header("Title", header_text(&subject(m)))
                .header("Priority", priority)
                .header("Tags", format!("prisma-guard,{}", m.event.as_str()))
                .body(text(m));
            if let Some(var) = &s.token_env {
                r = r.bearer_auth(env_var(var)?);
            }
            r
        }
        _ => client.post(&url).json(m),
    };
    let response = runtime
        .block_on(request.send())
        // The URL may hold a token: never in a message.
        .map_err(|e| anyhow::anyhow!("{}", e.without_url()))?;
    let status = response.status();
    if !status.is_success() {
        anyhow::bail!("the server answered HTTP {}", status.as_u16());
    }
    Ok(())
}

fn email(s: &NotifySection, m: &Message, timeout: Duration) -> Result<()> {
    use lettre::transport::smtp::authentication::Credentials;
    use lettre::{Message as Mail, SmtpTransport, Transport};
    #[allow(deprecated)]
    let _ = rustls::crypto::ring::default_provider().install_default();
    let host = s.smtp_host.as_deref().context("no smtp_host")?;
    let from = s.from.as_deref().context("no from")?;
    let mut mail = Mail::builder().from(from.parse().with_context(|| format!("from = {from:?} is not an address"))?);
    for to in &s.to {
        mail = mail.to(to.parse().with_context(|| format!("to = {to:?} is not an address"))?);
    }
    let mail = mail.subject(subject(m)).body(text(m)).context("could not build the message")?;
    let builder = match s.tls.as_deref().unwrap_or("starttls") {
        "tls" => SmtpTransport::relay(host)?.port(s.smtp_port.unwrap_or(465)),
        "none" => SmtpTransport::builder_dangerous(host).port(s.smtp_port.unwrap_or(25)),
        _ => SmtpTransport::starttls_relay(host)?.port(s.smtp_port.unwrap_or(587)),
    };
    let mut builder = builder.timeout(Some(timeout));
    if let (Some(user), Some(var)) = (&s.username, &s.password_env) {
        builder = builder.credentials(Credentials::new(user.clone(), env_var(var)?));
    }
    builder.build().send(&mail).map_err(|e| anyhow::anyhow!("SMTP {host}: {e}"))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    /// Review of issue 18, round 5, finding 11: a non-ASCII title (a project folder `café`)
    /// made every ntfy message fail with `builder error`.
    #[test]
    fn header_text_is_ascii_for_any_title() {
        assert_eq!(super::header_text("[prisma-guard info] app: ok"), "[prisma-guard info] app: ok");
        let encoded = super::header_text("[prisma-guard info] café: ok");
        assert!(encoded.is_ascii() && encoded.starts_with("=?UTF-8?B?"), "{encoded}");
        assert!(reqwest::header::HeaderValue::from_str(&encoded).is_ok());
    }
}
