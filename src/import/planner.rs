//! Making the dry run: the row's keys read, the matches looked up on the site in batches, the
//! site's custom fields learned, then each row decided. Nothing is sent.

use std::collections::{BTreeSet, HashMap};

use serde_json::Value;
use tokio_util::sync::CancellationToken;

use crate::api::contact_fields::{FieldSpec, email_problem};
use crate::api::fields::{FieldValue, field_title};
use crate::api::{Contact, ContactId, ListQuery, ReadClient, Where};
use crate::app::bulk::edit::{Edits, FieldEdit, set_custom, text};
use crate::app::tasks::Progress;
use crate::app::text::contact_name;

use super::file::{Table, TableRow};
use super::lookup::{self, email_key};
use super::mapping::{Mapping, MappingProblem, MatchOn};
use super::plan::{Change, DryRun, DryRunError, ImportOptions, Planned, PlannedRow};
use super::values::{CellValue, CustomFields, CustomKind, contact_value, custom_value};

/// A row's key: an email, an Id, no Id (a new contact under Id matching), or why it has none.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Key {
    Email(String),
    Id(ContactId),
    NewContact,
}

/// The dry run of `table` mapped by `mapping`: the matches read from the site, nothing sent.
/// `known` are the custom fields the app has seen on the site.
pub async fn dry_run(
    client: &ReadClient,
    table: &Table,
    mapping: &Mapping,
    options: &ImportOptions,
    known: &BTreeSet<(String, String)>,
    cancel: &CancellationToken,
    progress: &Progress,
) -> Result<DryRun, DryRunError> {
    let problems = mapping.problems(&table.headers, options.match_on);
    if !problems.is_empty() {
        return Err(DryRunError::Mapping(problems));
    }
    let Some(key_column) = mapping.key_column(options.match_on) else {
        return Err(DryRunError::Mapping(vec![MappingProblem::NoKey(options.match_on.field().title())]));
    };
    let keys: Vec<Result<Key, String>> =
        table.rows.iter().map(|row| read_key(options.match_on, cell(row, key_column))).collect();
    let repeated = repeated_keys(&table.rows, &keys);

    // The matches, a batch of keys per request.
    let total = table.rows.len() as u64;
    progress.set(0, Some(total));
    let report = |done: u64, of: u64| progress.set(done * total / of.max(1), Some(total));
    let mut by_email = HashMap::new();
    let mut by_id = HashMap::new();
    match options.match_on {
        MatchOn::Email => {
            let mut spellings = BTreeSet::new();
            for row in table.rows.iter() {
                let spelled = cell(row, key_column).trim();
                if !spelled.is_empty() && email_problem(spelled).is_none() {
                    spellings.insert(spelled.to_owned());
                    spellings.insert(email_key(spelled));
                }
            }
            let spellings: Vec<String> = spellings.into_iter().collect();
            by_email = lookup::contacts_by_email(client, &spellings, cancel, report).await?;
        }
        MatchOn::Id => {
            let ids: BTreeSet<ContactId> =
                keys.iter().filter_map(|k| if let Ok(Key::Id(id)) = k { Some(*id) } else { None }).collect();
            let ids: Vec<ContactId> = ids.into_iter().collect();
            by_id = lookup::contacts_by_id(client, &ids, cancel, report).await?;
        }
    }

    // The site's custom groups and the kind of each field: from a page of its contacts, the
    // matches and what the app has seen.
    let mut custom = CustomFields::default();
    custom.know(known);
    let sample = ListQuery::new(Where::All).page(0, crate::api::assumed::DEFAULT_LIMIT);
    for contact in client.list_contacts(&sample).await?.items.iter().chain(by_email.values().flatten()) {
        custom.learn(contact);
    }
    for contact in by_id.values() {
        custom.learn(contact);
    }

    let planner = Planner { table, mapping, options, custom: &custom, key_column };
    let rows = table
        .rows
        .iter()
        .zip(keys)
        .map(|(row, key)| {
            let key_text = cell(row, key_column).trim().to_owned();
            let planned = match key {
                Err(reason) => Planned::Error(reason),
                Ok(key) => match repeated.get(&key) {
                    Some(lines) => Planned::Ambiguous(format!(
                        "the file has {} rows with this {} (lines {})",
                        lines.len(),
                        options.match_on.label().to_lowercase(),
                        join_lines(lines)
                    )),
                    None => {
                        let matches: Vec<&Contact> = match &key {
                            Key::Email(email) => by_email.get(email).map(|found| found.iter().collect()),
                            Key::Id(id) => by_id.get(id).map(|found| vec![found]),
                            Key::NewContact => None,
                        }
                        .unwrap_or_default();
                        planner.plan(row, &key, &matches)
                    }
                },
            };
            PlannedRow { line: row.line, key: key_text, planned }
        })
        .collect();
    progress.set(total, Some(total));
    Ok(DryRun { rows })
}

