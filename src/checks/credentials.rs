//! The factory-login check: whether a published default login (makers' manuals, Mirai's table:
//! `assets/default-credentials.toml`) still opens a device.
//!
//! Trying logins on someone's device is only acceptable when its owner asks for it, and it can
//! lock the owner out (cameras and NVRs lock an account after about five failures, and an NVR
//! recording through it stops), so the rules are in code, not in the asset: nothing is sent
//! unless [`Context::credentials_consent`] is set for this device (and [`super::login_policy`]
//! keeps it from running on every scan); never to an address outside the private ranges (or this
//! machine); only the defaults that fit the device's maker and kind; at most
//! [`CheckLimits::max_credential_tries`] tries in all and [`CheckLimits::max_tries_per_user`] per
//! user name, one at a time with [`CheckLimits::credential_pause`] between them; stop at the
//! first login that works and at the first sign of a lockout (HTTP or RTSP 403/429/503, FTP 421,
//! "locked" or "too many" in a reply, a login realm that changes, an SSH server that says "Too
//! many authentication failures" or stops letting porchlight reach the password), which becomes
//! the evidence; every read bounded in bytes and time.
//!
//! Where it tries: a web page asking with HTTP Basic or Digest (`web`), the login forms of
//! common router and NAS families described in the asset (`form`), telnet, FTP, a camera's RTSP
//! stream, and SSH through the computer's own OpenSSH client (`ssh`, see [`SshClient`]; when
//! there is none, or it is too old, the check says so and SSH is not tried). A pass is always
//! "verified in part": a few defaults failing says nothing of the rest.
//!
//! [`CheckLimits::max_credential_tries`]: super::CheckLimits::max_credential_tries
//! [`CheckLimits::max_tries_per_user`]: super::CheckLimits::max_tries_per_user
//! [`CheckLimits::credential_pause`]: super::CheckLimits::credential_pause

mod form;
mod ftp;
mod http;
mod list;
mod rtsp;
mod ssh;
mod telnet;

use std::net::{Ipv4Addr, SocketAddrV4};

use tokio::time::Instant;

use super::ports::{connect, read_until};
use super::web;
use super::{CheckResult, Context, Target, is_home_address};
use crate::model::Category;
use crate::sanitize::clean;

use http::{WebLogin, find_web_login, web_try};

pub use ftp::FTP_PORTS;
pub use list::{
    DEFAULT_CREDENTIALS_TOML, DefaultLogin, LoginForm, LoginList, LoginService, LoginSource,
};
pub use ssh::{SSH_MAX_BYTES, SSH_PORTS, SSH_TRY, SshClient};
pub use telnet::TELNET_PORTS;

/// Web ports looked at for a login (the settings-page ports and the NAS port 5000).
pub const LOGIN_WEB_PORTS: &[u16] = &[80, 8080, 8000, 8081, 5000];

/// Where the login check looks: the standard ports, or others in tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginPorts {
    /// Web pages (Basic, Digest and login forms).
    pub web: Vec<u16>,
    /// Telnet.
    pub telnet: Vec<u16>,
    /// FTP.
    pub ftp: Vec<u16>,
    /// RTSP video streams.
    pub rtsp: Vec<u16>,
    /// SSH.
    pub ssh: Vec<u16>,
    /// The SSH client the SSH tries go through.
    pub ssh_client: SshClient,
}

impl LoginPorts {
    /// The standard ports.
    pub fn standard() -> Self {
        Self {
            web: LOGIN_WEB_PORTS.to_vec(),
            telnet: TELNET_PORTS.to_vec(),
            ftp: FTP_PORTS.to_vec(),
            rtsp: super::rtsp::RTSP_PORTS.to_vec(),
            ssh: SSH_PORTS.to_vec(),
            ssh_client: SshClient::system(),
        }
    }

    /// No ports at all (tests fill in the ones they serve).
    pub fn none() -> Self {
        Self {
            web: Vec::new(),
            telnet: Vec::new(),
            ftp: Vec::new(),
            rtsp: Vec::new(),
            ssh: Vec::new(),
            ssh_client: SshClient::system(),
        }
    }
}

/// What one try did.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Try {
    /// The login worked.
    Works,
    /// The login was refused.
    Refused,
    /// The device shows a sign of locking logins out (what it showed).
    Lockout(String),
    /// porchlight could not tell (no prompt, no answer in time).
    Unclear(String),
}

