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
//! "locked" or "too many" in a reply, a login realm that changes), which becomes the evidence;
//! every read bounded in bytes and time.
//!
//! Where it tries: a web page asking with HTTP Basic or Digest (`web`), the login forms of
//! common router and NAS families described in the asset (`form`), telnet, FTP, and a camera's
//! RTSP stream. SSH is not tried: porchlight has no SSH client (the check says so when SSH
//! answers). A pass is always "verified in part": a few defaults failing says nothing of the
//! rest.
//!
//! [`CheckLimits::max_credential_tries`]: super::CheckLimits::max_credential_tries
//! [`CheckLimits::max_tries_per_user`]: super::CheckLimits::max_tries_per_user
//! [`CheckLimits::credential_pause`]: super::CheckLimits::credential_pause

mod form;
mod ftp;
mod list;
mod rtsp;
mod telnet;

use std::net::{Ipv4Addr, SocketAddrV4};

use tokio::time::Instant;

use super::digest::{base64, md5_hex};
use super::ports::{connect, read_until};
use super::web::{self, Hop};
use super::{CheckResult, Context, Target, is_home_address};
use crate::discovery::http::Response;
use crate::model::Category;
use crate::sanitize::clean;

pub use ftp::FTP_PORTS;
pub use list::{
    DEFAULT_CREDENTIALS_TOML, DefaultLogin, LoginForm, LoginList, LoginService, LoginSource,
};
pub use telnet::TELNET_PORTS;

/// Web ports looked at for a login (the settings-page ports and the NAS port 5000).
pub const LOGIN_WEB_PORTS: &[u16] = &[80, 8080, 8000, 8081, 5000];

/// SSH ports looked at (only to say that SSH was not tried).
pub const SSH_PORTS: &[u16] = &[22];

/// Why SSH logins are not tried, said whenever SSH answers.
pub const SSH_NOT_TRIED: &str = "porchlight has no SSH client built in (the maintained Rust SSH \
     clients add a large cryptography stack to every build), so SSH logins were not tried";

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
    /// SSH (never tried; named in the evidence).
    pub ssh: Vec<u16>,
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

// ---------------------------------------------------------------------------------------------
// HTTP Basic and Digest

/// A web page that asks for a login with HTTP authentication.
#[derive(Debug, Clone)]
struct WebLogin {
    addr: SocketAddrV4,
    path: String,
}

/// The parameters of a `WWW-Authenticate` challenge, names lower-cased.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Challenge {
    /// `basic` or `digest`.
    pub scheme: String,
    /// Its parameters (`realm`, `nonce`, `qop`, ...).
    pub params: Vec<(String, String)>,
}

impl Challenge {
    pub(crate) fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Parses one `WWW-Authenticate` value (`Digest realm="x", nonce="y", qop="auth"`).
pub(crate) fn parse_challenge(value: &str) -> Option<Challenge> {
    let value = value.trim();
    let (scheme, rest) = value.split_once(' ').unwrap_or((value, ""));
    let scheme = scheme.to_ascii_lowercase();
    if scheme.is_empty() {
        return None;
    }
    let mut params = Vec::new();
    let mut chars = rest.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| *c == ',' || c.is_whitespace()) {
            chars.next();
        }
        let name: String = chars
            .by_ref()
            .take_while(|c| *c != '=')
            .collect::<String>()
            .trim()
            .to_ascii_lowercase();
        if name.is_empty() {
            break;
        }
        let mut val = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => {
                        if let Some(n) = chars.next() {
                            val.push(n);
                        }
                    }
                    '"' => break,
                    c => val.push(c),
                }
            }
        } else {
            while let Some(c) = chars.peek().copied() {
                if c == ',' {
                    break;
                }
                val.push(c);
                chars.next();
            }
        }
        params.push((name, val.trim().to_string()));
        if params.len() > 16 {
            break;
        }
    }
    Some(Challenge { scheme, params })
}

/// The Basic or Digest challenges of a 401 (Basic first when both are offered).
fn challenges(response: &Response) -> Vec<Challenge> {
    let mut all: Vec<Challenge> = response
        .headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("www-authenticate"))
        .filter_map(|(_, v)| parse_challenge(v))
        .filter(|c| {
            c.scheme == "basic"
                || (c.scheme == "digest"
                    && c.param("algorithm")
                        .is_none_or(|a| a.eq_ignore_ascii_case("md5"))
                    && c.param("nonce").is_some())
        })
        .collect();
    all.sort_by_key(|c| c.scheme != "basic");
    all
}

