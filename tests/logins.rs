//! The factory-login check against responders on loopback that behave like devices which lock
//! accounts out: a web page with HTTP Basic, a telnet prompt, an FTP server, an RTSP stream and
//! an OpenWrt-style login form, each counting the logins it was sent and, after N failures,
//! answering as a locked device does (HTTP 403 and "Account locked", a changed realm, FTP 421,
//! "locked" on telnet). Checks the budget per device and per user name, that a lockout stops the
//! tries and is the evidence, that only defaults fitting the maker and kind are tried, and that
//! nothing at all is sent without the owner's consent.
//!
//! Traffic goes to loopback only, on ephemeral ports.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly

mod common;

use std::net::Ipv4Addr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use porchlight::checks::credentials::{LoginPorts, default_credentials_on};
use porchlight::checks::{CheckLimits, Context, Peer, Target, Verdict};
use porchlight::model::Category;
use tokio::io::AsyncWriteExt;

use common::checks::{
    LOCALHOST, Server, assert_verdict, base64, http, read_request_text, serve, telnet_line,
};

// ---------------------------------------------------------------------------------------------
// Responders

/// How a device shows that it locked the account.
#[derive(Clone, Copy)]
enum Locked {
    /// HTTP 403 with "Account locked" in the page.
    Forbidden,
    /// A 401 whose realm changed.
    NewRealm,
}

/// A web page with HTTP Basic for `user`:`password` that locks after `lock_after` failures.
async fn locking_page(
    user: &'static str,
    password: &'static str,
    lock_after: usize,
    locked: Locked,
) -> Server {
    let good =
        format!("basic {}", base64(format!("{user}:{password}").as_bytes())).to_ascii_lowercase();
    serve(Arc::new(move |mut stream, state| {
        let good = good.clone();
        Box::pin(async move {
            let request = read_request_text(&mut stream).await.to_ascii_lowercase();
            let auth = request
                .lines()
                .find_map(|l| l.strip_prefix("authorization: "))
                .map(str::trim)
                .map(str::to_string);
            let reply = if state.failures.load(Ordering::SeqCst) >= lock_after {
                if auth.is_some() {
                    state.attempts.fetch_add(1, Ordering::SeqCst);
                }
                match locked {
                    Locked::Forbidden => http(
                        "403 Forbidden",
                        &[],
                        "<h1>Account locked for 30 minutes</h1>",
                    ),
                    Locked::NewRealm => http(
                        "401 Unauthorized",
                        &["WWW-Authenticate: Basic realm=\"Locked out\""],
                        "",
                    ),
                }
            } else if let Some(auth) = auth {
                state.attempts.fetch_add(1, Ordering::SeqCst);
                if auth == good {
                    http("200 OK", &[], "<title>Live view</title>")
                } else {
                    state.failures.fetch_add(1, Ordering::SeqCst);
                    http(
                        "401 Unauthorized",
                        &["WWW-Authenticate: Basic realm=\"IP Camera\""],
                        "",
                    )
                }
            } else {
                http(
                    "401 Unauthorized",
                    &["WWW-Authenticate: Basic realm=\"IP Camera\""],
                    "",
                )
            };
            let _ = stream.write_all(&reply).await;
            let _ = stream.shutdown().await;
        })
    }))
    .await
}

/// A telnet login for `user`/`password`; after `lock_after` failures it greets with "Account
/// locked" and hangs up.
async fn locking_telnet(user: &'static str, password: &'static str, lock_after: usize) -> Server {
    serve(Arc::new(move |mut stream, state| {
        Box::pin(async move {
            if state.failures.load(Ordering::SeqCst) >= lock_after {
                let _ = stream
                    .write_all(b"\r\nToo many failed logins: account locked\r\n")
                    .await;
                return;
            }
            let _ = stream.write_all(b"\xff\xfb\x01\r\ncam login: ").await;
            let Some(name) = telnet_line(&mut stream).await else {
                return;
            };
            let _ = stream.write_all(b"Password: ").await;
            let Some(pass) = telnet_line(&mut stream).await else {
                return;
            };
            state.attempts.fetch_add(1, Ordering::SeqCst);
            if name == user && pass == password {
                let _ = stream.write_all(b"\r\n# ").await;
                let _ = telnet_line(&mut stream).await;
            } else {
                state.failures.fetch_add(1, Ordering::SeqCst);
                let _ = stream.write_all(b"\r\nLogin incorrect\r\n").await;
            }
        })
    }))
    .await
}

