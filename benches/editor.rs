//! The contact editor, headless (the real app in a bare egui context at 1280x800, frames
//! tessellated as a real frame is), against a sandbox site in its own process:
//! - frame CPU time with the pane open on a contact of 6 custom groups and 60 custom fields,
//!   while typing into a field (one character a frame);
//! - a save in the app's save path (read the contact again, PUT, the grid's row updated),
//!   timed from the command to the saved copy in the pane, against the same PUT alone.
//!
//! `cargo bench --bench editor`

mod support;

use std::time::{Duration, Instant};

use serde_json::json;
use treepl_contacts::api::{Change, ContactInput};
use treepl_contacts::app::command::Command;
use treepl_contacts::app::contact::EditorCommand;
use treepl_contacts::app::grid::GridCommand;
use treepl_contacts::app::grid::GridQuery;

use support::Headless;

const EMAIL: &str = "sixty.fields@bench.example";

fn main() {
    println!("Machine: {}", support::machine());
    let site = support::SandboxProcess::start("editor-1k.db", 1_000, None);
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let client = site.client();
    let id = runtime.block_on(async {
        let found = client
            .list_contacts(&treepl_contacts::api::ListQuery::new(treepl_contacts::api::Where::field("Email").eq(EMAIL)))
            .await
            .expect("the site answers");
        if let Some(contact) = found.items.first() {
            return contact.id;
        }
        let mut groups = treepl_contacts::api::model::CustomCrmGroups::new();
        for g in 0..6 {
            let fields = groups.entry(format!("Group{g}")).or_default();
            for f in 0..10 {
                let value = match f % 3 {
                    0 => json!(format!("Text value {g}.{f}")),
                    1 => json!(f * 100 + g),
                    _ => json!(f % 2 == 0),
                };
                fields.insert(format!("Field{f}"), value);
            }
        }
        let input = ContactInput {
            first_name: Change::set("Sixty"),
            last_name: Change::set("Fields"),
            custom_crm_groups: Change::Set(groups),
            ..ContactInput::new(EMAIL)
        };
        client.create_contact(&input, None).await.expect("the contact is created").id
    });

    let mut app = Headless::open(&site.url, true);
    let query = GridQuery { search: EMAIL.to_owned(), ..GridQuery::default() };
    app.app.state_mut().send(Command::Grid(GridCommand::SetQuery(query)));
    app.until(Duration::from_secs(20), |app| app.state().grid.peek(0).is_some_and(|c| c.id == id));
    app.app.state_mut().grid.click(0);
    app.until(Duration::from_secs(20), |app| {
        app.state().editor.open.as_ref().is_some_and(|o| o.id == id && o.draft.is_some())
    });
    // Enter takes the keyboard to the pane's first field (Email); type at its end.
    app.frame(vec![key(egui::Key::Enter)]);
    app.frame(vec![key(egui::Key::End)]);

    let mut times = Vec::with_capacity(600);
    for n in 0..600 {
        let typed = if n % 50 == 49 { key(egui::Key::Backspace) } else { egui::Event::Text("x".to_owned()) };
        times.push(app.frame(vec![typed]));
        std::thread::sleep(Duration::from_millis(16));
    }
    let changed = app.app.state().editor.open.as_ref().map_or(0, |o| o.changed().len());
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let typing = format!(
        "p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms ({changed} field changed; 6 groups, 60 custom fields)",
        ms(support::percentile(&times, 0.5)),
        ms(support::percentile(&times, 0.99)),
        ms(*times.last().unwrap_or(&Duration::ZERO))
    );

    // Saves: each one changes the phone, then Save; timed until the pane holds the saved copy.
    let mut saves = Vec::new();
    for n in 0..30 {
        let phone = format!("+47 555 {n:04}");
        if let Some(draft) = app.app.state_mut().editor.open.as_mut().and_then(|o| o.draft.as_mut()) {
            draft.email = EMAIL.to_owned();
            draft.phone = Some(phone.clone());
        }
        let started = Instant::now();
        app.app.state_mut().send(Command::Editor(EditorCommand::Save));
        app.until(Duration::from_secs(20), |app| {
            app.state().editor.open.as_ref().is_some_and(|o| {
                !o.saving && o.base.as_ref().is_some_and(|b| b.phone.as_deref() == Some(phone.as_str()))
            })
        });
        saves.push(started.elapsed());
    }
    // The same write alone, as the baseline: one PUT of the whole contact.
    let mut puts = Vec::new();
    runtime.block_on(async {
        let contact = client.get_contact(id).await.expect("the contact");
        for _ in 0..30 {
            let started = Instant::now();
            client.update_contact(id, &ContactInput::from_contact(&contact)).await.expect("saved");
            puts.push(started.elapsed());
        }
    });
    println!();
    println!("| measurement | result |");
    println!("|---|---|");
    println!("| frame CPU time typing in the pane (600 frames) | {typing} |");
    println!("| save in the app (re-read + PUT + grid row), 30 saves | p50 {:.1} ms |", ms(support::median(saves)));
    println!("| baseline: the PUT alone, 30 | p50 {:.1} ms |", ms(support::median(puts)));
}

fn key(key: egui::Key) -> egui::Event {
    egui::Event::Key { key, physical_key: None, pressed: true, repeat: false, modifiers: egui::Modifiers::NONE }
}
