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
}
