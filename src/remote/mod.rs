//! Clients for remote Prometheus- and Loki-compatible servers (`--server URL`).
//!
//! Only the client side lives here; argus' own HTTP server is `http/`.

pub mod loki;
pub mod prometheus;
