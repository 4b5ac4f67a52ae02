//! `--web-config FILE`: Prometheus' web configuration file (the exporter-toolkit format that
//! `prometheus --web.config.file` reads), for TLS (rustls) and HTTP basic authentication
//! with bcrypt-hashed passwords.
//!
//! What is read: `tls_server_config` (`cert_file`, `key_file`, `client_auth_type`
//! `NoClientCert` or `RequireAndVerifyClientCert` with `client_ca_file`, `min_version`,
//! `max_version`) and `basic_auth_users`. Keys argus does not honour (`cipher_suites`,
//! `curve_preferences`, `http_server_config`, ...) are refused with a message rather than
//! silently ignored: a security setting that is quietly dropped is worse than a refusal.
//! Relative file names are relative to the configuration file, as Prometheus reads them.
//! The TLS handshakes themselves run in `connections.rs`, after the connection cap.

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use serde::Deserialize;
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    tls_server_config: Option<TlsFile>,
    #[serde(default)]
    basic_auth_users: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TlsFile {
    cert_file: Option<String>,
    key_file: Option<String>,
    #[serde(default)]
    client_auth_type: Option<String>,
    #[serde(default)]
    client_ca_file: Option<String>,
    #[serde(default)]
    min_version: Option<String>,
    #[serde(default)]
    max_version: Option<String>,
}

/// What a web configuration turns on.
pub struct WebConfig {
    /// Serve HTTPS with this configuration.
    pub tls: Option<Arc<rustls::ServerConfig>>,
    /// Require basic authentication on every endpoint.
    pub auth: Option<Arc<BasicAuth>>,
}