/// An FTP server for `user`/`password`; after `lock_after` failures it answers 421.
async fn locking_ftp(user: &'static str, password: &'static str, lock_after: usize) -> Server {
    serve(Arc::new(move |mut stream, state| {
        Box::pin(async move {
            if state.failures.load(Ordering::SeqCst) >= lock_after {
                let _ = stream
                    .write_all(b"421 Too many login failures, try again later\r\n")
                    .await;
                return;
            }
            let _ = stream.write_all(b"220-NAS FTP\r\n220 ready\r\n").await;
            let mut name = String::new();
            while let Some(command) = telnet_line(&mut stream).await {
                if let Some(u) = command.strip_prefix("USER") {
                    name = u.trim().to_string();
                    let _ = stream.write_all(b"331 Password required\r\n").await;
                } else if let Some(p) = command.strip_prefix("PASS") {
                    state.attempts.fetch_add(1, Ordering::SeqCst);
                    if name == user && p.trim() == password {
                        let _ = stream.write_all(b"230 Logged in\r\n").await;
                    } else {
                        state.failures.fetch_add(1, Ordering::SeqCst);
                        let _ = stream.write_all(b"530 Login incorrect\r\n").await;
                    }
                } else {
                    let _ = stream.write_all(b"221 Bye\r\n").await;
                    return;
                }
            }
        })
    }))
    .await
}

/// An RTSP stream with Basic for `user`:`password`; after `lock_after` failures its realm
/// changes.
async fn locking_rtsp(user: &'static str, password: &'static str, lock_after: usize) -> Server {
    let good =
        format!("basic {}", base64(format!("{user}:{password}").as_bytes())).to_ascii_lowercase();
    serve(Arc::new(move |mut stream, state| {
        let good = good.clone();
        Box::pin(async move {
            let request = read_request_text(&mut stream).await.to_ascii_lowercase();
            let auth = request
                .lines()
                .find_map(|l| l.strip_prefix("authorization: "))
                .map(|a| a.trim().to_string());
            let realm = if state.failures.load(Ordering::SeqCst) >= lock_after {
                "Locked"
            } else {
                "Camera"
            };
            let reply = match auth {
                Some(auth) => {
                    state.attempts.fetch_add(1, Ordering::SeqCst);
                    if auth == good && realm == "Camera" {
                        "RTSP/1.0 200 OK\r\nCSeq: 2\r\nContent-Length: 0\r\n\r\n".to_string()
                    } else {
                        state.failures.fetch_add(1, Ordering::SeqCst);
                        format!(
                            "RTSP/1.0 401 Unauthorized\r\nCSeq: 2\r\nWWW-Authenticate: Basic realm=\"{realm}\"\r\n\r\n"
                        )
                    }
                }
                None => format!(
                    "RTSP/1.0 401 Unauthorized\r\nCSeq: 2\r\nWWW-Authenticate: Basic realm=\"{realm}\"\r\n\r\n"
                ),
            };
            let _ = stream.write_all(reply.as_bytes()).await;
        })
    }))
    .await
}

/// An OpenWrt-style router: a LuCI login form at `/`, and `POST /cgi-bin/luci` that lets
/// `root` in with `password` (a session cookie) or answers 403 with the form again.
async fn luci_router(password: &'static str) -> Server {
    serve(Arc::new(move |mut stream, state| {
        Box::pin(async move {
            let request = read_request_text(&mut stream).await;
            let form = "<form method=\"post\" action=\"/cgi-bin/luci\"><input name=\"luci_username\">\
                        <input type=\"password\" name=\"luci_password\"></form>";
            let reply = if request.starts_with("POST /cgi-bin/luci ") {
                state.attempts.fetch_add(1, Ordering::SeqCst);
                let body = request.split("\r\n\r\n").nth(1).unwrap_or_default();
                if body == format!("luci_username=root&luci_password={password}") {
                    http(
                        "302 Found",
                        &["Set-Cookie: sysauth_http=0123abcd; path=/cgi-bin/luci/", "Location: /cgi-bin/luci/"],
                        "",
                    )
                } else {
                    state.failures.fetch_add(1, Ordering::SeqCst);
                    http("403 Forbidden", &[], form)
                }
            } else {
                http("200 OK", &[], &format!("<title>OpenWrt</title>{form}"))
            };
            let _ = stream.write_all(&reply).await;
            let _ = stream.shutdown().await;
        })
    }))
    .await
}

