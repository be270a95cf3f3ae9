//! `treepl-contacts completions SHELL` and the hidden `treepl-contacts man-pages DIR`: shell
//! completions and man pages generated from the clap definitions, so they never drift from
//! `--help`. `dist/build.sh` runs both with the built binary and ships what they write.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;

#[derive(clap::Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    shell: Shell,
}

/// The shells whose completions the packages install.
#[derive(Clone, Copy, clap::ValueEnum)]
enum Shell {
    Bash,
    Zsh,
    Fish,
}

impl From<Shell> for clap_complete::Shell {
    fn from(shell: Shell) -> Self {
        match shell {
            Shell::Bash => Self::Bash,
            Shell::Zsh => Self::Zsh,
            Shell::Fish => Self::Fish,
        }
    }
}

#[derive(clap::Args)]
pub struct ManPagesArgs {
    /// The folder to write `treepl-contacts.1` and one page per subcommand into (created if
    /// missing).
    #[arg(value_name = "DIR")]
    dir: PathBuf,
}

/// Prints the completion script for `args.shell` to stdout.
pub fn completions(args: CompletionsArgs, mut command: clap::Command) -> anyhow::Result<()> {
    let name = command.get_name().to_owned();
    let mut script = Vec::new();
    clap_complete::generate(clap_complete::Shell::from(args.shell), &mut command, name, &mut script);
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(&script).and_then(|()| stdout.flush()).context("writing the completions to stdout")
}

/// Writes the man page of `command` and of each of its visible subcommands, at any depth, into
/// `args.dir`: `treepl-contacts.1`, `treepl-contacts-export.1`, `treepl-contacts-journal-erase.1`...
pub fn man_pages(args: ManPagesArgs, command: clap::Command) -> anyhow::Result<()> {
    std::fs::create_dir_all(&args.dir).with_context(|| format!("creating {}", args.dir.display()))?;
    let mut command = command.disable_help_subcommand(true);
    // Building gives each subcommand its full name (`treepl-contacts-export`), the page's name.
    command.build();
    // The version alone: `--version` also names the commit, which a page's footer need not.
    let source = format!("{} {}", command.get_name(), env!("CARGO_PKG_VERSION"));
    write_pages(&command, &source, &args.dir)
}

fn write_pages(command: &clap::Command, source: &str, dir: &Path) -> anyhow::Result<()> {
    let page = clap_mangen::Man::new(command.clone()).source(source).manual("Treepl Contacts");
    let path = page.generate_to(dir).with_context(|| format!("writing a man page into {}", dir.display()))?;
    eprintln!("Wrote {}", path.display());
    for sub in command.get_subcommands().filter(|sub| !sub.is_hide_set()) {
        write_pages(sub, source, dir)?;
    }
    Ok(())
}
