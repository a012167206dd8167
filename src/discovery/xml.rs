//! Bounded XML parsing for everything porchlight reads from a device (UPnP descriptions, SOAP
//! replies).
//!
//! roxmltree has no nesting limit, and its parser recurses once per nested element: a 35 KB
//! description nested 5,000 deep overflows a worker's stack, which aborts the whole process (no
//! panic hook runs). So before any tree is built, [`parse`] walks the text once with a small
//! iterative scanner that tracks element depth (skipping comments, CDATA, processing instructions,
//! declarations and quoted attribute values, which may hold `<` or `/>`), and refuses anything
//! nested deeper than [`MAX_DEPTH`]. The scanner agrees with roxmltree on well-formed XML; where
//! the text is malformed, roxmltree stops at the first error, before it could nest deeper than the
//! scanner counted. DTDs are refused and the node count is capped as well.

use roxmltree::{Document, ParsingOptions};

use crate::sanitize::{DEFAULT_MAX_CHARS, clean};

/// The deepest element nesting accepted. Real UPnP descriptions nest about 8 deep, SOAP replies 4.
pub const MAX_DEPTH: usize = 64;

/// The most nodes (elements, text, attributes) one document may have.
pub const MAX_NODES: u32 = 100_000;

/// Parses `text` as XML after checking that its elements nest at most [`MAX_DEPTH`] deep. No DTD,
/// at most [`MAX_NODES`] nodes.
///
/// # Errors
/// One line: the nesting is too deep, or the text is not XML (roxmltree's reason, cleaned).
pub fn parse(text: &str) -> Result<Document<'_>, String> {
    check_depth(text, MAX_DEPTH)?;
    let options = ParsingOptions {
        allow_dtd: false,
        nodes_limit: MAX_NODES,
    };
    Document::parse_with_options(text, options)
        .map_err(|e| clean(&format!("not valid XML: {e}"), DEFAULT_MAX_CHARS))
}

/// Checks that the elements of `text` nest at most `max` deep, without building anything.
///
/// # Errors
/// `elements nested more than 64 deep` (with the limit) when they nest deeper.
pub fn check_depth(text: &str, max: usize) -> Result<(), String> {
    let deepest = max_depth(text.as_bytes(), max + 1);
    if deepest > max {
        return Err(format!("refused: XML elements nested more than {max} deep"));
    }
    Ok(())
}

/// The deepest element nesting of `xml`, counting no further than `stop`.
fn max_depth(xml: &[u8], stop: usize) -> usize {
    let mut depth = 0usize;
    let mut deepest = 0usize;
    let mut i = 0usize;
    while let Some(offset) = xml[i..].iter().position(|&b| b == b'<') {
        i += offset + 1;
        let rest = &xml[i..];
        if rest.starts_with(b"!--") {
            i = skip_past(xml, i + 3, b"-->");
        } else if rest.starts_with(b"![CDATA[") {
            i = skip_past(xml, i + 8, b"]]>");
        } else if rest.starts_with(b"?") {
            i = skip_past(xml, i + 1, b"?>");
        } else if rest.starts_with(b"!") {
            // A declaration (DOCTYPE): roxmltree refuses DTDs; skip to its end, brackets and all.
            i = skip_declaration(xml, i + 1);
        } else if rest.starts_with(b"/") {
            depth = depth.saturating_sub(1);
            i = skip_tag(xml, i + 1).0;
        } else {
            let (end, self_closing) = skip_tag(xml, i);
            i = end;
            if !self_closing {
                depth += 1;
                deepest = deepest.max(depth);
                if deepest >= stop {
                    return deepest;
                }
            }
        }
        if i >= xml.len() {
            break;
        }
    }
    deepest
}

/// The index just past the first `end` at or after `from` (the length of `xml` when none).
fn skip_past(xml: &[u8], from: usize, end: &[u8]) -> usize {
    let from = from.min(xml.len());
    xml[from..]
        .windows(end.len())
        .position(|w| w == end)
        .map_or(xml.len(), |p| from + p + end.len())
}

/// The index just past the `>` ending a tag that starts at `from` (after the `<`), skipping quoted
/// attribute values, and whether the tag closes itself (`/>`).
fn skip_tag(xml: &[u8], from: usize) -> (usize, bool) {
    let mut quote: Option<u8> = None;
    let mut previous = 0u8;
    let mut i = from;
    while i < xml.len() {
        let b = xml[i];
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if b == b'"' || b == b'\'' => quote = Some(b),
            None if b == b'>' => return (i + 1, previous == b'/'),
            None => {}
        }
        previous = b;
        i += 1;
    }
    (xml.len(), false)
}

/// The index just past a `<!...>` declaration starting at `from`, with its `[...]` internal
/// subset and quoted strings.
fn skip_declaration(xml: &[u8], from: usize) -> usize {
    let mut quote: Option<u8> = None;
    let mut brackets = 0usize;
    let mut i = from;
    while i < xml.len() {
        let b = xml[i];
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if b == b'"' || b == b'\'' => quote = Some(b),
            None if b == b'[' => brackets += 1,
            None if b == b']' => brackets = brackets.saturating_sub(1),
            None if b == b'>' && brackets == 0 => return i + 1,
            None => {}
        }
        i += 1;
    }
    xml.len()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly
mod tests {
    use super::*;

    fn nested(depth: usize) -> String {
        format!("{}{}", "<a>".repeat(depth), "</a>".repeat(depth))
    }

    #[test]
    fn depth_is_counted_like_the_parser_nests() {
        assert_eq!(max_depth(b"<root><a/><b x='/>'><c></c></b></root>", 99), 3);
        assert_eq!(
            max_depth(b"<?xml version='1.0'?><r><!-- <a><b><c> --></r>", 99),
            1
        );
        assert_eq!(max_depth(b"<r><![CDATA[<a><b><c>]]></r>", 99), 1);
        assert_eq!(max_depth(b"<r a=\"x>y\"><s></s></r>", 99), 2);
        assert_eq!(max_depth(nested(10).as_bytes(), 99), 10);
        assert_eq!(max_depth(b"", 99), 0);
        assert_eq!(max_depth(b"<", 99), 1);
    }

    #[test]
    fn a_description_nested_5000_deep_is_refused_before_parsing() {
        let xml = format!("<root>{}</root>", nested(5000));
        assert!(xml.len() < 40_000);
        let e = parse(&xml).unwrap_err();
        assert_eq!(e, "refused: XML elements nested more than 64 deep");
        // Opened and never closed: refused too.
        let e = parse(&"<a>".repeat(100_000)).unwrap_err();
        assert!(e.contains("nested more than 64"), "{e}");
    }

    #[test]
    fn documents_up_to_the_limit_parse() {
        let xml = nested(MAX_DEPTH);
        let doc = parse(&xml).unwrap();
        assert_eq!(doc.descendants().filter(|n| n.is_element()).count(), 64);
        assert!(parse(&nested(MAX_DEPTH + 1)).is_err());
    }

    #[test]
    fn a_dtd_is_refused() {
        let e = parse("<!DOCTYPE r [<!ENTITY a 'aaaa'>]><r>&a;</r>").unwrap_err();
        assert!(e.starts_with("not valid XML"), "{e}");
    }
}
