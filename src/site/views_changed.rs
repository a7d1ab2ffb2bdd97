//! Which page views a move of the branch may show differently: what caches of whole views (the web layer's
//! page cache) drop when the site serves a new head. A save of one page's text changes that page's view, the
//! backlinks of the pages it links to and its folders' lists; the other views of the wiki stay as they were.
//! Dropping every view at every save made a busy wiki's views first views again after each one (on the
//! 38,000-page tldr-like wiki 2 ms each instead of 0.25).

use std::collections::{BTreeSet, VecDeque};

use parking_lot::Mutex;

use crate::content::RepoPath;
use crate::content::links::{LinkEnd, LinkGraph};
use crate::content::page::PageMeta;
use crate::content::questions::PageKind;
use crate::store::ObjectId;

/// The page views a move of the branch may have changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ViewsChanged {
    /// Any view may show differently: a page came or went, took another title or front matter, a file that is
    /// not an ordinary page changed (the sidebar, header and footer pages, templates, folder index pages,
    /// questions and answers, `people.yaml`, images, settings), or links elsewhere now lead to other pages.
    All,
    /// Only the views of these pages and of these folders (`""` the top, `"a/b/"` a folder) may.
    Only { pages: BTreeSet<RepoPath>, folders: BTreeSet<String> },
}

impl ViewsChanged {
    /// Nothing changed.
    fn none() -> ViewsChanged {
        ViewsChanged::Only { pages: BTreeSet::new(), folders: BTreeSet::new() }
    }

    /// The views either move changed: `self`, then `later`.
    fn and(self, later: ViewsChanged) -> ViewsChanged {
        match (self, later) {
            (
                ViewsChanged::Only { mut pages, mut folders },
                ViewsChanged::Only { pages: later_pages, folders: later_folders },
            ) => {
                pages.extend(later_pages);
                folders.extend(later_folders);
                ViewsChanged::Only { pages, folders }
            }
            _ => ViewsChanged::All,
        }
    }
}

/// Collects, change by change, which views a move of the branch may have changed (see `next_snapshot`).
pub(super) struct ViewsChangedBuilder {
    all: bool,
    pages: BTreeSet<RepoPath>,
    folders: BTreeSet<String>,
}

impl ViewsChangedBuilder {
    /// For a move from a snapshot that had a head (`had_head`); from none, every view is new.
    pub(super) fn new(had_head: bool) -> ViewsChangedBuilder {
        ViewsChangedBuilder { all: !had_head, pages: BTreeSet::new(), folders: BTreeSet::new() }
    }

    /// A file that is not a page Lore serves (anything but Markdown, or a path it refuses) changed.
    pub(super) fn other_file(&mut self) {
        self.all = true;
    }

    /// The page at `path` changed from `old` to `new` (`None`: it did not exist, or no longer does).
    pub(super) fn page(&mut self, path: &RepoPath, old: Option<&PageMeta>, new: Option<&PageMeta>) {
        let only_its_text = match (old, new) {
            // Other views show a page's title (lists, backlinks, links), its front matter (translations,
            // languages, aliases) and that it exists; special pages are shown in other views.
            (Some(old), Some(new)) => {
                old.title == new.title && old.front_matter == new.front_matter && !shown_in_other_views(path)
            }
            _ => false,
        };
        if !only_its_text {
            self.all = true;
            return;
        }
        self.pages.insert(path.clone());
        // Folder views list their pages; every folder up to the top.
        let folder = path.folder();
        let mut end = 0;
        self.folders.insert(String::new());
        while let Some(at) = folder[end..].find('/') {
            end += at + 1;
            self.folders.insert(folder[..end].to_string());
        }
    }

    /// Pages whose links were resolved again besides those that changed (`None`: every page's were).
    pub(super) fn relinked(&mut self, relinked: Option<&BTreeSet<RepoPath>>) {
        match relinked {
            Some(relinked) if relinked.iter().all(|it| self.pages.contains(it)) => {}
            _ => self.all = true,
        }
    }

    /// What the move changed, given the link graphs before and after it: a changed page's links come and go
    /// from its targets' backlinks.
    pub(super) fn build(self, before: &LinkGraph, after: &LinkGraph) -> ViewsChanged {
        if self.all {
            return ViewsChanged::All;
        }
        let linked: Vec<RepoPath> = (self.pages.iter())
            .flat_map(|page| before.outgoing(page).iter().chain(after.outgoing(page)))
            .filter_map(|link| match link {
                LinkEnd::Page(target) => Some(target.clone()),
                LinkEnd::Missing(_) => None,
            })
            .collect();
        let mut pages = self.pages;
        pages.extend(linked);
        ViewsChanged::Only { pages, folders: self.folders }
    }
}

// Pages that other views show or that decide what they show: `_sidebar.md`, `_header.md`, `_footer.md`,
// `_templates/`, anything else under a name starting with `_`, folder index pages (folder titles,
// breadcrumbs), questions and answers.
fn shown_in_other_views(path: &RepoPath) -> bool {
    let name = path.file_name();
    path.as_str().split('/').any(|part| part.starts_with('_'))
        || crate::content::links::FOLDER_INDEX_PAGES.iter().any(|it| name.eq_ignore_ascii_case(it))
        || PageKind::of(path.as_str()) != PageKind::Page
}