/// A sign in a device's text that it is locking logins out ("account locked", "too many
/// attempts"), cleaned and short.
fn lockout_sign(text: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    let at = ["locked", "too many", "lockout", "blocked"]
        .iter()
        .filter_map(|w| lower.find(w))
        .min()?;
    let start = lower[..at]
        .char_indices()
        .rev()
        .nth(30)
        .map_or(0, |(i, _)| i);
    Some(clean(&text[start..], 60))
}

/// A fresh client nonce for Digest authentication.
fn cnonce() -> String {
    let n: u64 = rand::random();
    format!("{n:016x}")
}

/// True when an SSH server answers on one of `ports` (its banner starts `SSH-`).
async fn ssh_answers(ip: Ipv4Addr, ports: &[u16], ctx: &Context) -> Option<SocketAddrV4> {
    for &port in ports {
        let addr = SocketAddrV4::new(ip, port);
        let Some(mut stream) = connect(addr, ctx).await else {
            continue;
        };
        let deadline = Instant::now() + ctx.limits.exchange_timeout;
        let banner = read_until(&mut stream, deadline, 256, |b| b.contains(&b'\n')).await;
        if banner.starts_with(b"SSH-") {
            return Some(addr);
        }
    }
    None
}

// ---------------------------------------------------------------------------------------------
// The check

/// Where one planned try goes.
#[derive(Debug, Clone)]
enum Place {
    Web(WebLogin, String),
    Form(form::FoundForm),
    Telnet(SocketAddrV4),
    Ftp(SocketAddrV4),
    Rtsp(rtsp::Stream),
    Ssh(ssh::SshPlace),
}

impl Place {
    fn describe(&self) -> String {
        match self {
            Place::Web(page, _) => format!("the web page {}", web::url(page.addr, &page.path)),
            Place::Form(f) => format!(
                "the {} login form at {}",
                f.form.family,
                web::url(f.addr, "/")
            ),
            Place::Telnet(addr) => format!("telnet {addr}"),
            Place::Ftp(addr) => format!("FTP {addr}"),
            Place::Rtsp(stream) => format!("the video stream {}", stream.url()),
            Place::Ssh(place) => ssh::describe(place.addr),
        }
    }

    async fn try_login(&self, login: &DefaultLogin, ctx: &Context) -> Try {
        match self {
            Place::Web(page, realm) => web_try(page, realm, login, ctx).await,
            Place::Form(f) => form::try_login(f, login, ctx).await,
            Place::Telnet(addr) => telnet::try_login(*addr, login, ctx).await,
            Place::Ftp(addr) => ftp::try_login(*addr, login, ctx).await,
            Place::Rtsp(stream) => rtsp::try_login(stream, login, ctx).await,
            Place::Ssh(place) => ssh::try_login(place, login).await,
        }
    }
}

/// The device's kind, as the home's peer list knows it.
fn kind_of(target: &Target, ctx: &Context) -> Category {
    ctx.peers
        .iter()
        .find(|p| p.ip == target.ip)
        .map_or(Category::Unknown, |p| p.category)
}

/// Fail naming a factory login that works; Pass ("verified in part") when none of the few that
/// fit the device works; Unknown when the owner has not consented, nothing can be tried, or the
/// device showed a sign of a lockout (porchlight then stops and says what it saw).
pub async fn default_credentials(target: &Target, ctx: &Context) -> CheckResult {
    default_credentials_on(target, &LoginPorts::standard(), ctx).await
}

