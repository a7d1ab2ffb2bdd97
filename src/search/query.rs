//! The search box's language: plain words, "quoted phrases", and filters `tag:`, `kind:`, `in:`, `author:`
//! and `lang:`. Anything that does not parse is taken as plain words, so no query is ever an error.

use crate::content::language::Language;

/// A parsed search query.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchQuery {
    /// Free words, in order (lowercased).
    pub words: Vec<String>,
    /// Quoted phrases, each as its words.
    pub phrases: Vec<Vec<String>>,
    pub tags: Vec<String>,
    pub kinds: Vec<String>,
    /// Folders (with trailing `/`).
    pub folders: Vec<String>,
    pub authors: Vec<String>,
    /// Languages (`lang:de`), as normalised codes: `pt` also finds `pt-br`.
    pub languages: Vec<String>,
    /// Whether the last word was still being typed (no space after it): it also matches as a prefix.
    pub last_word_is_prefix: bool,
    /// Match pages holding any of the words (ranked by how many and how well), not all of them: for
    /// natural-language text such as a question's title.
    pub any_word: bool,
    /// Paths never to return (pages the searcher may not read); set by the caller, never parsed.
    pub excluded_paths: Vec<String>,
    /// The reader's languages, most preferred first: pages in them rank higher, none is left out. Set by the
    /// caller (from `Accept-Language` and the site's language), never parsed.
    pub preferred_languages: Vec<String>,
}

/// Longest query Lore reads; the rest is ignored.
const MAX_QUERY_CHARS: usize = 1_000;

/// Most words a query may have; more add little and cost much.
const MAX_WORDS: usize = 32;

impl SearchQuery {
    /// The query for pages like a question being typed (`SearchIndex::similar`): its words, any of which may
    /// match, none of them a prefix, and no filters (a question may well contain a colon).
    pub fn similar_to(text: &str) -> SearchQuery {
        let text: String = text.chars().take(MAX_QUERY_CHARS).collect();
        let mut words = words_of(&text);
        words.truncate(MAX_WORDS);
        SearchQuery { words, any_word: true, ..SearchQuery::default() }
    }

    /// Parses what a person typed.
    pub fn parse(raw: &str) -> SearchQuery {
        let raw: String = raw.chars().take(MAX_QUERY_CHARS).map(|it| if it.is_control() { ' ' } else { it }).collect();
        let mut res = SearchQuery::default();
        let mut rest = raw.as_str();
        while !rest.is_empty() {
            rest = rest.trim_start();
            if rest.is_empty() {
                break;
            }
            if let Some(after_quote) = rest.strip_prefix('"') {
                // An unbalanced quote runs to the end of the query.
                let (phrase, remaining) = after_quote.split_once('"').unwrap_or((after_quote, ""));
                let words = words_of(phrase);
                match words.len() {
                    0 => {}
                    1 => res.words.extend(words),
                    _ => res.phrases.push(words),
                }
                rest = remaining;
                continue;
            }
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            let token = &rest[..end];
            rest = &rest[end..];
            if let Some((key, value)) = token.split_once(':') {
                let value = value.trim_matches('"').trim();
                let list = match key.to_ascii_lowercase().as_str() {
                    "tag" => Some(&mut res.tags),
                    "kind" => Some(&mut res.kinds),
                    "in" => Some(&mut res.folders),
                    "author" => Some(&mut res.authors),
                    "lang" => Some(&mut res.languages),
                    _ => None,
                };
                if let Some(list) = list {
                    if !value.is_empty() {
                        let value = match key.to_ascii_lowercase().as_str() {
                            "in" => folder(value),
                            "lang" => Language::parse(value).map_or_else(|| value.to_lowercase(), |it| it.to_string()),
                            _ => value.to_lowercase(),
                        };
                        list.push(value);
                    }
                    continue;
                }
            }
            res.words.extend(words_of(token));
        }
        res.words.truncate(MAX_WORDS);
        res.phrases.truncate(MAX_WORDS);
        res.last_word_is_prefix =
            !raw.ends_with(char::is_whitespace) && !raw.trim_end().ends_with('"') && !res.words.is_empty();
        res
    }

