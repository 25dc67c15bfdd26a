//! Images from payloads, checked all the way before any byte of them reaches a file: the
//! whole image is decoded (a header that promises one thing and data that hold another is
//! refused), its decoded size is held to the pixel budgets — one image's and the whole
//! payload's — before any pixel is allocated, with the request's deadline checked before
//! each image, and what goes into documents is rebuilt from the pixels: a PNG re-encoded
//! losslessly, a JPEG encoded again (quality 92). No byte a caller sent — no comment, EXIF,
//! ICC profile, table or segment — lands verbatim in a file (or inside a signed range).

use std::cell::RefCell;
use std::collections::HashMap;
use std::io::Cursor;

use base64::Engine as _;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageFormat {
    Png,
    Jpeg,
}

/// A decoded, checked image. The bytes are shared: a logo drawn on every page or a
/// signature laid out more than once is never copied.
#[derive(Debug, Clone, PartialEq)]
pub struct ImageData {
    pub format: ImageFormat,
    pub bytes: std::sync::Arc<Vec<u8>>,
    pub width_px: u32,
    pub height_px: u32,
}

impl ImageData {
    /// A PNG the service itself holds, decoded and checked when it was loaded (the seal).
    pub fn png(bytes: std::sync::Arc<Vec<u8>>, (width_px, height_px): (u32, u32)) -> Self {
        ImageData {
            format: ImageFormat::Png,
            bytes,
            width_px,
            height_px,
        }
    }

    /// Decodes a `data:image/png;base64,…` or `data:image/jpeg;base64,…` URI and checks the
    /// image whole under the pixel budget ([`crate::image`]): what is kept is the rebuilt
    /// image, never the bytes as sent. Any other content is rejected with a reason. Within a
    /// [`remember`] scope (one request) an image is decoded once: the same logo in validation
    /// and layout is not decoded again.
    pub fn from_data_uri(uri: &str, max_pixels: u64) -> Result<ImageData, String> {
        use sha2::Digest;
        let key: [u8; 32] = sha2::Sha256::digest(uri.as_bytes()).into();
        if let Some(img) = STORE.with(|s| {
            s.borrow()
                .as_ref()
                .and_then(|m| m.get(&(key, max_pixels)).cloned())
        }) {
            return Ok(img);
        }
        let img = Self::decode(uri, max_pixels)?;
        STORE.with(|s| {
            if let Some(m) = s.borrow_mut().as_mut() {
                m.insert((key, max_pixels), img.clone());
            }
        });
        Ok(img)
    }

    fn decode(uri: &str, max_pixels: u64) -> Result<ImageData, String> {
        let rest = uri
            .strip_prefix("data:")
            .ok_or("must be a data: URI (data:image/png;base64,...)")?;
        let (head, data) = rest
            .split_once(',')
            .ok_or("must be a data: URI with a comma before the data")?;
        let head = head.to_ascii_lowercase();
        let Some(mime) = head.strip_suffix(";base64") else {
            return Err("must be base64-encoded (data:image/png;base64,...)".into());
        };
        let clean: String = data.chars().filter(|c| !c.is_ascii_whitespace()).collect();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(clean.as_bytes())
            .map_err(|e| format!("has invalid base64 data: {e}"))?;
        let (format, checked) = match mime {
            "image/png" => (ImageFormat::Png, png(&bytes, max_pixels)?),
            "image/jpeg" | "image/jpg" => (ImageFormat::Jpeg, jpeg(&bytes, max_pixels)?),
            other => return Err(format!("must be a PNG or JPEG image, not {other}")),
        };
        Ok(ImageData {
            format,
            bytes: checked.bytes.into(),
            width_px: checked.width,
            height_px: checked.height,
        })
    }
}

/// The images decoded in the request this thread is serving, by their URI's SHA-256 and the
/// pixel cap they were checked under: open only inside [`remember`].
type Store = HashMap<([u8; 32], u64), ImageData>;

thread_local! {
    static STORE: RefCell<Option<Store>> = const { RefCell::new(None) };
}

/// Keeps the images decoded on this thread until dropped (one request: its validation and
/// its layout). Inside another scope it keeps that one's.
pub struct Remember(bool);

impl Drop for Remember {
    fn drop(&mut self) {
        if self.0 {
            STORE.with(|s| *s.borrow_mut() = None);
        }
    }
}

