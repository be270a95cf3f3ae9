//! Import of contacts from a CSV or Excel file: the file read into a table of text
//! ([`file`]), each column mapped to a field ([`mapping`]), a dry run of every row against
//! the site's contacts ([`planner`] makes a [`plan`]), then the rows kept applied through the
//! change journal as one batch ([`apply`]).

pub mod apply;
pub mod file;
pub mod lookup;
pub mod mapping;
pub mod plan;
pub mod planner;
pub mod values;
