//! Interface languages: the five languages Lore's own words come in ([`UiLanguage`]), choosing one for a
//! request (the account's setting, else `Accept-Language`, else the site's language), and the theme's message
//! files (Fluent, `locales/<code>/lore.ftl`) that hold every word of the templates, scripts and error pages.
//! The only module that uses `fluent_bundle`. Pure apart from reading a theme's message files at start.

use std::path::Path;

use chrono::{DateTime, Datelike, Timelike, Utc};
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use include_dir::{Dir, include_dir};

use crate::{Error, Result};

static DEFAULT_LOCALES: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/themes/default/locales");

/// The name of each language's message file inside `locales/<code>/`.
pub const MESSAGE_FILE: &str = "lore.ftl";

/// A language Lore's interface is translated into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum UiLanguage {
    #[default]
    En,
    De,
    PtBr,
    ZhCn,
    Ja,
}

impl UiLanguage {
    /// Every shipped language, English (the reference every other must match) first.
    pub const ALL: [UiLanguage; 5] =
        [UiLanguage::En, UiLanguage::De, UiLanguage::PtBr, UiLanguage::ZhCn, UiLanguage::Ja];

    /// The BCP 47 code, as `<html lang>`, the account setting and the locale folder spell it.
    pub fn code(self) -> &'static str {
        match self {
            UiLanguage::En => "en",
            UiLanguage::De => "de",
            UiLanguage::PtBr => "pt-BR",
            UiLanguage::ZhCn => "zh-CN",
            UiLanguage::Ja => "ja",
        }
    }

    /// The language's name in itself, for the account page's choice.
    pub fn native_name(self) -> &'static str {
        match self {
            UiLanguage::En => "English",
            UiLanguage::De => "Deutsch",
            UiLanguage::PtBr => "Português (Brasil)",
            UiLanguage::ZhCn => "简体中文",
            UiLanguage::Ja => "日本語",
        }
    }

    /// One of the five codes exactly (letter case aside), as a setting names it; nothing else.
    pub fn parse(raw: &str) -> Option<UiLanguage> {
        UiLanguage::ALL.into_iter().find(|it| it.code().eq_ignore_ascii_case(raw.trim()))
    }

    /// The shipped language that serves a reader of language tag `tag`: `de-AT` → German, `pt` → Brazilian
    /// Portuguese, `zh`, `zh-Hans` and `zh-CN` → Simplified Chinese (not `zh-TW` or `zh-Hant`).
    pub fn nearest(tag: &str) -> Option<UiLanguage> {
        let tag = tag.trim().replace('_', "-").to_ascii_lowercase();
        let mut subtags = tag.split('-');
        match subtags.next()? {
            "en" => Some(UiLanguage::En),
            "de" => Some(UiLanguage::De),
            "pt" => Some(UiLanguage::PtBr),
            "ja" => Some(UiLanguage::Ja),
            "zh" => subtags.all(|it| !matches!(it, "hant" | "tw" | "hk" | "mo")).then_some(UiLanguage::ZhCn),
            _ => None,
        }
    }

    /// The best shipped language for an `Accept-Language` header: by quality value, then order; `None` when
    /// it names none of them.
    pub fn negotiate(accept_language: &str) -> Option<UiLanguage> {
        let mut best: Option<(u16, UiLanguage)> = None;
        // Headers are short; a long one is read only as far as its first 32 entries.
        for entry in accept_language.split(',').take(32) {
            let mut parts = entry.split(';');
            let tag = parts.next().unwrap_or_default().trim();
            let quality = parts
                .filter_map(|it| it.trim().strip_prefix("q="))
                .next()
                .map_or(Some(1000), parse_quality)
                .unwrap_or(0);
            if quality == 0 {
                continue;
            }
            if let Some(language) = UiLanguage::nearest(tag)
                && best.is_none_or(|(it, _)| quality > it)
            {
                best = Some((quality, language));
            }
        }
        best.map(|(_, it)| it)
    }

    fn index(self) -> usize {
        UiLanguage::ALL.iter().position(|it| *it == self).expect("every language is in ALL")
    }
}

// A quality value in thousandths: "0.8" → 800; `None` when malformed.
fn parse_quality(raw: &str) -> Option<u16> {
    let value: f32 = raw.trim().parse().ok()?;
    (0.0..=1.0).contains(&value).then(|| (value * 1000.0).round() as u16)
}

/// A value given to a message: a number (which selects plural forms) or text.
#[derive(Debug, Clone)]
pub enum Arg {
    Number(f64),
    Text(String),
}

