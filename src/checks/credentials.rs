//! The factory-login check: whether a published default login (Mirai's table, makers' manuals:
//! `assets/default-credentials.toml`) still opens a device's web page or telnet.
//!
//! Trying logins on someone's device is only acceptable when its owner asks for it, so the rules
//! are in code, not in the asset: nothing is sent unless [`Context::credentials_consent`] is set
//! for this device; never to an address outside the private ranges (or this machine); at most
//! [`CheckLimits::max_credential_tries`] tries in all (split between the web page and telnet
//! when both ask), one at a time with [`CheckLimits::credential_pause`] between them (devices
//! lock out, ETSI EN 303 645 5.1-5); stop at the first login that works; every read bounded.
//!
//! Only logins porchlight can try honestly are tried: a web page that answers `401` with HTTP
//! Basic or Digest (MD5) authentication, and a telnet login prompt. Web login forms are left
//! alone (each maker's form differs) and said so in the evidence.
//!
//! [`CheckLimits::max_credential_tries`]: super::CheckLimits::max_credential_tries
//! [`CheckLimits::credential_pause`]: super::CheckLimits::credential_pause

use std::net::{Ipv4Addr, SocketAddrV4};
use std::sync::OnceLock;
use std::time::Duration;

use serde::Deserialize;
use tokio::net::TcpStream;
use tokio::time::{Instant, timeout_at};

use super::digest::{base64, md5_hex};
use super::ports::{connect, write_all};
use super::web::{self, Hop};
use super::{CheckResult, Context, Target, is_home_address};
use crate::discovery::http::Response;
use crate::discovery::ports::TelnetDecoder;
use crate::sanitize::clean;

/// The factory-login list shipped with porchlight.
pub const DEFAULT_CREDENTIALS_TOML: &str = include_str!("../../assets/default-credentials.toml");

/// Telnet ports tried.
pub const TELNET_PORTS: &[u16] = &[23, 2323];

/// How long one telnet try may take (devices often pause a few seconds after a wrong password).
const TELNET_TRY: Duration = Duration::from_secs(4);

/// The most bytes read in one telnet try.
const TELNET_MAX_BYTES: usize = 16 * 1024;

/// The longest username or password accepted in the list.
const MAX_FIELD: usize = 32;

/// Where a login entry comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LoginSource {
    /// The Mirai botnet's scanner table.
    Mirai,
    /// A maker's published default.
    Vendor,
}

/// One factory login.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DefaultLogin {
    /// User name.
    pub username: String,
    /// Password (empty for none).
    pub password: String,
    /// Where it comes from.
    pub source: LoginSource,
}

impl DefaultLogin {
    /// `admin/admin`, or `admin with no password`.
    pub fn shown(&self) -> String {
        if self.password.is_empty() {
            format!("{} with no password", self.username)
        } else {
            format!("{}/{}", self.username, self.password)
        }
    }
}

/// The factory logins, per protocol, in the order they are tried.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginList {
    /// Where the entries come from.
    pub sources: String,
    /// For web pages that ask with HTTP Basic or Digest.
    pub http: Vec<DefaultLogin>,
    /// For telnet login prompts.
    pub telnet: Vec<DefaultLogin>,
}

impl LoginList {
    /// Parses and validates a list written as TOML.
    ///
    /// # Errors
    /// One line: bad TOML, an empty list or source note, a username or password that is too
    /// long or not plain visible ASCII (a username may not hold `:`), or an entry listed twice.
    pub fn from_toml(text: &str) -> Result<Self, String> {
        let list: LoginList = toml::from_str(text)
            .map_err(|e| format!("the factory-login list does not parse: {}", e.message()))?;
        if list.sources.trim().is_empty() {
            return Err("the factory-login list does not say where its entries come from".into());
        }
        for (name, entries) in [("http", &list.http), ("telnet", &list.telnet)] {
            if entries.is_empty() {
                return Err(format!("the factory-login list has no `{name}` entries"));
            }
            let mut seen = std::collections::HashSet::new();
            for e in entries {
                let visible = |s: &str| s.bytes().all(|b| b.is_ascii_graphic());
                if e.username.is_empty()
                    || e.username.len() > MAX_FIELD
                    || !visible(&e.username)
                    || e.username.contains(':')
                {
                    return Err(format!(
                        "`{name}` entry {:?}: the username must be 1 to {MAX_FIELD} visible ASCII characters without ':'",
                        clean(&e.username, 40)
                    ));
                }
                if e.password.len() > MAX_FIELD || !visible(&e.password) {
                    return Err(format!(
                        "`{name}` entry {}: the password must be at most {MAX_FIELD} visible ASCII characters",
                        clean(&e.username, 40)
                    ));
                }
                if !seen.insert((e.username.clone(), e.password.clone())) {
                    return Err(format!("`{name}` lists {} twice", e.shown()));
                }
            }
        }
        Ok(list)
    }

