//! Raising a signature already in a file to B-LT and B-LTA: the revision that adds its
//! chain's certificates and revocation data to the document security store — a new store, or
//! the file's own with everything it held kept — and the document time-stamp over it all.
//! Used for the service's signature and for each party's.

use cms::cert::x509::Certificate;
use sha2::Digest;

use super::contents::PLACEHOLDER_RANGE;
use super::revocation::ValidationData;
use super::update::{
    add_form_field, add_to_annots, fill_contents, insert_before_end, with_room, Base, PdfTail,
    Update, TOKEN_ROOM,
};
use super::{Level, Services, SignError};
use super::{Signer, Tsa};
use crate::sign::reader::{Obj, PdfFile};

/// `pdf`, whose newest signature has `contents` (its `/Contents` bytes) and was made by the
/// first of `chain`, raised to the services' level: B-LT adds the validation data, B-LTA the
/// document time-stamp too. Below B-LT the file is returned as it is.
pub fn raise(
    pdf: Vec<u8>,
    chain: &[Certificate],
    contents: &[u8],
    services: &Services,
) -> Result<Vec<u8>, SignError> {
    if services.level < Level::BLt {
        return Ok(pdf);
    }
    let out = add_validation_data(pdf, chain, contents, services.revocation_timeout)?;
    match (services.level, services.tsa.as_ref()) {
        (Level::BLta, Some(tsa)) => add_document_time_stamp(out, tsa),
        _ => Ok(out),
    }
}

impl Signer {
    /// A signed file raised to the configured level: the validation data (B-LT), then the
    /// document time-stamp (B-LTA); `contents`, the signature's `/Contents` bytes.
    pub(super) fn raise(&self, out: Vec<u8>, contents: &[u8]) -> Result<Vec<u8>, SignError> {
        raise(out, &self.chain, contents, &self.services)
    }
}

/// The revision that adds a document time-stamp over the whole file (B-LTA): an invisible
/// signature field on the last page whose `/Contents` is the authority's token.
fn add_document_time_stamp(pdf: Vec<u8>, tsa: &Tsa) -> Result<Vec<u8>, SignError> {
    // Each time-stamp field its own name: a later party's signature raised to B-LTA adds one
    // after the service's, and two fields of one name are refused by validators.
    let taken: Vec<String> = super::deferred::signature_fields(&pdf)?
        .into_iter()
        .map(|(_, name, _)| name)
        .collect();
    let name = (1..)
        .map(|n| format!("DocumentTimeStamp{n}"))
        .find(|n| !taken.contains(n))
        .expect("a free name");
    let (out, _) = with_room(TOKEN_ROOM, |reserve| {
        let tail = PdfTail::parse(&pdf, None)?;
        let base = &tail.base;
        let (widget, sig) = (base.size, base.size + 1);
        let mut update = Update::new(&pdf);
        update.object(
            tail.last_page,
            add_to_annots(&tail.page_dict, widget)?.as_bytes(),
        );
        update.object(base.root, add_form_field(&pdf, widget, false)?.as_bytes());
        update.object(
            widget,
            format!(
                "<</Type/Annot/Subtype/Widget/FT/Sig/T({name})/F 132/Rect[0 0 0 0]/P {} 0 R/V {sig} 0 R>>",
                tail.last_page
            )
            .as_bytes(),
        );
        let sig_start = update.out_len();
        update.object(
            sig,
            format!(
                "<</Type/DocTimeStamp/Filter/Adobe.PPKLite/SubFilter/ETSI.RFC3161/ByteRange{PLACEHOLDER_RANGE}/Contents<{}>>>",
                "0".repeat(reserve * 2)
            )
            .as_bytes(),
        );
        let out = update.finish(base, sig + 1);
        fill_contents(out, sig_start, reserve, |digest| tsa.stamp(digest))
    })?;
    Ok(out)
}

/// The chain's certificates and those of the signature's time-stamp token.
fn with_token_certificates(
    chain: &[Certificate],
    contents: &[u8],
) -> Result<Vec<Certificate>, SignError> {
    let mut certs = chain.to_vec();
    let sd = crate::sign::check::signer::signed_data(contents)?;
    let unsigned: Vec<_> = sd
        .signer_infos
        .0
        .iter()
        .flat_map(|si| si.unsigned_attrs.iter().flat_map(|a| a.iter().cloned()))
        .collect();
    if let Some(token) = crate::sign::check::token::signature_token(&unsigned) {
        let token = crate::sign::check::token::read_token(&token)?;
        for c in token.pool {
            let print = crate::sign::check::trust::fingerprint(&c);
            if !certs
                .iter()
                .any(|have| crate::sign::check::trust::fingerprint(have) == print)
            {
                certs.push(c);
            }
        }
    }
    Ok(certs)
}

