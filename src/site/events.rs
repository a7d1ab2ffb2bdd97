//! Events read from commits: what happened to which page, question or answer, by whom, and whom it mentioned.
//! Whatever made the commit (a browser save, the API, a push, a commit outside Lore) reads the same, because
//! only the commit is looked at. Unfiltered: the notifier (`notifier.rs`) checks every recipient.

use std::sync::Arc;

use crate::Result;
use crate::auth::Access;
use crate::content::mentions::{self, Mention};
use crate::content::questions::{self, question_of_answer};
use crate::content::{PageKind, RepoPath, front_matter, page};
use crate::history::FileChangeEntry;
use crate::state::recorded;
use crate::store::{CommitInfo, ObjectId, Person};

use super::{Site, Text};

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventKind {
    PageCreated,
    PageChanged,
    PageDeleted,
    PageMoved,
    QuestionAsked,
    QuestionForYou,
    AnswerPosted,
    AnswerAccepted,
    Mentioned,
    /// Not from a commit: a page fell due for review (`review_every` in its front matter).
    ReviewDue,
    /// Not from a commit alone: `people.yaml` lists one of a page's owners as departed.
    OwnerDeparted,
}

impl EventKind {
    /// Its name in the API, the inbox and webhooks.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::PageCreated => "page_created",
            EventKind::PageChanged => "page_changed",
            EventKind::PageDeleted => "page_deleted",
            EventKind::PageMoved => "page_moved",
            EventKind::QuestionAsked => "question_asked",
            EventKind::QuestionForYou => "question_for_you",
            EventKind::AnswerPosted => "answer_posted",
            EventKind::AnswerAccepted => "answer_accepted",
            EventKind::Mentioned => "mentioned",
            EventKind::ReviewDue => "review_due",
            EventKind::OwnerDeparted => "owner_departed",
        }
    }
}

/// One thing that happened in one commit.
#[derive(Debug, Clone)]
pub struct WikiEvent {
    pub commit: ObjectId,
    pub kind: EventKind,
    /// The page, question or answer file.
    pub path: RepoPath,
    pub title: String,
    pub url: String,
    pub actor: Person,
    /// Author time, seconds since the Unix epoch.
    pub at: i64,
    /// One line: the first changed lines, a question's title, an answer's first sentence.
    pub summary: String,
    /// The page's tags (a question's, for its answers).
    pub tags: Vec<String>,
    /// For `Mentioned`: who.
    pub mentioned: Option<Mention>,
    /// For answers and acceptances: the question. For a move: where the page was.
    pub related: Option<RepoPath>,
    /// For `AnswerAccepted`: the e-mail of the accepted answer's author.
    pub answer_author: Option<String>,
}

impl WikiEvent {
    /// A key that is the same whenever this event is read from its commit again.
    pub fn key(&self) -> String {
        let who = match &self.mentioned {
            Some(Mention::Account(name)) => format!(":@{name}"),
            Some(Mention::Email(email)) => format!(":@{email}"),
            None => String::new(),
        };
        format!("{}:{}:{}{who}", self.commit, self.kind.as_str(), self.path)
    }
}

/// Commits read since a cursor.
pub struct EventBatch {
    /// Each commit, oldest first, with its events.
    pub commits: Vec<(ObjectId, Vec<WikiEvent>)>,
    /// The cursor is not in the branch's history (first start, or history was rewritten): nothing was read,
    /// and the notifier should start from `head`.
    pub restart_at: Option<ObjectId>,
}

/// Longest summary line, in characters.
const MAX_SUMMARY_CHARS: usize = 160;

impl Site {
    /// The events of at most `limit` commits after `cursor`, oldest first. Only for the notifier.
    pub(super) fn events_after(&self, cursor: Option<ObjectId>, limit: usize) -> Result<EventBatch> {
        let index = self.changes.ready_index()?;
        let Some(head) = index.head() else { return Ok(EventBatch { commits: Vec::new(), restart_at: None }) };
        let Some(cursor) = cursor else { return Ok(EventBatch { commits: Vec::new(), restart_at: Some(head) }) };
        let Some(commits) = index.commits_after(cursor, limit) else {
            return Ok(EventBatch { commits: Vec::new(), restart_at: Some(head) });
        };
        let mut res = Vec::with_capacity(commits.len());
        for (info, changes) in commits {
            res.push((info.id, self.commit_events(&info, &changes)?));
        }
        Ok(EventBatch { commits: res, restart_at: None })
    }