/// The `Authorization` header value for `login` answering `challenge` on `method path`.
pub(crate) fn authorization(
    challenge: &Challenge,
    username: &str,
    password: &str,
    method: &str,
    path: &str,
    cnonce: &str,
) -> Option<String> {
    match challenge.scheme.as_str() {
        "basic" => Some(format!(
            "Basic {}",
            base64(format!("{username}:{password}").as_bytes())
        )),
        "digest" => {
            let realm = challenge.param("realm").unwrap_or_default();
            let nonce = challenge.param("nonce")?;
            let ha1 = md5_hex(&format!("{username}:{realm}:{password}"));
            let ha2 = md5_hex(&format!("{method}:{path}"));
            let qop_auth = challenge
                .param("qop")
                .is_some_and(|q| q.split(',').any(|q| q.trim().eq_ignore_ascii_case("auth")));
            let quote = |s: &str| s.replace('\\', "\\\\").replace('"', "\\\"");
            let mut header = format!(
                "Digest username=\"{}\", realm=\"{}\", nonce=\"{}\", uri=\"{path}\", algorithm=MD5",
                quote(username),
                quote(realm),
                quote(nonce)
            );
            let response = if qop_auth {
                let nc = "00000001";
                header.push_str(&format!(", qop=auth, nc={nc}, cnonce=\"{cnonce}\""));
                md5_hex(&format!("{ha1}:{nonce}:{nc}:{cnonce}:auth:{ha2}"))
            } else {
                md5_hex(&format!("{ha1}:{nonce}:{ha2}"))
            };
            header.push_str(&format!(", response=\"{response}\""));
            if let Some(opaque) = challenge.param("opaque") {
                header.push_str(&format!(", opaque=\"{}\"", quote(opaque)));
            }
            Some(header)
        }
        _ => None,
    }
}

/// What the web ports showed, for the login check.
#[derive(Debug, Clone, Default)]
struct WebFound {
    /// A page asking with HTTP authentication, with the realm of its first challenge.
    login: Option<(WebLogin, String)>,
    /// A login form of a known family.
    form: Option<form::FoundForm>,
    /// A page with a password field porchlight has no description of.
    unknown_form: Option<String>,
    /// A page that already shows a sign of a lockout.
    lockout: Option<String>,
}

/// Looks at the web ports for a login: a 401 with Basic or Digest, a known family's form, or a
/// password field (following at most [`web::MAX_HOPS`] redirects on the device, over plain http).
async fn find_web_login(ip: Ipv4Addr, ports: &[u16], kind: Category, ctx: &Context) -> WebFound {
    let forms: Vec<&LoginForm> = LoginList::builtin()
        .map(|l| l.forms_for(kind).collect())
        .unwrap_or_default();
    let forms = &forms;
    let found = futures::future::join_all(ports.iter().map(|&port| async move {
        let mut at = SocketAddrV4::new(ip, port);
        let mut path = "/".to_string();
        let mut found = WebFound::default();
        for _ in 0..=web::MAX_HOPS {
            let Ok(response) = web::get(at, &path, &[], ctx).await else {
                return found;
            };
            if let Some(f) = forms
                .iter()
                .find(|f| form::recognises(f, &path, &response.body))
            {
                found.form.get_or_insert(form::FoundForm {
                    addr: at,
                    form: (*f).clone(),
                });
            }
            if response.status == 401 {
                if let Some(c) = challenges(&response).first() {
                    let realm = c.param("realm").unwrap_or_default().to_string();
                    found.login = Some((WebLogin { addr: at, path }, realm));
                }
                return found;
            }
            if matches!(response.status, 429 | 503) {
                found.lockout = Some(format!(
                    "the web page {} answered HTTP {}",
                    web::url(at, &path),
                    response.status
                ));
                return found;
            }
            if let Some(location) = web::redirect_target(&response)
                && let Hop::Same(next, next_path) = web::resolve_hop(at, &location)
            {
                at = next;
                path = next_path;
                continue;
            }
            if found.form.is_none() && web::has_password_field(&response.body) {
                found.unknown_form = Some(web::url(at, &path));
            }
            break;
        }
        found
    }))
    .await;
    let mut all = WebFound::default();
    for f in found {
        all.login = all.login.or(f.login);
        all.form = all.form.or(f.form);
        all.unknown_form = all.unknown_form.or(f.unknown_form);
        all.lockout = all.lockout.or(f.lockout);
    }
    all
}

