//! `trail-vpce report`: the HTML page for sample-logs and for hostile logs, read back by a real browser
//! (headless Chromium, `--dump-dom` and `--screenshot`): the sections, counts and policies the other commands
//! report are on the page; nothing from a log became an element, an attribute or a running script; the page
//! is not blank. Without Chromium the browser checks print a notice and skip, unless
//! TRAIL_VPCE_REQUIRE_CHROMIUM=1 (as in CI) makes that a failure.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// The browser, or `None` with a notice (a failure when CI requires it).
fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let found = std::env::split_paths(&path)
        .flat_map(|dir| ["chromium", "chromium-browser", "google-chrome"].map(|name| dir.join(name)))
        .find(|p| p.is_file());
    if found.is_none() {
        let required = std::env::var("TRAIL_VPCE_REQUIRE_CHROMIUM").is_ok_and(|v| v == "1");
        assert!(!required, "TRAIL_VPCE_REQUIRE_CHROMIUM=1 but no chromium on PATH (apt-get install chromium)");
        eprintln!("NOTICE: no chromium on PATH (apt-get install chromium); skipping the browser checks");
    }
    found
}

/// Runs headless Chromium on `page` with `args`, at most a minute, in a fresh profile; returns stdout.
fn headless(browser: &Path, page: &Path, args: &[&str]) -> Vec<u8> {
    let profile = tempfile::tempdir().unwrap();
    let mut child = Command::new(browser)
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions"])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromium starts");
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        std::io::Read::read_to_end(&mut stdout, &mut out).map(|_| out)
    });
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if start.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("chromium ran over a minute on {}", page.display());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    reader.join().unwrap().unwrap()
}

/// The page as the browser built it (scripts run).
fn dom(browser: &Path, page: &Path) -> String {
    String::from_utf8(headless(browser, page, &["--dump-dom"])).expect("the DOM is UTF-8")
}

/// A screenshot's pixels are not all alike: the page drew something. Returns (distinct colours, luminance
/// standard deviation).
fn screenshot_contrast(browser: &Path, page: &Path) -> (usize, f64) {
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("page.png");
    headless(
        browser,
        page,
        &[&format!("--screenshot={}", png.display()), "--window-size=1200,1400", "--hide-scrollbars"],
    );
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&png).expect("a screenshot")));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.color_type.samples();
    let pixels: Vec<&[u8]> = buf[..info.buffer_size()].chunks(channels).collect();
    let colours: std::collections::HashSet<&[u8]> = pixels.iter().copied().collect();
    let luminance: Vec<f64> =
        pixels
            .iter()
            .map(|p| {
                if channels >= 3 {
                    0.299 * p[0] as f64 + 0.587 * p[1] as f64 + 0.114 * p[2] as f64
                } else {
                    p[0] as f64
                }
            })
            .collect();
    let mean = luminance.iter().sum::<f64>() / luminance.len() as f64;
    let variance = luminance.iter().map(|l| (l - mean).powi(2)).sum::<f64>() / luminance.len() as f64;
    (colours.len(), variance.sqrt())
}

/// The text inside HTML (entities of the serialised DOM decoded).
fn unescape(text: &str) -> String {
    text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'").replace("&amp;", "&")
}

/// The text content of the element with `id` (no nested elements inside: a `<pre>` or a `<span>`).
fn text_of(dom: &str, id: &str) -> String {
    let open = format!("id=\"{id}\">");
    let at = dom.find(&open).unwrap_or_else(|| panic!("no #{id} in the page")) + open.len();
    let end = dom[at..].find('<').unwrap() + at;
    unescape(&dom[at..end])
}

/// Every start tag in the page: (name, attribute names and values).
fn tags(dom: &str) -> Vec<(String, String)> {
    let re = regex::Regex::new(r"<([a-zA-Z][a-zA-Z0-9-]*)([^>]*)>").unwrap();
    re.captures_iter(dom).map(|c| (c[1].to_ascii_lowercase(), c[2].to_owned())).collect()
}