    /// The list shipped with porchlight.
    ///
    /// # Errors
    /// Why the shipped list is broken (the tests keep that from shipping).
    pub fn builtin() -> Result<&'static LoginList, String> {
        static LIST: OnceLock<Result<LoginList, String>> = OnceLock::new();
        LIST.get_or_init(|| LoginList::from_toml(DEFAULT_CREDENTIALS_TOML))
            .as_ref()
            .map_err(Clone::clone)
    }
}

/// What one try did.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Try {
    /// The login worked.
    Works,
    /// The login was refused.
    Refused,
    /// porchlight could not tell (no prompt, no answer in time).
    Unclear(String),
}

// ---------------------------------------------------------------------------------------------
// HTTP

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
    fn param(&self, name: &str) -> Option<&str> {
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

/// The `Authorization` header value for `login` answering `challenge` on `GET path`.
pub(crate) fn authorization(
    challenge: &Challenge,
    username: &str,
    password: &str,
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
            let ha2 = md5_hex(&format!("GET:{path}"));
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
    /// A page asking with HTTP authentication.
    login: Option<WebLogin>,
    /// A page with a login form (not tried).
    form: Option<String>,
}

/// Finds a web page that asks with HTTP Basic or Digest on `ports` (following at most
/// [`web::MAX_HOPS`] redirects on the device, over plain http).
async fn find_web_login(ip: Ipv4Addr, ports: &[u16], ctx: &Context) -> WebFound {
    let found = futures::future::join_all(ports.iter().map(|&port| async move {
        let mut at = SocketAddrV4::new(ip, port);
        let mut path = "/".to_string();
        for _ in 0..=web::MAX_HOPS {
            let Ok(response) = web::get(at, &path, &[], ctx).await else {
                return WebFound::default();
            };
            if response.status == 401 && !challenges(&response).is_empty() {
                return WebFound {
                    login: Some(WebLogin { addr: at, path }),
                    form: None,
                };
            }
            if let Some(location) = web::redirect_target(&response)
                && let Hop::Same(next, next_path) = web::resolve_hop(at, &location)
            {
                at = next;
                path = next_path;
                continue;
            }
            if web::has_password_field(&response.body) {
                return WebFound {
                    login: None,
                    form: Some(web::url(at, &path)),
                };
            }
            break;
        }
        WebFound::default()
    }))
    .await;
    WebFound {
        login: found.iter().find_map(|f| f.login.clone()),
        form: found.iter().find_map(|f| f.form.clone()),
    }
}

/// A fresh client nonce for Digest authentication.
fn cnonce() -> String {
    let n: u64 = rand::random();
    format!("{n:016x}")
}

/// Tries one login on the web page: a fresh challenge, then the request with credentials.
async fn web_try(page: &WebLogin, login: &DefaultLogin, ctx: &Context) -> Try {
    let first = match web::get(page.addr, &page.path, &[], ctx).await {
        Ok(r) => r,
        Err(e) => return Try::Unclear(format!("the web page stopped answering ({e})")),
    };
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
        &page.path,
        &cnonce(),
    ) else {
        return Try::Unclear("unsupported login scheme".into());
    };
    match web::get(page.addr, &page.path, &[("Authorization", header)], ctx).await {
        Ok(r) if (200..400).contains(&r.status) => Try::Works,
        Ok(r) if r.status == 401 || r.status == 403 => Try::Refused,
        Ok(r) => Try::Unclear(format!("the web page answered HTTP {}", r.status)),
        Err(e) => Try::Unclear(format!("the web page stopped answering ({e})")),
    }
}

