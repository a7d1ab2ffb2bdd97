//! Questions and answers as files writers can also produce with git: `questions/<slug>.md` holds a question
//! (front matter `title`, `tags`, `asked_by`, `asked_at`, `status`, `accepted`), and each answer is its own
//! file `questions/<slug>/<answer-id>.md` (front matter `author`, `answered_at`), so two people answering at
//! once never touch the same file. Answer ids sort by time.

use serde_yaml::{Mapping, Value};

use super::front_matter::{self, FrontMatter};

/// Where questions live.
pub const FOLDER: &str = "questions";

/// What a Markdown file is, by where it lives: `questions/<slug>.md` is a question, `questions/<slug>/<id>.md`
/// an answer, everything else a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PageKind {
    Page,
    Question,
    Answer,
}

impl PageKind {
    /// The kind of the file at `path` (a repository path).
    pub fn of(path: &str) -> PageKind {
        let mut segments = path.split('/');
        match (segments.next(), segments.next(), segments.next(), segments.next()) {
            (Some(FOLDER), Some(_), None, None) => PageKind::Question,
            (Some(FOLDER), Some(_), Some(_), None) => PageKind::Answer,
            _ => PageKind::Page,
        }
    }

    /// Its name in search filters (`kind:question`), APIs and templates.
    pub fn as_str(self) -> &'static str {
        match self {
            PageKind::Page => "page",
            PageKind::Question => "question",
            PageKind::Answer => "answer",
        }
    }
}

/// The question file an answer file belongs to (`questions/a/1.md` → `questions/a.md`).
pub fn question_of_answer(path: &str) -> Option<String> {
    match PageKind::of(path) {
        PageKind::Answer => path.rsplit_once('/').map(|(folder, _)| format!("{folder}.md")),
        _ => None,
    }
}

/// Whether a question still waits for an accepted answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Open,
    Answered,
}

/// A question's front matter, read leniently: a file pushed with git that lacks fields still displays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuestionInfo {
    pub asked_by: Option<String>,
    pub asked_at: Option<String>,
    pub status: Status,
    pub accepted: Option<String>,
    pub promoted_to: Option<String>,
}

/// Reads a question's fields from its front matter.
pub fn question_info(front_matter: &FrontMatter) -> QuestionInfo {
    let text = |key: &str| front_matter.extra.get(key).and_then(scalar).filter(|it| !it.trim().is_empty());
    let accepted = text("accepted");
    let status = match text("status").as_deref() {
        Some("answered") => Status::Answered,
        Some(_) => Status::Open,
        None if accepted.is_some() => Status::Answered,
        None => Status::Open,
    };
    QuestionInfo {
        asked_by: text("asked_by"),
        asked_at: text("asked_at"),
        status,
        accepted,
        promoted_to: text("promoted_to"),
    }
}

/// An answer's fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerInfo {
    pub author: Option<String>,
    pub answered_at: Option<String>,
}

/// Reads an answer's fields from its front matter.
pub fn answer_info(front_matter: &FrontMatter) -> AnswerInfo {
    let text = |key: &str| front_matter.extra.get(key).and_then(scalar).filter(|it| !it.trim().is_empty());
    AnswerInfo { author: text("author"), answered_at: text("answered_at") }
}

/// The slug a title gets: lowercase words joined by hyphens, at most 80 characters.
pub fn slugify(title: &str) -> String {
    let mut res = String::new();
    for word in title.split(|it: char| !it.is_alphanumeric()).filter(|it| !it.is_empty()) {
        if !res.is_empty() {
            res.push('-');
        }
        res.extend(word.chars().flat_map(char::to_lowercase));
        if res.len() >= 80 {
            break;
        }
    }
    let mut res: String = res.chars().take(80).collect();
    while res.ends_with('-') {
        res.pop();
    }
    if res.is_empty() { "question".into() } else { res }
}

/// An answer id: the UTC time (`20261126T140212Z`) and a short random suffix, so ids sort by time.
pub fn answer_id(time: chrono::DateTime<chrono::Utc>, random: u32) -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let suffix: String = (0..4).map(|i| ALPHABET[((random >> (i * 6)) % 36) as usize] as char).collect();
    format!("{}-{suffix}", time.format("%Y%m%dT%H%M%SZ"))
}

