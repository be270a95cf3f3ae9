//! The files in `dist/` point at what the build really produces.

use std::path::Path;

use treepl_contacts::ui::{APP_ID, APP_TITLE};

fn dist(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("dist").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn desktop_key<'a>(desktop: &'a str, key: &str) -> &'a str {
    desktop.lines().find_map(|line| line.strip_prefix(&format!("{key}="))).unwrap_or_else(|| panic!("no {key}="))
}

#[test]
fn the_desktop_file_launches_the_binary_with_the_icon_and_the_window_id() {
    let desktop = dist(&format!("{APP_ID}.desktop"));
    assert_eq!(desktop_key(&desktop, "Exec"), env!("CARGO_PKG_NAME"));
    assert_eq!(desktop_key(&desktop, "Name"), APP_TITLE);
    assert_eq!(desktop_key(&desktop, "StartupWMClass"), APP_ID);
    assert_eq!(desktop_key(&desktop, "Icon"), env!("CARGO_PKG_NAME"));
    let icon = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/icon.png");
    let decoded = eframe::icon_data::from_png_bytes(&std::fs::read(icon).unwrap()).unwrap();
    assert_eq!((decoded.width, decoded.height), (256, 256));
}

#[test]
fn the_appstream_metadata_names_the_same_app() {
    let metainfo = dist(&format!("{APP_ID}.metainfo.xml"));
    assert!(metainfo.contains(&format!("<id>{APP_ID}</id>")));
    assert!(metainfo.contains(&format!("<launchable type=\"desktop-id\">{APP_ID}.desktop</launchable>")));
    assert!(metainfo.contains(&format!("<binary>{}</binary>", env!("CARGO_PKG_NAME"))));
    assert!(metainfo.contains(&format!("<release version=\"{}\"", env!("CARGO_PKG_VERSION"))));
}

#[test]
fn the_committed_icons_are_the_sizes_their_folders_name() {
    // 256x256 is assets/icon.png itself; the smaller ones are resized copies of it.
    for size in [48, 64, 128] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(format!("dist/icons/hicolor/{size}x{size}/apps/{}.png", env!("CARGO_PKG_NAME")));
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let decoded = eframe::icon_data::from_png_bytes(&bytes).unwrap();
        assert_eq!((decoded.width, decoded.height), (size, size), "{}", path.display());
    }
}

#[test]
fn the_debian_changelog_names_this_version() {
    let changelog = dist("changelog.Debian");
    let first = changelog.lines().next().unwrap_or_default();
    // cargo-deb's default revision is 1.
    assert!(first.starts_with(&format!("{} ({}-1) ", env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION"))), "{first}");
}
