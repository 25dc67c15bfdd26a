//! A test PKI made in the test: certificates with chosen validity, constraints and key
//! usages; CRLs with chosen times; and an RFC 3161 time-stamp authority and CRL distribution
//! point on 127.0.0.1 whose clock the test sets. Enough to build every trust case a
//! verifier must judge, without a network.

use std::io::{Read, Write};
use std::str::FromStr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use der::asn1::{GeneralizedTime, Int, ObjectIdentifier, OctetString, SetOfVec, UtcTime};
use der::{Any, Decode, Encode};
use p256::ecdsa::signature::Signer as _;
use p256::pkcs8::EncodePrivateKey;
use sha2::{Digest, Sha256};
use x509_cert::attr::Attribute;
use x509_cert::builder::{Builder, CertificateBuilder, Profile};
use x509_cert::ext::pkix::crl::dp::DistributionPoint;
use x509_cert::ext::pkix::name::{DistributionPointName, GeneralName};
use x509_cert::ext::pkix::{CrlDistributionPoints, ExtendedKeyUsage};
use x509_cert::spki::AlgorithmIdentifierOwned;
use x509_cert::time::{Time, Validity};

pub type Cert = x509_cert::Certificate;

pub const ID_KP_TIME_STAMPING: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.8");
const ID_ECDSA_WITH_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
const ID_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
const ID_SIGNED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");
const ID_CT_TST_INFO: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.1.4");
const ID_CONTENT_TYPE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.3");
const ID_MESSAGE_DIGEST: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.4");
const ID_SIGNING_CERTIFICATE_V2: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.47");

/// Seconds since 1970, now.
pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

pub const DAY: u64 = 86_400;

/// A key and its certificate.
#[derive(Clone)]
pub struct Party {
    pub key: p256::ecdsa::SigningKey,
    pub cert: Cert,
}

/// What a certificate is made for.
pub enum Kind {
    /// A CA, with a path length constraint or none.
    Ca(Option<u8>),
    /// An end certificate (key usage digital signature, non-repudiation; not a CA).
    Leaf,
}

/// How to issue one certificate.
pub struct Issue<'a> {
    pub subject: &'a str,
    pub kind: Kind,
    /// Valid from, until (seconds since 1970).
    pub valid: (u64, u64),
    pub eku: Vec<ObjectIdentifier>,
    /// A CRL distribution point.
    pub crl_url: Option<String>,
}

impl<'a> Issue<'a> {
    pub fn leaf(subject: &'a str) -> Self {
        Issue {
            subject,
            kind: Kind::Leaf,
            valid: (now() - DAY, now() + 365 * DAY),
            eku: Vec::new(),
            crl_url: None,
        }
    }

    pub fn ca(subject: &'a str) -> Self {
        Issue {
            kind: Kind::Ca(None),
            ..Issue::leaf(subject)
        }
    }
}

fn time(secs: u64) -> Time {
    Time::UtcTime(UtcTime::from_unix_duration(Duration::from_secs(secs)).unwrap())
}

fn serial() -> x509_cert::serial_number::SerialNumber {
    let mut s = [0u8; 8];
    rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut s);
    s[0] &= 0x7f;
    s[0] |= 0x01;
    x509_cert::serial_number::SerialNumber::new(&s).unwrap()
}

/// Issues a certificate for a new key by `issuer` (self-signed when `None`).
pub fn issue(how: Issue, issuer: Option<&Party>) -> Party {
    issue_for_key(
        how,
        issuer,
        p256::ecdsa::SigningKey::random(&mut rand_core::OsRng),
    )
}

/// Issues a certificate for `key` by `issuer` (self-signed when `None`).
pub fn issue_for_key(how: Issue, issuer: Option<&Party>, key: p256::ecdsa::SigningKey) -> Party {
    let name = x509_cert::name::Name::from_str(how.subject).unwrap();
    let spki = x509_cert::spki::SubjectPublicKeyInfoOwned::from_key(*key.verifying_key()).unwrap();
    let issuer_name = issuer.map_or(name.clone(), |p| p.cert.tbs_certificate.subject.clone());
    let profile = match how.kind {
        Kind::Ca(None) if issuer.is_none() => Profile::Root,
        Kind::Ca(path_len_constraint) => Profile::SubCA {
            issuer: issuer_name,
            path_len_constraint,
        },
        Kind::Leaf => Profile::Leaf {
            issuer: issuer_name,
            enable_key_agreement: false,
            enable_key_encipherment: false,
        },
    };
    let validity = Validity {
        not_before: time(how.valid.0),
        not_after: time(how.valid.1),
    };
    let signing_key = issuer.map_or(&key, |p| &p.key);
    let mut b =
        CertificateBuilder::new(profile, serial(), validity, name, spki, signing_key).unwrap();
    if !how.eku.is_empty() {
        b.add_extension(&ExtendedKeyUsage(how.eku)).unwrap();
    }
    if let Some(url) = how.crl_url {
        let uri = der::asn1::Ia5String::new(&url).unwrap();
        b.add_extension(&CrlDistributionPoints(vec![DistributionPoint {
            distribution_point: Some(DistributionPointName::FullName(vec![
                GeneralName::UniformResourceIdentifier(uri),
            ])),
            reasons: None,
            crl_issuer: None,
        }]))
        .unwrap();
    }
    let cert = b.build::<p256::ecdsa::DerSignature>().unwrap();
    Party { key, cert }
}

