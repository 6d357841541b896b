//! Terminal escaping: log content is written by whoever made the request, so control characters (which can
//! move the cursor, recolour or retitle a terminal) and bidirectional overrides (which can reorder what a
//! reader sees) are shown as visible escapes instead of being interpreted.

use std::borrow::Cow;

/// Returns `text` with control and bidi-control characters replaced by `\u{..}` escapes (`\t` stays).
pub fn escape_terminal(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if needs_escape(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Returns JSON text with the characters [`escape_terminal`] would escape written as JSON `\uXXXX` escapes
/// instead, newlines excepted: the same JSON value, safe to show on a terminal. (serde_json escapes C0
/// controls in strings itself, but writes DEL, C1 controls and bidi overrides raw.)
pub fn escape_json_text(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| c != '\n' && needs_escape(c)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c != '\n' && needs_escape(c) {
            // Every character escaped is in the Basic Multilingual Plane: one `\uXXXX` each.
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Returns a CSV string cell safe to open in a spreadsheet and to print on a terminal: control and bidi
/// characters escaped as by [`escape_terminal`] (so a cell is never more than one line), and a cell that a
/// spreadsheet would read as a formula (first character `=`, `+`, `-`, `@`, tab or carriage return) prefixed
/// with `'` (OWASP's rule for CSV injection). Only string cells come here: numbers stay numbers.
pub fn escape_csv_cell(text: &str) -> Cow<'_, str> {
    let escaped = escape_terminal(text);
    if !escaped.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        return escaped;
    }
    Cow::Owned(format!("'{escaped}"))
}

/// Writes `text` as HTML text or attribute value: `&`, `<`, `>`, `"` and `'` as character references, and the
/// characters [`escape_terminal`] escapes (controls, bidi overrides and isolates) as the same visible `\u{..}`
/// text, newlines excepted (harmless in HTML, and the policy documents need them). The HTML chokepoint: the
/// report's templates write every value through it (`report::html::HtmlEscaper`).
pub fn write_html(mut dest: impl std::fmt::Write, text: &str) -> std::fmt::Result {
    let mut plain = 0;
    for (at, c) in text.char_indices() {
        let replacement = match c {
            '&' => "&amp;",
            '<' => "&lt;",
            '>' => "&gt;",
            '"' => "&quot;",
            '\'' => "&#39;",
            c if c != '\n' && needs_escape(c) => "",
            _ => continue,
        };
        dest.write_str(&text[plain..at])?;
        if replacement.is_empty() {
            write!(dest, "\\u{{{:x}}}", c as u32)?;
        } else {
            dest.write_str(replacement)?;
        }
        plain = at + c.len_utf8();
    }
    dest.write_str(&text[plain..])
}

fn needs_escape(c: char) -> bool {
    (c.is_control() && c != '\t')
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{061c}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_controls_and_bidi() {
        let cases = [
            ("plain text", "plain text"),
            ("tab\tok", "tab\tok"),
            ("\x1b[31mred\x1b[0m", "\\u{1b}[31mred\\u{1b}[0m"),
            ("bell\x07", "bell\\u{7}"),
            ("new\nline\r", "new\\u{a}line\\u{d}"),
            ("nul\0", "nul\\u{0}"),
            ("c1\u{9b}x", "c1\\u{9b}x"),
            ("abc\u{202e}fed", "abc\\u{202e}fed"),
            ("iso\u{2066}late", "iso\\u{2066}late"),
            ("ünïcödé ok", "ünïcödé ok"),
        ];
        for (input, expected) in cases {
            assert_eq!(escape_terminal(input), expected, "{input:?}");
        }
    }

    #[test]
    fn html_is_text_only() {
        let cases = [
            ("plain", "plain"),
            ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
            ("\"onload=alert(1) x='", "&quot;onload=alert(1) x=&#39;"),
            ("</style><b>", "&lt;/style&gt;&lt;b&gt;"),
            ("a&amp;b", "a&amp;amp;b"),
            ("javascript:alert(1)", "javascript:alert(1)"),
            ("txt.\u{202e}exe", "txt.\\u{202e}exe"),
            ("iso\u{2066}late\u{2069}", "iso\\u{2066}late\\u{2069}"),
            ("lrm\u{200e}alm\u{61c}", "lrm\\u{200e}alm\\u{61c}"),
            ("\x1b[2J\x07\r\0", "\\u{1b}[2J\\u{7}\\u{d}\\u{0}"),
            ("two\nlines\tand tab", "two\nlines\tand tab"),
            ("ünïcödé", "ünïcödé"),
        ];
        for (input, expected) in cases {
            let mut out = String::new();
            write_html(&mut out, input).unwrap();
            assert_eq!(out, expected, "{input:?}");
        }
    }

    proptest::proptest! {
        /// Whatever the text, the output holds no markup character and no control or bidi character but newline
        /// and tab.
        #[test]
        fn html_output_holds_no_markup(text in "\\PC{0,40}|[<>&\"'\u{202a}-\u{202e}\u{2066}-\u{2069}\x00-\x1f]{0,20}") {
            let mut out = String::new();
            write_html(&mut out, &text).unwrap();
            proptest::prop_assert!(!out.contains(['<', '>', '"', '\'']), "{}", out);
            proptest::prop_assert!(!out.chars().any(|c| c != '\n' && c != '\t' && needs_escape(c)), "{:?}", out);
        }
    }

    #[test]
    fn csv_cells_are_never_formulas_nor_controls() {
        let cases = [
            ("plain", "plain"),
            ("arn:aws:iam::111122223333:role/App", "arn:aws:iam::111122223333:role/App"),
            ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
            ("=1+1", "'=1+1"),
            ("+1", "'+1"),
            ("-2", "'-2"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\t=1", "'\t=1"),
            ("\r=1", "\\u{d}=1"),
            ("a=1", "a=1"),
            ("", ""),
            ("x\x1b[2J", "x\\u{1b}[2J"),
            ("two\nlines", "two\\u{a}lines"),
            ("txt.\u{202e}exe", "txt.\\u{202e}exe"),
            ("'quoted", "'quoted"),
        ];
        for (input, expected) in cases {
            assert_eq!(escape_csv_cell(input), expected, "{input:?}");
        }
    }

    #[test]
    fn json_text_keeps_its_value() {
        let value = serde_json::json!({"k": "a\u{1b}b\u{7f}c\u{9b}d\u{202e}e\nf\tg", "plain": "ünï"});
        let text = serde_json::to_string_pretty(&value).unwrap();
        let escaped = escape_json_text(&text);
        assert!(!escaped.chars().any(|c| c != '\n' && needs_escape(c)), "{escaped}");
        assert!(escaped.contains("\\u007f") && escaped.contains("\\u009b") && escaped.contains("\\u202e"));
        assert_eq!(serde_json::from_str::<serde_json::Value>(&escaped).unwrap(), value);
        assert!(matches!(escape_json_text("{\n  \"a\": 1\n}"), Cow::Borrowed(_)));
    }
}
