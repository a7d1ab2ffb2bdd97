//! Themes: minijinja templates and static files. The default theme is compiled in; a theme folder given
//! with `--theme` overrides it file by file. The only module that knows the template engine.
//!
//! Every word a template shows comes from the theme's message files (`i18n::Messages`), in the language the
//! view's `lang` names: `{{ t("id", name=value) }}`; dates through the `ago` and `date` filters. Scripts get
//! theirs from the static file `lore-messages-<lang>.js`.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use include_dir::{Dir, include_dir};
use serde::Serialize;

use crate::i18n::{Arg, Messages, UiLanguage};
use crate::render::highlight;
use crate::{Error, Result};

static DEFAULT_TEMPLATES: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/themes/default/templates");
static DEFAULT_STATIC: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/themes/default/static");
// KaTeX and mermaid, installed from npm by build.rs; served under `/-/static/vendor/`.
static VENDOR: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/themes/default/vendor/dist");

/// Templates every theme provides (from the default theme when an override lacks them).
pub const TEMPLATES: &[&str] = &[
    "layout.html",
    "_account_nav.html",
    "page.html",
    "folder.html",
    "not_found.html",
    "error.html",
    "pages.html",
    "edit.html",
    "new.html",
    "delete.html",
    "move.html",
    "deleted.html",
    "history.html",
    "diff.html",
    "commit.html",
    "blame.html",
    "changes.html",
    "search.html",
    "ask.html",
    "questions.html",
    "question.html",
    "promote.html",
    "links.html",
    "tags.html",
    "tag.html",
    "people.html",
    "person.html",
    "review.html",
    "verify.html",
    "login.html",
    "account.html",
    "notifications.html",
    "unsubscribe.html",
    "admin.html",
];

/// The generated stylesheet for highlighted code, served beside the theme's static files.
pub const HIGHLIGHT_CSS: &str = "highlight.css";

/// The name of the script holding the scripts' messages in one language, before its code and `.js`.
pub const MESSAGES_SCRIPT_PREFIX: &str = "lore-messages-";

/// A loaded theme: templates ready to render, static files ready to serve.
pub struct Theme {
    env: minijinja::Environment<'static>,
    static_files: Arc<StaticFiles>,
    messages: Arc<Messages>,
}

/// A static file of the theme.
pub struct StaticFile {
    pub content: Cow<'static, [u8]>,
    pub content_type: String,
    /// A hash of the content, which `static_url` puts into addresses so browsers may cache them for good.
    pub fingerprint: String,
}

// The theme's static files: the override folder's, else the compiled-in ones, with their fingerprints.
struct StaticFiles {
    override_dir: Option<PathBuf>,
    highlight_css: String,
    messages: Arc<Messages>,
    // By file name: the fingerprint of the content last served or linked to.
    fingerprints: Mutex<HashMap<String, String>>,
}

impl Theme {
    /// Loads the default theme, overridden file by file by `override_dir`, and checks every template parses.
    pub fn load(override_dir: Option<&Path>) -> Result<Theme> {
        let mut env = minijinja::Environment::new();
        let override_templates = override_dir.map(|it| it.join("templates"));
        env.set_loader(move |name| {
            if let Some(dir) = &override_templates {
                if !is_plain_file_name(name) {
                    return Ok(None);
                }
                match std::fs::read_to_string(dir.join(name)) {
                    Ok(text) => return Ok(Some(text)),
                    Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
                    Err(err) => {
                        return Err(minijinja::Error::new(
                            minijinja::ErrorKind::InvalidOperation,
                            "cannot read template",
                        )
                        .with_source(err));
                    }
                }
            }
            Ok(DEFAULT_TEMPLATES.get_file(name).and_then(|it| it.contents_utf8()).map(str::to_string))
        });
        env.set_formatter(escape_without_slashes);
        // Block tags take their line with them: pages carry no runs of blank lines.
        env.set_syntax(
            minijinja::syntax::SyntaxConfig::builder()
                .trim_blocks(true)
                .lstrip_blocks(true)
                .build()
                .expect("the default delimiters are valid"),
        );
        let messages = Arc::new(Messages::load(override_dir)?);
        let static_files = Arc::new(StaticFiles {
            override_dir: override_dir.map(Path::to_path_buf),
            highlight_css: highlight::stylesheet(),
            messages: messages.clone(),
            fingerprints: Mutex::new(HashMap::new()),
        });
        let for_templates = static_files.clone();
        // `static_url("lore.css")` → `/-/static/lore.css?v=<fingerprint>`: a new version is a new address.
        env.add_function("static_url", move |name: &str| -> String {
            match for_templates.fingerprint(name) {
                Some(fingerprint) => format!("/-/static/{name}?v={fingerprint}"),
                None => format!("/-/static/{name}"),
            }
        });
        add_message_functions(&mut env, &messages);
        for name in TEMPLATES {
            env.get_template(name).map_err(template_error)?;
        }
        Ok(Theme { env, static_files, messages })
    }

