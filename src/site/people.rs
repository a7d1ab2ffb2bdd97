//! Knowledge that outlasts its authors: who wrote the lines still standing on each page (the authorship
//! index, built once from history and updated as pages change), people and their expertise, the review
//! radar, verification and hand-over of pages.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use super::commits::{Attempt, Committer};
use super::reader::Reader;
use super::{Site, Snapshot, Text};
use crate::content::PageKind;
use crate::content::questions::{self, question_of_answer};
use crate::content::stewardship::{self, PersonStatus, ReviewState};
use crate::content::{RepoPath, front_matter};
use crate::search::SearchQuery;
use crate::store::{FileEdit, ObjectId, Person};
use crate::{Error, Result};

/// A contributor and what they know.
#[derive(Debug, Clone, Serialize)]
pub struct PersonSummary {
    pub email: String,
    pub name: String,
    /// Lines they wrote that are still on today's pages.
    pub surviving_lines: usize,
    /// Pages where they wrote the most, with their share of lines.
    pub pages: Vec<PageShare>,
    pub n_commits: usize,
    pub last_active: i64,
    pub n_answers: usize,
    pub n_accepted: usize,
    /// Tags of the pages they wrote, by surviving lines.
    pub tags: Vec<(String, usize)>,
    /// From `people.yaml`: departed or inactive.
    pub status: Option<PersonStatus>,
}

/// Someone's lines on one page.
#[derive(Debug, Clone, Serialize)]
pub struct PageShare {
    pub path: String,
    pub url: String,
    pub title: String,
    pub lines: usize,
    pub total_lines: usize,
    pub top_author: bool,
}

/// An expert for a topic.
#[derive(Debug, Clone, Serialize)]
pub struct Expert {
    pub email: String,
    pub name: String,
    pub score: usize,
    pub surviving_lines: usize,
    pub accepted_answers: usize,
    pub url: String,
    pub inactive: bool,
}

/// Why a page needs attention.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Reason {
    PastReviewDate {
        since: NaiveDate,
    },
    OwnerDeparted {
        owner: String,
    },
    OwnerInactive {
        owner: String,
    },
    TopAuthorDeparted {
        name: String,
        email: String,
    },
    Unanswered {
        days: i64,
    },
    BrokenLinks {
        n: usize,
    },
    /// In a hand-over list of someone still here: they own it.
    OwnedBy {
        owner: String,
    },
    /// In a hand-over list of someone still here: they wrote most of it.
    MostlyWrittenBy {
        name: String,
        email: String,
    },
    /// In the list of pages nobody owns.
    NoOwner,
    /// In the list of pages nobody has edited or verified for a year: the later of the two.
    Untouched {
        since: NaiveDate,
    },
}

/// How well the wiki is kept beyond what is overdue: pages nobody owns and pages nobody has touched for a
/// year, among the pages (not questions) a reader may read. A wiki whose pages have no owners and no review
/// dates is never overdue, so the radar shows this too, and never calls such a wiki well kept.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Upkeep {
    pub n_pages: usize,
    pub n_without_owner: usize,
    pub n_without_review_date: usize,
    /// Last edited and last verified over a year ago, and not kept current by a review period of their own.
    pub n_untouched: usize,
    /// The pages [`UpkeepList`] asked for: nobody owns them ([`Reason::NoOwner`]) or nobody touched them for a
    /// year ([`Reason::Untouched`]).
    pub pages: Vec<ReviewItem>,
}

/// Which pages [`Upkeep::pages`] lists besides the counts (listing costs more than counting).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpkeepList {
    Nothing,
    Unowned,
    Untouched,
}

/// A page untouched for longer than this counts as neglected on the radar.
const UNTOUCHED_DAYS: i64 = 365;