/// The elements the template writes; anything else came from somewhere else.
const TEMPLATE_TAGS: &[&str] = &[
    "html",
    "head",
    "meta",
    "title",
    "style",
    "body",
    "header",
    "h1",
    "h2",
    "h3",
    "h4",
    "p",
    "span",
    "nav",
    "a",
    "dl",
    "div",
    "dt",
    "dd",
    "section",
    "ul",
    "li",
    "svg",
    "rect",
    "article",
    "code",
    "figure",
    "line",
    "text",
    "g",
    "figcaption",
    "table",
    "tbody",
    "thead",
    "tr",
    "th",
    "td",
    "strong",
    "pre",
    "button",
    "details",
    "summary",
    "br",
    "script",
];

/// Writes the report of `sources` (plus `extra`) to a file in `dir`; returns the file and the run's stderr.
fn report(dir: &Path, sources: &[&str], extra: &[&str]) -> (PathBuf, String) {
    let page = dir.join("review.html");
    let mut args = vec!["report"];
    args.extend(sources);
    args.extend(["-o", page.to_str().unwrap()]);
    args.extend(extra);
    let run = common::run(&args);
    assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
    (page, run.stderr)
}

#[test]
fn sample_logs_page_holds_what_the_commands_report() {
    let dir = tempfile::tempdir().unwrap();
    let (sample, config) = (common::sample(), common::sample_config());
    let (page, stderr) = report(dir.path(), &[&sample], &["--config", &config]);
    assert!(stderr.contains("wrote ") && stderr.contains("3 proposals"), "{stderr}");
    let html = std::fs::read_to_string(&page).unwrap();
    let with_config = ["--config", config.as_str(), "--format", "json"];
    let denied = common::run_json([&["denied", sample.as_str(), "--all-causes"][..], &with_config].concat());
    let outside = common::run_json([&["outside", sample.as_str()][..], &with_config].concat());
    let scan = common::run_json([&["scan", sample.as_str()][..], &with_config].concat());
    let propose = common::run_json([&["propose", sample.as_str()][..], &with_config].concat());
    // The raw file: offline (no URL to fetch anything from), one script, the CSP first in <head>.
    assert!(!html.contains("http://") && !html.contains("https://") && !html.contains("src="), "nothing fetched");
    assert_eq!(html.matches("<script").count(), 1);
    assert!(html.contains("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src &#39;none&#39;"));
    let Some(browser) = chromium() else { return };
    let dom = dom(&browser, &page);
    check_inert("sample-logs DOM", &dom);
    assert!(dom.contains("data-script=\"ran\""), "the inline script runs (its CSP hash is right)");
    for section in ["endpoints", "denials", "outside", "proposals", "input"] {
        assert!(dom.contains(&format!("<section id=\"{section}\">")), "section {section}");
    }
    assert_eq!(text_of(&dom, "denied-total"), denied["totals"]["denied_requests"].to_string());
    let endpoints = scan["endpoints"].as_array().unwrap().len()
        + scan["aws_operated_endpoints"].as_array().unwrap().len()
        + scan["foreign_endpoints"].as_array().unwrap().len();
    assert_eq!(dom.matches("<article class=\"endpoint ").count(), endpoints);
    for e in scan["endpoints"].as_array().unwrap() {
        assert!(dom.contains(&format!("<code class=\"vpce\">{}</code>", e["vpce"].as_str().unwrap())));
    }
    // One chart per endpoint, with bars.
    assert_eq!(dom.matches("<svg class=\"chart\"").count(), endpoints);
    assert!(dom.matches("<rect class=\"s-vpce-policy\"").count() > 0, "endpoint-policy denials are charted");
    let findings = outside["findings"].as_array().unwrap();
    let rows = dom.matches("<tr id=\"finding-").count();
    assert_eq!(rows, findings.len().min(200));
    for severity in ["high", "medium", "low"] {
        let n = findings.iter().filter(|f| f["severity"] == severity).count();
        if n > 0 {
            assert!(dom.contains(&format!("{severity} {n}</span>")), "{severity} {n}");
        }
    }
    // The denial groups: one row each (up to 200), and the top groups link to rows that exist.
    let groups = denied["denials"].as_array().unwrap().len();
    assert_eq!(dom.matches("<tr id=\"denial-").count(), groups.min(200));
    let links = regex::Regex::new("href=\"#(denial-[0-9]+)\"").unwrap();
    let linked: Vec<String> = links.captures_iter(&dom).map(|c| c[1].to_owned()).collect();
    assert!(!linked.is_empty());
    for anchor in &linked {
        assert!(dom.contains(&format!("<tr id=\"{anchor}\">")), "{anchor} links to a row");
    }
    // Each proposal: the same policy document as `propose`, its replay verdict, the current policy and the
    // difference in probe requests, and the Terraform form.
    let proposals = propose["proposals"].as_array().unwrap();
    assert_eq!(dom.matches("<article class=\"proposal\"").count(), proposals.len());
    for (i, p) in proposals.iter().enumerate() {
        let shown: Value = serde_json::from_str(&text_of(&dom, &format!("policy-{i}-json"))).expect("policy JSON");
        assert_eq!(shown, p["policy"], "proposal {i}");
        let compared = &p["compared_with_current"]["probes"];
        assert!(dom.contains(&format!("on {} probe requests", compared["total"])), "probe total {i}");
        assert!(dom.contains(&format!("{} removed", compared["removed"])));
        assert!(text_of(&dom, &format!("policy-{i}-tf")).starts_with("resource \"aws_vpc_endpoint_policy\""));
        assert!(dom.contains(&format!("data-copy=\"policy-{i}-json\"")));
    }
    assert!(dom.contains("<pre class=\"policy current\">"), "the config's current policies are shown");
    assert!(dom.contains("every covered request allowed"));
    // The books: the damaged file of sample-logs is named.
    assert!(dom.contains("truncated (unexpected end of compressed data)"), "the damaged file");
    let (colours, contrast) = screenshot_contrast(&browser, &page);
    assert!(colours > 50 && contrast > 10.0, "a blank screenshot: {colours} colours, contrast {contrast}");
}

