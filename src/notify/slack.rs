//! The message Alertmanager posts to a Slack incoming webhook: one attachment whose title,
//! link, color and fallback come from the integration's templates, as JSON written the way
//! Go's encoder writes it.
//!
//! **The template seam.** Every text field of a Slack integration is a Go template. Which
//! engine expands them is behind [`Expand`]. [`DefaultTemplates`] is the one argus has now:
//! it renders Alertmanager's default templates natively (the same strings `default.tmpl`
//! gives: `[FIRING:2] HighLatency api (eu-1 critical)`, `http://am/#/alerts?receiver=team`,
//! `danger`/`good`, `Alertmanager`) and passes literal text through, and it refuses any
//! other template with a message naming the field. When argus' Go template engine gains
//! Alertmanager's data methods (`.Alerts.Firing`, `.CommonLabels.SortedPairs`...) and the
//! `templates:` files, a second implementation of [`Expand`] takes user templates; nothing
//! else here changes. `DefaultTemplates` does not read `templates:` files, so a file that
//! redefines a default name (`slack.default.title`) needs that second implementation.

use super::alert::Status;
use super::data::{sorted_pairs, Data};
use super::receiver::{slack_defaults, SlackConfig};
use super::webhook::go_json_escape;
use serde::Serialize;

/// Slack's limit for an attachment title (Alertmanager cuts titles to it).
pub const MAX_TITLE_RUNES: usize = 1024;

/// Expands one templated field of an integration against the notification data.
pub trait Expand {
    /// `field` names the configuration key, for messages.
    fn expand(&self, field: &str, template: &str, data: &Data) -> Result<String, String>;
}

/// Alertmanager's default templates rendered natively, and literal text.
pub struct DefaultTemplates;

impl Expand for DefaultTemplates {
    fn expand(&self, field: &str, template: &str, data: &Data) -> Result<String, String> {
        if !template.contains("{{") {
            return Ok(template.to_string());
        }
        let compact: String = template.chars().filter(|c| !c.is_whitespace()).collect();
        let compact_color: String = slack_defaults::COLOR
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        if compact == compact_color {
            return Ok(default_color(data).to_string());
        }
        let name = compact
            .strip_prefix("{{template\"")
            .and_then(|rest| rest.strip_suffix("\".}}"))
            .unwrap_or("");
        named(name, data).ok_or_else(|| {
            format!(
                "{field}: the template {template:?} needs Go template support in notifications, \
                 which argus does not have yet (only Alertmanager's default templates and literal text)"
            )
        })
    }
}

/// The default templates by name, as `default.tmpl` defines them.
fn named(name: &str, data: &Data) -> Option<String> {
    Some(match name {
        "slack.default.title" | "__subject" => subject(data),
        "slack.default.username" | "__alertmanager" => "Alertmanager".to_string(),
        "slack.default.titlelink" | "__alertmanagerURL" => alertmanager_url(data),
        "slack.default.fallback" => format!("{} | {}", subject(data), alertmanager_url(data)),
        "slack.default.pretext"
        | "slack.default.iconemoji"
        | "slack.default.iconurl"
        | "slack.default.text"
        | "slack.default.callbackid"
        | "slack.default.footer" => String::new(),
        _ => return None,
    })
}

/// `__subject`: `[FIRING:<n>] <group label values> (<other common label values>)`, or
/// `[RESOLVED] ...`. Values are in `SortedPairs` order (alertname first). As in
/// Alertmanager, a space follows the group values even when no parenthesis does.
pub fn subject(data: &Data) -> String {
    let mut s = match data.status {
        Status::Firing => format!("[FIRING:{}] ", data.firing().count()),
        Status::Resolved => "[RESOLVED] ".to_string(),
    };
    let values: Vec<&str> = sorted_pairs(&data.group_labels)
        .iter()
        .map(|(_, v)| *v)
        .collect();
    s.push_str(&values.join(" "));
    s.push(' ');
    if data.common_labels.len() > data.group_labels.len() {
        let mut rest = data.common_labels.clone();
        rest.retain(|k, _| !data.group_labels.contains_key(k));
        let values: Vec<&str> = sorted_pairs(&rest).iter().map(|(_, v)| *v).collect();
        s.push('(');
        s.push_str(&values.join(" "));
        s.push(')');
    }
    s
}

