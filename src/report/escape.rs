//! The copying loop the HTML and XML escapers share: most of what a report writes needs no
//! escaping at all, so text is looked at 32 bytes at a time and a clean run is copied whole;
//! only a run with a byte of interest is gone through byte by byte.

/// How many bytes are looked at together: a clean run of this length is copied as it is.
const RUN: usize = 32;

/// Whether `b` is one of the five characters markup escapes (`&`, `<`, `>`, `"`, `'`).
pub(crate) fn is_markup(b: u8) -> bool {
    matches!(b, b'&' | b'<' | b'>' | b'"' | b'\'')
}

/// The entity that stands for a markup character: the same in HTML and XML but for the
/// apostrophe's, which the caller gives (`&#39;` in HTML, `&apos;` in XML).
pub(crate) fn markup(b: u8, apostrophe: &'static str) -> Option<(&'static str, usize)> {
    let entity = match b {
        b'&' => "&amp;",
        b'<' => "&lt;",
        b'>' => "&gt;",
        b'"' => "&quot;",
        b'\'' => apostrophe,
        _ => return None,
    };
    Some((entity, 1))
}

/// `text`, appended to `out` (a page being written), with what `replace` says in place of
/// some of its bytes.
///
/// `special` says, cheaply and for any byte, whether `replace` must be asked about it; it may
/// say yes to bytes that `replace` then keeps. `replace(bytes, i)` gives the text that stands
/// in for the bytes from `i` and how many bytes it stands for, or `None` to keep the byte at
/// `i`. It must only ever stand in for whole characters, so that what is copied stays UTF-8.
pub(crate) fn replace_bytes_into(
    out: &mut String,
    text: &str,
    special: impl Fn(u8) -> bool,
    replace: impl Fn(&[u8], usize) -> Option<(&'static str, usize)>,
) {
    let bytes = text.as_bytes();
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        let end = (i + RUN).min(bytes.len());
        // Written without branches, so that the compiler checks the run's bytes side by side.
        if bytes[i..end].iter().fold(false, |any, &b| any | special(b)) {
            while i < end {
                match special(bytes[i]).then(|| replace(bytes, i)).flatten() {
                    Some((with, len)) => {
                        out.push_str(&text[copied..i]);
                        out.push_str(with);
                        i += len;
                        copied = i;
                    }
                    None => i += 1,
                }
            }
        }
        i = i.max(end);
    }
    out.push_str(&text[copied..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn angle_brackets(text: &str) -> String {
        let mut out = String::new();
        replace_bytes_into(
            &mut out,
            text,
            |b| (b == b'<') | (b == b'>') | (b == 0xc3),
            |bytes, i| match bytes[i] {
                b'<' => Some(("&lt;", 1)),
                b'>' => Some(("&gt;", 1)),
                // `ü` (0xc3 0xbc) goes; other two-byte letters after 0xc3 stay.
                0xc3 if bytes.get(i + 1) == Some(&0xbc) => Some(("u", 2)),
                _ => None,
            },
        );
        out
    }

    #[test]
    fn replacements_land_wherever_they_fall_in_a_run() {
        assert_eq!(angle_brackets(""), "");
        assert_eq!(angle_brackets("<>"), "&lt;&gt;");
        // Runs of 32 bytes: a clean one, then one with a byte of interest at its last place,
        // then a two-byte letter that straddles the end of a run.
        let clean = "a".repeat(RUN);
        let last = format!("{}<", "b".repeat(RUN - 1));
        let straddling = format!("{}ü{}é", "c".repeat(RUN - 1), "d".repeat(RUN));
        assert_eq!(
            angle_brackets(&format!("{clean}{last}{straddling}")),
            format!(
                "{clean}{}&lt;{}u{}é",
                "b".repeat(RUN - 1),
                "c".repeat(RUN - 1),
                "d".repeat(RUN)
            )
        );
    }

    #[test]
    fn a_special_byte_that_is_kept_is_copied() {
        assert_eq!(angle_brackets("Größe <über>"), "Größe &lt;uber&gt;");
    }
}