/// Markup, handlers, `javascript:` URLs, style breakouts and bidi controls in every field a log controls.
/// Each script would set the page title or a marker attribute if it ran.
const PAYLOADS: [&str; 7] = [
    "<script>document.title='PWNED';document.documentElement.setAttribute('data-pwned','1')</script>",
    "\"onload=\"document.title='PWNED'\" x=\"",
    "'><img src=x onerror=\"document.title='PWNED'\">",
    "</style><style>body{display:none}</style><script>document.title='PWNED'</script>",
    "javascript:document.title='PWNED'",
    "txt.\u{202e}exe\u{2066}iso\u{2069}<svg onload=\"document.title='PWNED'\">",
    "esc\x1b[2J\x07bell\rcr\u{9b}c1",
];

fn hostile_records() -> Vec<Value> {
    let mut out = Vec::new();
    for (i, h) in PAYLOADS.iter().enumerate() {
        let arn = format!("arn:aws:iam::444455556666:user/{h}");
        let record = |id: String, vpce: Option<String>, denied: bool| {
            let mut r = json!({
                "eventVersion": "1.10", "eventTime": format!("2026-11-21T10:0{i}:00Z"),
                "eventSource": "s3.amazonaws.com", "eventName": format!("GetObject{h}"), "awsRegion": "us-east-1",
                "sourceIPAddress": format!("203.0.113.9{h}"), "userAgent": h, "eventID": format!("{id}{h}"),
                "userIdentity": {"type": "IAMUser", "arn": arn, "accountId": "444455556666", "userName": h},
                "requestParameters": {"bucketName": format!("bucket-{i}{h}"), "key": format!("key/{h}")},
                "resources": [{"ARN": format!("arn:aws:s3:::bucket-{i}{h}/key/{h}"), "type": "AWS::S3::Object"}],
                "recipientAccountId": "111122223333", "eventCategory": "Data", "managementEvent": false,
                "readOnly": true
            });
            if let Some(vpce) = vpce {
                r["vpcEndpointId"] = json!(vpce);
                r["vpcEndpointAccountId"] = json!("111122223333");
            }
            if denied {
                r["errorCode"] = json!("AccessDenied");
                r["errorMessage"] = json!(format!(
                    "User: {arn} is not authorized to perform: s3:GetObject on resource: \"arn:aws:s3:::bucket-{i}/key/{h}\" because no VPC endpoint policy allows the s3:GetObject action {h}"
                ));
            }
            r
        };
        out.push(record(format!("ok-{i}"), Some("vpce-1".to_owned()), false));
        out.push(record(format!("ok-h-{i}"), Some(format!("vpce-{h}")), false));
        out.push(record(format!("denied-{i}"), Some(format!("vpce-{h}")), true));
        out.push(record(format!("plain-{i}"), Some("vpce-1".to_owned()), true));
        out.push(record(format!("outside-{i}"), None, false));
        // A foreign account through the endpoint: an outside finding naming the principal and resource.
        let mut foreign = record(format!("foreign-{i}"), Some("vpce-1".to_owned()), false);
        foreign["resources"] = json!([{"ARN": format!("arn:aws:s3:::bucket-{i}{h}"), "type": "AWS::S3::Bucket", "accountId": format!("99998888{h}")}]);
        out.push(foreign);
    }
    out
}

