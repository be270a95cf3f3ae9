//! The Cases tab: the contact's cases (form submissions), newest first, and the one
//! selected with every field it has.

use crate::api::Case;
use crate::app::related::{Related, Tab};
use crate::app::text::maybe_date;

use super::list::{Row, records_ui};
use super::{Intents, ListSplit, OpenRecord, fields_ui, groups_ui, order_link_ui, value_fields_ui, value_text};

pub fn ui(ui: &mut egui::Ui, related: &mut Related, intents: &mut Intents) -> OpenRecord {
    let split = ListSplit::new(ui, related.cases.selected.is_some());
    let height = split.list_height;
    records_ui(ui, &mut related.cases, Tab::Cases, height, intents, row);
    let case = related.cases.selected_record()?.clone();
    split.line_ui(ui);
    let mut open = None;
    egui::ScrollArea::vertical().id_salt("case_detail").auto_shrink([false, true]).show(ui, |ui| {
        open = detail_ui(ui, related, &case);
    });
    open
}

fn form_name(case: &Case) -> String {
    let form = case.form.as_ref();
    let named = form.and_then(|f| f.name.clone().or_else(|| f.alias.clone()));
    named.unwrap_or_else(|| case.form_id.map_or_else(|| format!("Case {}", case.id), |id| format!("Form {id}")))
}

/// The case's subject, when it has a field of that name that says something.
fn subject(case: &Case) -> Option<String> {
    let field = case.case_fields.iter().find(|(name, _)| name.eq_ignore_ascii_case("subject"))?;
    Some(value_text(field.1)).filter(|text| text != "—" && !text.trim().is_empty())
}

/// The subject (or the form's name), the form under it, else the first field that says
/// something as a hint of what the case is about.
fn title(case: &Case) -> String {
    subject(case).unwrap_or_else(|| form_name(case))
}

fn row(case: &Case) -> Row {
    let detail = match subject(case) {
        Some(_) => form_name(case),
        None => case.case_fields.values().map(value_text).find(|text| text != "—").unwrap_or_default(),
    };
    Row { title: title(case), aside: maybe_date(case.created_date_time.as_ref()), detail }
}

fn detail_ui(ui: &mut egui::Ui, related: &Related, case: &Case) -> OpenRecord {
    ui.strong(title(case));
    let fields = [("Form", form_name(case)), ("Created", maybe_date(case.created_date_time.as_ref()))];
    fields_ui(ui, ("case", case.id), &fields);
    if !case.case_fields.is_empty() {
        ui.add_space(6.0);
        ui.label(egui::RichText::new("Case fields").strong());
        value_fields_ui(ui, ("case_fields", case.id), &case.case_fields);
    }
    groups_ui(ui, ("case_groups", case.id), &case.custom_crm_groups);
    ui.add_space(6.0);
    order_link_ui(ui, related, case.order_id)
}
