//! The HTML report in a real browser: headless Chromium opens the demo home's report at 390, 1280
//! and 1920 pixels wide and with its print style on an A4 page's width, and a small script added
//! to a copy of the page (the report itself has none) measures what a reader would see: the page
//! is no wider than the window, every table cell's text lies inside the window and inside every
//! box that clips it, and the progress chart's points are drawn where its history says. Each
//! width leaves a screenshot in the test's target folder, and the page is printed to an A4 PDF.
//! Without Chromium the test says why and passes, except under CI (`CI=true` or `CI=1`), which
//! installs it (`.ci/run`) and fails.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use porchlight::report::chart;
use serde_json::Value;

const PORCHLIGHT: &str = env!("CARGO_BIN_EXE_porchlight");

/// What the added script measures, printed into the page for `--dump-dom`.
const MEASURE: &str = r#"<script>
(function () {
  var doc = document.documentElement;
  var out = { scrollWidth: doc.scrollWidth, clientWidth: doc.clientWidth, cells: 0, hidden: [], chart: null };
  var cells = document.querySelectorAll('th, td');
  for (var i = 0; i < cells.length; i++) {
    var cell = cells[i];
    // A header the narrow layout leaves out (each row then reads as a card) is not cut off.
    if (cell.getClientRects().length === 0) { continue; }
    out.cells++;
    var r = cell.getBoundingClientRect();
    var bad = r.left < -0.5 || r.right > doc.clientWidth + 0.5 || cell.scrollWidth > cell.clientWidth + 1;
    for (var a = cell.parentElement; a && a !== doc; a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== 'visible') {
        var b = a.getBoundingClientRect();
        if (r.left < b.left - 0.5 || r.right > b.right + 0.5) { bad = true; }
      }
    }
    var inner = cell.querySelectorAll('*');
    for (var j = 0; j < inner.length; j++) {
      var ir = inner[j].getBoundingClientRect();
      if (ir.width > 0 && (ir.left < r.left - 0.5 || ir.right > r.right + 0.5)) { bad = true; }
    }
    if (bad) { out.hidden.push(cell.textContent.slice(0, 80)); }
  }
  var svg = document.querySelector('svg.progress');
  if (svg) {
    var box = svg.getBoundingClientRect();
    var line = svg.querySelector('polyline.score-line');
    var pts = [];
    for (var k = 0; k < line.points.numberOfItems; k++) {
      var p = line.points.getItem(k);
      pts.push([p.x, p.y]);
    }
    out.chart = { left: box.left, right: box.right, width: box.width, height: box.height,
                  lineWidth: line.getBoundingClientRect().width, points: pts };
  }
  var pre = parent.document.createElement('pre');
  pre.id = 'porchlight-measure';
  pre.textContent = JSON.stringify(out);
  parent.document.body.appendChild(pre);
})();
</script>"#;

fn chromium() -> Option<PathBuf> {
    let path = std::env::var("PATH").unwrap_or_default();
    for name in ["chromium", "chromium-browser", "google-chrome"] {
        for dir in path.split(':').chain(["/usr/bin"]) {
            let p = Path::new(dir).join(name);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    let why = "skipped: the report's browser test needs Chromium (Debian's `chromium`)";
    if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") {
        panic!("{why}, and CI must run it");
    }
    eprintln!("{why}");
    None
}

/// Runs Chromium headless on `page` with `args`, killed after 60 s; returns its standard output.
fn run_chromium(browser: &Path, profile: &Path, args: &[String], page: &Path) -> String {
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = std::io::Read::read_to_string(&mut stdout, &mut text);
        text
    });
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("Chromium did not finish in 60 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    reader.join().unwrap()
}

/// A page holding `html` in a frame `width` pixels wide: Chromium's window is never narrower
/// than 500 pixels, a frame can be. (`srcdoc` keeps the frame on the page's origin, so the
/// frame's script can write into the page.)
fn framed(html: &str, width: u32, height: u32) -> String {
    let doc = html.replace('&', "&amp;").replace('"', "&quot;");
    format!(
        "<!DOCTYPE html><html><body style=\"margin:0\"><iframe style=\"border:0;width:{width}px;height:{height}px\" srcdoc=\"{doc}\"></iframe></body></html>"
    )
}

/// The measurements of `html` at `width` (with the print style on when `print`).
fn measure(browser: &Path, dir: &Path, html: &str, width: u32, print: bool) -> Value {
    let mut page = html.replace("</body>", &format!("{MEASURE}</body>"));
    if print {
        page = page.replace("@media print", "@media all");
    }
    let file = dir.join(format!("measure-{width}-{print}.html"));
    std::fs::write(&file, framed(&page, width, 1000)).unwrap();
    let dom = run_chromium(
        browser,
        &dir.join(format!("profile-{width}-{print}")),
        &[
            format!("--window-size={},1000", width.max(500)),
            "--dump-dom".to_string(),
        ],
        &file,
    );
    let start = dom
        .find("<pre id=\"porchlight-measure\">")
        .unwrap_or_else(|| panic!("the script did not run: {dom:.500}"));
    let json = &dom[start + "<pre id=\"porchlight-measure\">".len()..];
    let json = &json[..json.find("</pre>").unwrap()];
    let json = json
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">");
    serde_json::from_str(&json).unwrap()
}