pub fn pem(cert: &Cert) -> String {
    der::EncodePem::to_pem(cert, der::pem::LineEnding::LF).unwrap()
}

impl Party {
    /// A signer with this key, carrying `chain` after its own certificate.
    pub fn signer(&self, chain: &[&Cert]) -> collabdocs::sign::Signer {
        let key_pem = p256::SecretKey::from(self.key.clone())
            .to_pkcs8_pem(der::pem::LineEnding::LF)
            .unwrap()
            .to_string();
        let certs: String = std::iter::once(&self.cert)
            .chain(chain.iter().copied())
            .map(pem)
            .collect();
        collabdocs::sign::Signer::from_pem(&key_pem, &certs).unwrap()
    }
}

/// A CRL by `ca` listing `revoked` (serial, since), issued at `this_update`.
pub fn crl(
    ca: &Party,
    revoked: &[(&Cert, u64)],
    this_update: u64,
    next_update: Option<u64>,
) -> Vec<u8> {
    use x509_cert::crl::{CertificateList, RevokedCert, TbsCertList};
    let alg = AlgorithmIdentifierOwned {
        oid: ID_ECDSA_WITH_SHA256,
        parameters: None,
    };
    let list: Vec<RevokedCert> = revoked
        .iter()
        .map(|(c, since)| RevokedCert {
            serial_number: c.tbs_certificate.serial_number.clone(),
            revocation_date: time(*since),
            crl_entry_extensions: None,
        })
        .collect();
    let tbs = TbsCertList {
        version: x509_cert::Version::V2,
        signature: alg.clone(),
        issuer: ca.cert.tbs_certificate.subject.clone(),
        this_update: time(this_update),
        next_update: next_update.map(time),
        revoked_certificates: (!list.is_empty()).then_some(list),
        crl_extensions: None,
    };
    let sig: p256::ecdsa::DerSignature = ca.key.sign(&tbs.to_der().unwrap());
    CertificateList {
        tbs_cert_list: tbs,
        signature_algorithm: alg,
        signature: der::asn1::BitString::from_bytes(sig.as_bytes()).unwrap(),
    }
    .to_der()
    .unwrap()
}

#[derive(Clone, Debug, Eq, PartialEq, der::Sequence)]
struct EssCertIdV2 {
    cert_hash: OctetString,
}

#[derive(Clone, Debug, Eq, PartialEq, der::Sequence)]
struct SigningCertificateV2 {
    certs: Vec<EssCertIdV2>,
}

