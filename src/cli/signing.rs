//! `collabdocs verify` (a PDF's signatures checked) and `collabdocs dev-cert` (a key and a
//! self-signed certificate for trying signing out).

use std::path::Path;

/// `collabdocs verify`: prints the report; an error unless every signature is valid.
pub(super) fn verify(
    pdf: &Path,
    signing_cert: Option<&Path>,
    trust_anchors: Option<&Path>,
) -> Result<(), String> {
    let ours = signing_cert
        .map(|path| {
            std::fs::read(path)
                .map_err(|e| format!("reading {}: {e}", path.display()))
                .and_then(|pem| crate::sign::certificate_sha256_pem(&pem))
        })
        .transpose()?;
    let anchors = trust_anchors
        .map(crate::config::read_anchors)
        .transpose()?
        .unwrap_or_default();
    let bytes = std::fs::read(pdf).map_err(|e| format!("reading {}: {e}", pdf.display()))?;
    let report = crate::sign::verify(&bytes, &crate::sign::Trust { ours, anchors });
    println!(
        "{}",
        serde_json::to_string_pretty(&report).unwrap_or_default()
    );
    if report.valid {
        Ok(())
    } else {
        Err(format!("{}: the signature is not valid", pdf.display()))
    }
}

pub(super) fn dev_cert(out: &Path, organisation: &str) -> Result<(), String> {
    let (key, cert) = crate::sign::dev_cert(organisation)?;
    std::fs::create_dir_all(out).map_err(|e| format!("creating {}: {e}", out.display()))?;
    let key_path = out.join("key.pem");
    let cert_path = out.join("cert.pem");
    std::fs::write(&key_path, key).map_err(|e| format!("writing {}: {e}", key_path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(&key_path, std::fs::Permissions::from_mode(0o600));
    }
    std::fs::write(&cert_path, cert)
        .map_err(|e| format!("writing {}: {e}", cert_path.display()))?;
    eprintln!(
        "wrote {} and {} (self-signed, for trying signing out only)\n\
         start the service with:\n  COLLABDOCS_SIGNING_KEY={} COLLABDOCS_SIGNING_CERT={} collabdocs serve",
        key_path.display(),
        cert_path.display(),
        key_path.display(),
        cert_path.display()
    );
    Ok(())
}
