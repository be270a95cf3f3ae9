//! Importing contacts from a CSV or XLSX file: [`file`] turns the file into a table of text.

pub mod file;
