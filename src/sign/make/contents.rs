//! The `/Contents` of a signature dictionary: the placeholder of zeros a revision is written
//! with, its byte range framed around it, the digest of what it covers, and the signature put
//! into it — shared by the service's own signatures and a party's deferred one.

use sha2::{Digest, Sha256};

use super::SignError;

/// The placeholder `/ByteRange`, as wide as any range it will hold.
pub(super) const PLACEHOLDER_RANGE: &str = "[0 0000000000 0000000000 0000000000]";

/// A revision that fills a field, its signature still to come.
#[derive(Debug, Clone)]
pub struct PreparedField {
    /// The file with the revision, `/Contents` all zeros.
    pub pdf: Vec<u8>,
    /// SHA-256 of every byte but the `/Contents` string: what the signature signs.
    pub digest: [u8; 32],
    /// Where the `/Contents` string's `<` is, and how many bytes it holds.
    pub contents_at: usize,
    pub room: usize,
}

/// Writes the byte range of the signature dictionary at `sig_start` and reads the digest of
/// the bytes it covers.
pub(super) fn frame(
    mut out: Vec<u8>,
    sig_start: usize,
    room: usize,
) -> Result<PreparedField, SignError> {
    let sig_obj = &out[sig_start..];
    let find = |needle: &[u8]| sig_obj.windows(needle.len()).position(|w| w == needle);
    let contents_at = sig_start
        + find(b"/Contents<").ok_or("internal: no /Contents placeholder")?
        + b"/Contents".len();
    let contents_end = contents_at + 2 + room * 2;
    let range_at =
        sig_start + find(PLACEHOLDER_RANGE.as_bytes()).ok_or("internal: no /ByteRange")?;
    let range = format!(
        "[0 {contents_at} {contents_end} {}]",
        out.len() - contents_end
    );
    let padded = format!("{range:<width$}", width = PLACEHOLDER_RANGE.len());
    out[range_at..range_at + padded.len()].copy_from_slice(padded.as_bytes());
    Ok(PreparedField {
        digest: digest_around(&out, contents_at, contents_end),
        pdf: out,
        contents_at,
        room,
    })
}

fn digest_around(pdf: &[u8], contents_at: usize, contents_end: usize) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(&pdf[..contents_at]);
    hasher.update(&pdf[contents_end..]);
    hasher.finalize().into()
}

/// The newest signature dictionary's `/Contents` string in a prepared file, if it is still
/// all zeros: where its `<` is and how many bytes it holds; and the digest it must sign.
pub fn placeholder(pdf: &[u8]) -> Result<(usize, usize, [u8; 32]), SignError> {
    let refused = |m: &str| SignError::Refused(m.to_string());
    let at = pdf
        .windows(b"/ByteRange[0 ".len())
        .rposition(|w| w == b"/ByteRange[0 ")
        .ok_or_else(|| refused("the file is not a prepared document: it has no byte range"))?;
    let rest = &pdf[at + b"/ByteRange[".len()..];
    let end = rest.iter().position(|&b| b == b']').unwrap_or(0);
    let nums: Vec<usize> = std::str::from_utf8(&rest[..end])
        .unwrap_or("")
        .split_whitespace()
        .filter_map(|n| n.parse().ok())
        .collect();
    let [0, a, b, c] = nums[..] else {
        return Err(refused("the prepared byte range cannot be read"));
    };
    if b <= a + 2
        || b.checked_add(c) != Some(pdf.len())
        || pdf.get(a) != Some(&b'<')
        || pdf.get(b - 1) != Some(&b'>')
    {
        return Err(refused(
            "the prepared byte range does not frame a signature's contents to the end of the file",
        ));
    }
    if pdf[a + 1..b - 1].iter().any(|&d| d != b'0') {
        return Err(refused("the prepared signature is filled already"));
    }
    Ok((a, (b - a - 2) / 2, digest_around(pdf, a, b)))
}

/// Puts `cms` (a detached CMS SignedData) into the zeros of a prepared file. The caller has
/// checked that it signs the file's digest.
pub fn embed(
    mut pdf: Vec<u8>,
    contents_at: usize,
    room: usize,
    cms: &[u8],
) -> Result<Vec<u8>, SignError> {
    if cms.len() > room {
        return Err(SignError::Refused(format!(
            "the signature is {} bytes; {room} were kept for it",
            cms.len()
        )));
    }
    let hex: String = cms.iter().map(|b| format!("{b:02X}")).collect();
    pdf[contents_at + 1..contents_at + 1 + hex.len()].copy_from_slice(hex.as_bytes());
    Ok(pdf)
}
