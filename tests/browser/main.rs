//! Lore in a real browser: headless Chromium driven over WebDriver ([`webdriver`]) against the real server.
//! A binary of its own, so that the browser tests can take turns with one Chromium at a time (see
//! [`webdriver::Browser::start`]) without slowing the other integration tests.
//!
//! These tests need Debian's `chromium` and `chromium-driver`; `scripts/test` installs them.

#[path = "../common/mod.rs"]
mod common;
mod webdriver;

mod drawings;
mod editor;
mod editor_tools;
mod hostile_content;
mod interface_language;
mod main_pages;
mod search_box;
mod media;
