//! Every exit code of the binary, documented once (Terraform's and the linters' meanings).

/// Success; no changes pending; no failing findings.
pub const OK: u8 = 0;
/// An error: bad input, a refused cluster file, an I/O failure.
pub const ERROR: u8 = 1;
/// Findings at or above `--fail-on` (audit), changes pending (plan with
/// `--detailed-exitcode`), or controls that could not be fixed in place (harden).
pub const ATTENTION: u8 = 2;