/// The message files of every shipped language, parsed and checked: each has exactly the messages of English.
/// English is kept from the start; another language is parsed again on its first use, from the texts checked
/// at the start (a parsed language holds about 0.4 MiB, and most servers speak one or two of the five).
pub struct Messages {
    bundles: [std::sync::OnceLock<FluentBundle<FluentResource>>; UiLanguage::ALL.len()],
    /// Each language's override file (its name and text), read once at the start.
    overrides: Vec<Option<(String, String)>>,
    ids: Vec<String>,
}

type Bundle = FluentBundle<FluentResource>;

impl Messages {
    /// Loads the default theme's messages, each language's file overridden message by message by
    /// `override_dir/locales/<code>/lore.ftl` when there is one. Fails, naming the file and line, on a syntax
    /// error, and on a language whose messages are not exactly English's.
    pub fn load(override_dir: Option<&Path>) -> Result<Messages> {
        let mut overrides = Vec::new();
        let mut all_ids = Vec::new();
        let bundles: [std::sync::OnceLock<Bundle>; UiLanguage::ALL.len()] = Default::default();
        for language in UiLanguage::ALL {
            let path = override_dir.map(|dir| dir.join("locales").join(language.code()).join(MESSAGE_FILE));
            let over = path.and_then(|path| Some((path.display().to_string(), std::fs::read_to_string(&path).ok()?)));
            let mut ids = Vec::new();
            let bundle = build_bundle(language, over.as_ref(), &mut ids)?;
            if language == UiLanguage::En {
                let _ = bundles[language.index()].set(bundle);
            }
            ids.sort();
            ids.dedup();
            all_ids.push(ids);
            overrides.push(over);
        }
        let english = &all_ids[0];
        for (language, ids) in UiLanguage::ALL.iter().zip(&all_ids).skip(1) {
            let missing: Vec<&str> =
                english.iter().filter(|it| ids.binary_search(it).is_err()).map(String::as_str).collect();
            let extra: Vec<&str> =
                ids.iter().filter(|it| english.binary_search(it).is_err()).map(String::as_str).collect();
            if !missing.is_empty() || !extra.is_empty() {
                return Err(Error::bad_input(format!(
                    "locales/{}/{MESSAGE_FILE} must have exactly the messages of locales/en: missing {missing:?}, \
                     not in English {extra:?}",
                    language.code()
                )));
            }
        }
        Ok(Messages { bundles, overrides, ids: all_ids.swap_remove(0) })
    }

    // The messages of `language`, parsed on first use.
    fn bundle(&self, language: UiLanguage) -> &Bundle {
        self.bundles[language.index()].get_or_init(|| {
            build_bundle(language, self.overrides[language.index()].as_ref(), &mut Vec::new()).unwrap_or_else(|err| {
                // The same texts were read without an error at the start.
                tracing::error!(language = language.code(), error = %err, "the messages cannot be read again");
                FluentBundle::new_concurrent(Vec::new())
            })
        })
    }

    /// The ids of every message, sorted (the same in every language).
    pub fn ids(&self) -> &[String] {
        &self.ids
    }

    /// Whether message `id` exists (in every language, since they have the same).
    pub fn has(&self, id: &str) -> bool {
        self.ids.binary_search_by(|it| it.as_str().cmp(id)).is_ok()
    }

    /// Message `id` in `language` with its arguments; `None` when there is no such message.
    pub fn format(&self, language: UiLanguage, id: &str, args: &[(&str, Arg)]) -> Option<String> {
        let bundle = self.bundle(language);
        let pattern = bundle.get_message(id)?.value()?;
        let mut fluent_args = FluentArgs::with_capacity(args.len());
        for (name, value) in args {
            match value {
                Arg::Number(number) => fluent_args.set(*name, FluentValue::from(*number)),
                Arg::Text(text) => fluent_args.set(*name, FluentValue::from(text.as_str())),
            }
        }
        let mut errors = Vec::new();
        let res = bundle.format_pattern(pattern, Some(&fluent_args), &mut errors).into_owned();
        if !errors.is_empty() {
            tracing::warn!(id, language = language.code(), ?errors, "a message was formatted with errors");
        }
        Some(res)
    }

