//! A browser without JavaScript for the integration tests ([`Browser`]): it keeps cookies (and forgets those
//! the server expires), sends its own `Origin` with every request that is no GET as browsers do, and submits
//! forms as `application/x-www-form-urlencoded`. Also what it reads and writes: HTML forms ([`Form`]),
//! `Set-Cookie` headers ([`SetCookie`]), form and multipart bodies.

use std::collections::BTreeMap;

use super::{Author, Element, Reply, TestWiki, elements, query_value, retry_until, unescape};

/// The cookie holding the CSRF token (double submit: forms echo it in the `csrf_token` field).
pub const CSRF_COOKIE: &str = "lore_csrf";

/// The boundary of every multipart body the tests build.
pub const BOUNDARY: &str = "----lore-test-boundary-7MA4YWxkTrZu0gW";

/// A browser without JavaScript, talking to one wiki through [`TestWiki::send`].
pub struct Browser<'a> {
    wiki: &'a TestWiki,
    /// The page fetched for a CSRF token when the browser has none yet (each test file has one that sets it).
    csrf_page: &'static str,
    cookies: BTreeMap<String, String>,
}

impl<'a> Browser<'a> {
    /// A browser without cookies that gets its CSRF token from `csrf_page` (a page that sets the cookie).
    pub fn new(wiki: &'a TestWiki, csrf_page: &'static str) -> Browser<'a> {
        Browser { wiki, csrf_page, cookies: BTreeMap::new() }
    }

    /// A cookie's value, if the browser holds it.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.cookies.get(name).cloned()
    }

    /// Stores a cookie as if the server had set it.
    pub fn insert_cookie(&mut self, name: &str, value: &str) {
        self.cookies.insert(name.to_string(), value.to_string());
    }

    /// Sets the cookie the editor sets after a save, as if this person had saved before.
    pub fn remember_author(&mut self, author: Author) {
        self.insert_cookie("lore_author", &query_value(&format!("{}\n{}", author.name, author.email)));
    }

    /// The browser's CSRF token, fetching its CSRF page when it has none yet.
    pub async fn csrf_token(&mut self) -> String {
        if !self.cookies.contains_key(CSRF_COOKIE) {
            let page = self.csrf_page;
            let reply = self.get(page).await;
            assert_eq!(reply.status, 200, "GET {page}: {}", reply.text());
        }
        self.cookie(CSRF_COOKIE).unwrap_or_else(|| panic!("GET {} sets the {CSRF_COOKIE} cookie", self.csrf_page))
    }

    /// `GET path`.
    pub async fn get(&mut self, path: &str) -> Reply {
        self.request("GET", path, &[], Vec::new()).await
    }

    /// `GET path`, again and again until `done` holds for the answer or [`super::PATIENCE`] has passed.
    pub async fn get_until(&mut self, path: &str, done: impl Fn(&Reply) -> bool) -> Reply {
        retry_until(async || self.get(path).await, done).await
    }

    /// Submits `form` (its fields to its action), as a click on its button would.
    pub async fn submit(&mut self, form: &Form) -> Reply {
        self.post_form_owned(&form.action, &form.fields).await
    }

    /// Posts a form from this browser's own origin.
    pub async fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> Reply {
        self.request("POST", path, &[FORM_CONTENT_TYPE], url_encode(fields).into_bytes()).await
    }

    /// Posts a form of owned fields (as [`Form`] holds them) from this browser's own origin.
    pub async fn post_form_owned(&mut self, path: &str, fields: &[(String, String)]) -> Reply {
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        self.post_form(path, &fields).await
    }

    /// Posts a form with `headers` instead of the browser's own `Origin` (another site's, or none at all).
    pub async fn post_form_from(&mut self, path: &str, fields: &[(&str, &str)], headers: &[(&str, &str)]) -> Reply {
        let mut all = vec![FORM_CONTENT_TYPE];
        all.extend_from_slice(headers);
        self.request_from("POST", path, &all, url_encode(fields).into_bytes()).await
    }

    /// [`Browser::post_form_from`] with owned fields.
    pub async fn post_form_owned_from(
        &mut self,
        path: &str,
        fields: &[(String, String)],
        headers: &[(&str, &str)],
    ) -> Reply {
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        self.post_form_from(path, &fields, headers).await
    }

    /// Posts a `multipart/form-data` body (built with [`multipart_body`]) from this browser's own origin.
    pub async fn post_multipart(&mut self, path: &str, body: Vec<u8>) -> Reply {
        let content_type = multipart_content_type();
        self.request("POST", path, &[("Content-Type", &content_type)], body).await
    }

    /// Posts a multipart body with `headers` instead of the browser's own `Origin`.
    pub async fn post_multipart_from(&mut self, path: &str, body: Vec<u8>, headers: &[(&str, &str)]) -> Reply {
        let content_type = multipart_content_type();
        let mut all = vec![("Content-Type", content_type.as_str())];
        all.extend_from_slice(headers);
        self.request_from("POST", path, &all, body).await
    }

    /// A request with any method, `headers` and body, sending the browser's cookies and, unless it is a GET,
    /// the browser's own `Origin`; keeps the cookies the answer sets.
    pub async fn request(&mut self, method: &str, path: &str, headers: &[(&str, &str)], body: Vec<u8>) -> Reply {
        let origin = self.wiki.base_url.clone();
        let mut all = headers.to_vec();
        if method != "GET" {
            all.push(("Origin", &origin));
        }
        self.request_from(method, path, &all, body).await
    }

    /// A request with exactly `headers` (no `Origin` unless they hold one) and the browser's cookies; keeps
    /// the cookies the answer sets.
    pub async fn request_from(&mut self, method: &str, path: &str, headers: &[(&str, &str)], body: Vec<u8>) -> Reply {
        let cookie = self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
        let mut all = headers.to_vec();
        if !cookie.is_empty() {
            all.push(("Cookie", &cookie));
        }
        let reply = self.wiki.send(method, path, &all, body).await;
        self.keep_cookies(&reply);
        reply
    }

    fn keep_cookies(&mut self, reply: &Reply) {
        for cookie in set_cookies(reply) {
            if cookie.is_expired() {
                self.cookies.remove(&cookie.name);
            } else {
                self.cookies.insert(cookie.name, cookie.value);
            }
        }
    }
}