/// A time-stamp token by `tsa` over `imprint` (SHA-256) at `at`, echoing `nonce`.
pub fn token(tsa: &Party, imprint: &[u8], at: u64, nonce: Option<Int>) -> Vec<u8> {
    let sha256 = AlgorithmIdentifierOwned {
        oid: ID_SHA256,
        parameters: None,
    };
    let info = x509_tsp::TstInfo {
        version: x509_tsp::TspVersion::V1,
        policy: ObjectIdentifier::new_unwrap("1.2.3.4.1"),
        message_imprint: x509_tsp::MessageImprint {
            hash_algorithm: x509_cert::spki::AlgorithmIdentifier {
                oid: ID_SHA256,
                parameters: None,
            },
            hashed_message: OctetString::new(imprint.to_vec()).unwrap(),
        },
        serial_number: {
            let b = at.to_be_bytes();
            let mut v = b[b.iter().position(|&x| x != 0).unwrap_or(7)..].to_vec();
            if v[0] & 0x80 != 0 {
                v.insert(0, 0);
            }
            Int::new(&v).unwrap()
        },
        gen_time: GeneralizedTime::from_unix_duration(Duration::from_secs(at)).unwrap(),
        accuracy: None,
        ordering: false,
        nonce,
        tsa: None,
        extensions: None,
    }
    .to_der()
    .unwrap();
    let attr = |oid, value: Any| Attribute {
        oid,
        values: SetOfVec::try_from(vec![value]).unwrap(),
    };
    let cert_der = tsa.cert.to_der().unwrap();
    let signed_attrs = SetOfVec::try_from(vec![
        attr(ID_CONTENT_TYPE, Any::encode_from(&ID_CT_TST_INFO).unwrap()),
        attr(
            ID_MESSAGE_DIGEST,
            Any::encode_from(&OctetString::new(Sha256::digest(&info).to_vec()).unwrap()).unwrap(),
        ),
        attr(
            ID_SIGNING_CERTIFICATE_V2,
            Any::encode_from(&SigningCertificateV2 {
                certs: vec![EssCertIdV2 {
                    cert_hash: OctetString::new(Sha256::digest(&cert_der).to_vec()).unwrap(),
                }],
            })
            .unwrap(),
        ),
    ])
    .unwrap();
    let sig: p256::ecdsa::DerSignature = tsa.key.sign(&signed_attrs.to_der().unwrap());
    let signer_info = SignerInfo {
        version: CmsVersion::V1,
        sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: tsa.cert.tbs_certificate.issuer.clone(),
            serial_number: tsa.cert.tbs_certificate.serial_number.clone(),
        }),
        digest_alg: sha256.clone(),
        signed_attrs: Some(signed_attrs),
        signature_algorithm: AlgorithmIdentifierOwned {
            oid: ID_ECDSA_WITH_SHA256,
            parameters: None,
        },
        unsigned_attrs: None,
        signature: OctetString::new(sig.as_bytes().to_vec()).unwrap(),
    };
    let sd = SignedData {
        version: CmsVersion::V3,
        digest_algorithms: SetOfVec::try_from(vec![sha256]).unwrap(),
        encap_content_info: EncapsulatedContentInfo {
            econtent_type: ID_CT_TST_INFO,
            econtent: Some(Any::encode_from(&OctetString::new(info).unwrap()).unwrap()),
        },
        certificates: Some(CertificateSet(
            SetOfVec::try_from(vec![CertificateChoices::Certificate(tsa.cert.clone())]).unwrap(),
        )),
        crls: None,
        signer_infos: SignerInfos(SetOfVec::try_from(vec![signer_info]).unwrap()),
    };
    ContentInfo {
        content_type: ID_SIGNED_DATA,
        content: Any::encode_from(&sd).unwrap(),
    }
    .to_der()
    .unwrap()
}

/// Serves on 127.0.0.1: `POST /tsa` answered by `tsa` with its clock at now + `skew`
/// seconds (may be negative), and `GET <path>` with each CRL given. Returns the base URL.
pub fn authority(tsa: Option<(Party, i64)>, crls: Vec<(String, Vec<u8>)>) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { continue };
            let Some((path, body)) = read_request(&mut conn) else {
                continue;
            };
            let (status, ctype, answer) = if path == "/tsa" {
                match (&tsa, x509_tsp::TimeStampReq::from_der(&body)) {
                    (Some((party, skew)), Ok(req)) => {
                        let at = (now() as i64 + skew) as u64;
                        let token = token(
                            party,
                            req.message_imprint.hashed_message.as_bytes(),
                            at,
                            req.nonce.clone(),
                        );
                        let resp = x509_tsp::TimeStampResp {
                            status: cmpv2::status::PkiStatusInfo {
                                status: cmpv2::status::PkiStatus::Accepted,
                                status_string: None,
                                fail_info: None,
                            },
                            time_stamp_token: Some(ContentInfo::from_der(&token).unwrap()),
                        };
                        (200, "application/timestamp-reply", resp.to_der().unwrap())
                    }
                    _ => (400, "text/plain", b"bad request".to_vec()),
                }
            } else if let Some((_, crl)) = crls.iter().find(|(p, _)| *p == path) {
                (200, "application/pkix-crl", crl.clone())
            } else {
                (404, "text/plain", b"not found".to_vec())
            };
            let head = format!(
                "HTTP/1.1 {status} X\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                answer.len()
            );
            let _ = conn.write_all(head.as_bytes());
            let _ = conn.write_all(&answer);
        }
    });
    base
}

/// The path and body of one HTTP/1.1 request.
fn read_request(conn: &mut std::net::TcpStream) -> Option<(String, Vec<u8>)> {
    conn.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        let n = conn.read(&mut chunk).ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let path = head.split_whitespace().nth(1)?.to_string();
    let len: usize = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse().ok())?
        })
        .unwrap_or(0);
    while buf.len() < head_end + len {
        let n = conn.read(&mut chunk).ok()?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    Some((path, buf[head_end..].to_vec()))
}
