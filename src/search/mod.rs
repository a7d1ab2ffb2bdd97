//! Full-text search: a tantivy index of every page, question and answer, kept in the data folder and
//! caught up incrementally as commits arrive. Knows nothing of git or HTTP: `Site` feeds it documents.

pub mod analysis;
pub mod query;
mod store_reads;

use parking_lot::Mutex;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::{Deserialize, Serialize};
use tantivy::collector::{Count, FacetCollector, TopDocs};
use tantivy::indexer::LogMergePolicy;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, PhraseQuery, Query, RegexQuery, TermQuery, TermSetQuery,
};
use tantivy::schema::{
    FAST, Facet, FacetOptions, Field, IndexRecordOption, STORED, STRING, Schema, TantivyDocument, TextFieldIndexing,
    TextOptions, Value,
};
use tantivy::snippet::SnippetGenerator;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{DocAddress, Index, IndexReader, IndexWriter, ReloadPolicy, Score, SegmentReader, Term, doc};

use analysis::{FAMILIES, Family};

pub use query::{SearchQuery, accepted_languages};

use crate::{Error, Result};

/// Bumped whenever the schema or what is indexed changes; an index of another version is rebuilt.
// 2: block boundaries separate words in the indexed text.
// 3: every page analysed in its language (stems tagged by family, CJK bigrams), a language field.
const SCHEMA_VERSION: u32 = 3;

/// The tokenizer named by the fields each page fills with its own language's terms (pre-tokenized).
const TAGGED_TOKENIZER: &str = "lore_tagged";

/// The tokenizer of the fields that keep words as written.
const EXACT_TOKENIZER: &str = "lore_exact";

/// How much more a page in the reader's first language scores; the next languages get less (see
/// `preference_weights`).
const FIRST_LANGUAGE_BOOST: f32 = 2.0;

/// Longest word that also matches as a prefix or fuzzily: longer ones (a pasted sentence without spaces)
/// would compile automata beyond tantivy's limits, and are matched exactly.
const MAX_PREFIX_CHARS: usize = 40;

/// Memory the index writer may buffer before it flushes a segment.
const WRITER_HEAP_BYTES: usize = 64 * 1024 * 1024;

/// A page, question or answer as the index sees it.
#[derive(Debug, Clone, Default)]
pub struct SearchDocument {
    pub path: String,
    pub url: String,
    pub title: String,
    pub headings: Vec<String>,
    pub body: String,
    pub tags: Vec<String>,
    /// `page`, `question` or `answer`.
    pub kind: &'static str,
    /// Everyone who changed it, as "Name email" texts.
    pub authors: Vec<String>,
    /// Seconds since the Unix epoch of the last change.
    pub updated_at: i64,
    pub updated_by: String,
    /// For an answered question: the accepted answer's text.
    pub accepted_answer: Option<String>,
    /// The language it is written in, a code such as `de` or `pt-br`: it decides how its text is analysed.
    pub lang: String,
}

/// One search result.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    pub path: String,
    pub url: String,
    pub title: String,
    pub kind: String,
    /// The best matching passage, HTML-escaped, matches wrapped in `<mark>`.
    pub snippet_html: String,
    /// For an answered question: a passage of the accepted answer.
    pub answer_snippet_html: Option<String>,
    pub score: f32,
    pub tags: Vec<String>,
    pub updated_at: i64,
    pub updated_by: String,
    /// The language it is written in.
    pub lang: String,
}

/// A filter value with the number of results it would keep.
#[derive(Debug, Clone, Serialize)]
pub struct FacetCount {
    pub value: String,
    pub count: u64,
}

/// Everything a search answers.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SearchResults {
    pub total: usize,
    pub hits: Vec<Hit>,
    pub tags: Vec<FacetCount>,
    pub kinds: Vec<FacetCount>,
    pub folders: Vec<FacetCount>,
    pub languages: Vec<FacetCount>,
    /// The corrected query the results are for, when the typed one found nothing.
    pub showing_results_for: Option<String>,
    /// A corrected query worth trying, when the typed one found little.
    pub did_you_mean: Option<String>,
}

/// A suggestion for the search box.
#[derive(Debug, Clone, Serialize)]
pub struct Suggestion {
    /// The page's path, for callers that filter by who may read it.
    #[serde(skip)]
    pub path: String,
    pub title: String,
    /// The page's title when the suggestion is one of its headings.
    pub page_title: Option<String>,
    pub url: String,
    pub kind: &'static str,
}

/// What the index reflects: stored in tantivy's commit payload.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
struct Payload {
    version: u32,
    head: String,
    /// Whether the documents carry what the history index knows (authors, last update). A first start
    /// indexes pages before history is ready, so search works in seconds; the history fills in later.
    #[serde(default = "complete")]
    with_history: bool,
}

fn complete() -> bool {
    true
}

#[derive(Clone, Copy)]
struct Fields {
    path: Field,
    url: Field,
    // Each text in two fields: indexed in its page's language (pre-tokenized, not stored) and stored as written.
    title: Field,
    title_text: Field,
    title_exact: Field,
    headings: Field,
    headings_text: Field,
    body: Field,
    body_text: Field,
    exact: Field,
    answer: Field,
    answer_text: Field,
    lang: Field,
    lang_code: Field,
    family: Field,
    tags: Field,
    kind: Field,
    authors: Field,
    facets: Field,
    updated_at: Field,
    updated_by: Field,
}

/// The search index on disk, its writer and a reader.
pub struct SearchIndex {
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    fields: Fields,
    /// Each family's analyzer, built once.
    analyzers: Vec<(Family, TextAnalyzer)>,
    /// The families of the documents in the index: what a query without `lang:` is analysed in.
    families_present: Mutex<Vec<Family>>,
    /// The last committed payload, kept in memory: every search asks whether the index is complete, and
    /// reading `meta.json` from disk for that would put file I/O on the query path.
    committed: Mutex<Option<Payload>>,
}

impl SearchIndex {
    /// Opens the index in `dir`, creating it, or recreating it when it is missing, corrupt or of another
    /// schema version (the caller then rebuilds it: `indexed_head` is `None`).
    pub fn open(dir: &Path) -> Result<SearchIndex> {
        let (schema, fields) = schema();
        let index = match open_existing(dir) {
            Some(index) => index,
            None => {
                if dir.exists() {
                    tracing::warn!(path = %dir.display(), "search index unusable or outdated; rebuilding it");
                    std::fs::remove_dir_all(dir)?;
                }
                std::fs::create_dir_all(dir)?;
                let directory = store_reads::IndexDirectory::open(dir).map_err(search_error)?;
                Index::create(directory, schema, tantivy::IndexSettings::default()).map_err(search_error)?
            }
        };
        register_tokenizers(&index);
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into().map_err(search_error)?;
        // The writer's threads (indexing, merging) are started from a thread of background priority, which
        // they inherit, as do those it starts again at each commit from the search indexer's thread.
        let writer: IndexWriter = std::thread::scope(|scope| {
            scope
                .spawn(|| {
                    crate::priority::become_background();
                    index.writer(WRITER_HEAP_BYTES)
                })
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        })
        .map_err(search_error)?;
        // Every save commits a one-document segment. tantivy's default policy counts every segment under
        // 10,000 documents as one size, so every eighth save merged the whole 10,000-page segment again (most
        // of the indexer's ~30 ms of CPU per save). Small segments now merge among themselves, and the big
        // one only when a fifth of it has been replaced.
        let mut merge_policy = LogMergePolicy::default();
        merge_policy.set_min_layer_size(64);
        merge_policy.set_del_docs_ratio_before_merge(0.2);
        writer.set_merge_policy(Box::new(merge_policy));
        let committed = Mutex::new(stored_payload(&index));
        let analyzers = FAMILIES.iter().map(|it| (*it, it.analyzer())).collect();
        let res = SearchIndex {
            reader,
            writer: Mutex::new(writer),
            fields,
            analyzers,
            families_present: Mutex::new(Vec::new()),
            committed,
        };
        res.note_families();
        Ok(res)
    }