/// An SSH server's banner, nothing more.
async fn ssh_banner() -> Server {
    serve(Arc::new(|mut stream, _| {
        Box::pin(async move {
            let _ = stream.write_all(b"SSH-2.0-dropbear_2019.78\r\n").await;
            tokio::time::sleep(Duration::from_millis(300)).await;
        })
    }))
    .await
}

// ---------------------------------------------------------------------------------------------
// Helpers

/// A device at loopback of `kind` from `maker`, with consent; short pauses between tries.
fn device(kind: Category, maker: Option<&str>) -> (Target, Context) {
    let mut target = Target::new(LOCALHOST);
    target.vendor = maker.map(str::to_string);
    let ctx = Context {
        limits: CheckLimits {
            connect_timeout: Duration::from_millis(500),
            exchange_timeout: Duration::from_millis(1000),
            credential_pause: Duration::from_millis(50),
            ..CheckLimits::default()
        },
        peers: vec![Peer {
            ip: LOCALHOST,
            name: "device".into(),
            category: kind,
        }],
        credentials_consent: true,
        ..Context::default()
    };
    (target, ctx)
}

fn ports(f: impl FnOnce(&mut LoginPorts)) -> LoginPorts {
    let mut p = LoginPorts::none();
    f(&mut p);
    p
}

// ---------------------------------------------------------------------------------------------
// Tests

#[tokio::test]
async fn without_consent_nothing_is_sent_to_any_service() {
    let page = locking_page("admin", "admin", 5, Locked::Forbidden).await;
    let telnet = locking_telnet("root", "xc3511", 5).await;
    let ftp = locking_ftp("admin", "admin", 5).await;
    let rtsp = locking_rtsp("admin", "admin", 5).await;
    let (t, mut c) = device(Category::Camera, None);
    c.credentials_consent = false;
    let p = ports(|p| {
        p.web = vec![page.port()];
        p.telnet = vec![telnet.port()];
        p.ftp = vec![ftp.port()];
        p.rtsp = vec![rtsp.port()];
    });
    let r = default_credentials_on(&t, &p, &c).await;
    assert_verdict(&r, Verdict::Unknown, &["you have not allowed porchlight"]);
    tokio::time::sleep(Duration::from_millis(100)).await;
    for s in [&page, &telnet, &ftp, &rtsp] {
        assert_eq!(s.connections(), 0);
    }
}

#[tokio::test]
async fn the_makers_default_is_tried_first_and_named_when_it_works() {
    let page = locking_page("admin", "12345", 5, Locked::Forbidden).await;
    let (t, c) = device(Category::Camera, Some("Hikvision"));
    let r = default_credentials_on(&t, &ports(|p| p.web = vec![page.port()]), &c).await;
    assert_verdict(
        &r,
        Verdict::Fail,
        &["the factory login admin/12345 still works on the web page"],
    );
    assert_eq!(page.attempts(), 1, "Hikvision's own default comes first");
    assert_eq!(
        r.evidence,
        format!(
            "the factory login for user admin still works (its factory password) on the web page http://{LOCALHOST}:{}/",
            page.port()
        ),
        "what files get names the user, not the password"
    );
}

