//! The README's Development section names exactly the Debian packages `.ci/run` installs, so a
//! developer reading it installs what the tests need.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly

#[test]
fn readme_lists_exactly_what_ci_installs() {
    let root = env!("CARGO_MANIFEST_DIR");
    let ci = std::fs::read_to_string(format!("{root}/.ci/run")).unwrap();
    let line = ci.lines().find(|l| l.starts_with("pkgs=(")).unwrap();
    let mut installed: Vec<&str> = line
        .trim_start_matches("pkgs=(")
        .trim_end_matches(')')
        .split_whitespace()
        .collect();
    installed.sort_unstable();
    let readme = std::fs::read_to_string(format!("{root}/README.md")).unwrap();
    let section = readme.split("## Development").nth(1).unwrap();
    let sentence = section
        .split("installs exactly these Debian packages when missing:")
        .nth(1)
        .unwrap()
        .split(';')
        .next()
        .unwrap();
    let mut listed: Vec<&str> = sentence
        .split([',', ' ', '\n'])
        .map(str::trim)
        .filter(|w| !w.is_empty() && *w != "and")
        .collect();
    listed.sort_unstable();
    assert_eq!(listed, installed);
}
