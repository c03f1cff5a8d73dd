//! Many cluster files in one run: a platform team keeps one per cluster and environment in a
//! repository and plans them all on every pull request. [`discover`] finds the cluster files
//! under the paths given; [`in_order`] works on them concurrently, a bounded number at a time,
//! and hands the results back in the order of the files, so the output is the same every run.

mod discover;
mod pool;

pub use discover::{discover, discover_among, is_cluster_file_text, Discovered};
pub use pool::{in_order, workers};
