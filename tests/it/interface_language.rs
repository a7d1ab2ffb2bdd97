//! The translated interface: every word of the default theme's templates and scripts comes from its message
//! files (checked by reading the sources), and the server speaks the language a person chose, else their
//! browser's, else the site's, without ever serving one language's cached page to a reader of another.

use std::path::{Path, PathBuf};

use lore::i18n::{Messages, UiLanguage};

// ---------------------------------------------------------------------------------------------------------
// The sources: no English outside the message files, and every message they use exists.

/// Words that are the same in every language: names and symbols.
const NOT_WORDS: &[&str] =
    &["Lore", "RSS", "Atom", "Markdown", "git", "YAML", "API", "MB", "UTC", "Ctrl", "Shift", "Esc"];

/// The attributes whose values people read (or hear).
const READ_ATTRIBUTES: &[&str] = &["title", "alt", "placeholder", "aria-label", "label", "value", "content"];

#[test]
fn templates_show_no_words_outside_the_message_files() {
    let mut problems = Vec::new();
    for file in files_in(&theme().join("templates"), "html") {
        let source = std::fs::read_to_string(&file).expect("a template");
        for (line, text) in visible_text(&source).into_iter().filter(|(_, text)| is_word(text)) {
            problems.push(format!("{}:{line}: {text:?}", file.display()));
        }
    }
    assert!(problems.is_empty(), "user-visible words outside the message files:\n{}", problems.join("\n"));
}

#[test]
fn every_message_the_theme_uses_exists_in_every_language() {
    let messages = Messages::load(None).expect("the default theme's messages load");
    let mut problems = Vec::new();
    let mut sources = files_in(&theme().join("templates"), "html");
    sources.extend(files_in(&theme().join("static"), "js"));
    for file in sources {
        let source = std::fs::read_to_string(&file).expect("a source file");
        for (line, id) in message_ids_used(&source) {
            if !messages.has(&id) {
                problems.push(format!("{}:{line}: no message {id:?}", file.display()));
            }
        }
    }
    assert!(problems.is_empty(), "messages used but missing:\n{}", problems.join("\n"));
    // `Messages::load` refuses locales whose messages differ from English's; say so here too, by language.
    for language in UiLanguage::ALL {
        for id in messages.ids() {
            assert!(messages.format(language, id, &[]).is_some(), "{}: {id}", language.code());
        }
    }
}

/// The Rust sources whose strings reach pages, e-mails, chat posts or feeds.
const PROSE_SOURCES: &[&str] = &["src/web", "src/delivery/compose.rs", "src/site/people.rs", "src/site/reader.rs"];

/// Files that answer programs only: git's protocol, the cluster's, the JSON API, the replica's proxy, path
/// parsing errors.
const MACHINE_FILES: &[&str] = &[
    "src/web/git.rs",
    "src/web/cluster.rs",
    "src/web/api.rs",
    "src/web/forward.rs",
    "src/web/paths.rs",
    // The one mapping of errors to statuses: the messages of the domain and of the API; a 500 page (an
    // internal error) shows only its own translated words.
    "src/web/error.rs",
];

/// Single strings that stay English, each with its reason.
const ALLOWED: &[(&str, &str)] = &[
    // Refused before any handler, in a middleware that knows no reader; the JSON API says the same.
    ("src/web/mod.rs", "cross-site requests are not allowed"),
    // A 500, whose page shows only its own translated words.
    ("src/web/mod.rs", "the answer could not be read"),
    // What the JSON API gives for a withheld commit message; pages say `history-message-hidden`.
    ("src/site/reader.rs", "(This commit also changed pages you cannot read; its message is not shown.)"),
];

/// Lines that build what stays English on purpose (docs/TRANSLATING.md): errors (the domain's words and the
/// API's), logs; and frames whose title every template replaces with a message.
const STAYS_ENGLISH: &[&str] = &["Error::", "tracing::", ".expect(", "panic!(", "ApiError", "Frame::new("];

