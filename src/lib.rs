//! Lore: a knowledge base that lives in git.
//!
//! Modules are listed in the direction data flows; each uses only modules above it (`tests/it/tidy.rs` keeps
//! this true, and `ARCHITECTURE.md` draws it).

// Foundations: the error type, text compressed in joinable pieces, the priority of background threads, how the
// server uses the C allocator, the operational metrics, the git store, the pure content model.
pub mod error;
pub mod deflate;
pub mod priority;
pub mod memory;
pub mod metrics;
pub mod store;
pub mod content;
// The interface's languages and their messages.
pub mod i18n;

// People state (accounts, sessions, tokens, the push log): the database beside the repository.
pub mod state;

// Who may do what, and the settings that say so.
pub mod auth;
pub mod config;

// What is built from content: validation, rendering, history, search, and the hooks pushes run.
pub mod check;
pub mod render;
pub mod history;
pub mod search;
pub mod hooks;
pub mod starter;

// Operations: backups of a data folder, and restores from them.
pub mod backup;

// Reaching people: e-mail and webhooks, from what the notifier put in the state store.
pub mod delivery;

// The live wiki, and what keeps it current.
pub mod site;
pub mod watch;
pub mod replica;

// The surface: templates, then HTTP.
pub mod theme;
pub mod web;

pub use error::{Error, Result};
