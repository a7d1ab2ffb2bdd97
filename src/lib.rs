//! Lore: a knowledge base that lives in git.
//!
//! Modules are listed in the direction data flows; each uses only modules above it.

pub mod auth;
pub mod check;
pub mod config;
pub mod content;
pub mod error;
pub mod history;
pub mod hooks;
pub mod render;
pub mod search;
pub mod site;
pub mod starter;
pub mod store;
pub mod theme;
pub mod watch;
pub mod web;

pub use error::{Error, Result};