/// How many moves of the branch the site remembers what they changed: a cache that missed more than these
/// drops every view.
const REMEMBERED_MOVES: usize = 64;

/// The last moves of the branch: each head the site moved to, and what that move changed.
#[derive(Default)]
pub(super) struct ViewsChangedLog {
    moves: Mutex<VecDeque<(Option<ObjectId>, ViewsChanged)>>,
}

impl ViewsChangedLog {
    /// The site now serves `head`, after a move that changed `changed`.
    pub(super) fn moved(&self, head: Option<ObjectId>, changed: ViewsChanged) {
        let mut moves = self.moves.lock();
        if moves.len() == REMEMBERED_MOVES {
            moves.pop_front();
        }
        moves.push_back((head, changed));
    }

    /// The views the moves from `from` to `to` changed; every view when either is not among the last moves.
    pub(super) fn between(&self, from: Option<ObjectId>, to: Option<ObjectId>) -> ViewsChanged {
        if from == to {
            return ViewsChanged::none();
        }
        let moves = self.moves.lock();
        let Some(start) = moves.iter().rposition(|(head, _)| *head == from) else { return ViewsChanged::All };
        let mut res = ViewsChanged::none();
        for (head, changed) in moves.iter().skip(start + 1) {
            res = res.and(changed.clone());
            if *head == to {
                return res;
            }
        }
        ViewsChanged::All
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(path: &str) -> RepoPath {
        RepoPath::parse(path).unwrap()
    }

    fn meta(path: &str, markdown: &str) -> PageMeta {
        crate::content::page::read_meta(&page(path), markdown)
    }

    fn only(pages: &[&str], folders: &[&str]) -> ViewsChanged {
        ViewsChanged::Only {
            pages: pages.iter().map(|it| page(it)).collect(),
            folders: folders.iter().map(|it| it.to_string()).collect(),
        }
    }

    #[test]
    fn an_edit_of_a_pages_text_changes_its_view_and_its_folders() {
        let mut builder = ViewsChangedBuilder::new(true);
        let path = page("team/ops/Runbook.md");
        builder.page(&path, Some(&meta(path.as_str(), "# Runbook\nold")), Some(&meta(path.as_str(), "# Runbook\nnew")));
        builder.relinked(Some(&BTreeSet::new()));
        let graph = LinkGraph::default();
        assert_eq!(builder.build(&graph, &graph), only(&["team/ops/Runbook.md"], &["", "team/", "team/ops/"]));
    }

    #[test]
    fn titles_front_matter_new_and_special_pages_and_other_files_change_every_view() {
        let changes: [(&str, Option<&str>, Option<&str>); 6] = [
            ("Runbook.md", Some("# Runbook"), Some("# Playbook")),
            ("Runbook.md", Some("# Runbook"), Some("---\nlang: de\n---\n# Runbook")),
            ("Runbook.md", None, Some("# Runbook")),
            ("Runbook.md", Some("# Runbook"), None),
            ("_sidebar.md", Some("a"), Some("b")),
            ("team/index.md", Some("a"), Some("b")),
        ];
        let graph = LinkGraph::default();
        for (at, old, new) in changes {
            let at = page(at);
            let mut builder = ViewsChangedBuilder::new(true);
            builder.page(
                &at,
                old.map(|it| meta(at.as_str(), it)).as_ref(),
                new.map(|it| meta(at.as_str(), it)).as_ref(),
            );
            assert_eq!(builder.build(&graph, &graph), ViewsChanged::All, "{at}: {old:?} → {new:?}");
        }
        let mut builder = ViewsChangedBuilder::new(true);
        builder.other_file();
        assert_eq!(builder.build(&graph, &graph), ViewsChanged::All);
        assert_eq!(ViewsChangedBuilder::new(false).build(&graph, &graph), ViewsChanged::All);
    }

    #[test]
    fn the_log_joins_the_moves_between_two_heads_and_knows_no_older_ones() {
        let head = |n: u8| Some(format!("{n:02x}").repeat(20).parse::<ObjectId>().unwrap());
        let log = ViewsChangedLog::default();
        log.moved(head(1), ViewsChanged::All);
        log.moved(head(2), only(&["a.md"], &[""]));
        log.moved(head(3), only(&["b.md"], &[""]));
        assert_eq!(log.between(head(1), head(3)), only(&["a.md", "b.md"], &[""]));
        assert_eq!(log.between(head(2), head(3)), only(&["b.md"], &[""]));
        assert_eq!(log.between(head(3), head(3)), ViewsChanged::none());
        assert_eq!(log.between(None, head(3)), ViewsChanged::All);
        assert_eq!(log.between(head(9), head(3)), ViewsChanged::All);
        assert_eq!(log.between(head(2), head(9)), ViewsChanged::All);
        for n in 0..REMEMBERED_MOVES as u8 {
            log.moved(head(10 + n), only(&[], &[]));
        }
        assert_eq!(log.between(head(2), head(10)), ViewsChanged::All, "forgotten");
    }
}
