//! Whether a smart-home device is open for Matter pairing: a device in commissioning mode
//! announces `_matterc._udp` over mDNS, and anyone nearby with its setup code can then add it to
//! their own app.
//!
//! The check asks the network for that one service type and listens for
//! [`CheckLimits::mdns_window`](super::CheckLimits::mdns_window), counting only adverts whose
//! address is the target's. When no mDNS listener can be started (port 5353 taken, no multicast),
//! it falls back to what the last scan saw and says so.

use std::net::IpAddr;

use mdns_sd::{IfKind, ServiceDaemon, ServiceEvent};
use tokio::time::Instant;

use super::ports::device_answers;
use super::rules;
use super::{CheckResult, Context, Target};
use crate::discovery::mdns::instance_name;
use crate::model::ServiceSource;
use crate::sanitize::clean;

/// The DNS-SD type a Matter device announces while it is open for commissioning.
pub const MATTER_COMMISSIONING: &str = "_matterc._udp.local.";

const CLOSE_ADVICE: &str = "Finish or cancel the pairing in your smart-home app, or restart the \
                            device if it stays in pairing mode; then check again.";

const INTEGRATIONS: &str = "porchlight cannot see which apps and integrations are linked: review \
                            them in your smart-home app.";

/// Listens for a commissioning advert from `target`; `Err` when no listener could start.
async fn listen(target: &Target, ctx: &Context) -> Result<Option<String>, String> {
    let fail = |e: mdns_sd::Error| clean(&format!("mDNS could not start: {e}"), 160);
    let daemon = ServiceDaemon::new_with_port(ctx.endpoints.mdns_port).map_err(fail)?;
    let outcome = async {
        daemon.disable_interface(IfKind::IPv6).map_err(fail)?;
        if ctx.endpoints.mdns_loopback_only {
            daemon.disable_interface(IfKind::All).map_err(fail)?;
            daemon.enable_interface(IfKind::LoopbackV4).map_err(fail)?;
        }
        let receiver = daemon.browse(MATTER_COMMISSIONING).map_err(fail)?;
        let deadline = Instant::now() + ctx.limits.mdns_window;
        let mut found = None;
        loop {
            let event = tokio::select! {
                event = receiver.recv_async() => event,
                _ = tokio::time::sleep_until(deadline) => break,
            };
            match event {
                Ok(ServiceEvent::ServiceResolved(info)) => {
                    let ours = info
                        .addresses
                        .iter()
                        .any(|a| a.to_ip_addr() == IpAddr::V4(target.ip));
                    if ours {
                        found = Some(instance_name(&info.fullname, &info.ty_domain));
                        break;
                    }
                }
                Ok(_) => {}
                Err(_) => break,
            }
        }
        let _ = daemon.stop_browse(MATTER_COMMISSIONING);
        Ok(found)
    }
    .await;
    if let Ok(status) = daemon.shutdown() {
        let _ =
            tokio::time::timeout(std::time::Duration::from_millis(300), status.recv_async()).await;
    }
    outcome
}

/// Pass when no commissioning advert from the device is heard; Fail when one is.
pub async fn commissioning_closed(target: &Target, ctx: &Context) -> CheckResult {
    let window = ctx.limits.mdns_window.as_secs_f32();
    // No advert is evidence only from a device that answers meanwhile.
    let (heard, alive) = futures::join!(listen(target, ctx), device_answers(target, ctx));
    match heard {
        Ok(None) if !alive => rules::no_answer(format!(
            "{} (no Matter pairing advert within {window} s, and the device did not answer a connection)",
            target.ip
        )),
        Ok(Some(name)) => CheckResult::fail(format!(
            "{} announces that it is open for Matter pairing (_matterc._udp \"{name}\")",
            target.ip
        ))
        .with_next(CLOSE_ADVICE),
        Ok(None) => CheckResult::pass(format!(
            "{} answers, and did not announce Matter pairing (_matterc._udp) within {window} s",
            target.ip
        ))
        .with_next(INTEGRATIONS),
        Err(e) => {
            let seen = target
                .services
                .iter()
                .find(|s| s.source == ServiceSource::Mdns && s.kind == "_matterc._udp");
            match seen {
                Some(s) => CheckResult::fail(format!(
                    "{} announced Matter pairing (_matterc._udp \"{}\") in the last scan; porchlight could not listen again: {e}",
                    target.ip, s.name
                ))
                .with_next(CLOSE_ADVICE),
                None => CheckResult::unknown(format!("porchlight could not listen for Matter pairing adverts: {e}")),
            }
        }
    }
}