    /// The interface's messages in every shipped language.
    pub fn messages(&self) -> &Messages {
        &self.messages
    }

    /// The same messages, for what outlives a request (e-mail and webhook delivery).
    pub fn messages_shared(&self) -> Arc<Messages> {
        self.messages.clone()
    }

    /// Message `id` in `language`, without arguments (the id itself when there is no such message).
    pub fn text(&self, language: UiLanguage, id: &str) -> String {
        self.messages.text(language, id)
    }

    /// Renders a template with a view struct.
    pub fn render(&self, name: &str, view: &impl Serialize) -> Result<String> {
        let template = self.env.get_template(name).map_err(template_error)?;
        let context = minijinja::Value::from(minijinja::value::Serde(view));
        // Imported macros do not see the view: they find its language here.
        let language = context.get_attr("lang").ok().and_then(|it| it.as_str().and_then(UiLanguage::parse));
        let outer = RENDERING.replace(language);
        let res = template.render(context);
        RENDERING.set(outer);
        res.map_err(template_error)
    }

    /// The address of a static file with its fingerprint, as templates' `static_url` gives it.
    pub fn static_url(&self, name: &str) -> String {
        match self.static_files.fingerprint(name) {
            Some(fingerprint) => format!("/-/static/{name}?v={fingerprint}"),
            None => format!("/-/static/{name}"),
        }
    }

    /// A static file by name (e.g. `lore.css`), from the override folder first.
    pub fn static_file(&self, name: &str) -> Option<StaticFile> {
        let (content, content_type) = self.static_files.read(name)?;
        // Compiled-in files never change; a file of the override folder may have changed on disk.
        let fingerprint =
            match (&content, self.static_files.fingerprints.lock().unwrap_or_else(|it| it.into_inner()).get(name)) {
                (Cow::Borrowed(_), Some(known)) => known.clone(),
                _ => fingerprint_of(&content),
            };
        self.static_files.remember(name, &fingerprint);
        Some(StaticFile { content, content_type, fingerprint })
    }
}

impl StaticFiles {
    fn read(&self, name: &str) -> Option<(Cow<'static, [u8]>, String)> {
        if !name.split('/').all(is_plain_file_name) {
            return None;
        }
        let content_type = mime_guess::from_path(name).first_or_octet_stream().to_string();
        if name == HIGHLIGHT_CSS {
            return Some((Cow::Owned(self.highlight_css.clone().into_bytes()), content_type));
        }
        // The scripts' messages in one language (`lore-messages-de.js`), a file like any other so pages need
        // no inline script.
        if let Some(language) = name.strip_prefix(MESSAGES_SCRIPT_PREFIX).and_then(|it| it.strip_suffix(".js")) {
            let language = UiLanguage::parse(language)?;
            let script = format!("window.loreMessages = {};\n", self.messages.script_messages(language));
            return Some((Cow::Owned(script.into_bytes()), content_type));
        }
        if let Some(dir) = &self.override_dir
            && let Ok(content) = std::fs::read(dir.join("static").join(name))
        {
            return Some((Cow::Owned(content), content_type));
        }
        let file = match name.strip_prefix("vendor/") {
            Some(vendored) => VENDOR.get_file(vendored)?,
            None => DEFAULT_STATIC.get_file(name)?,
        };
        Some((Cow::Borrowed(file.contents()), content_type))
    }

    // The fingerprint addresses of `name` carry: worked out once, and again whenever the file is served with
    // other content (an override file changed on disk).
    fn fingerprint(&self, name: &str) -> Option<String> {
        if let Some(known) = self.fingerprints.lock().unwrap_or_else(|it| it.into_inner()).get(name) {
            return Some(known.clone());
        }
        let (content, _) = self.read(name)?;
        let fingerprint = fingerprint_of(&content);
        self.remember(name, &fingerprint);
        Some(fingerprint)
    }

