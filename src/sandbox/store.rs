//! The sandbox's SQLite database: one writer connection, a pool of readers (WAL lets them
//! read while the writer writes), and every query the server needs. Blocking: call it
//! from `spawn_blocking`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use rusqlite::functions::FunctionFlags;
use rusqlite::{Connection, OptionalExtension, Row, params, params_from_iter};
use serde_json::{Map, Value, json};

use crate::api::Timestamp;
use crate::api::model::{Contact, ContactId, Page, SecureZone};

use super::fields::{Contacts, Records, Zones};
use super::filter::{Schema, Sql, order_sql, where_sql};
use super::list_request::SiteListRequest;
use super::rows::{Inserter, column_values, contact_columns, to_json, write_contact_json};
use super::schema::{CONTACT_FIELDS, CREATE_INDEXES, CREATE_TABLES, DATA_VERSION, RecordKind};
use super::seed::{self, DemoContact};
use super::where_reader::SiteFilter;

mod odd;
pub use odd::{BIG_ID, ODD_INVOICE, patch as patch_odd_values};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The request cannot be answered as asked (a bad filter, an unknown zone): a 400.
    #[error("{0}")]
    BadRequest(String),
    /// A 409: e.g. the email belongs to another contact.
    #[error("{0}")]
    Conflict(String),
    #[error("database error: {0}")]
    Database(#[from] rusqlite::Error),
    #[error("stored data is damaged: {0}")]
    Corrupt(String),
    #[error("could not move the older database aside: {0}")]
    MoveAside(String),
}

/// The data version of the database at `path`, when it holds contacts of an older version.
fn outdated_version(path: &Path) -> Result<Option<i64>, StoreError> {
    if !path.exists() {
        return Ok(None);
    }
    let conn = Connection::open(path)?;
    let version: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    if version >= DATA_VERSION {
        return Ok(None);
    }
    let has_contacts: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'contacts')",
        [],
        |row| row.get(0),
    )?;
    if !has_contacts {
        return Ok(None);
    }
    let count: i64 = conn.query_row("SELECT COUNT(*) FROM contacts", [], |row| row.get(0))?;
    if count == 0 {
        return Ok(None);
    }
    // Everything into the main file first: it is moved alone.
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    Ok(Some(version))
}

pub struct Store {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
    /// Bumped after every write: totals counted at an older generation are stale.
    generation: AtomicU64,
    /// Totals of recent contact queries: a grid asks for many pages of one query, and
    /// counting a filtered 100k-row table costs more than reading a page.
    totals: TotalCache,
}

#[derive(Default)]
struct TotalCache {
    entries: Mutex<HashMap<String, (u64, u64)>>,
}

impl TotalCache {
    const MAX_ENTRIES: usize = 256;

    fn get(&self, key: &str, generation: u64) -> Option<u64> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.get(key).filter(|(counted_at, _)| *counted_at == generation).map(|(_, total)| *total)
    }

    fn put(&self, key: String, generation: u64, total: u64) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.len() >= Self::MAX_ENTRIES {
            entries.retain(|_, (counted_at, _)| *counted_at == generation);
            if entries.len() >= Self::MAX_ENTRIES {
                entries.clear();
            }
        }
        entries.insert(key, (generation, total));
    }
}

/// The writer connection; dropping it marks a write (after the commit has happened).
struct Writer<'s> {
    conn: std::sync::MutexGuard<'s, Connection>,
    generation: &'s AtomicU64,
}

impl std::ops::Deref for Writer<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        &self.conn
    }
}

impl std::ops::DerefMut for Writer<'_> {
    fn deref_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }
}

impl Writer<'_> {
    /// A write transaction, holding the write lock from its start (`BEGIN IMMEDIATE`).
    ///
    /// A deferred transaction that reads first (the email check of a create, the existence
    /// check of an update) takes the write lock only at its first write, and SQLite does not
    /// call the busy handler for that upgrade: if another connection holds the WAL write lock
    /// at that moment, the write fails at once with "database is locked", whatever the busy
    /// timeout. Reader connections do take that lock for an instant (SQLite's wal.c: a reader
    /// that meets a half-written WAL-index header locks out writers while it reads it again),
    /// which is the 500 the load test met about once in 700,000 requests. Taken at BEGIN, the
    /// lock is waited for (busy timeout) like any other.
    fn begin_write(&mut self) -> rusqlite::Result<rusqlite::Transaction<'_>> {
        self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
    }
}

