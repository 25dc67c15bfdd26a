//! A development key and certificate, for trying signing out.

use p256::pkcs8::EncodePrivateKey;

/// A PEM key and a self-signed certificate for trying signing out: P-256, valid two years,
/// key usage digital signature and non-repudiation. Not for production.
pub fn dev_cert(organisation: &str) -> Result<(String, String), String> {
    use std::str::FromStr;
    use x509_cert::builder::{Builder, CertificateBuilder, Profile};
    let key = p256::ecdsa::SigningKey::random(&mut rand_core::OsRng);
    let subject = x509_cert::name::Name::from_str(&format!(
        "CN={organisation} (collabdocs development signing),O={organisation}"
    ))
    .map_err(|e| format!("bad organisation name: {e}"))?;
    let mut serial = [0u8; 16];
    rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut serial);
    serial[0] &= 0x7f;
    let spki = x509_cert::spki::SubjectPublicKeyInfoOwned::from_key(*key.verifying_key())
        .map_err(|e| e.to_string())?;
    let builder = CertificateBuilder::new(
        Profile::Leaf {
            issuer: subject.clone(),
            enable_key_agreement: false,
            enable_key_encipherment: false,
        },
        x509_cert::serial_number::SerialNumber::new(&serial).map_err(|e| e.to_string())?,
        x509_cert::time::Validity::from_now(std::time::Duration::from_secs(2 * 366 * 86_400))
            .map_err(|e| e.to_string())?,
        subject,
        spki,
        &key,
    )
    .map_err(|e| e.to_string())?;
    let cert = builder
        .build::<p256::ecdsa::DerSignature>()
        .map_err(|e| e.to_string())?;
    let cert_pem =
        der::EncodePem::to_pem(&cert, der::pem::LineEnding::LF).map_err(|e| e.to_string())?;
    let key_pem = p256::SecretKey::from(key)
        .to_pkcs8_pem(der::pem::LineEnding::LF)
        .map_err(|e| e.to_string())?
        .to_string();
    Ok((key_pem, cert_pem))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sign::Signer;

    #[test]
    fn a_dev_certificate_loads_back_and_names_its_organisation() {
        let (key, cert) = dev_cert("华东零售集团").unwrap();
        let s = Signer::from_pem(&key, &cert).unwrap();
        assert_eq!(s.organisation, "华东零售集团");
        let (other_key, _) = dev_cert("x").unwrap();
        assert!(
            Signer::from_pem(&other_key, &cert).is_err(),
            "a key that does not match"
        );
    }
}
