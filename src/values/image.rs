//! An image in a payload: a `data:` URI, checked whole when the payload is read.

use serde::Serialize;

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

/// The schema format of an image: a PNG or JPEG `data:` URI whose header decodes within the
/// pixel limit (checked by the validator).
pub const IMAGE_FORMAT: &str = "image-data-uri";

impl<'de> serde::Deserialize<'de> for Image {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Image {
            uri: String::deserialize(d)?,
        })
    }
}

impl schemars::JsonSchema for Image {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Image".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "format": IMAGE_FORMAT,
            "maxLength": MAX_IMAGE_URI_BYTES,
            "pattern": "^data:image/(png|jpeg);base64,",
            "description": "A PNG or JPEG image as a data: URI (data:image/png;base64,…), at most 2 MiB.",
        })
    }
}
