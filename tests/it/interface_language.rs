//! The translated interface: every word of the default theme's templates and scripts comes from its message
//! files (checked by reading the sources), and the server speaks the language a person chose, else their
//! browser's, else the site's, without ever serving one language's cached page to a reader of another.

use std::path::{Path, PathBuf};

use lore::i18n::{Messages, UiLanguage};

// ---------------------------------------------------------------------------------------------------------
// The sources: no English outside the message files, and every message they use exists.

/// Words that are the same in every language: names and symbols.
const NOT_WORDS: &[&str] = &["Lore", "RSS", "Atom", "Markdown", "git", "YAML", "API", "Ctrl", "Shift", "Esc"];

/// The attributes whose values people read (or hear).
const READ_ATTRIBUTES: &[&str] = &["title", "alt", "placeholder", "aria-label", "label", "value", "content"];

#[test]
fn templates_show_no_words_outside_the_message_files() {
    let mut problems = Vec::new();
    for file in files_in(&theme().join("templates"), "html") {
        let source = std::fs::read_to_string(&file).expect("a template");
        for (line, text) in visible_text(&source) {
            if is_word(&text) {
                problems.push(format!("{}:{line}: {text:?}", file.display()));
            }
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

#[test]
fn the_source_scanner_finds_text_and_read_attributes_but_not_template_code() {
    let found = visible_text(
        "<p title=\"{{ t('a') }}\">{{ t(\"b\") }} Hello</p>\n{# a comment #}{% if x %}<img alt=\"Cat\">{% endif %}\n\
         <code>git push</code><button value=\"Go\" class=\"Word\">→</button>",
    );
    assert_eq!(found, vec![(1, "Hello".to_string()), (2, "Cat".to_string()), (3, "Go".to_string()), (3, "→".to_string())]);
    assert_eq!(message_ids_used("{{ t(\"nav-home\") }} t('js-saved')"), vec![(1, "nav-home".into()), (1, "js-saved".into())]);
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
                        && (attribute != "value" || name == "button" || tag.contains("type=\"submit\""))
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
