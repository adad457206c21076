//! Knowledge articles: a Markdown file with TOML front matter between `+++` lines.

use pulldown_cmark::{Event, Parser, Tag, TagEnd};

/// The front matter and body of an article file, with the line the front
/// matter starts on (0-based offset for error lines).
#[derive(Debug)]
pub(crate) struct SplitArticle<'a> {
    pub front_matter: &'a str,
    pub front_matter_line_offset: u32,
    pub body: &'a str,
}

/// Splits `+++\n<toml>\n+++\n<body>`; the error says what is missing.
pub(crate) fn split_front_matter(text: &str) -> Result<SplitArticle<'_>, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut skipped_lines = 0u32;
    let mut rest = text;
    // Blank lines before the opening +++ are tolerated.
    loop {
        let (line, after) = rest.split_once('\n').unwrap_or((rest, ""));
        if line.trim().is_empty() && !after.is_empty() {
            skipped_lines += 1;
            rest = after;
        } else {
            break;
        }
    }
    let first = rest.split_once('\n').map(|(l, _)| l).unwrap_or(rest);
    if first.trim_end() != "+++" {
        return Err("the article does not start with front matter; begin the file with a line '+++', then TOML with at least id and title, then another '+++'".to_string());
    }
    let after_open = &rest[first.len() + 1.min(rest.len() - first.len())..];
    let mut offset = 0;
    for line in after_open.split_inclusive('\n') {
        if line.trim_end() == "+++" {
            let front_matter = &after_open[..offset];
            let body = &after_open[offset + line.len()..];
            return Ok(SplitArticle { front_matter, front_matter_line_offset: skipped_lines + 1, body });
        }
        offset += line.len();
    }
    Err("the front matter is not closed; add a line '+++' after it".to_string())
}

/// The plain text of a Markdown body: paragraphs, headings and list items
/// become paragraphs separated by blank lines; code spans keep their text;
/// raw HTML is dropped, since it is markup, not words for residents.
pub(crate) fn markdown_to_text(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    let mut in_html_block = false;
    for event in Parser::new(markdown) {
        match event {
            Event::Text(t) if !in_html_block => out.push_str(&t),
            Event::Code(t) => out.push_str(&t),
            Event::SoftBreak => out.push(' '),
            Event::HardBreak => out.push('\n'),
            Event::Start(Tag::HtmlBlock) => in_html_block = true,
            Event::End(TagEnd::HtmlBlock) => in_html_block = false,
            Event::Start(Tag::Item) => end_block(&mut out),
            Event::End(
                TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item | TagEnd::CodeBlock | TagEnd::TableRow,
            ) => end_block(&mut out),
            Event::End(TagEnd::TableCell) => out.push(' '),
            _ => {}
        }
    }
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
    out
}

fn end_block(out: &mut String) {
    let trimmed = out.trim_end_matches([' ', '\n']).len();
    out.truncate(trimmed);
    if !out.is_empty() {
        out.push_str("\n\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_front_matter() {
        let s = split_front_matter("+++\nid = \"a\"\n+++\nBody\n").unwrap();
        assert_eq!(s.front_matter, "id = \"a\"\n");
        assert_eq!(s.body, "Body\n");
        assert_eq!(s.front_matter_line_offset, 1);
        let s = split_front_matter("\u{feff}\n\n+++\r\nid = \"a\"\r\n+++\r\n").unwrap();
        assert_eq!(s.front_matter_line_offset, 3);
        assert_eq!(s.body, "");
        assert!(split_front_matter("").unwrap_err().contains("does not start"));
        assert!(split_front_matter("# Title").unwrap_err().contains("does not start"));
        assert!(split_front_matter("+++\nid = 1\n").unwrap_err().contains("not closed"));
        assert!(split_front_matter("+++").unwrap_err().contains("not closed"));
    }

    #[test]
    fn markdown_becomes_paragraphs() {
        let md = "# Report a pothole\n\nCrews fill **most** potholes\nwithin three days.\n\n- Call 311\n- Use the app\n\n<div>markup</div>\n\nPasted `<script>x</script>` stays text. Año nuevo.";
        let text = markdown_to_text(md);
        assert_eq!(
            text,
            "Report a pothole\n\nCrews fill most potholes within three days.\n\nCall 311\n\nUse the app\n\nPasted <script>x</script> stays text. Año nuevo."
        );
        assert_eq!(markdown_to_text(""), "");
    }
}