    /// The messages of one language, for code that writes words outside the templates (e-mails, feeds).
    pub fn in_language(&self, language: UiLanguage) -> Translator<'_> {
        Translator { messages: self, language }
    }

    /// Message `id` in `language` without arguments, or the id itself when there is no such message.
    pub fn text(&self, language: UiLanguage, id: &str) -> String {
        self.format(language, id, &[]).unwrap_or_else(|| id.to_string())
    }

    /// The messages scripts use (ids starting `js-`) as a JSON object, safe inside a `<script>` element.
    /// Variables stay as `{$name}`, which the scripts fill in.
    pub fn script_messages(&self, language: UiLanguage) -> String {
        self.script_messages_starting(language, "js-")
    }

    /// The script messages whose ids start with `prefix` (one of `js-…`), as [`Messages::script_messages`].
    pub fn script_messages_starting(&self, language: UiLanguage, prefix: &str) -> String {
        let bundle = self.bundle(language);
        let mut res = serde_json::Map::new();
        for id in self.ids.iter().filter(|it| it.starts_with("js-") && it.starts_with(prefix)) {
            let Some(pattern) = bundle.get_message(id).and_then(|it| it.value()) else { continue };
            // Without arguments Fluent writes each variable as `{$name}`: just the placeholder scripts fill.
            let mut errors = Vec::new();
            let text = bundle.format_pattern(pattern, None, &mut errors).into_owned();
            res.insert(id.clone(), serde_json::Value::String(text));
        }
        serde_json::Value::Object(res).to_string().replace('<', "\\u003c")
    }

    /// "3 days ago" in `language`, for a time `then` seen at `now`; the same ranges as `relative_time_unit`.
    pub fn relative_time(&self, language: UiLanguage, now: DateTime<Utc>, then: DateTime<Utc>) -> String {
        let (id, n) = relative_time_unit((now - then).num_seconds());
        self.format(language, id, &[("n", Arg::Number(n as f64))]).unwrap_or_default()
    }

    /// A date and time (UTC) as `language` writes it: `2024-01-01 10:00 UTC`, `01.01.2024, 10:00 UTC`, ….
    pub fn date_time(&self, language: UiLanguage, at: DateTime<Utc>) -> String {
        let args = [
            ("year", Arg::Text(at.year().to_string())),
            ("month", Arg::Text(at.month().to_string())),
            ("month2", Arg::Text(format!("{:02}", at.month()))),
            ("day", Arg::Text(at.day().to_string())),
            ("day2", Arg::Text(format!("{:02}", at.day()))),
            ("time", Arg::Text(format!("{:02}:{:02}", at.hour(), at.minute()))),
        ];
        self.format(language, "date-time", &args).unwrap_or_else(|| at.format("%Y-%m-%d %H:%M UTC").to_string())
    }
}

/// The messages of one language: how code outside the templates (e-mails, digests, chat posts, feeds, the
/// words handlers build) says things in the reader's language.
#[derive(Clone, Copy)]
pub struct Translator<'a> {
    messages: &'a Messages,
    language: UiLanguage,
}

impl Translator<'_> {
    /// The language this translator speaks.
    pub fn language(&self) -> UiLanguage {
        self.language
    }

    /// Message `id` with its arguments; the id itself when there is no such message (a theme's mistake shows
    /// as the id rather than as nothing).
    pub fn say(&self, id: &str, args: &[(&str, Arg)]) -> String {
        self.messages.format(self.language, id, args).unwrap_or_else(|| id.to_string())
    }
}

impl Arg {
    /// A text argument.
    pub fn text(text: impl Into<String>) -> Arg {
        Arg::Text(text.into())
    }

    /// A count, which selects plural forms.
    pub fn count(n: impl TryInto<i64>) -> Arg {
        Arg::Number(n.try_into().unwrap_or(i64::MAX) as f64)
    }
}

/// The message and count of a relative time `seconds` ago: "just now" under 45 s, then minutes, hours, days,
/// months (30 days) and years (365 days), rounded as people say them.
pub fn relative_time_unit(seconds: i64) -> (&'static str, i64) {
    match seconds {
        ..=44 => ("time-just-now", 0),
        45..=5_399 => ("time-minutes-ago", ((seconds + 30) / 60).max(1)),
        5_400..=86_399 => ("time-hours-ago", (seconds + 1_800) / 3_600),
        86_400..=2_591_999 => ("time-days-ago", seconds / 86_400),
        2_592_000..=31_535_999 => ("time-months-ago", seconds / 2_592_000),
        _ => ("time-years-ago", seconds / 31_536_000),
    }
}

