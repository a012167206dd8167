//! `porchlight report`: the whole picture as Markdown, HTML or JSON, to standard output or a file.

use std::path::Path;
use std::process::ExitCode;

use jiff::Timestamp;

use super::args::{Cli, ReportArgs};
use super::data::read_for_listing;
use crate::catalog::Catalog;
use crate::cli::usage::UsageError;
use crate::identify::Fingerprints;

/// `porchlight report`: the whole picture as Markdown, HTML or JSON.
pub(super) fn report(
    cli: &Cli,
    args: &ReportArgs,
    catalog: &Catalog,
    dir: &Path,
) -> anyhow::Result<ExitCode> {
    let format = match (args.format, &args.output) {
        (Some(format), _) => format,
        (None, None) => crate::report::Format::Markdown,
        (None, Some(path)) if path.as_os_str() == "-" => crate::report::Format::Markdown,
        (None, Some(path)) => crate::report::Format::for_path(path).ok_or_else(|| {
            UsageError(format!(
                "cannot tell the report format from {:?}: name it .md, .html or .json, or add --format",
                crate::sanitize::clean(&path.display().to_string(), 80)
            ))
        })?,
    };
    let inventory = read_for_listing(cli, dir)?;
    let rules = Fingerprints::builtin()?;
    let title = if cli.demo {
        "porchlight report: demo home (simulated)".to_string()
    } else {
        "porchlight report".to_string()
    };
    let text = crate::report::render(
        format,
        &crate::report::ReportInput {
            catalog,
            fingerprints: Some(&rules),
            inventory: &inventory,
            now: Timestamp::now(),
            tz: jiff::tz::TimeZone::system(),
            title,
        },
    )?;
    if let Some(path) = crate::report::output::write(args.output.as_deref(), text.as_bytes())? {
        eprintln!("Wrote {}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}