// ---------------------------------------------------------------------------------------------
// Telnet

/// A telnet connection that refuses every option and keeps the text since the last send.
struct Telnet {
    stream: TcpStream,
    deadline: Instant,
    /// Decodes what the server says; its `data` is the text since the last line sent.
    decoder: TelnetDecoder,
    read: usize,
}

/// What the text read so far ends with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Prompt {
    Login,
    Password,
    Shell,
    Refusal,
}

/// Classifies the text a telnet server sent since the last input.
fn prompt(text: &[u8]) -> Option<Prompt> {
    let lower = String::from_utf8_lossy(text).to_ascii_lowercase();
    let trimmed = lower.trim_end();
    for refusal in [
        "incorrect",
        "login failed",
        "failed",
        "denied",
        "invalid",
        "wrong",
        "bad password",
    ] {
        if trimmed.contains(refusal) {
            return Some(Prompt::Refusal);
        }
    }
    if trimmed.ends_with("password:") || trimmed.ends_with("passwd:") {
        return Some(Prompt::Password);
    }
    if ["login:", "username:", "user name:", "user:"]
        .iter()
        .any(|p| trimmed.ends_with(p))
    {
        return Some(Prompt::Login);
    }
    match trimmed.chars().last() {
        Some('#' | '$' | '>' | '%') => Some(Prompt::Shell),
        _ => None,
    }
}

impl Telnet {
    async fn open(addr: SocketAddrV4, ctx: &Context) -> Option<Self> {
        let stream = connect(addr, ctx).await?;
        Some(Self {
            stream,
            deadline: Instant::now() + TELNET_TRY,
            decoder: TelnetDecoder::default(),
            read: 0,
        })
    }

    /// Reads until the text ends in a prompt; `None` at the end of input or the deadline.
    async fn wait_prompt(&mut self) -> Option<Prompt> {
        use tokio::io::AsyncReadExt;
        let mut chunk = [0u8; 1024];
        loop {
            if let Some(p) = prompt(&self.decoder.data) {
                return Some(p);
            }
            if self.read >= TELNET_MAX_BYTES {
                return None;
            }
            let n = match timeout_at(self.deadline, self.stream.read(&mut chunk)).await {
                Ok(Ok(0)) | Ok(Err(_)) | Err(_) => return None,
                Ok(Ok(n)) => n,
            };
            self.read += n;
            self.decoder.feed(&chunk[..n]);
            let replies = std::mem::take(&mut self.decoder.replies);
            if !replies.is_empty() && !write_all(&mut self.stream, self.deadline, &replies).await {
                return None;
            }
        }
    }

    async fn send_line(&mut self, line: &str) -> bool {
        self.decoder.data.clear();
        write_all(
            &mut self.stream,
            self.deadline,
            format!("{line}\r\n").as_bytes(),
        )
        .await
    }

    fn timed_out(&self) -> bool {
        Instant::now() >= self.deadline
    }
}

/// Finds a telnet port that shows a login prompt.
async fn find_telnet(ip: Ipv4Addr, ports: &[u16], ctx: &Context) -> Option<SocketAddrV4> {
    for &port in ports {
        let addr = SocketAddrV4::new(ip, port);
        let Some(mut telnet) = Telnet::open(addr, ctx).await else {
            continue;
        };
        if matches!(
            telnet.wait_prompt().await,
            Some(Prompt::Login | Prompt::Password)
        ) {
            return Some(addr);
        }
    }
    None
}

