//! Lore's integration tests, in one binary: each module drives the real server (on a loopback port, against a
//! throwaway git repository) or the `lore` command line the way people and clients do. One binary instead of
//! one per file, because every test binary links the whole crate, which dominated test builds on 2 cores.

#[path = "../common/mod.rs"]
mod common;

mod accounts;
mod bad_input;
mod cluster;
mod commonmark;
mod concurrency;
mod delivery;
mod editing;
mod first_run;
mod foundation;
mod git;
mod history;
mod interface_language;
mod languages;
mod leaks;
mod media;
mod navigation;
mod page_api;
mod questions;
mod relevance;
mod search;
mod state;
mod stewardship;
mod tidy;
mod notify;
mod operations;
mod weight;
