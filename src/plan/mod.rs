//! The plan: plain data saying what apply will write, field by field, and why.
//!
//! A kops plan is an [`Intent`] (the documents to write, what they were based on, the profile
//! and waivers to judge them by) and what is derived from it against the store; a saved plan
//! holds the intent only (`saved`). The displays (`display` for text, serde for JSON) only
//! format the derived document, so they cannot drift from what is written.

mod diff;
mod display;
mod document;
mod markdown;
mod model;
mod saved;

pub use diff::field_changes;
pub use display::{to_text, waivers_text};
pub use document::{
    json_schema, Blocked, FieldDoc, PlanDocument, PlannedChange, ProviderName, Via,
    DOCUMENT_VERSION,
};
pub use markdown::{to_markdown, Entry as MarkdownEntry, Problem as MarkdownProblem};
pub use model::{
    reasons, Action, Change, FieldChange, Intent, Kept, Plan, WaiverInEffect, FORMAT_VERSION,
};
pub use saved::{open as open_saved, reseal, seal, SavedError};
