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