/// Loads and checks `path`; the message names the file and what is wrong.
pub fn load(path: &Path) -> Result<WebConfig, String> {
    let at = |why: String| format!("--web-config {}: {why}", path.display());
    let text = std::fs::read_to_string(path).map_err(|e| at(e.to_string()))?;
    let file: File = if text.trim().is_empty() {
        File::default()
    } else {
        serde_yaml_ng::from_str(&text).map_err(|e| at(e.to_string()))?
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    let tls = file
        .tls_server_config
        .map(|t| tls_config(&t, dir).map(Arc::new))
        .transpose()
        .map_err(at)?;
    for (user, hash) in &file.basic_auth_users {
        bcrypt_cost(hash).map_err(|why| at(format!("basic_auth_users.{user}: {why}")))?;
    }
    let auth = (!file.basic_auth_users.is_empty())
        .then(|| Arc::new(BasicAuth::new(file.basic_auth_users)));
    Ok(WebConfig { tls, auth })
}

/// The cost of a bcrypt hash (`$2a$`, `$2b$`, `$2y$`), or why it is not one.
fn bcrypt_cost(hash: &str) -> Result<u32, String> {
    let parts: Vec<&str> = hash.split('$').collect();
    match parts.as_slice() {
        ["", "2a" | "2b" | "2y" | "2x", cost, rest] if rest.len() == 53 => cost
            .parse::<u32>()
            .map_err(|_| "the bcrypt cost is not a number".to_string()),
        _ => Err("not a bcrypt hash (htpasswd -nBC 10 \"\" | tr -d ':\\n' makes one)".into()),
    }
}

fn tls_config(t: &TlsFile, dir: &Path) -> Result<rustls::ServerConfig, String> {
    let file = |name: &Option<String>, key: &str| -> Result<PathBuf, String> {
        let name = name
            .as_deref()
            .filter(|n| !n.is_empty())
            .ok_or_else(|| format!("tls_server_config.{key} is required"))?;
        Ok(dir.join(name))
    };
    let cert_path = file(&t.cert_file, "cert_file")?;
    let key_path = file(&t.key_file, "key_file")?;
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(&cert_path)
        .and_then(|i| i.collect())
        .map_err(|e| format!("cert_file {}: {e}", cert_path.display()))?;
    if certs.is_empty() {
        return Err(format!(
            "cert_file {}: no certificate in it",
            cert_path.display()
        ));
    }
    let key = PrivateKeyDer::from_pem_file(&key_path)
        .map_err(|e| format!("key_file {}: {e}", key_path.display()))?;
    let version = |v: &Option<String>, key: &str| -> Result<Option<u8>, String> {
        match v.as_deref() {
            None | Some("") => Ok(None),
            Some("TLS12") => Ok(Some(12)),
            Some("TLS13") => Ok(Some(13)),
            Some(other) => Err(format!(
                "tls_server_config.{key}: {other:?} is not supported (use TLS12 or TLS13)"
            )),
        }
    };
    let min = version(&t.min_version, "min_version")?.unwrap_or(12);
    let max = version(&t.max_version, "max_version")?.unwrap_or(13);
    let versions: Vec<&'static rustls::SupportedProtocolVersion> =
        [(12, &rustls::version::TLS12), (13, &rustls::version::TLS13)]
            .into_iter()
            .filter(|(v, _)| (min..=max).contains(v))
            .map(|(_, p)| p)
            .collect();
    if versions.is_empty() {
        return Err("tls_server_config: min_version is above max_version".into());
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(&versions)
        .map_err(|e| format!("tls_server_config: {e}"))?;
    let builder = match t.client_auth_type.as_deref() {
        None | Some("") | Some("NoClientCert") => builder.with_no_client_auth(),
        Some("RequireAndVerifyClientCert") => {
            let ca_path = file(&t.client_ca_file, "client_ca_file")?;
            let mut roots = rustls::RootCertStore::empty();
            for c in CertificateDer::pem_file_iter(&ca_path)
                .map_err(|e| format!("client_ca_file {}: {e}", ca_path.display()))?
            {
                let c = c.map_err(|e| format!("client_ca_file {}: {e}", ca_path.display()))?;
                roots
                    .add(c)
                    .map_err(|e| format!("client_ca_file {}: {e}", ca_path.display()))?;
            }
            let verifier =
                rustls::server::WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
                    .build()
                    .map_err(|e| format!("client_ca_file {}: {e}", ca_path.display()))?;
            builder.with_client_cert_verifier(verifier)
        }
        Some(other) => {
            return Err(format!(
                "tls_server_config.client_auth_type: {other:?} is not supported (use NoClientCert or RequireAndVerifyClientCert)"
            ))
        }
    };
    let mut cfg = builder
        .with_single_cert(certs, key)
        .map_err(|e| format!("tls_server_config: the key does not fit the certificate: {e}"))?;
    cfg.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(cfg)
}

/// Basic authentication against bcrypt hashes. bcrypt is slow on purpose (tens of
/// milliseconds a check), so a user and password that passed once are remembered, by a
/// digest rather than in the clear, and later requests skip bcrypt.
pub struct BasicAuth {
    users: BTreeMap<String, String>,
    verified: Mutex<HashSet<[u8; 16]>>,
}

/// A bcrypt hash of no password anyone has, checked for unknown users so that an unknown
/// user takes as long to refuse as a wrong password.
const DUMMY_HASH: &str = "$2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjfnqqzQlqaRTZmsfvZ2UU7Ob/2a";

impl BasicAuth {
    pub fn new(users: BTreeMap<String, String>) -> BasicAuth {
        BasicAuth {
            users,
            verified: Mutex::new(HashSet::new()),
        }
    }

    fn digest(user: &str, password: &str) -> [u8; 16] {
        use md5::Digest;
        let mut h = md5::Md5::new();
        h.update(user.as_bytes());
        h.update([0u8]);
        h.update(password.as_bytes());
        h.finalize().into()
    }

    /// Whether an `Authorization` header carries valid basic credentials. Runs bcrypt on
    /// the calling thread when the pair was not seen before: call it off the async threads.
    pub fn allows(&self, authorization: Option<&str>) -> bool {
        use base64::Engine;
        let Some((scheme, encoded)) = authorization.and_then(|a| a.split_once(' ')) else {
            return false;
        };
        if !scheme.eq_ignore_ascii_case("basic") {
            return false;
        }
        let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(encoded.trim()) else {
            return false;
        };
        let Ok(text) = String::from_utf8(decoded) else {
            return false;
        };
        let Some((user, password)) = text.split_once(':') else {
            return false;
        };
        let digest = BasicAuth::digest(user, password);
        if self
            .verified
            .lock()
            .is_ok_and(|seen| seen.contains(&digest))
        {
            return true;
        }
        let (hash, known) = match self.users.get(user) {
            Some(h) => (h.as_str(), true),
            None => (DUMMY_HASH, false),
        };
        let ok = bcrypt::verify(password, hash).unwrap_or(false) && known;
        if ok {
            if let Ok(mut seen) = self.verified.lock() {
                seen.insert(digest);
            }
        }
        ok
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_auth_checks_bcrypt_and_remembers_good_pairs() {
        let hash = bcrypt::hash("pw", 4).unwrap();
        let auth = BasicAuth::new(BTreeMap::from([("alice".to_string(), hash)]));
        use base64::Engine;
        let header = |s: &str| {
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(s)
            )
        };
        assert!(auth.allows(Some(&header("alice:pw"))));
        assert!(auth.allows(Some(&header("alice:pw"))), "from the cache");
        assert!(!auth.allows(Some(&header("alice:wrong"))));
        assert!(!auth.allows(Some(&header("bob:pw"))));
        assert!(!auth.allows(Some("Bearer x")));
        assert!(!auth.allows(None));
    }

    #[test]
    fn refuses_what_it_would_not_honour() {
        let dir = tempfile::tempdir().unwrap();
        let write = |text: &str| {
            let p = dir.path().join("web.yml");
            std::fs::write(&p, text).unwrap();
            p
        };
        let e = load(&write(
            "tls_server_config:\n  cert_file: a\n  key_file: b\n  cipher_suites: [x]\n",
        ))
        .err()
        .unwrap();
        assert!(e.contains("cipher_suites"), "{e}");
        let e = load(&write("basic_auth_users:\n  alice: plain\n"))
            .err()
            .unwrap();
        assert!(
            e.contains("basic_auth_users.alice: not a bcrypt hash"),
            "{e}"
        );
        let e = load(&write(
            "tls_server_config:\n  cert_file: missing.crt\n  key_file: missing.key\n",
        ))
        .err()
        .unwrap();
        assert!(e.contains("missing.crt"), "{e}");
        let ok = load(&write("")).unwrap();
        assert!(ok.tls.is_none() && ok.auth.is_none());
    }
}
