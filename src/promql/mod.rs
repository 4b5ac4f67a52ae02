//! PromQL: syntax (`ast`, `parser`, `printer`, `functions`) kept apart from evaluation
//! (`engine`) and from the result values (`value`).

pub mod ast;
pub mod engine;
pub mod value;