fn hostile_fixture(dir: &Path) {
    let records: Vec<String> = hostile_records().iter().map(Value::to_string).collect();
    std::fs::write(dir.join("trail.json"), common::wrapper(&records)).unwrap();
    let owner = "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be";
    let lines: String = PAYLOADS
        .iter()
        .enumerate()
        .filter(|(_, h)| !h.contains('"'))
        .map(|(i, h)| {
            format!(
                "{owner} bucket-{i} [21/Nov/2026:10:00:0{i} +0000] 10.0.0.{i} arn:aws:iam::444455556666:user/u REQ{i} REST.GET.OBJECT key/{h} \"GET /bucket-{i}/key/{h} HTTP/1.1\" 403 AccessDenied 243 - 7 - \"https://ref/{h}\" \"agent {h}\" - HOSTID SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader bucket-{i}.s3.amazonaws.com TLSv1.2 - -\n"
            )
        })
        .collect();
    std::fs::write(dir.join("access.log"), lines).unwrap();
    // A damaged file whose name carries markup: the books name it.
    std::fs::write(dir.join("bad-<img src=x onerror=alert(1)>.json"), "{\"Records\":[{\"eventName\":").unwrap();
}

#[test]
fn hostile_log_content_stays_text() {
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs");
    std::fs::create_dir(&logs).unwrap();
    hostile_fixture(&logs);
    let (page, _) = report(dir.path(), &[logs.to_str().unwrap()], &["--vpc-cidr", "vpce-1=10.0.0.0/16"]);
    if let Ok(keep) = std::env::var("TRAIL_VPCE_KEEP_REPORT") {
        std::fs::copy(&page, keep).unwrap();
    }
    let html = std::fs::read_to_string(&page).unwrap();
    check_inert("file", &html);
    // The payloads reached the page, as text.
    assert!(html.contains("&lt;script&gt;document.title="), "escaped script text is on the page");
    assert!(html.contains("\\u{202e}") && html.contains("\\u{2066}"), "bidi controls shown as escapes");
    assert!(html.contains("bad-&lt;img src=x onerror=alert(1)&gt;.json"), "the damaged file's name");
    let Some(browser) = chromium() else { return };
    let dom = dom(&browser, &page);
    check_inert("DOM", &dom);
    assert!(dom.contains("<title>trail-vpce endpoint review</title>"), "no script changed the title");
    assert!(!dom.contains("data-pwned=\"1\""), "no injected script ran");
    assert!(dom.contains("data-script=\"ran\""), "the page's own script did");
    assert!(dom.contains("&lt;script&gt;document.title='PWNED'"), "the payload is text in the DOM");
    // The fields that reach the page: the principal, endpoint id, event name (as the action), resource (the
    // key), source IP.
    for field in [
        "user/&lt;script&gt;",
        "vpce-&lt;script&gt;",
        "key/&lt;script&gt;",
        "GetObject&lt;script&gt;",
        "203.0.113.9&lt;script&gt;",
    ] {
        assert!(dom.contains(field), "{field} shown as text");
    }
    let (colours, contrast) = screenshot_contrast(&browser, &page);
    assert!(colours > 20 && contrast > 5.0, "a blank screenshot: {colours} colours, contrast {contrast}");
}