#[test]
fn the_report_reads_whole_in_chromium_at_every_width_and_on_a4() {
    let Some(browser) = chromium() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let report = dir.path().join("report.html");
    let json_file = dir.path().join("report.json");
    for file in [&report, &json_file] {
        let out = Command::new(PORCHLIGHT)
            .arg("--demo")
            .arg("--data-dir")
            .arg(&data)
            .args(["report", "--output"])
            .arg(file)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let html = std::fs::read_to_string(&report).unwrap();
    let json: Value = serde_json::from_str(&std::fs::read_to_string(&json_file).unwrap()).unwrap();
    let history = json["history"].as_array().unwrap();
    assert!(history.len() > 2, "the demo home keeps a history");
    assert!(
        !html.contains("<script"),
        "the report itself runs no script"
    );

    let artifacts = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report-browser");
    std::fs::create_dir_all(&artifacts).unwrap();
    for (width, print) in [(390, false), (1280, false), (1920, false), (680, true)] {
        let m = measure(&browser, dir.path(), &html, width, print);
        let at = if print {
            "A4 print width".to_string()
        } else {
            format!("{width} px")
        };
        assert!(
            m["scrollWidth"].as_f64().unwrap() <= m["clientWidth"].as_f64().unwrap(),
            "the page is wider than the window at {at}: {m}"
        );
        assert!(m["cells"].as_u64().unwrap() > 50, "{m}");
        assert_eq!(
            m["hidden"],
            Value::Array(Vec::new()),
            "cut-off cells at {at}"
        );
        // The chart: inside the window, drawn, one point per history entry, where it says.
        let c = &m["chart"];
        assert!(c["left"].as_f64().unwrap() >= 0.0, "{c}");
        assert!(c["right"].as_f64().unwrap() <= f64::from(width), "{c}");
        assert!(
            c["height"].as_f64().unwrap() > 80.0 && c["lineWidth"].as_f64().unwrap() > 100.0,
            "{c}"
        );
        let points = c["points"].as_array().unwrap();
        assert_eq!(points.len(), history.len());
        for (p, h) in points.iter().zip(history) {
            let y = p[1].as_f64().unwrap();
            let want = chart::y(h["score"].as_f64().unwrap(), 100.0);
            assert!(
                (y - want).abs() < 0.11,
                "score {} drawn at {y}, not {want}",
                h["score"]
            );
        }
        let xs: Vec<f64> = points.iter().map(|p| p[0].as_f64().unwrap()).collect();
        assert!((xs[0] - chart::LEFT).abs() < 0.11);
        assert!((xs[xs.len() - 1] - (chart::WIDTH - chart::RIGHT)).abs() < 0.11);
        assert!(xs.windows(2).all(|w| w[0] < w[1]), "{xs:?}");
        assert_eq!(m["clientWidth"].as_f64().unwrap(), f64::from(width));
        if !print {
            let shot = artifacts.join(format!("report-{width}.png"));
            let _ = std::fs::remove_file(&shot);
            let page = dir.path().join(format!("shot-{width}.html"));
            std::fs::write(&page, framed(&html, width, 1400)).unwrap();
            run_chromium(
                &browser,
                &dir.path().join(format!("shot-{width}")),
                &[
                    format!("--window-size={},1400", width.max(500)),
                    format!("--screenshot={}", shot.display()),
                ],
                &page,
            );
            let png = std::fs::read(&shot).unwrap();
            assert!(
                png.starts_with(b"\x89PNG") && png.len() > 10_000,
                "{}",
                shot.display()
            );
        }
    }
    // Printed on A4, as the print dialog would be set in most of the world (the report leaves
    // the paper to the printer's settings; Chromium's own default is Letter).
    let pdf = artifacts.join("report-a4.pdf");
    let _ = std::fs::remove_file(&pdf);
    let a4 = dir.path().join("a4.html");
    std::fs::write(
        &a4,
        html.replace("</head>", "<style>@page { size: A4; }</style></head>"),
    )
    .unwrap();
    run_chromium(
        &browser,
        &dir.path().join("print"),
        &[
            "--no-pdf-header-footer".to_string(),
            format!("--print-to-pdf={}", pdf.display()),
        ],
        &a4,
    );
    let bytes = std::fs::read(&pdf).unwrap();
    assert!(bytes.starts_with(b"%PDF") && bytes.len() > 20_000);
    // Chromium prints on Letter unless the page says otherwise; A4 is 595 x 842 points.
    let text = String::from_utf8_lossy(&bytes);
    let boxes: Vec<(f64, f64)> = text
        .split("/MediaBox [0 0 ")
        .skip(1)
        .filter_map(|rest| {
            let mut n = rest.split([' ', ']']);
            Some((n.next()?.parse().ok()?, n.next()?.parse().ok()?))
        })
        .collect();
    assert!(!boxes.is_empty());
    for (w, h) in boxes {
        assert!(
            (w - 595.3).abs() < 1.0 && (h - 841.9).abs() < 1.0,
            "{w} x {h} is not A4"
        );
    }
}