/// Opens a scope in which each image is decoded once.
pub fn remember() -> Remember {
    STORE.with(|s| {
        let mut s = s.borrow_mut();
        if s.is_some() {
            Remember(false)
        } else {
            *s = Some(Store::new());
            Remember(true)
        }
    })
}

/// A checked image: the bytes to embed and the size in pixels.
#[derive(Debug, Clone)]
pub struct Checked {
    pub bytes: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

/// The size is usable and within one image's budget and what is left of the payload's,
/// which it then spends; the request's deadline has not passed.
fn within(w: u32, h: u32, max_pixels: u64) -> Result<(), String> {
    if w == 0 || h == 0 || w > 8000 || h > 8000 {
        return Err(format!("has an unusable size {w}×{h} pixels"));
    }
    let pixels = u64::from(w) * u64::from(h);
    if pixels > max_pixels {
        return Err(format!(
            "is {w}×{h} = {pixels} pixels; images are limited to {max_pixels} pixels (COLLABDOCS_MAX_IMAGE_PIXELS)"
        ));
    }
    crate::budget::spend_pixels(pixels)
}

/// The quality JPEGs are encoded again at.
const JPEG_QUALITY: u8 = 92;

/// Decodes a PNG under the pixel budget and encodes its pixels again (8 bits per channel,
/// no ancillary chunks): nothing but the picture is kept.
pub fn png(bytes: &[u8], max_pixels: u64) -> Result<Checked, String> {
    let unreadable = |e: png::DecodingError| format!("is not a readable PNG image ({e})");
    let mut decoder = png::Decoder::new(Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let header = decoder.read_header_info().map_err(unreadable)?;
    let (width, height) = (header.width, header.height);
    within(width, height, max_pixels)?;
    let mut reader = decoder.read_info().map_err(unreadable)?;
    let size = reader
        .output_buffer_size()
        .ok_or("is not a readable PNG image (too large)")?;
    let mut pixels = vec![0; size];
    let frame = reader.next_frame(&mut pixels).map_err(unreadable)?;
    pixels.truncate(frame.buffer_size());
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, width, height);
        encoder.set_color(frame.color_type);
        encoder.set_depth(png::BitDepth::Eight);
        encoder.set_compression(png::Compression::Fast);
        let mut writer = encoder
            .write_header()
            .map_err(|e| format!("cannot be re-encoded ({e})"))?;
        writer
            .write_image_data(&pixels)
            .map_err(|e| format!("cannot be re-encoded ({e})"))?;
    }
    Ok(Checked {
        bytes: out,
        width,
        height,
    })
}

/// Checks a JPEG's size against the pixel budgets, decodes it whole, and encodes its pixels
/// again: grey stays grey, everything else (YCbCr, CMYK, YCCK) becomes RGB.
pub fn jpeg(bytes: &[u8], max_pixels: u64) -> Result<Checked, String> {
    use zune_jpeg::zune_core::colorspace::ColorSpace;
    let unreadable = |e: &dyn std::fmt::Display| format!("is not a readable JPEG image ({e})");
    let stripped = strip_jpeg(bytes).ok_or("is not a readable JPEG image")?;
    let (width, height) = jpeg_size(&stripped).ok_or("is not a readable JPEG image")?;
    within(width, height, max_pixels)?;
    let options = zune_jpeg::zune_core::options::DecoderOptions::default()
        .set_max_width(width as usize)
        .set_max_height(height as usize);
    let mut decoder = zune_jpeg::JpegDecoder::new_with_options(Cursor::new(&stripped[..]), options);
    decoder.decode_headers().map_err(|e| unreadable(&e))?;
    let grey = decoder.input_colorspace() == Some(ColorSpace::Luma);
    let (out_space, color) = if grey {
        (ColorSpace::Luma, jpeg_encoder::ColorType::Luma)
    } else {
        (ColorSpace::RGB, jpeg_encoder::ColorType::Rgb)
    };
    decoder.set_options(options.jpeg_set_out_colorspace(out_space));
    let pixels = decoder.decode().map_err(|e| unreadable(&e))?;
    let (w, h) = decoder.dimensions().ok_or("is not a readable JPEG image")?;
    if (w as u32, h as u32) != (width, height) {
        return Err("is not a readable JPEG image (its frame and its data disagree)".into());
    }
    let mut out = Vec::new();
    jpeg_encoder::Encoder::new(&mut out, JPEG_QUALITY)
        .encode(&pixels, width as u16, height as u16, color)
        .map_err(|e| format!("cannot be encoded again ({e})"))?;
    Ok(Checked {
        bytes: out,
        width,
        height,
    })
}

