//! `palisade init`: a first cluster file from questions (a terminal) or flags (`--no-input`).
//!
//! The flow asks through a [`Prompter`], so the same questions run against a real terminal
//! (dialoguer) or scripted answers in tests; both end in the same [`Answers`], and the file is
//! written from those by one function, so the wizard and `--no-input` cannot drift apart. The
//! checks behind the questions are public for the same reason: `--no-input` makes them too.

mod answers;
mod answers_gke;
mod answers_kops;
mod file;
mod file_gke;
mod file_kops;
mod flow;
mod flow_gke;
mod flow_kops;
pub mod gke_checks;
mod prompter;
pub mod state_store;
mod terminal;

pub use answers::{
    waivable, Answers, CommonAnswers, GkeAnswers, GkePoolAnswers, KopsAnswers, NodeAccount,
    ProviderAnswers, SecretsKey, SshAccess, StateStore, WaiverAnswer,
};
pub use answers_gke::{
    region_of, GkeNodes, POOL_MACHINE_TYPE, POOL_MAX_NODES, POOL_MIN_NODES, POOL_NAME,
};
pub use answers_kops::{
    KOPS_MACHINE_TYPE, KOPS_NODES_MAX, KOPS_NODES_MIN,
    KUBERNETES_VERSION as KUBERNETES_VERSION_DEFAULT,
};
pub use file::cluster_file_text;
pub use flow::{expiry, may_waive, namespace_list, run_flow, run_flow_for, Facts};
pub use prompter::{Prompter, ScriptedPrompter};
pub use terminal::TerminalPrompter;