#[tokio::test]
async fn a_working_factory_password_shows_on_screen_but_never_reaches_the_state_file_or_a_report() {
    use common::tui::{camera_id, draw_text, open_camera_wizard};
    use common::{demo_app, now, press};
    use crossterm::event::KeyCode;
    use porchlight::report::{Format, ReportInput, render};
    use porchlight::store::Store;
    use porchlight::tui::app::Msg;
    use porchlight::verify::Outcome;

    const PASSWORD: &str = "12345";
    let page = locking_page("admin", PASSWORD, 5, Locked::Forbidden).await;
    let (t, c) = device(Category::Camera, Some("Hikvision"));
    let result = default_credentials_on(&t, &ports(|p| p.web = vec![page.port()]), &c).await;
    assert_eq!(result.verdict, Verdict::Fail, "{result:?}");

    // The owner marks the camera's first step done and the check's verdict comes back.
    let mut app = demo_app();
    let step = open_camera_wizard(&mut app);
    let camera = camera_id(&app);
    press(&mut app, &[KeyCode::Char('d')]);
    app.update(
        Msg::Verified(Outcome {
            device: camera.clone(),
            step,
            result,
            tried_logins: true,
        }),
        now(),
    );
    let notice = app.notice().unwrap().text.clone();
    assert!(notice.contains("admin/12345"), "on screen: {notice}");
    assert!(draw_text(&app, 100, 40).contains("admin/12345"));

    let tmp = tempfile::tempdir().unwrap();
    let store = Store::open(tmp.path()).unwrap();
    store.save(app.inventory()).unwrap();
    let state = std::fs::read_to_string(store.state_path()).unwrap();
    assert!(
        state.contains("the factory login for user admin still works (its factory password)"),
        "the state file says which user works"
    );
    assert!(
        !state.contains(PASSWORD),
        "the state file holds the password"
    );

    let catalog = porchlight::catalog::Catalog::builtin().unwrap();
    let inventory = store.load().unwrap();
    for format in Format::ALL {
        let report = render(
            format,
            &ReportInput {
                catalog: &catalog,
                fingerprints: None,
                inventory: &inventory,
                now: now(),
                tz: jiff::tz::TimeZone::UTC,
                title: "home".into(),
            },
        )
        .unwrap();
        assert!(
            report.contains("for user admin still works"),
            "the {format} report names the user"
        );
        assert!(
            !report.contains(PASSWORD),
            "the {format} report holds the password"
        );
    }
}

#[tokio::test]
async fn at_most_three_tries_per_device_and_per_user_name() {
    // A camera of an unknown maker, with a strong password: every default fails.
    let page = locking_page("admin", "a long unique passphrase", 5, Locked::Forbidden).await;
    let (t, c) = device(Category::Camera, None);
    let p = ports(|p| p.web = vec![page.port()]);
    let r = default_credentials_on(&t, &p, &c).await;
    assert_verdict(&r, Verdict::Pass, &["none of the 3 factory logins"]);
    assert_eq!(page.attempts(), 3);
    let part = r.unconfirmed.as_deref().unwrap_or_default();
    assert!(part.contains("tried only 3"), "verified in part: {r:?}");

    // Even with room for ten tries, one user name gets three: four `admin` defaults fit a
    // camera of an unknown maker, the fourth is never sent.
    let fresh = locking_page("admin", "a long unique passphrase", 5, Locked::Forbidden).await;
    let (t, mut c) = device(Category::Camera, None);
    c.limits.max_credential_tries = 10;
    let r = default_credentials_on(&t, &ports(|p| p.web = vec![fresh.port()]), &c).await;
    assert_eq!(r.verdict, Verdict::Pass, "{r:?}");
    assert_eq!(fresh.attempts(), 3, "three per user name: {r:?}");
}

#[tokio::test]
async fn a_lockout_stops_the_tries_and_is_the_evidence() {
    for locked in [Locked::Forbidden, Locked::NewRealm] {
        let page = locking_page("admin", "a long unique passphrase", 2, locked).await;
        let (t, c) = device(Category::Camera, None);
        let r = default_credentials_on(&t, &ports(|p| p.web = vec![page.port()]), &c).await;
        let sign = match locked {
            Locked::Forbidden => "HTTP 403",
            Locked::NewRealm => "changed from \"IP Camera\" to \"Locked out\"",
        };
        assert_verdict(
            &r,
            Verdict::Unknown,
            &[
                "stopped: the device showed a sign of locking logins out after 2 refused",
                sign,
            ],
        );
        assert_eq!(page.attempts(), 2, "no login is sent once it locks");
        assert!(r.next.unwrap().contains("recorder"));
    }
    // A device locked before porchlight starts gets nothing at all.
    let page = locking_page("admin", "x", 0, Locked::Forbidden).await;
    let (t, c) = device(Category::Camera, None);
    let r = default_credentials_on(&t, &ports(|p| p.web = vec![page.port()]), &c).await;
    assert_eq!(r.verdict, Verdict::Unknown, "{r:?}");
    assert_eq!(page.attempts(), 0);
}