// The messages of `language`: the default theme's file, overridden message by message by `over` (a file's name
// and text), collecting their message ids into `ids`.
fn build_bundle(language: UiLanguage, over: Option<&(String, String)>, ids: &mut Vec<String>) -> Result<Bundle> {
    let mut bundle =
        FluentBundle::new_concurrent(vec![language.code().parse().map_err(|_| Error::bad_input("bad language code"))?]);
    // Fluent would wrap every value in Unicode isolation marks; HTML has `dir` for that.
    bundle.set_use_isolating(false);
    let relative = format!("{}/{MESSAGE_FILE}", language.code());
    let default = DEFAULT_LOCALES
        .get_file(&relative)
        .and_then(|it| it.contents_utf8())
        .ok_or_else(|| Error::bad_input(format!("the default theme has no locales/{relative}")))?;
    let resource = parse(&format!("locales/{relative}"), default, ids)?;
    bundle
        .add_resource(resource)
        .map_err(|errors| Error::bad_input(format!("locales/{relative}: {}", describe(&errors))))?;
    if let Some((name, text)) = over {
        bundle.add_resource_overriding(parse(name, text, ids)?);
    }
    Ok(bundle)
}

// Parses one message file, collecting its message ids; fails naming the file and the line of each error.
fn parse(name: &str, text: &str, ids: &mut Vec<String>) -> Result<FluentResource> {
    let resource = FluentResource::try_new(text.to_string()).map_err(|(_, errors)| {
        let lines: Vec<String> = errors
            .iter()
            .map(|it| {
                let line = text[..it.pos.start.min(text.len())].matches('\n').count() + 1;
                format!("line {line}: {}", it.kind)
            })
            .collect();
        Error::bad_input(format!("{name}: cannot read the messages: {}", lines.join("; ")))
    })?;
    for entry in resource.entries() {
        if let fluent_syntax::ast::Entry::Message(message) = entry {
            ids.push(message.id.name.to_string());
        }
    }
    Ok(resource)
}

fn describe(errors: &[fluent_bundle::FluentError]) -> String {
    errors.iter().map(|it| it.to_string()).collect::<Vec<_>>().join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(accept_language: &str, expected: Option<UiLanguage>) {
        assert_eq!(UiLanguage::negotiate(accept_language), expected, "{accept_language}");
    }

    #[test]
    fn accept_language_picks_the_best_shipped_language() {
        check("de-AT,de;q=0.9,en;q=0.5", Some(UiLanguage::De));
        check("fr-FR, fr;q=0.9, pt;q=0.8, en;q=0.7", Some(UiLanguage::PtBr));
        check("zh-Hans", Some(UiLanguage::ZhCn));
        check("zh-CN", Some(UiLanguage::ZhCn));
        check("zh-TW, ja;q=0.5", Some(UiLanguage::Ja));
        check("en;q=0.2, ja", Some(UiLanguage::Ja));
        check("fr, it", None);
        check("de;q=0, en", Some(UiLanguage::En));
        check("", None);
        check("*", None);
    }

    #[test]
    fn settings_name_a_shipped_language_exactly() {
        assert_eq!(UiLanguage::parse("pt-br"), Some(UiLanguage::PtBr));
        assert_eq!(UiLanguage::parse("de"), Some(UiLanguage::De));
        assert_eq!(UiLanguage::parse("fr"), None);
        assert_eq!(UiLanguage::parse("de-AT"), None);
    }

    #[test]
    fn a_language_other_than_english_is_parsed_on_its_first_use() {
        let messages = Messages::load(None).unwrap();
        assert!(messages.bundles[UiLanguage::En.index()].get().is_some());
        assert!(UiLanguage::ALL[1..].iter().all(|it| messages.bundles[it.index()].get().is_none()));
        assert_eq!(messages.text(UiLanguage::De, "page-history"), "Verlauf");
        assert!(messages.bundles[UiLanguage::De.index()].get().is_some());
        assert!(messages.bundles[UiLanguage::Ja.index()].get().is_none());
    }

    #[test]
    fn every_shipped_language_loads_with_the_messages_of_english() {
        let messages = Messages::load(None).unwrap();
        assert!(messages.has("time-days-ago"));
        let now = DateTime::<Utc>::from_timestamp(1_800_000_000, 0).unwrap();
        let then = now - chrono::Duration::days(3);
        assert_eq!(messages.relative_time(UiLanguage::En, now, then), "3 days ago");
        assert_eq!(messages.relative_time(UiLanguage::De, now, then), "vor 3 Tagen");
        assert_eq!(messages.relative_time(UiLanguage::En, now, now - chrono::Duration::days(1)), "1 day ago");
        assert_eq!(messages.date_time(UiLanguage::En, then), then.format("%Y-%m-%d %H:%M UTC").to_string());
    }
}