    fn analyzer(&self, family: Family) -> TextAnalyzer {
        self.analyzers.iter().find(|(it, _)| *it == family).map(|(_, it)| it.clone()).expect("every family has one")
    }

    // Finds which families the index holds, after opening and after each commit.
    fn note_families(&self) {
        let searcher = self.reader.searcher();
        let present = FAMILIES
            .iter()
            .copied()
            .filter(|it| searcher.doc_freq(&Term::from_field_text(self.fields.family, it.tag())).is_ok_and(|n| n > 0))
            .collect();
        *self.families_present.lock() = present;
    }

    // The families a query is analysed in: those of its `lang:` filter, else every one the index holds.
    fn families_for(&self, query: &SearchQuery) -> Vec<Family> {
        if query.languages.is_empty() {
            return self.families_present.lock().clone();
        }
        let mut res: Vec<Family> = query.languages.iter().map(|it| Family::of(it)).collect();
        res.dedup();
        res
    }

    fn payload(&self) -> Option<Payload> {
        self.committed.lock().clone()
    }

    /// The commit the index reflects, if it is complete and of this schema version.
    pub fn indexed_head(&self) -> Option<String> {
        self.payload().map(|it| it.head)
    }

    /// Whether every document carries its authors and last update (see `Payload::with_history`).
    pub fn indexed_with_history(&self) -> bool {
        self.payload().is_some_and(|it| it.with_history)
    }

    /// Replaces the documents of `paths` with `documents` (paths without a document are removed) and commits,
    /// recording `head` as what the index reflects. `with_history` says whether `documents` carry history.
    pub fn apply(
        &self,
        paths: &[String],
        documents: Vec<SearchDocument>,
        head: &str,
        with_history: bool,
    ) -> Result<()> {
        let with_history = with_history && self.indexed_with_history();
        let mut writer = self.writer.lock();
        for path in paths {
            // Tantivy has no update: delete the old document, then add the new one.
            writer.delete_term(Term::from_field_text(self.fields.path, path));
        }
        for document in documents {
            writer.add_document(self.to_tantivy(document)).map_err(search_error)?;
        }
        self.commit(&mut writer, head, with_history)
    }

    /// Replaces the whole index with `documents`.
    pub fn rebuild(
        &self,
        documents: impl Iterator<Item = SearchDocument>,
        head: &str,
        with_history: bool,
    ) -> Result<usize> {
        let mut writer = self.writer.lock();
        writer.delete_all_documents().map_err(search_error)?;
        let mut n = 0;
        for document in documents {
            writer.add_document(self.to_tantivy(document)).map_err(search_error)?;
            n += 1;
        }
        self.commit(&mut writer, head, with_history)?;
        Ok(n)
    }

    /// How many documents the index holds.
    pub fn n_documents(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Size of the index files on disk, in bytes.
    pub fn size_on_disk(&self, dir: &Path) -> u64 {
        std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|it| it.metadata().ok())
            .map(|it| it.len())
            .sum()
    }

    /// Searches: every word must match (else any), typos are forgiven when little is found, results are
    /// ranked by BM25 with title and headings weighing more, a boost for phrases and recent pages.
    pub fn search(&self, query: &SearchQuery, limit: usize, offset: usize) -> Result<SearchResults> {
        let searcher = self.reader.searcher();
        let words = query.words.clone();
        let first_pass = if query.any_word { Occur::Should } else { Occur::Must };
        let mut res = self.run(query, &words, first_pass, false, limit, offset)?;
        if res.total == 0 && words.len() > 1 {
            res = self.run(query, &words, Occur::Should, false, limit, offset)?;
        }
        if res.total < 3 && !words.is_empty() {
            let corrected = self.correct(&searcher, &words)?;
            if corrected != words {
                let alternative = self.run(query, &corrected, Occur::Must, false, limit, offset)?;
                let text = corrected.join(" ");
                if res.total == 0 && alternative.total > 0 {
                    res = alternative;
                    res.showing_results_for = Some(text);
                } else if alternative.total > 0 && alternative.total >= res.total {
                    res.did_you_mean = Some(text);
                }
            } else if res.total == 0 {
                res = self.run(query, &words, Occur::Must, true, limit, offset)?;
            }
        }
        Ok(res)
    }

    /// Pages and questions like a question being asked (`query` from [`SearchQuery::similar_to`]): any of its
    /// words may match, and candidates are ranked half by relevance, half by how many words their title shares
    /// with the question, so "How do I ask a question?" ranks first for "How do I ask a question about
    /// onboarding?" however many pages mention onboarding.
    pub fn similar(&self, query: &SearchQuery, limit: usize) -> Result<SearchResults> {
        let n_candidates = (limit * 5).max(25);
        let mut res = self.run(query, &query.words, Occur::Should, false, n_candidates, 0)?;
        let best_score = res.hits.iter().map(|it| it.score).fold(0.0_f32, f32::max);
        let asked: HashSet<String> = query.words.iter().cloned().collect();
        let similarity = |hit: &Hit| {
            let relevance = if best_score > 0.0 { f64::from(hit.score / best_score) } else { 0.0 };
            0.5 * relevance + 0.5 * shared_words(&asked, &hit.title)
        };
        let mut ranked: Vec<(f64, Hit)> = res.hits.drain(..).map(|hit| (similarity(&hit), hit)).collect();
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
        res.hits = ranked.into_iter().take(limit).map(|(_, hit)| hit).collect();
        Ok(res)
    }

    /// Titles (then headings) that start with what has been typed so far.
    /// `may_show` says which paths the person typing may see.
    pub fn suggest(&self, typed: &str, limit: usize, may_show: &dyn Fn(&str) -> bool) -> Result<Vec<Suggestion>> {
        let query = SearchQuery::parse(typed);
        let Some((last, leading)) = query.words.split_last() else { return Ok(Vec::new()) };
        if last.chars().count() > MAX_PREFIX_CHARS {
            return Ok(Vec::new());
        }
        let searcher = self.reader.searcher();
        let mut res = Vec::new();
        let mut seen = HashSet::new();
        let f = self.fields;
        for (field, is_heading) in [(f.title_exact, false), (f.exact, true)] {
            let mut clauses: Vec<(Occur, Box<dyn Query>)> =
                leading.iter().map(|word| (Occur::Must, term_query(field, word))).collect();
            clauses.push((Occur::Must, prefix_query(field, last)?));
            let top = searcher
                .search(&BooleanQuery::new(clauses), &TopDocs::with_limit(limit * 2).order_by_score())
                .map_err(search_error)?;
            for (_, address) in top {
                let doc: TantivyDocument = searcher.doc(address).map_err(search_error)?;
                let path = first_text(&doc, f.path);
                if !may_show(&path) {
                    continue;
                }
                let title = first_text(&doc, f.title_text);
                let url = first_text(&doc, f.url);
                if !is_heading {
                    if seen.insert(url.clone()) {
                        res.push(Suggestion { path, title, page_title: None, url, kind: "title" });
                    }
                    continue;
                }
                for heading in doc.get_all(f.headings_text).filter_map(|it| it.as_str()) {
                    let lower = heading.to_lowercase();
                    let matches = leading.iter().all(|it| lower.contains(it.as_str()))
                        && lower.split(|c: char| !c.is_alphanumeric()).any(|it| it.starts_with(last.as_str()));
                    let heading_url = format!("{url}#{}", crate::content::slug(heading));
                    if matches && seen.insert(heading_url.clone()) {
                        res.push(Suggestion {
                            path: path.clone(),
                            title: heading.to_string(),
                            page_title: Some(title.clone()),
                            url: heading_url,
                            kind: "heading",
                        });
                    }
                }
            }
            if res.len() >= limit {
                break;
            }
        }
        res.truncate(limit);
        Ok(res)
    }

