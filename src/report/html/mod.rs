//! The `report` page: one self-contained HTML file (inline CSS, hand-built SVG charts, one small inline script
//! for the copy buttons; nothing from the network), laid out by an askama template (`templates/report.html`).
//!
//! Safety: every value reaches the page through the template, and the template escapes every value through
//! [`HtmlEscaper`] (HTML specials, control and bidi characters: [`crate::report::escape::write_html`]), in text
//! and in attributes alike, SVG included. The only unescaped insertions are the two constants [`STYLE`] and
//! [`SCRIPT`]; a Content-Security-Policy allows exactly those two by hash, so even markup that slipped through
//! could neither run a script nor load anything.
//!
//! - [`view`]: the page's content from the analyzers' reports.
//! - [`chart`]: the geometry of the stacked bar charts.

pub mod chart;
pub mod view;

use std::fmt;

use askama::Template;

pub use view::{Inputs, MAX_BARS, MAX_ROWS, Page, ProposalInput};

/// The page's style sheet (inline; allowed by [`STYLE_HASH`]).
pub const STYLE: &str = include_str!("style.css");
/// The copy buttons' script (inline; allowed by [`SCRIPT_HASH`]). It reads element ids made by the page, never
/// log content, and reaches nothing outside the page.
pub const SCRIPT: &str = include_str!("copy.js");
/// `sha256-…` of [`STYLE`] (a unit test recomputes it: update it when the style changes).
pub const STYLE_HASH: &str = "sha256-dhUcx6fNtGAqQ82Td2uHIJLxvJymGHH2H+7XW/ugpJE=";
/// `sha256-…` of [`SCRIPT`].
pub const SCRIPT_HASH: &str = "sha256-4Rwcz1wSHuUxB1It/jo3WaxleQOgUtnsuYAlTLLLM24=";

/// The page's Content-Security-Policy: nothing from anywhere, except the inline style and script above.
pub fn content_security_policy() -> String {
    format!(
        "default-src 'none'; style-src '{STYLE_HASH}'; script-src '{SCRIPT_HASH}'; img-src 'none'; \
         base-uri 'none'; form-action 'none'"
    )
}

/// The escaper of every value in the page's templates (askama's `[[escaper]]` for `.html`, see `askama.toml`).
#[derive(Debug, Clone, Copy, Default)]
pub struct HtmlEscaper;

impl askama::filters::Escaper for HtmlEscaper {
    fn write_escaped_str<W: fmt::Write>(&self, dest: W, string: &str) -> fmt::Result {
        crate::report::escape::write_html(dest, string)
    }
}

#[derive(Template)]
#[template(path = "report.html", config = "src/report/html/askama.toml")]
struct ReportTemplate<'a> {
    page: &'a Page,
    csp: String,
    style: &'static str,
    script: &'static str,
}

/// The line that says where the page went and what it holds.
pub fn write_written(
    out: &mut crate::report::Human<impl std::io::Write>,
    page: &Page,
    path: &std::path::Path,
) -> std::io::Result<()> {
    writeln!(
        out,
        "wrote {} ({} endpoints, {} denied requests, {} findings, {} proposals)",
        path.display(),
        page.endpoints.len(),
        page.denied_requests,
        page.findings.len(),
        page.proposals.len()
    )
}

/// Renders the page.
pub fn render(page: &Page) -> Result<String, askama::Error> {
    ReportTemplate { page, csp: content_security_policy(), style: STYLE, script: SCRIPT }.render()
}

#[cfg(test)]
mod tests {
    use sha2::{Digest, Sha256};

    use super::*;

    fn base64(bytes: &[u8]) -> String {
        const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
            for i in 0..4 {
                if i <= chunk.len() {
                    out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
                } else {
                    out.push('=');
                }
            }
        }
        out
    }

    #[test]
    fn the_policy_hashes_match_the_inline_style_and_script() {
        for (text, hash) in [(STYLE, STYLE_HASH), (SCRIPT, SCRIPT_HASH)] {
            let want = format!("sha256-{}", base64(&Sha256::digest(text.as_bytes())));
            assert_eq!(hash, want, "update the constant");
        }
        assert_eq!(base64(b"ab"), "YWI=");
    }

    /// The template inserts nothing unescaped but the style and the script, and no value in a `<script>` or
    /// `<style>` element or an event handler.
    #[test]
    fn the_template_escapes_everything_else() {
        let template = include_str!("templates/report.html");
        assert_eq!(template.matches("|safe").count(), 2);
        assert!(template.contains("<style>{{ style|safe }}</style>"));
        assert!(template.contains("<script>{{ script|safe }}</script>"));
        assert_eq!(template.matches("<script").count(), 1);
        assert_eq!(template.matches("<style").count(), 1);
        for (at, _) in template.match_indices(" on") {
            let name: String = template[at + 3..].chars().take_while(char::is_ascii_alphabetic).collect();
            assert!(!template[at + 3 + name.len()..].starts_with('='), "an inline handler: on{name}=");
        }
        assert!(!template.contains("style=\""), "no style attributes: the policy allows none");
        assert!(!template.contains("href=\"{{"), "no link target from a value");
    }
}