/// A page (or question) on the review radar.
#[derive(Debug, Clone, Serialize)]
pub struct ReviewItem {
    pub path: String,
    pub url: String,
    pub title: String,
    pub kind: &'static str,
    pub owners: Vec<String>,
    pub reasons: Vec<Reason>,
    pub last_edit: i64,
    pub top_author: Option<String>,
    pub blob: ObjectId,
}

/// A page's health, shown on the page.
#[derive(Debug, Clone, Serialize)]
pub struct PageHealth {
    pub n_contributors: usize,
    pub n_incoming_links: usize,
    pub has_owner: bool,
    pub review: ReviewState,
    pub verified_on: Option<NaiveDate>,
    pub verified_by: Option<String>,
    pub owners: Vec<String>,
    pub departed_owners: Vec<String>,
}

/// Questions unanswered for longer than this show on the radar.
const UNANSWERED_DAYS: i64 = 7;

/// Accepted answers count like this many surviving lines when ranking experts.
const LINES_PER_ACCEPTED_ANSWER: usize = 25;

impl Site {
    /// The people `people.yaml` lists as departed or inactive, by e-mail (and by lowercased name).
    pub fn people_statuses(&self, snapshot: &Snapshot) -> HashMap<String, PersonStatus> {
        let Some(Ok(Some(Text::Lines(yaml)))) =
            snapshot.file(stewardship::PEOPLE_FILE).map(|it| self.text_of(Some(it)))
        else {
            return HashMap::new();
        };
        let (people, _) = stewardship::read_people(&yaml);
        let mut res = HashMap::new();
        for person in people {
            if let Some(name) = &person.name {
                res.insert(name.to_lowercase(), person.clone());
            }
            res.insert(person.email.clone(), person);
        }
        res
    }

    /// Everyone who has committed to what `reader` may read, with what they know, most surviving lines first.
    pub(super) fn people(&self, reader: &Reader) -> Result<Vec<PersonSummary>> {
        let mut res: Vec<PersonSummary> = self.person_summaries(reader)?.into_values().collect();
        res.sort_by(|a, b| {
            b.surviving_lines
                .cmp(&a.surviving_lines)
                .then_with(|| b.n_commits.cmp(&a.n_commits))
                .then_with(|| a.email.cmp(&b.email))
        });
        Ok(res)
    }

