//! Audit: the controls' checks over a spec, with waivers applied, and the reports made of them.

mod evaluate;
mod finding;
mod formats;
mod report;
pub mod verdict;

mod markdown;
pub use evaluate::{evaluate, evaluate_gke, evaluate_live, evaluate_store};
pub use finding::{Finding, WaiverNote};
pub use formats::{to_junit, to_sarif};
pub use markdown::{to_markdown, to_markdown_with_errors};
pub use report::{Report, Summary, FORMAT_VERSION};
