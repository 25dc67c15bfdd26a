//! `multipart/form-data` (RFC 7578), read from a body already held whole and within its limit:
//! a few named parts, each header block short, nothing streamed to disk.

use crate::error::Error;

/// The most parts one body may have.
const MAX_PARTS: usize = 8;
/// The longest header block of a part.
const MAX_HEADER_BYTES: usize = 4096;

/// One part: its field name and its bytes.
#[derive(Debug)]
pub struct Part<'a> {
    pub name: String,
    pub body: &'a [u8],
}

fn bad(message: impl Into<String>) -> Error {
    Error::BadRequest(message.into())
}

/// The boundary of a `multipart/form-data` content type.
pub fn boundary(content_type: &str) -> Result<String, Error> {
    let mut params = content_type.split(';');
    let mime = params.next().unwrap_or("").trim();
    if !mime.eq_ignore_ascii_case("multipart/form-data") {
        return Err(bad(format!(
            "the body must be multipart/form-data (Content-Type is \"{}\")",
            crate::error::bounded(content_type.to_string(), 80)
        )));
    }
    let b = params
        .filter_map(|p| p.split_once('='))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("boundary"))
        .map(|(_, v)| v.trim().trim_matches('"').to_string())
        .ok_or_else(|| bad("the multipart/form-data Content-Type has no boundary"))?;
    if b.is_empty() || b.len() > 70 {
        return Err(bad("the multipart boundary must be 1 to 70 characters"));
    }
    Ok(b)
}

/// The parts of `body`, in order.
pub fn parse<'a>(content_type: &str, body: &'a [u8]) -> Result<Vec<Part<'a>>, Error> {
    let delimiter = format!("--{}", boundary(content_type)?);
    let finder = memchr::memmem::Finder::new(delimiter.as_bytes());
    let next_delimiter = format!("\r\n{delimiter}");
    let next = memchr::memmem::Finder::new(next_delimiter.as_bytes());
    let start = finder
        .find(body)
        .ok_or_else(|| bad("the multipart body has no part (its boundary was not found)"))?;
    let mut at = start + delimiter.len();
    let mut parts = Vec::new();
    loop {
        let rest = &body[at..];
        if rest.starts_with(b"--") {
            return Ok(parts);
        }
        let rest = rest.strip_prefix(b"\r\n").ok_or_else(|| {
            bad("the multipart body is malformed: a boundary is not followed by a line break")
        })?;
        if parts.len() == MAX_PARTS {
            return Err(bad(format!(
                "the multipart body has more than {MAX_PARTS} parts"
            )));
        }
        let head_end =
            memchr::memmem::find(&rest[..rest.len().min(MAX_HEADER_BYTES + 4)], b"\r\n\r\n")
                .ok_or_else(|| {
                    bad(format!(
                        "a part's headers are not ended within {MAX_HEADER_BYTES} bytes"
                    ))
                })?;
        let head = std::str::from_utf8(&rest[..head_end])
            .map_err(|_| bad("a part's headers are not UTF-8"))?;
        let content = &rest[head_end + 4..];
        let len = next
            .find(content)
            .ok_or_else(|| bad("the multipart body is not closed by its final boundary"))?;
        parts.push(Part {
            name: disposition(head)?,
            body: &content[..len],
        });
        at = body.len() - content.len() + len + next_delimiter.len();
    }
}

/// The parts of `body` named in `names`, in that order, each sent at most once; a part of
/// another name is refused, naming the ones taken.
pub fn named<'a, const N: usize>(
    content_type: &str,
    body: &'a [u8],
    names: [&str; N],
) -> Result<[Option<&'a [u8]>; N], Error> {
    let mut out = [None; N];
    for p in parse(content_type, body)? {
        let Some(i) = names.iter().position(|n| *n == p.name) else {
            return Err(bad(format!(
                "the part \"{}\" is not one of {}",
                crate::error::bounded(p.name, 40),
                names.join(", ")
            )));
        };
        if out[i].replace(p.body).is_some() {
            return Err(bad(format!("the part \"{}\" is sent twice", p.name)));
        }
    }
    Ok(out)
}

/// The `name` of a part's `Content-Disposition: form-data`.
fn disposition(head: &str) -> Result<String, Error> {
    let line = head
        .split("\r\n")
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim()
                .eq_ignore_ascii_case("content-disposition")
                .then_some(v)
        })
        .ok_or_else(|| bad("a part has no Content-Disposition header"))?;
    line.split(';')
        .skip(1)
        .filter_map(|p| p.split_once('='))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("name"))
        .map(|(_, v)| v.trim().trim_matches('"').to_string())
        .ok_or_else(|| bad("a part's Content-Disposition has no name"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_are_read_with_their_names() {
        let body = b"preamble\r\n--XyZ\r\nContent-Disposition: form-data; name=\"data\"\r\n\r\n{\"a\":1}\r\n--XyZ\r\nContent-Disposition: form-data; name=\"template\"; filename=\"t.docx\"\r\nContent-Type: application/octet-stream\r\n\r\nPK\r\n--X\r\n--XyZ--\r\n";
        let parts = parse("multipart/form-data; boundary=XyZ", body).unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].name, "data");
        assert_eq!(parts[0].body, b"{\"a\":1}");
        assert_eq!(parts[1].name, "template");
        assert_eq!(parts[1].body, b"PK\r\n--X");
    }

    #[test]
    fn malformed_bodies_are_refused() {
        let ct = "multipart/form-data; boundary=b";
        assert!(parse("application/json", b"").is_err());
        assert!(parse(ct, b"no boundary").is_err());
        assert!(parse(
            ct,
            b"--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\nunclosed"
        )
        .is_err());
        let many: String = (0..20)
            .map(|i| format!("--b\r\nContent-Disposition: form-data; name=\"p{i}\"\r\n\r\nx\r\n"))
            .collect::<String>()
            + "--b--";
        assert!(parse(ct, many.as_bytes()).is_err());
    }
}