    fn run(
        &self,
        query: &SearchQuery,
        words: &[String],
        occur: Occur,
        fuzzy: bool,
        limit: usize,
        offset: usize,
    ) -> Result<SearchResults> {
        let searcher = self.reader.searcher();
        let text_query = self.text_query(&searcher, query, words, occur, fuzzy)?;
        let mut filters = self.filter_clauses(query);
        if !query.excluded_paths.is_empty() {
            // Excluded inside the query, so totals, pages of results and facet counts leave them out too.
            let terms = query.excluded_paths.iter().map(|it| Term::from_field_text(self.fields.path, it));
            filters.push((Occur::MustNot, Box::new(TermSetQuery::new(terms))));
        }
        let full: Box<dyn Query> = match (text_query, filters.is_empty()) {
            (Some(text), true) => text,
            (Some(text), false) => {
                let mut clauses = vec![(Occur::Must, text)];
                clauses.extend(filters);
                Box::new(BooleanQuery::new(clauses))
            }
            (None, false) => {
                let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, Box::new(AllQuery))];
                clauses.extend(filters);
                Box::new(BooleanQuery::new(clauses))
            }
            (None, true) => return Ok(SearchResults::default()),
        };
        let now = chrono::Utc::now().timestamp();
        let preferences = preference_weights(&query.preferred_languages);
        let top_docs =
            TopDocs::with_limit(limit.max(1)).and_offset(offset).tweak_score(move |segment: &SegmentReader| {
                let updated = segment.fast_fields().i64("updated_at").ok().map(|it| it.first_or_default_col(0));
                let lang_codes = segment.fast_fields().u64("lang_code").ok().map(|it| it.first_or_default_col(0));
                let preferences = preferences.clone();
                move |doc, score: Score| {
                    // Recent pages get a modest boost: up to 10% for today, half of that after a year.
                    let age_days =
                        updated.as_ref().map_or(3650.0, |it| ((now - it.get_val(doc)).max(0) as f32) / 86_400.0);
                    // Pages in the reader's languages come first, without hiding the others.
                    let preference = lang_codes.as_ref().map_or(1.0, |it| preference_of(&preferences, it.get_val(doc)));
                    score * (1.0 + 0.1 * (-age_days / 525.0).exp()) * preference
                }
            });
        let mut facet_collector = FacetCollector::for_field("facets");
        for root in ["/tag", "/kind", "/folder", "/lang"] {
            facet_collector.add_facet(Facet::from(root));
        }
        let (top, total, facets) = searcher.search(&full, &(top_docs, Count, facet_collector)).map_err(search_error)?;
        let mut snippets = Snippets {
            body_terms: query_terms(&searcher, &*full, self.fields.body)?,
            answer_terms: query_terms(&searcher, &*full, self.fields.answer)?,
            segmented_words: words
                .iter()
                .chain(query.phrases.iter().flatten())
                .filter(|it| it.chars().any(analysis::is_segmented))
                .cloned()
                .collect(),
            generators: HashMap::new(),
        };
        let mut hits = Vec::with_capacity(top.len());
        for (score, address) in top {
            hits.push(self.hit(&searcher, address, score, &mut snippets)?);
        }
        let counts = |root: &str| -> Vec<FacetCount> {
            let mut res: Vec<FacetCount> = facets
                .get(root)
                .map(|(facet, count)| FacetCount {
                    value: facet.to_path().last().map(|it| it.to_string()).unwrap_or_default(),
                    count,
                })
                .collect();
            res.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
            res.truncate(20);
            res
        };
        Ok(SearchResults {
            total,
            hits,
            tags: counts("/tag"),
            kinds: counts("/kind"),
            folders: counts("/folder"),
            languages: counts("/lang"),
            showing_results_for: None,
            did_you_mean: None,
        })
    }

    fn hit(
        &self,
        searcher: &tantivy::Searcher,
        address: DocAddress,
        score: f32,
        snippets: &mut Snippets,
    ) -> Result<Hit> {
        let f = self.fields;
        let doc: TantivyDocument = searcher.doc(address).map_err(search_error)?;
        let lang = first_text(&doc, f.lang);
        let family = Family::of(&lang);
        let max_bytes = snippet_bytes(&lang);
        let snippet_html = {
            let generator = snippets.generator(self, family, Snippets::BODY, max_bytes);
            let html = marked_html(&generator.snippet_from_doc(&doc), &snippets.segmented_words);
            if html.trim().is_empty() {
                let text: String = first_text(&doc, f.body_text).chars().take(200).collect();
                html_escape(&text)
            } else {
                html
            }
        };
        let answer_snippet_html =
            doc.get_first(f.answer_text).and_then(|it| it.as_str()).filter(|it| !it.is_empty()).map(|text| {
                let generator = snippets.generator(self, family, Snippets::ANSWER, max_bytes);
                let html = marked_html(&generator.snippet_from_doc(&doc), &snippets.segmented_words);
                if html.trim().is_empty() { html_escape(&text.chars().take(200).collect::<String>()) } else { html }
            });
        Ok(Hit {
            path: first_text(&doc, f.path),
            url: first_text(&doc, f.url),
            title: first_text(&doc, f.title_text),
            kind: first_text(&doc, f.kind),
            snippet_html,
            answer_snippet_html,
            score,
            tags: doc.get_all(f.tags).filter_map(|it| it.as_str().map(str::to_string)).collect(),
            updated_at: doc.get_first(f.updated_at).and_then(|it| it.as_i64()).unwrap_or_default(),
            updated_by: first_text(&doc, f.updated_by),
            lang,
        })
    }

    // One clause per word (all must match, or any), each word matching its stem in title, headings, body
    // and accepted answer in every language family searched, plus synonyms; the last word also as a prefix;
    // phrases as exact phrases. A word that analyses into several terms (a run of Chinese, split into
    // bigrams) matches them side by side, as a phrase: the word as written, wherever it occurs.
    fn text_query(
        &self,
        searcher: &tantivy::Searcher,
        query: &SearchQuery,
        words: &[String],
        occur: Occur,
        fuzzy: bool,
    ) -> Result<Option<Box<dyn Query>>> {
        let f = self.fields;
        let families = self.families_for(query);
        let mut analyzers: Vec<TextAnalyzer> = families.iter().map(|it| self.analyzer(*it)).collect();
        let preferred: Vec<Family> = query.preferred_languages.iter().map(|it| Family::of(it)).collect();
        let mut exact = analysis::exact_analyzer();
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for (i, word) in words.iter().enumerate() {
            let mut alternatives: Vec<(Occur, Box<dyn Query>)> = Vec::new();
            let mut variants = vec![(word.clone(), 1.0)];
            variants.extend(synonyms(word).into_iter().map(|it| (it.to_string(), 0.6)));
            for (variant, weight) in variants {
                let analysed: Vec<(Family, Vec<String>)> = families
                    .iter()
                    .zip(analyzers.iter_mut())
                    .map(|(family, analyzer)| (*family, analysis::terms(analyzer, &variant)))
                    .filter(|(_, terms)| !terms.is_empty())
                    .collect();
                let trust = family_trust(searcher, f.body, &analysed, &preferred)?;
                for ((_, terms), trust) in analysed.iter().zip(trust) {
                    for (field, boost) in [(f.title, 3.0), (f.headings, 2.0), (f.body, 1.0), (f.answer, 0.8)] {
                        alternatives.push((Occur::Should, boosted(terms_query(field, terms), boost * weight * trust)));
                    }
                }
            }
            let is_last = i + 1 == words.len();
            let n_chars = word.chars().count();
            let segmented = word.chars().any(analysis::is_segmented);
            if !segmented && stems_disagree(&families, &mut analyzers, word) {
                // Where languages disagree on a word's stem, pages holding the word as typed rank higher:
                // "Dateien" is "datei" to the German stemmer but "date" to the Finnish one.
                alternatives.push((Occur::Should, term_query(f.exact, word)));
            }
            if segmented && n_chars == 1 {
                // One character of Chinese or Japanese: wherever it occurs, not only standing alone.
                alternatives.push((Occur::Should, term_query(f.exact, word)));
            }
            if is_last && query.last_word_is_prefix && (2..=MAX_PREFIX_CHARS).contains(&n_chars) && !segmented {
                alternatives.push((Occur::Should, boosted(prefix_query(f.exact, word)?, 0.5)));
                alternatives.push((Occur::Should, boosted(prefix_query(f.title_exact, word)?, 1.5)));
            }
            if fuzzy && (4..=MAX_PREFIX_CHARS).contains(&n_chars) && !segmented {
                let distance = if word.chars().count() <= 6 { 1 } else { 2 };
                let term = Term::from_field_text(f.exact, word);
                alternatives.push((Occur::Should, Box::new(FuzzyTermQuery::new(term, distance, true))));
            }
            clauses.push((occur, Box::new(BooleanQuery::new(alternatives))));
        }
        for phrase in &query.phrases {
            let terms = analysis::terms(&mut exact, &phrase.join(" "));
            if !terms.is_empty() {
                clauses.push((Occur::Must, terms_query(f.exact, &terms)));
            }
        }
        if words.len() >= 2 {
            // Pages holding the words as typed, side by side, rank higher.
            let terms = analysis::terms(&mut exact, &words.join(" "));
            if terms.len() >= 2 {
                clauses.push((Occur::Should, boosted(terms_query(f.exact, &terms), 2.0)));
            }
        }
        if clauses.iter().all(|(occur, _)| *occur == Occur::Should)
            && words.len() < 2
            && query.phrases.is_empty()
            && words.is_empty()
        {
            return Ok(None);
        }
        Ok((!clauses.is_empty()).then(|| Box::new(BooleanQuery::new(clauses)) as Box<dyn Query>))
    }

    fn filter_clauses(&self, query: &SearchQuery) -> Vec<(Occur, Box<dyn Query>)> {
        let f = self.fields;
        let any_of = |queries: Vec<Box<dyn Query>>| -> Box<dyn Query> {
            Box::new(BooleanQuery::new(queries.into_iter().map(|it| (Occur::Should, it)).collect()))
        };
        let mut res: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        if !query.tags.is_empty() {
            res.push((Occur::Must, any_of(query.tags.iter().map(|it| term_query(f.tags, it)).collect())));
        }
        if !query.kinds.is_empty() {
            res.push((Occur::Must, any_of(query.kinds.iter().map(|it| term_query(f.kind, it)).collect())));
        }
        if !query.languages.is_empty() {
            res.push((Occur::Must, any_of(query.languages.iter().map(|it| term_query(f.lang, it)).collect())));
        }
        if !query.folders.is_empty() {
            let folders = query.folders.iter().map(|folder| {
                let facet = Facet::from_path(std::iter::once("folder").chain(folder.trim_end_matches('/').split('/')));
                Box::new(TermQuery::new(Term::from_facet(f.facets, &facet), IndexRecordOption::Basic)) as Box<dyn Query>
            });
            res.push((Occur::Must, any_of(folders.collect())));
        }
        for author in &query.authors {
            let words: Vec<Box<dyn Query>> = author
                .split(|it: char| !it.is_alphanumeric())
                .filter(|it| !it.is_empty())
                .map(|it| term_query(f.authors, it))
                .collect();
            if !words.is_empty() {
                res.push((
                    Occur::Must,
                    Box::new(BooleanQuery::new(words.into_iter().map(|it| (Occur::Must, it)).collect())),
                ));
            }
        }
        res
    }

    // For each word missing from the index, the best indexed word within an edit distance of 2 (1 for short
    // words): the closest, with frequent words preferred when distances are close (see `correction_cost`).
    fn correct(&self, searcher: &tantivy::Searcher, words: &[String]) -> Result<Vec<String>> {
        let field = self.fields.exact;
        let mut res = words.to_vec();
        // Words of scripts without spaces are indexed here one character at a time: no spelling to correct.
        let missing: Vec<usize> = (0..words.len())
            .filter(|i| words[*i].chars().count() <= MAX_PREFIX_CHARS)
            .filter(|i| !words[*i].chars().any(analysis::is_segmented))
            .filter(|i| searcher.doc_freq(&Term::from_field_text(field, &words[*i])).map_or(true, |it| it == 0))
            .collect();
        if missing.is_empty() {
            return Ok(res);
        }
        // A word's documents may lie in several segments: sum its frequency before judging it.
        let mut candidates: Vec<HashMap<String, (usize, u64)>> = vec![HashMap::new(); words.len()];
        for segment in searcher.segment_readers() {
            let inverted = segment.inverted_index(field).map_err(search_error)?;
            let mut stream =
                inverted.terms().stream().map_err(|err| Error::Repository(format!("search index: {err}")))?;
            while stream.advance() {
                let Ok(candidate) = std::str::from_utf8(stream.key()) else { continue };
                let doc_freq = u64::from(stream.value().doc_freq);
                for &i in &missing {
                    let word = &words[i];
                    let max_distance = if word.chars().count() <= 4 { 1 } else { 2 };
                    if candidate.len().abs_diff(word.len()) > max_distance {
                        continue;
                    }
                    if let Some(distance) = edit_distance(word, candidate, max_distance) {
                        candidates[i].entry(candidate.to_string()).or_insert((distance, 0)).1 += doc_freq;
                    }
                }
            }
        }
        for i in missing {
            let best = candidates[i].iter().min_by(|a, b| {
                let (cost_a, cost_b) = (correction_cost(a.1.0, a.1.1), correction_cost(b.1.0, b.1.1));
                cost_a.total_cmp(&cost_b).then_with(|| b.1.1.cmp(&a.1.1)).then_with(|| a.0.cmp(b.0))
            });
            if let Some((word, _)) = best {
                res[i].clone_from(word);
            }
        }
        Ok(res)
    }

    fn to_tantivy(&self, document: SearchDocument) -> TantivyDocument {
        let f = self.fields;
        let family = Family::of(&document.lang);
        let mut analyzer = self.analyzer(family);
        let mut res = doc!(
            f.path => document.path.clone(),
            f.url => document.url,
            f.title_text => document.title.clone(),
            f.title_exact => document.title.clone(),
            f.body_text => document.body.clone(),
            f.kind => document.kind,
            f.updated_at => document.updated_at,
            f.updated_by => document.updated_by,
            f.facets => Facet::from_path(["kind", document.kind]),
            f.family => family.tag(),
            f.lang_code => pack_language(&document.lang),
        );
        res.add_pre_tokenized_text(f.title, family.pre_tokenize(&mut analyzer, &document.title));
        res.add_pre_tokenized_text(f.body, family.pre_tokenize(&mut analyzer, &document.body));
        // `lang:pt` finds `pt-br` pages too: the primary language is indexed beside the full code.
        res.add_text(f.lang, &document.lang);
        if let Some((primary, _)) = document.lang.split_once('-') {
            res.add_text(f.lang, primary);
        }
        if !document.lang.is_empty() {
            res.add_facet(f.facets, Facet::from_path(["lang", document.lang.as_str()]));
        }
        let mut exact = format!("{}\n", document.title);
        for heading in &document.headings {
            res.add_pre_tokenized_text(f.headings, family.pre_tokenize(&mut analyzer, heading));
            res.add_text(f.headings_text, heading);
            exact.push_str(heading);
            exact.push('\n');
        }
        exact.push_str(&document.body);
        if let Some(answer) = &document.accepted_answer {
            res.add_pre_tokenized_text(f.answer, family.pre_tokenize(&mut analyzer, answer));
            res.add_text(f.answer_text, answer);
            exact.push('\n');
            exact.push_str(answer);
        }
        res.add_text(f.exact, &exact);
        for tag in &document.tags {
            let tag = tag.to_lowercase();
            res.add_text(f.tags, &tag);
            res.add_facet(f.facets, Facet::from_path(["tag", tag.as_str()]));
        }
        let folder: Vec<&str> = document.path.split('/').collect();
        if folder.len() > 1 {
            res.add_facet(
                f.facets,
                Facet::from_path(std::iter::once("folder").chain(folder[..folder.len() - 1].iter().copied())),
            );
        }
        for author in &document.authors {
            res.add_text(f.authors, author);
        }
        res
    }

    fn commit(&self, writer: &mut IndexWriter, head: &str, with_history: bool) -> Result<()> {
        let started = Instant::now();
        let mut prepared = writer.prepare_commit().map_err(search_error)?;
        let payload = Payload { version: SCHEMA_VERSION, head: head.to_string(), with_history };
        prepared.set_payload(&serde_json::to_string(&payload).expect("payloads serialise"));
        prepared.commit().map_err(search_error)?;
        *self.committed.lock() = Some(payload);
        self.reader.reload().map_err(search_error)?;
        self.note_families();
        tracing::debug!(elapsed_ms = started.elapsed().as_millis() as u64, "search index committed");
        Ok(())
    }
}