    /// Whether the query asks for anything.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
            && self.phrases.is_empty()
            && self.tags.is_empty()
            && self.kinds.is_empty()
            && self.folders.is_empty()
            && self.authors.is_empty()
            && self.languages.is_empty()
    }

    /// The query's words and phrases as text (without filters), e.g. for "Ask this as a question".
    pub fn text(&self) -> String {
        let mut parts: Vec<String> = self.phrases.iter().map(|it| format!("\"{}\"", it.join(" "))).collect();
        parts.extend(self.words.iter().cloned());
        parts.join(" ")
    }
}

// Splits on anything that is not a letter or digit, the way the index's tokenizers do.
fn words_of(text: &str) -> Vec<String> {
    text.split(|it: char| !it.is_alphanumeric()).filter(|it| !it.is_empty()).map(str::to_lowercase).collect()
}

fn folder(value: &str) -> String {
    let trimmed = value.trim_matches('/');
    if trimmed.is_empty() { String::new() } else { format!("{trimmed}/") }
}

/// The languages of an `Accept-Language` header, most preferred first, as normalised codes
/// (`de-DE,de;q=0.9,en;q=0.8` → `de-de`, `de`, `en`). Malformed entries and `*` are skipped.
pub fn accepted_languages(header: &str) -> Vec<String> {
    let mut ranked: Vec<(f32, usize, String)> = header
        .split(',')
        .take(MAX_WORDS)
        .enumerate()
        .filter_map(|(i, entry)| {
            let mut parts = entry.split(';');
            let language = Language::parse(parts.next()?)?;
            let quality = parts
                .find_map(|it| it.trim().strip_prefix("q="))
                .map_or(Some(1.0), |it| it.trim().parse::<f32>().ok())?;
            (quality > 0.0).then(|| (quality, i, language.to_string()))
        })
        .collect();
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut res: Vec<String> = Vec::new();
    for (_, _, language) in ranked {
        if !res.contains(&language) {
            res.push(language);
        }
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_phrases_and_filters() {
        let query =
            SearchQuery::parse("vpn \"remote access\" tag:Onboarding kind:question in:engineering author:ann set");
        assert_eq!(query.words, ["vpn", "set"]);
        assert_eq!(query.phrases, [vec!["remote".to_string(), "access".to_string()]]);
        assert_eq!(query.tags, ["onboarding"]);
        assert_eq!(query.kinds, ["question"]);
        assert_eq!(query.folders, ["engineering/"]);
        assert_eq!(query.authors, ["ann"]);
        assert!(query.last_word_is_prefix);
    }

    #[test]
    fn hostile_input_is_plain_words() {
        for raw in ["\"unbalanced", "((a) OR", "AND OR NOT", "tag:", ":::", "a\u{0}b\u{7}c", &"x".repeat(10_000)] {
            let query = SearchQuery::parse(raw);
            assert!(query.words.len() <= MAX_WORDS, "{raw:?}");
        }
        assert_eq!(
            SearchQuery::parse("\"unbalanced phrase").phrases,
            [vec!["unbalanced".to_string(), "phrase".to_string()]]
        );
        assert_eq!(SearchQuery::parse("tag:").tags, Vec::<String>::new());
        assert_eq!(SearchQuery::parse("title:foo").words, ["title", "foo"]);
    }

    #[test]
    fn language_filter_is_normalised() {
        assert_eq!(SearchQuery::parse("tar lang:pt_BR").languages, ["pt-br"]);
        assert_eq!(SearchQuery::parse("tar lang:pt_BR").words, ["tar"]);
    }

    #[test]
    fn accept_language_is_ordered_by_quality() {
        assert_eq!(accepted_languages("de-DE,de;q=0.9,en;q=0.8"), ["de-de", "de", "en"]);
        assert_eq!(accepted_languages("en;q=0.5, zh-CN, *;q=0.1, bogus!!"), ["zh-cn", "en"]);
        assert_eq!(accepted_languages("fr;q=0, it"), ["it"]);
        assert!(accepted_languages("").is_empty());
    }

    #[test]
    fn trailing_space_ends_the_prefix() {
        assert!(!SearchQuery::parse("vpn ").last_word_is_prefix);
    }
}