    /// Committers to what `reader` may read whose name or e-mail contains `query` (any case): names starting
    /// with it first, then by number of commits. Empty while the change index is being built.
    pub(super) fn people_matching(&self, reader: &Reader, query: &str, limit: usize) -> Vec<Person> {
        let Ok(index) = self.changes.ready_index() else { return Vec::new() };
        let query = query.trim().to_lowercase();
        let mut found: Vec<(bool, usize, Person)> = index
            .authors_of(|it| reader.can_read(it))
            .into_iter()
            .filter(|(email, name, _, _)| email.contains(&query) || name.to_lowercase().contains(&query))
            .map(|(email, name, n_commits, _)| {
                let starts = name.to_lowercase().starts_with(&query) || email.starts_with(&query);
                (starts, n_commits, Person { name, email })
            })
            .collect();
        found.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)).then_with(|| a.2.email.cmp(&b.2.email)));
        found.into_iter().take(limit).map(|it| it.2).collect()
    }

    // Everyone's summary, by e-mail, counting only commits, lines, pages and answers `reader` may read.
    pub(super) fn person_summaries(&self, reader: &Reader) -> Result<BTreeMap<String, PersonSummary>> {
        self.require_changes()?;
        let snapshot = reader.snapshot().as_ref();
        let statuses = self.people_statuses(snapshot);
        let mut res: BTreeMap<String, PersonSummary> = BTreeMap::new();
        let authors = self.changes.index().authors_of(|it| reader.can_read(it));
        for (email, name, n_commits, last_active) in authors {
            entry_insert(&mut res, &email, &name, &statuses);
            let person = res.get_mut(&email).expect("just inserted");
            person.n_commits = n_commits;
            person.last_active = last_active;
        }
        let mut tags: HashMap<String, HashMap<String, usize>> = HashMap::new();
        let authorship = self.authorship.entries.read();
        for (path, entry) in authorship.iter() {
            let Some(meta) = snapshot.pages.get(path) else { continue };
            let total: usize = entry.totals().map(|it| it.2).sum();
            for (i, (email, name, lines)) in entry.totals().enumerate() {
                if !res.contains_key(&email) {
                    entry_insert(&mut res, &email, name, &statuses);
                }
                let person = res.get_mut(&email).expect("inserted above");
                person.surviving_lines += lines;
                person.pages.push(PageShare {
                    path: path.as_str().to_string(),
                    url: path.url(),
                    title: meta.title.clone(),
                    lines,
                    total_lines: total,
                    top_author: i == 0,
                });
                for tag in &meta.front_matter.tags {
                    *tags.entry(email.clone()).or_default().entry(tag.to_lowercase()).or_default() += lines;
                }
            }
        }
        drop(authorship);
        for (_, answer_author, accepted) in self.answer_authors(snapshot) {
            if let Some(person) = res.get_mut(&answer_author) {
                person.n_answers += 1;
                person.n_accepted += usize::from(accepted);
            }
        }
        for person in res.values_mut() {
            person.pages.sort_by(|a, b| b.lines.cmp(&a.lines).then_with(|| a.path.cmp(&b.path)));
            let mut person_tags: Vec<(String, usize)> =
                tags.remove(&person.email).unwrap_or_default().into_iter().collect();
            person_tags.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            person_tags.truncate(10);
            person.tags = person_tags;
        }
        Ok(res)
    }

    // (question path, answer author e-mail, accepted) for every answer.
    fn answer_authors(&self, snapshot: &Snapshot) -> Vec<(String, String, bool)> {
        let folder = format!("{}/", questions::FOLDER);
        let mut res = Vec::new();
        for (file, _) in snapshot.files_under(&folder) {
            if PageKind::of(file) != PageKind::Answer {
                continue;
            }
            let Ok(path) = RepoPath::parse(file) else { continue };
            let Some(meta) = snapshot.pages.get(&path) else { continue };
            let author = questions::answer_info(&meta.front_matter)
                .author
                .map(|it| stewardship::email_of(&it))
                .or_else(|| self.last_change(file).map(|it| it.author.email.to_lowercase()));
            let Some(author) = author else { continue };
            let question = question_of_answer(file).unwrap_or_default();
            let accepted =
                RepoPath::parse(&question).ok().and_then(|it| snapshot.pages.get(&it).cloned()).is_some_and(|meta| {
                    questions::question_info(&meta.front_matter).accepted.as_deref() == Some(path.file_stem())
                });
            res.push((question, author, accepted));
        }
        res
    }

    /// Who knows about a topic, as `reader` may learn it: the authors of the lines still standing in the
    /// pages they may read that match the query, plus accepted answers; departed people are left out. For a
    /// question, its title's words (any of them) over everything but the question itself.
    pub(super) fn experts_excluding(
        &self,
        reader: &Reader,
        query: &str,
        limit: usize,
        question: Option<&RepoPath>,
    ) -> Result<Vec<Expert>> {
        let snapshot = reader.snapshot().as_ref();
        let mut search = SearchQuery::parse(query);
        search.any_word = question.is_some();
        let own_prefix = question.map(|it| format!("{}/", it.page_name()));
        let hits: Vec<_> = reader
            .search(&search, 50, 0)?
            .hits
            .into_iter()
            .filter(|hit| question.is_none_or(|it| hit.path != it.as_str()))
            .filter(|hit| own_prefix.as_ref().is_none_or(|prefix| !hit.path.starts_with(prefix.as_str())))
            .collect();
        // Lines count by how well their page matches: the best match fully, weaker ones less.
        let top_score = hits.first().map_or(1.0, |it| it.score.max(f32::EPSILON));
        let statuses = self.people_statuses(snapshot);
        let mut scores: HashMap<String, Expert> = HashMap::new();
        let mut add = |email: &str, name: &str, lines: usize, accepted: usize| {
            let expert = scores.entry(email.to_string()).or_insert_with(|| Expert {
                email: email.to_string(),
                name: name.to_string(),
                score: 0,
                surviving_lines: 0,
                accepted_answers: 0,
                url: format!("/-/people/{}", crate::content::path::url_for(email).trim_start_matches('/')),
                inactive: false,
            });
            expert.surviving_lines += lines;
            expert.accepted_answers += accepted;
            expert.score += lines + accepted * LINES_PER_ACCEPTED_ANSWER;
        };
        let answers = self.answer_authors(snapshot);
        for hit in &hits {
            let Ok(path) = RepoPath::parse(&hit.path) else { continue };
            // For a question's loose any-word match, weaker matches count less; a search's own hits count fully.
            let weight = if question.is_some() { (hit.score / top_score).clamp(0.0, 1.0) } else { 1.0 };
            if let Some(authorship) = self.authorship(&path) {
                for (email, name, lines) in authorship.totals() {
                    add(&email, name, (lines as f32 * weight).round() as usize, 0);
                }
            }
            if hit.kind == PageKind::Question.as_str() {
                for (question, author, accepted) in &answers {
                    if *accepted && question == &hit.path {
                        let name = self.person_name(author);
                        add(author, &name, 0, 1);
                    }
                }
            }
        }
        // Whoever asked the question is not the one to ask.
        let asker = question
            .and_then(|it| snapshot.pages.get(it))
            .and_then(|meta| questions::question_info(&meta.front_matter).asked_by)
            .map(|it| stewardship::email_of(&it));
        let mut res: Vec<Expert> = scores
            .into_values()
            .filter(|it| asker.as_ref() != Some(&it.email))
            .filter(|it| statuses.get(&it.email).is_none_or(|status| status.status != "departed"))
            // Lore's own identity (the starter content) and anonymous edits name nobody to ask.
            .filter(|it| it.email != Person::lore().email && it.email != "anonymous@localhost")
            .map(|mut it| {
                it.inactive = statuses.contains_key(&it.email);
                it
            })
            .collect();
        res.sort_by(|a, b| b.score.cmp(&a.score).then_with(|| a.email.cmp(&b.email)));
        res.truncate(limit);
        Ok(res)
    }

    fn person_name(&self, email: &str) -> String {
        self.changes.index().authors().into_iter().find(|it| it.0 == email).map_or_else(|| email.to_string(), |it| it.1)
    }

    /// A page's health: contributors, incoming links, owners and review state.
    pub(super) fn health(&self, snapshot: &Snapshot, path: &RepoPath) -> Option<PageHealth> {
        let meta = snapshot.pages.get(path)?;
        let steward = stewardship::stewardship(&meta.front_matter);
        let history = self.history(path).unwrap_or_default();
        let contributors: HashSet<String> = history.iter().map(|it| it.commit.author.email.to_lowercase()).collect();
        let last_edit = history.first().and_then(|it| DateTime::<Utc>::from_timestamp(it.commit.time, 0));
        let statuses = self.people_statuses(snapshot);
        let departed_owners = steward
            .owners
            .iter()
            .filter(|owner| owner_status(&statuses, owner).is_some_and(|it| it.status == "departed"))
            .cloned()
            .collect();
        Some(PageHealth {
            n_contributors: contributors.len(),
            n_incoming_links: snapshot.links.n_incoming(path),
            has_owner: !steward.owners.is_empty(),
            review: stewardship::review_state(&steward, last_edit, Utc::now().date_naive()),
            verified_on: steward.verified_on,
            verified_by: steward.verified_by.clone(),
            owners: steward.owners,
            departed_owners,
        })
    }

    /// Every page and question of `snapshot` that needs attention, with the reasons.
    pub(super) fn review_items(&self, snapshot: &Snapshot) -> Result<Vec<ReviewItem>> {
        self.require_changes()?;
        let statuses = self.people_statuses(snapshot);
        let today = Utc::now().date_naive();
        let now = Utc::now().timestamp();
        let mut res = Vec::new();
        for (path, meta) in snapshot.pages.iter() {
            if !super::is_searchable(path.as_str()) || PageKind::of(path.as_str()) == PageKind::Answer {
                continue;
            }
            let last = self.last_change(path.as_str());
            let last_edit = last.as_ref().and_then(|it| DateTime::<Utc>::from_timestamp(it.time, 0));
            let steward = stewardship::stewardship(&meta.front_matter);
            let mut reasons = Vec::new();
            if let ReviewState::NeedsReview { since } = stewardship::review_state(&steward, last_edit, today) {
                reasons.push(Reason::PastReviewDate { since });
            }
            for owner in &steward.owners {
                match owner_status(&statuses, owner).map(|it| it.status.as_str()) {
                    Some("departed") => reasons.push(Reason::OwnerDeparted { owner: owner.clone() }),
                    Some(_) => reasons.push(Reason::OwnerInactive { owner: owner.clone() }),
                    None => {}
                }
            }
            let authorship = self.authorship(path);
            let top = authorship.as_ref().and_then(|it| it.top_author().map(|(email, name)| (email, name.to_string())));
            if let Some((email, name)) = &top
                && statuses.get(email).is_some_and(|it| it.status == "departed")
            {
                reasons.push(Reason::TopAuthorDeparted { name: name.clone(), email: email.clone() });
            }
            if PageKind::of(path.as_str()) == PageKind::Question {
                let info = questions::question_info(&meta.front_matter);
                let asked = info
                    .asked_at
                    .as_deref()
                    .and_then(|it| DateTime::parse_from_rfc3339(it).ok())
                    .map(|it| it.timestamp())
                    .or_else(|| self.history(path).ok().and_then(|it| it.last().map(|first| first.commit.time)))
                    .unwrap_or(now);
                let days = (now - asked) / 86_400;
                let answered = info.status == questions::Status::Answered
                    || !self.answers(snapshot, path.file_stem(), &info).is_empty();
                if !answered && days > UNANSWERED_DAYS {
                    reasons.push(Reason::Unanswered { days });
                }
            }
            let n_broken = snapshot
                .links
                .outgoing(path)
                .iter()
                .filter(|it| matches!(it, crate::content::links::LinkEnd::Missing(_)))
                .count();
            if n_broken > 0 {
                reasons.push(Reason::BrokenLinks { n: n_broken });
            }
            if reasons.is_empty() {
                continue;
            }
            res.push(ReviewItem {
                path: path.as_str().to_string(),
                url: path.url(),
                title: meta.title.clone(),
                kind: PageKind::of(path.as_str()).as_str(),
                owners: steward.owners,
                reasons,
                last_edit: last.map_or(0, |it| it.time),
                top_author: top.map(|it| it.1),
                blob: meta.blob,
            });
        }
        Ok(res)
    }

    /// Owners and last touches over every page of `snapshot` (questions and answers aside), listing `list`.
    pub(super) fn upkeep(&self, snapshot: &Snapshot, list: UpkeepList) -> Result<Upkeep> {
        self.require_changes()?;
        let today = Utc::now().date_naive();
        let mut res = Upkeep::default();
        for (path, meta) in snapshot.pages.iter() {
            if !super::is_searchable(path.as_str()) || PageKind::of(path.as_str()) != PageKind::Page {
                continue;
            }
            res.n_pages += 1;
            let last = self.last_change(path.as_str());
            let last_edit = last.as_ref().and_then(|it| DateTime::<Utc>::from_timestamp(it.time, 0));
            let steward = stewardship::stewardship(&meta.front_matter);
            let item = |reason: Reason| ReviewItem {
                path: path.as_str().to_string(),
                url: path.url(),
                title: meta.title.clone(),
                kind: PageKind::Page.as_str(),
                owners: steward.owners.clone(),
                reasons: vec![reason],
                last_edit: last.as_ref().map_or(0, |it| it.time),
                top_author: None,
                blob: meta.blob,
            };
            if steward.owners.is_empty() {
                res.n_without_owner += 1;
                if list == UpkeepList::Unowned {
                    res.pages.push(item(Reason::NoOwner));
                }
            }
            if steward.review_every_days.is_none() {
                res.n_without_review_date += 1;
            }
            let touched = match (steward.verified_on, last_edit.map(|it| it.date_naive())) {
                (Some(verified), Some(edited)) => Some(verified.max(edited)),
                (verified, edited) => verified.or(edited),
            };
            let kept_current =
                matches!(stewardship::review_state(&steward, last_edit, today), ReviewState::Current { .. });
            if let Some(since) = touched
                && (today - since).num_days() > UNTOUCHED_DAYS
                && !kept_current
            {
                res.n_untouched += 1;
                if list == UpkeepList::Untouched {
                    res.pages.push(item(Reason::Untouched { since }));
                }
            }
        }
        Ok(res)
    }

    /// Everything of `snapshot` a person owned or mostly wrote: what to hand over when they leave.
    pub(super) fn orphaned_by(&self, snapshot: &Snapshot, email: &str) -> Result<Vec<ReviewItem>> {
        let email = email.trim().to_lowercase();
        let statuses = self.people_statuses(snapshot);
        let name = statuses.get(&email).and_then(|it| it.name.clone()).unwrap_or_default().to_lowercase();
        let mut res = Vec::new();
        for (path, meta) in snapshot.pages.iter() {
            if !super::is_searchable(path.as_str()) || PageKind::of(path.as_str()) == PageKind::Answer {
                continue;
            }
            let steward = stewardship::stewardship(&meta.front_matter);
            let owns = steward
                .owners
                .iter()
                .any(|it| stewardship::email_of(it) == email || (!name.is_empty() && it.to_lowercase() == name));
            let authorship = self.authorship(path);
            let top = authorship.as_ref().and_then(|it| it.top_author().map(|(e, n)| (e, n.to_string())));
            let wrote_most = top.as_ref().is_some_and(|it| it.0 == email);
            if !owns && !wrote_most {
                continue;
            }
            let departed = statuses.get(&email).is_some_and(|it| it.status == "departed");
            let mut reasons = Vec::new();
            if owns {
                let owner = email.clone();
                reasons.push(if departed { Reason::OwnerDeparted { owner } } else { Reason::OwnedBy { owner } });
            }
            if wrote_most {
                let (email, name) = top.clone().expect("checked above");
                reasons.push(if departed {
                    Reason::TopAuthorDeparted { name, email }
                } else {
                    Reason::MostlyWrittenBy { name, email }
                });
            }
            res.push(ReviewItem {
                path: path.as_str().to_string(),
                url: path.url(),
                title: meta.title.clone(),
                kind: PageKind::of(path.as_str()).as_str(),
                owners: steward.owners,
                reasons,
                last_edit: self.last_change(path.as_str()).map_or(0, |it| it.time),
                top_author: top.map(|it| it.1),
                blob: meta.blob,
            });
        }
        Ok(res)
    }

    /// Marks a page verified today by `author` (front matter `verified: {date, by}`), in one commit.
    pub(super) fn verify(&self, path: &RepoPath, author: &Committer) -> Result<ObjectId> {
        let today = Utc::now().format("%Y-%m-%d").to_string();
        let by = format!("{} <{}>", author.name, author.email);
        let committed = self.commit_retrying(author, |head| {
            let current = self.blob_at(head, path)?.ok_or_else(|| Error::NotFound(path.to_string()))?;
            let text = String::from_utf8_lossy(&self.store.read_blob(current)?).into_owned();
            let mut value = serde_yaml::Mapping::new();
            value.insert("date".into(), today.clone().into());
            value.insert("by".into(), by.clone().into());
            let verified = front_matter::set_fields(&text, &[("verified", serde_yaml::Value::Mapping(value))])
                .map_err(|err| Error::bad_input(format!("cannot mark as verified: {err}")))?;
            let title = self.meta(path, current)?.title.clone();
            let edits = vec![FileEdit::Write { path: path.as_str().to_string(), content: verified.into_bytes() }];
            Ok(Attempt::<()>::Commit { edits, message: format!("Verify {title}") })
        })?;
        committed.commit_id()
    }

    /// Gives `pages` to `new_owner` in one commit: owners that left (or `from`) are replaced.
    pub(super) fn hand_over(
        &self,
        pages: &[RepoPath],
        new_owner: &str,
        from: Option<&str>,
        author: &Committer,
    ) -> Result<ObjectId> {
        let new_owner = new_owner.trim();
        if new_owner.is_empty() || new_owner.contains('\n') {
            return Err(Error::bad_input("name the new owner"));
        }
        if pages.is_empty() {
            return Err(Error::bad_input("choose at least one page"));
        }
        let from = from.map(|it| it.trim().to_lowercase());
        let committed = self.commit_retrying(author, |head| {
            let snapshot = self.snapshot();
            let statuses = self.people_statuses(&snapshot);
            let mut edits = Vec::new();
            for path in pages {
                let current = self.blob_at(head, path)?.ok_or_else(|| Error::NotFound(path.to_string()))?;
                let text = String::from_utf8_lossy(&self.store.read_blob(current)?).into_owned();
                let owners = crate::content::front_matter::split(&text)
                    .yaml
                    .map(front_matter::parse)
                    .unwrap_or_default()
                    .0
                    .owners;
                let mut kept: Vec<String> = owners
                    .into_iter()
                    .filter(|owner| {
                        let gone = owner_status(&statuses, owner).is_some_and(|it| it.status == "departed");
                        let named = from
                            .as_ref()
                            .is_some_and(|from| stewardship::email_of(owner) == *from || owner.to_lowercase() == *from);
                        !gone && !named
                    })
                    .collect();
                if !kept.iter().any(|it| it == new_owner) {
                    kept.push(new_owner.to_string());
                }
                let owners = serde_yaml::Value::Sequence(kept.into_iter().map(Into::into).collect());
                let updated = front_matter::set_fields(&text, &[("owners", owners)])
                    .map_err(|err| Error::bad_input(format!("{path}: {err}")))?;
                edits.push(FileEdit::Write { path: path.as_str().to_string(), content: updated.into_bytes() });
            }
            let message =
                format!("Hand over {} page{} to {new_owner}", edits.len(), if edits.len() == 1 { "" } else { "s" });
            Ok(Attempt::<()>::Commit { edits, message })
        })?;
        committed.commit_id()
    }
}

// `owners` entries are names, e-mails or `Name <email>`; people.yaml lists e-mails and names.
fn owner_status<'a>(statuses: &'a HashMap<String, PersonStatus>, owner: &str) -> Option<&'a PersonStatus> {
    statuses.get(&stewardship::email_of(owner)).or_else(|| statuses.get(&owner.trim().to_lowercase()))
}

fn entry_insert(
    res: &mut BTreeMap<String, PersonSummary>,
    email: &str,
    name: &str,
    statuses: &HashMap<String, PersonStatus>,
) {
    res.insert(
        email.to_string(),
        PersonSummary {
            email: email.to_string(),
            name: name.to_string(),
            surviving_lines: 0,
            pages: Vec::new(),
            n_commits: 0,
            last_active: 0,
            n_answers: 0,
            n_accepted: 0,
            tags: Vec::new(),
            status: statuses.get(email).cloned(),
        },
    );
}
