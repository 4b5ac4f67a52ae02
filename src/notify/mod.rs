//! Alertmanager's core inside argus, as a library: alertmanager.yml, routing, grouping and
//! its timers, inhibition, silences, the webhook and Slack messages, and their delivery with
//! retries. The semantics are Alertmanager's (0.27 and later); where argus differs, the file
//! that owns the behaviour says so in its `//!`.
//!
//! Map of the files, from the vocabulary up:
//! - [`matchers`]: Alertmanager's label matchers (`severity=~"a|b"`, `{a="b",c!="d"}`):
//!   parsing, matching, printing, order.
//! - [`alert`]: posted and held alerts, the API's defaults and checks, merging re-posts, the
//!   label fingerprint, the order of alerts in a message, Go's JSON times.
//! - [`route`]: the routing tree: matching (`continue`, depth first), inherited options,
//!   route keys and ids, group labels and group keys.
//! - [`inhibit`], [`silence`]: what mutes an alert at a given time.
//! - [`config`], [`receiver`]: alertmanager.yml read strictly with line numbers; receivers
//!   (webhook and Slack integrations, secret URLs).
//! - [`dispatch`]: aggregation groups, their timers and the notification log, as a pure
//!   state machine driven by explicit times and saved as JSON
//!   (`docs/format/notify-state.md`).
//! - [`data`]: what one notification says (Alertmanager's template data).
//! - [`webhook`], [`slack`]: the two message formats; [`template`]: Alertmanager's
//!   notification templates (the defaults, `templates:` files, its types and functions),
//!   which expand every text field of a Slack message.
//! - [`send`]: building the requests of a flush and posting them with retries.
//!
//! One run (a cron run; `argus serve` does the same on a timer, calling `flush` again at
//! [`DispatchState::next_flush_at`]):
//!
//! ```ignore
//! let cfg = Config::load(path)?;
//! let mut state = DispatchState::from_json(&saved).unwrap_or_default();
//! let refused = state.ingest(&cfg, alerts, now);
//! let sender = Sender { client: &client, external_url, expand: &cfg.template,
//!                       policy: RetryPolicy::default(), timer: TokioTimer };
//! for flush in state.flush(&cfg, &silences, now) {
//!     let results = sender.deliver_flush(&cfg, &flush, budget).await;
//!     let delivered: Vec<bool> = results.iter().map(|r| r.is_ok()).collect();
//!     state.finish(&flush, &delivered, now_ms());
//! }
//! save(state.to_json());
//! ```

pub mod alert;
pub mod config;
pub mod data;
pub mod dispatch;
pub mod inhibit;
pub mod matchers;
pub mod receiver;
pub mod route;
pub mod send;
pub mod silence;
pub mod slack;
pub mod template;
pub mod webhook;

pub use alert::{Alert, PostableAlert, Status};
pub use config::{Config, ConfigError};
pub use dispatch::{DispatchState, Flush, Notification, Refusal, MAX_ALERTS};
pub use send::{RetryPolicy, SendError, Sender, TokioTimer};
pub use silence::Silence;
pub use slack::Expand;
pub use template::Templates;