fn cell(row: &TableRow, column: usize) -> &str {
    row.cells.get(column).map_or("", String::as_str)
}

fn read_key(on: MatchOn, cell: &str) -> Result<Key, String> {
    let cell = cell.trim();
    match on {
        MatchOn::Email if cell.is_empty() => Err("no email to match on".to_owned()),
        MatchOn::Email => match email_problem(cell) {
            Some(problem) => Err(problem),
            None => Ok(Key::Email(email_key(cell))),
        },
        MatchOn::Id if cell.is_empty() => Ok(Key::NewContact),
        MatchOn::Id => match cell.parse::<ContactId>() {
            Ok(id) if id > 0 => Ok(Key::Id(id)),
            _ => Err(format!("“{cell}” is not a contact Id")),
        },
    }
}

/// The keys more than one row has, with their lines.
fn repeated_keys(rows: &[TableRow], keys: &[Result<Key, String>]) -> HashMap<Key, Vec<u64>> {
    let mut lines: HashMap<Key, Vec<u64>> = HashMap::new();
    for (row, key) in rows.iter().zip(keys) {
        if let Ok(key @ (Key::Email(_) | Key::Id(_))) = key {
            lines.entry(key.clone()).or_default().push(row.line);
        }
    }
    lines.retain(|_, lines| lines.len() > 1);
    lines
}

fn join_lines(lines: &[u64]) -> String {
    let lines: Vec<String> = lines.iter().map(u64::to_string).collect();
    match lines.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// Decides each row, once the matches are known.
struct Planner<'a> {
    table: &'a Table,
    mapping: &'a Mapping,
    options: &'a ImportOptions,
    custom: &'a CustomFields,
    key_column: usize,
}

/// A column's field: a contact field or a custom one.
enum Slot<'a> {
    Contact(&'static FieldSpec),
    Custom(&'a str, &'a str),
}

