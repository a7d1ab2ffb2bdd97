//! Languages of pages: language codes, their names in their own language, detection from text (whatlang),
//! and the rules that say which language a page is in and which pages translate each other: front matter
//! (`lang:`, `translations:`), folder rules and translation patterns (set in `lore.yaml`). Pure: no IO.

use std::fmt;

use serde::Serialize;

use crate::{Error, Result};

/// A language code in the style of BCP 47, normalised: lowercase, subtags joined by `-` (`pt_BR` → `pt-br`).
/// Invariant: a primary subtag of 2 or 3 ASCII letters, then subtags of 1 to 8 ASCII letters or digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Language(String);

/// Texts shorter than this are not given to language detection: it guesses too often on a few words.
const MIN_DETECTION_CHARS: usize = 120;

/// Detection reads at most this much of a page.
const MAX_DETECTION_CHARS: usize = 2_000;

impl Language {
    /// Reads a language code as people write it (`de`, `pt-BR`, `pt_BR`, `zh-Hant`); `None` when it is not one.
    pub fn parse(raw: &str) -> Option<Language> {
        let normalised = raw.trim().replace('_', "-").to_ascii_lowercase();
        let mut subtags = normalised.split('-');
        let primary = subtags.next()?;
        let primary_ok = (2..=3).contains(&primary.len()) && primary.chars().all(|it| it.is_ascii_lowercase());
        let rest_ok = subtags.all(|it| (1..=8).contains(&it.len()) && it.chars().all(|c| c.is_ascii_alphanumeric()));
        (primary_ok && rest_ok).then_some(Language(normalised))
    }

    /// The code, e.g. `pt-br`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The primary subtag: `pt` for `pt-br`.
    pub fn primary(&self) -> &str {
        self.0.split('-').next().unwrap_or(&self.0)
    }

    /// The language's name in its own language ("Deutsch", "中文"), or its code when Lore does not know it.
    pub fn native_name(&self) -> String {
        let name = |code: &str| NATIVE_NAMES.iter().find(|(it, _)| *it == code).map(|(_, name)| name.to_string());
        name(&self.0).or_else(|| name(self.primary())).unwrap_or_else(|| self.0.clone())
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The language of a text, when it is long enough to tell and whatlang is confident.
pub fn detect(text: &str) -> Option<Language> {
    let sample: String = text.chars().take(MAX_DETECTION_CHARS).collect();
    // A character of Chinese, Japanese or Korean says about as much as a short word: it counts for three.
    let weight = |ch: char| if (ch as u32) >= 0x2E80 { 3 } else { 1 };
    let n_letters: usize = sample.chars().filter(|it| it.is_alphanumeric()).map(weight).sum();
    if n_letters < MIN_DETECTION_CHARS {
        return None;
    }
    let info = whatlang::detect(&sample)?;
    if !info.is_reliable() {
        return None;
    }
    Language::parse(iso_639_1(info.lang())?)
}

/// What `lore.yaml` says about languages, compiled: the site's default language, folder rules, and the
/// translation patterns that pair pages with their translations.
#[derive(Debug, Clone)]
pub struct LanguageRules {
    default: Language,
    folders: Vec<(globset::GlobMatcher, Language)>,
    patterns: Vec<TranslationPattern>,
}

/// Another page that translates a page, with its language when one is declared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Translation {
    pub path: String,
    pub language: Option<Language>,
}

impl Default for LanguageRules {
    fn default() -> LanguageRules {
        LanguageRules { default: Language("en".into()), folders: Vec::new(), patterns: Vec::new() }
    }
}

impl LanguageRules {
    /// Compiles the settings: `default` is the site's language, `folders` pairs of a glob (`pages.de/**`) and
    /// a language, `translations` patterns such as `pages.{lang}/{rest}` (see [`TranslationPattern`]).
    pub fn new(default: &str, folders: &[(String, String)], translations: &[String]) -> Result<LanguageRules> {
        let language =
            |raw: &str| Language::parse(raw).ok_or_else(|| Error::bad_input(format!("not a language code: {raw:?}")));
        let mut compiled = Vec::new();
        for (glob, lang) in folders {
            let matcher = globset::GlobBuilder::new(glob.trim_start_matches('/'))
                .literal_separator(true)
                .build()
                .map_err(|err| Error::bad_input(format!("language rule {glob:?}: {err}")))?
                .compile_matcher();
            compiled.push((matcher, language(lang)?));
        }
        let patterns = translations.iter().map(|it| TranslationPattern::parse(it)).collect::<Result<Vec<_>>>()?;
        Ok(LanguageRules { default: language(default)?, folders: compiled, patterns })
    }

