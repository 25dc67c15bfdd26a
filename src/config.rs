//! Settings: defaults in code, overridden by `COLLABDOCS_*` environment variables or flags,
//! checked at start-up (clap refuses a bad value with a clear message).

use std::path::PathBuf;

use clap::Args;

use crate::budget::Limits;
use crate::engine::EngineOptions;
use crate::render::fonts::FontSet;
use crate::render::Theme;

/// Settings of the engine, shared by every command.
#[derive(Debug, Clone, Args)]
pub struct EngineSettings {
    /// Directory of replacement templates (`<kind>.hbs`, `partials/*.hbs`); built-ins otherwise.
    #[arg(long, env = "COLLABDOCS_TEMPLATES_DIR")]
    pub templates_dir: Option<PathBuf>,
    /// Directory of extra fonts (.ttf/.otf/.ttc) for PDF, tried before the embedded face.
    #[arg(long, env = "COLLABDOCS_FONTS_DIR")]
    pub fonts_dir: Option<PathBuf>,
    /// The PDFs of the built-in layouts and named Word templates as an archive asks for them
    /// unless a request says (`?archive=`): none, or pdfa (PDF/A-3b with the payload attached).
    #[arg(long, env = "COLLABDOCS_ARCHIVE", value_enum, default_value = "none")]
    pub archive: crate::engine::ArchiveFormat,
    /// Part of the file or family name of the body face in the fonts directory.
    #[arg(long, env = "COLLABDOCS_BODY_FONT", requires = "fonts_dir")]
    pub body_font: Option<String>,
    /// Part of the file or family name of the face for headings and bold text.
    #[arg(long, env = "COLLABDOCS_HEADING_FONT", requires = "fonts_dir")]
    pub heading_font: Option<String>,
    #[command(flatten)]
    pub limits: LimitSettings,
    /// PEM private key (ECDSA P-256 or RSA; PKCS#8, SEC1 or PKCS#1) agreements are
    /// digitally signed with (`sign=true`).
    #[arg(
        long,
        env = "COLLABDOCS_SIGNING_KEY",
        requires = "signing_cert",
        conflicts_with = "signing_p12"
    )]
    pub signing_key: Option<PathBuf>,
    /// PEM certificate of that key, followed by any chain.
    #[arg(long, env = "COLLABDOCS_SIGNING_CERT", requires = "signing_key")]
    pub signing_cert: Option<PathBuf>,
    /// Or: a PKCS#12 file (.p12/.pfx) holding the key and its certificate chain.
    #[arg(long, env = "COLLABDOCS_SIGNING_P12")]
    pub signing_p12: Option<PathBuf>,
    /// The PKCS#12 file's password; from the environment only, so it stays out of `ps`.
    #[arg(skip = std::env::var("COLLABDOCS_SIGNING_P12_PASSWORD").unwrap_or_default())]
    pub signing_p12_password: String,
    /// A PNG with transparency (the round red seal) drawn over the signing organisation's line
    /// inside the signature widget of signed documents.
    #[arg(long, env = "COLLABDOCS_SEAL_IMAGE")]
    pub seal_image: Option<PathBuf>,
    /// The secret the tokens of the parties' own signatures are made with (`POST
    /// /v1/sign/prepare` and `/v1/sign/complete`): at least 32 bytes, the same on every
    /// replica. From the environment only, so it stays out of `ps`.
    #[arg(skip = std::env::var("COLLABDOCS_SIGNING_TOKEN_SECRET").unwrap_or_default())]
    pub signing_token_secret: String,
    /// How long a prepared signature's token is accepted, in seconds.
    #[arg(long, env = "COLLABDOCS_SIGNING_TOKEN_TTL_SECS", default_value_t = 900, value_parser = clap::value_parser!(u64).range(10..=86_400))]
    pub signing_token_ttl_secs: u64,
    /// PEM bundle of the certificates (roots or intermediates) a signature's chain must reach
    /// for `/v1/verify` to call it trusted.
    #[arg(long, env = "COLLABDOCS_TRUST_ANCHORS")]
    pub trust_anchors: Option<PathBuf>,
    #[command(flatten)]
    pub long_term: LongTermSettings,
}