    // Every event of one commit.
    fn commit_events(&self, info: &Arc<CommitInfo>, changes: &[FileChangeEntry]) -> Result<Vec<WikiEvent>> {
        let mut res = Vec::new();
        // The delete half of a move is the move's, not an event of its own.
        let moved_away: Vec<&str> = changes.iter().filter_map(|it| it.renamed_from.as_deref()).collect();
        for change in changes {
            let Ok(path) = RepoPath::parse(&change.path) else { continue };
            if !path.is_markdown() || !super::is_searchable(path.as_str()) {
                continue;
            }
            if change.blob.is_none() && moved_away.contains(&change.path.as_str()) {
                continue;
            }
            let new_text = self.text_of(change.blob)?.and_then(as_lines);
            let old_text = self.text_of(change.old_blob)?.and_then(as_lines);
            let kind = PageKind::of(path.as_str());
            let meta = page::read_meta(&path, new_text.as_deref().or(old_text.as_deref()).unwrap_or_default());
            let base = |kind: EventKind, summary: String| WikiEvent {
                commit: info.id,
                kind,
                path: path.clone(),
                title: meta.title.clone(),
                url: path.url(),
                actor: Person::clone(&info.author),
                at: info.time,
                summary,
                tags: meta.front_matter.tags.clone(),
                mentioned: None,
                related: None,
                answer_author: None,
            };
            match (kind, &old_text, &new_text) {
                (PageKind::Question, None, Some(_)) => res.push(base(EventKind::QuestionAsked, meta.title.clone())),
                (PageKind::Question, Some(old), Some(new)) => {
                    let was = questions::question_info(&front_matter_of(&path, old)).accepted;
                    let now = questions::question_info(&meta.front_matter).accepted;
                    if let Some(answer_id) = now.filter(|it| was.as_deref() != Some(it.as_str())) {
                        let mut event = base(EventKind::AnswerAccepted, meta.title.clone());
                        event.url = format!("{}#answer-{answer_id}", path.url());
                        event.answer_author = self.answer_author(&path, &answer_id, new);
                        res.push(event);
                    }
                }
                (PageKind::Answer, None, Some(new)) => {
                    let question = question_of_answer(path.as_str()).and_then(|it| RepoPath::parse(&it).ok());
                    let question_meta = question.as_ref().and_then(|it| self.snapshot().pages.get(it).cloned());
                    let mut event = base(EventKind::AnswerPosted, first_sentence(front_matter::split(new).body));
                    if let (Some(question), Some(question_meta)) = (&question, &question_meta) {
                        event.title = question_meta.title.clone();
                        event.tags = question_meta.front_matter.tags.clone();
                        event.url = format!("{}#answer-{}", question.url(), path.file_stem());
                    }
                    event.related = question;
                    res.push(event);
                }
                (PageKind::Page, None, Some(new)) => match &change.renamed_from {
                    Some(from) => {
                        let mut event = base(EventKind::PageMoved, format!("{}{from}", recorded::MOVED_FROM));
                        event.related = RepoPath::parse(from).ok();
                        res.push(event);
                    }
                    None => res.push(base(EventKind::PageCreated, first_lines(front_matter::split(new).body))),
                },
                (PageKind::Page, Some(old), Some(new)) if change.renamed_from.is_some() => {
                    let from = change.renamed_from.clone().unwrap_or_default();
                    let mut event = base(EventKind::PageMoved, format!("{}{from}", recorded::MOVED_FROM));
                    event.related = RepoPath::parse(&from).ok();
                    if old != new {
                        event.summary = format!("{}{from}; {}", recorded::MOVED_FROM, changed_lines(old, new));
                    }
                    res.push(event);
                }
                (PageKind::Page, Some(old), Some(new)) => {
                    res.push(base(EventKind::PageChanged, changed_lines(old, new)))
                }
                (PageKind::Page, Some(_), None) => res.push(base(EventKind::PageDeleted, recorded::DELETED.into())),
                _ => {}
            }
            // Mentions added by this commit: in the new text and not in the old one.
            if let Some(new) = &new_text {
                let before = old_text.as_deref().map(|it| mentions::mentions(front_matter::split(it).body));
                for mention in mentions::mentions(front_matter::split(new).body) {
                    if before.as_ref().is_some_and(|it| it.contains(&mention)) {
                        continue;
                    }
                    let mut event = base(EventKind::Mentioned, first_lines(front_matter::split(new).body));
                    if let Some(question) = question_of_answer(path.as_str()).and_then(|it| RepoPath::parse(&it).ok()) {
                        event.url = format!("{}#answer-{}", question.url(), path.file_stem());
                        event.related = Some(question);
                    }
                    event.mentioned = Some(mention);
                    res.push(event);
                }
            }
        }
        Ok(res)
    }

