//! The journal's SQLite file (one per site, WAL): an entry is written as an intent before its
//! request goes out and completed with the outcome after, so that a crash in between leaves
//! a pending entry for the next start to settle.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rusqlite::{Connection, OptionalExtension as _, Row, params};
use serde_json::Value;

use crate::api::{ContactId, Timestamp};

use super::{BatchSummary, Entry, Filter, Forgotten, HistoryItem, Intent, JournalOutcome, Operation};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS entries (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    finished_at INTEGER,
    operation TEXT NOT NULL,
    contact_id INTEGER,
    label TEXT NOT NULL,
    before TEXT,
    sent TEXT,
    after TEXT,
    outcome TEXT NOT NULL,
    detail TEXT,
    batch INTEGER,
    undo_of INTEGER
);
CREATE INDEX IF NOT EXISTS entries_by_contact ON entries(contact_id, id);
CREATE INDEX IF NOT EXISTS entries_by_batch ON entries(batch);
CREATE INDEX IF NOT EXISTS entries_pending ON entries(outcome) WHERE outcome = 'pending';
CREATE TABLE IF NOT EXISTS batches (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    title TEXT NOT NULL
);
";

/// The journal of one site. Cheap to clone; every call blocks on the file briefly, so the
/// app calls it from background tasks only.
#[derive(Clone)]
pub struct Journal {
    connection: Arc<Mutex<Connection>>,
    path: PathBuf,
}

impl std::fmt::Debug for Journal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Journal").field("path", &self.path).finish()
    }
}

