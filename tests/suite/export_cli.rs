//! `treepl-contacts export`, run as a real process against a sandbox site over HTTP.

use crate::common;

use std::path::Path;
use std::process::Output;

use serde_json::Value;
use treepl_contacts::app::profiles::{ProfileFile, SiteProfile};
use treepl_contacts::sandbox::{DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, Forced, Route};

/// Runs the binary with `args` and a private config folder (off the test's async workers).
async fn run(args: Vec<String>, secret: Option<&str>, config_home: &Path) -> Output {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_treepl-contacts"));
    command.arg("export").args(args).env("XDG_CONFIG_HOME", config_home).env_remove("TREEPL_CLIENT_SECRET");
    if let Some(secret) = secret {
        command.env("TREEPL_CLIENT_SECRET", secret);
    }
    tokio::task::spawn_blocking(move || command.output().expect("the binary runs")).await.unwrap()
}

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|s| (*s).to_owned()).collect()
}

/// `--site URL --client-id ID --format FORMAT --out FILE` for the test's sandbox, then `extra`.
fn site_args(site: &common::Site, format: &str, out: &Path, extra: &[&str]) -> Vec<String> {
    let mut args = strings(&["--site", site.sandbox.url().as_str(), "--client-id", DEFAULT_CLIENT_ID]);
    args.extend(strings(&["--format", format, "--out", out.to_str().unwrap()]));
    args.extend(strings(extra));
    args
}

#[tokio::test(flavor = "multi_thread")]
async fn exports_the_filtered_sorted_columns_and_exits_zero() {
    let site = common::site(800).await;
    let folder = tempfile::tempdir().unwrap();
    let out = folder.path().join("oslo.json");
    let filter = ["--where", r#"{"City":{"$eq":"Oslo"}}"#, "--order-by", "LastName DESC"];
    let args = site_args(&site, "json", &out, &[&filter[..], &["--columns", "Id,LastName,City"]].concat());
    let output = run(args, Some(DEFAULT_CLIENT_SECRET), folder.path()).await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");

    // The expectation from every contact the site holds, filtered and sorted here: not by
    // the site's filter (which the export goes through). Equality ignores case; a missing
    // LastName sorts as the smallest; ties go by Id ascending.
    let mut everyone = Vec::new();
    for offset in [0, 500] {
        let page = common::raw_get(&site, &format!("/api/v2/admin/contacts?Offset={offset}&Limit=500")).await;
        everyone.extend(page["Items"].as_array().unwrap().iter().cloned());
    }
    assert_eq!(everyone.len(), 800);
    let lowercase = |c: &Value, field: &str| c[field].as_str().map(str::to_lowercase);
    let mut expected: Vec<Value> =
        everyone.into_iter().filter(|c| lowercase(c, "City").as_deref() == Some("oslo")).collect();
    expected.sort_by(|a, b| {
        let by_name = lowercase(b, "LastName").cmp(&lowercase(a, "LastName"));
        by_name.then(a["Id"].as_i64().cmp(&b["Id"].as_i64()))
    });
    assert!(!expected.is_empty());
    assert!(stderr.contains(&format!("Exported {} contacts", expected.len())), "{stderr}");
    let written: Vec<Value> = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let expected: Vec<Value> = expected
        .iter()
        .map(|c| serde_json::json!({"Id": c["Id"], "LastName": c["LastName"], "City": c["City"]}))
        .collect();
    assert_eq!(written, expected);
    assert!(!stderr.contains(DEFAULT_CLIENT_SECRET), "the secret is never printed");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failing_site_exits_non_zero_and_leaves_the_old_file() {
    let site = common::site(300).await;
    let folder = tempfile::tempdir().unwrap();
    let out = folder.path().join("contacts.csv");
    std::fs::write(&out, "yesterday's export\n").unwrap();
    // Far past the retry budget: every list request fails.
    site.sandbox.faults().force(Route::ListContacts, Forced::Error(503), 1000);
    let args = site_args(&site, "csv", &out, &["--columns", "Email"]);
    let output = run(args, Some(DEFAULT_CLIENT_SECRET), folder.path()).await;
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).starts_with("Error:"));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "yesterday's export\n");
    assert_eq!(std::fs::read_dir(folder.path()).unwrap().count(), 1, "no temporary file is left");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_saved_profile_gives_the_site_and_the_environment_the_secret() {
    let site = common::site(120).await;
    let config_home = tempfile::tempdir().unwrap();
    let profile = SiteProfile::new("Shop", site.sandbox.url().as_str(), DEFAULT_CLIENT_ID);
    ProfileFile::in_folder(&config_home.path().join("treepl-contacts")).save(&[profile]).unwrap();
    let out = config_home.path().join("cards.vcf");
    let args = strings(&["--profile", "Shop", "--format", "vcf", "--out", out.to_str().unwrap()]);
    let output = run(args.clone(), Some(DEFAULT_CLIENT_SECRET), config_home.path()).await;
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let cards = std::fs::read_to_string(&out).unwrap();
    assert_eq!(cards.matches("BEGIN:VCARD").count(), 120);

    let unknown = strings(&["--profile", "Nope", "--format", "csv", "--out", "x.csv"]);
    let output = run(unknown, Some(DEFAULT_CLIENT_SECRET), config_home.path()).await;
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("no saved site is called `Nope`"));
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_input_is_refused_before_anything_is_written() {
    let site = common::site(10).await;
    let folder = tempfile::tempdir().unwrap();
    let out = folder.path().join("never.csv");
    let cases: [(&[&str], Option<&str>, &str); 4] = [
        (&[], None, "TREEPL_CLIENT_SECRET"),
        (&["--where", "{\"City\":"], Some(DEFAULT_CLIENT_SECRET), "--where"),
        (&["--columns", "Email,Nickname"], Some(DEFAULT_CLIENT_SECRET), "`Nickname` is not a contact field"),
        (&[], Some("not-the-secret"), "refused these credentials"),
    ];
    for (extra, secret, message) in cases {
        let output = run(site_args(&site, "csv", &out, extra), secret, folder.path()).await;
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{extra:?}");
        assert!(stderr.contains(message), "{extra:?}: {stderr}");
        assert!(!stderr.contains("not-the-secret"), "a secret is never printed");
        assert!(!out.exists());
    }
}
