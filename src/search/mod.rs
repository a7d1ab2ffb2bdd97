//! Full-text search: a tantivy index of every page, question and answer, kept in the data folder and
//! caught up incrementally as commits arrive. Knows nothing of git or HTTP: `Site` feeds it documents.

pub mod query;

use parking_lot::Mutex;
use std::collections::{HashMap, HashSet};
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
use tantivy::{DocAddress, Index, IndexReader, IndexWriter, ReloadPolicy, Score, SegmentReader, Term, doc};

pub use query::SearchQuery;

use crate::{Error, Result};

/// Bumped whenever the schema or what is indexed changes; an index of another version is rebuilt.
// 2: block boundaries separate words in the indexed text.
const SCHEMA_VERSION: u32 = 2;

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
    title: Field,
    title_exact: Field,
    headings: Field,
    body: Field,
    exact: Field,
    answer: Field,
    tags: Field,
    kind: Field,
    authors: Field,
    facets: Field,
    updated_at: Field,
    updated_by: Field,
}

/// The search index on disk, its writer and a reader.
pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    fields: Fields,
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
                Index::create_in_dir(dir, schema).map_err(search_error)?
            }
        };
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into().map_err(search_error)?;
        let writer: IndexWriter = index.writer(WRITER_HEAP_BYTES).map_err(search_error)?;
        // Every save commits a one-document segment. tantivy's default policy counts every segment under
        // 10,000 documents as one size, so every eighth save merged the whole 10,000-page segment again (most
        // of the indexer's ~30 ms of CPU per save). Small segments now merge among themselves, and the big
        // one only when a fifth of it has been replaced.
        let mut merge_policy = LogMergePolicy::default();
        merge_policy.set_min_layer_size(64);
        merge_policy.set_del_docs_ratio_before_merge(0.2);
        writer.set_merge_policy(Box::new(merge_policy));
        let committed = Mutex::new(stored_payload(&index));
        Ok(SearchIndex { index, reader, writer: Mutex::new(writer), fields, committed })
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
                let title = first_text(&doc, f.title);
                let url = first_text(&doc, f.url);
                if !is_heading {
                    if seen.insert(url.clone()) {
                        res.push(Suggestion { path, title, page_title: None, url, kind: "title" });
                    }
                    continue;
                }
                for heading in doc.get_all(f.headings).filter_map(|it| it.as_str()) {
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
        let text_query = self.text_query(query, words, occur, fuzzy)?;
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
        let top_docs =
            TopDocs::with_limit(limit.max(1)).and_offset(offset).tweak_score(move |segment: &SegmentReader| {
                let updated = segment.fast_fields().i64("updated_at").ok().map(|it| it.first_or_default_col(0));
                move |doc, score: Score| {
                    // Recent pages get a modest boost: up to 10% for today, half of that after a year.
                    let age_days =
                        updated.as_ref().map_or(3650.0, |it| ((now - it.get_val(doc)).max(0) as f32) / 86_400.0);
                    score * (1.0 + 0.1 * (-age_days / 525.0).exp())
                }
            });
        let mut facet_collector = FacetCollector::for_field("facets");
        for root in ["/tag", "/kind", "/folder"] {
            facet_collector.add_facet(Facet::from(root));
        }
        let (top, total, facets) = searcher.search(&full, &(top_docs, Count, facet_collector)).map_err(search_error)?;
        let mut body_snippets = SnippetGenerator::create(&searcher, &*full, self.fields.body).map_err(search_error)?;
        body_snippets.set_max_num_chars(220);
        let mut answer_snippets =
            SnippetGenerator::create(&searcher, &*full, self.fields.answer).map_err(search_error)?;
        answer_snippets.set_max_num_chars(220);
        let mut hits = Vec::with_capacity(top.len());
        for (score, address) in top {
            hits.push(self.hit(&searcher, address, score, &body_snippets, &answer_snippets)?);
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
            showing_results_for: None,
            did_you_mean: None,
        })
    }

    fn hit(
        &self,
        searcher: &tantivy::Searcher,
        address: DocAddress,
        score: f32,
        body: &SnippetGenerator,
        answer: &SnippetGenerator,
    ) -> Result<Hit> {
        let f = self.fields;
        let doc: TantivyDocument = searcher.doc(address).map_err(search_error)?;
        let snippet_html = {
            let mut snippet = body.snippet_from_doc(&doc);
            snippet.set_snippet_prefix_postfix("<mark>", "</mark>");
            let html = snippet.to_html();
            if html.trim().is_empty() {
                let text: String = first_text(&doc, f.body).chars().take(200).collect();
                html_escape(&text)
            } else {
                html
            }
        };
        let answer_snippet_html =
            doc.get_first(f.answer).and_then(|it| it.as_str()).filter(|it| !it.is_empty()).map(|text| {
                let mut snippet = answer.snippet_from_doc(&doc);
                snippet.set_snippet_prefix_postfix("<mark>", "</mark>");
                let html = snippet.to_html();
                if html.trim().is_empty() { html_escape(&text.chars().take(200).collect::<String>()) } else { html }
            });
        Ok(Hit {
            path: first_text(&doc, f.path),
            url: first_text(&doc, f.url),
            title: first_text(&doc, f.title),
            kind: first_text(&doc, f.kind),
            snippet_html,
            answer_snippet_html,
            score,
            tags: doc.get_all(f.tags).filter_map(|it| it.as_str().map(str::to_string)).collect(),
            updated_at: doc.get_first(f.updated_at).and_then(|it| it.as_i64()).unwrap_or_default(),
            updated_by: first_text(&doc, f.updated_by),
        })
    }

    // One clause per word (all must match, or any), each word matching its stem in title, headings, body
    // and accepted answer, plus synonyms; the last word also as a prefix; phrases as exact phrases.
    fn text_query(
        &self,
        query: &SearchQuery,
        words: &[String],
        occur: Occur,
        fuzzy: bool,
    ) -> Result<Option<Box<dyn Query>>> {
        let f = self.fields;
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for (i, word) in words.iter().enumerate() {
            let mut alternatives: Vec<(Occur, Box<dyn Query>)> = Vec::new();
            let mut variants = vec![(word.clone(), 1.0)];
            variants.extend(synonyms(word).into_iter().map(|it| (it.to_string(), 0.6)));
            for (variant, weight) in variants {
                let stems = self.stems(f.body, &variant)?;
                for stem in stems {
                    for (field, boost) in [(f.title, 3.0), (f.headings, 2.0), (f.body, 1.0), (f.answer, 0.8)] {
                        alternatives.push((Occur::Should, boosted(term_query(field, &stem), boost * weight)));
                    }
                }
            }
            let is_last = i + 1 == words.len();
            let n_chars = word.chars().count();
            if is_last && query.last_word_is_prefix && (2..=MAX_PREFIX_CHARS).contains(&n_chars) {
                alternatives.push((Occur::Should, boosted(prefix_query(f.exact, word)?, 0.5)));
                alternatives.push((Occur::Should, boosted(prefix_query(f.title_exact, word)?, 1.5)));
            }
            if fuzzy && (4..=MAX_PREFIX_CHARS).contains(&n_chars) {
                let distance = if word.chars().count() <= 6 { 1 } else { 2 };
                let term = Term::from_field_text(f.exact, word);
                alternatives.push((Occur::Should, Box::new(FuzzyTermQuery::new(term, distance, true))));
            }
            clauses.push((occur, Box::new(BooleanQuery::new(alternatives))));
        }
        for phrase in &query.phrases {
            let terms: Vec<Term> = phrase.iter().map(|it| Term::from_field_text(f.exact, it)).collect();
            clauses.push((Occur::Must, Box::new(PhraseQuery::new(terms))));
        }
        if words.len() >= 2 {
            // Pages holding the words as typed, side by side, rank higher.
            let terms: Vec<Term> = words.iter().map(|it| Term::from_field_text(f.exact, it)).collect();
            clauses.push((Occur::Should, boosted(Box::new(PhraseQuery::new(terms)), 2.0)));
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
        let missing: Vec<usize> = (0..words.len())
            .filter(|i| words[*i].chars().count() <= MAX_PREFIX_CHARS)
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

    fn stems(&self, field: Field, word: &str) -> Result<Vec<String>> {
        let mut analyzer = self.index.tokenizer_for_field(field).map_err(search_error)?;
        let mut stream = analyzer.token_stream(word);
        let mut res = Vec::new();
        while stream.advance() {
            res.push(stream.token().text.clone());
        }
        Ok(res)
    }

    fn to_tantivy(&self, document: SearchDocument) -> TantivyDocument {
        let f = self.fields;
        let mut res = doc!(
            f.path => document.path.clone(),
            f.url => document.url,
            f.title => document.title.clone(),
            f.title_exact => document.title.clone(),
            f.body => document.body.clone(),
            f.kind => document.kind,
            f.updated_at => document.updated_at,
            f.updated_by => document.updated_by,
            f.facets => Facet::from_path(["kind", document.kind]),
        );
        let mut exact = format!("{}\n", document.title);
        for heading in &document.headings {
            res.add_text(f.headings, heading);
            exact.push_str(heading);
            exact.push('\n');
        }
        exact.push_str(&document.body);
        if let Some(answer) = &document.accepted_answer {
            res.add_text(f.answer, answer);
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
    let index = Index::open_in_dir(dir).ok()?;
    stored_payload(&index)?;
    if index.schema() != schema().0 {
        return None;
    }
    // Opening a reader checks that the segments the metadata lists are readable.
    index.reader().ok()?.searcher().segment_readers().iter().all(|it| it.num_docs() <= it.max_doc()).then_some(index)
}

fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let stemmed = |stored: bool| {
        let indexing = TextFieldIndexing::default()
            .set_tokenizer("en_stem")
            .set_index_option(IndexRecordOption::WithFreqsAndPositions);
        let options = TextOptions::default().set_indexing_options(indexing);
        if stored { options.set_stored() } else { options }
    };
    let exact = |stored: bool| {
        let indexing = TextFieldIndexing::default()
            .set_tokenizer("default")
            .set_index_option(IndexRecordOption::WithFreqsAndPositions);
        let options = TextOptions::default().set_indexing_options(indexing);
        if stored { options.set_stored() } else { options }
    };
    let fields = Fields {
        path: builder.add_text_field("path", STRING | STORED),
        url: builder.add_text_field("url", STORED),
        title: builder.add_text_field("title", stemmed(true)),
        title_exact: builder.add_text_field("title_exact", exact(false)),
        headings: builder.add_text_field("headings", stemmed(true)),
        body: builder.add_text_field("body", stemmed(true)),
        exact: builder.add_text_field("exact", exact(false)),
        answer: builder.add_text_field("answer", stemmed(true)),
        tags: builder.add_text_field("tags", STRING | STORED),
        kind: builder.add_text_field("kind", STRING | STORED),
        authors: builder.add_text_field("authors", exact(false)),
        facets: builder.add_facet_field("facets", FacetOptions::default()),
        updated_at: builder.add_i64_field("updated_at", FAST | STORED),
        updated_by: builder.add_text_field("updated_by", STORED),
    };
    (builder.build(), fields)
}

fn term_query(field: Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(Term::from_field_text(field, text), IndexRecordOption::WithFreqs))
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
        }
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
