//! The integration test binary: every test here runs the real `argus` executable in a
//! temporary store, the way cron jobs and pipelines use it.

mod alertmanager;
mod cardinality;
mod conformance;
mod dashboards;
mod differential;
mod docs;
mod errors;
mod export;
mod ingest;
mod ingest_logs;
mod logs;
mod manpage;
mod mysql_alerts;
mod mysql_example;
mod notify;
mod query;
mod query_flags;
mod query_logs;
mod remote;
mod remote_loki;
mod rules;
mod rules_eval;
mod scrape;
mod serve;
mod serve_rules;
mod silences_api;
mod store;
mod support;
mod ui;
mod usage;
