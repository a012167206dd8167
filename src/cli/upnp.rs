//! `porchlight upnp list` and `porchlight upnp remove EXTERNAL_PORT/PROTO`: the router's UPnP
//! port mappings, and removing one with the owner's consent, through the workflow the TUI's
//! mappings screen drives too (`session::mappings`). `remove` shows exactly what it will send,
//! asks (unless `--yes`), sends that one request, reads the list again and records the re-checks.
//! Exit status: 0 listed, or removed and verified; 1 anything else (one line says why).

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use jiff::Timestamp;

use super::args::{Cli, UpnpCmd};
use crate::catalog::Catalog;
use crate::checks::Verdict;
use crate::discovery::{Scope, ScopeOptions};
use crate::session::mappings::{self, Removed, Row};
use crate::store::Store;

/// Runs `porchlight upnp ...`.
///
/// # Errors
/// One line: no router known, the listing failed, no such mapping, the owner said no without a
/// terminal, or the mapping was not removed and verified.
pub(super) fn upnp(
    cli: &Cli,
    action: &UpnpCmd,
    catalog: &Catalog,
    dir: &Path,
) -> anyhow::Result<ExitCode> {
    if cli.demo {
        bail!(
            "the demo home is simulated: porchlight sends nothing to its router (press u on the router in `porchlight --demo` to see made-up forwards)"
        );
    }
    let runtime = tokio::runtime::Runtime::new().context("could not start porchlight's runtime")?;
    match action {
        UpnpCmd::List { json } => {
            let inventory = super::data::read_for_listing(cli, dir)?;
            let listing = runtime
                .block_on(mappings::list(&inventory))
                .map_err(anyhow::Error::msg)?;
            let mut out = std::io::stdout().lock();
            if *json {
                serde_json::to_writer_pretty(&mut out, &json_rows(&listing.rows))?;
                writeln!(out)?;
            } else {
                write_table(&mut out, listing.router, &listing.rows)?;
            }
            Ok(ExitCode::SUCCESS)
        }
        UpnpCmd::Remove {
            mapping: (port, proto),
            yes,
        } => {
            let store = Store::open(dir)?;
            let mut inventory = store.load()?;
            let listing = runtime
                .block_on(mappings::list(&inventory))
                .map_err(anyhow::Error::msg)?;
            let Some(row) = listing.find(*port, proto).cloned() else {
                bail!(
                    "the router lists no {proto} {port} mapping (see `porchlight upnp list`); nothing was sent"
                );
            };
            let mut out = std::io::stdout().lock();
            writeln!(out, "Remove {}?", row.describe())?;
            writeln!(
                out,
                "porchlight will send this one request to the router {} and nothing else:",
                listing.router
            )?;
            for line in mappings::request(&listing.control, &row.mapping) {
                writeln!(out, "  {line}")?;
            }
            writeln!(
                out,
                "Then it reads the router's list again and re-checks the steps that judge it."
            )?;
            if !yes {
                if !std::io::stdin().is_terminal() {
                    bail!("`upnp remove` asks first; run it in a terminal, or add --yes");
                }
                write!(out, "Send it? [y/N] ")?;
                out.flush()?;
                let mut answer = String::new();
                std::io::stdin().read_line(&mut answer)?;
                if !matches!(answer.trim(), "y" | "Y" | "yes" | "Yes") {
                    writeln!(out, "Nothing sent.")?;
                    return Ok(ExitCode::SUCCESS);
                }
            }
            let nets = Scope::from_system(&ScopeOptions::default())
                .map(|scope| scope.computer_nets)
                .unwrap_or_default();
            let removal =
                runtime.block_on(mappings::remove(catalog, &inventory, &listing, &row, nets));
            let now = Timestamp::now();
            mappings::record(&mut inventory, &removal, now);
            store.save(&inventory)?;
            writeln!(out, "{}", removal.words())?;
            for o in &removal.rechecks {
                let name = inventory
                    .device(&o.device)
                    .map_or_else(|| o.device.to_string(), |d| d.name().to_string());
                let title = catalog.step(&o.step).map_or("", |s| s.title.as_str());
                let verdict = match o.result.verdict {
                    Verdict::Fail => "problem",
                    _ => o.result.label(),
                };
                writeln!(
                    out,
                    "  {} {} ({name}): {verdict}: {}",
                    o.step, title, o.result.evidence
                )?;
            }
            out.flush()?;
            match removal.result {
                Removed::Verified => Ok(ExitCode::SUCCESS),
                _ => bail!(
                    "{} {} was not removed and verified (see above)",
                    row.mapping.protocol,
                    row.mapping.external_port
                ),
            }
        }
    }
}

/// `permanent`, `6 d 23 h left`, `40 min left`.
fn lease_words(secs: u32) -> String {
    match secs {
        0 => "until removed".into(),
        s if s >= 86_400 => format!("{} d {} h left", s / 86_400, s % 86_400 / 3600),
        s if s >= 3600 => format!("{} h {} min left", s / 3600, s % 3600 / 60),
        s => format!("{} min left", s.div_ceil(60)),
    }
}

fn write_table(
    out: &mut impl Write,
    router: std::net::Ipv4Addr,
    rows: &[Row],
) -> std::io::Result<()> {
    if rows.is_empty() {
        return writeln!(out, "The router {router} lists no UPnP port mappings.");
    }
    writeln!(
        out,
        "UPnP port mappings on the router {router}, read just now:"
    )?;
    writeln!(
        out,
        "{:<9} {:<5} {:<24} {:<21} {:<20} LEASE",
        "EXTERNAL", "PROTO", "DEVICE", "TO", "DESCRIPTION"
    )?;
    for r in rows {
        let m = &r.mapping;
        let device = match &r.device {
            Some((_, name)) => name.clone(),
            None => "stale: no such device".into(),
        };
        let off = if m.enabled { "" } else { " (disabled)" };
        writeln!(
            out,
            "{:<9} {:<5} {:<24} {:<21} {:<20} {}{off}",
            m.external_port,
            m.protocol,
            device,
            format!("{}:{}", m.internal_client, m.internal_port),
            m.description,
            lease_words(m.lease_secs)
        )?;
    }
    Ok(())
}

fn json_rows(rows: &[Row]) -> Vec<serde_json::Value> {
    rows.iter()
        .map(|r| {
            let m = &r.mapping;
            serde_json::json!({
                "external_port": m.external_port,
                "protocol": m.protocol,
                "internal_client": m.internal_client,
                "internal_port": m.internal_port,
                "description": m.description,
                "enabled": m.enabled,
                "lease_secs": m.lease_secs,
                "device_id": r.device.as_ref().map(|(id, _)| id.to_string()),
                "device_name": r.device.as_ref().map(|(_, name)| name),
                "stale": r.stale(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leases_read_as_words() {
        assert_eq!(lease_words(0), "until removed");
        assert_eq!(lease_words(604_800), "7 d 0 h left");
        assert_eq!(lease_words(3_660), "1 h 1 min left");
        assert_eq!(lease_words(59), "1 min left");
    }
}