/// The file of a new question.
pub fn question_file(title: &str, tags: &[String], asked_by: &str, asked_at: &str, body: &str) -> String {
    let mut mapping = Mapping::new();
    mapping.insert("title".into(), title.into());
    mapping.insert("tags".into(), Value::Sequence(tags.iter().map(|it| Value::from(it.as_str())).collect()));
    mapping.insert("asked_by".into(), asked_by.into());
    mapping.insert("asked_at".into(), asked_at.into());
    mapping.insert("status".into(), "open".into());
    with_front_matter(mapping, body)
}

/// The file of a new answer.
pub fn answer_file(author: &str, answered_at: &str, body: &str) -> String {
    let mut mapping = Mapping::new();
    mapping.insert("author".into(), author.into());
    mapping.insert("answered_at".into(), answered_at.into());
    with_front_matter(mapping, body)
}

/// The question's text marked answered by `answer_id`.
pub fn accept(text: &str, answer_id: &str) -> Result<String, String> {
    front_matter::set_fields(text, &[("status", "answered".into()), ("accepted", answer_id.into())])
}

/// The question's text recording the page it was promoted to.
pub fn mark_promoted(text: &str, page_path: &str) -> Result<String, String> {
    front_matter::set_fields(text, &[("promoted_to", page_path.into())])
}

fn with_front_matter(mapping: Mapping, body: &str) -> String {
    let yaml = serde_yaml::to_string(&Value::Mapping(mapping)).expect("plain mappings serialise");
    let body = body.trim_end();
    format!("---\n{yaml}---\n{body}\n")
}

fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        Value::Bool(flag) => Some(flag.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::front_matter::{parse, split};

    fn info(text: &str) -> QuestionInfo {
        question_info(&parse(split(text).yaml.unwrap_or_default()).0)
    }

    #[test]
    fn kinds_by_place() {
        assert_eq!(PageKind::of("questions/why.md"), PageKind::Question);
        assert_eq!(PageKind::of("questions/why/20250102T100000Z-abcd.md"), PageKind::Answer);
        assert_eq!(PageKind::of("questions/why/deeper/x.md"), PageKind::Page);
        assert_eq!(PageKind::of("team/questions/why.md"), PageKind::Page);
        assert_eq!(PageKind::of("questions.md"), PageKind::Page);
        assert_eq!(question_of_answer("questions/why/1.md").as_deref(), Some("questions/why.md"));
        assert_eq!(question_of_answer("questions/why.md"), None);
    }

    #[test]
    fn slugs_from_titles() {
        assert_eq!(slugify("How do I get VPN access?"), "how-do-i-get-vpn-access");
        assert_eq!(slugify("¿Qué pasa?"), "qué-pasa");
        assert_eq!(slugify("???"), "question");
    }

    #[test]
    fn answer_ids_sort_by_time() {
        let early = answer_id(chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap(), 7);
        let late = answer_id(chrono::DateTime::from_timestamp(1_800_000_001, 0).unwrap(), 0);
        assert!(early < late);
        assert_eq!(early.len(), "20270115T080000Z-abcd".len());
    }

    #[test]
    fn new_question_round_trips() {
        let text = question_file("Why?", &["hr".into()], "Ann <ann@example.com>", "2026-11-26T10:00:00Z", "Because.\n");
        let question = info(&text);
        assert_eq!(question.status, Status::Open);
        assert_eq!(question.asked_by.as_deref(), Some("Ann <ann@example.com>"));
        let accepted = info(&accept(&text, "20261126T100000Z-abcd").unwrap());
        assert_eq!(accepted.status, Status::Answered);
        assert_eq!(accepted.accepted.as_deref(), Some("20261126T100000Z-abcd"));
    }

    #[test]
    fn missing_fields_have_defaults() {
        let question = info("# Just a title\n");
        assert_eq!(
            question,
            QuestionInfo { asked_by: None, asked_at: None, status: Status::Open, accepted: None, promoted_to: None }
        );
    }
}