/// Trusted time and long-term validation of signatures (PAdES B-T, B-LT, B-LTA).
#[derive(Debug, Clone, Args)]
pub struct LongTermSettings {
    /// RFC 3161 time-stamp authority (http://); every signature then carries its token.
    #[arg(long, env = "COLLABDOCS_TSA_URL")]
    pub tsa_url: Option<String>,
    /// User name for the time-stamp authority (HTTP basic auth).
    #[arg(long, env = "COLLABDOCS_TSA_USERNAME", requires = "tsa_url")]
    pub tsa_username: Option<String>,
    /// Its password; from the environment only.
    #[arg(skip = std::env::var("COLLABDOCS_TSA_PASSWORD").ok())]
    pub tsa_password: Option<String>,
    /// How long to wait for the time-stamp authority, in milliseconds.
    #[arg(long, env = "COLLABDOCS_TSA_TIMEOUT_MS", default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(100..=120_000))]
    pub tsa_timeout_ms: u64,
    /// How long to wait for each OCSP responder or CRL download at signing, in milliseconds.
    #[arg(long, env = "COLLABDOCS_REVOCATION_TIMEOUT_MS", default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(100..=120_000))]
    pub revocation_timeout_ms: u64,
    /// PEM of the signing certificate's intermediate and root certificates.
    #[arg(long, env = "COLLABDOCS_SIGNING_CHAIN")]
    pub signing_chain: Option<PathBuf>,
    /// PAdES level to sign at: b-b, b-t, b-lt or b-lta; the highest the settings allow when
    /// unset.
    #[arg(long, env = "COLLABDOCS_SIGNATURE_LEVEL", value_enum)]
    pub signature_level: Option<crate::sign::Level>,
}

impl LongTermSettings {
    /// The signer with its chain and services; refuses settings that cannot work together.
    fn apply(
        &self,
        signer: Option<crate::sign::Signer>,
    ) -> Result<Option<crate::sign::Signer>, String> {
        use crate::sign::{Services, Tsa};
        let Some(signer) = signer else {
            let set = [
                ("COLLABDOCS_TSA_URL", self.tsa_url.is_some()),
                ("COLLABDOCS_SIGNING_CHAIN", self.signing_chain.is_some()),
                ("COLLABDOCS_SIGNATURE_LEVEL", self.signature_level.is_some()),
            ];
            return match set.iter().find(|(_, on)| *on) {
                Some((name, _)) => Err(format!("{name} is set but there is no signing key (COLLABDOCS_SIGNING_KEY and COLLABDOCS_SIGNING_CERT, or COLLABDOCS_SIGNING_P12)")),
                None => Ok(None),
            };
        };
        let chain = match &self.signing_chain {
            Some(path) => {
                let pem = std::fs::read(path).map_err(|e| {
                    format!(
                        "COLLABDOCS_SIGNING_CHAIN: cannot read {}: {e}",
                        path.display()
                    )
                })?;
                cms::cert::x509::Certificate::load_pem_chain(&pem)
                    .ok()
                    .filter(|c| !c.is_empty())
                    .ok_or("COLLABDOCS_SIGNING_CHAIN: the file holds no PEM certificate")?
            }
            None => Vec::new(),
        };
        let signer = signer.with_chain(chain);
        let tsa = match &self.tsa_url {
            Some(url) if !url.starts_with("http://") => {
                return Err(format!("COLLABDOCS_TSA_URL: {url} is not an http:// URL (time-stamp tokens are signed, so RFC 3161 is spoken over plain HTTP; https is not supported)"))
            }
            Some(url) => Some(Tsa {
                url: url.clone(),
                auth: self
                    .tsa_username
                    .clone()
                    .map(|u| (u, self.tsa_password.clone().unwrap_or_default())),
                timeout: std::time::Duration::from_millis(self.tsa_timeout_ms),
            }),
            None => None,
        };
        let level = self
            .signature_level
            .unwrap_or_else(|| signer.highest_level(tsa.is_some()));
        signer
            .with_services(Services {
                level,
                tsa,
                revocation_timeout: std::time::Duration::from_millis(self.revocation_timeout_ms),
            })
            .map(Some)
    }
}

