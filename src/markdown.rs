//! GitHub-flavoured Markdown for pull-request comments: table cells that cannot break a table,
//! and fitting collapsible sections under GitHub's comment limit (the largest left out first).

/// GitHub's limit on a comment's body, in characters.
pub const COMMENT_LIMIT: usize = 65_536;
/// Room kept for the closing note.
const NOTE_ROOM: usize = 600;

/// Text safe inside a table cell: no pipes, no line breaks, no HTML, bounded.
pub fn cell(text: &str) -> String {
    let one_line: String = text
        .chars()
        .map(|c| if c == '\n' || c == '\r' { ' ' } else { c })
        .collect();
    let bounded: String = if one_line.chars().count() > 120 {
        one_line.chars().take(119).collect::<String>() + "…"
    } else {
        one_line
    };
    bounded
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('|', "\\|")
        .replace('`', "'")
}

/// `head`, then as many of `sections` (each named, for the note) as fit under the comment
/// limit, leaving out the largest first; a note at the end names what was left out and
/// `rerun` says how to see it.
pub fn fit(head: String, sections: &[(String, String)], rerun: &str) -> String {
    let size = |s: &str| s.chars().count();
    let budget = COMMENT_LIMIT - NOTE_ROOM;
    let mut out = head;
    if size(&out) > budget {
        // thousands of rows: even the table does not fit
        out = out.chars().take(budget).collect();
        if let Some(end) = out.rfind('\n') {
            out.truncate(end + 1);
        }
        out.push_str(&format!(
            "\n_The summary table was cut to stay under GitHub's 65,536-character comment limit; {rerun}._\n"
        ));
        return out;
    }
    let mut kept = vec![true; sections.len()];
    let mut total = size(&out) + sections.iter().map(|(_, s)| size(s)).sum::<usize>();
    let mut by_size: Vec<usize> = (0..sections.len()).collect();
    by_size.sort_by_key(|&i| std::cmp::Reverse(size(&sections[i].1)));
    for i in by_size {
        if total <= budget {
            break;
        }
        kept[i] = false;
        total -= size(&sections[i].1);
    }
    for ((_, s), k) in sections.iter().zip(&kept) {
        if *k {
            out.push_str(s);
        }
    }
    let left: Vec<&str> = sections
        .iter()
        .zip(&kept)
        .filter(|(_, k)| !**k)
        .map(|((name, _), _)| name.as_str())
        .collect();
    if !left.is_empty() {
        let mut note = format!(
            "_The details of {} section(s) were left out to stay under GitHub's 65,536-character comment limit (the largest first): ",
            left.len()
        );
        let mut shown = 0;
        for name in &left {
            if size(&note) + size(name) > NOTE_ROOM - 120 {
                break;
            }
            note.push_str(&format!(
                "{}{}",
                if shown > 0 { ", " } else { "" },
                cell(name)
            ));
            shown += 1;
        }
        if shown < left.len() {
            note.push_str(&format!(" and {} more", left.len() - shown));
        }
        note.push_str(&format!(". {rerun}._\n"));
        out.push_str(&note);
    }
    out
}
