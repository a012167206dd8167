//! Factory logins on a maker's web login form (the `[[form]]` entries of the list): the form is
//! sent the way the maker's own page sends it, and the answer read for the family's signs.

use std::net::SocketAddrV4;

use super::list::LoginForm;
use super::{DefaultLogin, Try, lockout_sign};
use crate::checks::Context;
use crate::checks::digest::base64;
use crate::checks::web;
use crate::discovery::http::Response;

/// A recognised login form on the device.
#[derive(Debug, Clone)]
pub(super) struct FoundForm {
    pub addr: SocketAddrV4,
    pub form: LoginForm,
}

/// Percent-encodes `text` for a URL query or a form body.
fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Fills the placeholders of `template` for `login`.
pub(super) fn fill(template: &str, login: &DefaultLogin) -> String {
    template
        .replace("{user}", &encode(&login.username))
        .replace("{password}", &encode(&login.password))
        .replace(
            "{password_b64}",
            &encode(&base64(login.password.as_bytes())),
        )
        .replace(
            "{user_password_b64}",
            &encode(&base64(
                format!("{}:{}", login.username, login.password).as_bytes(),
            )),
        )
}

/// True when `page` (its path and body) shows one of the form's page signs.
pub(super) fn recognises(form: &LoginForm, path: &str, body: &[u8]) -> bool {
    let text = format!("{path}\n{}", String::from_utf8_lossy(body)).to_ascii_lowercase();
    form.page_signs
        .iter()
        .any(|s| text.contains(&s.to_ascii_lowercase()))
}

/// Reads an answer by the family's signs.
pub(super) fn judge(form: &LoginForm, response: &Response) -> Try {
    let mut text = String::from_utf8_lossy(&response.body).into_owned();
    for (name, value) in &response.headers {
        if name.eq_ignore_ascii_case("set-cookie") || name.eq_ignore_ascii_case("location") {
            text.push('\n');
            text.push_str(value);
        }
    }
    let lower = text.to_ascii_lowercase();
    let has = |signs: &[String]| {
        signs
            .iter()
            .find(|s| lower.contains(&s.to_ascii_lowercase()))
            .cloned()
    };
    if let Some(sign) = has(&form.lockout_signs) {
        return Try::Lockout(format!("the {} login answered \"{sign}\"", form.family));
    }
    if form.refused_status.contains(&response.status) {
        return Try::Refused;
    }
    if matches!(response.status, 403 | 429 | 503) {
        return Try::Lockout(format!(
            "the {} login answered HTTP {}",
            form.family, response.status
        ));
    }
    if let Some(sign) = lockout_sign(&text) {
        return Try::Lockout(format!("the {} login said \"{sign}\"", form.family));
    }
    if has(&form.refused_signs).is_some() {
        return Try::Refused;
    }
    if has(&form.works_signs).is_some() {
        return Try::Works;
    }
    Try::Unclear(format!(
        "the {} login answered HTTP {} without a sign porchlight knows",
        form.family, response.status
    ))
}

/// Tries one login on the form.
pub(super) async fn try_login(found: &FoundForm, login: &DefaultLogin, ctx: &Context) -> Try {
    let form = &found.form;
    let path = fill(&form.path, login);
    let body = (form.method == "POST").then(|| fill(&form.body, login));
    match web::send(found.addr, &form.method, &path, &[], body.as_deref(), ctx).await {
        Ok(response) => judge(form, &response),
        Err(e) => Try::Unclear(format!("the {} login stopped answering ({e})", form.family)),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly
mod tests {
    use super::*;
    use crate::checks::credentials::LoginList;

    fn family(name: &str) -> LoginForm {
        let list = LoginList::builtin().unwrap();
        list.form.iter().find(|f| f.family == name).unwrap().clone()
    }

    #[test]
    fn placeholders_are_filled_and_encoded() {
        let list = LoginList::builtin().unwrap();
        let login = list
            .login
            .iter()
            .find(|l| l.username == "admin" && l.password == "admin")
            .unwrap();
        assert_eq!(
            fill("u={user}&p={password}&b={user_password_b64}", login),
            "u=admin&p=admin&b=YWRtaW46YWRtaW4%3D"
        );
        assert_eq!(encode("a b&c"), "a%20b%26c");
    }

    #[test]
    fn families_read_their_own_signs() {
        let luci = family("openwrt");
        assert!(recognises(&luci, "/cgi-bin/luci", b""));
        assert!(!recognises(&luci, "/", b"<title>Welcome</title>"));
        assert_eq!(
            judge(
                &luci,
                &Response::made_up(302, &[("Set-Cookie", "sysauth_http=abc; path=/")], "")
            ),
            Try::Works
        );
        // LuCI answers a wrong password with 403 and the form: refused, not a lockout.
        assert_eq!(
            judge(
                &luci,
                &Response::made_up(403, &[], "<input name=\"luci_password\">")
            ),
            Try::Refused
        );
        let syno = family("synology");
        assert_eq!(
            judge(
                &syno,
                &Response::made_up(200, &[], "{\"data\":{\"sid\":\"x\"},\"success\":true}")
            ),
            Try::Works
        );
        assert_eq!(
            judge(
                &syno,
                &Response::made_up(200, &[], "{\"error\":{\"code\":400},\"success\":false}")
            ),
            Try::Refused
        );
        assert!(matches!(
            judge(
                &syno,
                &Response::made_up(200, &[], "{\"error\":{\"code\":407},\"success\":false}")
            ),
            Try::Lockout(_)
        ));
        let qnap = family("qnap");
        assert!(matches!(
            judge(&qnap, &Response::made_up(429, &[], "")),
            Try::Lockout(_)
        ));
        assert!(matches!(
            judge(
                &qnap,
                &Response::made_up(200, &[], "<html>account locked</html>")
            ),
            Try::Lockout(_)
        ));
        assert!(matches!(
            judge(&qnap, &Response::made_up(200, &[], "<QDocRoot/>")),
            Try::Unclear(_)
        ));
    }
}
