//! `palisade init`: a first cluster file from questions (a terminal) or flags (`--no-input`).
//!
//! The flow asks through a [`Prompter`], so the same questions run against a real terminal
//! (dialoguer) or scripted answers in tests; both end in the same [`Answers`], and the file is
//! written from those by one function, so the wizard and `--no-input` cannot drift apart.

mod answers;
mod file;
mod flow;
mod prompter;
mod terminal;

pub use answers::{Answers, SshAccess, KUBERNETES_VERSION as KUBERNETES_VERSION_DEFAULT};
pub use file::cluster_file_text;
pub use flow::{namespace_list, run_flow, Facts};
pub use prompter::{Prompter, ScriptedPrompter};
pub use terminal::TerminalPrompter;
