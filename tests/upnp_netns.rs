//! Removing a UPnP port mapping from the simulated home's router (miniupnpd, see
//! `tests/netns/upnp.rs`) with `porchlight upnp`, as the owner would: the camera maps a port to
//! itself and the printer one to itself, porchlight scans, lists them, and is asked to remove the
//! camera's. With miniupnpd's secure mode on, the router refuses: porchlight says so in plain
//! words with how to do it by hand, and nothing is removed. With it off, the one mapping goes,
//! the router's own list (read with `upnpc`) proves it, the printer's stays, and the camera's
//! C-02 check passes at once. Needs root; without it, says why and passes (fails under CI).

#![cfg(target_os = "linux")] // network namespaces are Linux's
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly

mod netns;

use std::process::{Command, Stdio};

use netns::TestHome;
use serde_json::Value;

/// Runs `cmd` and returns (success, stdout, stderr).
fn run(cmd: &mut Command) -> (bool, String, String) {
    let out = cmd.stdin(Stdio::null()).output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const PORCHLIGHT: &str = env!("CARGO_BIN_EXE_porchlight");

#[test]
fn upnp_remove_takes_away_the_one_mapping_chosen_or_explains_the_refusal() {
    if !netns::require_root() {
        return;
    }
    let Some((upnpc, nft)) = netns::upnp::tools() else {
        return;
    };
    let mut home = TestHome::build();
    home.enable_upnp_forwarding(&nft);
    let (camera, printer) = (
        home.device("camera").clone(),
        home.device("printer").clone(),
    );
    home.add_mapping(&upnpc, &camera.ns, camera.ip, 8554, 18554, "TCP", "Camera");
    home.add_mapping(
        &upnpc,
        &printer.ns,
        printer.ip,
        9100,
        19100,
        "TCP",
        "Printer",
    );
    let data = home.dir().join("porchlight-data");
    home.scan_json(PORCHLIGHT, &[]);
    let porchlight = |home: &TestHome, args: &[&str]| {
        run(home
            .in_scanner(PORCHLIGHT)
            .arg("--data-dir")
            .arg(&data)
            .args(args))
    };

    // The list names the device each mapping points at.
    let (ok, out, err) = porchlight(&home, &["upnp", "list", "--json"]);
    assert!(ok, "{err}");
    let rows: Vec<Value> = serde_json::from_str(&out).unwrap();
    assert_eq!(rows.len(), 2, "{out}");
    let camera_row = rows.iter().find(|r| r["external_port"] == 18554).unwrap();
    assert_eq!(camera_row["internal_client"], camera.ip.to_string());
    assert_eq!(camera_row["stale"], false);
    assert_eq!(camera_row["description"], "Camera");
    let camera_name = camera_row["device_name"].as_str().unwrap().to_string();
    let (ok, table, _) = porchlight(&home, &["upnp", "list"]);
    assert!(ok);
    assert!(
        table.contains("18554") && table.contains(&camera_name),
        "{table}"
    );

    // Without a terminal and without --yes nothing is sent.
    let (ok, _, err) = porchlight(&home, &["upnp", "remove", "18554/TCP"]);
    assert!(!ok);
    assert!(err.contains("asks first"), "{err}");
    assert_eq!(home.listed_mappings(&upnpc).len(), 2);
    // A mapping the router does not list: one line, nothing sent.
    let (ok, _, err) = porchlight(&home, &["upnp", "remove", "18999/UDP", "--yes"]);
    assert!(!ok && err.contains("lists no UDP 18999 mapping"), "{err}");
    assert_eq!(err.trim().lines().count(), 1);

    // Secure mode on: the router refuses a forward another host made.
    let (ok, out, err) = porchlight(&home, &["upnp", "remove", "18554/TCP", "--yes"]);
    assert!(!ok, "{out}");
    assert!(
        out.contains(
            "DeletePortMapping NewRemoteHost=\"\" NewExternalPort=\"18554\" NewProtocol=\"TCP\""
        ),
        "the request is shown: {out}"
    );
    assert!(out.contains("Not removed"), "{out}");
    assert!(out.contains("UPnP error 606"), "{out}");
    assert!(out.contains("only the device that made a forward"), "{out}");
    assert!(out.contains("To remove it by hand"), "{out}");
    assert!(err.contains("was not removed"), "{err}");
    let mut listed = home.listed_mappings(&upnpc);
    listed.sort();
    assert_eq!(
        listed,
        [(18554, "TCP".to_string()), (19100, "TCP".to_string())],
        "nothing was removed"
    );

    // Secure mode off: removed, proven by the router's own list, the camera's check passes.
    home.set_upnp_secure_mode(false);
    if !home
        .listed_mappings(&upnpc)
        .contains(&(18554, "TCP".into()))
    {
        home.add_mapping(&upnpc, &camera.ns, camera.ip, 8554, 18554, "TCP", "Camera");
    }
    if !home
        .listed_mappings(&upnpc)
        .contains(&(19100, "TCP".into()))
    {
        home.add_mapping(
            &upnpc,
            &printer.ns,
            printer.ip,
            9100,
            19100,
            "TCP",
            "Printer",
        );
    }
    let (ok, out, err) = porchlight(&home, &["upnp", "remove", "18554/tcp", "--yes"]);
    assert!(ok, "{out}\n{err}\n{}", home.all_logs());
    assert!(out.contains("Removed, verified"), "{out}");
    let c02 = out
        .lines()
        .find(|l| l.trim_start().starts_with("C-02"))
        .unwrap_or_else(|| panic!("C-02 was not re-checked: {out}"));
    assert!(
        c02.contains(&camera_name) && c02.contains(": verified:"),
        "{c02}"
    );
    assert_eq!(
        home.listed_mappings(&upnpc),
        [(19100, "TCP".to_string())],
        "only the camera's mapping went"
    );
    // The re-check is kept: the camera's C-02 finding is fine now.
    let state: Value =
        serde_json::from_str(&std::fs::read_to_string(data.join("state.json")).unwrap()).unwrap();
    let cam = state["devices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["ip"] == camera.ip.to_string())
        .unwrap();
    assert_eq!(cam["findings"]["C-02"]["verdict"], "fine", "{cam}");
}