impl Planner<'_> {
    fn plan(&self, row: &TableRow, key: &Key, matches: &[&Contact]) -> Planned {
        let on = self.options.match_on.label().to_lowercase();
        match (matches, key) {
            ([], Key::Id(id)) => Planned::Skip(format!("no contact has Id {id}")),
            ([], _) if !self.options.mode.creates() => {
                Planned::Skip("not on the site, and this import only updates".to_owned())
            }
            ([], _) => self.create(row, key),
            ([found], _) if !self.options.mode.updates() => {
                Planned::Skip(format!("already on the site as contact {}, and this import only creates", found.id))
            }
            ([found], _) => self.update(row, found),
            (many, _) => {
                let ids: Vec<String> = many.iter().map(|c| c.id.to_string()).collect();
                Planned::Ambiguous(format!(
                    "the site holds {} contacts with this {on} (Ids {})",
                    many.len(),
                    ids.join(", ")
                ))
            }
        }
    }

    /// The columns that write a field, with their slot and header.
    fn written(&self) -> impl Iterator<Item = (usize, Slot<'_>, &str)> {
        self.mapping.columns.iter().enumerate().filter(|(i, _)| *i != self.key_column).filter_map(|(i, target)| {
            let slot = match (target.spec(), target.custom_parts()) {
                (Some(spec), _) if !spec.site_owned => Slot::Contact(spec),
                (None, Some((group, field))) => Slot::Custom(group, field),
                _ => return None,
            };
            Some((i, slot, self.table.headers[i].as_str()))
        })
    }

    /// `base` with the row's values; the reasons when a cell cannot be its field's value.
    fn fill(&self, row: &TableRow, base: &Contact) -> Result<(Contact, Vec<FieldEdit>), String> {
        let mut edited = base.clone();
        let mut edits = Vec::new();
        let mut problems = Vec::new();
        for (column, slot, header) in self.written() {
            let cell = cell(row, column);
            let value = match slot {
                Slot::Contact(spec) => contact_value(spec, cell, self.options.empty),
                Slot::Custom(group, _) if !self.custom.groups.contains(group) => {
                    if cell.trim().is_empty() {
                        continue;
                    }
                    let groups: Vec<&str> = self.custom.groups.iter().map(String::as_str).collect();
                    Err(format!("unknown custom group “{group}” (the site has {})", groups.join(", ")))
                }
                Slot::Custom(group, field) => {
                    let now = base.custom_crm_groups.get(group).and_then(|values| values.get(field));
                    let kind = now
                        .and_then(CustomKind::of)
                        .or_else(|| self.custom.kinds.get(&(group.to_owned(), field.to_owned())).copied());
                    custom_value(kind, cell, self.options.empty)
                }
            };
            let value = match value {
                Ok(CellValue::Leave) => continue,
                Ok(CellValue::Clear) => None,
                Ok(CellValue::Set(value)) => Some(value),
                Err(problem) => {
                    problems.push(format!("{header}: {problem}"));
                    continue;
                }
            };
            match slot {
                Slot::Contact(spec) => {
                    spec.read(&mut edited, value.as_ref().unwrap_or(&Value::Null));
                    edits.push(FieldEdit { field: spec.name.to_owned(), value });
                }
                Slot::Custom(group, field) => {
                    set_custom(&mut edited, group, field, value.as_ref());
                    edits.push(FieldEdit { field: crate::api::fields::custom_field_name(group, field), value });
                }
            }
        }
        if problems.is_empty() { Ok((edited, edits)) } else { Err(problems.join("; ")) }
    }

    fn create(&self, row: &TableRow, key: &Key) -> Planned {
        let mut base = Contact::default();
        if let Key::Email(_) = key {
            base.email = cell(row, self.key_column).trim().to_owned();
        }
        let (draft, edits) = match self.fill(row, &base) {
            Ok(filled) => filled,
            Err(problems) => return Planned::Error(problems),
        };
        if let Some(problem) = email_problem(&draft.email) {
            return Planned::Error(format!("a new contact needs an email: {problem}"));
        }
        let mut changes: Vec<Change> = Vec::new();
        if let Key::Email(_) = key {
            changes.push(Change { field: "Email".to_owned(), before: String::new(), after: draft.email.clone() });
        }
        changes.extend(edits.iter().filter_map(|edit| {
            let after = shown(&draft, &edit.field);
            (!after.is_empty()).then(|| Change {
                field: field_title(&edit.field).into_owned(),
                before: String::new(),
                after,
            })
        }));
        Planned::Create { draft: Box::new(draft), changes }
    }

    fn update(&self, row: &TableRow, found: &Contact) -> Planned {
        let (edited, edits) = match self.fill(row, found) {
            Ok(filled) => filled,
            Err(problems) => return Planned::Error(problems),
        };
        let mut changed = Vec::new();
        let mut changes = Vec::new();
        for edit in edits {
            let (before, after) = (shown(found, &edit.field), shown(&edited, &edit.field));
            if !same_value(value_of(found, &edit.field), value_of(&edited, &edit.field)) {
                changes.push(Change { field: field_title(&edit.field).into_owned(), before, after });
                changed.push(edit);
            }
        }
        let name = contact_name(found);
        if changed.is_empty() {
            Planned::Unchanged { contact: found.id, name }
        } else {
            Planned::Update { contact: found.id, name, edits: Edits(changed), changes }
        }
    }
}

/// A field's value as compared: typed for a contact field, the JSON for a custom one.
fn value_of(contact: &Contact, field: &str) -> Option<Value> {
    match FieldSpec::named(field) {
        Some(spec) => match spec.value(contact) {
            FieldValue::Empty => None,
            value => Some(Value::String(value.to_text(ToString::to_string).into_owned())),
        },
        None => {
            let (group, field) = crate::api::query::custom_parts(field)?;
            contact.custom_crm_groups.get(group)?.get(field).filter(|v| !v.is_null()).cloned()
        }
    }
}

/// Whether two values are the same: numbers by their value (a sheet's `8` is the site's
/// `8.0`), everything else exactly.
fn same_value(a: Option<Value>, b: Option<Value>) -> bool {
    match (&a, &b) {
        (Some(Value::Number(x)), Some(Value::Number(y))) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

/// A field's value as people read it.
fn shown(contact: &Contact, field: &str) -> String {
    value_of(contact, field).map(|value| text(&value)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_joined_as_people_write_them() {
        assert_eq!(join_lines(&[3]), "3");
        assert_eq!(join_lines(&[3, 9]), "3 and 9");
        assert_eq!(join_lines(&[3, 9, 12]), "3, 9 and 12");
    }

    #[test]
    fn keys_are_read_by_the_match_chosen() {
        assert_eq!(read_key(MatchOn::Email, " Anna@X.example "), Ok(Key::Email("anna@x.example".to_owned())));
        assert!(read_key(MatchOn::Email, "anna").is_err());
        assert_eq!(read_key(MatchOn::Email, ""), Err("no email to match on".to_owned()));
        assert_eq!(read_key(MatchOn::Id, " 12 "), Ok(Key::Id(12)));
        assert_eq!(read_key(MatchOn::Id, ""), Ok(Key::NewContact));
        assert_eq!(read_key(MatchOn::Id, "x1"), Err("“x1” is not a contact Id".to_owned()));
    }
}
