//! Factory logins on a web page that asks with HTTP Basic or Digest (MD5): finding such a page
//! on the web ports (and, on the way, a known router or NAS login form or an unknown one), and
//! one try: a fresh challenge, then the request with credentials. A 403, 429 or 503, "locked" or
//! "too many" in the page, or a realm that changed is a sign of a lockout.

use std::net::{Ipv4Addr, SocketAddrV4};

use super::form::{self, FoundForm};
use super::{DefaultLogin, LoginForm, LoginList, Try, cnonce, lockout_sign};
use crate::checks::Context;
use crate::checks::digest::{base64, md5_hex};
use crate::checks::web::{self, Hop};
use crate::discovery::http::Response;
use crate::model::Category;

/// A web page that asks for a login with HTTP authentication.
#[derive(Debug, Clone)]
pub(super) struct WebLogin {
    pub addr: SocketAddrV4,
    pub path: String,
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
pub(super) struct WebFound {
    /// A page asking with HTTP authentication, with the realm of its first challenge.
    pub login: Option<(WebLogin, String)>,
    /// A login form of a known family.
    pub form: Option<FoundForm>,
    /// A page with a password field porchlight has no description of.
    pub unknown_form: Option<String>,
    /// A page that already shows a sign of a lockout.
    pub lockout: Option<String>,
}

/// Looks at the web ports for a login: a 401 with Basic or Digest, a known family's form, or a
/// password field (following at most [`web::MAX_HOPS`] redirects on the device, over plain http).
pub(super) async fn find_web_login(
    ip: Ipv4Addr,
    ports: &[u16],
    kind: Category,
    ctx: &Context,
) -> WebFound {
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
                found.form.get_or_insert(FoundForm {
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
pub(super) async fn web_try(
    page: &WebLogin,
    realm: &str,
    login: &DefaultLogin,
    ctx: &Context,
) -> Try {
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
}