#[tokio::test]
async fn telnet_stops_when_the_prompt_says_locked() {
    let telnet = locking_telnet("root", "not a default", 1).await;
    let (t, c) = device(Category::Unknown, None);
    let r = default_credentials_on(&t, &ports(|p| p.telnet = vec![telnet.port()]), &c).await;
    assert_verdict(
        &r,
        Verdict::Unknown,
        &[
            "after 1 refused (root with its factory password on telnet",
            "account locked",
        ],
    );
    assert_eq!(telnet.attempts(), 1);

    let open = locking_telnet("root", "xc3511", 5).await;
    let (t, c) = device(Category::Unknown, None);
    let r = default_credentials_on(&t, &ports(|p| p.telnet = vec![open.port()]), &c).await;
    assert_verdict(&r, Verdict::Fail, &["root/xc3511 still works on telnet"]);
}

#[tokio::test]
async fn ftp_logins_work_refuse_and_lock_as_the_server_says() {
    let works = locking_ftp("admin", "admin", 5).await;
    let (t, c) = device(Category::Nas, Some("QNAP"));
    let r = default_credentials_on(&t, &ports(|p| p.ftp = vec![works.port()]), &c).await;
    assert_verdict(&r, Verdict::Fail, &["admin/admin still works on FTP"]);

    let locks = locking_ftp("admin", "strong one", 1).await;
    let (t, mut c) = device(Category::Nas, Some("Synology"));
    c.limits.max_credential_tries = 3;
    let r = default_credentials_on(&t, &ports(|p| p.ftp = vec![locks.port()]), &c).await;
    assert_verdict(&r, Verdict::Unknown, &["stopped", "421"]);
    assert_eq!(locks.attempts(), 1);
}

#[tokio::test]
async fn rtsp_logins_stop_when_the_realm_changes() {
    let works = locking_rtsp("admin", "admin", 5).await;
    let (t, c) = device(Category::Camera, Some("Dahua"));
    let r = default_credentials_on(&t, &ports(|p| p.rtsp = vec![works.port()]), &c).await;
    assert_verdict(
        &r,
        Verdict::Fail,
        &["admin/admin still works on the video stream"],
    );

    let locks = locking_rtsp("admin", "strong one", 1).await;
    let (t, c) = device(Category::Camera, None);
    let r = default_credentials_on(&t, &ports(|p| p.rtsp = vec![locks.port()]), &c).await;
    assert_verdict(&r, Verdict::Unknown, &["stopped", "realm", "\"Locked\""]);
    assert_eq!(locks.attempts(), 1);
}

#[tokio::test]
async fn a_known_router_login_form_is_filled_like_the_makers_page() {
    let router = luci_router("").await;
    let (t, c) = device(Category::Router, None);
    let r = default_credentials_on(&t, &ports(|p| p.web = vec![router.port()]), &c).await;
    assert_verdict(
        &r,
        Verdict::Fail,
        &["root with no password still works on the openwrt login form"],
    );
    assert_eq!(router.attempts(), 1);

    let safe = luci_router("a-long-router-password").await;
    let (t, c) = device(Category::Router, None);
    let r = default_credentials_on(&t, &ports(|p| p.web = vec![safe.port()]), &c).await;
    assert_eq!(
        r.verdict,
        Verdict::Pass,
        "LuCI's 403 is a refusal here: {r:?}"
    );
    assert!(safe.attempts() <= 3);
}

