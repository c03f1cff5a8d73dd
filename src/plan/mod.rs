//! The plan: plain data saying what apply will write, field by field, and why.
//!
//! It is computed in one place (`build`) and only formatted by the displays (`display` for
//! text, serde for JSON), so the two cannot drift. A saved plan carries the versions of every
//! object it was based on; apply refuses it when the store has moved on.

mod diff;
mod display;
mod document;
mod model;

pub use diff::field_changes;
pub use display::{to_text, waivers_text};
pub use document::{
    json_schema, Blocked, FieldDoc, PlanDocument, PlannedChange, ProviderName, Via,
    DOCUMENT_VERSION,
};
pub use model::{reasons, Action, Change, FieldChange, Kept, Plan, WaiverInEffect, FORMAT_VERSION};