    fn remember(&self, name: &str, fingerprint: &str) {
        let mut known = self.fingerprints.lock().unwrap_or_else(|it| it.into_inner());
        if known.get(name).is_none_or(|it| it != fingerprint) {
            known.insert(name.to_string(), fingerprint.to_string());
        }
    }
}

// `t("id", name=value, …)`: message `id` in the language of the view's `lang`. An argument marked safe (HTML
// the template wrote, such as `<code>---</code>`) is put in as it is, and the message around it escaped.
// `value|ago` and `value|date`: an RFC 3339 time as "3 days ago" and as a date, in that language too.
fn add_message_functions(env: &mut minijinja::Environment<'static>, messages: &Arc<Messages>) {
    use minijinja::value::{Kwargs, Value};
    use minijinja::{Error as TemplateError, ErrorKind, State};

    let for_t = messages.clone();
    env.add_function(
        "t",
        move |state: &State, id: &str, kwargs: Kwargs| -> std::result::Result<Value, TemplateError> {
            let language = language_of(state);
            let mut args = Vec::new();
            let mut html_args = Vec::new();
            for name in kwargs.args() {
                let value: Value = kwargs.get(name)?;
                let arg = if value.is_safe() {
                    // A placeholder that escaping leaves alone, replaced by the HTML afterwards.
                    let placeholder = format!("\u{e000}{}\u{e001}", html_args.len());
                    html_args.push((placeholder.clone(), value.to_string()));
                    Arg::Text(placeholder)
                } else if let Some(number) = value.as_i64() {
                    Arg::Number(number as f64)
                } else if value.kind() == minijinja::value::ValueKind::Number {
                    Arg::Number(f64::try_from(value.clone()).unwrap_or_default())
                } else {
                    Arg::Text(value.to_string())
                };
                args.push((name, arg));
            }
            let text = for_t.format(language, id, &args).ok_or_else(|| {
                TemplateError::new(ErrorKind::InvalidOperation, format!("no message {id:?} in the theme's locales"))
            })?;
            if html_args.is_empty() {
                return Ok(Value::from(text));
            }
            let mut html = escape_html(&text);
            for (placeholder, value) in html_args {
                html = html.replace(&placeholder, &value);
            }
            Ok(Value::from_safe_string(html))
        },
    );
    // Like the built-in `escape`, without escaping `/` (see `escape_without_slashes`), for HTML that templates
    // build to hand to `t` as a safe argument.
    env.add_filter("escape", |value: Value| -> Value {
        if value.is_safe() { value } else { Value::from_safe_string(escape_html(&value.to_string())) }
    });
    // `element("a", text, href=url)`: an element for a safe argument of `t`, its text and attribute values escaped
    // (text marked safe, such as another `element`, stays as it is); `data_x=true` writes the bare `data-x`.
    env.add_function(
        "element",
        |name: &str, content: Value, kwargs: Kwargs| -> std::result::Result<Value, TemplateError> {
            if name.is_empty() || !name.chars().all(|it| it.is_ascii_alphanumeric()) {
                return Err(TemplateError::new(ErrorKind::InvalidOperation, "tag names are letters and digits"));
            }
            let mut html = format!("<{name}");
            for attribute in kwargs.args() {
                let value: Value = kwargs.get(attribute)?;
                let attribute = attribute.replace('_', "-");
                match value.is_true() && value.kind() == minijinja::value::ValueKind::Bool {
                    true => html.push_str(&format!(" {attribute}")),
                    false => html.push_str(&format!(" {attribute}=\"{}\"", escape_html(&value.to_string()))),
                }
            }
            html.push('>');
            match content.is_safe() {
                true => html.push_str(&content.to_string()),
                false => html.push_str(&escape_html(&content.to_string())),
            }
            html.push_str(&format!("</{name}>"));
            Ok(Value::from_safe_string(html))
        },
    );
    let for_ago = messages.clone();
    env.add_filter("ago", move |state: &State, value: Value| -> String {
        match parse_time(&value) {
            Some(then) => for_ago.relative_time(language_of(state), chrono::Utc::now(), then),
            None => String::new(),
        }
    });
    let for_date = messages.clone();
    env.add_filter("date", move |state: &State, value: Value| -> String {
        match parse_time(&value) {
            Some(at) => for_date.date_time(language_of(state), at),
            None => String::new(),
        }
    });
}