/// The width and height in a JPEG's frame header.
pub fn jpeg_size(b: &[u8]) -> Option<(u32, u32)> {
    let mut at = 2;
    while at + 9 < b.len() {
        if b[at] != 0xFF {
            return None;
        }
        let marker = b[at + 1];
        let len = usize::from(u16::from_be_bytes([b[at + 2], b[at + 3]]));
        // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry the frame size.
        if (0xC0..=0xCF).contains(&marker) && ![0xC4, 0xC8, 0xCC].contains(&marker) {
            let h = u32::from(u16::from_be_bytes([b[at + 5], b[at + 6]]));
            let w = u32::from(u16::from_be_bytes([b[at + 7], b[at + 8]]));
            return Some((w, h));
        }
        if marker == 0xDA {
            return None;
        }
        at += 2 + len;
    }
    None
}

/// A JPEG rebuilt from its segments for decoding: SOI, every segment a decoder needs (tables,
/// frame, scans with their entropy-coded data), the Adobe segment (its colour transform),
/// and EOI. Comments (COM), other application segments (JFIF, ICC, EXIF, XMP, …) and
/// anything after EOI are left out, so no decoder reads them.
fn strip_jpeg(b: &[u8]) -> Option<Vec<u8>> {
    if b.len() < 4 || b[0] != 0xFF || b[1] != 0xD8 {
        return None;
    }
    let mut out = Vec::with_capacity(b.len());
    out.extend_from_slice(&[0xFF, 0xD8]);
    let mut at = 2;
    loop {
        // Fill bytes before a marker are allowed.
        while b.get(at) == Some(&0xFF) && b.get(at + 1) == Some(&0xFF) {
            at += 1;
        }
        if b.get(at) != Some(&0xFF) {
            return None;
        }
        let marker = *b.get(at + 1)?;
        match marker {
            0xD9 => {
                out.extend_from_slice(&[0xFF, 0xD9]);
                return Some(out);
            }
            0xD0..=0xD7 | 0x01 => {
                out.extend_from_slice(&b[at..at + 2]);
                at += 2;
                continue;
            }
            _ => {}
        }
        let len = usize::from(u16::from_be_bytes([*b.get(at + 2)?, *b.get(at + 3)?]));
        if len < 2 {
            return None;
        }
        let end = at + 2 + len;
        let segment = b.get(at..end)?;
        let body = &segment[4..];
        let keep = match marker {
            0xEE => body.starts_with(b"Adobe"),
            0xE0..=0xED | 0xEF | 0xFE => false,
            _ => true,
        };
        if keep {
            out.extend_from_slice(segment);
        }
        at = end;
        if marker == 0xDA {
            // Entropy-coded data runs to the next marker that is not a stuffed 0xFF00 or a
            // restart marker.
            let start = at;
            while at + 1 < b.len() {
                if b[at] == 0xFF && b[at + 1] != 0 && !(0xD0..=0xD7).contains(&b[at + 1]) {
                    break;
                }
                at += 1;
            }
            if at + 1 >= b.len() {
                return None;
            }
            out.extend_from_slice(&b[start..at]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny_png(w: u32, h: u32) -> Vec<u8> {
        let mut out = Vec::new();
        let mut e = png::Encoder::new(&mut out, w, h);
        e.set_color(png::ColorType::Rgba);
        e.set_depth(png::BitDepth::Eight);
        let mut wr = e.write_header().unwrap();
        wr.write_image_data(&vec![200; (w * h * 4) as usize])
            .unwrap();
        drop(wr);
        out
    }

    #[test]
    fn a_png_is_rebuilt_from_its_pixels() {
        let mut src = tiny_png(3, 2);
        // A text chunk smuggled before IEND does not survive.
        let iend = src.len() - 12;
        let mut chunk = Vec::new();
        let data = b"Comment\0\n1 0 obj <</OpenAction>>";
        chunk.extend_from_slice(&(data.len() as u32).to_be_bytes());
        chunk.extend_from_slice(b"tEXt");
        chunk.extend_from_slice(data);
        chunk.extend_from_slice(&[0, 0, 0, 0]); // a bad CRC is ignored for ancillary chunks or refused
        src.splice(iend..iend, chunk);
        if let Ok(c) = png(&src, 100) {
            assert_eq!((c.width, c.height), (3, 2));
            assert!(!c.bytes.windows(9).any(|w| w == b"OpenActio"));
        }
        let c = png(&tiny_png(3, 2), 100).unwrap();
        assert!(png(&c.bytes, 100).is_ok());
    }

    #[test]
    fn a_png_over_the_pixel_budget_or_with_broken_data_is_refused() {
        assert!(png(&tiny_png(20, 20), 100).unwrap_err().contains("pixels"));
        let mut broken = tiny_png(20, 20);
        let n = broken.len();
        broken[n / 2..n - 12].fill(0x55);
        assert!(png(&broken, 1_000_000).is_err());
    }

    /// A small JPEG with application segments after SOI: JFIF, an ICC profile and an Adobe
    /// segment, each carrying text a PDF reader could take for a cross-reference section.
    fn jpeg_with_segments() -> Vec<u8> {
        let mut plain = Vec::new();
        let pixels: Vec<u8> = (0..16 * 8 * 3).map(|i| (i * 7 % 251) as u8).collect();
        jpeg_encoder::Encoder::new(&mut plain, 90)
            .encode(&pixels, 16, 8, jpeg_encoder::ColorType::Rgb)
            .unwrap();
        let hidden = b"xref 4 1 0000000123 00000 n trailer <</Root 1 0 R/Prev 9>>";
        let mut out = plain[..2].to_vec();
        for (marker, tag) in [
            (0xE0u8, &b"JFIF\0"[..]),
            (0xE2, b"ICC_PROFILE\0"),
            (0xEE, b"Adobe"),
        ] {
            let mut body = tag.to_vec();
            body.extend_from_slice(if marker == 0xEE {
                &[0, 100, 0, 0, 0, 0, 1][..]
            } else {
                hidden
            });
            if marker == 0xEE {
                body.extend_from_slice(hidden);
            }
            out.extend_from_slice(&[0xFF, marker]);
            out.extend_from_slice(&((body.len() + 2) as u16).to_be_bytes());
            out.extend_from_slice(&body);
        }
        out.extend_from_slice(&plain[2..]);
        out
    }

    #[test]
    fn a_jpeg_is_encoded_again_and_nothing_sent_is_kept_verbatim() {
        let sent = jpeg_with_segments();
        let c = jpeg(&sent, 1000).unwrap();
        assert_eq!((c.width, c.height), (16, 8));
        assert!(
            !c.bytes.windows(4).any(|w| w == b"xref"),
            "no segment body survives"
        );
        assert!(!c.bytes.windows(11).any(|w| w == b"ICC_PROFILE"));
        assert!(jpeg(&c.bytes, 1000).is_ok(), "what is kept is a JPEG");
        // The same bytes in, the same bytes out.
        assert_eq!(jpeg(&sent, 1000).unwrap().bytes, c.bytes);
    }

    #[test]
    fn the_payloads_images_share_one_pixel_budget() {
        let limits = crate::budget::Limits {
            max_request_image_pixels: 1000,
            ..Default::default()
        };
        let _budget = crate::budget::limit(limits);
        let one = tiny_png(20, 20); // 400 pixels
        assert!(png(&one, 1000).is_ok());
        assert!(png(&one, 1000).is_ok());
        let e = png(&one, 1000).unwrap_err();
        assert!(e.contains("COLLABDOCS_MAX_REQUEST_IMAGE_PIXELS"), "{e}");
        // A fresh budget for the next payload.
        let _next = crate::budget::limit(limits);
        assert!(png(&one, 1000).is_ok());
    }

    #[test]
    fn jpeg_metadata_segments_are_left_out() {
        // SOI, COM "1 0 obj", APP1 "Exif", then a segment that is not a JPEG: refused.
        let mut j = vec![0xFF, 0xD8, 0xFF, 0xFE, 0, 9];
        j.extend_from_slice(b"1 0 obj");
        j.extend_from_slice(&[0xFF, 0xD9]);
        let out = strip_jpeg(&j).unwrap();
        assert_eq!(out, vec![0xFF, 0xD8, 0xFF, 0xD9]);
        assert!(strip_jpeg(b"\xFF\xD8\x00\x00").is_none());
        assert!(jpeg(&j, 1000).is_err(), "no frame: not an image");
    }
}