    /// The site's default language.
    pub fn default_language(&self) -> &Language {
        &self.default
    }

    /// The language a page says it is in: its front matter `lang:`, else the first folder rule that matches
    /// its path, else the `{lang}` of a translation pattern it matches.
    pub fn declared(&self, path: &str, front_matter_lang: Option<&str>) -> Option<Language> {
        front_matter_lang
            .and_then(Language::parse)
            .or_else(|| self.folders.iter().find(|(glob, _)| glob.is_match(path)).map(|(_, lang)| lang.clone()))
            .or_else(|| self.match_path(path).and_then(|it| it.language))
    }

    /// The language of a page: declared, else detected from its text, else the site's default.
    pub fn language_of(&self, path: &str, front_matter_lang: Option<&str>, text: &str) -> Language {
        self.declared(path, front_matter_lang).or_else(|| detect(text)).unwrap_or_else(|| self.default.clone())
    }

    /// Where the translations of the page at `path` would be by the translation patterns, each with the
    /// language its pattern gives. `children(folder)` names the files and folders directly inside a folder
    /// (`""` for the root, else ending in `/`); the caller keeps the candidates that are pages.
    pub fn translation_candidates(&self, path: &str, children: &dyn Fn(&str) -> Vec<String>) -> Vec<Translation> {
        let Some(rest) = self.match_path(path).map(|it| it.rest) else {
            return Vec::new();
        };
        let mut res: Vec<Translation> = self
            .patterns
            .iter()
            .flat_map(|pattern| pattern.expand(&rest, children))
            .filter(|it| it.path != path)
            .collect();
        res.sort_by(|a, b| a.path.cmp(&b.path));
        res.dedup_by(|a, b| a.path == b.path);
        res
    }
}

impl LanguageRules {
    // The first pattern with `{lang}` that matches, else the first without: `{rest}.md` also matches
    // `intro.de.md`, which `{rest}.{lang}.md` reads better.
    fn match_path(&self, path: &str) -> Option<Matched> {
        let with_lang = self.patterns.iter().filter(|it| it.parts.contains(&Part::Lang));
        let without = self.patterns.iter().filter(|it| !it.parts.contains(&Part::Lang));
        with_lang.chain(without).find_map(|it| it.matches(path))
    }
}

/// A pattern of paths that translate each other, such as `pages.{lang}/{rest}` or `docs/{rest}`: pages whose
/// paths match patterns with the same `{rest}` are translations of each other. `{lang}` (optional) stands for
/// a language code within one path segment; `{rest}` (required, once) for the part translations share.
#[derive(Debug, Clone)]
struct TranslationPattern {
    parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq)]
enum Part {
    Literal(String),
    Lang,
    Rest,
}

/// What a pattern read off a path.
struct Matched {
    rest: String,
    language: Option<Language>,
}