/// The payload limits, which the OpenAPI document states too.
#[derive(Debug, Clone, Args)]
pub struct LimitSettings {
    /// Longest string accepted in a payload, in characters.
    #[arg(long, env = "COLLABDOCS_MAX_STRING_CHARS", default_value_t = 20_000, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub max_string_chars: u64,
    /// Most items accepted in one array of a payload.
    #[arg(long, env = "COLLABDOCS_MAX_ARRAY_ITEMS", default_value_t = 2_000, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub max_array_items: u64,
    /// Most pages one PDF may have; a longer document is a 422.
    #[arg(long, env = "COLLABDOCS_MAX_PAGES", default_value_t = 500, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub max_pages: u64,
    /// Most table cells one document may have (every table and grid, a RACI matrix's tasks × parties); more is a 422.
    #[arg(long, env = "COLLABDOCS_MAX_TABLE_CELLS", default_value_t = 60_000, value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    pub max_table_cells: u64,
    /// Largest file one render may produce, in bytes; a larger one is a 422.
    #[arg(long, env = "COLLABDOCS_MAX_OUTPUT_BYTES", default_value_t = 32 * 1024 * 1024, value_parser = clap::value_parser!(u64).range(1024..=4096 * 1024 * 1024))]
    pub max_output_bytes: u64,
    /// Most pixels (width × height) one image may decode to; a larger image is a 422.
    #[arg(long, env = "COLLABDOCS_MAX_IMAGE_PIXELS", default_value_t = 8_000_000, value_parser = clap::value_parser!(u64).range(1..=400_000_000))]
    pub max_image_pixels: u64,
    /// Most pixels all the images of one payload may decode to together; more is a 422 at the
    /// image that goes past it.
    #[arg(long, env = "COLLABDOCS_MAX_REQUEST_IMAGE_PIXELS", default_value_t = 40_000_000, value_parser = clap::value_parser!(u64).range(1..=4_000_000_000))]
    pub max_request_image_pixels: u64,
}

impl EngineSettings {
    /// The signing identity the settings name, if any.
    fn signer(&self) -> Result<Option<crate::sign::Signer>, String> {
        use crate::sign::Signer;
        if let Some(p12) = &self.signing_p12 {
            let data = std::fs::read(p12).map_err(|e| {
                format!("COLLABDOCS_SIGNING_P12: cannot read {}: {e}", p12.display())
            })?;
            return Signer::from_pkcs12(&data, &self.signing_p12_password)
                .map(Some)
                .map_err(|e| format!("COLLABDOCS_SIGNING_P12: {e}"));
        }
        match (&self.signing_key, &self.signing_cert) {
            (Some(key), Some(cert)) => Signer::from_pem_files(key, cert)
                .map(Some)
                .map_err(|e| format!("COLLABDOCS_SIGNING_KEY / COLLABDOCS_SIGNING_CERT: {e}")),
            _ => Ok(None),
        }
    }
}

impl EngineSettings {
    /// The signer, with the seal when one is configured (which needs a signer).
    fn signer_with_seal(&self) -> Result<Option<crate::sign::Signer>, String> {
        let signer = self.signer()?;
        let Some(path) = &self.seal_image else {
            return Ok(signer);
        };
        let Some(mut signer) = signer else {
            return Err("COLLABDOCS_SEAL_IMAGE is set but there is no signing key (COLLABDOCS_SIGNING_KEY and COLLABDOCS_SIGNING_CERT, or COLLABDOCS_SIGNING_P12)".into());
        };
        let png = std::fs::read(path)
            .map_err(|e| format!("COLLABDOCS_SEAL_IMAGE: cannot read {}: {e}", path.display()))?;
        signer.seal = Some(
            crate::sign::Seal::from_png(&png).map_err(|e| format!("COLLABDOCS_SEAL_IMAGE: {e}"))?,
        );
        Ok(Some(signer))
    }
}

