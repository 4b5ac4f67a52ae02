//! Secrets hidden where the server shows its configuration and targets: passwords, tokens,
//! client secrets and private keys become `<secret>`, as Prometheus shows them, and so does
//! the password of a URL (`http://user:<secret>@host/`) or of a target address
//! (`user:<secret>@host:9100`), in the configuration, in target URLs and in error messages
//! that quote a URL. Paths of files that hold secrets
//! (`password_file`, `credentials_file`, ...) are shown: they are not secret themselves.
//!
//! The configuration is shown as it is re-written from its parsed form (comments and
//! layout are not kept, as in Prometheus, which shows its configuration re-marshalled), so
//! that a secret is hidden wherever it sits, including in sections argus ignores.

use regex::Regex;
use serde_yaml_ng::Value;
use std::borrow::Cow;
use std::sync::OnceLock;

/// What a secret is shown as.
pub const SECRET: &str = "<secret>";

/// Keys whose values are secrets in Prometheus' configuration: `basic_auth.password`,
/// `bearer_token`, `authorization.credentials`, `oauth2.client_secret`, `tls_config.key`,
/// service discovery tokens and passwords, SigV4's `secret_key`, OpenStack's
/// `application_credential_secret`.
const SECRET_KEYS: &[&str] = &[
    "password",
    "bearer_token",
    "credentials",
    "client_secret",
    "key",
    "token",
    "secret_key",
    "application_credential_secret",
];

/// Keys whose every value below is a secret: `proxy_connect_header` (header name → values)
/// and the `secrets` list of an `http_headers` entry.
const SECRET_SECTIONS: &[&str] = &["proxy_connect_header", "secrets"];

/// `scheme://user:password@`: the password is group 2.
fn url_password() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        // The pattern is a constant, checked by the tests below.
        Regex::new(r#"([A-Za-z][A-Za-z0-9+.\-]*://[^/?#@\s:"'<>]*):([^/?#@\s"'<>]*)@"#)
            .expect("a valid pattern")
    })
}

/// `text` with the password of every URL in it replaced by `<secret>`.
pub fn urls(text: &str) -> Cow<'_, str> {
    url_password().replace_all(text, format!("$1:{SECRET}@").as_str())
}

/// `user:password@host:port`, a target address with credentials and no scheme.
fn address_password() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        // The pattern is a constant, checked by the tests below.
        Regex::new(r"^([^/?#@\s:]*):([^/?#@\s]*)@").expect("a valid pattern")
    })
}

/// A target address (`static_configs` `targets`, an `instance` label) with its password,
/// if any, hidden.
pub fn address(text: &str) -> Cow<'_, str> {
    match urls(text) {
        Cow::Borrowed(t) => address_password().replace(t, format!("$1:{SECRET}@").as_str()),
        owned => owned,
    }
}

/// A configuration's YAML text with its secrets hidden. Text that does not parse as YAML
/// (never the case for a configuration that loaded) is not shown at all.
pub fn config_yaml(text: &str) -> String {
    let Ok(mut doc) = serde_yaml_ng::from_str::<Value>(text) else {
        return "# the configuration is not shown: it does not parse as YAML\n".to_string();
    };
    if doc.is_null() {
        return String::new();
    }
    hide(&mut doc, Within::Other);
    serde_yaml_ng::to_string(&doc).unwrap_or_default()
}

/// Where a value sits, for what is hidden in its strings.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Within {
    /// A secret section: every string is hidden.
    Secrets,
    /// A `targets` list: addresses, whose `user:password@` is hidden.
    Targets,
    /// Anywhere else: the passwords of URLs are hidden.
    Other,
}

/// Hides the secrets in `v`.
fn hide(v: &mut Value, within: Within) {
    match v {
        Value::String(s) => {
            let hidden = match within {
                Within::Secrets if !s.is_empty() => Cow::Owned(SECRET.to_string()),
                Within::Targets => address(s),
                _ => urls(s),
            };
            if let Cow::Owned(hidden) = hidden {
                *s = hidden;
            }
        }
        Value::Sequence(items) => items.iter_mut().for_each(|i| hide(i, within)),
        Value::Mapping(map) => {
            for (k, val) in map.iter_mut() {
                let key = k.as_str().unwrap_or("");
                if SECRET_KEYS.contains(&key) && !is_empty(val) {
                    *val = Value::String(SECRET.to_string());
                } else if within == Within::Secrets || SECRET_SECTIONS.contains(&key) {
                    hide(val, Within::Secrets);
                } else if key == "targets" {
                    hide(val, Within::Targets);
                } else {
                    hide(val, Within::Other);
                }
            }
        }
        Value::Tagged(t) => hide(&mut t.value, within),
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        _ => false,
    }
}

/// `labels` as a target list shows them: passwords of addresses hidden in every value.
pub fn target_labels(labels: &crate::model::Labels) -> crate::model::Labels {
    crate::model::Labels::from_pairs(labels.iter().map(|(k, v)| (k, address(v).into_owned())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_passwords_are_hidden_in_any_text() {
        assert_eq!(
            urls("Get \"http://alice:s3cr3t@host:9100/metrics?x=1\": refused"),
            "Get \"http://alice:<secret>@host:9100/metrics?x=1\": refused"
        );
        assert_eq!(urls("https://bob@host/"), "https://bob@host/");
        assert_eq!(
            urls("http://host:9100/metrics and socks5://u:p@proxy:1080"),
            "http://host:9100/metrics and socks5://u:<secret>@proxy:1080"
        );
    }

    #[test]
    fn every_kind_of_secret_in_a_configuration_is_hidden() {
        let yaml = r#"
global: {scrape_interval: 15s}
scrape_configs:
- job_name: basic
  basic_auth: {username: alice, password: pw-basic, password_file: /etc/pw}
  static_configs: [{targets: ['a:9100', 'scraper:target-pw@b:9100']}]
- job_name: bearer
  bearer_token: tok-bearer
- job_name: authz
  authorization: {type: Bearer, credentials: cred-authz, credentials_file: /etc/c}
- job_name: oauth
  oauth2: {client_id: id, client_secret: secret-oauth, token_url: 'https://t/'}
  proxy_url: 'http://proxyuser:proxy-pw@proxy:3128'
  proxy_connect_header: {Proxy-Authorization: [proxy-header-secret]}
  tls_config: {cert: CERT, key: private-key-pem, key_file: /etc/key}
  http_headers:
    X-Api-Key: {values: [shown], secrets: [header-secret]}
"#;
        let out = config_yaml(yaml);
        for secret in [
            "pw-basic",
            "tok-bearer",
            "cred-authz",
            "secret-oauth",
            "proxy-pw",
            "proxy-header-secret",
            "private-key-pem",
            "header-secret",
            "target-pw",
        ] {
            assert!(!out.contains(secret), "{secret} shown in:\n{out}");
        }
        for shown in [
            "alice",
            "/etc/pw",
            "/etc/c",
            "/etc/key",
            "client_id: id",
            "proxyuser",
            "shown",
            "a:9100",
            "scraper:<secret>@b:9100",
        ] {
            assert!(out.contains(shown), "{shown} missing from:\n{out}");
        }
        assert!(out.contains("password: <secret>"), "{out}");
    }
}