impl TranslationPattern {
    fn parse(raw: &str) -> Result<TranslationPattern> {
        let problem = |why: &str| Error::bad_input(format!("translation pattern {raw:?}: {why}"));
        let mut parts = Vec::new();
        let mut rest = raw.trim_start_matches('/');
        while !rest.is_empty() {
            if let Some(after) = rest.strip_prefix("{lang}") {
                parts.push(Part::Lang);
                rest = after;
            } else if let Some(after) = rest.strip_prefix("{rest}") {
                parts.push(Part::Rest);
                rest = after;
            } else {
                let end = rest[1..].find('{').map_or(rest.len(), |it| it + 1);
                parts.push(Part::Literal(rest[..end].to_string()));
                rest = &rest[end..];
            }
        }
        let count = |part: &Part| parts.iter().filter(|it| *it == part).count();
        if count(&Part::Rest) != 1 {
            return Err(problem("needs `{rest}` exactly once"));
        }
        if count(&Part::Lang) > 1 {
            return Err(problem("has `{lang}` more than once"));
        }
        for pair in parts.windows(2) {
            if !matches!(pair, [Part::Literal(_), _] | [_, Part::Literal(_)]) {
                return Err(problem("`{lang}` and `{rest}` need text between them"));
            }
        }
        Ok(TranslationPattern { parts })
    }

    fn matches(&self, path: &str) -> Option<Matched> {
        let mut res = Matched { rest: String::new(), language: None };
        match_parts(&self.parts, path, &mut res).then_some(res)
    }

    // The paths this pattern gives for `rest`: one, or one per language folder that exists.
    fn expand(&self, rest: &str, children: &dyn Fn(&str) -> Vec<String>) -> Vec<Translation> {
        let filled: String = self
            .parts
            .iter()
            .map(|it| match it {
                Part::Literal(text) => text.as_str(),
                Part::Rest => rest,
                Part::Lang => "{lang}",
            })
            .collect();
        let Some(at) = filled.find("{lang}") else { return vec![Translation { path: filled, language: None }] };
        // `{lang}` lies within one segment: list the folder holding it and keep the names that fit.
        let folder_end = filled[..at].rfind('/').map_or(0, |it| it + 1);
        let segment_end = filled[at..].find('/').map_or(filled.len(), |it| at + it);
        let (folder, segment, after) =
            (&filled[..folder_end], &filled[folder_end..segment_end], &filled[segment_end..]);
        let (before_lang, after_lang) = segment.split_once("{lang}").expect("the segment holds {lang}");
        children(folder)
            .into_iter()
            .filter_map(|name| {
                let code = name.strip_prefix(before_lang)?.strip_suffix(after_lang)?;
                let language = Language::parse(code)?;
                Some(Translation { path: format!("{folder}{name}{after}"), language: Some(language) })
            })
            .collect()
    }
}

// Matches `parts` against the whole of `text`, filling `res`; `{rest}` takes one or more characters,
// `{lang}` a language code without `/`.
fn match_parts(parts: &[Part], text: &str, res: &mut Matched) -> bool {
    let Some((first, others)) = parts.split_first() else { return text.is_empty() };
    match first {
        Part::Literal(literal) => text.strip_prefix(literal.as_str()).is_some_and(|it| match_parts(others, it, res)),
        Part::Lang | Part::Rest => {
            let is_lang = *first == Part::Lang;
            for (end, ch) in text.char_indices().skip(1).map(|(i, ch)| (i, Some(ch))).chain([(text.len(), None)]) {
                let taken = &text[..end];
                if is_lang && (taken.contains('/') || Language::parse(taken).is_none()) {
                    if ch.is_none() || taken.contains('/') {
                        return false;
                    }
                    continue;
                }
                if match_parts(others, &text[end..], res) {
                    if is_lang {
                        res.language = Language::parse(taken);
                    } else {
                        res.rest = taken.to_string();
                    }
                    return true;
                }
            }
            false
        }
    }
}

