//! Parser tests: the AWS example, old short lines, extra fields, hostile quoting, errors, the real dandi log.

use super::*;

const OWNER: &str = "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be";
const TAIL: &str = "- s9lzHYrFp76ZVxRcpX9+5cjAnEH2ROuNkd2BHfIa6UkFVdtjf5mKR3/eTPFvsiP/XV/VLi31234= SigV4 \
    ECDHE-RSA-AES128-GCM-SHA256 AuthHeader b1.s3.us-west-1.amazonaws.com TLSV1.2";

fn line(middle: &str, agent_and_tail: &str) -> String {
    format!("{OWNER} b1 [06/Feb/2019:00:00:38 +0000] 192.0.2.3 {middle} {agent_and_tail}")
}

/// (line, key, request URI, status, referer, user agent, host header, field count)
type Case = (
    String,
    Option<&'static str>,
    Option<&'static str>,
    Option<u16>,
    Option<&'static str>,
    Option<&'static str>,
    Option<&'static str>,
    usize,
);

#[test]
fn parses_the_shapes_seen_in_the_wild() {
    let req = "arn:aws:iam::123456789012:user/alice 3E57427F3EXAMPLE";
    let cases: Vec<Case> = vec![
        // The AWS documentation example (26 fields, access point, aclRequired, source region).
        (
            line(
                &format!(
                    "{OWNER} 3E57427F3EXAMPLE REST.GET.VERSIONING - \"GET /b1?versioning HTTP/1.1\" 200 - 113 - 7 -"
                ),
                &format!(
                    "\"-\" \"S3Console/0.4\" {TAIL} arn:aws:s3:us-west-1:123456789012:accesspoint/example-AP Yes us-east-1"
                ),
            ),
            None,
            Some("GET /b1?versioning HTTP/1.1"),
            Some(200),
            None,
            Some("S3Console/0.4"),
            Some("b1.s3.us-west-1.amazonaws.com"),
            27,
        ),
        // Old short line: stops after the version id.
        (
            line(
                &format!("{req} REST.GET.OBJECT a%20b.txt \"GET /b1/a%20b.txt HTTP/1.1\" 200 - 1 1 7 6"),
                "\"-\" \"aws-cli/1.0\" -",
            ),
            Some("a%20b.txt"),
            Some("GET /b1/a%20b.txt HTTP/1.1"),
            Some(200),
            None,
            Some("aws-cli/1.0"),
            None,
            18,
        ),
        // Shortest usable line: through the HTTP status.
        (
            format!(
                "{OWNER} b1 [06/Feb/2019:00:00:38 +0000] 192.0.2.3 - ID1 REST.HEAD.OBJECT k \"HEAD /k HTTP/1.1\" 404"
            ),
            Some("k"),
            Some("HEAD /k HTTP/1.1"),
            Some(404),
            None,
            None,
            None,
            10,
        ),
        // Extra trailing fields from a future format are ignored.
        (
            line(
                &format!("{req} REST.PUT.OBJECT k \"PUT /k HTTP/1.1\" 200 - - 5 9 8"),
                &format!("\"-\" \"ua\" {TAIL} - - us-east-1 future1 future2"),
            ),
            Some("k"),
            Some("PUT /k HTTP/1.1"),
            Some(200),
            None,
            Some("ua"),
            Some("b1.s3.us-west-1.amazonaws.com"),
            29,
        ),
        // BATCH.DELETE.OBJECT: URI, referer and user agent as bare dashes.
        (
            line(&format!("{req} BATCH.DELETE.OBJECT dir/x - 204 - - - - -"), &format!("- - {TAIL}")),
            Some("dir/x"),
            None,
            Some(204),
            None,
            None,
            Some("b1.s3.us-west-1.amazonaws.com"),
            24,
        ),
        // User agent starting with a stray quote (real: `""Mozilla/5.0 …"`).
        (
            line(
                &format!("{req} REST.GET.OBJECT k \"GET /k HTTP/1.1\" 200 - 12 174 205 35"),
                &format!("\"-\" \"\"Mozilla/5.0 (X11)\" {TAIL}"),
            ),
            Some("k"),
            Some("GET /k HTTP/1.1"),
            Some(200),
            None,
            Some("\"Mozilla/5.0 (X11)"),
            Some("b1.s3.us-west-1.amazonaws.com"),
            24,
        ),
        // Quotes inside the request URI and referer, `" "` inside the user agent.
        (
            line(
                &format!("{req} REST.GET.OBJECT k \"GET /k?f=\"a b\" \"c\" HTTP/1.1\" 403 AccessDenied 243 - 9 -"),
                &format!("\"https://x/\"y\"\" \"evil\" \"ua\" {TAIL}"),
            ),
            Some("k"),
            Some("GET /k?f=\"a b\" \"c\" HTTP/1.1"),
            Some(403),
            Some("https://x/\"y\""),
            Some("evil\" \"ua"),
            Some("b1.s3.us-west-1.amazonaws.com"),
            24,
        ),
        // A user agent forging the fields after it: the last fitting quote wins, the real host header stays.
        (
            line(
                &format!("{req} REST.GET.OBJECT k \"GET /k HTTP/1.1\" 200 - 1 1 1 1"),
                &format!(
                    "\"-\" \"x\" - h SigV4 c AuthHeader evil.vpce-0bad.s3.us-east-1.vpce.amazonaws.com TLSv1.3 \" {TAIL}"
                ),
            ),
            Some("k"),
            Some("GET /k HTTP/1.1"),
            Some(200),
            None,
            Some("x\" - h SigV4 c AuthHeader evil.vpce-0bad.s3.us-east-1.vpce.amazonaws.com TLSv1.3 "),
            Some("b1.s3.us-west-1.amazonaws.com"),
            24,
        ),
        // Tabs, doubled spaces, CRLF.
        (
            format!(
                "{OWNER}\tb1 [06/Feb/2019:00:00:38 +0000]  192.0.2.3  -\tID REST.GET.OBJECT k \"GET /k HTTP/1.1\" 200 - 1 1 1 1 \"-\" \"a\tb\" -\r\n"
            ),
            Some("k"),
            Some("GET /k HTTP/1.1"),
            Some(200),
            None,
            Some("a\tb"),
            None,
            18,
        ),
        // Lossy-converted invalid UTF-8 in the user agent.
        (
            line(
                &format!("{req} REST.GET.OBJECT k \"GET /k HTTP/1.1\" 200 - 1 1 1 1"),
                &format!("\"-\" \"bad\u{fffd}\u{fffd}\" {TAIL}"),
            ),
            Some("k"),
            Some("GET /k HTTP/1.1"),
            Some(200),
            None,
            Some("bad\u{fffd}\u{fffd}"),
            Some("b1.s3.us-west-1.amazonaws.com"),
            24,
        ),
    ];
    for (text, key, uri, status, referer, agent, host, fields) in &cases {
        let got = parse_line(text).unwrap_or_else(|e| panic!("{e}: {text}"));
        assert_eq!(got.bucket_owner, OWNER, "{text}");
        assert_eq!(got.bucket, "b1", "{text}");
        assert_eq!(got.time.to_rfc3339(), "2019-02-06T00:00:38Z", "{text}");
        assert_eq!(got.remote_ip, Some("192.0.2.3"), "{text}");
        assert_eq!(
            (got.key, got.request_uri, got.http_status, got.referer, got.user_agent, got.host_header, got.field_count),
            (*key, *uri, *status, *referer, *agent, *host, *fields),
            "{text}"
        );
        if host.is_some() {
            assert_eq!(got.signature_version, Some("SigV4"), "{text}");
            assert_eq!(got.tls_version, Some("TLSV1.2"), "{text}");
        }
    }
}