// The payload of the index's last commit, if it is of this schema version.
fn stored_payload(index: &Index) -> Option<Payload> {
    let payload: Payload = serde_json::from_str(&index.load_metas().ok()?.payload?).ok()?;
    (payload.version == SCHEMA_VERSION).then_some(payload)
}

/// Where the search index lives in the data folder.
pub fn index_dir(data: &Path) -> PathBuf {
    data.join("index").join("search")
}

fn open_existing(dir: &Path) -> Option<Index> {
    if !dir.join("meta.json").exists() {
        return None;
    }
    let index = Index::open(store_reads::IndexDirectory::open(dir).ok()?).ok()?;
    stored_payload(&index)?;
    if index.schema() != schema().0 {
        return None;
    }
    // Opening a reader checks that the segments the metadata lists are readable.
    register_tokenizers(&index);
    index.reader().ok()?.searcher().segment_readers().iter().all(|it| it.num_docs() <= it.max_doc()).then_some(index)
}

// The fields' tokenizers, which tantivy looks up by name. Pre-tokenized values bypass `lore_tagged` when
// indexing; it is registered because every text field names one.
fn register_tokenizers(index: &Index) {
    index.tokenizers().register(TAGGED_TOKENIZER, Family::Plain.analyzer());
    index.tokenizers().register(EXACT_TOKENIZER, analysis::exact_analyzer());
}

fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let indexed = |tokenizer: &str| {
        let indexing = TextFieldIndexing::default()
            .set_tokenizer(tokenizer)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions);
        TextOptions::default().set_indexing_options(indexing)
    };
    let fields = Fields {
        path: builder.add_text_field("path", STRING | STORED),
        url: builder.add_text_field("url", STORED),
        title: builder.add_text_field("title", indexed(TAGGED_TOKENIZER)),
        title_text: builder.add_text_field("title_text", STORED),
        title_exact: builder.add_text_field("title_exact", indexed(EXACT_TOKENIZER)),
        headings: builder.add_text_field("headings", indexed(TAGGED_TOKENIZER)),
        headings_text: builder.add_text_field("headings_text", STORED),
        body: builder.add_text_field("body", indexed(TAGGED_TOKENIZER)),
        body_text: builder.add_text_field("body_text", STORED),
        exact: builder.add_text_field("exact", indexed(EXACT_TOKENIZER)),
        answer: builder.add_text_field("answer", indexed(TAGGED_TOKENIZER)),
        answer_text: builder.add_text_field("answer_text", STORED),
        lang: builder.add_text_field("lang", STRING | STORED),
        lang_code: builder.add_u64_field("lang_code", FAST),
        family: builder.add_text_field("family", STRING),
        tags: builder.add_text_field("tags", STRING | STORED),
        kind: builder.add_text_field("kind", STRING | STORED),
        authors: builder.add_text_field("authors", indexed("default")),
        facets: builder.add_facet_field("facets", FacetOptions::default()),
        updated_at: builder.add_i64_field("updated_at", FAST | STORED),
        updated_by: builder.add_text_field("updated_by", STORED),
    };
    (builder.build(), fields)
}

fn term_query(field: Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(Term::from_field_text(field, text), IndexRecordOption::WithFreqs))
}

/// How far each family's analysis of a word is trusted, 0 to 1. Where the families agree on the word's stem
/// (`tar` is `tar` everywhere), fully. Where they disagree, a stem rare in its family is more likely a
/// coincidence than the word: "archivos" is "archiv" to the Spanish stemmer (848 pages) and to the Romanian
/// one (2 pages about `git archive`, whose rarity would make them rank first). Each family then counts by the
/// square root of its stem's share of the most common one's document frequency; the reader's languages
/// (and the site's) are always trusted.
fn family_trust(
    searcher: &tantivy::Searcher,
    field: Field,
    analysed: &[(Family, Vec<String>)],
    preferred: &[Family],
) -> Result<Vec<f32>> {
    let untagged = |family: &Family, terms: &[String]| -> Vec<String> {
        terms.iter().map(|it| it[family.tag().len() + 1..].to_string()).collect()
    };
    let agree = analysed.windows(2).all(|pair| untagged(&pair[0].0, &pair[0].1) == untagged(&pair[1].0, &pair[1].1));
    if agree {
        return Ok(vec![1.0; analysed.len()]);
    }
    let mut doc_freqs = Vec::with_capacity(analysed.len());
    for (_, terms) in analysed {
        let mut rarest = u64::MAX;
        for term in terms {
            rarest = rarest.min(searcher.doc_freq(&Term::from_field_text(field, term)).map_err(search_error)?);
        }
        doc_freqs.push(rarest);
    }
    let most = doc_freqs.iter().copied().max().unwrap_or(0).max(1) as f32;
    Ok(analysed
        .iter()
        .zip(doc_freqs)
        .map(|((family, _), doc_freq)| if preferred.contains(family) { 1.0 } else { (doc_freq as f32 / most).sqrt() })
        .collect())
}

// Whether the families' analyses of `word` differ, tags aside.
fn stems_disagree(families: &[Family], analyzers: &mut [TextAnalyzer], word: &str) -> bool {
    let mut seen: Option<Vec<String>> = None;
    for (family, analyzer) in families.iter().zip(analyzers.iter_mut()) {
        let prefix_len = family.tag().len() + 1;
        let stems: Vec<String> =
            analysis::terms(analyzer, word).into_iter().map(|it| it[prefix_len..].to_string()).collect();
        match &seen {
            Some(first) if *first != stems => return true,
            Some(_) => {}
            None => seen = Some(stems),
        }
    }
    false
}

