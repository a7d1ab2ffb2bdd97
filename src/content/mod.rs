//! The content model: paths, front matter, page metadata and links. Pure: no IO, no git, no HTTP.

pub mod front_matter;
pub mod language;
pub mod links;
pub mod mentions;
pub mod page;
pub mod path;
pub mod questions;
pub mod sections;
pub mod stewardship;
pub mod text;

pub use front_matter::FrontMatter;
pub use links::{LinkResolver, WikiTarget};
pub use page::PageMeta;
pub use path::RepoPath;
pub use questions::PageKind;

/// The name a page's address takes from its title: lowercase words of letters and digits joined by
/// hyphens, everything else dropped, at most 80 characters ("How We Deploy!" → `how-we-deploy`). Empty when
/// the title has no letters or digits. The "New page" form's script does the same in the browser.
pub fn page_slug(title: &str) -> String {
    let mut res = String::new();
    for word in title.split(|it: char| !it.is_alphanumeric()).filter(|it| !it.is_empty()) {
        if res.chars().count() >= 80 {
            break;
        }
        if !res.is_empty() {
            res.push('-');
        }
        res.extend(word.chars().flat_map(char::to_lowercase));
    }
    let mut res: String = res.chars().take(80).collect();
    while res.ends_with('-') {
        res.pop();
    }
    res
}

/// A heading's anchor: lowercase words joined by hyphens, punctuation dropped (GitHub's rule).
pub fn slug(text: &str) -> String {
    let mut res = String::with_capacity(text.len());
    for ch in text.trim().chars() {
        if ch.is_alphanumeric() || ch == '_' || ch == '-' {
            res.extend(ch.to_lowercase());
        } else if ch.is_whitespace() {
            res.push('-');
        }
    }
    res
}

#[cfg(test)]
mod tests {
    use super::page_slug;

    #[track_caller]
    fn check(title: &str, expected: &str) {
        assert_eq!(page_slug(title), expected);
    }

    #[test]
    fn page_slugs_are_lowercase_words_joined_by_hyphens() {
        check("How We Deploy", "how-we-deploy");
        check("  Q3 — plan (draft) ", "q3-plan-draft");
        check("Über uns", "über-uns");
        check("日本語のページ", "日本語のページ");
        check("!!!", "");
        check(&"word ".repeat(40), &"word-".repeat(16)[..79]);
    }
}