#[test]
fn named_fields_of_the_full_example() {
    let text = line(
        &format!("{OWNER} 3E57427F3EXAMPLE REST.GET.VERSIONING - \"GET /b1?versioning HTTP/1.1\" 200 - 113 - 7 -"),
        &format!(
            "\"-\" \"S3Console/0.4\" {TAIL} arn:aws:s3:us-west-1:123456789012:accesspoint/example-AP Yes us-east-1"
        ),
    );
    let l = parse_line(&text).expect("parses");
    assert_eq!(l.requester, Some(OWNER));
    assert_eq!(l.request_id, Some("3E57427F3EXAMPLE"));
    assert_eq!(l.operation, "REST.GET.VERSIONING");
    assert_eq!(
        (l.error_code, l.bytes_sent, l.object_size, l.total_time, l.turn_around_time),
        (None, Some(113), None, Some(7), None)
    );
    assert_eq!(l.version_id, None);
    assert_eq!(l.cipher_suite, Some("ECDHE-RSA-AES128-GCM-SHA256"));
    assert_eq!(l.authentication_type, Some("AuthHeader"));
    assert_eq!(l.access_point_arn, Some("arn:aws:s3:us-west-1:123456789012:accesspoint/example-AP"));
    assert_eq!((l.acl_required, l.source_region), (Some("Yes"), Some("us-east-1")));
    let text = line("- ID REST.GET.OBJECT a%20b%2Fc \"GET /a%20b%2Fc HTTP/1.1\" 200", "");
    let l = parse_line(&text).expect("parses");
    assert_eq!(l.key_decoded().as_deref(), Some("a b/c"));
}

