//! Who pushed which commit. A push keeps git's own author lines (someone may push a colleague's commits), so
//! Lore records the account that pushed each commit in the state database, and history shows "pushed by".

use std::sync::Arc;

use super::now;
use crate::Result;
use crate::state::StateStore;
use crate::store::ObjectId;

/// The push log.
pub struct PushLog {
    state: Arc<StateStore>,
}

impl PushLog {
    /// The push log in `state`.
    pub fn new(state: Arc<StateStore>) -> PushLog {
        PushLog { state }
    }

    /// Records that `username` pushed `commits`; a commit keeps the first account recorded for it.
    pub fn record(&self, username: &str, commits: Vec<ObjectId>) -> Result<()> {
        if commits.is_empty() {
            return Ok(());
        }
        let commits: Vec<String> = commits.iter().map(ObjectId::to_string).collect();
        self.state.write(|tx| tx.record_push(username, now(), &commits))
    }

    /// The account that pushed a commit, if it came by an authenticated push. "Pushed by" is a detail on
    /// history pages: a failed lookup is logged and shows nothing, rather than failing the page.
    pub fn pusher(&self, commit: ObjectId) -> Option<String> {
        self.state.pusher(&commit.to_string()).unwrap_or_else(|err| {
            tracing::error!(error = %err, "looking up who pushed a commit failed");
            None
        })
    }
}
