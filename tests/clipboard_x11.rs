//! A password copied to the real X11 clipboard (Xvfb) is offered with the mark clipboard
//! managers read to leave it out of their history (`x-kde-passwordManagerHint`). Ignored by
//! `cargo test` (it needs Xvfb and xclip); `.ci/run` installs them and runs it.

#[path = "suite/xvfb/mod.rs"]
mod xvfb;

use std::process::Command;
use std::time::Duration;

use secrecy::SecretString;
use treepl_contacts::app::clipboard::{Clipboard as _, SystemClipboard};
use xvfb::{Display, wait_until};

#[test]
#[ignore = "needs Xvfb and xclip; .ci/run installs them and runs it"]
fn a_copied_password_is_marked_to_stay_out_of_clipboard_history() {
    let display = Display::start();
    // SAFETY: the only test of this binary; nothing else reads the environment meanwhile.
    unsafe { std::env::set_var("DISPLAY", display.name()) };
    let clipboard = SystemClipboard::default();
    clipboard.set(&SecretString::from("Copied-Pa55word")).expect("the X11 clipboard takes the text");
    let targets = || {
        let output = Command::new("xclip")
            .args(["-o", "-selection", "clipboard", "-t", "TARGETS"])
            .env("DISPLAY", display.name())
            .output()
            .expect("xclip runs (apt install xclip)");
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    wait_until("the clipboard offers the text", Duration::from_secs(10), || targets().contains("UTF8_STRING"));
    let offered = targets();
    assert!(offered.contains("x-kde-passwordManagerHint"), "offered: {offered}");
}
