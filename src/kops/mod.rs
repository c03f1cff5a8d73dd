//! kops specs: the document model, its schema, the renderer from a cluster file, and harden.
pub mod emit;
pub mod harden;
pub mod render;
pub mod schema;
pub mod spec;
pub mod stored;
pub mod subnets;
pub mod trace;
pub mod tree;
pub mod wrapper;

pub use spec::{Cloud, KopsSpec, SpecError};