/// Why the change journal could not be opened, read or written. The text is what the user
/// reads (in a notification, or as the reason a write was refused).
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    /// Its folder could not be made.
    #[error("the change journal: {0}")]
    Folder(#[source] std::io::Error),
    #[error("the change journal: {0}")]
    Database(#[from] rusqlite::Error),
    /// The entries could not be written out as JSON lines.
    #[error("the change journal: {0}")]
    Export(#[source] std::io::Error),
    #[error("the change journal: no email to forget")]
    NoEmail,
    /// The blocking task it ran on stopped (a panic, or the runtime shutting down).
    #[error(transparent)]
    Stopped(#[from] tokio::task::JoinError),
}

pub type JournalResult<T> = Result<T, JournalError>;

impl Journal {
    /// The journal of `site_key` in `data_dir/journal/` (made, and its schema, if new).
    pub fn open(data_dir: &Path, site_key: &str) -> JournalResult<Self> {
        let file = crate::app::personal_data::journal_file(data_dir, site_key);
        std::fs::create_dir_all(data_dir.join("journal")).map_err(JournalError::Folder)?;
        Self::open_file(&file)
    }

    pub fn open_file(path: &Path) -> JournalResult<Self> {
        let connection = Connection::open(path)?;
        connection.pragma_update(None, "journal_mode", "WAL")?;
        // An intent must be on disk before its request leaves.
        connection.pragma_update(None, "synchronous", "FULL")?;
        connection.busy_timeout(std::time::Duration::from_secs(5))?;
        // What is deleted (retention, Forget) is overwritten, not only unlinked in the file.
        connection.pragma_update(None, "secure_delete", "ON")?;
        connection.execute_batch(SCHEMA)?;
        Ok(Self { connection: Arc::new(Mutex::new(connection)), path: path.to_owned() })
    }

    /// Runs `work` on a blocking thread (the journal's calls wait on the file), for async code.
    pub async fn off_thread<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Journal) -> JournalResult<T> + Send + 'static,
    ) -> JournalResult<T> {
        let journal = self.clone();
        tokio::task::spawn_blocking(move || work(&journal)).await.unwrap_or_else(|e| Err(e.into()))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn with<T>(&self, work: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> JournalResult<T> {
        let connection = self.connection.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        work(&connection).map_err(JournalError::Database)
    }

    /// Records what is about to be sent; returns the entry's id.
    pub fn begin(&self, intent: &Intent) -> JournalResult<i64> {
        let json = |value: &Option<Value>| value.as_ref().map(Value::to_string);
        self.with(|c| {
            c.execute(
                "INSERT INTO entries (at, operation, contact_id, label, before, sent, outcome, batch, undo_of)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'pending', ?7, ?8)",
                params![
                    now_millis(),
                    intent.operation.as_str(),
                    intent.contact,
                    intent.label,
                    json(&intent.before),
                    json(&intent.sent),
                    intent.batch,
                    intent.undo_of,
                ],
            )?;
            Ok(c.last_insert_rowid())
        })
    }

    /// Completes an entry: how it ended, the contact it concerns (a create learns its id),
    /// and the copy the site returned.
    pub fn finish(
        &self,
        id: i64,
        outcome: JournalOutcome,
        contact: Option<ContactId>,
        after: Option<&Value>,
        detail: Option<&str>,
    ) -> JournalResult<()> {
        self.with(|c| {
            c.execute(
                "UPDATE entries SET finished_at = ?2, outcome = ?3, contact_id = COALESCE(?4, contact_id),
                 after = COALESCE(?5, after), detail = ?6 WHERE id = ?1",
                params![id, now_millis(), outcome.as_str(), contact, after.map(Value::to_string), detail],
            )?;
            Ok(())
        })
    }

    /// A new bulk operation, its entries to carry its id.
    pub fn new_batch(&self, title: &str) -> JournalResult<i64> {
        self.with(|c| {
            c.execute("INSERT INTO batches (at, title) VALUES (?1, ?2)", params![now_millis(), title])?;
            Ok(c.last_insert_rowid())
        })
    }

    pub fn batch_title(&self, batch: i64) -> JournalResult<Option<String>> {
        self.with(|c| c.query_row("SELECT title FROM batches WHERE id = ?1", [batch], |row| row.get(0)).optional())
    }

    pub fn entry(&self, id: i64) -> JournalResult<Option<Entry>> {
        self.with(|c| c.query_row(&format!("{SELECT} WHERE id = ?1"), [id], entry_of).optional())
    }

    /// Entries newest first, as `filter` narrows them, at most `limit`.
    pub fn entries(&self, filter: &Filter, limit: u32) -> JournalResult<Vec<Entry>> {
        let (conditions, mut args) = filter_sql(filter, "entries");
        let sql = format!("{SELECT} WHERE {conditions} ORDER BY id DESC LIMIT ?");
        args.push(i64::from(limit).into());
        self.with(|c| {
            let mut statement = c.prepare(&sql)?;
            let rows = statement.query_map(rusqlite::params_from_iter(args), entry_of)?;
            rows.collect()
        })
    }

    /// What the History panel lists, newest first, at most `limit`: each write on its own,
    /// and each bulk operation (a bulk edit, a multi-delete, an undo of one) as one item
    /// that opens to its contacts. `filter` narrows the writes (a bulk operation shows when
    /// any of its writes matches).
    pub fn history(&self, filter: &Filter, limit: u32) -> JournalResult<Vec<HistoryItem>> {
        let (conditions, args) = filter_sql(filter, "entries");
        let singles = format!("{SELECT} WHERE batch IS NULL AND {conditions} ORDER BY id DESC LIMIT ?");
        let (member_conditions, member_args) = filter_sql(filter, "e");
        let batches = format!(
            "SELECT b.id, b.at, b.title, COUNT(*), SUM(e.outcome = 'done'), SUM(e.outcome = 'failed'),
                    SUM({UNDONE_BY} IS NOT NULL), SUM(e.undo_of IS NOT NULL)
             FROM batches b JOIN entries e ON e.batch = b.id
             WHERE {member_conditions} GROUP BY b.id ORDER BY b.id DESC LIMIT ?",
            UNDONE_BY = undone_by("e")
        );
        let limit = i64::from(limit);
        self.with(|c| {
            let mut items: Vec<HistoryItem> = {
                let mut statement = c.prepare(&singles)?;
                let args = args.into_iter().chain([limit.into()]);
                let rows = statement.query_map(rusqlite::params_from_iter(args), entry_of)?;
                rows.map(|entry| entry.map(HistoryItem::Entry)).collect::<rusqlite::Result<_>>()?
            };
            let mut statement = c.prepare(&batches)?;
            let args = member_args.into_iter().chain([limit.into()]);
            let rows = statement.query_map(rusqlite::params_from_iter(args), |row| {
                let count = |at: usize| row.get::<_, i64>(at).map(|n| n.max(0) as u64);
                Ok(HistoryItem::Batch(BatchSummary {
                    id: row.get(0)?,
                    at: Timestamp::from_millis(row.get(1)?),
                    title: row.get(2)?,
                    writes: count(3)?,
                    done: count(4)?,
                    failed: count(5)?,
                    undone: count(6)?,
                    undos: count(7)?,
                }))
            })?;
            for batch in rows {
                items.push(batch?);
            }
            items.sort_by_key(|item| std::cmp::Reverse(item.at().map(|at| at.millis())));
            items.truncate(limit.max(0) as usize);
            Ok(items)
        })
    }

    /// Entries begun but never completed (the app stopped in between), oldest first.
    pub fn pending(&self) -> JournalResult<Vec<Entry>> {
        self.with(|c| {
            let mut statement = c.prepare(&format!("{SELECT} WHERE outcome = 'pending' ORDER BY id"))?;
            let rows = statement.query_map([], entry_of)?;
            rows.collect()
        })
    }

    /// Drops entries older than `days`; returns how many went.
    pub fn prune(&self, days: u32) -> JournalResult<usize> {
        self.prune_as_of(days, chrono::Utc::now())
    }

    /// As [`Self::prune`], the days counted back from `now` (a test need not wait for time to
    /// pass); entries still pending are kept for the next start to settle.
    pub fn prune_as_of(&self, days: u32, now: chrono::DateTime<chrono::Utc>) -> JournalResult<usize> {
        let cutoff = now.timestamp_millis() - i64::from(days) * 86_400_000;
        self.with(|c| {
            let removed = c.execute("DELETE FROM entries WHERE at < ?1 AND outcome != 'pending'", [cutoff])?;
            c.execute("DELETE FROM batches WHERE id NOT IN (SELECT batch FROM entries WHERE batch IS NOT NULL)", [])?;
            Ok(removed)
        })
    }

    /// Removes every trace of the person with `email` (any case): the entries that name it,
    /// and every entry of the contacts it belonged to. The deleted bytes are overwritten
    /// (secure_delete), the file rebuilt and the WAL emptied, so that the email is in none of
    /// the journal's files afterwards. Returns the contacts found and the entries removed.
    pub fn forget(&self, email: &str) -> JournalResult<Forgotten> {
        let email = email.trim();
        if email.is_empty() {
            return Err(JournalError::NoEmail);
        }
        let pattern = containing(email);
        let names_it = "(label LIKE ?1 ESCAPE '\\' OR before LIKE ?1 ESCAPE '\\' OR sent LIKE ?1 ESCAPE '\\'
                         OR after LIKE ?1 ESCAPE '\\')";
        self.with(|c| {
            let contacts: Vec<ContactId> = {
                let sql =
                    format!("SELECT DISTINCT contact_id FROM entries WHERE contact_id IS NOT NULL AND {names_it}");
                let mut statement = c.prepare(&sql)?;
                let rows = statement.query_map([&pattern], |row| row.get(0))?;
                rows.collect::<rusqlite::Result<_>>()?
            };
            let mut removed = c.execute(&format!("DELETE FROM entries WHERE {names_it}"), [&pattern])?;
            for contact in &contacts {
                removed += c.execute("DELETE FROM entries WHERE contact_id = ?1", [contact])?;
            }
            c.execute("DELETE FROM batches WHERE id NOT IN (SELECT batch FROM entries WHERE batch IS NOT NULL)", [])?;
            // Rebuilt without free pages, then the WAL written back and emptied.
            c.execute_batch("PRAGMA wal_checkpoint(TRUNCATE); VACUUM; PRAGMA wal_checkpoint(TRUNCATE);")?;
            Ok(Forgotten { contacts, entries: removed })
        })
    }

    /// Every entry, oldest first, as one JSON object a line.
    pub fn export_json_lines(&self, out: &mut impl std::io::Write) -> JournalResult<u64> {
        let entries = self.with(|c| {
            let mut statement = c.prepare(&format!("{SELECT} ORDER BY id"))?;
            let rows = statement.query_map([], entry_of)?;
            rows.collect::<rusqlite::Result<Vec<Entry>>>()
        })?;
        for entry in &entries {
            let line = serde_json::to_string(entry).map_err(|e| JournalError::Export(e.into()))?;
            writeln!(out, "{line}").map_err(JournalError::Export)?;
        }
        Ok(entries.len() as u64)
    }
}

const SELECT: &str =
    "SELECT id, at, operation, contact_id, label, before, sent, after, outcome, detail, batch, undo_of,
                             (SELECT u.id FROM entries u WHERE u.undo_of = entries.id AND u.outcome = 'done'
                              ORDER BY u.id LIMIT 1)
                      FROM entries";

/// The done undo of the entry `table` names, as an SQL expression.
fn undone_by(table: &str) -> String {
    format!("(SELECT u.id FROM entries u WHERE u.undo_of = {table}.id AND u.outcome = 'done' LIMIT 1)")
}

/// A LIKE pattern (with `ESCAPE '\\'`) for text that contains `text` as it is.
fn containing(text: &str) -> String {
    let escaped = text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    format!("%{escaped}%")
}

/// `filter` as SQL conditions on the entries table under the name `table`, with their
/// arguments.
fn filter_sql(filter: &Filter, table: &str) -> (String, Vec<rusqlite::types::Value>) {
    let mut sql = "1 = 1".to_owned();
    let mut args: Vec<rusqlite::types::Value> = Vec::new();
    if let Some(contact) = filter.contact {
        sql.push_str(&format!(" AND {table}.contact_id = ?"));
        args.push(contact.into());
    }
    if let Some(operation) = filter.operation {
        sql.push_str(&format!(" AND {table}.operation = ?"));
        args.push(operation.as_str().to_owned().into());
    }
    if let Some(batch) = filter.batch {
        sql.push_str(&format!(" AND {table}.batch = ?"));
        args.push(batch.into());
    }
    let text = filter.text.trim();
    if !text.is_empty() {
        sql.push_str(&format!(" AND {table}.label LIKE ? ESCAPE '\\'"));
        args.push(containing(text).into());
    }
    (sql, args)
}

fn entry_of(row: &Row<'_>) -> rusqlite::Result<Entry> {
    let json = |text: Option<String>| text.and_then(|t| serde_json::from_str::<Value>(&t).ok());
    let operation: String = row.get(2)?;
    let outcome: String = row.get(8)?;
    Ok(Entry {
        id: row.get(0)?,
        at: Timestamp::from_millis(row.get(1)?),
        operation: Operation::parse(&operation),
        contact: row.get(3)?,
        label: row.get(4)?,
        before: json(row.get(5)?),
        sent: json(row.get(6)?),
        after: json(row.get(7)?),
        outcome: JournalOutcome::parse(&outcome),
        detail: row.get(9)?,
        batch: row.get(10)?,
        undo_of: row.get(11)?,
        undone_by: row.get(12)?,
    })
}

fn now_millis() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

#[cfg(test)]
mod tests {
    use super::*;

    // The texts are what the user reads when the journal fails (and what a refused write says).

    #[test]
    fn a_journal_whose_folder_cannot_be_made_says_so() {
        let folder = tempfile::tempdir().unwrap();
        let not_a_folder = folder.path().join("data");
        std::fs::write(&not_a_folder, "a file where the data folder should be").unwrap();
        let error = Journal::open(&not_a_folder, "site").unwrap_err();
        let io = std::fs::create_dir_all(not_a_folder.join("journal")).unwrap_err();
        assert!(matches!(error, JournalError::Folder(_)), "{error:?}");
        assert_eq!(error.to_string(), format!("the change journal: {io}"));
    }

    #[test]
    fn a_journal_file_that_is_no_database_says_so() {
        let folder = tempfile::tempdir().unwrap();
        let file = folder.path().join("site.sqlite");
        std::fs::write(&file, "plain text, not SQLite, and long enough to be read as a header").unwrap();
        let error = Journal::open_file(&file).unwrap_err();
        assert!(matches!(error, JournalError::Database(_)), "{error:?}");
        assert!(error.to_string().starts_with("the change journal: "), "{error}");
        assert!(error.to_string().contains("not a database"), "{error}");
    }

    #[test]
    fn forgetting_no_email_is_refused() {
        let folder = tempfile::tempdir().unwrap();
        let journal = Journal::open(folder.path(), "site").unwrap();
        let error = journal.forget("  ").unwrap_err();
        assert_eq!(error.to_string(), "the change journal: no email to forget");
    }
}