impl Drop for Writer<'_> {
    fn drop(&mut self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
    }
}

/// A subscription to set: zone id and expiry.
pub type ZoneChoice = (i64, Option<Timestamp>);

impl Store {
    /// Opens (creating if needed) the database at `path`. A database whose data is older than
    /// [`DATA_VERSION`] (values stored with another meaning, e.g. text invoice numbers) is
    /// moved aside, whole, as `<name>.v<old version>-<time>`, and a new one is made.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        if let Some(old) = outdated_version(path)? {
            let stamp = chrono::Local::now().format("%Y%m%d-%H%M%S");
            let aside = path.with_extension(format!("v{old}-{stamp}.db"));
            std::fs::rename(path, &aside).map_err(|e| StoreError::MoveAside(e.to_string()))?;
            for suffix in ["-wal", "-shm"] {
                let companion = PathBuf::from(format!("{}{suffix}", path.display()));
                let _ = std::fs::remove_file(companion);
            }
            tracing::warn!(kept = %aside.display(), "the sandbox database held data of an older version; kept aside, starting anew");
        }
        let writer = open_connection(path)?;
        writer.pragma_update(None, "user_version", DATA_VERSION)?;
        writer.execute_batch("PRAGMA journal_mode = WAL;")?;
        writer.execute_batch(CREATE_TABLES)?;
        writer.execute_batch(odd::CREATE)?;
        let mut zone = writer.prepare("INSERT OR IGNORE INTO zones (id, name) VALUES (?1, ?2)")?;
        for (id, name) in seed::ZONES {
            zone.execute(params![id, name])?;
        }
        drop(zone);
        writer.execute_batch(CREATE_INDEXES)?;
        Ok(Self {
            path: path.to_owned(),
            writer: Mutex::new(writer),
            readers: Mutex::new(Vec::new()),
            generation: AtomicU64::new(0),
            totals: TotalCache::default(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn contact_count(&self) -> Result<u64, StoreError> {
        self.read(|conn| Ok(conn.query_row("SELECT COUNT(*) FROM contacts", [], |row| row.get::<_, i64>(0))? as u64))
    }

    /// Fills an empty database with `count` demo contacts; a database with contacts is
    /// left as it is. Returns how many were added.
    pub fn seed(&self, count: u64, mut progress: impl FnMut(u64)) -> Result<u64, StoreError> {
        let mut conn = self.writer()?;
        let existing: i64 = conn.query_row("SELECT COUNT(*) FROM contacts", [], |row| row.get(0))?;
        if count == 0 || existing > 0 {
            return Ok(0);
        }
        // Bulk load: no journal (a failed seed leaves a database to delete, not to repair),
        // no indexes until the rows are in, a large cache, sorting in memory.
        conn.execute_batch(
            "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -262144; PRAGMA temp_store = MEMORY;",
        )?;
        drop_indexes(&conn)?;
        let started = std::time::Instant::now();
        let tx = conn.begin_write()?;
        std::thread::scope(|scope| -> Result<(), StoreError> {
            // Generating the data on the other core while this one writes.
            // Batches, so that the threads do not wake each other for every contact.
            const BATCH: u64 = 500;
            let (sender, receiver) = std::sync::mpsc::sync_channel::<Vec<DemoContact>>(8);
            scope.spawn(move || {
                for start in (0..count).step_by(BATCH as usize) {
                    let batch = (start..(start + BATCH).min(count)).map(seed::demo_contact).collect();
                    if sender.send(batch).is_err() {
                        break;
                    }
                }
            });
            let mut inserter = Inserter::new(&tx)?;
            let mut id = 0;
            for batch in receiver {
                for demo in batch {
                    id += 1;
                    inserter.demo_contact(id, demo)?;
                }
                progress(id as u64);
            }
            Ok(())
        })?;
        tx.commit()?;
        let inserted = started.elapsed();
        conn.execute_batch(CREATE_INDEXES)?;
        let indexed = started.elapsed();
        // Statistics for the planner (a quarter of a second on 100k contacts).
        conn.execute_batch("ANALYZE;")?;
        conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -32000;")?;
        tracing::debug!(?inserted, ?indexed, total = ?started.elapsed(), "seeded");
        progress(count);
        Ok(count)
    }

    /// Stores contacts as given (their `CreatedDate`, `EmailConfirmed` and custom groups
    /// included), skipping validation: for tests, benchmarks and imports of known-good
    /// data. `Id` 0 lets SQLite choose. Returns the ids.
    pub fn insert_contacts(&self, contacts: &[Contact]) -> Result<Vec<ContactId>, StoreError> {
        let mut conn = self.writer()?;
        let tx = conn.begin_write()?;
        let mut ids = Vec::with_capacity(contacts.len());
        {
            let mut inserter = Inserter::new(&tx)?;
            for contact in contacts {
                let Value::Object(fields) = to_json(contact)? else {
                    return Err(StoreError::Corrupt("a contact is not a JSON object".to_owned()));
                };
                ids.push(inserter.contact((contact.id != 0).then_some(contact.id), &fields)?);
            }
        }
        tx.commit()?;
        Ok(ids)
    }

    pub fn list_contacts(&self, query: &SiteListRequest) -> Result<Page<Contact>, StoreError> {
        let page = self.list_contacts_json(query)?;
        serde_json::from_str(&page).map_err(|e| StoreError::Corrupt(format!("stored contacts do not read back: {e}")))
    }

    /// A page of contacts as the envelope JSON the API returns, written straight from the
    /// rows (the hottest path of the sandbox: no model, no JSON tree in between).
    pub fn list_contacts_json(&self, query: &SiteListRequest) -> Result<String, StoreError> {
        let columns = contact_columns();
        let source = ListSource {
            columns: &columns,
            from: "contacts c",
            owner: None,
            deferred_id: Some("c.id"),
            totals: Some((&self.totals, self.generation.load(Ordering::SeqCst))),
        };
        self.read(|conn| {
            let mut body = String::with_capacity(1024 * query.limit.min(500) as usize);
            body.push_str("{\"Items\":[");
            let mut first = true;
            let (_, total) = list(conn, &source, &Contacts, query, |row| {
                if !std::mem::take(&mut first) {
                    body.push(',');
                }
                write_contact_json(row, &mut body)
            })?;
            body.push_str("],\"TotalItemsCount\":");
            body.push_str(&total.to_string());
            body.push('}');
            Ok(body)
        })
    }

    pub fn get_contact(&self, id: ContactId) -> Result<Option<Contact>, StoreError> {
        self.read(|conn| get_contact(conn, id))
    }

    /// One contact as the JSON the API returns.
    pub fn get_contact_json(&self, id: ContactId) -> Result<Option<String>, StoreError> {
        self.read(|conn| get_contact_json(conn, id))
    }

    /// Creates a contact from validated fields (API names to JSON values); a field with a
    /// preset (`CrmType`, `Role`, `Type`) that the body leaves out or sends as null gets it.
    pub fn create_contact(&self, fields: &Map<String, Value>) -> Result<Contact, StoreError> {
        let mut conn = self.writer()?;
        let tx = conn.begin_write()?;
        let email = fields.get("Email").and_then(Value::as_str).unwrap_or_default();
        ensure_email_free(&tx, email, None)?;
        let mut row = fields.clone();
        row.insert("CreatedDate".to_owned(), json!(Timestamp::from(chrono::Utc::now()).to_wire()));
        // [assumed] What a site fills in when the body has no value (nothing to clear on a create).
        for field in CONTACT_FIELDS {
            if let Some(preset) = field.on_create
                && row.get(field.api).is_none_or(Value::is_null)
            {
                row.insert(field.api.to_owned(), preset.value());
            }
        }
        let id = Inserter::new(&tx)?.contact(None, &row)?;
        tx.commit()?;
        get_contact(&conn, id)?.ok_or_else(|| StoreError::Corrupt("the new contact vanished".to_owned()))
    }

    /// Replaces the fields present in `fields`; `None` when there is no such contact.
    pub fn update_contact(&self, id: ContactId, fields: &Map<String, Value>) -> Result<Option<Contact>, StoreError> {
        let mut conn = self.writer()?;
        let tx = conn.begin_write()?;
        if !contact_exists(&tx, id)? {
            return Ok(None);
        }
        if let Some(email) = fields.get("Email").and_then(Value::as_str) {
            ensure_email_free(&tx, email, Some(id))?;
        }
        let mut sets = Sql::default();
        for field in CONTACT_FIELDS.iter().filter(|f| f.writable) {
            let Some(value) = fields.get(field.api) else { continue };
            for (column, value) in column_values(field, Some(value)) {
                if !sets.text.is_empty() {
                    sets.push(", ");
                }
                sets.push(column).push(" = ").param(value);
            }
        }
        if !sets.text.is_empty() {
            let mut sql = Sql::raw("UPDATE contacts SET ");
            sql.append(&sets).push(" WHERE id = ").param(id);
            tx.execute(&sql.text, params_from_iter(sql.params.iter()))?;
        }
        if let Some(groups) = fields.get("CustomCrmGroups") {
            Inserter::new(&tx)?.replace_custom_groups(id, groups)?;
        }
        tx.commit()?;
        get_contact(&conn, id)
    }

    /// Deletes a contact with its records and zone subscriptions; `false` when there was none.
    pub fn delete_contact(&self, id: ContactId) -> Result<bool, StoreError> {
        let mut conn = self.writer()?;
        let tx = conn.begin_write()?;
        for table in ["custom_values", "records", "zone_subscriptions"] {
            tx.execute(&format!("DELETE FROM {table} WHERE contact_id = ?1"), [id])?;
        }
        let deleted = tx.execute("DELETE FROM contacts WHERE id = ?1", [id])? > 0;
        tx.commit()?;
        Ok(deleted)
    }

    /// A contact's bookings, cases or orders as JSON; `None` when there is no such contact.
    pub fn list_records(
        &self,
        contact: ContactId,
        kind: RecordKind,
        query: &SiteListRequest,
    ) -> Result<Option<Page<Value>>, StoreError> {
        self.read(|conn| {
            let Some(member) = member_ref(conn, contact)? else { return Ok(None) };
            let source = ListSource {
                columns: "r.id, r.doc",
                from: "records r",
                owner: Some(owner_filter("r.contact_id = ", contact, Some(kind))),
                deferred_id: None,
                totals: None,
            };
            let (docs, total) = list(conn, &source, &Records(kind), query, |row| {
                Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?))
            })?;
            let items =
                docs.into_iter().map(|(id, doc)| record_json(id, contact, &doc, &member)).collect::<Result<_, _>>()?;
            Ok(Some(Page::new(items, total)))
        })
    }

    /// A contact's secure zones; `None` when there is no such contact.
    pub fn list_zones(
        &self,
        contact: ContactId,
        query: &SiteListRequest,
    ) -> Result<Option<Page<SecureZone>>, StoreError> {
        self.read(|conn| {
            if !contact_exists(conn, contact)? {
                return Ok(None);
            }
            let source = ListSource {
                columns: "z.id, z.name, s.expiry",
                from: "zone_subscriptions s JOIN zones z ON z.id = s.zone_id",
                owner: Some(owner_filter("s.contact_id = ", contact, None)),
                deferred_id: None,
                totals: None,
            };
            let (zones, total) = list(conn, &source, &Zones, query, zone_from_row)?;
            Ok(Some(Page::new(zones, total)))
        })
    }

    /// Replaces the contact's zone subscriptions; `None` when there is no such contact.
    pub fn set_zones(&self, contact: ContactId, zones: &[ZoneChoice]) -> Result<Option<Vec<SecureZone>>, StoreError> {
        self.put_zones(contact, zones, true)
    }

    /// Adds `zones` to the contact's subscriptions (updating their expiry) and keeps the
    /// others, as a site of the `zones-merge` dialect does. Returns what is stored after.
    pub fn merge_zones(&self, contact: ContactId, zones: &[ZoneChoice]) -> Result<Option<Vec<SecureZone>>, StoreError> {
        self.put_zones(contact, zones, false)
    }

    fn put_zones(
        &self,
        contact: ContactId,
        zones: &[ZoneChoice],
        replace: bool,
    ) -> Result<Option<Vec<SecureZone>>, StoreError> {
        let mut conn = self.writer()?;
        let tx = conn.begin_write()?;
        if !contact_exists(&tx, contact)? {
            return Ok(None);
        }
        for (zone, _) in zones {
            let known: Option<i64> =
                tx.query_row("SELECT id FROM zones WHERE id = ?1", [zone], |r| r.get(0)).optional()?;
            if known.is_none() {
                return Err(StoreError::BadRequest(format!("There is no secure zone with Id {zone}.")));
            }
        }
        if replace {
            tx.execute("DELETE FROM zone_subscriptions WHERE contact_id = ?1", [contact])?;
        }
        for (zone, expiry) in zones {
            tx.execute(
                "INSERT OR REPLACE INTO zone_subscriptions (contact_id, zone_id, expiry) VALUES (?1, ?2, ?3)",
                params![contact, zone, expiry.map(|t| t.millis())],
            )?;
        }
        tx.commit()?;
        Ok(Some(all_zones(&conn, contact)?))
    }

    /// Records that the password changed (only the time: the database keeps no password,
    /// not even hashed; the server keeps a salted hash in memory). Returns the contact's zones; `None` when there is no such contact.
    pub fn set_password(&self, contact: ContactId) -> Result<Option<Vec<SecureZone>>, StoreError> {
        let conn = self.writer()?;
        let now = chrono::Utc::now().timestamp_millis();
        if conn.execute("UPDATE contacts SET password_set_at = ?1 WHERE id = ?2", params![now, contact])? == 0 {
            return Ok(None);
        }
        Ok(Some(all_zones(&conn, contact)?))
    }

    /// The secure zones the site offers.
    pub fn zone_catalog(&self) -> Result<Vec<(i64, String)>, StoreError> {
        self.read(|conn| {
            let mut statement = conn.prepare_cached("SELECT id, name FROM zones ORDER BY id")?;
            let rows = statement.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
    }

    fn writer(&self) -> Result<Writer<'_>, StoreError> {
        // A panic while holding the lock leaves a consistent database (transactions roll back).
        let conn = self.writer.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        Ok(Writer { conn, generation: &self.generation })
    }

    /// Runs `work` on a pooled read connection, inside one read transaction so that a
    /// page and its total come from the same snapshot.
    fn read<T>(&self, work: impl FnOnce(&Connection) -> Result<T, StoreError>) -> Result<T, StoreError> {
        let pooled = self.readers.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let mut conn = match pooled {
            Some(conn) => conn,
            None => open_connection(&self.path)?,
        };
        let result = {
            let tx = conn.transaction()?;
            let result = work(&tx);
            tx.finish()?;
            result
        };
        self.readers.lock().unwrap_or_else(|p| p.into_inner()).push(conn);
        result
    }
}

fn open_connection(path: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(Duration::from_secs(10))?;
    // Memory-mapped reads spare a copy of every page read.
    conn.execute_batch("PRAGMA foreign_keys = OFF; PRAGMA cache_size = -32000; PRAGMA mmap_size = 1073741824;")?;
    register_functions(&conn)?;
    Ok(conn)
}

/// `ulower(text)`: Unicode lowercase (SQLite's own folds ASCII only).
/// `ts_millis(text)`: an ISO-8601 date as epoch milliseconds, read as the client reads it.
fn register_functions(conn: &Connection) -> rusqlite::Result<()> {
    let flags = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC | FunctionFlags::SQLITE_INNOCUOUS;
    conn.create_scalar_function("ulower", 1, flags, |ctx| Ok(ctx.get_raw(0).as_str_or_null()?.map(str::to_lowercase)))?;
    conn.create_scalar_function("ts_millis", 1, flags, |ctx| {
        Ok(ctx.get_raw(0).as_str_or_null()?.and_then(Timestamp::parse).map(|t| t.millis()))
    })
}

fn drop_indexes(conn: &Connection) -> rusqlite::Result<()> {
    let names: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")?
        .query_map([], |row| row.get(0))?
        .collect::<Result<_, _>>()?;
    for name in names {
        conn.execute_batch(&format!("DROP INDEX IF EXISTS \"{name}\";"))?;
    }
    Ok(())
}

/// Where a list reads from: `SELECT {columns} FROM {from}`, narrowed to one contact's rows
/// by `owner`. With `deferred_id`, the page is found by id first (a narrow index walk past
/// the offset) and the wide rows are read for that page only.
struct ListSource<'a> {
    columns: &'a str,
    from: &'a str,
    owner: Option<Sql>,
    deferred_id: Option<&'a str>,
    /// Where to keep totals, and the write generation read before the query began.
    totals: Option<(&'a TotalCache, u64)>,
}

/// A page and the total of a filtered, sorted list.
fn list<T>(
    conn: &Connection,
    source: &ListSource,
    schema: &dyn Schema,
    query: &SiteListRequest,
    mut map: impl FnMut(&Row) -> rusqlite::Result<T>,
) -> Result<(Vec<T>, u64), StoreError> {
    // "WHERE 1" would cost SQLite its fast COUNT(*) of a whole table.
    let mut condition = Sql::default();
    if source.owner.is_some() || query.filter != SiteFilter::Everything {
        condition.push(" WHERE ");
        if let Some(owner) = &source.owner {
            condition.append(owner).push(" AND ");
        }
        where_sql(&query.filter, schema, &mut condition).map_err(StoreError::BadRequest)?;
    }
    let mut order = Sql::default();
    order_sql(query.order.as_ref(), schema, &mut order).map_err(StoreError::BadRequest)?;
    let offset = i64::try_from(query.offset).map_err(|_| StoreError::BadRequest("Offset is too large.".to_owned()))?;
    let mut slice = Sql::default();
    slice.append(&order).push(" LIMIT ").param(i64::from(query.limit)).push(" OFFSET ").param(offset);

    let mut page = Sql::raw(format!("SELECT {} FROM {}", source.columns, source.from));
    match source.deferred_id {
        Some(id) => {
            page.push(&format!(" WHERE {id} IN (SELECT {id} FROM {}", source.from));
            page.append(&condition).append(&slice).push(")").append(&order);
        }
        None => {
            page.append(&condition).append(&slice);
        }
    }
    let mut statement = conn.prepare_cached(&page.text)?;
    let rows =
        statement.query_map(params_from_iter(page.params.iter()), |row| map(row))?.collect::<Result<Vec<T>, _>>()?;

    let mut count = Sql::raw(format!("SELECT COUNT(*) FROM {}", source.from));
    count.append(&condition);
    let key = format!("{}{:?}", count.text, count.params);
    if let Some(total) = source.totals.and_then(|(cache, generation)| cache.get(&key, generation)) {
        return Ok((rows, total));
    }
    let total: i64 =
        conn.prepare_cached(&count.text)?.query_row(params_from_iter(count.params.iter()), |row| row.get(0))?;
    if let Some((cache, generation)) = source.totals {
        cache.put(key, generation, total as u64);
    }
    Ok((rows, total as u64))
}

fn owner_filter(column: &str, contact: ContactId, kind: Option<RecordKind>) -> Sql {
    let mut sql = Sql::raw(column);
    sql.param(contact);
    if let Some(kind) = kind {
        sql.push(" AND r.kind = ").param(kind as i64);
    }
    sql
}

fn get_contact_json(conn: &Connection, id: ContactId) -> Result<Option<String>, StoreError> {
    let sql = format!("SELECT {} FROM contacts c WHERE c.id = ?1", contact_columns());
    let mut statement = conn.prepare_cached(&sql)?;
    let mut rows = statement.query([id])?;
    let Some(row) = rows.next()? else { return Ok(None) };
    let mut json = String::with_capacity(1024);
    write_contact_json(row, &mut json)?;
    Ok(Some(json))
}

fn get_contact(conn: &Connection, id: ContactId) -> Result<Option<Contact>, StoreError> {
    get_contact_json(conn, id)?.map(|json| parse_contact(&json)).transpose()
}

fn parse_contact(json: &str) -> Result<Contact, StoreError> {
    serde_json::from_str(json).map_err(|e| StoreError::Corrupt(format!("a stored contact does not read back: {e}")))
}

fn contact_exists(conn: &Connection, id: ContactId) -> rusqlite::Result<bool> {
    conn.prepare_cached("SELECT 1 FROM contacts WHERE id = ?1")?.exists([id])
}

fn ensure_email_free(conn: &Connection, email: &str, except: Option<ContactId>) -> Result<(), StoreError> {
    let taken: Option<i64> = conn
        .prepare_cached("SELECT id FROM contacts WHERE email_lc = ?1 AND id IS NOT ?2")?
        .query_row(params![email.to_lowercase(), except], |row| row.get(0))
        .optional()?;
    match taken {
        Some(_) => Err(StoreError::Conflict(format!("Another contact already uses the email {email}."))),
        None => Ok(()),
    }
}

/// `Member{Id,Email,FirstName,LastName}` of a contact, for its records.
fn member_ref(conn: &Connection, contact: ContactId) -> Result<Option<Value>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT email, first_name, last_name FROM contacts WHERE id = ?1")?
        .query_row([contact], |row| {
            Ok(json!({
                "Id": contact,
                "Email": row.get::<_, String>(0)?,
                "FirstName": row.get::<_, Option<String>>(1)?,
                "LastName": row.get::<_, Option<String>>(2)?,
            }))
        })
        .optional()?)
}

