//! Which contact field each column of an import file fills: guessed from the header (our own
//! export's titles and paths, the API's names, common spellings), changed by the user, saved
//! per site and offered again for a file with the same headers.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::api::contact_fields::{FIELDS, Field, FieldSpec};
use crate::api::fields::field_title;
use crate::api::{FieldPath, query::custom_parts};

/// What one column of the file is for.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Target {
    /// Not read.
    Ignore,
    /// Identifies the contact (by the chosen match) and is never written.
    MatchKey,
    /// A field of the contact: a wire name of [`FIELDS`] or `CustomCrmGroups.<group>.<field>`.
    Field(String),
    /// A column of passwords: refused outright, never sent.
    Password,
}

impl Target {
    pub fn field(field: Field) -> Self {
        Target::Field(field.name().to_owned())
    }

    pub fn custom(group: &str, field: &str) -> Self {
        Target::Field(FieldPath::custom(group, field).to_string())
    }

    /// How the mapping shows it.
    pub fn label(&self) -> String {
        match self {
            Target::Ignore => "Ignore".to_owned(),
            Target::MatchKey => "Match key".to_owned(),
            Target::Password => "Password (never imported)".to_owned(),
            Target::Field(name) => match FieldSpec::named(name) {
                Some(spec) if spec.site_owned => format!("{} (set by the site, not imported)", spec.title),
                _ => field_title(name).into_owned(),
            },
        }
    }

    /// The field's row, for a contact field.
    pub fn spec(&self) -> Option<&'static FieldSpec> {
        match self {
            Target::Field(name) => FieldSpec::named(name),
            _ => None,
        }
    }

    /// `(group, field)` for a custom field.
    pub fn custom_parts(&self) -> Option<(&str, &str)> {
        match self {
            Target::Field(name) => custom_parts(name),
            _ => None,
        }
    }
}

/// What identifies a row's contact on the site.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MatchOn {
    /// The email, trimmed and compared without regard to case.
    #[default]
    Email,
    Id,
}

impl MatchOn {
    pub const ALL: [MatchOn; 2] = [MatchOn::Email, MatchOn::Id];

    pub fn label(self) -> &'static str {
        match self {
            MatchOn::Email => "Email",
            MatchOn::Id => "Id",
        }
    }

    /// The field whose column is the key when no column is marked [`Target::MatchKey`].
    pub fn field(self) -> Field {
        match self {
            MatchOn::Email => Field::Email,
            MatchOn::Id => Field::Id,
        }
    }
}

/// A target for every column of the file, in the file's order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mapping {
    pub columns: Vec<Target>,
}

/// Why a mapping cannot be used as it is.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MappingProblem {
    #[error("Column “{header}” holds passwords, which are never imported. Set it to Ignore.")]
    Password { header: String },
    #[error("{count} columns ({headers}) are mapped to {target}; map only one of them.")]
    Repeated { target: String, count: usize, headers: String },
    #[error("No column identifies the contacts: map a column to {0} or mark one as the match key.")]
    NoKey(&'static str),
    #[error("The mapping has {mapped} columns but the file has {file}; it was made for another file.")]
    Length { mapped: usize, file: usize },
}

impl Mapping {
    /// The first guess for `headers`; `custom` are the site's custom fields `(group, field)`.
    pub fn guess(headers: &[String], custom: &BTreeSet<(String, String)>) -> Self {
        // Two columns guessed as one field stay so: the problem says so and the user picks.
        Self { columns: headers.iter().map(|header| guess_one(header, custom)).collect() }
    }

    /// The column that identifies the contact under `on`, if one does.
    pub fn key_column(&self, on: MatchOn) -> Option<usize> {
        let field = Target::field(on.field());
        self.columns
            .iter()
            .position(|t| *t == Target::MatchKey)
            .or_else(|| self.columns.iter().position(|t| *t == field))
    }

