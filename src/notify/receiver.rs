//! The `receivers:` of alertmanager.yml: their names and the two kinds of integration argus
//! delivers to, `webhook_configs` and `slack_configs`, with Alertmanager's defaults
//! (`send_resolved` true for webhooks and false for Slack; Slack's title, color, username
//! and the rest from Alertmanager's default templates). Every other kind of integration is
//! refused by name, so that a configuration argus cannot honour fails when it is loaded
//! rather than when an alert should have reached someone.
//!
//! URLs are secrets (they carry the webhook's token): [`SecretUrl`] prints as `<secret>`
//! and only [`SecretUrl::expose`] gives the text, for the request itself.

use super::config::{bool_field, string_field, Loader};
use crate::yaml::Node;
use std::fmt;

/// A receiver: a name and the integrations a notification to it goes to.
#[derive(Clone, Debug, PartialEq)]
pub struct Receiver {
    pub name: String,
    pub webhook_configs: Vec<WebhookConfig>,
    pub slack_configs: Vec<SlackConfig>,
    pub line: usize,
}

/// A URL that prints as `<secret>`.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretUrl(String);

impl SecretUrl {
    /// Checks the URL as Alertmanager does: http or https, with a host. Messages never
    /// quote the URL.
    pub fn parse(text: &str) -> Result<SecretUrl, String> {
        if text == "<secret>" {
            return Err(
                "the URL is the placeholder <secret> of a redacted configuration".to_string(),
            );
        }
        // The scheme as Go's url.Parse finds it: letters first, then letters, digits, `+-.`.
        let scheme = text
            .split_once(':')
            .map(|(s, _)| s)
            .filter(|s| {
                s.starts_with(|c: char| c.is_ascii_alphabetic())
                    && s.chars()
                        .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
            })
            .unwrap_or("")
            .to_ascii_lowercase();
        if scheme != "http" && scheme != "https" {
            return Err(format!("unsupported scheme {scheme:?} for URL"));
        }
        let url = match reqwest::Url::parse(text) {
            Ok(u) => u,
            // The url crate's wording for an empty host.
            Err(e) if e.to_string() == "empty host" => {
                return Err("missing host for URL".to_string())
            }
            Err(e) => return Err(format!("invalid URL: {e}")),
        };
        if url.host_str().unwrap_or("").is_empty() {
            return Err("missing host for URL".to_string());
        }
        Ok(SecretUrl(text.to_string()))
    }

    /// The URL itself, for sending; never for messages.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SecretUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<secret>")
    }
}

impl fmt::Debug for SecretUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<secret>")
    }
}

/// Where an integration's URL comes from: the configuration, or a file read at each send
/// (so that a rotated secret is picked up), trimmed of surrounding white space.
#[derive(Clone, Debug, PartialEq)]
pub enum UrlSource {
    Inline(SecretUrl),
    File(String),
}

