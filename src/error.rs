//! The crate's error type. Only `web::error` maps these to HTTP status codes.

use std::fmt;

/// Result with the crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong below the web layer.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A path that Lore refuses to read or write (traversal, `.git`, reserved prefix, ...).
    #[error("invalid path {path:?}: {reason}")]
    InvalidPath { path: String, reason: &'static str },
    /// Nothing at that path or revision.
    #[error("not found: {0}")]
    NotFound(String),
    /// Input larger than the configured limit.
    #[error("{what} is {size} bytes, over the limit of {limit} bytes")]
    TooLarge { what: &'static str, size: u64, limit: u64 },
    /// Input that is well-formed on the wire but makes no sense.
    #[error("{0}")]
    BadInput(String),
    /// An edit of an existing page that does not say which version it started from.
    #[error("this page exists: send If-Match with the blob id your edit started from")]
    PreconditionRequired,
    /// The edit started from a version that is no longer current, and this operation does not merge.
    #[error("the page changed since you loaded it; reload and try again")]
    PreconditionFailed,
    /// The request needs someone logged in (or a valid token), and came without.
    #[error("{0}")]
    Unauthorized(String),
    /// Too many attempts (failed logins); try again later.
    #[error("{0}")]
    TooManyRequests(String),
    /// The request clashes with what exists (an e-mail address another account holds, for example).
    #[error("{0}")]
    Conflict(String),
    /// The request is not allowed (a forged or expired form, for example).
    #[error("{0}")]
    Forbidden(String),
    /// Something the request needs is not ready yet (the history index while it is built).
    #[error("{0}")]
    Unavailable(String),
    /// The branch kept moving while a commit was being built.
    #[error("the branch moved {attempts} times while saving; try again")]
    Contention { attempts: usize },
    /// The repository is not usable as configured.
    #[error("repository: {0}")]
    Repository(String),
    /// libgit2 failed (the store converts its errors, so this module knows nothing of git2).
    #[error("git: {0}")]
    Git(String),
    /// The people-state database failed (the state module converts its errors, so this module knows nothing
    /// of the database library).
    #[error("state database: {0}")]
    Database(String),
    /// The state database was written by a newer Lore, whose schema this binary does not know.
    #[error(
        "the state database {path} has schema version {found}, but this Lore knows versions up to {known}: \
         upgrade Lore to the version that wrote it (or newer)"
    )]
    NewerDatabase { path: String, found: usize, known: usize },
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// A theme template failed to load or render.
    #[error("template: {0}")]
    Template(String),
}

impl Error {
    /// Shorthand for [`Error::BadInput`].
    pub fn bad_input(message: impl fmt::Display) -> Error {
        Error::BadInput(message.to_string())
    }
}