#[test]
fn rust_builds_no_english_sentences_for_pages_mail_or_feeds() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for source in PROSE_SOURCES {
        let path = root.join(source);
        if path.is_dir() { files.extend(files_in(&path, "rs")) } else { files.push(path) }
    }
    let mut problems = Vec::new();
    for file in files {
        let relative = file.strip_prefix(&root).expect("under the crate").to_string_lossy().replace('\\', "/");
        if MACHINE_FILES.contains(&relative.as_str()) {
            continue;
        }
        let source = std::fs::read_to_string(&file).expect("a source file");
        // An error's message may continue on the lines after its `Error::…(`; a statement ends with `;`.
        let mut in_error = false;
        for (number, line) in source.lines().enumerate() {
            if line.trim_start().starts_with("#[cfg(test)]") {
                break;
            }
            if line.trim_start().starts_with("//") {
                continue;
            }
            if STAYS_ENGLISH.iter().any(|it| line.contains(it)) {
                in_error = !line.trim_end().ends_with(';') && !line.trim_end().ends_with(',');
                continue;
            }
            if in_error {
                in_error = !line.trim_end().ends_with(';');
                continue;
            }
            let allowed = |literal: &String| ALLOWED.contains(&(relative.as_str(), literal.as_str()));
            for literal in string_literals(line).into_iter().filter(|it| is_sentence(it) && !allowed(it)) {
                problems.push(format!("{relative}:{}: {literal:?}", number + 1));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "English sentences built in Rust (put them in the message files and say them with the reader's \
         Translator):\n{}",
        problems.join("\n")
    );
}

// The contents of the string literals on a line (escapes left as written).
fn string_literals(line: &str) -> Vec<String> {
    let mut res = Vec::new();
    let mut chars = line.chars().peekable();
    let mut before = ' ';
    while let Some(ch) = chars.next() {
        // A char literal such as '"' holds no string.
        if ch == '"' && before != '\'' {
            let mut literal = String::new();
            while let Some(next) = chars.next() {
                match next {
                    '\\' => {
                        literal.push(next);
                        literal.extend(chars.next());
                    }
                    '"' => break,
                    other => literal.push(other),
                }
            }
            res.push(literal);
        }
        before = ch;
    }
    res
}

// Whether a literal reads as English prose: three lowercase words in a row, leaving out `{…}` placeholders.
fn is_sentence(literal: &str) -> bool {
    let mut run = 0;
    for word in literal.split_whitespace() {
        let word = word.trim_end_matches([',', ';', '.', ':']);
        let is_word = word.len() > 1 && word.chars().all(|it| it.is_ascii_lowercase()) || word == "a";
        run = if is_word { run + 1 } else { 0 };
        if run >= 3 {
            return true;
        }
    }
    false
}

#[test]
fn the_source_scanner_finds_text_and_read_attributes_but_not_template_code() {
    let found = visible_text(
        "<p title=\"{{ t('a') }}\">{{ t(\"b\") }} Hello</p>\n{# a comment #}{% if x %}<img alt=\"Cat\">{% endif %}\n\
         <code>git push</code><input type=\"submit\" value=\"Go\" class=\"Word\"><button value=\"x\">→</button>",
    );
    assert_eq!(
        found,
        vec![(1, "Hello".to_string()), (2, "Cat".to_string()), (3, "Go".to_string()), (3, "→".to_string())]
    );
    assert_eq!(
        string_literals(r#"let a = format!("{n} broken links", '"'); x("b\"c")"#),
        vec!["{n} broken links".to_string(), "b\\\"c".to_string()]
    );
    assert!(is_sentence("you follow the page {target}") && is_sentence("{} pages have no owner"));
    assert!(!is_sentence("text/html; charset=utf-8") && !is_sentence("/-/review?reason=unowned"));
    assert_eq!(
        message_ids_used("{{ t(\"nav-home\") }} t('js-saved')"),
        vec![(1, "nav-home".into()), (1, "js-saved".into())]
    );
}

fn theme() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("themes/default")
}

fn files_in(folder: &Path, extension: &str) -> Vec<PathBuf> {
    let mut res: Vec<PathBuf> = std::fs::read_dir(folder)
        .expect("a theme folder")
        .map(|it| it.expect("an entry").path())
        .filter(|it| it.extension().is_some_and(|ext| ext == extension))
        .collect();
    res.sort();
    res
}

// Whether text holds a word people read: a letter, unless it is one of the words every language shares or a
// single letter (a key, as in Ctrl+K).
fn is_word(text: &str) -> bool {
    // Character references (`&lt;`) are symbols, not words.
    let text: String = text
        .split('&')
        .enumerate()
        .map(|(i, it)| if i > 0 && it.contains(';') { it.split_once(';').map_or(it, |(_, rest)| rest) } else { it })
        .collect::<Vec<_>>()
        .join(" ");
    text.split(|ch: char| !ch.is_alphanumeric())
        .filter(|it| it.chars().count() > 1)
        .any(|word| word.chars().any(char::is_alphabetic) && !NOT_WORDS.contains(&word))
}

// The text nodes and read attribute values of a template, with their line numbers, after removing template
// code (`{{ }}`, `{% %}`, `{# #}`), HTML comments and the contents of `code`, `kbd`, `pre`, `script` and
// `style` (code, keys and data, not prose).
fn visible_text(source: &str) -> Vec<(usize, String)> {
    let mut plain = String::with_capacity(source.len());
    let mut rest = source;
    while !rest.is_empty() {
        let next = ["{{", "{%", "{#", "<!--"].iter().filter_map(|open| rest.find(open).map(|at| (at, *open))).min();
        let Some((at, open)) = next else {
            plain.push_str(rest);
            break;
        };
        plain.push_str(&rest[..at]);
        let close = match open {
            "{{" => "}}",
            "{%" => "%}",
            "{#" => "#}",
            _ => "-->",
        };
        let end = rest[at..].find(close).map_or(rest.len(), |it| at + it + close.len());
        // Keep the lines, so numbers stay right; the code stands as a space between words.
        plain.push(' ');
        plain.extend(rest[at..end].chars().filter(|it| *it == '\n'));
        rest = &rest[end..];
    }
    let mut res = Vec::new();
    let mut skipping: Option<String> = None;
    let mut at = 0;
    let line_of = |offset: usize| plain[..offset].matches('\n').count() + 1;
    while at < plain.len() {
        let tag_start = plain[at..].find('<').map_or(plain.len(), |it| at + it);
        if skipping.is_none() {
            let text = plain[at..tag_start].trim();
            if !text.is_empty() {
                let leading = plain[at..tag_start].len() - plain[at..tag_start].trim_start().len();
                res.push((line_of(at + leading), collapse(text)));
            }
        }
        if tag_start >= plain.len() {
            break;
        }
        let tag_end = plain[tag_start..].find('>').map_or(plain.len(), |it| tag_start + it + 1);
        let tag = &plain[tag_start..tag_end];
        let name: String = tag
            .trim_start_matches('<')
            .chars()
            .take_while(|it| it.is_ascii_alphanumeric() || *it == '/')
            .collect::<String>()
            .to_ascii_lowercase();
        match &skipping {
            Some(skipped) if name == format!("/{skipped}") => skipping = None,
            Some(_) => {}
            None if ["code", "kbd", "pre", "script", "style"].contains(&name.as_str()) => skipping = Some(name.clone()),
            None => {
                for (attribute, value) in attributes(tag) {
                    let read = READ_ATTRIBUTES.contains(&attribute.as_str())
                        && (attribute != "value" || (name == "input" && is_button_input(tag)))
                        && (attribute != "content" || tag.contains("name=\"description\""));
                    if read && !value.trim().is_empty() {
                        res.push((line_of(tag_start), collapse(value.trim())));
                    }
                }
            }
        }
        at = tag_end;
    }
    res
}

// An `<input>` that shows its value as its label.
fn is_button_input(tag: &str) -> bool {
    ["submit", "button", "reset"].iter().any(|it| tag.contains(&format!("type=\"{it}\"")))
}

// The `name="value"` pairs of a tag.
fn attributes(tag: &str) -> Vec<(String, String)> {
    let mut res = Vec::new();
    let mut rest = tag;
    while let Some(eq) = rest.find("=\"") {
        let name = rest[..eq].rsplit(|ch: char| ch.is_whitespace()).next().unwrap_or_default().to_ascii_lowercase();
        let value_start = eq + 2;
        let value_end = rest[value_start..].find('"').map_or(rest.len(), |it| value_start + it);
        res.push((name, rest[value_start..value_end].to_string()));
        rest = &rest[(value_end + 1).min(rest.len())..];
    }
    res
}

fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

// The message ids a source names: `t("id"` or `t('id'`, with their line numbers.
fn message_ids_used(source: &str) -> Vec<(usize, String)> {
    let mut res = Vec::new();
    for (number, line) in source.lines().enumerate() {
        let mut rest = line;
        while let Some(at) = rest.find("t(") {
            let before = rest[..at].chars().next_back();
            let after = &rest[at + 2..];
            rest = after;
            if before.is_some_and(|it| it.is_alphanumeric() || it == '_' || it == '.') {
                continue;
            }
            let Some(quote) = after.chars().next().filter(|it| *it == '"' || *it == '\'') else { continue };
            let Some(end) = after[1..].find(quote) else { continue };
            res.push((number + 1, after[1..1 + end].to_string()));
        }
    }
    res
}

// ---------------------------------------------------------------------------------------------------------
// The server: which language a person gets.

use crate::accounts::{EDDIE, Visitor, serve_local, small_fixture};
use crate::common::browser::Browser;
use crate::common::*;

async fn get_in(wiki: &TestWiki, path: &str, accept_language: &str) -> Reply {
    wiki.send("GET", path, &[("Accept-Language", accept_language)], Vec::new()).await
}

fn html_lang(reply: &Reply) -> String {
    elements(&reply.text(), "html").first().map(|it| it.attr("lang")).unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accept_language_picks_the_interface_language() {
    let wiki = TestWiki::with_files(&[("index.md", "# Home\n\nWelcome.\n")]).await;
    for (accept, lang, all_pages) in [
        ("de-AT,de;q=0.9,en;q=0.5", "de", "Alle Seiten"),
        ("pt", "pt-BR", "Todas as páginas"),
        ("zh-Hans-CN", "zh-CN", "所有页面"),
        ("fr, ja;q=0.8, en;q=0.5", "ja", "すべてのページ"),
        ("fr, it", "en", "All pages"),
    ] {
        let reply = get_in(&wiki, "/", accept).await;
        assert_eq!(reply.status, 200, "{accept}");
        assert_eq!(html_lang(&reply), lang, "{accept}: <html lang>");
        assert!(reply.text().contains(all_pages), "{accept}: no {all_pages:?} in the header");
        let vary = reply.header("vary").unwrap_or_default().to_ascii_lowercase();
        assert!(vary.contains("accept-language"), "{accept}: Vary {vary:?}");
        // The scripts' messages come in the same language, from a file (no inline script).
        let script = format!("/-/static/lore-messages-{lang}.js");
        assert!(reply.text().contains(&script), "{accept}: no {script}");
    }
    let script = wiki.get("/-/static/lore-messages-de.js").await;
    assert_eq!(script.status, 200);
    assert!(script.text().contains("\"js-copy\":\"Kopieren\""), "{}", script.text());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_cache_never_serves_one_languages_page_to_a_reader_of_another() {
    let wiki = TestWiki::with_files(&[("index.md", "# Home\n\nWelcome.\n"), ("guide.md", "# Guide\n\nText.\n")]).await;
    // Twice in German, so the second is a cache hit; then English, Japanese, and German again.
    let first = get_in(&wiki, "/guide", "de").await;
    let german = get_in(&wiki, "/guide", "de").await;
    let english = get_in(&wiki, "/guide", "en").await;
    let japanese = get_in(&wiki, "/guide", "ja").await;
    let german_again = get_in(&wiki, "/guide", "de").await;
    assert_eq!(first.text(), german.text(), "the same page twice in German");
    for (reply, edit) in
        [(&german, "Bearbeiten"), (&english, "Edit"), (&japanese, "編集"), (&german_again, "Bearbeiten")]
    {
        assert_eq!(reply.status, 200);
        assert!(text_of(&reply.text()).contains(edit), "no {edit:?} in {}", text_of(&reply.text()));
    }
    assert!(!text_of(&english.text()).contains("Bearbeiten"), "German in the English page");
    assert_eq!(html_lang(&english), "en");
    let etag = |reply: &Reply| reply.header("etag").expect("page views carry an ETag");
    assert_ne!(etag(&german), etag(&english), "one ETag for two languages");
    assert_ne!(etag(&german), etag(&japanese));
    // A browser that kept the German copy asks again in English: it gets the English page, not a 304.
    let revalidated =
        wiki.send("GET", "/guide", &[("Accept-Language", "en"), ("If-None-Match", &etag(&german))], Vec::new()).await;
    assert_eq!(revalidated.status, 200);
    assert_eq!(html_lang(&revalidated), "en");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn site_language_is_the_default_for_readers_whose_browser_names_none_we_ship() {
    let fixture = Fixture::with_files(&[("index.md", "# Startseite\n\nWillkommen.\n")]);
    let wiki = fixture.serve_with(|config| config.language = "de".into()).await;
    let anonymous = wiki.get("/").await;
    assert_eq!(html_lang(&anonymous), "de");
    assert!(anonymous.text().contains("Letzte Änderungen"), "{}", text_of(&anonymous.text()));
    assert_eq!(html_lang(&get_in(&wiki, "/", "fr-CA, fr").await), "de", "a language Lore lacks falls to the site's");
    assert_eq!(html_lang(&get_in(&wiki, "/", "en-GB").await), "en", "the browser's beats the site's");
    // Feed readers rarely say a language: feeds then speak the site's.
    wiki.wait_for_history_index().await;
    let feed = wiki.get("/-/changes.atom").await;
    assert_eq!(feed.status, 200);
    assert!(feed.text().contains("<title>Lore: Letzte \u{c4}nderungen</title>"), "{}", feed.text());
    assert!(feed.text().contains("xml:lang=\"de\""), "{}", feed.text());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn review_reasons_upkeep_diff_notes_and_feeds_speak_the_readers_language() {
    let fixture = Fixture::new();
    fixture.write("index.md", "# Home\n\nSee [the plan](plan.md).\n");
    fixture.write("guide.md", "---\nreview_every: 30d\n---\n# Guide\n\nText.\n");
    fixture.commit_dated(ANN, "Start", "60 days ago");
    fixture.write("media/logo.png", crate::common::PNG_1X1);
    let logo = fixture.commit(BOB, "Add the logo");
    let wiki = fixture.serve().await;
    wiki.wait_for_history_index().await;

    let german = text_of(&get_in(&wiki, "/-/review", "de").await.text());
    let english = text_of(&get_in(&wiki, "/-/review", "en").await.text());
    for expected in
        ["1 defekter Link", "Pr\u{fc}fung f\u{e4}llig seit ", "Keine der 2 Seiten hat eine zust\u{e4}ndige Person"]
    {
        assert!(german.contains(expected), "no {expected:?} in:\n{german}");
    }
    for expected in ["1 broken link", "needs review since ", "None of the 2 pages has an owner"] {
        assert!(english.contains(expected), "no {expected:?} in:\n{english}");
        assert!(!german.contains(expected), "English {expected:?} in the German page");
    }
    let unowned = text_of(&get_in(&wiki, "/-/review?reason=unowned", "de").await.text());
    assert!(unowned.contains("niemand zust\u{e4}ndig"), "{unowned}");

    let commit = get_in(&wiki, &format!("/-/commit/{logo}"), "de").await;
    assert_eq!(commit.status, 200);
    assert!(text_of(&commit.text()).contains("Bin\u{e4}rdatei: kein zeilenweiser Vergleich."), "{}", commit.text());

    let feed = get_in(&wiki, "/-/changes.atom?path=media", "de").await;
    assert_eq!(feed.status, 200, "{}", feed.text());
    let feed = feed.text();
    assert!(feed.contains("<title>Lore: Letzte \u{c4}nderungen in media</title>"), "{feed}");
    assert!(feed.contains("Ge\u{e4}ndert: media/logo.png"), "{feed}");
    let review_feed = get_in(&wiki, "/-/review.atom", "de").await.text();
    assert!(review_feed.contains("<title>Seiten, die gepr\u{fc}ft werden m\u{fc}ssen</title>"), "{review_feed}");
    assert!(review_feed.contains("1 defekter Link"), "{review_feed}");
    let english_feed = get_in(&wiki, "/-/changes.atom", "en").await.text();
    assert!(english_feed.contains("<title>Lore: recent changes</title>"), "{english_feed}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_pages_and_error_pages_speak_german() {
    let wiki = TestWiki::with_files(&[("index.md", "# Home\n")]).await;
    let missing = get_in(&wiki, "/no-such-page", "de").await;
    assert_eq!(missing.status, 404);
    assert!(text_of(&missing.text()).contains("Diese Seite gibt es noch nicht."), "{}", text_of(&missing.text()));
    assert!(text_of(&missing.text()).contains("Diese Seite anlegen"));
    let no_commit = get_in(&wiki, &format!("/-/commit/{}", "0".repeat(40)), "de").await;
    assert_eq!(no_commit.status, 404);
    assert_eq!(html_lang(&no_commit), "de");
    let text = text_of(&no_commit.text());
    assert!(text.contains("Nicht gefunden") && text.contains("Fehler 404"), "{text}");
    assert!(text.contains("Zur Startseite"), "{text}");
    assert!(!text.contains("Go to the home page"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_account_setting_beats_accept_language_and_takes_only_shipped_languages() {
    let local = serve_local(small_fixture(), &[EDDIE], |_| {}).await;
    let wiki = &local.wiki;
    let mut eddie = Browser::logged_in(wiki, EDDIE).await;
    let in_english = |reply: &Reply| html_lang(reply) == "en";
    let home = eddie.request("GET", "/", &[("Accept-Language", "en")], Vec::new()).await;
    assert!(in_english(&home), "before choosing, the browser's language");

    let account = eddie.get("/-/account").await;
    assert!(account.text().contains("id=\"account-language\""), "the account page offers the choice");
    let csrf = eddie.csrf_token().await;
    let saved = eddie.post_form("/-/account/language", &[("language", "de"), ("csrf_token", &csrf)]).await;
    assert_eq!(saved.status, 303, "{}", saved.text());
    let home = eddie.request("GET", "/", &[("Accept-Language", "en")], Vec::new()).await;
    assert_eq!(html_lang(&home), "de", "the account's choice beats Accept-Language");
    assert!(text_of(&home.text()).contains("Abmelden"), "{}", text_of(&home.text()));
    let account = eddie.get("/-/account").await;
    assert!(account.text().contains("<option value=\"de\" lang=\"de\" selected>"), "the choice shows as chosen");

    for refused in ["fr", "de-AT", "xx-<script>"] {
        let reply = eddie.post_form("/-/account/language", &[("language", refused), ("csrf_token", &csrf)]).await;
        assert_eq!(reply.status, 400, "{refused}: {}", reply.text());
    }
    let home = eddie.request("GET", "/", &[("Accept-Language", "en")], Vec::new()).await;
    assert_eq!(html_lang(&home), "de", "a refused choice changed nothing");

    let cleared = eddie.post_form("/-/account/language", &[("language", ""), ("csrf_token", &csrf)]).await;
    assert_eq!(cleared.status, 303);
    let home = eddie.request("GET", "/", &[("Accept-Language", "ja")], Vec::new()).await;
    assert_eq!(html_lang(&home), "ja", "back to the browser's language");
}
