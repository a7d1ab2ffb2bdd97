//! Every change the web layer makes, as one person. [`Site::writer`] hands out a [`Writer`] for an
//! [`Access`] and the author its commits carry; each method checks that access may change exactly the paths
//! it writes, then commits through the site's one compare-and-swap loop. A path the person may not read is
//! refused as not found, one they may read but not change as forbidden.

use std::sync::Arc;

use super::commits::Committer;
use super::{PageEdit, Restored, SaveOutcome, Site};
use crate::auth::{Access, PushLog, Role};
use crate::content::RepoPath;
use crate::content::questions;
use crate::store::{ObjectId, Person};
use crate::{Error, Result};

/// The wiki as one person may change it.
#[derive(Clone)]
pub struct Writer {
    site: Arc<Site>,
    access: Access,
    author: Committer,
}

impl Site {
    /// The wiki as someone with `access` may change it, committing as `author`.
    pub fn writer(self: &Arc<Site>, access: &Access, author: Person) -> Writer {
        Writer { site: self.clone(), access: access.clone(), author: Committer { person: author, account: None } }
    }
}

impl Writer {
    /// Who the commits are by.
    pub fn author(&self) -> &Person {
        &self.author.person
    }

    /// Records `account` beside every commit this writer makes, in `log`.
    pub fn recording_to(mut self, log: Arc<PushLog>, account: &str) -> Writer {
        self.author.account = Some((log, account.to_string()));
        self
    }

    fn require_edit(&self, path: &RepoPath) -> Result<()> {
        if !self.access.can_read(path.as_str()) {
            return Err(Error::NotFound(path.to_string()));
        }
        if !self.access.can_edit(path.as_str()) {
            return Err(Error::Forbidden(format!("you may not change {path}")));
        }
        Ok(())
    }

    fn require_read(&self, path: &RepoPath) -> Result<()> {
        if self.access.can_read(path.as_str()) { Ok(()) } else { Err(Error::NotFound(path.to_string())) }
    }

    /// Saves a page in one commit, merging with changes made since the edit started.
    pub fn save_page(&self, edit: &PageEdit) -> Result<SaveOutcome> {
        self.require_edit(&edit.path)?;
        self.site.save_page(edit, &self.author)
    }

    /// Deletes a page in one commit. `base_blob` must name the current version.
    pub fn delete_page(&self, path: &RepoPath, base_blob: ObjectId, message: Option<String>) -> Result<ObjectId> {
        self.require_edit(path)?;
        self.site.delete_page(path, base_blob, &self.author, message)
    }

    /// Moves a page in one commit; the person must be allowed to change both addresses.
    pub fn move_page(&self, from: &RepoPath, to: &RepoPath, base_blob: Option<ObjectId>) -> Result<ObjectId> {
        self.require_edit(from)?;
        self.require_edit(to)?;
        self.site.move_page(from, to, base_blob, &self.author)
    }

    /// Brings back the version of a page from `revision` as a new commit, and says which commit an undo
    /// restores. The version must be one of this page's, at an address the person may read.
    pub fn restore_page(&self, path: &RepoPath, revision: &str) -> Result<Restored> {
        self.require_edit(path)?;
        let commit = self.site.store.resolve_commit(revision)?;
        if let Some((path_then, _)) = self.site.version_at(path, commit)? {
            self.require_read(&path_then)?;
        }
        self.site.restore_page(path, commit, &self.author)
    }

    /// Stores an uploaded file in the page's folder in one commit; returns where it was stored.
    pub fn upload(&self, page: &RepoPath, file_name: &str, content: Vec<u8>) -> Result<RepoPath> {
        self.require_edit(page)?;
        let may_write = |path: &RepoPath| self.require_edit(path);
        self.site.upload(page, file_name, content, &self.author, &may_write)
    }

    /// Marks a page verified today by the author, in one commit.
    pub fn verify(&self, path: &RepoPath) -> Result<ObjectId> {
        self.require_edit(path)?;
        self.site.verify(path, &self.author)
    }

    /// Gives `pages` to `new_owner` in one commit.
    pub fn hand_over(&self, pages: &[RepoPath], new_owner: &str, from: Option<&str>) -> Result<ObjectId> {
        for page in pages {
            self.require_edit(page)?;
        }
        self.site.hand_over(pages, new_owner, from, &self.author)
    }

    /// Asks a question; returns its path. Readers may ask, in the questions folder they may read.
    pub fn ask(&self, title: &str, body: &str, tags: &[String]) -> Result<RepoPath> {
        let folder = RepoPath::parse(&format!("{}/new.md", questions::FOLDER))?;
        self.require_read(&folder)?;
        self.site.ask(title, body, tags, &self.author)
    }

    /// Answers a question; returns the answer's id and path.
    pub fn answer(&self, slug: &str, body: &str) -> Result<(String, RepoPath)> {
        let question = super::question_path(slug)?;
        self.require_read(&question)?;
        let answers = RepoPath::parse(&format!("{}/{slug}/new.md", questions::FOLDER))?;
        self.require_edit(&answers)?;
        self.site.answer(slug, body, &self.author)
    }

    /// Accepts an answer. Editors accept answers to any question they may read; others only to the
    /// question they asked.
    pub fn accept(&self, slug: &str, answer_id: &str) -> Result<ObjectId> {
        let question = super::question_path(slug)?;
        self.require_read(&question)?;
        if !self.access.at_least(Role::Editor) {
            let snapshot = self.site.snapshot();
            let asker = snapshot
                .pages
                .get(&question)
                .and_then(|meta| questions::question_info(&meta.front_matter).asked_by)
                .map(|it| crate::content::stewardship::email_of(&it));
            if asker.as_deref() != Some(self.author.email.to_lowercase().as_str()) {
                return Err(Error::Forbidden("only the person who asked, or an editor, may accept an answer".into()));
            }
        }
        self.site.accept(slug, answer_id, &self.author)
    }

    /// Turns a question into a wiki page at `to`.
    pub fn promote(&self, slug: &str, to: &RepoPath, markdown: Option<&str>) -> Result<ObjectId> {
        let question = super::question_path(slug)?;
        self.require_edit(&question)?;
        self.require_edit(to)?;
        let markdown = match markdown {
            Some(text) if !text.trim().is_empty() => text.to_string(),
            _ => self.site.promoted_text(&self.site.snapshot(), slug)?,
        };
        self.site.promote(slug, to, &markdown, &self.author)
    }
}