/// A stored record document with the fields its row owns put back.
fn record_json(id: i64, contact: ContactId, doc: &str, member: &Value) -> Result<Value, StoreError> {
    let mut value: Value = serde_json::from_str(doc).map_err(|e| StoreError::Corrupt(format!("record {id}: {e}")))?;
    if let Value::Object(fields) = &mut value {
        fields.insert("Id".to_owned(), json!(id));
        fields.insert("MemberId".to_owned(), json!(contact));
        fields.insert("Member".to_owned(), member.clone());
    }
    Ok(value)
}

fn zone_from_row(row: &Row) -> rusqlite::Result<SecureZone> {
    Ok(SecureZone {
        id: row.get(0)?,
        name: row.get(1)?,
        expiry_date_time: row.get::<_, Option<i64>>(2)?.and_then(Timestamp::from_millis),
        extra: Map::new(),
    })
}

fn all_zones(conn: &Connection, contact: ContactId) -> Result<Vec<SecureZone>, StoreError> {
    let mut statement = conn.prepare_cached(
        "SELECT z.id, z.name, s.expiry FROM zone_subscriptions s JOIN zones z ON z.id = s.zone_id \
         WHERE s.contact_id = ?1 ORDER BY z.id",
    )?;
    let zones = statement.query_map([contact], zone_from_row)?.collect::<Result<_, _>>()?;
    Ok(zones)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(json: Value) -> Map<String, Value> {
        match json {
            Value::Object(map) => map,
            _ => unreachable!("test input is an object"),
        }
    }

    #[test]
    fn cached_totals_follow_every_write() {
        let folder = tempfile::tempdir().unwrap();
        let store = Store::open(&folder.path().join("totals.db")).unwrap();
        let in_oslo = SiteListRequest::from_pairs([("Where", r#"{"City": "Oslo"}"#)]).unwrap();
        let total = |store: &Store| store.list_contacts(&in_oslo).unwrap().total_items_count;
        assert_eq!(total(&store), Some(0));
        let created = store.create_contact(&fields(json!({"Email": "a@b.example", "City": "Oslo"}))).unwrap();
        assert_eq!(total(&store), Some(1), "a create is seen");
        store.update_contact(created.id, &fields(json!({"City": "Bergen"}))).unwrap();
        assert_eq!(total(&store), Some(0), "an update is seen");
        store.update_contact(created.id, &fields(json!({"City": "Oslo"}))).unwrap();
        assert_eq!(total(&store), Some(1));
        store.delete_contact(created.id).unwrap();
        assert_eq!(total(&store), Some(0), "a delete is seen");
    }

    #[test]
    fn seeding_fills_only_an_empty_database() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("seed.db");
        let store = Store::open(&path).unwrap();
        assert_eq!(store.seed(25, |_| {}).unwrap(), 25);
        assert_eq!(store.seed(25, |_| {}).unwrap(), 0, "an existing database is reused as it is");
        let first = store.get_contact(1).unwrap().unwrap();
        drop(store);
        let again = Store::open(&folder.path().join("again.db")).unwrap();
        again.seed(25, |_| {}).unwrap();
        let mut same = again.get_contact(1).unwrap().unwrap();
        same.created_date = first.created_date;
        assert_eq!(same, first, "the same N gives the same data");
        let reopened = Store::open(&path).unwrap();
        assert_eq!(reopened.contact_count().unwrap(), 25);
    }
}
