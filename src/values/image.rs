//! An image in a payload: a `data:` URI, checked whole when the payload is read.

use serde::Serialize;
use serde_json::Value;

use crate::input::{type_name, Cx, FromJson, Schemas};

/// An image given as a `data:` URI, checked to be a PNG or JPEG whose size can be read.
#[derive(Debug, Clone)]
pub struct Image {
    pub uri: String,
}

/// The largest image accepted, in bytes of the data URI.
pub const MAX_IMAGE_URI_BYTES: usize = 2 * 1024 * 1024;

impl Serialize for Image {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.uri)
    }
}

impl FromJson for Image {
    fn from_json(v: &Value, path: &str, cx: &mut Cx) -> Option<Self> {
        let Value::String(s) = v else {
            cx.error(
                path,
                format!("must be a data: URI string, not {}", type_name(v)),
            );
            return None;
        };
        if s.len() > MAX_IMAGE_URI_BYTES {
            cx.error(
                path,
                format!(
                    "is {} bytes; images are limited to {MAX_IMAGE_URI_BYTES}",
                    s.len()
                ),
            );
            return None;
        }
        match crate::document::ImageData::from_data_uri(s, cx.limits.max_image_pixels) {
            Ok(_) => Some(Image { uri: s.clone() }),
            Err(why) => {
                cx.error(path, why);
                None
            }
        }
    }

    fn schema(_: &mut Schemas) -> Value {
        serde_json::json!({
            "type": "string",
            "maxLength": MAX_IMAGE_URI_BYTES,
            "pattern": "^data:image/(png|jpeg);base64,",
            "description": "A PNG or JPEG image as a data: URI (data:image/png;base64,…), at most 2 MiB.",
        })
    }
}
