//! SMTP: the only file that uses `lettre`. Builds each message (plain text and HTML alternatives,
//! `List-Unsubscribe` with one-click `List-Unsubscribe-Post`, a stable `Message-ID`) and hands it to the server
//! over a small pool of reused connections.

use std::time::Duration;

use lettre::message::header::{Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::PoolConfig;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{Message, SmtpTransport, Transport};

use super::compose::Mail;
use crate::config::{MailConfig, SmtpSecurity};
use crate::{Error, Result};

/// How long one SMTP command may take.
const TIMEOUT: Duration = Duration::from_secs(10);

/// Why a message was not sent.
#[derive(Debug, Clone)]
pub struct SendError {
    /// The server refused it for good (a 5xx answer, a bad address): retrying will not help.
    pub permanent: bool,
    pub message: String,
}

impl std::fmt::Display for SendError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// The SMTP server and the sender, set up once.
pub struct Mailer {
    transport: SmtpTransport,
    from: Mailbox,
    /// The sender's domain, for message ids.
    domain: String,
    /// `smtp://host:port`, for the admin page (never the login).
    server: String,
}

impl Mailer {
    /// Sets up the transport `mail:` describes; refuses a sender address that does not parse.
    pub fn new(config: &MailConfig) -> Result<Mailer> {
        let from: Mailbox = config
            .from
            .parse()
            .map_err(|err| Error::bad_input(format!("mail.from {:?} is not an e-mail address: {err}", config.from)))?;
        let url = &config.smtp_url;
        let tls_parameters = || {
            TlsParameters::new(url.host.clone())
                .map_err(|err| Error::bad_input(format!("mail.smtp_url: cannot set up TLS: {err}")))
        };
        let tls = match url.security {
            SmtpSecurity::Plain => Tls::None,
            SmtpSecurity::StartTls => Tls::Required(tls_parameters()?),
            SmtpSecurity::Tls => Tls::Wrapper(tls_parameters()?),
        };
        let mut builder = SmtpTransport::builder_dangerous(url.host.clone())
            .port(url.port)
            .tls(tls)
            .timeout(Some(TIMEOUT))
            .pool_config(PoolConfig::new().max_size(u32::try_from(super::SENDERS).unwrap_or(4)));
        match (&config.user, &config.password) {
            (Some(user), Some(password)) => {
                builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
            }
            (None, None) => {}
            _ => return Err(Error::bad_input("mail: set both user and password, or neither")),
        }
        let scheme = if url.security == SmtpSecurity::Tls { "smtps" } else { "smtp" };
        Ok(Mailer {
            transport: builder.build(),
            domain: from.email.domain().to_string(),
            server: format!("{scheme}://{}:{}", url.host, url.port),
            from,
        })
    }

    /// The server, as `smtp://host:port`.
    pub fn server(&self) -> &str {
        &self.server
    }

    /// The sender.
    pub fn from(&self) -> String {
        self.from.to_string()
    }

    /// Sends one message; returns when the server accepted it.
    pub fn send(&self, mail: &Mail) -> std::result::Result<(), SendError> {
        let message = self.build(mail)?;
        self.transport
            .send(&message)
            .map(drop)
            .map_err(|err| SendError { permanent: err.is_permanent(), message: format!("SMTP: {err}") })
    }

    fn build(&self, mail: &Mail) -> std::result::Result<Message, SendError> {
        let refused = |message: String| SendError { permanent: true, message };
        let address =
            mail.to_email.trim().parse().map_err(|err| refused(format!("bad address {:?}: {err}", mail.to_email)))?;
        let name = Some(mail.to_name.trim().to_string()).filter(|it| !it.is_empty());
        Message::builder()
            .from(self.from.clone())
            .to(Mailbox::new(name, address))
            .subject(mail.subject.clone())
            .message_id(Some(format!("<{}@{}>", mail.key, self.domain)))
            .header(ListUnsubscribe(format!("<{}>", mail.unsubscribe_url)))
            .header(ListUnsubscribePost)
            .header(AutoSubmitted)
            .multipart(MultiPart::alternative_plain_html(mail.text.clone(), mail.html.clone()))
            .map_err(|err| refused(format!("building the message: {err}")))
    }
}

/// `List-Unsubscribe: <https://…>` (RFC 2369).
#[derive(Clone)]
struct ListUnsubscribe(String);

impl Header for ListUnsubscribe {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe")
    }

    fn parse(text: &str) -> std::result::Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(ListUnsubscribe(text.to_string()))
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.clone())
    }
}

/// `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058): the link works with one POST.
#[derive(Clone)]
struct ListUnsubscribePost;

impl Header for ListUnsubscribePost {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe-Post")
    }

    fn parse(_: &str) -> std::result::Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(ListUnsubscribePost)
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "List-Unsubscribe=One-Click".to_string())
    }
}

/// `Auto-Submitted: auto-generated` (RFC 3834): out-of-office replies stay away.
#[derive(Clone)]
struct AutoSubmitted;

impl Header for AutoSubmitted {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Auto-Submitted")
    }

    fn parse(_: &str) -> std::result::Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(AutoSubmitted)
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "auto-generated".to_string())
    }
}
