//! The visible seal (电子印章): a PNG with transparency, drawn over the signing organisation's
//! line inside the signature widget, on top of the text. Decoded and checked once at start-up;
//! written into the incremental update as an image with its alpha as a soft mask.

use std::io::Write;

/// A seal image ready to be embedded: its size and its colour and alpha planes, deflated.
#[derive(Clone)]
pub struct Seal {
    pub(super) width: u32,
    pub(super) height: u32,
    pub(super) rgb: Vec<u8>,
    pub(super) alpha: Vec<u8>,
    /// The PNG as it came, for the pages the seal is pressed across (骑缝章).
    pub png: std::sync::Arc<Vec<u8>>,
}

impl std::fmt::Debug for Seal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Seal({}×{})", self.width, self.height)
    }
}

impl Seal {
    /// Reads a PNG (any colour type; transparency kept, 16-bit reduced to 8), at most 2,000
    /// pixels a side.
    pub fn from_png(bytes: &[u8]) -> Result<Self, String> {
        let bad = |e: png::DecodingError| format!("the seal is not a readable PNG ({e})");
        let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
        let header = decoder.read_header_info().map_err(bad)?;
        let (width, height) = (header.width, header.height);
        if width == 0 || height == 0 || width > 2000 || height > 2000 {
            return Err(format!(
                "the seal is {width}×{height} pixels; at most 2000 a side"
            ));
        }
        let mut reader = decoder.read_info().map_err(bad)?;
        let mut buf = vec![0; reader.output_buffer_size().ok_or("the seal is too large")?];
        let frame = reader.next_frame(&mut buf).map_err(bad)?;
        let pixels = (width * height) as usize;
        let (mut rgb, mut alpha) = (Vec::with_capacity(pixels * 3), Vec::with_capacity(pixels));
        for px in buf[..frame.buffer_size()].chunks(frame.color_type.samples()) {
            let (c, a) = match *px {
                [g] => ([g, g, g], 255),
                [g, a] => ([g, g, g], a),
                [r, g, b] => ([r, g, b], 255),
                [r, g, b, a] => ([r, g, b], a),
                _ => return Err("the seal has an unreadable colour type".into()),
            };
            rgb.extend_from_slice(&c);
            alpha.push(a);
        }
        Ok(Seal {
            png: std::sync::Arc::new(bytes.to_vec()),
            width,
            height,
            rgb: deflate(&rgb),
            alpha: deflate(&alpha),
        })
    }

    /// The image objects: the soft mask (`alpha_num`) and the colour image (`rgb_num`).
    pub(super) fn objects(&self, rgb_num: u32, alpha_num: u32) -> [(u32, Vec<u8>); 2] {
        let image = |extra: String, color: &str, data: &[u8]| {
            let mut o = format!(
                "<</Type/XObject/Subtype/Image/Width {}/Height {}/ColorSpace/{color}/BitsPerComponent 8/Filter/FlateDecode{extra}/Length {}>>\nstream\n",
                self.width,
                self.height,
                data.len()
            )
            .into_bytes();
            o.extend_from_slice(data);
            o.extend_from_slice(b"\nendstream");
            o
        };
        [
            (alpha_num, image(String::new(), "DeviceGray", &self.alpha)),
            (
                rgb_num,
                image(format!("/SMask {alpha_num} 0 R"), "DeviceRGB", &self.rgb),
            ),
        ]
    }

    /// The drawing of the seal in a `w` × `h` appearance: over the top line (where the
    /// signing organisation is named), toward the right, as tall as fits.
    pub(super) fn placement(&self, w: f32, h: f32) -> String {
        let side = (h * 0.9).min(113.0).min(w * 0.4);
        let (sw, sh) = if self.width >= self.height {
            (side, side * self.height as f32 / self.width as f32)
        } else {
            (side * self.width as f32 / self.height as f32, side)
        };
        let x = w * 0.72 - sw / 2.0;
        let y = (h - sh - 2.0).max(0.0);
        format!("q {sw:.2} 0 0 {sh:.2} {x:.2} {y:.2} cm /Seal Do Q")
    }
}

impl Seal {
    /// Its size in pixels.
    pub fn pixels(&self) -> (u32, u32) {
        (self.width, self.height)
    }

    /// The drawing of the seal pressed at its real size — its longer side `side` points —
    /// centred on `(cx, cy)` and kept inside a `w` × `h` appearance.
    pub(super) fn pressed(&self, side: f32, cx: f32, cy: f32, w: f32, h: f32) -> String {
        let (sw, sh) = if self.width >= self.height {
            (side, side * self.height as f32 / self.width as f32)
        } else {
            (side * self.width as f32 / self.height as f32, side)
        };
        let x = (cx - sw / 2.0).clamp(0.0, (w - sw).max(0.0));
        let y = (cy - sh / 2.0).clamp(0.0, (h - sh).max(0.0));
        format!("q {sw:.2} 0 0 {sh:.2} {x:.2} {y:.2} cm /Seal Do Q")
    }
}

fn deflate(data: &[u8]) -> Vec<u8> {
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::new(6));
    let _ = z.write_all(data);
    z.finish().unwrap_or_default()
}