const FORM_CONTENT_TYPE: (&str, &str) = ("Content-Type", "application/x-www-form-urlencoded");

fn multipart_content_type() -> String {
    format!("multipart/form-data; boundary={BOUNDARY}")
}

/// An HTML form as a browser would submit it: its method, action and successful fields in document order.
#[derive(Debug, Clone)]
pub struct Form {
    /// The `method` attribute in lowercase.
    pub method: String,
    pub action: String,
    pub fields: Vec<(String, String)>,
}

impl Form {
    /// The form with the id `id` in `html`; panics with the forms found when there is none.
    #[track_caller]
    pub fn with_id(html: &str, id: &str) -> Form {
        Form::find_where(html, id, |it| it.attr("id") == id)
    }

    /// The form posting to `action` in `html`; panics with the forms found when there is none.
    #[track_caller]
    pub fn with_action(html: &str, action: &str) -> Form {
        Form::find_where(html, action, |it| it.attr("action") == action)
    }

    /// The first form in `html` for which `matches` holds; `what` names it when there is none.
    #[track_caller]
    pub fn find_where(html: &str, what: &str, matches: impl Fn(&Element) -> bool) -> Form {
        let forms = elements(html, "form");
        let Some(form) = forms.iter().find(|it| matches(it)) else {
            let found: Vec<String> =
                forms.iter().map(|it| format!("#{} -> {}", it.attr("id"), it.attr("action"))).collect();
            panic!("no form {what:?}; forms: {found:?}\n{html}");
        };
        // Inputs and textareas in document order; both are what a form without JavaScript submits.
        let mut controls: Vec<(usize, String, String)> = Vec::new();
        for input in elements(&form.inner_html, "input") {
            let kind = input.attr("type").to_ascii_lowercase();
            let name = input.attr("name");
            if name.is_empty() || matches!(kind.as_str(), "submit" | "button" | "file" | "reset") {
                continue;
            }
            if matches!(kind.as_str(), "radio" | "checkbox") && !input.attrs.contains_key("checked") {
                continue;
            }
            let at = form.inner_html.find(&format!("name=\"{name}\"")).unwrap_or(0);
            controls.push((at, name, input.attr("value")));
        }
        for textarea in elements(&form.inner_html, "textarea") {
            // The HTML parser drops one newline right after `<textarea>`.
            let raw = unescape(&textarea.inner_html);
            let value = raw.strip_prefix('\n').unwrap_or(&raw).to_string();
            let name = textarea.attr("name");
            let at = form.inner_html.find(&format!("name=\"{name}\"")).unwrap_or(0);
            controls.push((at, name, value));
        }
        controls.sort_by_key(|it| it.0);
        let fields = controls.into_iter().map(|(_, name, value)| (name, value)).collect();
        Form { method: form.attr("method").to_ascii_lowercase(), action: form.attr("action"), fields }
    }

