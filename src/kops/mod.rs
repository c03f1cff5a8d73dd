//! The kops document model: a multi-document spec, its YAML 1.1 emitter and the CRD schema it
//! is validated against. The pipeline that renders, hardens, plans and applies kops clusters is
//! `provider::kops`.
pub mod emit;
pub mod live;
pub mod schema;
pub mod spec;

pub use spec::{Cloud, KopsSpec, SpecError};