impl LimitSettings {
    pub fn limits(&self) -> Limits {
        Limits {
            max_string_chars: self.max_string_chars as usize,
            max_array_items: self.max_array_items as usize,
            max_pages: self.max_pages as usize,
            max_table_cells: self.max_table_cells as usize,
            max_output_bytes: self.max_output_bytes as usize,
            max_image_pixels: self.max_image_pixels,
            max_request_image_pixels: self.max_request_image_pixels,
        }
    }
}

impl EngineSettings {
    /// The engine's options; fails when the fonts directory cannot be used.
    pub fn engine_options(&self) -> Result<EngineOptions, String> {
        let mut theme = Theme::default();
        if let Some(dir) = &self.fonts_dir {
            theme.fonts =
                FontSet::load(dir, self.body_font.as_deref(), self.heading_font.as_deref())
                    .map_err(|e| e.to_string())?;
        }
        Ok(EngineOptions {
            archive: self.archive,
            templates_dir: self.templates_dir.clone(),
            limits: self.limits.limits(),
            signer: self
                .long_term
                .apply(self.signer_with_seal()?)?
                .map(std::sync::Arc::new),
            theme,
            trust_anchors: match &self.trust_anchors {
                Some(path) => read_anchors(path)?,
                None => Vec::new(),
            },
            party_tokens: match self.signing_token_secret.len() {
                0 => None,
                n if n < 32 => {
                    return Err(format!(
                        "COLLABDOCS_SIGNING_TOKEN_SECRET is {n} bytes; use at least 32 (e.g. `openssl rand -hex 32`)"
                    ))
                }
                _ => Some(crate::engine::PartyTokens {
                    secret: self.signing_token_secret.as_bytes().to_vec(),
                    ttl: std::time::Duration::from_secs(self.signing_token_ttl_secs),
                }),
            },
        })
    }
}

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Human,
    Json,
}