/// Tries one login on the web page: a fresh challenge, then the request with credentials.
async fn web_try(page: &WebLogin, realm: &str, login: &DefaultLogin, ctx: &Context) -> Try {
    let url = web::url(page.addr, &page.path);
    let first = match web::get(page.addr, &page.path, &[], ctx).await {
        Ok(r) => r,
        Err(e) => return Try::Unclear(format!("the web page stopped answering ({e})")),
    };
    if let Some(sign) = http_lockout(&first, realm, &url) {
        return Try::Lockout(sign);
    }
    if first.status != 401 {
        return Try::Unclear(format!(
            "the web page no longer asks for a login (HTTP {})",
            first.status
        ));
    }
    let Some(challenge) = challenges(&first).into_iter().next() else {
        return Try::Unclear("the web page no longer offers Basic or Digest login".into());
    };
    let Some(header) = authorization(
        &challenge,
        &login.username,
        &login.password,
        "GET",
        &page.path,
        &cnonce(),
    ) else {
        return Try::Unclear("unsupported login scheme".into());
    };
    match web::get(page.addr, &page.path, &[("Authorization", header)], ctx).await {
        Ok(r) => {
            if let Some(sign) = http_lockout(&r, realm, &url) {
                return Try::Lockout(sign);
            }
            match r.status {
                200..=399 => Try::Works,
                401 => Try::Refused,
                status => Try::Unclear(format!("the web page answered HTTP {status}")),
            }
        }
        Err(e) => Try::Unclear(format!("the web page stopped answering ({e})")),
    }
}

/// A sign in a web answer that the device is locking logins out: 403, 429 or 503, "locked" or
/// "too many" in the page, or a challenge whose realm is no longer `realm`.
fn http_lockout(response: &Response, realm: &str, url: &str) -> Option<String> {
    if matches!(response.status, 403 | 429 | 503) {
        return Some(format!("{url} answered HTTP {}", response.status));
    }
    if let Some(sign) = lockout_sign(&String::from_utf8_lossy(&response.body)) {
        return Some(format!("{url} said \"{sign}\""));
    }
    if response.status == 401 {
        let now = challenges(response)
            .first()
            .map(|c| c.param("realm").unwrap_or_default().to_string());
        if let Some(now) = now
            && now != realm
        {
            return Some(format!(
                "the login realm of {url} changed from \"{realm}\" to \"{now}\""
            ));
        }
    }
    None
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
        }
    }

    async fn try_login(&self, login: &DefaultLogin, ctx: &Context) -> Try {
        match self {
            Place::Web(page, realm) => web_try(page, realm, login, ctx).await,
            Place::Form(f) => form::try_login(f, login, ctx).await,
            Place::Telnet(addr) => telnet::try_login(*addr, login, ctx).await,
            Place::Ftp(addr) => ftp::try_login(*addr, login, ctx).await,
            Place::Rtsp(stream) => rtsp::try_login(stream, login, ctx).await,
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
        unseen.push(format!("SSH answers on {addr}, but {SSH_NOT_TRIED}"));
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
            "cannot check: porchlight found no login it can try on {ip} (a web page asking with Basic or Digest, a router or NAS login form it knows, telnet, FTP or a video stream asking for a login)"
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
    let plan = list.plan(
        kind,
        &names,
        &offered,
        ctx.limits.max_credential_tries,
        ctx.limits.max_tries_per_user,
    );
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
        let outcome = place.try_login(login, ctx).await;
        match outcome {
            Try::Works => {
                return CheckResult::fail(format!(
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
            Try::Refused => tried.push(format!("{} on {}", login.shown(), place.describe())),
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
    CheckResult::pass(format!(
        "none of the {count} factory login{} that fit {fits} worked: {}",
        if count == 1 { "" } else { "s" },
        tried.join(", ")
    ))
    .in_part(unseen_line(&format!(
        "porchlight tried only {count} well-known default{} (to avoid locking the device); other \
         logins, other accounts and the maker's app are not checked, so make sure every login \
         uses a long password you use nowhere else",
        if count == 1 { "" } else { "s" }
    )))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly
mod tests {
    use super::*;

    #[test]
    fn challenges_parse_and_digest_answers_match_rfc_2617() {
        let c = parse_challenge(
            "Digest realm=\"testrealm@host.com\", qop=\"auth,auth-int\", nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"",
        )
        .unwrap();
        assert_eq!(c.scheme, "digest");
        assert_eq!(c.param("realm"), Some("testrealm@host.com"));
        // The worked example of RFC 2617 section 3.5.
        let header = authorization(
            &c,
            "Mufasa",
            "Circle Of Life",
            "GET",
            "/dir/index.html",
            "0a4f113b",
        )
        .unwrap();
        assert!(
            header.contains("response=\"6629fae49393a05397450978507c4ef1\""),
            "{header}"
        );
        assert!(header.contains("opaque=\"5ccc069c403ebaf9f0171e9517f40e41\""));
        let basic = parse_challenge("Basic realm=\"router\"").unwrap();
        assert_eq!(
            authorization(&basic, "admin", "admin", "GET", "/", "x").unwrap(),
            "Basic YWRtaW46YWRtaW4="
        );
    }

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