// One term, or several side by side.
fn terms_query(field: Field, terms: &[String]) -> Box<dyn Query> {
    match terms {
        [one] => term_query(field, one),
        _ => Box::new(PhraseQuery::new(terms.iter().map(|it| Term::from_field_text(field, it)).collect())),
    }
}

/// The snippet generators of one search, by field and family: each page's passage is cut with its own
/// language's analyzer, so the marks fall on the words (or characters) that matched.
struct Snippets {
    body_terms: BTreeMap<String, Score>,
    answer_terms: BTreeMap<String, Score>,
    /// The query's words in scripts without spaces (see `marked_html`).
    segmented_words: Vec<String>,
    generators: HashMap<(usize, Family, usize), SnippetGenerator>,
}

impl Snippets {
    const BODY: usize = 0;
    const ANSWER: usize = 1;

    fn generator(&mut self, index: &SearchIndex, family: Family, which: usize, max_bytes: usize) -> &SnippetGenerator {
        self.generators.entry((which, family, max_bytes)).or_insert_with(|| {
            let (terms, field) = if which == Snippets::BODY {
                (self.body_terms.clone(), index.fields.body_text)
            } else {
                (self.answer_terms.clone(), index.fields.answer_text)
            };
            SnippetGenerator::new(terms, index.analyzer(family), field, max_bytes)
        })
    }
}

// A snippet as HTML, matches in `<mark>`. A marked run of Chinese or Japanese must hold a whole word of the
// query: "压缩文件" matches as a phrase of its bigrams, and one of them alone elsewhere ("压缩包") is no match.
fn marked_html(snippet: &tantivy::snippet::Snippet, segmented_words: &[String]) -> String {
    let fragment = snippet.fragment();
    let mut marks: Vec<std::ops::Range<usize>> = Vec::new();
    for range in tantivy::snippet::collapse_overlapped_ranges(snippet.highlighted()) {
        let marked = &fragment[range.clone()];
        if marked.chars().all(analysis::is_segmented) && !segmented_words.iter().any(|it| marked.contains(it.as_str()))
        {
            continue;
        }
        // Words side by side ("压缩" and "文件" in "压缩文件") make one mark.
        match marks.last_mut() {
            Some(last) if last.end == range.start => last.end = range.end,
            _ => marks.push(range),
        }
    }
    let mut res = String::with_capacity(fragment.len() + 16 * marks.len());
    let mut at = 0;
    for range in marks {
        res.push_str(&html_escape(&fragment[at..range.start]));
        res.push_str("<mark>");
        res.push_str(&html_escape(&fragment[range.clone()]));
        res.push_str("</mark>");
        at = range.end;
    }
    res.push_str(&html_escape(&fragment[at..]));
    res
}

// The terms of `query` in `field` that the index holds, each scored as tantivy's snippets do (rarer is better).
fn query_terms(searcher: &tantivy::Searcher, query: &dyn Query, field: Field) -> Result<BTreeMap<String, Score>> {
    let mut terms: Vec<Term> = Vec::new();
    query.query_terms(&mut |term, _| {
        if term.field() == field {
            terms.push(term.clone());
        }
    });
    let mut res = BTreeMap::new();
    for term in terms {
        let Some(text) = term.value().as_str().map(str::to_string) else { continue };
        let doc_freq = searcher.doc_freq(&term).map_err(search_error)?;
        if doc_freq > 0 {
            res.insert(text, 1.0 / (1.0 + doc_freq as Score));
        }
    }
    Ok(res)
}

// tantivy cuts snippets by bytes: a passage of Chinese (three bytes a character) gets room for as many
// characters as one in English.
fn snippet_bytes(lang: &str) -> usize {
    let primary = lang.split('-').next().unwrap_or(lang);
    if matches!(primary, "zh" | "ja" | "ko" | "th" | "lo" | "km" | "my") { 600 } else { 220 }
}

/// A language code packed into a number for the fast field ranking reads: its first 8 bytes.
fn pack_language(code: &str) -> u64 {
    let mut bytes = [0_u8; 8];
    for (slot, byte) in bytes.iter_mut().zip(code.bytes()) {
        *slot = byte;
    }
    u64::from_be_bytes(bytes)
}

// The primary language of a packed code: the bytes before the first `-`.
fn packed_primary(packed: u64) -> u64 {
    let mut bytes = packed.to_be_bytes();
    if let Some(dash) = bytes.iter().position(|it| *it == b'-') {
        bytes[dash..].fill(0);
    }
    u64::from_be_bytes(bytes)
}

/// How much each preferred language (packed, with its primary language) multiplies a page's score: the first
/// `FIRST_LANGUAGE_BOOST`, then less for each next one (2, 1.5, 1.33, …).
fn preference_weights(languages: &[String]) -> Vec<(u64, u64, f32)> {
    languages
        .iter()
        .enumerate()
        .map(|(i, code)| {
            let packed = pack_language(code);
            (packed, packed_primary(packed), 1.0 + (FIRST_LANGUAGE_BOOST - 1.0) / (i as f32 + 1.0))
        })
        .collect()
}

// A page in a preferred language gets its weight; one in a variant of it (`pt-pt` for `pt-br`, `de` for
// `de-de`) a little less. The best of these counts.
fn preference_of(weights: &[(u64, u64, f32)], packed: u64) -> f32 {
    let primary = packed_primary(packed);
    weights
        .iter()
        .map(|(code, code_primary, weight)| {
            if *code == packed {
                *weight
            } else if *code_primary == primary {
                1.0 + (weight - 1.0) * 0.9
            } else {
                1.0
            }
        })
        .fold(1.0, f32::max)
}

fn prefix_query(field: Field, word: &str) -> Result<Box<dyn Query>> {
    let escaped: String = word.chars().filter(|it| it.is_alphanumeric()).collect();
    Ok(Box::new(RegexQuery::from_pattern(&format!("{escaped}.*"), field).map_err(search_error)?))
}

fn boosted(query: Box<dyn Query>, boost: f32) -> Box<dyn Query> {
    Box::new(BoostQuery::new(query, boost))
}

fn first_text(doc: &TantivyDocument, field: Field) -> String {
    doc.get_first(field).and_then(|it| it.as_str()).unwrap_or_default().to_string()
}

fn html_escape(text: &str) -> String {
    let mut res = String::with_capacity(text.len());
    pulldown_cmark_escape::escape_html(&mut res, text).expect("writing to a String cannot fail");
    res
}

// Words people use for the same thing at work; each also finds the others.
const SYNONYMS: &[&[&str]] = &[
    &["laptop", "computer", "notebook", "macbook"],
    &["vacation", "holiday", "pto", "leave", "timeoff"],
    &["salary", "pay", "payroll", "compensation"],
    &["password", "passphrase", "credentials"],
    &["login", "signin", "sso", "logon"],
    &["vpn", "tunnel"],
    &["wifi", "wireless"],
    &["expense", "expenses", "reimbursement"],
    &["bug", "defect", "issue"],
    &["deploy", "deployment", "release", "rollout"],
    &["outage", "incident", "downtime"],
    &["onboarding", "induction"],
    &["doc", "docs", "documentation"],
    &["repo", "repository"],
    &["email", "mail"],
    &["manager", "lead", "supervisor"],
    &["sick", "illness"],
];

fn synonyms(word: &str) -> Vec<&'static str> {
    SYNONYMS
        .iter()
        .filter(|group| group.contains(&word))
        .flat_map(|group| group.iter().copied().filter(|it| *it != word))
        .collect()
}

