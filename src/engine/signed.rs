//! A document signed by the service as it is rendered: laid out twice (the unsigned file's
//! SHA-256 goes into the signing record of the second), optionally with the organisation's
//! seal across every page and as an archive copy, then certified.

use serde_json::Value;
use sha2::{Digest, Sha256};

use super::request::{no_signer, not_signed, sign_now};
use super::{archive_copy, Engine, Rendered};
use crate::document::Document;
use crate::error::Error;
use crate::kinds::DocumentKind;
use crate::render::OutputFormat;
use crate::template::TemplateError;
use crate::values::Profile;

impl Engine {
    /// Renders a fully signed agreement as a PDF carrying the service's PAdES signature, with
    /// a signature area and the signing record (each signatory, the unsigned file's SHA-256)
    /// at the end.
    pub fn render_signed(&self, kind: DocumentKind, body: &Value) -> Result<Rendered, Error> {
        self.render_signed_with(kind, body, false, false)
    }

    /// [`Engine::render_signed`], with the service's seal pressed across the right edge of
    /// every page (骑缝章) when `cross_page_seal` and the service has a seal; as PDF/A-3b with
    /// the payload attached when `archive`.
    pub fn render_signed_with(
        &self,
        kind: DocumentKind,
        body: &Value,
        cross_page_seal: bool,
        archive: bool,
    ) -> Result<Rendered, Error> {
        let signing = kind.signing().ok_or_else(|| not_signed(kind))?;
        let signer = self.signer.as_ref().ok_or_else(no_signer)?;
        let _images = crate::image::remember();
        let v = self.validate(kind, body)?;
        if !v.prepared.signing_problems.is_empty() {
            return Err(Error::invalid(v.prepared.signing_problems.clone()));
        }
        let internal = |e: TemplateError| Error::Internal(e.to_string());
        let file_stem = v.prepared.file_stem.clone();
        let seal = signer
            .seal
            .as_ref()
            .filter(|_| cross_page_seal)
            .map(|seal| {
                (
                    crate::image::ImageData::png(seal.png.clone(), seal.pixels()),
                    crate::engine::DEFAULT_SEAL_MM,
                )
            });
        let document = |context| -> Result<Document, Error> {
            let mut doc = self
                .document_from(kind, Profile::Standard, context)
                .map_err(internal)?;
            doc.cross_page_seal = seal.clone();
            doc.meta.archive = archive.then(|| archive_copy(kind, &file_stem, body));
            Ok(doc)
        };
        let unsigned = self.output(
            kind,
            &document(v.prepared.context.clone())?,
            OutputFormat::Pdf,
            body,
        )?;
        let sha256 = crate::values::hex(&Sha256::digest(&unsigned.bytes));
        let mut prepared = v.prepared;
        prepared.context["derived"]["audit"] = serde_json::json!({
            "organisation": signer.organisation,
            "subject": signer.subject,
            "unsigned_sha256": sha256,
        });
        let context = std::mem::take(&mut prepared.context);
        let doc = document(context)?;
        let mut out = self.output(kind, &doc, OutputFormat::Pdf, body)?;
        let area = out
            .anchors
            .iter()
            .rev()
            .find(|a| a.name == "signature")
            .map(|a| (a.page, a.rect));
        out.bytes = sign_now(signer, &out.bytes, area, signing.reason)?;
        Ok(Self::rendered(
            kind,
            &prepared,
            v.warnings,
            OutputFormat::Pdf,
            out,
        ))
    }
}