    /// A field's value, or `""` when the form has no such field.
    pub fn value(&self, name: &str) -> String {
        self.fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default()
    }

    /// Sets the field `name` to `value`, adding it when the form has none.
    pub fn set(&mut self, name: &str, value: &str) {
        match self.fields.iter_mut().find(|(k, _)| k == name) {
            Some(field) => field.1 = value.to_string(),
            None => self.fields.push((name.to_string(), value.to_string())),
        }
    }

    /// Removes every field `name`.
    pub fn remove(&mut self, name: &str) {
        self.fields.retain(|(k, _)| k != name);
    }
}

/// One `Set-Cookie` header.
#[derive(Debug)]
pub struct SetCookie {
    pub name: String,
    pub value: String,
    /// Attribute names in lowercase, with their values (`""` for flags such as `HttpOnly`).
    pub attributes: Vec<(String, String)>,
}

impl SetCookie {
    /// Reads one `Set-Cookie` header value.
    pub fn parse(header: &str) -> SetCookie {
        let mut parts = header.split(';');
        let (name, value) = parts.next().unwrap_or_default().split_once('=').unwrap_or((header, ""));
        let attributes = parts
            .map(|it| {
                let (key, value) = it.split_once('=').unwrap_or((it, ""));
                (key.trim().to_ascii_lowercase(), value.trim().to_string())
            })
            .collect();
        SetCookie { name: name.trim().to_string(), value: value.trim().to_string(), attributes }
    }

    /// The value of the attribute `name` (lowercase).
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes.iter().find(|(key, _)| key == name).map(|(_, value)| value.as_str())
    }

    /// Whether the cookie has the attribute `name` (lowercase).
    pub fn has(&self, name: &str) -> bool {
        self.attribute(name).is_some()
    }

    /// Whether the header removes the cookie (an empty value or `Max-Age=0`), as Lore's logout does.
    pub fn is_expired(&self) -> bool {
        self.value.is_empty() || self.attribute("max-age").is_some_and(|it| it.trim() == "0")
    }
}

/// Every cookie `reply` sets, in order.
pub fn set_cookies(reply: &Reply) -> Vec<SetCookie> {
    reply
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|it| SetCookie::parse(&String::from_utf8_lossy(it.as_bytes())))
        .collect()
}

/// The cookie `name` set by `reply`, if any.
pub fn set_cookie(reply: &Reply, name: &str) -> Option<SetCookie> {
    set_cookies(reply).into_iter().find(|it| it.name == name)
}

/// An `application/x-www-form-urlencoded` body.
pub fn url_encode(fields: &[(&str, &str)]) -> String {
    fields.iter().map(|(k, v)| format!("{}={}", query_value(k), query_value(v))).collect::<Vec<_>>().join("&")
}

/// A `multipart/form-data` body of (name, file name, content) parts, separated by [`BOUNDARY`].
pub fn multipart_body(parts: &[(&str, Option<&str>, &[u8])]) -> Vec<u8> {
    let mut res = Vec::new();
    for (name, file_name, content) in parts {
        res.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        let disposition = match file_name {
            Some(file_name) => format!(
                "Content-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\n\
                 Content-Type: application/octet-stream\r\n\r\n"
            ),
            None => format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n"),
        };
        res.extend_from_slice(disposition.as_bytes());
        res.extend_from_slice(content);
        res.extend_from_slice(b"\r\n");
    }
    res.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    res
}
