//! How text becomes terms, per language. Words are split on anything that is not a letter or digit; runs of
//! scripts written without spaces (Chinese, Japanese, Korean, Thai, Lao, Khmer, Myanmar) become overlapping
//! pairs of characters (bigrams), so any word of two or more characters is found wherever it occurs, as
//! `git grep` would find it. Each word is then lowercased, stemmed with the Snowball stemmer of the page's
//! language (when Snowball has one), folded to ASCII where it has an ASCII form (München → munchen) and
//! tagged with its analysis family (`de:munch`), so one language's stems never match another's words.
//!
//! A page is analysed in its own language's family; a query in every family present in the index (or those
//! of its `lang:` filter), so it finds each page by that page's analysis.

use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, PreTokenizedString, RemoveLongFilter, Stemmer, TextAnalyzer, Token,
    TokenFilter, TokenStream, Tokenizer,
};

/// Words longer than this (in bytes) are not indexed; as tantivy's own analyzers do.
const MAX_TOKEN_BYTES: usize = 40;

/// A way of analysing text: the Snowball stemmer of one language, or none (`Plain`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Family {
    Snowball(Language, &'static str),
    Plain,
}

/// Every family, `Plain` last.
pub const FAMILIES: [Family; 19] = [
    Family::Snowball(Language::English, "en"),
    Family::Snowball(Language::German, "de"),
    Family::Snowball(Language::French, "fr"),
    Family::Snowball(Language::Spanish, "es"),
    Family::Snowball(Language::Portuguese, "pt"),
    Family::Snowball(Language::Italian, "it"),
    Family::Snowball(Language::Dutch, "nl"),
    Family::Snowball(Language::Russian, "ru"),
    Family::Snowball(Language::Swedish, "sv"),
    Family::Snowball(Language::Danish, "da"),
    Family::Snowball(Language::Norwegian, "no"),
    Family::Snowball(Language::Finnish, "fi"),
    Family::Snowball(Language::Romanian, "ro"),
    Family::Snowball(Language::Hungarian, "hu"),
    Family::Snowball(Language::Turkish, "tr"),
    Family::Snowball(Language::Greek, "el"),
    Family::Snowball(Language::Arabic, "ar"),
    Family::Snowball(Language::Tamil, "ta"),
    Family::Plain,
];

impl Family {
    /// The family of a language code (`pt-br` → Portuguese; Chinese, Polish, … → `Plain`).
    pub fn of(language: &str) -> Family {
        let primary = language.split('-').next().unwrap_or(language);
        // Norwegian Bokmål and Nynorsk share Snowball's Norwegian.
        let primary = if matches!(primary, "nb" | "nn") { "no" } else { primary };
        FAMILIES.iter().copied().find(|it| it.tag() == primary).unwrap_or(Family::Plain)
    }

    /// The tag its terms carry: the language code, `x` for `Plain`.
    pub fn tag(self) -> &'static str {
        match self {
            Family::Snowball(_, tag) => tag,
            Family::Plain => "x",
        }
    }

    /// The analyzer: words and bigrams, lowercased, stemmed, folded, tagged.
    pub fn analyzer(self) -> TextAnalyzer {
        let builder = TextAnalyzer::builder(ScriptTokenizer { segmented: Segmented::Bigrams })
            .filter(LowerCaser)
            .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
            .dynamic();
        let builder = match self {
            Family::Snowball(language, _) => builder.filter_dynamic(Stemmer::new(language)),
            Family::Plain => builder,
        };
        let fixup = match self {
            Family::Snowball(Language::German, _) => Some(german_participles as fn(&mut String)),
            _ => None,
        };
        builder.filter_dynamic(AsciiFoldingFilter).filter_dynamic(Tag { tag: self.tag(), fixup }).build()
    }

    /// `text` analysed, ready to index as a pre-tokenized value (the text itself is stored elsewhere).
    pub fn pre_tokenize(self, analyzer: &mut TextAnalyzer, text: &str) -> PreTokenizedString {
        let mut stream = analyzer.token_stream(text);
        let mut tokens = Vec::new();
        while stream.advance() {
            tokens.push(stream.token().clone());
        }
        PreTokenizedString { text: String::new(), tokens }
    }
}

