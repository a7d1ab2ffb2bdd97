//! Questions and answers on the site: ask, answer, accept, promote to a page, and list questions by
//! latest activity. Every action is one commit; concurrent answers never touch the same file.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::Utc;
use serde::Serialize;

use super::commits::{Attempt, Committer};
use super::{Site, Snapshot};
use crate::content::PageKind;
use crate::content::questions::{self, QuestionInfo, Status};
use crate::content::{PageMeta, RepoPath, path};
use crate::store::{CommitInfo, FileEdit, ObjectId};
use crate::{Error, Result};

/// A question as lists show it.
#[derive(Debug, Clone, Serialize)]
pub struct QuestionSummary {
    pub slug: String,
    pub path: String,
    pub url: String,
    pub title: String,
    pub tags: Vec<String>,
    pub status: Status,
    pub asked_by: Option<String>,
    pub n_answers: usize,
    /// Seconds since the Unix epoch of the newest change to the question or its answers.
    pub last_activity: i64,
}

/// An answer with what its page shows.
#[derive(Debug, Clone)]
pub struct AnswerEntry {
    pub id: String,
    pub path: RepoPath,
    pub meta: Arc<PageMeta>,
    pub author: Option<String>,
    pub answered_at: Option<String>,
    pub accepted: bool,
    pub last_change: Option<Arc<CommitInfo>>,
}

/// Longest question title, in characters.
const MAX_TITLE_CHARS: usize = 300;

impl Site {
    /// Asks a question: a new `questions/<slug>.md` in one commit. A taken slug gets `-2`, `-3`, ….
    pub(super) fn ask(&self, title: &str, body: &str, tags: &[String], author: &Committer) -> Result<RepoPath> {
        let title = title.trim();
        if title.is_empty() {
            return Err(Error::bad_input("a question needs a title"));
        }
        if title.chars().count() > MAX_TITLE_CHARS {
            return Err(Error::bad_input(format!("a title has at most {MAX_TITLE_CHARS} characters")));
        }
        if body.trim().is_empty() {
            return Err(Error::bad_input("a question needs a body: say what you tried and what you need"));
        }
        let base = questions::slugify(title);
        let asked_by = format!("{} <{}>", author.name, author.email);
        let asked_at = Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let text = questions::question_file(title, tags, &asked_by, &asked_at, body);
        // The limit is on the file as stored, front matter included, so everything accepted also renders.
        self.check_size(&text)?;
        let mut chosen = None;
        self.commit_retrying(author, |head| {
            let mut n = 1;
            let path = loop {
                let slug = if n == 1 { base.clone() } else { format!("{base}-{n}") };
                let path = RepoPath::parse(&format!("{}/{slug}.md", questions::FOLDER))?;
                // A title like "Con?" makes a slug Windows reserves: skip it as if taken.
                if self.blob_at(head, &path)?.is_none()
                    && path::unportable_name(path.file_name()).is_none()
                    && !self.has_case_twin(head, &path)?
                {
                    break path;
                }
                n += 1;
            };
            self.check_new_names(head, &path)?;
            let edits = vec![FileEdit::Write { path: path.as_str().to_string(), content: text.clone().into_bytes() }];
            chosen = Some(path);
            Ok(Attempt::<()>::Commit { edits, message: format!("Ask: {title}") })
        })?;
        Ok(chosen.expect("a commit attempt chose the path"))
    }