/// What a file's document security store holds, as it is written: the references in each
/// list, and each VRI entry's key and value text.
#[derive(Default)]
struct Store {
    /// The store's object, when the file has one.
    num: Option<u32>,
    certs: Vec<String>,
    ocsps: Vec<String>,
    crls: Vec<String>,
    vri: Vec<(String, String)>,
}

impl Store {
    fn read(file: &PdfFile, catalog: &Obj) -> Result<Store, SignError> {
        let Some(dss) = catalog.get("DSS") else {
            return Ok(Store::default());
        };
        let Obj::Ref(num) = dss else {
            return Err("the document security store is not an object of its own".into());
        };
        let dss = file.object(*num)?.value;
        let list = |key: &str| -> Result<Vec<String>, SignError> {
            let v = file.resolve(dss.get(key).unwrap_or(&Obj::Array(Vec::new())))?;
            Ok(v.as_array()
                .unwrap_or(&[])
                .iter()
                .filter_map(|o| match o {
                    Obj::Ref(n) => Some(format!("{n} 0 R")),
                    _ => None,
                })
                .collect())
        };
        let vri = match dss.get("VRI") {
            Some(v) => match file.resolve(v)? {
                Obj::Dict(entries) => entries
                    .iter()
                    .map(|(k, _, r)| {
                        (
                            k.clone(),
                            String::from_utf8_lossy(file.slice(r.clone())).into_owned(),
                        )
                    })
                    .collect(),
                _ => return Err("the document security store's VRI is not a dictionary".into()),
            },
            None => Vec::new(),
        };
        Ok(Store {
            num: Some(*num),
            certs: list("Certs")?,
            ocsps: list("OCSPs")?,
            crls: list("CRLs")?,
            vri,
        })
    }
}

/// The revision that adds to the document security store every certificate of the signer's
/// chain and of the signature time-stamp's, with their revocation data fetched now, and a
/// VRI entry for the signature (`contents`: its `/Contents` bytes). What the store held is
/// kept.
fn add_validation_data(
    pdf: Vec<u8>,
    chain: &[Certificate],
    contents: &[u8],
    timeout: std::time::Duration,
) -> Result<Vec<u8>, SignError> {
    let certs = with_token_certificates(chain, contents)?;
    let data = ValidationData::fetch(&certs, timeout)?;
    let file = PdfFile::open(&pdf)?;
    let base = Base::read(&file)?;
    let catalog = file.object(base.root)?;
    let mut store = Store::read(&file, &catalog.value)?;
    let mut update = Update::new(&pdf);
    let mut next = base.size;
    let mut refs = |list: &[Vec<u8>], update: &mut Update| -> Vec<String> {
        let mut out = Vec::new();
        for der in list {
            update.stream(next, der);
            out.push(format!("{next} 0 R"));
            next += 1;
        }
        out
    };
    let (new_certs, new_ocsps, new_crls) = (
        refs(&data.certs, &mut update),
        refs(&data.ocsps, &mut update),
        refs(&data.crls, &mut update),
    );
    let vri = next;
    next += 1;
    update.object(
        vri,
        format!(
            "<</Cert[{}]/OCSP[{}]/CRL[{}]>>",
            new_certs.join(" "),
            new_ocsps.join(" "),
            new_crls.join(" ")
        )
        .as_bytes(),
    );
    let key = crate::values::hex(&sha1::Sha1::digest(contents)).to_uppercase();
    store.certs.extend(new_certs);
    store.ocsps.extend(new_ocsps);
    store.crls.extend(new_crls);
    store.vri.retain(|(k, _)| *k != key);
    store.vri.push((key, format!("{vri} 0 R")));
    let vri_text: String = store.vri.iter().map(|(k, v)| format!("/{k} {v}")).collect();
    let dss_text = format!(
        "<</Type/DSS/Certs[{}]/OCSPs[{}]/CRLs[{}]/VRI<<{vri_text}>>>>",
        store.certs.join(" "),
        store.ocsps.join(" "),
        store.crls.join(" ")
    );
    match store.num {
        // The store is written anew under its own number; the catalog stays as it is.
        Some(dss) => {
            update.object(dss, dss_text.as_bytes());
        }
        None => {
            let dss = next;
            next += 1;
            update.object(dss, dss_text.as_bytes());
            let mut entries = format!("/DSS {dss} 0 R");
            if catalog.value.get("Extensions").is_none() {
                entries.push_str("/Extensions<</ESIC<</BaseVersion/1.7/ExtensionLevel 5>>>>");
            }
            update.object(
                base.root,
                insert_before_end(&base.catalog_dict, &entries)?.as_bytes(),
            );
        }
    }
    Ok(update.finish(&base, next))
}