    /// Everything that stops a dry run, in the file's order.
    pub fn problems(&self, headers: &[String], on: MatchOn) -> Vec<MappingProblem> {
        let mut problems = Vec::new();
        if self.columns.len() != headers.len() {
            problems.push(MappingProblem::Length { mapped: self.columns.len(), file: headers.len() });
            return problems;
        }
        let header = |i: usize| headers[i].clone();
        for (i, target) in self.columns.iter().enumerate() {
            if *target == Target::Password {
                problems.push(MappingProblem::Password { header: header(i) });
            }
        }
        let mut seen: Vec<&Target> = Vec::new();
        for target in &self.columns {
            if matches!(target, Target::Ignore | Target::Password) || seen.contains(&target) {
                continue;
            }
            seen.push(target);
            let at: Vec<usize> = (0..self.columns.len()).filter(|i| self.columns[*i] == *target).collect();
            if at.len() > 1 {
                let headers = at.iter().map(|i| format!("“{}”", header(*i))).collect::<Vec<_>>().join(", ");
                problems.push(MappingProblem::Repeated { target: target.label(), count: at.len(), headers });
            }
        }
        if self.key_column(on).is_none() {
            problems.push(MappingProblem::NoKey(on.field().title()));
        }
        problems
    }
}

/// A header as compared: lower case, letters and digits only ("E-mail" is "email").
fn normalised(text: &str) -> String {
    text.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// Spellings other systems use, normalised, for the fields they mean.
const SPELLINGS: &[(&str, Field)] = &[
    ("email", Field::Email),
    ("emailaddress", Field::Email),
    ("mail", Field::Email),
    ("contactid", Field::Id),
    ("forename", Field::FirstName),
    ("givenname", Field::FirstName),
    ("first", Field::FirstName),
    ("surname", Field::LastName),
    ("familyname", Field::LastName),
    ("last", Field::LastName),
    ("street", Field::Address),
    ("streetaddress", Field::Address),
    ("address1", Field::Address),
    ("addressline1", Field::Address),
    ("town", Field::City),
    ("county", Field::State),
    ("province", Field::State),
    ("region", Field::State),
    ("zip", Field::ZipCode),
    ("postcode", Field::ZipCode),
    ("postalcode", Field::ZipCode),
    ("billingzip", Field::BillingZipCode),
    ("billingpostcode", Field::BillingZipCode),
    ("billingpostalcode", Field::BillingZipCode),
    ("billingstreet", Field::BillingAddress),
    ("billingtown", Field::BillingCity),
    ("telephone", Field::Phone),
    ("phonenumber", Field::Phone),
    ("tel", Field::Phone),
    ("mobile", Field::Phone),
    ("note", Field::Notes),
    ("comments", Field::Notes),
];

const PASSWORD_SPELLINGS: &[&str] = &["password", "passwd", "pwd", "passwort", "motdepasse"];

fn guess_one(header: &str, custom: &BTreeSet<(String, String)>) -> Target {
    let header = header.trim();
    // Our export's path of a custom field, or the API's own name of any field.
    if let Ok(FieldPath::Custom { group, field }) = FieldPath::parse(header) {
        return Target::custom(&group, &field);
    }
    if let Some(spec) = FieldSpec::named(header) {
        return Target::field(spec.field);
    }
    let wanted = normalised(header);
    if wanted.is_empty() {
        return Target::Ignore;
    }
    if PASSWORD_SPELLINGS.contains(&wanted.as_str()) {
        return Target::Password;
    }
    if let Some(spec) = FIELDS.iter().find(|s| normalised(s.name) == wanted || normalised(s.title) == wanted) {
        return Target::field(spec.field);
    }
    if let Some((_, field)) = SPELLINGS.iter().find(|(spelling, _)| *spelling == wanted) {
        return Target::field(*field);
    }
    // Our export titles a custom field "Group: Field"; a sheet may say "Group.Field" or
    // just the field's name.
    let custom_match = custom.iter().find(|(group, field)| {
        let path = FieldPath::custom(group.as_str(), field.as_str()).to_string();
        normalised(&field_title(&path)) == wanted || normalised(&format!("{group}{field}")) == wanted
    });
    if let Some((group, field)) = custom_match {
        return Target::custom(group, field);
    }
    let by_field_name: Vec<_> = custom.iter().filter(|(_, field)| normalised(field) == wanted).collect();
    if let [(group, field)] = by_field_name.as_slice() {
        return Target::custom(group, field);
    }
    Target::Ignore
}

/// A mapping kept for a site, offered again for a file with the same headers.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SavedMapping {
    pub headers: Vec<String>,
    pub mapping: Mapping,
    pub match_on: MatchOn,
}