#[tokio::test]
async fn ssh_that_cannot_be_tried_is_named_with_why() {
    let ssh = ssh_banner().await;
    let page = locking_page("admin", "a long unique passphrase", 5, Locked::Forbidden).await;
    let (t, c) = device(Category::Router, Some("Netgear"));
    let p = ports(|p| {
        p.web = vec![page.port()];
        p.ssh = vec![ssh.port()];
    });
    let r = default_credentials_on(&t, &p, &c).await;
    assert_eq!(r.verdict, Verdict::Pass, "{r:?}");
    let part = r.unconfirmed.unwrap_or_default();
    assert!(
        part.contains("SSH answers") && part.contains("not tried"),
        "{part}"
    );

    // Only SSH, on a computer without an SSH client: nothing porchlight can try, and it says why.
    let (t, c) = device(Category::Router, Some("Netgear"));
    let p = ports(|p| {
        p.ssh = vec![ssh.port()];
        p.ssh_client.program = "/nonexistent/porchlight-test/ssh".into();
    });
    let r = default_credentials_on(&t, &p, &c).await;
    assert_verdict(
        &r,
        Verdict::Unknown,
        &["cannot check", "SSH answers", "no SSH client"],
    );
}

#[tokio::test]
async fn logins_are_never_tried_outside_the_private_ranges() {
    let (mut t, c) = device(Category::Router, None);
    t.ip = Ipv4Addr::new(203, 0, 113, 9);
    let r = default_credentials_on(&t, &LoginPorts::standard(), &c).await;
    assert_verdict(&r, Verdict::Unknown, &["not a private address"]);
}

#[tokio::test]
async fn a_lorex_recorder_that_locks_at_three_gets_two_tries_and_its_own_default_first() {
    // Locks after 3 failures, as Lorex recorders do: porchlight must leave the owner one.
    let page = locking_page("admin", "a long unique passphrase", 3, Locked::Forbidden).await;
    let (t, c) = device(Category::Camera, Some("Lorex Technology"));
    let r = default_credentials_on(&t, &ports(|p| p.web = vec![page.port()]), &c).await;
    assert_verdict(&r, Verdict::Pass, &["none of the 2 factory logins"]);
    assert_eq!(page.attempts(), 2, "{r:?}");
    let part = r.unconfirmed.as_deref().unwrap_or_default();
    assert!(
        part.contains("30 minutes after 3 wrong passwords"),
        "{part}"
    );
    // And its documented default is the one that gets through.
    let page = locking_page("admin", "000000", 3, Locked::Forbidden).await;
    let (t, c) = device(Category::Camera, Some("Lorex Technology"));
    let r = default_credentials_on(&t, &ports(|p| p.web = vec![page.port()]), &c).await;
    assert_verdict(&r, Verdict::Fail, &["admin/000000 still works"]);
    assert_eq!(page.attempts(), 1);
}

#[tokio::test]
async fn an_ezviz_camera_gets_no_guess_and_the_owner_learns_why() {
    let page = locking_page("admin", "ABCDEF", 5, Locked::Forbidden).await;
    let rtsp = locking_rtsp("admin", "ABCDEF", 5).await;
    let (t, c) = device(Category::Camera, Some("EZVIZ"));
    let p = ports(|p| {
        p.web = vec![page.port()];
        p.rtsp = vec![rtsp.port()];
    });
    let r = default_credentials_on(&t, &p, &c).await;
    assert_verdict(
        &r,
        Verdict::Unknown,
        &["not tried", "verification code printed on its own label"],
    );
    assert_eq!(page.attempts(), 0);
    assert_eq!(rtsp.attempts(), 0);
}

#[tokio::test]
async fn a_qnap_whose_password_is_its_mac_address_is_found() {
    let page = locking_page("admin", "245EBE0A1B2C", 5, Locked::Forbidden).await;
    let (mut t, c) = device(Category::Nas, Some("QNAP Systems"));
    t.mac = Some(porchlight::model::MacAddr([
        0x24, 0x5e, 0xbe, 0x0a, 0x1b, 0x2c,
    ]));
    let r = default_credentials_on(&t, &ports(|p| p.web = vec![page.port()]), &c).await;
    assert_verdict(&r, Verdict::Fail, &["admin/245EBE0A1B2C still works"]);
    assert_eq!(page.attempts(), 1, "QNAP's documented default comes first");
    assert!(!r.evidence.contains("245EBE0A1B2C"), "{}", r.evidence);
}