/// Tries one login on telnet.
async fn telnet_try(addr: SocketAddrV4, login: &DefaultLogin, ctx: &Context) -> Try {
    let Some(mut t) = Telnet::open(addr, ctx).await else {
        return Try::Unclear(format!("telnet on {addr} stopped answering"));
    };
    let mut sent_user = false;
    let mut sent_password = false;
    loop {
        let Some(p) = t.wait_prompt().await else {
            return if t.timed_out() && sent_password {
                Try::Unclear(format!("telnet on {addr} did not answer the login in time"))
            } else if sent_password {
                // Closed after the password: refused.
                Try::Refused
            } else {
                Try::Unclear(format!("telnet on {addr} showed no login prompt"))
            };
        };
        match p {
            Prompt::Login if !sent_user && !sent_password => {
                if !t.send_line(&login.username).await {
                    return Try::Unclear(format!("telnet on {addr} closed"));
                }
                sent_user = true;
            }
            Prompt::Password if !sent_password => {
                if !t.send_line(&login.password).await {
                    return Try::Refused;
                }
                sent_password = true;
            }
            Prompt::Shell if sent_user || sent_password => {
                let _ = t.send_line("exit").await;
                return Try::Works;
            }
            Prompt::Refusal | Prompt::Login | Prompt::Password => return Try::Refused,
            Prompt::Shell => {
                return Try::Unclear(format!("telnet on {addr} opens a shell without any login"));
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The check

/// Pass when none of the factory logins tried works; Fail naming the one that does; Unknown
/// when the owner has not consented, or there is nothing porchlight can try.
pub async fn default_credentials(target: &Target, ctx: &Context) -> CheckResult {
    default_credentials_on(target.ip, web::LOGIN_PAGE_PORTS, TELNET_PORTS, ctx).await
}

/// [`default_credentials`] on the given web and telnet ports (tests use others).
pub async fn default_credentials_on(
    ip: Ipv4Addr,
    web_ports: &[u16],
    telnet_ports: &[u16],
    ctx: &Context,
) -> CheckResult {
    if !ctx.credentials_consent {
        return CheckResult::unknown(
            "not checked: you have not allowed porchlight to try logging in to this device",
        )
        .with_next(format!(
            "If this device is yours, allow the login check for it: porchlight then tries at most {} well-known factory logins, slowly.",
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
    let (web_found, telnet) = futures::join!(
        find_web_login(ip, web_ports, ctx),
        find_telnet(ip, telnet_ports, ctx)
    );
    let form_note = web_found.form.as_ref().map(|f| {
        format!(
            "the login form at {f} is not tried (porchlight only tries Basic and Digest logins)"
        )
    });
    if web_found.login.is_none() && telnet.is_none() {
        let mut evidence = format!(
            "porchlight found no login it can try on {ip} (a web page asking with HTTP Basic or Digest, or a telnet prompt)"
        );
        if let Some(note) = &form_note {
            evidence.push_str(&format!("; {note}"));
        }
        return CheckResult::unknown(evidence).with_next(
            "Log in to the device's settings page or app yourself and make sure its password is \
             not the one from the manual or the label.",
        );
    }

    let budget = ctx.limits.max_credential_tries;
    let (web_tries, telnet_tries) = match (&web_found.login, &telnet) {
        (Some(_), Some(_)) => (budget.div_ceil(2), budget / 2),
        (Some(_), None) => (budget, 0),
        _ => (0, budget),
    };
    let mut plan: Vec<(&DefaultLogin, bool)> = Vec::new();
    plan.extend(list.http.iter().take(web_tries).map(|l| (l, true)));
    plan.extend(list.telnet.iter().take(telnet_tries).map(|l| (l, false)));

    let mut tried_web = 0usize;
    let mut tried_telnet = 0usize;
    let mut unclear = Vec::new();
    for (n, (login, on_web)) in plan.into_iter().enumerate() {
        if n > 0 {
            tokio::time::sleep(ctx.limits.credential_pause).await;
        }
        let outcome = match (on_web, &web_found.login, telnet) {
            (true, Some(page), _) => {
                tried_web += 1;
                web_try(page, login, ctx).await
            }
            (false, _, Some(addr)) => {
                tried_telnet += 1;
                telnet_try(addr, login, ctx).await
            }
            _ => continue,
        };
        match outcome {
            Try::Works => {
                let place = match (on_web, &web_found.login) {
                    (true, Some(page)) => {
                        format!("the web page ({})", web::url(page.addr, &page.path))
                    }
                    _ => format!(
                        "telnet ({})",
                        telnet.map(|a| a.to_string()).unwrap_or_default()
                    ),
                };
                return CheckResult::fail(format!(
                    "the factory login {} still works on {place}",
                    login.shown()
                ))
                .with_next(
                    "Change that password now to a long one you use nowhere else (a password \
                     manager helps), or turn the service off; then check again.",
                );
            }
            Try::Refused => {}
            Try::Unclear(why) => {
                unclear.push(why);
                if unclear.len() >= 2 {
                    break;
                }
            }
        }
    }
    let mut places = Vec::new();
    if let Some(page) = &web_found.login {
        places.push(format!(
            "{tried_web} on the web page ({})",
            web::url(page.addr, &page.path)
        ));
    }
    if let Some(addr) = telnet {
        places.push(format!("{tried_telnet} on telnet ({addr})"));
    }
    if !unclear.is_empty() {
        return CheckResult::unknown(format!(
            "no factory login worked, but porchlight could not finish: {}",
            unclear.join("; ")
        ));
    }
    let mut evidence = format!(
        "none of the factory logins tried worked: {}",
        places.join(", ")
    );
    if let Some(note) = form_note {
        evidence.push_str(&format!("; {note}"));
    }
    CheckResult::pass(evidence).with_next(
        "porchlight tries only a few well-known logins: make sure every login of the device uses \
         a long password you use nowhere else.",
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly
mod tests {
    use super::*;

    #[test]
    fn the_shipped_list_is_valid() {
        let list = LoginList::builtin().unwrap();
        assert!(
            list.http.len() >= 10,
            "the web list fills a device's budget"
        );
        assert!(
            list.telnet.len() >= 10,
            "the telnet list fills a device's budget"
        );
        assert_eq!(list.telnet[0].shown(), "root/xc3511");
        assert_eq!(list.http[0].shown(), "admin/admin");
        assert!(list.sources.contains("Mirai"));
    }

    #[test]
    fn bad_lists_are_refused() {
        let good = "sources = \"x\"\n[[http]]\nusername = \"admin\"\npassword = \"admin\"\nsource = \"vendor\"\n[[telnet]]\nusername = \"root\"\npassword = \"\"\nsource = \"mirai\"\n";
        assert!(LoginList::from_toml(good).is_ok());
        for (find, replace, words) in [
            (
                "username = \"admin\"",
                "username = \"ad:min\"",
                "without ':'",
            ),
            ("username = \"admin\"", "username = \"\"", "username"),
            ("password = \"admin\"", "password = \"ad min\"", "password"),
            ("sources = \"x\"", "sources = \" \"", "come from"),
            ("source = \"vendor\"", "source = \"forum\"", "parse"),
        ] {
            let e = LoginList::from_toml(&good.replace(find, replace)).unwrap_err();
            assert!(e.contains(words), "{find} -> {replace}: {e}");
        }
        let twice = good.replace(
            "[[telnet]]",
            "[[http]]\nusername = \"admin\"\npassword = \"admin\"\nsource = \"mirai\"\n[[telnet]]",
        );
        assert!(LoginList::from_toml(&twice).unwrap_err().contains("twice"));
        let no_telnet = format!("telnet = []\n{}", good.split("[[telnet]]").next().unwrap());
        assert!(
            LoginList::from_toml(&no_telnet)
                .unwrap_err()
                .contains("no `telnet`")
        );
    }

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
            authorization(&basic, "admin", "admin", "/", "x").unwrap(),
            "Basic YWRtaW46YWRtaW4="
        );
    }

    #[test]
    fn telnet_prompts_are_recognised() {
        assert_eq!(prompt(b"\r\nIPCAM login: "), Some(Prompt::Login));
        assert_eq!(prompt(b"Password: "), Some(Prompt::Password));
        assert_eq!(
            prompt(b"\r\nLogin incorrect\r\n\r\nlogin: "),
            Some(Prompt::Refusal)
        );
        assert_eq!(
            prompt(b"\r\nBusyBox v1.19 built-in shell\r\n# "),
            Some(Prompt::Shell)
        );
        assert_eq!(prompt(b"Last login: Mon\r\n"), None);
        assert_eq!(prompt(b"Welcome"), None);
    }
}
