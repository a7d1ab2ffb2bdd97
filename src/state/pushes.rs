//! The push log: which account pushed each commit (git keeps only the commit's author).

use super::db::params;
use super::{StateStore, Transaction};
use crate::Result;

impl StateStore {
    /// The account that pushed `commit` (a hex commit id), if a push brought it.
    pub fn pusher(&self, commit: &str) -> Result<Option<String>> {
        self.run(|conn| {
            conn.query_opt("SELECT username FROM pushed_commits WHERE commit_id = ?1", params![commit], |row| {
                row.get(0)
            })
        })
    }
}

impl Transaction<'_> {
    /// Records that `username` pushed `commits` at `time`. A commit keeps the first pusher recorded for it.
    pub fn record_push(&self, username: &str, time: i64, commits: &[String]) -> Result<()> {
        for commit in commits {
            self.conn.execute(
                "INSERT INTO pushed_commits (commit_id, username, pushed_at) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (commit_id) DO NOTHING",
                params![commit, username, time],
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    crate::state::on_both_engines! {
        fn a_commit_keeps_its_first_pusher(store) {
            store.write(|it| it.record_push("eddie", 1, &["c1".into(), "c2".into()])).unwrap();
            store.write(|it| it.record_push("ann", 2, &["c2".into(), "c3".into()])).unwrap();
            assert_eq!(store.pusher("c2").unwrap().as_deref(), Some("eddie"));
            assert_eq!(store.pusher("c3").unwrap().as_deref(), Some("ann"));
            assert_eq!(store.pusher("c4").unwrap(), None);
        }
    }
}
