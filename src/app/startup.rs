//! The tidying a start does off the UI thread, before any site opens: personal data left by
//! older versions made private, every site's journal and drafts past their keeping time
//! removed, and the temporary files of writes a stopped run left unfinished taken away.

use super::state::AppConfig;

pub fn tidy_in_background(config: &AppConfig, keep_days: u32, runtime: &tokio::runtime::Handle) {
    // Personal data on disk is the user's alone, including what older versions left.
    super::private::restrict_new_files();
    let own_folders = [config.config_dir.clone(), config.data_dir.clone()];
    let data_dir = config.data_dir.clone();
    // What a run that was killed mid-write left behind (an export's temporary file).
    let unfinished = crate::export::unfinished_folder(&config.data_dir);
    runtime.spawn_blocking(move || {
        let tightened: usize = own_folders.iter().map(|folder| super::private::tighten(folder)).sum();
        if tightened > 0 {
            tracing::info!(tightened, "made files and folders of an older version private");
        }
        // Every site's journal and drafts, not only the one about to open.
        let retention = super::personal_data::apply_retention(&data_dir, keep_days);
        tracing::info!(entries = retention.entries, drafts = retention.drafts, keep_days, "retention applied");
        let removed = crate::export::remove_leftovers(&unfinished);
        if !removed.is_empty() {
            tracing::info!(
                files = removed.len(),
                "removed the temporary files of writes a stopped run left unfinished"
            );
        }
    });
}