    /// Answers a question: a new `questions/<slug>/<id>.md` in one commit.
    pub(super) fn answer(&self, slug: &str, body: &str, author: &Committer) -> Result<(String, RepoPath)> {
        if body.trim().is_empty() {
            return Err(Error::bad_input("an answer needs a body"));
        }
        // The front matter adds well under a kilobyte; the file as stored is checked again below.
        self.check_size(body)?;
        let question = question_path(slug)?;
        let snapshot = self.snapshot();
        let title = snapshot
            .pages
            .get(&question)
            .map(|it| it.title.clone())
            .ok_or_else(|| Error::NotFound(format!("question {slug}")))?;
        let author_line = format!("{} <{}>", author.name, author.email);
        let mut chosen = None;
        self.commit_retrying(author, |head| {
            if self.blob_at(head, &question)?.is_none() {
                return Err(Error::NotFound(format!("question {slug}")));
            }
            let now = Utc::now();
            let (id, path) = loop {
                let mut random = [0u8; 4];
                getrandom::fill(&mut random).expect("the operating system provides randomness");
                let id = questions::answer_id(now, u32::from_le_bytes(random));
                let path = answer_path(slug, &id)?;
                if self.blob_at(head, &path)?.is_none() {
                    break (id, path);
                }
            };
            let text =
                questions::answer_file(&author_line, &now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true), body);
            self.check_size(&text)?;
            let edits = vec![FileEdit::Write { path: path.as_str().to_string(), content: text.into_bytes() }];
            chosen = Some((id, path));
            Ok(Attempt::<()>::Commit { edits, message: format!("Answer: {title}") })
        })?;
        Ok(chosen.expect("a commit attempt chose the id"))
    }

    /// Accepts an answer: the question becomes `answered` with `accepted: <id>`, in one commit.
    pub(super) fn accept(&self, slug: &str, answer_id: &str, author: &Committer) -> Result<ObjectId> {
        let question = question_path(slug)?;
        let answer = answer_path(slug, answer_id).map_err(|_| Error::bad_input("not an answer id"))?;
        let committed = self.commit_retrying(author, |head| {
            let current = self.blob_at(head, &question)?.ok_or_else(|| Error::NotFound(format!("question {slug}")))?;
            if self.blob_at(head, &answer)?.is_none() {
                let elsewhere = self
                    .snapshot()
                    .pages
                    .keys()
                    .any(|it| PageKind::of(it.as_str()) == PageKind::Answer && it.file_stem() == answer_id);
                return Err(if elsewhere {
                    Error::bad_input(format!("{answer_id} is not an answer to this question"))
                } else {
                    Error::NotFound(format!("answer {answer_id}"))
                });
            }
            let text = String::from_utf8_lossy(&self.store.read_blob(current)?).into_owned();
            let accepted = questions::accept(&text, answer_id)
                .map_err(|err| Error::bad_input(format!("cannot update the question: {err}")))?;
            let title = self.meta(&question, current)?.title.clone();
            let edits = vec![FileEdit::Write { path: question.as_str().to_string(), content: accepted.into_bytes() }];
            Ok(Attempt::<()>::Commit { edits, message: format!("Accept an answer to: {title}") })
        })?;
        committed.commit_id()
    }

    /// Turns a question into a wiki page at `to` (by default the question and its accepted answer), and
    /// links the two: the page names its source, the question records `promoted_to`. One commit.
    pub(super) fn promote(&self, slug: &str, to: &RepoPath, markdown: &str, author: &Committer) -> Result<ObjectId> {
        let question = question_path(slug)?;
        if to.as_str().starts_with(&format!("{}/", questions::FOLDER)) {
            return Err(Error::bad_input("promote to a page outside questions/"));
        }
        self.check_size(markdown)?;
        let committed = self.commit_retrying(author, |head| {
            let current = self.blob_at(head, &question)?.ok_or_else(|| Error::NotFound(format!("question {slug}")))?;
            if self.blob_at(head, to)?.is_some() {
                return Err(Error::bad_input(format!("a page already exists at {to}")));
            }
            self.check_new_names(head, to)?;
            let question_text = String::from_utf8_lossy(&self.store.read_blob(current)?).into_owned();
            let marked = questions::mark_promoted(&question_text, to.as_str()).map_err(Error::BadInput)?;
            let title = self.meta(&question, current)?.title.clone();
            let edits = vec![
                FileEdit::Write { path: to.as_str().to_string(), content: markdown.as_bytes().to_vec() },
                FileEdit::Write { path: question.as_str().to_string(), content: marked.into_bytes() },
            ];
            Ok(Attempt::<()>::Commit { edits, message: format!("Promote question to page: {title}") })
        })?;
        committed.commit_id()
    }

    /// The page a promotion starts from: the question's title and body, then the accepted answer, and a
    /// link back to the question.
    pub(super) fn promoted_text(&self, snapshot: &Snapshot, slug: &str) -> Result<String> {
        let question = question_path(slug)?;
        let source =
            self.page_source(snapshot, &question)?.ok_or_else(|| Error::NotFound(format!("question {slug}")))?;
        let info = questions::question_info(&source.meta.front_matter);
        let body = crate::content::front_matter::split(&source.text).body.trim().to_string();
        let mut front = serde_yaml::Mapping::new();
        front.insert("title".into(), source.meta.title.clone().into());
        let tags = source.meta.front_matter.tags.iter().map(|it| serde_yaml::Value::from(it.as_str())).collect();
        front.insert("tags".into(), serde_yaml::Value::Sequence(tags));
        front.insert("source".into(), question.as_str().into());
        let yaml = serde_yaml::to_string(&serde_yaml::Value::Mapping(front))
            .map_err(|err| Error::Repository(err.to_string()))?;
        let mut res = format!("---\n{yaml}---\n\n");
        res.push_str(&format!(
            "> [!NOTE]\n> This page grew out of the question [{}]({}).\n\n",
            source.meta.title.replace(']', "\\]"),
            question.url()
        ));
        res.push_str("## The question\n\n");
        res.push_str(&body);
        res.push_str("\n\n## The answer\n\n");
        if let Some(answer_id) = &info.accepted
            && let Ok(answer) = answer_path(slug, answer_id)
            && let Some(answer) = self.page_source(snapshot, &answer)?
        {
            res.push_str(crate::content::front_matter::split(&answer.text).body.trim());
            res.push('\n');
        }
        Ok(res)
    }

    /// A question's answers: accepted first, then oldest first.
    pub(super) fn answers(&self, snapshot: &Snapshot, slug: &str, info: &QuestionInfo) -> Vec<AnswerEntry> {
        let folder = format!("{}/{slug}/", questions::FOLDER);
        let mut res: Vec<AnswerEntry> = snapshot
            .files_under(&folder)
            .filter_map(|(path, _)| RepoPath::parse(path).ok())
            .filter(|path| path.folder() == folder)
            .filter_map(|path| snapshot.pages.get(&path).map(|meta| (path.clone(), meta.clone())))
            .map(|(path, meta)| {
                let answer = questions::answer_info(&meta.front_matter);
                let id = path.file_stem().to_string();
                AnswerEntry {
                    accepted: info.accepted.as_deref() == Some(id.as_str()),
                    id,
                    last_change: self.last_change(path.as_str()),
                    path,
                    meta: meta.meta,
                    author: answer.author,
                    answered_at: answer.answered_at,
                }
            })
            .collect();
        res.sort_by(|a, b| b.accepted.cmp(&a.accepted).then_with(|| a.id.cmp(&b.id)));
        res
    }

    /// Every question of `snapshot`, newest activity first.
    pub(super) fn questions(&self, snapshot: &Snapshot) -> Vec<QuestionSummary> {
        let prefix = format!("{}/", questions::FOLDER);
        let mut n_answers: BTreeMap<&str, (usize, i64)> = BTreeMap::new();
        for path in snapshot.pages.keys().filter(|it| PageKind::of(it.as_str()) == PageKind::Answer) {
            let slug = path.as_str()[prefix.len()..].split('/').next().unwrap_or_default();
            let time = self.last_change(path.as_str()).map_or(0, |it| it.time);
            let entry = n_answers.entry(slug).or_default();
            entry.0 += 1;
            entry.1 = entry.1.max(time);
        }
        let mut res: Vec<QuestionSummary> = snapshot
            .pages
            .iter()
            .filter(|(path, _)| PageKind::of(path.as_str()) == PageKind::Question)
            .map(|(path, meta)| {
                let info = questions::question_info(&meta.front_matter);
                let slug = path.file_stem().to_string();
                let (answers, answered_at) = n_answers.get(slug.as_str()).copied().unwrap_or_default();
                let asked = self.last_change(path.as_str()).map_or(0, |it| it.time);
                QuestionSummary {
                    url: path.url(),
                    path: path.as_str().to_string(),
                    title: meta.title.clone(),
                    tags: meta.front_matter.tags.clone(),
                    status: info.status,
                    asked_by: info.asked_by,
                    n_answers: answers,
                    last_activity: asked.max(answered_at),
                    slug,
                }
            })
            .collect();
        res.sort_by(|a, b| b.last_activity.cmp(&a.last_activity).then_with(|| a.slug.cmp(&b.slug)));
        res
    }

    /// How many questions of `snapshot` wait for an answer.
    pub(super) fn open_questions(&self, snapshot: &Snapshot) -> usize {
        let folder = format!("{}/", questions::FOLDER);
        snapshot
            .files_under(&folder)
            .filter(|(path, _)| PageKind::of(path) == PageKind::Question)
            .filter_map(|(path, _)| RepoPath::parse(path).ok())
            .filter(|path| {
                snapshot
                    .pages
                    .get(path)
                    .is_some_and(|meta| questions::question_info(&meta.front_matter).status == Status::Open)
            })
            .count()
    }

    fn check_size(&self, text: &str) -> Result<()> {
        let size = text.len() as u64;
        if size > self.config.max_page_bytes {
            return Err(Error::TooLarge { what: "the text", size, limit: self.config.max_page_bytes });
        }
        Ok(())
    }
}

/// `questions/<slug>.md`.
pub fn question_path(slug: &str) -> Result<RepoPath> {
    if slug.is_empty() || slug.contains('/') {
        return Err(Error::NotFound(format!("question {slug}")));
    }
    RepoPath::parse(&format!("{}/{slug}.md", questions::FOLDER))
        .map_err(|_| Error::NotFound(format!("question {slug}")))
}

/// `questions/<slug>/<id>.md`.
pub fn answer_path(slug: &str, id: &str) -> Result<RepoPath> {
    if id.is_empty() || id.contains('/') || slug.contains('/') {
        return Err(Error::NotFound(format!("answer {id}")));
    }
    RepoPath::parse(&format!("{}/{slug}/{id}.md", questions::FOLDER))
        .map_err(|_| Error::NotFound(format!("answer {id}")))
}