    // The e-mail of an answer's author: its front matter's `author`, else whoever last committed it.
    fn answer_author(&self, question: &RepoPath, answer_id: &str, _question_text: &str) -> Option<String> {
        let answer = super::answer_path(question.file_stem(), answer_id).ok()?;
        let entry = self.snapshot().pages.get(&answer).cloned()?;
        questions::answer_info(&entry.front_matter)
            .author
            .map(|it| crate::content::stewardship::email_of(&it))
            .or_else(|| self.last_change(answer.as_str()).map(|it| it.author.email.to_lowercase()))
    }

    /// The experts a new question should reach: the people "Who knows about this?" ranks highest for it, as
    /// e-mails (the asker and departed people are never among them).
    pub(super) fn experts_to_ask(self: &Arc<Site>, question: &RepoPath, limit: usize) -> Vec<String> {
        let reader = self.reader(&Access::unrestricted());
        reader.experts_for_question(question, limit).unwrap_or_default().into_iter().map(|it| it.email).collect()
    }
}

fn as_lines(text: Text) -> Option<String> {
    match text {
        Text::Lines(lines) => Some(lines),
        Text::Binary | Text::TooLarge => None,
    }
}

fn front_matter_of(path: &RepoPath, text: &str) -> crate::content::FrontMatter {
    page::read_meta(path, text).front_matter
}

// The first lines a change added (or, for a change that only removed, the first it removed), on one line.
fn changed_lines(old: &str, new: &str) -> String {
    let old = front_matter::split(old).body;
    let new = front_matter::split(new).body;
    let diff = similar::TextDiff::configure().timeout(std::time::Duration::from_millis(100)).diff_lines(old, new);
    let mut added = Vec::new();
    let mut removed = Vec::new();
    for change in diff.iter_all_changes() {
        let line = change.value().trim();
        if line.is_empty() {
            continue;
        }
        match change.tag() {
            similar::ChangeTag::Insert => added.push(line),
            similar::ChangeTag::Delete => removed.push(line),
            similar::ChangeTag::Equal => {}
        }
        if added.len() >= 3 {
            break;
        }
    }
    if !added.is_empty() {
        clip(&added.join(" · "))
    } else if !removed.is_empty() {
        clip(&format!("{}{}", recorded::REMOVED, removed.iter().take(3).copied().collect::<Vec<_>>().join(" · ")))
    } else {
        recorded::FRONT_MATTER.into()
    }
}

// The first lines of a new page's body, without its heading.
fn first_lines(body: &str) -> String {
    let text = crate::content::text::plain_text(body).text;
    clip(text.split_whitespace().collect::<Vec<_>>().join(" ").as_str())
}

// The first sentence of an answer.
fn first_sentence(body: &str) -> String {
    let text = first_lines(body);
    match text.find(['.', '!', '?']) {
        Some(end) => text[..=end].to_string(),
        None => text,
    }
}

fn clip(text: &str) -> String {
    if text.chars().count() <= MAX_SUMMARY_CHARS {
        return text.to_string();
    }
    let mut res: String = text.chars().take(MAX_SUMMARY_CHARS - 1).collect();
    res.push('…');
    res
}