thread_local! {
    // The language of the view this thread is rendering (`Theme::render`).
    static RENDERING: std::cell::Cell<Option<UiLanguage>> = const { std::cell::Cell::new(None) };
}

// The language a view is rendered in: its `lang` (in macros, that of the view being rendered), else English.
fn language_of(state: &minijinja::State) -> UiLanguage {
    state
        .lookup("lang")
        .and_then(|it| it.as_str().and_then(UiLanguage::parse))
        .or_else(|| RENDERING.get())
        .unwrap_or_default()
}

// An RFC 3339 time, or Unix seconds.
fn parse_time(value: &minijinja::Value) -> Option<chrono::DateTime<chrono::Utc>> {
    if let Some(seconds) = value.as_i64() {
        return chrono::DateTime::from_timestamp(seconds, 0);
    }
    chrono::DateTime::parse_from_rfc3339(value.as_str()?).ok().map(|it| it.to_utc())
}

fn escape_html(text: &str) -> String {
    let mut res = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '<' => res.push_str("&lt;"),
            '>' => res.push_str("&gt;"),
            '&' => res.push_str("&amp;"),
            '"' => res.push_str("&quot;"),
            '\'' => res.push_str("&#x27;"),
            _ => res.push(ch),
        }
    }
    res
}

// The first 16 hex digits of the SHA-256 of a file.
fn fingerprint_of(content: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(content).iter().take(8).map(|it| format!("{it:02x}")).collect()
}

// minijinja's HTML escaping also escapes `/`, which turns every URL into `&#x2f;-&#x2f;edit`: valid, but
// unreadable in page source and for scripts. Quotes, `<`, `>` and `&` are all HTML needs escaped.
fn escape_without_slashes(
    out: &mut minijinja::Output,
    state: &mut minijinja::State,
    value: &minijinja::Value,
) -> std::result::Result<(), minijinja::Error> {
    let html = matches!(state.auto_escape(), minijinja::AutoEscape::Html);
    match value.as_str() {
        Some(text) if html && !value.is_safe() => {
            let mut start = 0;
            for (i, byte) in text.bytes().enumerate() {
                let entity = match byte {
                    b'<' => "&lt;",
                    b'>' => "&gt;",
                    b'&' => "&amp;",
                    b'"' => "&quot;",
                    b'\'' => "&#x27;",
                    _ => continue,
                };
                out.write_str(&text[start..i]).map_err(minijinja::Error::from)?;
                out.write_str(entity).map_err(minijinja::Error::from)?;
                start = i + 1;
            }
            out.write_str(&text[start..]).map_err(minijinja::Error::from)
        }
        _ => minijinja::escape_formatter(out, state, value),
    }
}

// Template and static names come from URLs and templates: one plain segment each, never `..`.
fn is_plain_file_name(name: &str) -> bool {
    !name.is_empty() && !name.starts_with('.') && !name.contains(['/', '\\', '\0'])
}

fn template_error(err: minijinja::Error) -> Error {
    let mut message = err.to_string();
    let mut source = std::error::Error::source(&err);
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    Error::Template(message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct View {
        lang: &'static str,
        url: &'static str,
        title: &'static str,
    }

    #[track_caller]
    fn check(template: &str, expected: &str) {
        let mut env = Theme::load(None).expect("the default theme loads").env;
        env.add_template_owned("probe.html", template.to_string()).unwrap();
        let view = View { lang: "de", url: "/a?b&c", title: "<T>" };
        assert_eq!(env.get_template("probe.html").unwrap().render(minijinja::value::Serde(&view)).unwrap(), expected);
    }

    #[test]
    fn messages_escape_text_arguments_and_keep_html_built_with_element() {
        check(r#"{{ t("history-title", title=title) }}"#, "Verlauf von &lt;T&gt;");
        check(
            r#"{{ t("history-title", title=element("a", title, href=url)) }}"#,
            r#"Verlauf von <a href="/a?b&amp;c">&lt;T&gt;</a>"#,
        );
        check(
            r#"{{ element("a", element("code", title), href=url, data_x=true) }}"#,
            r#"<a data-x href="/a?b&amp;c"><code>&lt;T&gt;</code></a>"#,
        );
    }
}
