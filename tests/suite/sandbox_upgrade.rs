//! A sandbox database of an older data version (before invoice numbers were numbers) is not
//! misread: it is kept aside, whole, and a new demo database is seeded in its place.

use rusqlite::Connection;
use treepl_contacts::sandbox::{Sandbox, SandboxConfig};

#[tokio::test]
async fn an_older_demo_database_is_kept_aside_and_a_new_one_seeded() {
    let folder = tempfile::tempdir().unwrap();
    let db = folder.path().join("sandbox.db");
    // A database as the previous version left it: contacts, and no data version.
    let first = Sandbox::start(SandboxConfig::new(&db).seed(5)).await.unwrap();
    first.shutdown().await;
    let old = Connection::open(&db).unwrap();
    old.pragma_update(None, "user_version", 0).unwrap();
    old.execute("UPDATE contacts SET first_name = 'From the old version' WHERE id = 1", []).unwrap();
    drop(old);

    let site = Sandbox::start(SandboxConfig::new(&db).seed(7)).await.unwrap();
    assert_eq!(site.store().contact_count().unwrap(), 7, "seeded anew");
    let kept: Vec<_> = std::fs::read_dir(folder.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().contains(".v0-"))
        .collect();
    assert_eq!(kept.len(), 1, "{kept:?}");
    let aside = Connection::open(&kept[0]).unwrap();
    let name: String = aside.query_row("SELECT first_name FROM contacts WHERE id = 1", [], |r| r.get(0)).unwrap();
    assert_eq!(name, "From the old version", "the old data is whole");
    site.shutdown().await;

    // A current one is reused as it is.
    let again = Sandbox::start(SandboxConfig::new(&db).seed(9)).await.unwrap();
    assert_eq!(again.store().contact_count().unwrap(), 7);
}
