//! The catalog's corrections from the issue-22 review, as an owner reads them: a step that can
//! break something warns in its first instruction, before the action, and names what breaks; a
//! check proves only what its text says; figures and clauses say what their sources say.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly

use porchlight::catalog::{Catalog, Step};
use porchlight::checks::Check;
use porchlight::model::StepId;

fn step<'a>(catalog: &'a Catalog, id: &str) -> &'a Step {
    catalog.step(&StepId::new(id)).unwrap()
}

fn text(s: &Step) -> String {
    format!("{} {} {}", s.why, s.how.join(" "), s.done_when)
}

#[test]
fn steps_that_can_break_the_home_warn_first_and_name_what_breaks() {
    let catalog = Catalog::builtin().unwrap();
    for (id, words) in [
        (
            "RT-18",
            &[
                "PPPoE",
                "VLAN",
                "VoIP",
                "hardware revision",
                "power",
                "mesh",
                "provider's router",
            ][..],
        ),
        (
            "N-03",
            &["backup (recovery) codes", "allow list", "QNAP", "SSH"][..],
        ),
        (
            "G-08",
            &["backup (recovery) codes", "locked out", "lock you out"][..],
        ),
        (
            "RT-04",
            &["TR-069", "phone", "updates", "RT-11", "SSH may stay on"][..],
        ),
        (
            "H-02",
            &[
                "Zigbee2MQTT",
                "Tasmota",
                "ESPHome",
                "Frigate",
                "create the users",
            ][..],
        ),
        (
            "E-01",
            &["evcc", "Home Assistant", "installer", "batteries"][..],
        ),
    ] {
        let s = step(&catalog, id);
        let first = &s.how[0];
        assert!(first.starts_with("Before you start:"), "{id}: {first}");
        for word in words {
            assert!(
                first.contains(word) || (*word == "locked out" && first.contains("lock you out")),
                "{id}'s warning does not name {word}: {first}"
            );
        }
    }
}

#[test]
fn the_broker_gets_its_users_and_clients_before_anonymous_access_goes() {
    let catalog = Catalog::builtin().unwrap();
    let how = &step(&catalog, "H-02").how;
    let at = |needle: &str| {
        how.iter()
            .skip(1)
            .position(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("no instruction with {needle}: {how:?}"))
    };
    let users = at("Create a separate username");
    let clients = at("Enter its login in every client");
    let anonymous = at("turn off anonymous access");
    assert!(users < clients && clients < anonymous, "{how:?}");
}

#[test]
fn checks_probe_what_their_text_promises() {
    let catalog = Catalog::builtin().unwrap();
    let ports = |id: &str| match &step(&catalog, id).check {
        Some(Check::PortsClosed { ports }) => ports.clone(),
        other => panic!("{id}: {other:?}"),
    };
    // SSH may stay on for an owner who uses it: its port never fails RT-04.
    assert!(!ports("RT-04").contains(&22));
    assert!(
        step(&catalog, "RT-04")
            .done_when
            .contains("leaves SSH's port 22 alone")
    );
    // SolarEdge's Modbus answers on 1502.
    assert!(ports("E-01").contains(&502) && ports("E-01").contains(&1502));
    assert!(step(&catalog, "E-01").done_when.contains("1502"));
    // The https check also looks on 8443, and says so.
    for id in ["RT-03", "G-04"] {
        assert!(
            step(&catalog, id).done_when.contains("443 and 8443"),
            "{id}"
        );
    }
    // P-01 reads only the front page: the owner confirms the settings ask.
    let p01 = &step(&catalog, "P-01").done_when;
    assert!(
        p01.contains("front page") && p01.contains("Brother"),
        "{p01}"
    );
}

#[test]
fn figures_and_clauses_say_what_their_sources_say() {
    let catalog = Catalog::builtin().unwrap();
    for id in ["RT-05", "T-03"] {
        let s = step(&catalog, id);
        if s.why.contains("72,341") {
            assert!(s.why.contains("live counter of their"), "{id}: {}", s.why);
        }
    }
    let all: String = catalog.steps().iter().map(text).collect();
    assert_eq!(
        all.matches("72,341").count(),
        all.matches("live counter of their").count()
    );
    let g06 = &step(&catalog, "G-06").why;
    assert!(
        g06.contains("Avast") && g06.contains("31.8% of the vulnerable devices"),
        "{g06}"
    );
    assert!(!g06.contains("third of the homes"));
    let s02 = text(step(&catalog, "S-02")) + &step(&catalog, "S-02").brand_hints.join(" ");
    assert!(
        !s02.contains("Duo") && !s02.contains("household calling"),
        "{s02}"
    );
    let cites = |id: &str| step(&catalog, id).standards.join("; ");
    assert!(cites("N-01").contains("5.6-1") && !cites("N-01").contains("5.5-1"));
    assert!(!cites("RT-18").contains("5.7-2"), "{}", cites("RT-18"));
    assert!(!cites("RT-08").contains("5.1-1"), "{}", cites("RT-08"));
    assert!(cites("G-12").contains("I8"), "{}", cites("G-12"));
    assert!(!cites("B-03").contains("I1"), "{}", cites("B-03"));
    // Each fact added carries its source.
    let links = |id: &str| {
        step(&catalog, id)
            .links
            .iter()
            .map(|l| l.url.clone())
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert!(links("E-01").contains("solaredge"));
    assert!(links("H-02").contains("zigbee2mqtt"));
}