#[test]
fn rejects_what_cannot_be_a_line() {
    let start = format!("{OWNER} b1 [06/Feb/2019:00:00:38 +0000] 192.0.2.3 - ID REST.GET.OBJECT k");
    let cases = [
        (String::new(), LineError::Empty),
        ("  \r\n".to_owned(), LineError::Empty),
        (OWNER.to_owned(), LineError::TooShort { fields: 1 }),
        (format!("{OWNER} b1 "), LineError::TooShort { fields: 2 }),
        (format!("{OWNER} b1 06/Feb/2019:00:00:38 +0000 x"), LineError::BadTime),
        (format!("{OWNER} b1 [32/Feb/2019:00:00:38 +0000] x"), LineError::BadTime),
        (format!("{OWNER} b1 [06/Feb/2019:00:00:38 +0000"), LineError::BadTime),
        (start.clone(), LineError::TooShort { fields: 8 }),
        (format!("{start} \"GET /k HTTP/1.1\""), LineError::TooShort { fields: 9 }),
        (format!("{start} \"GET /k HTTP/1.1"), LineError::UnterminatedQuote { field: "request URI" }),
        (format!("{start} \"GET /k HTTP/1.1\" OK"), LineError::BadStatus),
        (format!("{start} \"GET /k HTTP/1.1\" 200 - 12x"), LineError::BadNumber { field: "bytes sent" }),
        (
            format!("{start} \"GET /k HTTP/1.1\" 200 - 1 1 1 1 \"-\" \"unterminated"),
            LineError::UnterminatedQuote { field: "user agent" },
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(parse_line(&text), Err(expected), "{text}");
    }
}

#[test]
fn sniffs_access_logs() {
    let good = line("- ID REST.GET.OBJECT k \"GET /k HTTP/1.1\" 200", "");
    assert!(looks_like_access_log(good.as_bytes()));
    assert!(looks_like_access_log(&good.as_bytes()[..90]), "a truncated prefix is enough");
    assert!(looks_like_access_log(format!("\u{feff}{good}").as_bytes()));
    for bad in [
        "{\"Records\":[]}",
        "",
        "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be",
        "not-hex-9df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be b1 [06/Feb/2019:00:00:38 +0000]",
        "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be b1 2019-02-06T00:00:38Z",
    ] {
        assert!(!looks_like_access_log(bad.as_bytes()), "{bad}");
    }
}

proptest::proptest! {
    #[test]
    fn never_panics_on_arbitrary_text(s in "\\PC{0,300}") {
        let _ = parse_line(&s);
        let _ = looks_like_access_log(s.as_bytes());
    }

    #[test]
    fn never_panics_on_damaged_lines(cut in 0usize..400, insert in "[\" \\t\\[\\]-]{0,4}") {
        let base = line(
            "arn:aws:sts::1:assumed-role/R/s ID REST.GET.OBJECT k \"GET /k?a=\"b\" HTTP/1.1\" 200 - 1 1 1 1",
            &format!("\"-\" \"ua \"x\"\" {TAIL}"),
        );
        let at = (0..=cut.min(base.len())).rev().find(|i| base.is_char_boundary(*i)).unwrap_or(0);
        let damaged = format!("{}{insert}{}", &base[..at], &base[at..]);
        if let Ok(l) = parse_line(&damaged) {
            let _ = to_event(&l);
        }
    }
}
