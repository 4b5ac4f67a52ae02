//! The integration test binary: every test here runs the real `argus` executable in a
//! temporary store, the way cron jobs and pipelines use it.

mod docs;
mod support;
mod usage;