/// [`default_credentials`] on the given ports (tests use others).
pub async fn default_credentials_on(
    target: &Target,
    ports: &LoginPorts,
    ctx: &Context,
) -> CheckResult {
    let ip = target.ip;
    if !ctx.credentials_consent {
        return CheckResult::unknown(
            "not checked: you have not allowed porchlight to try logging in to this device",
        )
        .with_next(format!(
            "If this device is yours, allow the login check for it (L on the device): porchlight \
             then tries at most {} factory logins that fit its maker and kind, once.",
            ctx.limits.max_credential_tries
        ));
    }
    if !is_home_address(ip) {
        return CheckResult::unknown(format!(
            "not checked: {ip} is not a private address, and porchlight only tries logins inside your home"
        ));
    }
    let list = match LoginList::builtin() {
        Ok(list) => list,
        Err(e) => return CheckResult::unknown(format!("not checked: {e}")),
    };
    let kind = kind_of(target, ctx);
    let (web_found, telnet, ftp, rtsp, ssh) = futures::join!(
        find_web_login(ip, &ports.web, kind, ctx),
        telnet::find(ip, &ports.telnet, ctx),
        ftp::find(ip, &ports.ftp, ctx),
        rtsp::find(ip, &ports.rtsp, ctx),
        ssh_answers(ip, &ports.ssh, ctx),
    );

    let mut places: Vec<(LoginService, Place)> = Vec::new();
    let mut lockouts = Vec::new();
    lockouts.extend(web_found.lockout.clone());
    if let Some((page, realm)) = &web_found.login {
        places.push((LoginService::Web, Place::Web(page.clone(), realm.clone())));
    }
    if let Some(f) = &web_found.form {
        places.push((LoginService::Form, Place::Form(f.clone())));
    }
    match telnet {
        Some(telnet::Found::Prompt(addr)) => {
            places.push((LoginService::Telnet, Place::Telnet(addr)))
        }
        Some(telnet::Found::Lockout(addr, sign)) => {
            lockouts.push(format!("telnet {addr} said \"{sign}\""));
        }
        None => {}
    }
    match ftp {
        Some(ftp::Found::Server(addr)) => places.push((LoginService::Ftp, Place::Ftp(addr))),
        Some(ftp::Found::Lockout(addr, sign)) => {
            lockouts.push(format!("FTP {addr} answered \"{sign}\""));
        }
        None => {}
    }
    match rtsp {
        Some(rtsp::Found::Login(stream)) => places.push((LoginService::Rtsp, Place::Rtsp(stream))),
        Some(rtsp::Found::Lockout(addr, sign)) => {
            lockouts.push(format!("the video stream on {addr} answered {sign}"));
        }
        None => {}
    }

    // What this check cannot see, said with every verdict.
    let mut unseen = Vec::new();
    if let Some(addr) = ssh {
        match ssh::find(addr, &ports.ssh_client).await {
            ssh::Found::Login(place) => places.push((LoginService::Ssh, Place::Ssh(place))),
            ssh::Found::NotTried(why) => {
                unseen.push(format!("SSH answers on {addr}, but was not tried: {why}"));
            }
            ssh::Found::Lockout(addr, sign) => {
                lockouts.push(format!("SSH {addr} said \"{sign}\""));
            }
            ssh::Found::Open(addr) => {
                return CheckResult::fail(format!(
                    "SSH on {addr} let porchlight in as {} without any password",
                    ssh::PROBE_USER
                ))
                .with_next(
                    "Set a long password for that account you use nowhere else (or turn SSH \
                     off); then check again.",
                );
            }
        }
    }
    if let Some(url) = &web_found.unknown_form {
        unseen.push(format!(
            "the login form at {url} is not one porchlight knows how to fill, so it was not tried"
        ));
    }
    let unseen_line = |extra: &str| {
        let mut parts = vec![extra.to_string()];
        parts.extend(unseen.iter().cloned());
        parts.join("; ")
    };

    if !lockouts.is_empty() {
        return CheckResult::unknown(format!(
            "not tried: the device already shows a sign of locking logins out ({}); porchlight tried no login",
            lockouts.join("; ")
        ))
        .with_next(
            "Wait until the device lets you log in again (often 5 to 30 minutes), then log in \
             yourself and make sure the password is not the factory one.",
        );
    }
    if places.is_empty() {
        let mut evidence = format!(
            "cannot check: porchlight found no login it can try on {ip} (a web page asking with Basic or Digest, a router or NAS login form it knows, telnet, FTP, SSH or a video stream asking for a login)"
        );
        for u in &unseen {
            evidence.push_str("; ");
            evidence.push_str(u);
        }
        return CheckResult::unknown(evidence).with_next(
            "Log in to the device's settings page or app yourself and make sure its password is \
             not the one from the manual or the label.",
        );
    }

    let mut names = format!(
        "{} {}",
        target.vendor.as_deref().unwrap_or_default(),
        target.model.as_deref().unwrap_or_default()
    );
    if let Some(f) = &web_found.form {
        names.push(' ');
        names.push_str(&f.form.family);
    }
    let offered: Vec<LoginService> = places.iter().map(|(s, _)| *s).collect();
    if let Some(label) = list.label_only_for(kind, &names) {
        return CheckResult::unknown(unseen_line(&format!(
            "not tried: {}; porchlight cannot know it, and a guess would only use up one of the few \
             wrong passwords the device allows",
            label.why
        )))
        .with_next(
            "Log in with the code from the label (or the app) and change it to a long password \
             you use nowhere else.",
        );
    }
    let plan = list.plan(
        kind,
        &names,
        target.mac,
        &offered,
        ctx.limits.max_credential_tries,
        ctx.limits.max_tries_per_user,
    );
    let budget = list
        .budget_for(&names)
        .filter(|b| b.tries < ctx.limits.max_credential_tries);
    let maker = target.vendor.as_deref().map(|v| clean(v, 40));
    let fits = match (&maker, kind) {
        (Some(m), Category::Unknown) => {
            format!("a device from {m} of a kind porchlight has not identified")
        }
        (Some(m), k) => format!("a {} from {m}", k.label().to_lowercase()),
        (None, Category::Unknown) => "a device porchlight has not identified".to_string(),
        (None, k) => format!(
            "a {} of a maker porchlight has not identified",
            k.label().to_lowercase()
        ),
    };
    if plan.is_empty() {
        let services: Vec<&str> = offered.iter().map(|s| s.key()).collect();
        return CheckResult::unknown(unseen_line(&format!(
            "cannot check: no factory login in porchlight's list fits {fits} on what it offers ({})",
            services.join(", ")
        )))
        .with_next(
            "Log in to the device yourself and make sure its password is not the one from the \
             manual or the label; setting its maker and kind helps porchlight pick the right defaults.",
        );
    }

    let mut tried = Vec::new();
    let mut unclear = Vec::new();
    for (n, (login, service)) in plan.into_iter().enumerate() {
        let Some((_, place)) = places.iter().find(|(s, _)| *s == service) else {
            continue;
        };
        if n > 0 {
            tokio::time::sleep(ctx.limits.credential_pause).await;
        }
        let outcome = place.try_login(&login, ctx).await;
        match outcome {
            Try::Works => {
                // The password goes on screen only: files and reports name the user.
                let saved = format!(
                    "the factory login for user {} still works ({}) on {}",
                    clean(&login.username, 40),
                    login.password_named(),
                    place.describe()
                );
                return CheckResult::fail(saved)
                    .with_on_screen(format!(
                        "the factory login {} still works on {}",
                        login.shown(),
                        place.describe()
                    ))
                    .with_next(
                        "Change that password now to a long one you use nowhere else (a password \
                     manager helps), or turn the service off; then check again.",
                    );
            }
            Try::Lockout(sign) => {
                let done = if tried.is_empty() {
                    "before any login was refused".to_string()
                } else {
                    format!("after {} refused ({})", tried.len(), tried.join(", "))
                };
                return CheckResult::unknown(format!(
                    "stopped: the device showed a sign of locking logins out {done}: {sign}; porchlight tried no more"
                ))
                .with_next(
                    "The device may refuse logins for a while (often 5 to 30 minutes), for you \
                     and any recorder or app using the same account: wait, then log in yourself \
                     and make sure the password is not the factory one.",
                );
            }
            // Refused defaults are public, but files and reports hold no password at all.
            Try::Refused => tried.push(format!("{} on {}", login.named(), place.describe())),
            Try::Unclear(why) => {
                unclear.push(why);
                if unclear.len() >= 2 {
                    break;
                }
            }
        }
    }
    if !unclear.is_empty() {
        return CheckResult::unknown(unseen_line(&format!(
            "cannot check: no factory login worked, but porchlight could not finish: {}",
            unclear.join("; ")
        )));
    }
    let count = tried.len();
    let budget_note = budget.map_or_else(String::new, |b| {
        format!(
            "; only {} tr{} on this maker's devices: {}",
            b.tries,
            if b.tries == 1 { "y" } else { "ies" },
            b.why
        )
    });
    CheckResult::pass(format!(
        "none of the {count} factory login{} that fit {fits} worked: {}",
        if count == 1 { "" } else { "s" },
        tried.join(", ")
    ))
    .in_part(unseen_line(&format!(
        "porchlight tried only {count} well-known default{} (to avoid locking the device); other \
         logins, other accounts and the maker's app are not checked, so make sure every login \
         uses a long password you use nowhere else{budget_note}",
        if count == 1 { "" } else { "s" }
    )))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly
mod tests {
    use super::*;

    #[test]
    fn lockout_signs_are_found_in_text() {
        assert!(lockout_sign("Your account is LOCKED for 30 minutes").is_some());
        assert!(lockout_sign("Too many failed attempts").is_some());
        assert_eq!(lockout_sign("Login incorrect"), None);
        assert!(lockout_sign(&"x".repeat(500)).is_none());
        let long = format!("{}account locked{}", "a".repeat(300), "b".repeat(300));
        assert!(lockout_sign(&long).unwrap().chars().count() <= 60);
    }
}