// whatlang names languages by ISO 639-3; pages and browsers use ISO 639-1 where there is one.
fn iso_639_1(lang: whatlang::Lang) -> Option<&'static str> {
    use whatlang::Lang::*;
    Some(match lang {
        Eng => "en",
        Rus => "ru",
        Cmn => "zh",
        Spa => "es",
        Por => "pt",
        Ita => "it",
        Ben => "bn",
        Fra => "fr",
        Deu => "de",
        Ukr => "uk",
        Kat => "ka",
        Ara => "ar",
        Hin => "hi",
        Jpn => "ja",
        Heb => "he",
        Pol => "pl",
        Kor => "ko",
        Nob => "nb",
        Dan => "da",
        Swe => "sv",
        Fin => "fi",
        Tur => "tr",
        Nld => "nl",
        Hun => "hu",
        Ces => "cs",
        Ell => "el",
        Bul => "bg",
        Ron => "ro",
        Srp => "sr",
        Hrv => "hr",
        Slk => "sk",
        Slv => "sl",
        Tam => "ta",
        Vie => "vi",
        Tha => "th",
        Ind => "id",
        Pes => "fa",
        Cat => "ca",
        Lit => "lt",
        Lav => "lv",
        Est => "et",
        Mar => "mr",
        Nep => "ne",
        Uzb => "uz",
        Mal => "ml",
        Khm => "km",
        Mya => "my",
        _ => return None,
    })
}

