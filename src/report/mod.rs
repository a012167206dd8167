//! The report: the whole picture of the home in one document, as Markdown, HTML or JSON.
//!
//! [`build`] gathers everything once into a [`Report`]: the problems the audit found (first), the home score and a short summary, what is
//! due (most urgent first), the risks the owner accepted with their reasons, and every device (weakest
//! first) with what was found on it, what porchlight thinks it is and why, its score with what each
//! open step is worth, and its checklist. The three formats render that same value, so they never
//! disagree; the JSON is the [`Report`] itself, a documented and versioned structure
//! ([`FORMAT_VERSION`]).
//!
//! Nothing here knows the terminal: [`render`] returns the text, and the caller writes it through
//! [`output`] (standard output, or a file written safely: exclusive temporary file, 0600, only ever
//! replacing a regular file).
//! Strings from devices are cleaned again on the way in and escaped for each format on the way out
//! (HTML entities; backslash escapes in Markdown, with table pipes and line breaks neutralised), so a
//! device named `<script>` or `a|b` cannot change the document it appears in.
//!
//! This file holds the formats and [`render`]; `model` is the [`Report`] value, `build` gathers it,
//! `problems` lists what the audit found, `words` holds the phrases Markdown and HTML share, and
//! `markdown` and `html` write the two documents.

mod build;
pub mod chart;
mod html;
mod markdown;
mod model;
pub(crate) mod output;
mod problems;
mod words;

pub use build::build;
pub use model::{
    AcceptedRisk, DeviceReport, DeviceScore, DueItem, EvidenceLine, HelpLink, Identification,
    PortFinding, Report, ServiceFinding, StepReport, StepStatus, Summary,
};
pub use problems::FoundProblem;

use std::fmt;
use std::path::Path;
use std::str::FromStr;

use jiff::Timestamp;
use jiff::tz::TimeZone;

use crate::catalog::Catalog;
use crate::identify::Fingerprints;
use crate::model::Inventory;
use crate::sanitize::clean;

/// The version of the JSON structure; it goes up when a field changes meaning or goes away (new
/// fields may appear without a change).
pub const FORMAT_VERSION: u32 = 1;

/// How many evidence lines each device shows (strongest first).
pub const EVIDENCE_SHOWN: usize = 3;

/// The longest text kept from any one field, in characters (device strings are capped at 200 when
/// they are found; an owner's reason may be longer).
const TEXT_CHARS: usize = 1000;

/// The format of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// Markdown (CommonMark with GitHub tables): headings per device, a table per checklist.
    Markdown,
    /// One self-contained HTML page (inline CSS, no scripts, nothing loaded from elsewhere).
    Html,
    /// The [`Report`] structure as pretty-printed JSON.
    Json,
}

impl Format {
    /// Every format, in the order they are offered.
    pub const ALL: [Format; 3] = [Format::Markdown, Format::Html, Format::Json];

    /// The name on the command line (`md`, `html`, `json`).
    pub fn key(self) -> &'static str {
        match self {
            Format::Markdown => "md",
            Format::Html => "html",
            Format::Json => "json",
        }
    }

    /// The usual file extension, without the dot.
    pub fn extension(self) -> &'static str {
        self.key()
    }

    /// The format a file name asks for by its extension (`report.html`), if it names one.
    pub fn for_path(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "md" | "markdown" => Some(Format::Markdown),
            "html" | "htm" => Some(Format::Html),
            "json" => Some(Format::Json),
            _ => None,
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// A report format name that porchlight does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown report format {given:?}: choose md (or markdown), html or json")]
pub struct UnknownFormat {
    given: String,
}

impl FromStr for Format {
    type Err = UnknownFormat;

    /// Reads `md` or `markdown`, `html` or `json` (any case).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "md" | "markdown" => Ok(Format::Markdown),
            "html" => Ok(Format::Html),
            "json" => Ok(Format::Json),
            _ => Err(UnknownFormat {
                given: clean(s, 40),
            }),
        }
    }
}

/// Why a report could not be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReportError {
    /// The JSON encoder failed (it should not: every value is plain data).
    #[error("the report could not be encoded as JSON: {0}")]
    Json(String),
}

/// Everything a report is made from.
#[derive(Debug, Clone)]
pub struct ReportInput<'a> {
    /// The checklist.
    pub catalog: &'a Catalog,
    /// The fingerprint rules, to say what each device looks like and why; `None` leaves that out.
    pub fingerprints: Option<&'a Fingerprints>,
    /// The devices and the owner's progress.
    pub inventory: &'a Inventory,
    /// The moment the report describes (what is due is due by then).
    pub now: Timestamp,
    /// The owner's time zone, for dates and for calendar intervals.
    pub tz: TimeZone,
    /// The heading ("porchlight report", or the place).
    pub title: String,
}

/// Writes the report in `format`.
///
/// # Errors
/// [`ReportError::Json`] if the JSON encoder fails, which plain data does not make it do.
pub fn render(format: Format, input: &ReportInput) -> Result<String, ReportError> {
    let report = build(input);
    Ok(match format {
        Format::Markdown => markdown::render(&report, &input.tz),
        Format::Html => html::render(&report, &input.tz),
        Format::Json => {
            let mut text = serde_json::to_string_pretty(&report)
                .map_err(|e| ReportError::Json(e.to_string()))?;
            text.push('\n');
            text
        }
    })
}

/// Cleans a string once more before it goes into the report (idempotent for device strings).
pub(super) fn text(s: &str) -> String {
    clean(s, TEXT_CHARS)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly
mod tests {
    use super::*;

    #[test]
    fn formats_parse_from_their_names_and_refuse_others() {
        assert_eq!("md".parse::<Format>().unwrap(), Format::Markdown);
        assert_eq!("Markdown".parse::<Format>().unwrap(), Format::Markdown);
        assert_eq!(" HTML ".parse::<Format>().unwrap(), Format::Html);
        assert_eq!("json".parse::<Format>().unwrap(), Format::Json);
        let e = "pdf".parse::<Format>().unwrap_err().to_string();
        assert_eq!(
            e,
            r#"unknown report format "pdf": choose md (or markdown), html or json"#
        );
        for f in Format::ALL {
            assert_eq!(f.key().parse::<Format>().unwrap(), f);
        }
    }

    #[test]
    fn formats_follow_file_extensions() {
        assert_eq!(Format::for_path(Path::new("home.HTML")), Some(Format::Html));
        assert_eq!(
            Format::for_path(Path::new("a/b.md")),
            Some(Format::Markdown)
        );
        assert_eq!(Format::for_path(Path::new("x.json")), Some(Format::Json));
        assert_eq!(Format::for_path(Path::new("report")), None);
        assert_eq!(Format::for_path(Path::new("report.pdf")), None);
    }
}
