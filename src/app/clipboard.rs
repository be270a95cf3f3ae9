//! The system clipboard behind a small trait (the app: `arboard`; tests: in memory), and the
//! one use the app has for it: a password copied for a while, then taken off the clipboard
//! again unless something else was copied since. What waits to clear it keeps a salted
//! fingerprint of the text, not the text: the password itself goes with its dialog.

use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::Duration;

use secrecy::{ExposeSecret as _, SecretString};
use sha2::{Digest as _, Sha256};

/// How long a copied password stays on the clipboard.
pub const CLIPBOARD_KEEPS: Duration = Duration::from_secs(30);

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ClipboardError(String);

/// Enough to tell whether the clipboard still holds a text, without keeping the text: a
/// SHA-256 under a salt drawn once per run.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Fingerprint([u8; 32]);

impl Fingerprint {
    pub fn of(text: &SecretString) -> Self {
        static SALT: OnceLock<[u8; 16]> = OnceLock::new();
        let salt = SALT.get_or_init(|| {
            let mut salt = [0u8; 16];
            if getrandom::fill(&mut salt).is_err() {
                salt = fastrand::u128(..).to_le_bytes();
            }
            salt
        });
        let mut hasher = Sha256::new();
        hasher.update(salt);
        hasher.update(text.expose_secret().as_bytes());
        Self(hasher.finalize().into())
    }
}

impl std::fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Fingerprint(..)")
    }
}

/// Calls may wait on the windowing system: make them off the UI thread.
pub trait Clipboard: Send + Sync {
    fn set(&self, text: &SecretString) -> Result<(), ClipboardError>;
    /// The text it holds now (`None`: no text).
    fn text(&self) -> Result<Option<SecretString>, ClipboardError>;
    fn clear(&self) -> Result<(), ClipboardError>;
}

/// The system clipboard. Opened on first use and kept open: on X11 the text is served from
/// this process for as long as it owns the clipboard.
#[derive(Default)]
pub struct SystemClipboard {
    open: Mutex<Option<arboard::Clipboard>>,
}

impl SystemClipboard {
    fn with<T>(
        &self,
        call: impl FnOnce(&mut arboard::Clipboard) -> Result<T, arboard::Error>,
    ) -> Result<T, ClipboardError> {
        let mut open = lock(&self.open);
        if open.is_none() {
            let clipboard = arboard::Clipboard::new()
                .map_err(|e| ClipboardError(format!("No clipboard is available here ({e}).")))?;
            *open = Some(clipboard);
        }
        let clipboard = open.as_mut().ok_or_else(|| ClipboardError("No clipboard is available here.".to_owned()))?;
        call(clipboard).map_err(|e| ClipboardError(format!("The clipboard did not answer ({e}).")))
    }
}

impl Clipboard for SystemClipboard {
    fn set(&self, text: &SecretString) -> Result<(), ClipboardError> {
        // Marked for clipboard managers to leave out of their history, where the platform
        // has a way to say so: a password must not outlive its 30 s on the clipboard there.
        self.with(|clipboard| exclude_from_history(clipboard.set()).text(text.expose_secret()))
    }

    fn text(&self) -> Result<Option<SecretString>, ClipboardError> {
        match self.with(|clipboard| clipboard.get_text()) {
            Ok(text) => Ok(Some(SecretString::from(text))),
            // Holding an image or nothing is not an error here.
            Err(_) if lock(&self.open).is_some() => Ok(None),
            Err(error) => Err(error),
        }
    }

    fn clear(&self) -> Result<(), ClipboardError> {
        self.with(|clipboard| clipboard.clear())
    }
}

/// A clipboard in memory, for tests; `missing()` acts as a machine without one.
#[derive(Default)]
pub struct MemoryClipboard {
    text: Mutex<Option<SecretString>>,
    missing: bool,
}

impl MemoryClipboard {
    pub fn missing() -> Self {
        Self { missing: true, ..Self::default() }
    }

    /// Whether it holds exactly `text` now.
    pub fn holds(&self, text: &str) -> bool {
        lock(&self.text).as_ref().is_some_and(|held| held.expose_secret() == text)
    }

    pub fn is_empty(&self) -> bool {
        lock(&self.text).is_none()
    }

    fn check(&self) -> Result<(), ClipboardError> {
        match self.missing {
            true => Err(ClipboardError("No clipboard is available here.".to_owned())),
            false => Ok(()),
        }
    }
}

impl Clipboard for MemoryClipboard {
    fn set(&self, text: &SecretString) -> Result<(), ClipboardError> {
        self.check()?;
        *lock(&self.text) = Some(text.clone());
        Ok(())
    }

    fn text(&self) -> Result<Option<SecretString>, ClipboardError> {
        self.check()?;
        Ok(lock(&self.text).clone())
    }

    fn clear(&self) -> Result<(), ClipboardError> {
        self.check()?;
        *lock(&self.text) = None;
        Ok(())
    }
}