const NATIVE_NAMES: &[(&str, &str)] = &[
    ("ar", "العربية"),
    ("bg", "Български"),
    ("bn", "বাংলা"),
    ("bs", "Bosanski"),
    ("ca", "Català"),
    ("cs", "Čeština"),
    ("da", "Dansk"),
    ("de", "Deutsch"),
    ("el", "Ελληνικά"),
    ("en", "English"),
    ("es", "Español"),
    ("et", "Eesti"),
    ("fa", "فارسی"),
    ("fi", "Suomi"),
    ("fr", "Français"),
    ("he", "עברית"),
    ("hi", "हिन्दी"),
    ("hr", "Hrvatski"),
    ("hu", "Magyar"),
    ("id", "Bahasa Indonesia"),
    ("it", "Italiano"),
    ("ja", "日本語"),
    ("ko", "한국어"),
    ("lo", "ລາວ"),
    ("lt", "Lietuvių"),
    ("lv", "Latviešu"),
    ("ml", "മലയാളം"),
    ("nb", "Norsk bokmål"),
    ("ne", "नेपाली"),
    ("nl", "Nederlands"),
    ("no", "Norsk"),
    ("pl", "Polski"),
    ("pt", "Português"),
    ("pt-br", "Português (Brasil)"),
    ("pt-pt", "Português (Portugal)"),
    ("ro", "Română"),
    ("ru", "Русский"),
    ("sk", "Slovenčina"),
    ("sl", "Slovenščina"),
    ("sr", "Српски"),
    ("sv", "Svenska"),
    ("ta", "தமிழ்"),
    ("th", "ไทย"),
    ("tr", "Türkçe"),
    ("uk", "Українська"),
    ("uz", "Oʻzbekcha"),
    ("vi", "Tiếng Việt"),
    ("zh", "中文"),
    ("zh-tw", "中文（台灣）"),
    ("zh-hant", "繁體中文"),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn tldr() -> LanguageRules {
        let folders = [("pages/**".to_string(), "en".to_string())];
        LanguageRules::new("en", &folders, &["pages/{rest}".into(), "pages.{lang}/{rest}".into()]).unwrap()
    }

    #[track_caller]
    fn check_candidates(path: &str, expected: &[(&str, Option<&str>)]) {
        let children = |folder: &str| -> Vec<String> {
            assert_eq!(folder, "", "only the root is listed");
            ["pages", "pages.de", "pages.pt_BR", "pages.zh", "pages.not a lang", "README.md"]
                .iter()
                .map(|it| it.to_string())
                .collect()
        };
        let found: Vec<(String, Option<String>)> = tldr()
            .translation_candidates(path, &children)
            .into_iter()
            .map(|it| (it.path, it.language.map(|it| it.to_string())))
            .collect();
        let expected: Vec<(String, Option<String>)> =
            expected.iter().map(|(path, lang)| (path.to_string(), lang.map(str::to_string))).collect();
        assert_eq!(found, expected);
    }

    #[test]
    fn codes_are_normalised() {
        assert_eq!(Language::parse("pt_BR").unwrap().as_str(), "pt-br");
        assert_eq!(Language::parse("zh-Hant-TW").unwrap().primary(), "zh");
        assert_eq!(Language::parse(" DE ").unwrap().as_str(), "de");
        for bad in ["", "x", "german", "d3", "de-", "de--at", "de/x", "de-toolongsubtag"] {
            assert_eq!(Language::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn native_names_fall_back_to_the_primary_language_then_the_code() {
        assert_eq!(Language::parse("de").unwrap().native_name(), "Deutsch");
        assert_eq!(Language::parse("pt_BR").unwrap().native_name(), "Português (Brasil)");
        assert_eq!(Language::parse("de-AT").unwrap().native_name(), "Deutsch");
        assert_eq!(Language::parse("xyz").unwrap().native_name(), "xyz");
    }

    #[test]
    fn front_matter_then_folders_then_patterns_then_detection_then_default() {
        let rules = tldr();
        assert_eq!(rules.declared("pages/common/tar.md", Some("fr")).unwrap().as_str(), "fr");
        assert_eq!(rules.declared("pages/common/tar.md", None).unwrap().as_str(), "en");
        assert_eq!(rules.declared("pages.pt_BR/common/tar.md", None).unwrap().as_str(), "pt-br");
        assert_eq!(rules.declared("notes/x.md", None), None);
        let german = "Dieses Kommando komprimiert Dateien und Verzeichnisse. Es ist auf allen Systemen \
                      vorhanden und wird häufig mit anderen Werkzeugen zusammen verwendet, um Archive zu erstellen.";
        assert_eq!(rules.language_of("notes/x.md", None, german).as_str(), "de");
        assert_eq!(rules.language_of("notes/x.md", None, "Kurz.").as_str(), "en", "too short to tell");
    }

    #[test]
    fn folder_convention_finds_translations() {
        let expected = [
            ("pages.de/common/tar.md", Some("de")),
            ("pages.pt_BR/common/tar.md", Some("pt-br")),
            ("pages.zh/common/tar.md", Some("zh")),
        ];
        check_candidates("pages/common/tar.md", &expected);
        let expected = [
            ("pages.pt_BR/common/tar.md", Some("pt-br")),
            ("pages.zh/common/tar.md", Some("zh")),
            ("pages/common/tar.md", None),
        ];
        check_candidates("pages.de/common/tar.md", &expected);
        check_candidates("docs/tar.md", &[]);
    }

    #[test]
    fn patterns_with_the_language_beside_the_name() {
        let rules = LanguageRules::new("en", &[], &["{rest}.md".into(), "{rest}.{lang}.md".into()]).unwrap();
        let children = |folder: &str| -> Vec<String> {
            assert_eq!(folder, "guide/");
            ["intro.md", "intro.de.md", "intro.ja.md", "other.de.md"].iter().map(|it| it.to_string()).collect()
        };
        let found: Vec<String> =
            rules.translation_candidates("guide/intro.de.md", &children).into_iter().map(|it| it.path).collect();
        assert_eq!(found, ["guide/intro.ja.md", "guide/intro.md"]);
        assert_eq!(rules.declared("guide/intro.ja.md", None).unwrap().as_str(), "ja");
    }

    #[test]
    fn bad_settings_are_refused() {
        assert!(LanguageRules::new("english", &[], &[]).is_err());
        assert!(LanguageRules::new("en", &[("[".into(), "de".into())], &[]).is_err());
        assert!(LanguageRules::new("en", &[], &["pages.{lang}/".into()]).is_err());
        assert!(LanguageRules::new("en", &[], &["{lang}{rest}".into()]).is_err());
    }
}