/// The fuzz corpora of the CloudTrail and access-log decoders (mutated, often invalid inputs): the report runs,
/// and its page is inert.
#[test]
fn fuzz_corpora_make_an_inert_page() {
    let dir = tempfile::tempdir().unwrap();
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/fuzz/corpus");
    let sources = [format!("{root}/cloudtrail_unit"), format!("{root}/access_log_line")];
    let (page, _) = report(dir.path(), &[&sources[0], &sources[1]], &["-q"]);
    let html = std::fs::read_to_string(&page).unwrap();
    check_inert("fuzz corpora", &html);
    let Some(browser) = chromium() else { return };
    let dom = dom(&browser, &page);
    check_inert("fuzz corpora DOM", &dom);
    assert!(dom.contains("data-script=\"ran\"") && dom.contains("<title>trail-vpce endpoint review</title>"));
}

/// What a page must never hold: a tag the template does not write, an event-handler attribute, a URL attribute
/// other than the page's own anchors, a second script or style, a raw bidi control.
fn check_inert(what: &str, page: &str) {
    let handler = regex::Regex::new(r#"(?i)(^|[\s"'/])on[a-z]+\s*="#).unwrap();
    for (name, attributes) in tags(page) {
        assert!(TEMPLATE_TAGS.contains(&name.as_str()), "{what}: an element <{name}{attributes}> from log content");
        assert!(!handler.is_match(&attributes), "{what}: an event handler in <{name}{attributes}>");
        if let Some(at) = attributes.find("href=") {
            assert!(attributes[at..].starts_with("href=\"#"), "{what}: a link out in <{name}{attributes}>");
        }
        assert!(!attributes.contains("src="), "{what}: a source in <{name}{attributes}>");
    }
    assert_eq!(page.matches("<script").count(), 1, "{what}: one script");
    assert_eq!(page.matches("<style").count(), 1, "{what}: one style sheet");
    for c in
        ['\u{202a}', '\u{202b}', '\u{202c}', '\u{202d}', '\u{202e}', '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}']
    {
        assert!(!page.contains(c), "{what}: a raw bidi control {c:?}");
    }
}

/// The page holds summaries: ten times the records of the same keys make about the same page.
#[test]
fn page_size_follows_distinct_keys_not_records() {
    let dir = tempfile::tempdir().unwrap();
    let write = |n: usize, name: &str| {
        let records: Vec<String> = (0..n)
            .map(|i| {
                json!({
                    "eventVersion": "1.10", "eventTime": format!("2026-11-21T10:{:02}:{:02}Z", (i / 60) % 6, i % 60),
                    "eventSource": "s3.amazonaws.com", "eventName": "GetObject", "awsRegion": "us-east-1",
                    "sourceIPAddress": "10.0.0.1", "eventID": format!("e-{i}"),
                    "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::111122223333:user/u", "accountId": "111122223333"},
                    "requestParameters": {"bucketName": "b", "key": format!("k/{}", i % 7)},
                    "resources": [{"ARN": format!("arn:aws:s3:::b/k/{}", i % 7), "type": "AWS::S3::Object"}],
                    "recipientAccountId": "111122223333", "eventCategory": "Data", "managementEvent": false,
                    "readOnly": true, "vpcEndpointId": "vpce-1", "vpcEndpointAccountId": "111122223333",
                    "errorCode": if i % 3 == 0 { "AccessDenied" } else { "" },
                })
                .to_string()
            })
            .collect();
        let path = dir.path().join(name);
        std::fs::create_dir(&path).unwrap();
        std::fs::write(path.join("trail.json"), common::wrapper(&records)).unwrap();
        let (page, _) = report(&path, &[path.to_str().unwrap()], &[]);
        std::fs::metadata(page).unwrap().len()
    };
    let small = write(360, "small");
    let large = write(3600, "large");
    assert!(large < small * 3 / 2, "page grows with records: {small} → {large} bytes");
}

#[test]
fn refuses_a_device_and_writes_into_a_pipe() {
    let run = common::run(["report", &common::sample(), "-o", "/dev/zero", "-q"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("refusing"), "{}", run.stderr);
    // stdout that is not a terminal (a pipe here) gets the page.
    let run = common::run(["report", &common::sample(), "-q"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout_text().starts_with("<!DOCTYPE html>"));
}
