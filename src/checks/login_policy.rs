//! When factory logins may be tried on a device: a pure rule, kept apart from the probes so it
//! can be tested on its own and applied wherever checks are re-run.
//!
//! Cameras, NVRs and NAS boxes lock an account after a few wrong passwords, counted over minutes
//! or hours, and an NVR that records through that account then stops recording. So the login
//! check never runs on every scan: only when the owner allowed it for that device, and then only
//! the first time, after the device's firmware changed (a reset or an update can bring factory
//! logins back), or when the owner asks (marking a password step done asks for it).

use jiff::Timestamp;

use crate::model::{Device, LoginCheckRecord};

/// Why the logins may be tried now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginRun {
    /// Never tried on this device.
    FirstTime,
    /// The firmware changed since the last try (`from` then, `to` now).
    FirmwareChanged {
        /// The version seen at the last try.
        from: String,
        /// The version seen now.
        to: String,
    },
    /// The owner asked for it.
    Requested,
}

/// Why the logins are not tried now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginHold {
    /// The owner has not allowed logins on this device.
    NotAllowed,
    /// Already tried, and nothing changed since.
    AlreadyTried {
        /// When.
        at: Timestamp,
    },
}

impl LoginHold {
    /// One line for the owner: why nothing was tried.
    pub fn reason(&self) -> String {
        match self {
            LoginHold::NotAllowed => {
                "not checked: you have not allowed porchlight to try logging in to this device"
                    .to_string()
            }
            LoginHold::AlreadyTried { at } => format!(
                "not tried again: porchlight tried the factory logins on {} and tries again only \
                 after a firmware change or when you ask (mark the password step done again)",
                at.strftime("%Y-%m-%d")
            ),
        }
    }
}

/// Decides whether factory logins may be tried on a device now: `allowed` is the owner's consent
/// for it, `record` what was last tried, `firmware` the version the latest scan saw.
///
/// A firmware change counts only when both versions are known and differ (a version that was
/// not seen before is not a change).
///
/// # Errors
/// Why not ([`LoginHold`]).
pub fn login_run(
    allowed: bool,
    record: &LoginCheckRecord,
    firmware: Option<&str>,
) -> Result<LoginRun, LoginHold> {
    if !allowed {
        return Err(LoginHold::NotAllowed);
    }
    if record.requested {
        return Ok(LoginRun::Requested);
    }
    let Some(at) = record.last_run else {
        return Ok(LoginRun::FirstTime);
    };
    match (record.firmware.as_deref(), firmware) {
        (Some(from), Some(to)) if from.trim() != to.trim() => Ok(LoginRun::FirmwareChanged {
            from: from.to_string(),
            to: to.to_string(),
        }),
        _ => Err(LoginHold::AlreadyTried { at }),
    }
}

/// [`login_run`] for a device of the inventory.
///
/// # Errors
/// Why not ([`LoginHold`]).
pub fn login_run_for(device: &Device) -> Result<LoginRun, LoginHold> {
    login_run(
        device.login_check_allowed,
        &device.login_check,
        device.firmware.as_deref(),
    )
}

/// Notes on `device` that its logins were tried at `now` (clears a request).
pub fn record_login_run(device: &mut Device, now: Timestamp) {
    device.login_check = LoginCheckRecord {
        last_run: Some(now),
        firmware: device.firmware.clone(),
        requested: false,
    };
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly
mod tests {
    use super::*;
    use crate::model::DeviceId;

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    fn tried(firmware: Option<&str>) -> LoginCheckRecord {
        LoginCheckRecord {
            last_run: Some(at("2027-01-01T10:00:00Z")),
            firmware: firmware.map(str::to_string),
            requested: false,
        }
    }

    #[test]
    fn nothing_runs_without_consent_even_when_asked() {
        let mut asked = tried(Some("1.0"));
        asked.requested = true;
        for record in [LoginCheckRecord::default(), asked] {
            assert_eq!(
                login_run(false, &record, Some("2.0")),
                Err(LoginHold::NotAllowed)
            );
        }
    }

    #[test]
    fn the_first_check_runs_and_a_plain_rescan_does_not() {
        assert_eq!(
            login_run(true, &LoginCheckRecord::default(), Some("1.0")),
            Ok(LoginRun::FirstTime)
        );
        let hold = login_run(true, &tried(Some("1.0")), Some("1.0")).unwrap_err();
        assert_eq!(
            hold,
            LoginHold::AlreadyTried {
                at: at("2027-01-01T10:00:00Z")
            }
        );
        assert!(
            hold.reason()
                .contains("tried the factory logins on 2027-01-01")
        );
        // No firmware seen, then or now: still a plain re-scan.
        assert!(login_run(true, &tried(None), None).is_err());
        // A version seen for the first time is not a change.
        assert!(login_run(true, &tried(None), Some("1.0")).is_err());
        // Nor is a version that stopped being seen.
        assert!(login_run(true, &tried(Some("1.0")), None).is_err());
    }

    #[test]
    fn a_firmware_change_or_a_request_runs_it_again() {
        assert_eq!(
            login_run(true, &tried(Some("V5.5.0")), Some("V5.7.3")),
            Ok(LoginRun::FirmwareChanged {
                from: "V5.5.0".into(),
                to: "V5.7.3".into()
            })
        );
        let mut asked = tried(Some("1.0"));
        asked.requested = true;
        assert_eq!(
            login_run(true, &asked, Some("1.0")),
            Ok(LoginRun::Requested)
        );
    }

    #[test]
    fn recording_a_run_clears_the_request_and_notes_the_firmware() {
        let mut d = Device::new(
            DeviceId::Ip("10.0.0.9".parse().unwrap()),
            "Camera",
            Timestamp::UNIX_EPOCH,
        );
        d.login_check_allowed = true;
        d.firmware = Some("2.1".into());
        d.login_check.requested = true;
        assert_eq!(login_run_for(&d), Ok(LoginRun::Requested));
        record_login_run(&mut d, at("2027-02-02T00:00:00Z"));
        assert!(!d.login_check.requested);
        assert_eq!(d.login_check.firmware.as_deref(), Some("2.1"));
        assert!(login_run_for(&d).is_err(), "a plain re-scan tries nothing");
        d.firmware = Some("2.2".into());
        assert!(matches!(
            login_run_for(&d),
            Ok(LoginRun::FirmwareChanged { .. })
        ));
    }
}