/// Puts `secret` on the clipboard; after `keeps`, takes it off again if the clipboard still
/// holds it (the user may have copied something else meanwhile, which stays). Resolves once
/// the text is on the clipboard; the clearing goes on in the background. Needs a tokio runtime.
pub async fn copy_for_a_while(
    clipboard: Arc<dyn Clipboard>,
    secret: SecretString,
    keeps: Duration,
) -> Result<(), ClipboardError> {
    let fingerprint = Fingerprint::of(&secret);
    let on = Arc::clone(&clipboard);
    // The text goes with this call; only its fingerprint waits.
    blocking(move || on.set(&secret)).await?;
    tokio::spawn(async move {
        tokio::time::sleep(keeps).await;
        if let Err(error) = blocking(move || clear_if_holding(clipboard.as_ref(), fingerprint)).await {
            tracing::warn!(%error, "could not take the copied password off the clipboard");
        }
    });
    Ok(())
}

/// Clears the clipboard if it holds the text of `fingerprint`; `true` when it did.
pub fn clear_if_holding(clipboard: &dyn Clipboard, fingerprint: Fingerprint) -> Result<bool, ClipboardError> {
    let holds = clipboard.text()?.is_some_and(|held| Fingerprint::of(&held) == fingerprint);
    if holds {
        clipboard.clear()?;
    }
    Ok(holds)
}

async fn blocking<T: Send + 'static>(
    call: impl FnOnce() -> Result<T, ClipboardError> + Send + 'static,
) -> Result<T, ClipboardError> {
    tokio::task::spawn_blocking(call).await.map_err(|e| ClipboardError(format!("The clipboard call failed ({e}).")))?
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(all(unix, not(target_os = "macos")))]
fn exclude_from_history(set: arboard::Set<'_>) -> arboard::Set<'_> {
    use arboard::SetExtLinux as _;
    set.exclude_from_history()
}

#[cfg(target_os = "macos")]
fn exclude_from_history(set: arboard::Set<'_>) -> arboard::Set<'_> {
    use arboard::SetExtApple as _;
    set.exclude_from_history()
}

#[cfg(windows)]
fn exclude_from_history(set: arboard::Set<'_>) -> arboard::Set<'_> {
    use arboard::SetExtWindows as _;
    set.exclude_from_history()
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEEPS: Duration = Duration::from_millis(60);

    async fn wait_past_keeps() {
        tokio::time::sleep(KEEPS * 4).await;
    }

    #[tokio::test]
    async fn a_copied_password_is_taken_off_the_clipboard_after_a_while() {
        let clipboard = Arc::new(MemoryClipboard::default());
        copy_for_a_while(clipboard.clone(), SecretString::from("Tr0ub4dor&3-copied"), KEEPS).await.unwrap();
        assert!(clipboard.holds("Tr0ub4dor&3-copied"), "on the clipboard at once");
        wait_past_keeps().await;
        assert!(clipboard.is_empty(), "gone after the delay");
    }

    #[tokio::test]
    async fn what_the_user_copied_meanwhile_stays_on_the_clipboard() {
        let clipboard = Arc::new(MemoryClipboard::default());
        copy_for_a_while(clipboard.clone(), SecretString::from("Tr0ub4dor&3-copied"), KEEPS).await.unwrap();
        clipboard.set(&SecretString::from("an address copied later")).unwrap();
        wait_past_keeps().await;
        assert!(clipboard.holds("an address copied later"));
    }

    #[test]
    fn the_system_clipboard_without_a_display_is_an_error_not_a_panic() {
        let headless = ["DISPLAY", "WAYLAND_DISPLAY"].iter().all(|name| std::env::var_os(name).is_none());
        if !headless {
            return; // Only meaningful where there is no display to reach.
        }
        let clipboard = SystemClipboard::default();
        let error = clipboard.set(&SecretString::from("whatever1")).unwrap_err();
        assert!(error.to_string().starts_with("No clipboard is available here"), "{error}");
        assert!(clipboard.text().is_err());
    }

    #[test]
    fn a_fingerprint_tells_texts_apart_and_shows_nothing() {
        let one = Fingerprint::of(&SecretString::from("Tr0ub4dor&3"));
        assert_eq!(one, Fingerprint::of(&SecretString::from("Tr0ub4dor&3")));
        assert_ne!(one, Fingerprint::of(&SecretString::from("Tr0ub4dor&4")));
        assert_eq!(format!("{one:?}"), "Fingerprint(..)");
    }

    #[tokio::test]
    async fn a_missing_clipboard_is_an_error_to_show_not_a_panic() {
        let clipboard = Arc::new(MemoryClipboard::missing());
        let copied = copy_for_a_while(clipboard, SecretString::from("whatever1"), KEEPS).await;
        assert!(copied.unwrap_err().to_string().contains("No clipboard"));
    }
}
