//! What each check can and cannot see, said with its verdict: a pass that covers only part of a
//! step is "verified in part" and names what the owner must still confirm; an undecided result
//! is "cannot check" with its reason. The three outcomes stay [`Verdict`]'s; "in part" is
//! [`CheckResult::unconfirmed`].

use super::{Check, CheckResult, Verdict};

/// What a passing `check` cannot see, which the owner must still confirm; `None` when a pass
/// proves what the check claims. Checks that set their own (the login check, the UPnP forward
/// checks) or never pass (the informative ones, `upnp-mappings`, `no-wps`) have none here.
pub fn blind_spot(check: &Check) -> Option<&'static str> {
    match check {
        Check::HttpsAdmin => Some(
            "what the https page shows (porchlight sees that TLS answers, not the page behind \
             it), and that plain-http pages on ports other than 80 and 8080 switch to https too",
        ),
        Check::AdminLogin => Some(
            "that settings pages over https or on other ports ask for a password too, and that \
             SNMP is not left on \"public\"",
        ),
        Check::RtspAuth => {
            Some("that streams in the maker's app, over ONVIF or on other ports need a login too")
        }
        Check::MqttAuth => Some(
            "that the encrypted port 8883, if the broker uses it, refuses anonymous clients too",
        ),
        Check::NotExposedViaUpnp { .. } => Some(
            "manual port forwards and a DMZ host set in the router's own pages: UPnP shows only \
             the forwards devices asked for",
        ),
        Check::RouterUptime { .. } => Some(
            "that the router itself restarted: the uptime it reports over UPnP is its internet \
             connection's, which also starts again when the line reconnects",
        ),
        Check::MatterCommissioningClosed => Some(
            "that no pairing window opens later or over Bluetooth: porchlight listened for a \
             moment only",
        ),
        Check::SeparateNetwork => Some(
            "that the guest or IoT network keeps its devices away from yours (client isolation): \
             from here porchlight sees only that this device is on another network",
        ),
        Check::SmartDevicesSeparated => Some(
            "that devices switched off during the scan are separated too, and that the other \
             network keeps them away from yours",
        ),
        Check::DefaultCredentials => Some(
            "that every other login of the device uses a long password you use nowhere else: \
             porchlight tries only a few well-known defaults",
        ),
        Check::PortsClosed { .. }
        | Check::Smb1Off
        | Check::UpnpIgdOff
        | Check::UpnpMappings
        | Check::NoWps
        | Check::FirmwareSeen
        | Check::IdentitySeen
        | Check::AllOf { .. }
        | Check::AnyOf { .. } => None,
    }
}

/// Adds `check`'s blind spot to a pass that does not name one yet.
pub fn complete(check: &Check, result: CheckResult) -> CheckResult {
    match blind_spot(check) {
        Some(spot) if result.verdict == Verdict::Pass && result.unconfirmed.is_none() => {
            result.in_part(spot)
        }
        _ => result,
    }
}

impl CheckResult {
    /// The verdict in the owner's words: `verified`, `verified in part`, `failed` or
    /// `cannot check`.
    pub fn label(&self) -> &'static str {
        match self.verdict {
            Verdict::Pass if self.unconfirmed.is_some() => "verified in part",
            verdict => verdict.label(),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly
mod tests {
    use super::*;

    #[test]
    fn partial_passes_say_what_is_left_and_others_are_untouched() {
        let upnp = Check::NotExposedViaUpnp { ports: None };
        let r = complete(&upnp, CheckResult::pass("no mapping points at 10.0.0.5"));
        assert_eq!(r.label(), "verified in part");
        assert!(
            r.unconfirmed
                .unwrap()
                .contains("manual port forwards and a DMZ host")
        );
        let closed = Check::PortsClosed { ports: vec![23] };
        let r = complete(&closed, CheckResult::pass("telnet closed"));
        assert_eq!(r.label(), "verified");
        let r = complete(&upnp, CheckResult::fail("forwarded"));
        assert_eq!((r.label(), r.unconfirmed), ("failed", None));
        let r = complete(&upnp, CheckResult::unknown("no router"));
        assert_eq!(r.label(), "cannot check");
        // A check's own account of what it missed is kept.
        let r = complete(&upnp, CheckResult::pass("x").in_part("UPnP is off"));
        assert_eq!(r.unconfirmed.as_deref(), Some("UPnP is off"));
    }

    #[test]
    fn every_check_that_can_pass_partly_says_so_in_its_description() {
        for check in [
            Check::AdminLogin,
            Check::RtspAuth,
            Check::NotExposedViaUpnp { ports: None },
            Check::SeparateNetwork,
            Check::DefaultCredentials,
        ] {
            let text = check.describe();
            assert!(text.contains("it cannot see"), "{}: {text}", check.kind());
        }
        assert!(!Check::Smb1Off.describe().contains("cannot see"));
        assert!(Check::NoWps.describe().contains("most routers"));
    }
}
