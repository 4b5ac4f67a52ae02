//! The message Alertmanager posts to a Slack incoming webhook: one attachment whose title,
//! link, color, text and the rest come from the integration's templates (by default
//! Alertmanager's: `[FIRING:2] HighLatency api (eu-1 critical)`, a link to
//! `<external URL>/#/alerts?receiver=team`, `danger`/`good`), as JSON written the way Go's
//! encoder writes it. Which engine expands the templates is behind [`Expand`]; argus' is
//! [`super::template::Templates`].

use super::data::Data;
use super::receiver::SlackConfig;
use super::webhook::go_json_escape;
use serde::Serialize;

/// Slack's limit for an attachment title (Alertmanager cuts titles to it).
pub const MAX_TITLE_RUNES: usize = 1024;

/// Expands one templated field of an integration against the notification data.
pub trait Expand {
    /// `field` names the configuration key, for messages.
    fn expand(&self, field: &str, template: &str, data: &Data) -> Result<String, String>;
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
