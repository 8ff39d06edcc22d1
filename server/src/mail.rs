//! Delivering the site's mail ([`Mail`], kept in the `outbox` table by
//! whoever wrote it): by SMTP where `[mail] smtp-url` names a relay, else
//! to the log (the message in full: the operator passes the link on).

use std::sync::Arc;

use lettre::{
    message::{header::ContentType, Mailbox},
    transport::smtp::authentication::Credentials,
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
};

use app::{db::Db, execute, password_reset::Mail};

use crate::config::MailSettings;

/// Delivers outbox messages; cloned for every request.
#[derive(Clone)]
pub struct Mailer(Arc<Shared>);

struct Shared {
    db: Db,
    smtp: Option<AsyncSmtpTransport<Tokio1Executor>>,
    from: Mailbox,
    /// The site's address for links in mail, without a trailing slash.
    site_url: String,
}

impl Mailer {
    /// From the settings; `listening` is where the server listens, the
    /// site's address when none is configured.
    pub fn new(settings: &MailSettings, listening: &str, db: Db) -> anyhow::Result<Mailer> {
        use anyhow::Context;
        let smtp = match settings.smtp_url.trim() {
            "" => None,
            url => Some(transport(url).context("invalid [mail] smtp-url")?),
        };
        let from = settings
            .from
            .parse()
            .context("invalid [mail] from: not a mail address")?;
        let site_url = match settings.site_url.trim() {
            "" => format!("http://{listening}"),
            url => url.trim_end_matches('/').to_string(),
        };
        Ok(Mailer(Arc::new(Shared {
            db,
            smtp,
            from,
            site_url,
        })))
    }

    /// The site's address, for links in mail.
    pub fn site_url(&self) -> &str {
        &self.0.site_url
    }

    /// Delivers the outbox's message `id`: sent by SMTP in a task of its
    /// own (the row then says when, or why not), or written to the log.
    pub fn deliver(&self, id: i64, mail: Mail) {
        let Some(smtp) = self.0.smtp.clone() else {
            tracing::info!(
                outbox = id,
                to = %mail.to,
                subject = %mail.subject,
                body = %mail.body,
                "mail kept in the outbox, not sent: no [mail] smtp-url"
            );
            return;
        };
        let shared = Arc::clone(&self.0);
        tokio::spawn(async move {
            let sent = match message(&shared.from, &mail) {
                Ok(message) => smtp
                    .send(message)
                    .await
                    .map(drop)
                    .map_err(|e| e.to_string()),
                Err(error) => Err(error),
            };
            let now = time::OffsetDateTime::now_utc().unix_timestamp();
            let noted = match &sent {
                Ok(()) => {
                    metrics::counter!("locallibrary_mail_total", "result" => "sent").increment(1);
                    tracing::info!(outbox = id, to = %mail.to, "mail sent");
                    execute!(
                        &shared.db,
                        sqlx::query("UPDATE outbox SET sent_at = $1, error = NULL WHERE id = $2")
                            .bind(now)
                            .bind(id)
                    )
                }
                Err(error) => {
                    metrics::counter!("locallibrary_mail_total", "result" => "failed").increment(1);
                    tracing::warn!(outbox = id, to = %mail.to, %error, "mail not sent");
                    execute!(
                        &shared.db,
                        sqlx::query("UPDATE outbox SET error = $1 WHERE id = $2")
                            .bind(error)
                            .bind(id)
                    )
                }
            };
            if let Err(error) = noted {
                tracing::warn!(outbox = id, %error, "the outbox could not note the delivery");
            }
        });
    }
}

/// The relay `smtp://[user:password@]host[:port]` names (port 25 unless
/// said), spoken to in plain SMTP.
fn transport(url: &str) -> anyhow::Result<AsyncSmtpTransport<Tokio1Executor>> {
    use anyhow::Context;
    let rest = url
        .strip_prefix("smtp://")
        .context("it must start with smtp:// (this server does not speak TLS: use a relay)")?
        .trim_end_matches('/');
    let (credentials, address) = match rest.rsplit_once('@') {
        Some((credentials, address)) => (Some(credentials), address),
        None => (None, rest),
    };
    let (host, port) = match address.rsplit_once(':') {
        Some((host, port)) => (host, port.parse().context("not a port number")?),
        None => (address, 25),
    };
    anyhow::ensure!(!host.is_empty(), "no host");
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host).port(port);
    if let Some(credentials) = credentials {
        let (user, password) = credentials.split_once(':').unwrap_or((credentials, ""));
        builder = builder.credentials(Credentials::new(user.to_string(), password.to_string()));
    }
    Ok(builder.build())
}

fn message(from: &Mailbox, mail: &Mail) -> Result<Message, String> {
    let to: Mailbox = mail
        .to
        .parse()
        .map_err(|err| format!("not a mail address: {err}"))?;
    Message::builder()
        .from(from.clone())
        .to(to)
        .subject(&mail.subject)
        .header(ContentType::TEXT_PLAIN)
        .body(mail.body.clone())
        .map_err(|err| err.to_string())
}