/// The most mappings kept per site (the newest).
pub const SAVED_PER_SITE: usize = 20;

/// Keeps `saved` at the front of `list` (replacing one for the same headers).
pub fn remember(list: &mut Vec<SavedMapping>, saved: SavedMapping) {
    list.retain(|old| old.headers != saved.headers);
    list.insert(0, saved);
    list.truncate(SAVED_PER_SITE);
}

/// The mapping saved for these headers, if any.
pub fn recall<'a>(list: &'a [SavedMapping], headers: &[String]) -> Option<&'a SavedMapping> {
    list.iter().find(|saved| saved.headers == headers)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn common_spellings_and_our_own_titles_are_guessed() {
        let custom = BTreeSet::from([("Membership".to_owned(), "Level".to_owned())]);
        let file = headers(&[
            "E-mail",
            "First Name",
            "Surname",
            "Post code",
            "Zip",
            "Billing zip code",
            "Membership: Level",
            "CustomCrmGroups.Unknown.Thing",
            "Password",
            "Favourite colour",
            "Id",
        ]);
        let guessed = Mapping::guess(&file, &custom);
        assert_eq!(
            guessed.columns,
            vec![
                Target::field(Field::Email),
                Target::field(Field::FirstName),
                Target::field(Field::LastName),
                Target::field(Field::ZipCode),
                Target::field(Field::ZipCode),
                Target::field(Field::BillingZipCode),
                Target::custom("Membership", "Level"),
                Target::custom("Unknown", "Thing"),
                Target::Password,
                Target::Ignore,
                Target::field(Field::Id),
            ]
        );
        assert_eq!(guessed.key_column(MatchOn::Email), Some(0));
        assert_eq!(guessed.key_column(MatchOn::Id), Some(10));
    }

    #[test]
    fn three_email_columns_and_a_password_column_are_problems() {
        let file = headers(&["Email", "Password"]);
        let mapping = Mapping { columns: vec![Target::field(Field::Email), Target::Password] };
        assert_eq!(
            mapping.problems(&file, MatchOn::Email),
            vec![MappingProblem::Password { header: "Password".to_owned() }]
        );
        let file = headers(&["Email", "email", "E-mail"]);
        let mapping = Mapping { columns: vec![Target::field(Field::Email); 3] };
        let problems = mapping.problems(&file, MatchOn::Email);
        assert_eq!(
            problems.iter().map(ToString::to_string).collect::<Vec<_>>(),
            vec!["3 columns (“Email”, “email”, “E-mail”) are mapped to Email; map only one of them."]
        );
        let mapping = Mapping { columns: vec![Target::field(Field::FirstName)] };
        assert_eq!(
            mapping.problems(&headers(&["Name"]), MatchOn::Email)[0].to_string(),
            "No column identifies the contacts: map a column to Email or mark one as the match key."
        );
    }

    #[test]
    fn a_saved_mapping_is_offered_for_the_same_headers_only() {
        let mut list = Vec::new();
        let first = SavedMapping { headers: headers(&["Email"]), ..SavedMapping::default() };
        remember(&mut list, first.clone());
        remember(&mut list, SavedMapping { headers: headers(&["Mail"]), ..SavedMapping::default() });
        remember(&mut list, first.clone());
        assert_eq!(list.len(), 2);
        assert_eq!(recall(&list, &headers(&["Email"])), Some(&first));
        assert_eq!(recall(&list, &headers(&["Email", "City"])), None);
    }
}