/// How alike a question's words and a title are: the Dice coefficient of their sets of words (lowercase), 0 to 1.
fn shared_words(asked: &HashSet<String>, title: &str) -> f64 {
    let title: HashSet<String> =
        title.split(|it: char| !it.is_alphanumeric()).filter(|it| !it.is_empty()).map(str::to_lowercase).collect();
    if asked.is_empty() || title.is_empty() {
        return 0.0;
    }
    let n_shared = title.iter().filter(|it| asked.contains(*it)).count();
    2.0 * n_shared as f64 / (asked.len() + title.len()) as f64
}

/// How good a spelling correction `distance` edits away, found in `doc_freq` documents, is: lower is better.
/// Each edit costs 1; frequency earns back up to 1.5 (half an edit per tenfold), so "onboarding" in 146 pages
/// beats "onbording" in one at the same distance, and a very common word may beat a rare one an edit closer.
fn correction_cost(distance: usize, doc_freq: u64) -> f64 {
    distance as f64 - ((1 + doc_freq) as f64).log10().min(3.0) / 2.0
}

/// Edit distance between `a` and `b` if it is at most `max`, counting a swap of two neighbouring letters as one
/// edit (Damerau–Levenshtein, optimal string alignment): "onbaording" is one edit from "onboarding".
fn edit_distance(a: &str, b: &str, max: usize) -> Option<usize> {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    let mut before_previous: Vec<usize> = vec![0; b.len() + 1];
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        current[0] = i;
        let mut row_min = current[0];
        for j in 1..=b.len() {
            let substitution = previous[j - 1] + usize::from(a[i - 1] != b[j - 1]);
            current[j] = substitution.min(previous[j] + 1).min(current[j - 1] + 1);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                current[j] = current[j].min(before_previous[j - 2] + 1);
            }
            row_min = row_min.min(current[j]);
        }
        if row_min > max {
            return None;
        }
        std::mem::swap(&mut before_previous, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }
    (previous[b.len()] <= max).then_some(previous[b.len()])
}