/// The analyzer of the fields that keep words as written (phrases, prefixes, typos, suggestions): words,
/// and single characters of scripts written without spaces, lowercased.
pub fn exact_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(ScriptTokenizer { segmented: Segmented::Unigrams })
        .filter(LowerCaser)
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .build()
}

/// The terms `text` gives with `analyzer`.
pub fn terms(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut stream = analyzer.token_stream(text);
    let mut res = Vec::new();
    while stream.advance() {
        res.push(stream.token().text.clone());
    }
    res
}

/// Whether `ch` belongs to a script written without spaces between words.
pub fn is_segmented(ch: char) -> bool {
    matches!(ch as u32,
        0x0E00..=0x0EFF // Thai, Lao
        | 0x1000..=0x109F // Myanmar
        | 0x1100..=0x11FF // Hangul Jamo
        | 0x1780..=0x17FF // Khmer
        | 0x3040..=0x30FF // Hiragana, Katakana
        | 0x3130..=0x318F // Hangul compatibility Jamo
        | 0x31F0..=0x31FF // Katakana extensions
        | 0x3400..=0x4DBF // CJK extension A
        | 0x4E00..=0x9FFF // CJK unified ideographs
        | 0xAC00..=0xD7AF // Hangul syllables
        | 0xF900..=0xFAFF // CJK compatibility ideographs
        | 0xFF66..=0xFF9F // Halfwidth Katakana
        | 0x20000..=0x3FFFF // CJK extensions B and beyond
    )
}

#[derive(Debug, Clone, Copy)]
enum Segmented {
    Bigrams,
    Unigrams,
}

/// Splits text into words (runs of letters and digits) and cuts runs of scripts without spaces into bigrams
/// or single characters. A run of one such character is one token either way.
#[derive(Debug, Clone)]
struct ScriptTokenizer {
    segmented: Segmented,
}

struct VecTokenStream {
    tokens: Vec<Token>,
    next: usize,
}

impl Tokenizer for ScriptTokenizer {
    type TokenStream<'a> = VecTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecTokenStream {
        let mut tokens = Vec::new();
        let mut push = |from: usize, to: usize| {
            let position = tokens.len();
            tokens.push(Token {
                offset_from: from,
                offset_to: to,
                position,
                text: text[from..to].to_string(),
                position_length: 1,
            });
        };
        let mut chars = text.char_indices().peekable();
        while let Some((start, ch)) = chars.next() {
            if is_segmented(ch) {
                // Byte offsets of the run's characters, and of its end.
                let mut bounds = vec![start];
                while let Some(&(at, next)) = chars.peek() {
                    if !is_segmented(next) {
                        break;
                    }
                    bounds.push(at);
                    chars.next();
                }
                let end = chars.peek().map_or(text.len(), |it| it.0);
                bounds.push(end);
                let n_chars = bounds.len() - 1;
                match self.segmented {
                    Segmented::Bigrams if n_chars >= 2 => {
                        for i in 0..n_chars - 1 {
                            push(bounds[i], bounds[i + 2]);
                        }
                    }
                    _ => {
                        for i in 0..n_chars {
                            push(bounds[i], bounds[i + 1]);
                        }
                    }
                }
            } else if ch.is_alphanumeric() {
                let mut end = start + ch.len_utf8();
                while let Some(&(at, next)) = chars.peek() {
                    if !next.is_alphanumeric() || is_segmented(next) {
                        break;
                    }
                    end = at + next.len_utf8();
                    chars.next();
                }
                push(start, end);
            }
        }
        VecTokenStream { tokens, next: 0 }
    }
}

impl TokenStream for VecTokenStream {
    fn advance(&mut self) -> bool {
        self.next += 1;
        self.next <= self.tokens.len()
    }

    fn token(&self) -> &Token {
        &self.tokens[self.next - 1]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.next - 1]
    }
}