/// `__alertmanagerURL`: `<external URL>/#/alerts?receiver=<receiver, query-escaped>`.
pub fn alertmanager_url(data: &Data) -> String {
    format!(
        "{}/#/alerts?receiver={}",
        data.external_url,
        query_escape(&data.receiver)
    )
}

fn default_color(data: &Data) -> &'static str {
    match data.status {
        Status::Firing => "danger",
        Status::Resolved => "good",
    }
}

/// Go's `url.QueryEscape`: unreserved bytes kept, space as `+`, the rest `%XX`.
pub fn query_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            b => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Cuts to `max` runes, the last being `…` (Alertmanager's `TruncateInRunes`).
fn truncate_runes(s: String, max: usize) -> String {
    if s.chars().count() <= max {
        return s;
    }
    if max <= 3 {
        return s.chars().take(max).collect();
    }
    let mut out: String = s.chars().take(max - 1).collect();
    out.push('…');
    out
}

#[derive(Serialize)]
struct Request {
    #[serde(skip_serializing_if = "String::is_empty")]
    channel: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    username: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    icon_emoji: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    icon_url: String,
    #[serde(skip_serializing_if = "is_false")]
    link_names: bool,
    attachments: Vec<Attachment>,
}

#[derive(Serialize)]
struct Attachment {
    #[serde(skip_serializing_if = "String::is_empty")]
    title: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    title_link: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pretext: String,
    text: String,
    fallback: String,
    callback_id: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fields: Vec<Field>,
    #[serde(skip_serializing_if = "String::is_empty")]
    image_url: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    thumb_url: String,
    footer: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    color: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    mrkdwn_in: Vec<String>,
}

#[derive(Serialize)]
struct Field {
    #[serde(skip_serializing_if = "String::is_empty")]
    title: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    value: String,
    short: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// The request body for one Slack notification.
pub fn body(cfg: &SlackConfig, data: &Data, expand: &dyn Expand) -> Result<Vec<u8>, String> {
    let x = |field: &str, template: &str| expand.expand(field, template, data);
    let mut fields = Vec::with_capacity(cfg.fields.len());
    for (i, f) in cfg.fields.iter().enumerate() {
        fields.push(Field {
            title: x(&format!("fields[{i}].title"), &f.title)?,
            value: x(&format!("fields[{i}].value"), &f.value)?,
            short: f.short.unwrap_or(cfg.short_fields),
        });
    }
    let mrkdwn_in = if cfg.mrkdwn_in.is_empty() {
        vec![
            "fallback".to_string(),
            "pretext".to_string(),
            "text".to_string(),
        ]
    } else {
        cfg.mrkdwn_in.clone()
    };
    let attachment = Attachment {
        title: truncate_runes(x("title", &cfg.title)?, MAX_TITLE_RUNES),
        title_link: x("title_link", &cfg.title_link)?,
        pretext: x("pretext", &cfg.pretext)?,
        text: x("text", &cfg.text)?,
        fallback: x("fallback", &cfg.fallback)?,
        callback_id: x("callback_id", &cfg.callback_id)?,
        fields,
        image_url: x("image_url", &cfg.image_url)?,
        thumb_url: x("thumb_url", &cfg.thumb_url)?,
        footer: x("footer", &cfg.footer)?,
        color: x("color", &cfg.color)?,
        mrkdwn_in,
    };
    let request = Request {
        channel: x("channel", &cfg.channel)?,
        username: x("username", &cfg.username)?,
        icon_emoji: x("icon_emoji", &cfg.icon_emoji)?,
        icon_url: x("icon_url", &cfg.icon_url)?,
        link_names: cfg.link_names,
        attachments: vec![attachment],
    };
    // Plain structs of strings and booleans always serialize.
    let json = serde_json::to_string(&request).unwrap_or_default();
    let mut out = go_json_escape(&json).into_bytes();
    out.push(b'\n');
    Ok(out)
}

#[cfg(test)]
#[path = "slack_tests.rs"]
mod tests;