fn search_error(err: impl std::fmt::Display) -> Error {
    Error::Repository(format!("search index: {err}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn document(path: &str, title: &str, body: &str, tags: &[&str], kind: &'static str) -> SearchDocument {
        SearchDocument {
            path: path.into(),
            url: format!("/{}", path.trim_end_matches(".md")),
            title: title.into(),
            headings: vec![],
            body: body.into(),
            tags: tags.iter().map(|it| it.to_string()).collect(),
            kind,
            authors: vec!["Ann Example ann@example.com".into()],
            updated_at: 1_700_000_000,
            updated_by: "Ann Example".into(),
            accepted_answer: None,
            lang: "en".into(),
        }
    }

    fn in_language(lang: &str, path: &str, title: &str, body: &str) -> SearchDocument {
        SearchDocument { lang: lang.into(), ..document(path, title, body, &[], "page") }
    }

    fn languages_index() -> (tempfile::TempDir, SearchIndex) {
        let dir = tempfile::tempdir().unwrap();
        let index = SearchIndex::open(dir.path()).unwrap();
        let docs = vec![
            in_language("en", "pages/common/tar.md", "tar", "Archiving utility. Compress files with gzip."),
            in_language("de", "pages.de/common/tar.md", "tar", "Archivierungsprogramm. Dateien komprimiert ablegen."),
            in_language("zh", "pages.zh/common/tar.md", "tar", "归档工具。用gzip压缩文件夹里的文件。"),
            in_language("ja", "pages.ja/common/gzip.md", "gzip", "ファイルを圧縮する。"),
            in_language("ko", "pages.ko/common/gzip.md", "gzip", "파일을 압축합니다."),
            in_language("pt-br", "pages.pt_BR/common/zip.md", "zip", "Compacta arquivos em um arquivo compactado."),
            in_language("de", "pages.de/travel/munich.md", "Reise", "Die Fahrt nach München dauert lange."),
        ];
        index.rebuild(docs.into_iter(), "abc", true).unwrap();
        (dir, index)
    }

    #[track_caller]
    fn check_paths(index: &SearchIndex, query: SearchQuery, expected: &[&str]) -> SearchResults {
        let res = index.search(&query, 10, 0).unwrap();
        let found: Vec<&str> = res.hits.iter().map(|it| it.path.as_str()).collect();
        assert_eq!(found, expected, "{query:?} → {res:#?}");
        res
    }

    #[test]
    fn every_language_is_analysed_in_its_own_way() {
        let (_dir, index) = languages_index();
        let q = |text: &str| SearchQuery::parse(&format!("{text} "));
        check_paths(&index, q("文件"), &["pages.zh/common/tar.md"]);
        check_paths(&index, q("压缩文件"), &["pages.zh/common/tar.md"]);
        check_paths(&index, q("缩"), &["pages.zh/common/tar.md"]);
        check_paths(&index, q("圧縮"), &["pages.ja/common/gzip.md"]);
        check_paths(&index, q("파일"), &["pages.ko/common/gzip.md"]);
        check_paths(&index, q("komprimieren"), &["pages.de/common/tar.md"]);
        check_paths(&index, q("compactar"), &["pages.pt_BR/common/zip.md"]);
        check_paths(&index, q("Munchen"), &["pages.de/travel/munich.md"]);
        check_paths(&index, q("compressed"), &["pages/common/tar.md"]);
    }

    #[test]
    fn cjk_snippets_mark_whole_characters() {
        let (_dir, index) = languages_index();
        let res = check_paths(&index, SearchQuery::parse("文件 "), &["pages.zh/common/tar.md"]);
        assert_eq!(res.hits[0].snippet_html, "归档工具。用gzip压缩<mark>文件</mark>夹里的<mark>文件</mark>");
        let res = check_paths(&index, SearchQuery::parse("压缩文件 "), &["pages.zh/common/tar.md"]);
        assert_eq!(
            res.hits[0].snippet_html, "归档工具。用gzip<mark>压缩文件</mark>夹里的文件",
            "the word, not its parts"
        );
        let res = check_paths(&index, SearchQuery::parse("压缩 文件"), &["pages.zh/common/tar.md"]);
        assert_eq!(res.hits[0].snippet_html, "归档工具。用gzip<mark>压缩文件</mark>夹里的<mark>文件</mark>");
        let res = check_paths(&index, SearchQuery::parse("München "), &["pages.de/travel/munich.md"]);
        assert!(res.hits[0].snippet_html.contains("<mark>München</mark>"), "{:?}", res.hits[0].snippet_html);
    }

    #[test]
    fn language_filter_facet_and_preference() {
        let (_dir, index) = languages_index();
        let res = check_paths(&index, SearchQuery::parse("tar lang:de"), &["pages.de/common/tar.md"]);
        assert_eq!(res.hits[0].lang, "de");
        check_paths(&index, SearchQuery::parse("tar lang:pt"), &[]);
        check_paths(&index, SearchQuery::parse("compactar lang:pt"), &["pages.pt_BR/common/zip.md"]);
        let res = index.search(&SearchQuery::parse("tar"), 10, 0).unwrap();
        let mut languages: Vec<(String, u64)> = res.languages.iter().map(|it| (it.value.clone(), it.count)).collect();
        languages.sort();
        assert_eq!(languages, [("de".to_string(), 1), ("en".to_string(), 1), ("zh".to_string(), 1)]);
        for (preferred, first) in [("de", "pages.de/common/tar.md"), ("zh", "pages.zh/common/tar.md")] {
            let mut query = SearchQuery::parse("tar");
            query.preferred_languages = vec![preferred.into(), "en".into()];
            let res = index.search(&query, 10, 0).unwrap();
            let found: Vec<&str> = res.hits.iter().map(|it| it.path.as_str()).collect();
            assert_eq!(found[..2], [first, "pages/common/tar.md"], "{preferred}: {found:?}");
        }
    }

    #[test]
    fn preference_weights_favour_the_first_language_and_its_variants() {
        let weights = preference_weights(&["de-de".into(), "de".into(), "en".into()]);
        assert_eq!(preference_of(&weights, pack_language("de-de")), 2.0);
        assert!((preference_of(&weights, pack_language("de")) - 1.9).abs() < 1e-6);
        assert!((preference_of(&weights, pack_language("en")) - 4.0 / 3.0).abs() < 1e-6);
        assert_eq!(preference_of(&weights, pack_language("fr")), 1.0);
    }

    fn index() -> (tempfile::TempDir, SearchIndex) {
        let dir = tempfile::tempdir().unwrap();
        let index = SearchIndex::open(dir.path()).unwrap();
        let docs = vec![
            document(
                "it/vpn-access.md",
                "Getting VPN access",
                "Request remote access through the portal.",
                &["onboarding"],
                "page",
            ),
            document("hr/holidays.md", "Holidays", "How many vacation days you get.", &["hr"], "page"),
            document(
                "questions/printer.md",
                "Where is the printer?",
                "I cannot find the printer on floor 2.",
                &[],
                "question",
            ),
        ];
        index.rebuild(docs.into_iter(), "abc", true).unwrap();
        (dir, index)
    }

    #[track_caller]
    fn check(index: &SearchIndex, query: &str, expected_first: &str) -> SearchResults {
        let res = index.search(&SearchQuery::parse(query), 10, 0).unwrap();
        assert_eq!(res.hits.first().map(|it| it.path.as_str()), Some(expected_first), "{query:?} → {res:?}");
        res
    }

    #[test]
    fn finds_by_title_body_and_synonym() {
        let (_dir, index) = index();
        check(&index, "vpn access", "it/vpn-access.md");
        check(&index, "remote portal ", "it/vpn-access.md");
        check(&index, "pto ", "hr/holidays.md");
        assert_eq!(index.indexed_head().as_deref(), Some("abc"));
    }

    #[test]
    fn filters_and_facets() {
        let (_dir, index) = index();
        let res = index.search(&SearchQuery::parse("kind:question"), 10, 0).unwrap();
        assert_eq!(res.total, 1);
        let res = index.search(&SearchQuery::parse("in:it"), 10, 0).unwrap();
        assert_eq!(res.total, 1);
        let res = index.search(&SearchQuery::parse("author:ann tag:onboarding"), 10, 0).unwrap();
        assert_eq!(res.total, 1);
        assert_eq!(res.tags[0].value, "onboarding");
    }

    #[test]
    fn typos_are_corrected() {
        let (_dir, index) = index();
        let res = check(&index, "prnter ", "questions/printer.md");
        assert_eq!(res.showing_results_for.as_deref(), Some("printer"));
        let res = check(&index, "vacaiton", "hr/holidays.md");
        assert_eq!(res.showing_results_for.as_deref(), Some("vacation"));
    }

    #[test]
    fn prefix_of_the_last_word() {
        let (_dir, index) = index();
        check(&index, "holi", "hr/holidays.md");
        let suggestions = index.suggest("get", 5, &|_| true).unwrap();
        assert_eq!(suggestions[0].title, "Getting VPN access");
    }

    #[test]
    fn snippets_mark_matches() {
        let (_dir, index) = index();
        let res = check(&index, "portal ", "it/vpn-access.md");
        assert!(res.hits[0].snippet_html.contains("<mark>portal</mark>"), "{:?}", res.hits[0].snippet_html);
    }

    #[test]
    fn spelling_correction_prefers_the_frequent_near_word() {
        let dir = tempfile::tempdir().unwrap();
        let index = SearchIndex::open(dir.path()).unwrap();
        let mut docs = vec![
            document("typo.md", "Notes", "The onbording checklist.", &[], "page"),
            document("mail.md", "Mail", "What we recieved today.", &[], "page"),
        ];
        for i in 0..12 {
            docs.push(document(&format!("onboarding-{i}.md"), "Welcome", "Your onboarding week.", &[], "page"));
        }
        for i in 0..5 {
            docs.push(document(&format!("mail-{i}.md"), "Post", "How to receive parcels.", &[], "page"));
        }
        index.rebuild(docs.into_iter(), "abc", true).unwrap();
        let res = index.search(&SearchQuery::parse("onbaording"), 20, 0).unwrap();
        assert_eq!(res.showing_results_for.as_deref(), Some("onboarding"), "{res:?}");
        assert_eq!(res.total, 12);
        // The stemmer finds the one page with "recieved"; the correction offered is the common word.
        let res = index.search(&SearchQuery::parse("recieve"), 20, 0).unwrap();
        assert_eq!(res.did_you_mean.as_deref(), Some("receive"), "{res:?}");
    }

    #[test]
    fn duplicate_hints_rank_a_question_contained_in_the_new_one_first() {
        let dir = tempfile::tempdir().unwrap();
        let index = SearchIndex::open(dir.path()).unwrap();
        let mut docs = vec![document(
            "questions/how-do-i-ask-a-question.md",
            "How do I ask a question?",
            "Open the ask page and write it down.",
            &[],
            "question",
        )];
        for i in 0..12 {
            let body = "Onboarding: your onboarding buddy answers every onboarding question you ask.";
            docs.push(document(&format!("onboarding/week-{i}.md"), "Onboarding week", body, &[], "page"));
        }
        // One page holds every word, so a search (every word must match) finds only it.
        let body = "How do I ask a question about onboarding? Ask your onboarding buddy.";
        docs.push(document("onboarding/faq.md", "Onboarding FAQ", body, &[], "page"));
        index.rebuild(docs.into_iter(), "abc", true).unwrap();
        let asked = "How do I ask a question about onboarding?";
        let all_words = index.search(&SearchQuery::parse(asked), 5, 0).unwrap();
        assert!(
            all_words.hits.iter().all(|it| it.kind != "question"),
            "every word must match in a search, so the duplicate is missed: {all_words:?}"
        );
        let res = index.similar(&SearchQuery::similar_to(asked), 5).unwrap();
        assert_eq!(res.hits[0].path, "questions/how-do-i-ask-a-question.md", "{res:?}");
        assert!(res.hits.len() <= 5);
    }

    #[test]
    fn shared_words_is_a_dice_coefficient() {
        let asked: HashSet<String> = ["how", "do", "i", "ask"].iter().map(|it| it.to_string()).collect();
        assert_eq!(shared_words(&asked, "How do I ask?"), 1.0);
        assert_eq!(shared_words(&asked, "Onboarding"), 0.0);
        assert_eq!(shared_words(&asked, "Ask Ann"), 2.0 * 1.0 / 6.0);
    }

    #[test]
    fn correction_cost_weighs_frequency_against_distance() {
        assert!(correction_cost(1, 146) < correction_cost(1, 1));
        assert!(correction_cost(1, 1) < correction_cost(2, 5), "a rare word an edit closer beats a common one");
        assert!(correction_cost(2, 5_000) < correction_cost(1, 1), "a very common word wins over one rare typo");
    }

    #[test]
    fn edit_distances() {
        assert_eq!(edit_distance("prnter", "printer", 2), Some(1));
        assert_eq!(edit_distance("abc", "xyz", 2), None);
        assert_eq!(edit_distance("onbaording", "onboarding", 2), Some(1), "a swap is one edit");
        assert_eq!(edit_distance("onbaording", "onbording", 2), Some(1));
        assert_eq!(edit_distance("recieve", "receive", 1), Some(1));
        assert_eq!(edit_distance("ab", "ba", 1), Some(1));
        assert_eq!(edit_distance("ca", "abc", 3), Some(3), "optimal string alignment: no edit inside a swap");
    }
}