// Snowball's German stemmer leaves the participles of verbs in -ieren whole: "komprimiert", "komprimierte",
// "komprimierten" stem to "komprimiert", the verb to "komprimi", the noun "Komprimierung" to "komprimier".
// Dropping the "-ert" or "-er" after a long stem brings them together (short ones, "Papier", stay).
fn german_participles(stem: &mut String) {
    const MIN_STEM_CHARS: usize = 6;
    for suffix in ["iert", "ier"] {
        if stem.ends_with(suffix) && stem.chars().count() - suffix.len() + 1 >= MIN_STEM_CHARS {
            stem.truncate(stem.len() - suffix.len() + 1);
            return;
        }
    }
}

/// Prefixes every term with its family's tag and a colon (tokens never hold a colon), after an optional
/// fix-up of the stem.
#[derive(Clone)]
struct Tag {
    tag: &'static str,
    fixup: Option<fn(&mut String)>,
}

#[derive(Clone)]
struct TagTokenizer<T> {
    tag: Tag,
    inner: T,
}

struct TagTokenStream<T> {
    tag: Tag,
    inner: T,
}

impl TokenFilter for Tag {
    type Tokenizer<T: Tokenizer> = TagTokenizer<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> TagTokenizer<T> {
        TagTokenizer { tag: self, inner: tokenizer }
    }
}

impl<T: Tokenizer> Tokenizer for TagTokenizer<T> {
    type TokenStream<'a> = TagTokenStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        TagTokenStream { tag: self.tag.clone(), inner: self.inner.token_stream(text) }
    }
}

impl<T: TokenStream> TokenStream for TagTokenStream<T> {
    fn advance(&mut self) -> bool {
        if !self.inner.advance() {
            return false;
        }
        let token = self.inner.token_mut();
        if let Some(fixup) = self.tag.fixup {
            fixup(&mut token.text);
        }
        token.text.insert(0, ':');
        token.text.insert_str(0, self.tag.tag);
        true
    }

    fn token(&self) -> &Token {
        self.inner.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.inner.token_mut()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(language: &str, text: &str, expected: &[&str]) {
        let mut analyzer = Family::of(language).analyzer();
        assert_eq!(terms(&mut analyzer, text), expected);
    }

    #[test]
    fn european_words_are_stemmed_and_folded() {
        check("de", "Komprimieren komprimiere München", &["de:komprimi", "de:komprimi", "de:munch"]);
        check("de", "Munchen", &["de:munch"]);
        let participles = "komprimiertes komprimierte komprimierten Komprimierung Papier Papiere";
        check("de", participles, &["de:komprimi", "de:komprimi", "de:komprimi", "de:komprimi", "de:papi", "de:papi"]);
        check("pt-BR", "compactar compactado compacta", &["pt:compact", "pt:compact", "pt:compact"]);
        check("en", "Running files café", &["en:run", "en:file", "en:cafe"]);
        check("pl", "Żółć", &["x:zolc"]);
    }

    #[test]
    fn scripts_without_spaces_become_bigrams() {
        check("zh", "压缩文件", &["x:压缩", "x:缩文", "x:文件"]);
        check("zh", "用tar压缩", &["x:用", "x:tar", "x:压缩"]);
        check("ja", "ファイルを圧縮", &["x:ファ", "x:ァイ", "x:イル", "x:ルを", "x:を圧", "x:圧縮"]);
        check("ko", "파일을 압축", &["x:파일", "x:일을", "x:압축"]);
    }

    #[test]
    fn offsets_never_split_a_character() {
        let mut analyzer = Family::Plain.analyzer();
        let text = "压缩文件";
        let mut stream = analyzer.token_stream(text);
        while stream.advance() {
            let token = stream.token();
            assert!(text.is_char_boundary(token.offset_from) && text.is_char_boundary(token.offset_to));
        }
        assert_eq!(terms(&mut exact_analyzer(), "压缩 Files"), ["压", "缩", "files"]);
    }

    #[test]
    fn families_of_languages() {
        assert_eq!(Family::of("pt-br").tag(), "pt");
        assert_eq!(Family::of("nb").tag(), "no");
        assert_eq!(Family::of("zh-tw"), Family::Plain);
    }
}
