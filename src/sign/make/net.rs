//! The few HTTP requests signing makes: a time-stamp request to the TSA, OCSP requests and
//! CRL downloads. Plain HTTP (RFC 3161 tokens, OCSP responses and CRLs are signed, so they
//! are served over HTTP as a rule); every request has a timeout and a size cap.

use std::time::Duration;

/// The largest answer read from a TSA, an OCSP responder or a CRL distribution point.
const MAX_ANSWER_BYTES: u64 = 16 * 1024 * 1024;

/// Where and how to ask.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    pub url: &'a str,
    /// `(content type, body)` for a POST; a GET without.
    pub post: Option<(&'a str, &'a [u8])>,
    /// The `Accept` header: the answer's media type.
    pub accept: &'a str,
    /// Basic-auth credentials.
    pub auth: Option<(&'a str, &'a str)>,
    pub timeout: Duration,
}

/// The answer's body, or why there is none (naming the URL).
pub fn fetch(r: &Request) -> Result<Vec<u8>, String> {
    if !r.url.starts_with("http://") {
        return Err(format!(
            "{}: only http:// URLs can be fetched (tokens, OCSP responses and CRLs are signed themselves)",
            r.url
        ));
    }
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(r.timeout))
        .http_status_as_error(false)
        .max_redirects(3)
        .user_agent(concat!("collabdocs/", env!("CARGO_PKG_VERSION")))
        .build()
        .into();
    let auth = r.auth.map(|(user, password)| {
        use base64::Engine as _;
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
        )
    });
    let answer = match r.post {
        Some((content_type, body)) => {
            let mut req = agent
                .post(r.url)
                .header("Content-Type", content_type)
                .header("Accept", r.accept);
            if let Some(a) = &auth {
                req = req.header("Authorization", a);
            }
            req.send(body)
        }
        None => {
            let mut req = agent.get(r.url).header("Accept", r.accept);
            if let Some(a) = &auth {
                req = req.header("Authorization", a);
            }
            req.call()
        }
    };
    let mut answer = answer.map_err(|e| format!("{}: {e}", r.url))?;
    let status = answer.status();
    if !status.is_success() {
        return Err(format!("{}: answered HTTP {}", r.url, status.as_u16()));
    }
    answer
        .body_mut()
        .with_config()
        .limit(MAX_ANSWER_BYTES)
        .read_to_vec()
        .map_err(|e| format!("{}: {e}", r.url))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_http_is_fetched_and_a_closed_port_is_an_error_naming_the_url() {
        let req = |url| Request {
            url,
            post: None,
            accept: "*/*",
            auth: None,
            timeout: Duration::from_secs(2),
        };
        let e = fetch(&req("https://tsa.example.com/")).unwrap_err();
        assert!(e.contains("only http://"), "{e}");
        // Port 9 (discard) on the loopback: nothing listens in a test environment.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let url = format!("http://127.0.0.1:{port}/tsa");
        let e = fetch(&req(&url)).unwrap_err();
        assert!(e.starts_with(&url), "{e}");
    }
}