/// Settings of the HTTP service.
#[derive(Debug, Clone, Args)]
pub struct ServeSettings {
    /// Address and port to listen on.
    #[arg(long, env = "COLLABDOCS_BIND", default_value = "127.0.0.1:8080")]
    pub bind: String,
    /// HTTP worker threads (0 = one per core).
    #[arg(long, env = "COLLABDOCS_WORKERS", default_value_t = 0)]
    pub workers: usize,
    /// Largest request body accepted, in bytes.
    #[arg(long, env = "COLLABDOCS_BODY_LIMIT_BYTES", default_value_t = 2 * 1024 * 1024, value_parser = clap::value_parser!(u64).range(1024..=512 * 1024 * 1024))]
    pub body_limit_bytes: u64,
    /// Largest batch request body accepted, in bytes.
    #[arg(long, env = "COLLABDOCS_BATCH_BODY_LIMIT_BYTES", default_value_t = 32 * 1024 * 1024, value_parser = clap::value_parser!(u64).range(1024..=2048 * 1024 * 1024))]
    pub batch_body_limit_bytes: u64,
    /// Largest PDF `/v1/verify` accepts, in bytes.
    #[arg(long, env = "COLLABDOCS_VERIFY_BODY_LIMIT_BYTES", default_value_t = 16 * 1024 * 1024, value_parser = clap::value_parser!(u64).range(1024..=2048 * 1024 * 1024))]
    pub verify_body_limit_bytes: u64,
    /// Largest `POST /v1/render` body (a Word template and its data) accepted, in bytes.
    #[arg(long, env = "COLLABDOCS_TEMPLATE_BODY_LIMIT_BYTES", default_value_t = 16 * 1024 * 1024, value_parser = clap::value_parser!(u64).range(1024..=512 * 1024 * 1024))]
    pub template_body_limit_bytes: u64,
    /// Bytes of request bodies held at once, all requests together: a body that would go past
    /// it is refused with 503 before it is read further.
    #[arg(long, env = "COLLABDOCS_BODY_BUDGET_BYTES", default_value_t = 64 * 1024 * 1024, value_parser = clap::value_parser!(u64).range(1024..=4 * 1024 * 1024 * 1024 - 1))]
    pub body_budget_bytes: u64,
    /// A request body not received whole in this time is refused with 408, in milliseconds.
    #[arg(long, env = "COLLABDOCS_BODY_TIMEOUT_MS", default_value_t = 20_000, value_parser = clap::value_parser!(u64).range(100..=600_000))]
    pub body_timeout_ms: u64,
    /// Most items one batch may hold (the parts of a split count).
    #[arg(long, env = "COLLABDOCS_BATCH_MAX_ITEMS", default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub batch_max_items: u64,
    /// Renders allowed at once (0 = four per core); more are refused with 503 at once.
    #[arg(long, env = "COLLABDOCS_MAX_CONCURRENT_RENDERS", default_value_t = 0)]
    pub max_concurrent_renders: usize,
    /// A render taking longer than this is answered 503 with Retry-After, in milliseconds.
    #[arg(long, env = "COLLABDOCS_RENDER_TIMEOUT_MS", default_value_t = 30_000, value_parser = clap::value_parser!(u64).range(1..=600_000))]
    pub render_timeout_ms: u64,
    /// A client that has not sent its request head and body in this time is cut off, in milliseconds.
    #[arg(long, env = "COLLABDOCS_CLIENT_TIMEOUT_MS", default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(100..=600_000))]
    pub client_timeout_ms: u64,
    /// Comma-separated API keys; when set, every /v1 route needs `Authorization: Bearer <key>`.
    #[arg(
        long,
        env = "COLLABDOCS_API_KEYS",
        value_delimiter = ',',
        hide_env_values = true
    )]
    pub api_keys: Vec<String>,
    /// Comma-separated: the API keys that may ask for signed documents (`sign=true`); each must
    /// be one of the API keys. When unset, any API key may; others get 403.
    #[arg(
        long,
        env = "COLLABDOCS_SIGNING_API_KEYS",
        value_delimiter = ',',
        hide_env_values = true
    )]
    pub signing_api_keys: Vec<String>,
    /// Seconds to keep serving after SIGTERM (with /readyz at 503) before stopping.
    #[arg(long, env = "COLLABDOCS_DRAIN_SECS", default_value_t = 0)]
    pub drain_secs: u64,
    /// Seconds requests in flight get to finish during shutdown.
    #[arg(long, env = "COLLABDOCS_SHUTDOWN_TIMEOUT_SECS", default_value_t = 30)]
    pub shutdown_timeout_secs: u64,
    /// Reload the templates directory (COLLABDOCS_TEMPLATES_DIR) when a file in it changes;
    /// each new set is proven against every example first, and the studio shows its errors.
    #[arg(long, env = "COLLABDOCS_WATCH_TEMPLATES")]
    pub watch_templates: bool,
    /// Log format: human or json.
    #[arg(long, env = "COLLABDOCS_LOG_FORMAT", value_enum, default_value_t = LogFormat::Human)]
    pub log_format: LogFormat,
    #[command(flatten)]
    pub engine: EngineSettings,
}

/// The trust anchors in a PEM file, or why they cannot be read (a start-up error).
pub fn read_anchors(path: &std::path::Path) -> Result<Vec<cms::cert::x509::Certificate>, String> {
    let pem = std::fs::read(path).map_err(|e| {
        format!(
            "COLLABDOCS_TRUST_ANCHORS: cannot read {}: {e}",
            path.display()
        )
    })?;
    crate::sign::Trust::anchors_from_pem(&pem).map_err(|e| format!("COLLABDOCS_TRUST_ANCHORS: {e}"))
}