impl UrlSource {
    /// The URL to send to now.
    pub fn resolve(&self) -> Result<SecretUrl, String> {
        match self {
            UrlSource::Inline(u) => Ok(u.clone()),
            UrlSource::File(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| format!("cannot read the URL file {path}: {e}"))?;
                SecretUrl::parse(text.trim()).map_err(|e| format!("the URL in {path}: {e}"))
            }
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct WebhookConfig {
    pub send_resolved: bool,
    pub url: UrlSource,
    /// Most alerts one message carries; 0 is no limit.
    pub max_alerts: u64,
    /// Timeout of one request in milliseconds; 0 is none.
    pub timeout: i64,
}

/// A Slack integration. The text fields are Go templates; the defaults are Alertmanager's
/// (`{{ template "slack.default.title" . }}`...), which [`super::slack`] renders natively.
#[derive(Clone, Debug, PartialEq)]
pub struct SlackConfig {
    pub send_resolved: bool,
    pub api_url: UrlSource,
    pub channel: String,
    pub username: String,
    pub color: String,
    pub title: String,
    pub title_link: String,
    pub pretext: String,
    pub text: String,
    pub fields: Vec<SlackField>,
    pub short_fields: bool,
    pub footer: String,
    pub fallback: String,
    pub callback_id: String,
    pub icon_emoji: String,
    pub icon_url: String,
    pub image_url: String,
    pub thumb_url: String,
    pub link_names: bool,
    pub mrkdwn_in: Vec<String>,
    /// Timeout of one request in milliseconds; 0 is none.
    pub timeout: i64,
}

impl SlackConfig {
    /// Every field that is a template, by its configuration key.
    pub fn templated_fields(&self) -> Vec<(String, &str)> {
        let mut out: Vec<(String, &str)> = [
            ("channel", &self.channel),
            ("username", &self.username),
            ("color", &self.color),
            ("title", &self.title),
            ("title_link", &self.title_link),
            ("pretext", &self.pretext),
            ("text", &self.text),
            ("footer", &self.footer),
            ("fallback", &self.fallback),
            ("callback_id", &self.callback_id),
            ("icon_emoji", &self.icon_emoji),
            ("icon_url", &self.icon_url),
            ("image_url", &self.image_url),
            ("thumb_url", &self.thumb_url),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.as_str()))
        .collect();
        for (i, f) in self.fields.iter().enumerate() {
            out.push((format!("fields[{i}].title"), &f.title));
            out.push((format!("fields[{i}].value"), &f.value));
        }
        out
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct SlackField {
    pub title: String,
    pub value: String,
    pub short: Option<bool>,
}

/// Alertmanager's default Slack templates (its `DefaultSlackConfig`).
pub mod slack_defaults {
    pub const COLOR: &str = r#"{{ if eq .Status "firing" }}danger{{ else }}good{{ end }}"#;
    pub const USERNAME: &str = r#"{{ template "slack.default.username" . }}"#;
    pub const TITLE: &str = r#"{{ template "slack.default.title" . }}"#;
    pub const TITLE_LINK: &str = r#"{{ template "slack.default.titlelink" . }}"#;
    pub const ICON_EMOJI: &str = r#"{{ template "slack.default.iconemoji" . }}"#;
    pub const ICON_URL: &str = r#"{{ template "slack.default.iconurl" . }}"#;
    pub const PRETEXT: &str = r#"{{ template "slack.default.pretext" . }}"#;
    pub const TEXT: &str = r#"{{ template "slack.default.text" . }}"#;
    pub const FALLBACK: &str = r#"{{ template "slack.default.fallback" . }}"#;
    pub const CALLBACK_ID: &str = r#"{{ template "slack.default.callbackid" . }}"#;
    pub const FOOTER: &str = r#"{{ template "slack.default.footer" . }}"#;
}

/// Every kind of integration Alertmanager knows; all but two are refused.
const RECEIVER_FIELDS: &[&str] = &[
    "name",
    "webhook_configs",
    "slack_configs",
    "discord_configs",
    "email_configs",
    "incidentio_configs",
    "pagerduty_configs",
    "opsgenie_configs",
    "wechat_configs",
    "pushover_configs",
    "victorops_configs",
    "sns_configs",
    "telegram_configs",
    "webex_configs",
    "msteams_configs",
    "msteamsv2_configs",
    "jira_configs",
    "rocketchat_configs",
    "mattermost_configs",
];

const WEBHOOK_FIELDS: &[&str] = &[
    "send_resolved",
    "http_config",
    "url",
    "url_file",
    "max_alerts",
    "timeout",
];

const SLACK_FIELDS: &[&str] = &[
    "send_resolved",
    "http_config",
    "api_url",
    "api_url_file",
    "channel",
    "username",
    "color",
    "title",
    "title_link",
    "pretext",
    "text",
    "fields",
    "short_fields",
    "footer",
    "fallback",
    "callback_id",
    "icon_emoji",
    "icon_url",
    "image_url",
    "thumb_url",
    "link_names",
    "mrkdwn_in",
    "timeout",
    "actions",
    "app_token",
    "app_token_file",
    "update_message",
];

/// Slack settings Alertmanager has and argus does not.
const SLACK_REFUSED: &[(&str, &str)] = &[
    ("actions", "Slack message actions (buttons) are not supported by argus"),
    ("app_token", "Slack app tokens (chat.postMessage) are not supported by argus; use an incoming webhook URL"),
    ("app_token_file", "Slack app tokens (chat.postMessage) are not supported by argus; use an incoming webhook URL"),
    ("update_message", "updating Slack messages in place is not supported by argus"),
];

impl Loader {
    pub(super) fn receiver(&mut self, node: &Node) -> Receiver {
        let f = self.r.fields(node, "config.plain", RECEIVER_FIELDS);
        let name = string_field(&mut self.r, &f, "name");
        if name.is_empty() {
            self.problem(node.line, "missing name in receiver".to_string());
        }
        for kind in &RECEIVER_FIELDS[3..] {
            if let Some(v) = f.get(kind) {
                if !v.is_null()
                    && !matches!(&v.kind, crate::yaml::Kind::Seq(items) if items.is_empty())
                {
                    self.problem(
                        v.line,
                        format!(
                            "receiver {name:?}: {kind} are not supported by argus; it delivers webhook_configs and slack_configs"
                        ),
                    );
                }
            }
        }
        let webhooks = match f.get("webhook_configs") {
            Some(n) => self
                .r
                .seq(n, "[]*config.WebhookConfig")
                .iter()
                .map(|w| self.webhook(w))
                .collect(),
            None => Vec::new(),
        };
        let slacks = match f.get("slack_configs") {
            Some(n) => self
                .r
                .seq(n, "[]*config.SlackConfig")
                .iter()
                .map(|s| self.slack(s))
                .collect(),
            None => Vec::new(),
        };
        Receiver {
            name,
            webhook_configs: webhooks,
            slack_configs: slacks,
            line: node.line,
        }
    }

    fn webhook(&mut self, node: &Node) -> WebhookConfig {
        let f = self.r.fields(node, "config.plain", WEBHOOK_FIELDS);
        self.refuse_http_config(f.get("http_config"));
        let url = match self.url_source(node, f.get("url"), f.get("url_file"), "url", "url_file") {
            Ok(Some(u)) => u,
            Ok(None) => {
                self.problem(
                    node.line,
                    "one of url or url_file must be configured".to_string(),
                );
                UrlSource::File(String::new())
            }
            // Already reported.
            Err(()) => UrlSource::File(String::new()),
        };
        WebhookConfig {
            send_resolved: f
                .get("send_resolved")
                .map(|n| self.r.bool(n))
                .unwrap_or(true),
            url,
            max_alerts: f.get("max_alerts").map(|n| self.uint(n)).unwrap_or(0),
            timeout: f.get("timeout").map(|n| self.go_duration(n)).unwrap_or(0),
        }
    }

    fn slack(&mut self, node: &Node) -> SlackConfig {
        use slack_defaults as d;
        let f = self.r.fields(node, "config.plain", SLACK_FIELDS);
        self.refuse_http_config(f.get("http_config"));
        for (key, why) in SLACK_REFUSED {
            if let Some(v) = f.get(key).filter(|v| !v.is_null()) {
                self.problem(v.line, why.to_string());
            }
        }
        // A missing URL (an empty file name) is filled from the global one once every
        // receiver is read; a bad one was reported and the configuration will be refused.
        let api_url = match self.url_source(
            node,
            f.get("api_url"),
            f.get("api_url_file"),
            "api_url",
            "api_url_file",
        ) {
            Ok(Some(u)) => u,
            Ok(None) => UrlSource::File(String::new()),
            Err(()) => UrlSource::File("(invalid)".to_string()),
        };
        let mut text = |key: &str, default: &str| match f.get(key) {
            Some(n) if !n.is_null() => self.r.string(n),
            _ => default.to_string(),
        };
        let config = SlackConfig {
            send_resolved: false,
            api_url,
            channel: text("channel", ""),
            username: text("username", d::USERNAME),
            color: text("color", d::COLOR),
            title: text("title", d::TITLE),
            title_link: text("title_link", d::TITLE_LINK),
            pretext: text("pretext", d::PRETEXT),
            text: text("text", d::TEXT),
            footer: text("footer", d::FOOTER),
            fallback: text("fallback", d::FALLBACK),
            callback_id: text("callback_id", d::CALLBACK_ID),
            icon_emoji: text("icon_emoji", d::ICON_EMOJI),
            icon_url: text("icon_url", d::ICON_URL),
            image_url: text("image_url", ""),
            thumb_url: text("thumb_url", ""),
            fields: Vec::new(),
            short_fields: false,
            link_names: false,
            mrkdwn_in: Vec::new(),
            timeout: 0,
        };
        SlackConfig {
            send_resolved: bool_field(&mut self.r, &f, "send_resolved"),
            fields: f
                .get("fields")
                .map(|n| self.slack_fields(n))
                .unwrap_or_default(),
            short_fields: bool_field(&mut self.r, &f, "short_fields"),
            link_names: bool_field(&mut self.r, &f, "link_names"),
            mrkdwn_in: f
                .get("mrkdwn_in")
                .map(|n| self.r.strings(n))
                .unwrap_or_default(),
            timeout: f.get("timeout").map(|n| self.go_duration(n)).unwrap_or(0),
            ..config
        }
    }

    fn slack_fields(&mut self, node: &Node) -> Vec<SlackField> {
        let items = self.r.seq(node, "[]*config.SlackField");
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            let f = self
                .r
                .fields(item, "config.plain", &["title", "value", "short"]);
            let field = SlackField {
                title: string_field(&mut self.r, &f, "title"),
                value: string_field(&mut self.r, &f, "value"),
                short: f
                    .get("short")
                    .filter(|n| !n.is_null())
                    .map(|n| self.r.bool(n)),
            };
            if field.title.is_empty() {
                self.problem(
                    item.line,
                    "missing title in Slack field configuration".to_string(),
                );
            } else if field.value.is_empty() {
                self.problem(
                    item.line,
                    "missing value in Slack field configuration".to_string(),
                );
            }
            out.push(field);
        }
        out
    }

    fn refuse_http_config(&mut self, node: Option<&Node>) {
        if let Some(n) = node.filter(|n| !n.is_null()) {
            self.problem(
                n.line,
                "http_config is not supported by argus: it sends without proxy, TLS or authorization settings".to_string(),
            );
        }
    }

    /// An inline URL or a file holding it; at most one of the two. `Err` when a problem
    /// was reported, `Ok(None)` when neither is given.
    fn url_source(
        &mut self,
        owner: &Node,
        inline: Option<&Node>,
        file: Option<&Node>,
        inline_key: &str,
        file_key: &str,
    ) -> Result<Option<UrlSource>, ()> {
        let inline = inline.filter(|n| !n.is_null());
        let file = file
            .filter(|n| !n.is_null())
            .map(|n| self.r.string(n))
            .filter(|s| !s.is_empty());
        match (inline, file) {
            (Some(_), Some(_)) => {
                self.problem(
                    owner.line,
                    format!("at most one of {inline_key} & {file_key} must be configured"),
                );
                Err(())
            }
            (Some(n), None) => {
                let text = self.r.string(n);
                match SecretUrl::parse(&text) {
                    Ok(u) => Ok(Some(UrlSource::Inline(u))),
                    Err(e) => {
                        self.problem(n.line, format!("{inline_key}: {e}"));
                        Err(())
                    }
                }
            }
            (None, Some(path)) => Ok(Some(UrlSource::File(path))),
            (None, None) => Ok(None),
        }
    }
}

/// True when a Slack integration still needs the global URL.
pub(super) fn slack_url_missing(s: &SlackConfig) -> bool {
    matches!(&s.api_url, UrlSource::File(p) if p.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_urls_never_print() {
        let u = SecretUrl::parse("https://hooks.slack.com/services/T0/B0/XYZ").unwrap();
        assert_eq!(u.to_string(), "<secret>");
        assert_eq!(format!("{u:?}"), "<secret>");
        assert_eq!(u.expose(), "https://hooks.slack.com/services/T0/B0/XYZ");
    }

    #[test]
    fn urls_are_checked_as_alertmanager_checks_them() {
        assert_eq!(
            SecretUrl::parse("ftp://x/y").unwrap_err(),
            "unsupported scheme \"ftp\" for URL"
        );
        assert_eq!(
            SecretUrl::parse("hooks.slack.com/x").unwrap_err(),
            "unsupported scheme \"\" for URL"
        );
        assert_eq!(
            SecretUrl::parse("http://").unwrap_err(),
            "missing host for URL"
        );
        assert!(SecretUrl::parse("http://127.0.0.1:9/hook").is_ok());
    }

    #[test]
    fn url_files_are_read_and_trimmed_at_each_use() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("url");
        std::fs::write(&path, "https://example.com/a\n").unwrap();
        let src = UrlSource::File(path.display().to_string());
        assert_eq!(src.resolve().unwrap().expose(), "https://example.com/a");
        std::fs::write(&path, "https://example.com/b").unwrap();
        assert_eq!(src.resolve().unwrap().expose(), "https://example.com/b");
        std::fs::write(&path, "nonsense").unwrap();
        let e = src.resolve().unwrap_err();
        assert!(e.contains("unsupported scheme"), "{e}");
        assert!(!e.contains("nonsense"), "{e}");
    }
}
