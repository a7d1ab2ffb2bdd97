//! Lore: a knowledge base that lives in git.
//!
//! Modules are listed in the direction data flows; each uses only modules above it.

pub mod error;
pub mod config;
pub mod store;
pub mod content;
pub mod history;
pub mod render;
pub mod starter;
pub mod site;
pub mod theme;
pub mod web;

pub use error::{Error, Result};
