//! What a later revision may add as a document security store: its own keys and streams of
//! certificates, OCSP responses and CRLs, each an object added after signing.

use super::*;

/// The keys of a document security store, and of one of its VRI entries.
const DSS_KEYS: [&str; 5] = ["Type", "VRI", "Certs", "OCSPs", "CRLs"];
const VRI_KEYS: [&str; 6] = ["Type", "TU", "TS", "Cert", "CRL", "OCSP"];

impl Cx<'_, '_> {
    /// The document security store: its dictionary and VRI entries hold only what PAdES
    /// puts there, its lists only streams.
    pub(super) fn dss(&self, d: &Obj, ex: &mut Explained) -> Result<(), String> {
        let Obj::Dict(entries) = d else {
            return Err("the document security store is not a dictionary".into());
        };
        for (key, v, _) in entries {
            match key.as_str() {
                "Type" => {}
                "Certs" | "OCSPs" | "CRLs" => self.stream_list(v, ex)?,
                "VRI" => {
                    let Obj::Dict(vri) = self.dss_value(v, ex)? else {
                        return Err("the document security store's VRI is not a dictionary".into());
                    };
                    for (hash, entry, _) in &vri {
                        if hash.len() != 40 || !hash.bytes().all(|c| c.is_ascii_hexdigit()) {
                            return Err(format!("a VRI key /{hash} is not a SHA-1 in hex"));
                        }
                        let Obj::Dict(fields) = self.dss_value(entry, ex)? else {
                            return Err("a VRI entry is not a dictionary".into());
                        };
                        for (k, v, _) in &fields {
                            match k.as_str() {
                                "Cert" | "CRL" | "OCSP" => self.stream_list(v, ex)?,
                                "TS" => {
                                    if let Obj::Ref(n) = v {
                                        self.added_or_dss(*n)?;
                                        self.explain_tree(*n, ex)?;
                                    }
                                }
                                k if VRI_KEYS.contains(&k) => {}
                                k => return Err(format!("a VRI entry has an unexpected key /{k}")),
                            }
                        }
                    }
                }
                k if DSS_KEYS.contains(&k) => {}
                k => {
                    return Err(format!(
                        "the document security store has an unexpected key /{k}"
                    ))
                }
            }
        }
        Ok(())
    }

    /// A list of the store's: an array (or an object holding one) of stream references.
    pub(super) fn stream_list(&self, v: &Obj, ex: &mut Explained) -> Result<(), String> {
        let list = self.dss_value(v, ex)?;
        let Some(items) = list.as_array() else {
            return Err("a list of the document security store is not an array".into());
        };
        for item in items {
            let Obj::Ref(n) = item else {
                return Err(
                    "the document security store holds a value that is not a stream".into(),
                );
            };
            self.added_or_dss(*n)?;
            if self.added.contains(n) {
                let at = self.new[n];
                if self.file.raw_stream_at(*n, at).is_err() {
                    return Err(format!(
                        "the document security store holds object {n}, which is not a stream"
                    ));
                }
                ex.objects.insert(*n);
            }
        }
        Ok(())
    }

    /// A value of the store's, resolved; when a reference, to an object added after signing
    /// or the signed store's own.
    pub(super) fn dss_value(&self, v: &Obj, ex: &mut Explained) -> Result<Obj, String> {
        if let Obj::Ref(n) = v {
            self.added_or_dss(*n)?;
            ex.objects.insert(*n);
        }
        resolve(self.file, self.new, v)
    }

    /// `num` was added after signing, or belonged to the signed store and nothing else.
    pub(super) fn added_or_dss(&self, num: u32) -> Result<(), String> {
        let uses = self.signed.uses.get(&num).copied().unwrap_or_default();
        if self.added.contains(&num) || (uses.dss && !uses.document) {
            Ok(())
        } else {
            Err(format!(
                "the document security store claims object {num}, which the signed document uses"
            ))
        }
    }
}
