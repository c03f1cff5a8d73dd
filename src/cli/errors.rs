//! Problems with a cluster file as JSON: with `-o json`, a command that fails on the file
//! prints them on stdout (file, line, column, code, message), besides the text on stderr.

use serde_json::json;

use crate::cluster_file::{Code, LoadError, Problem};
use crate::profile::ProfileError;
use crate::render::RenderError;

/// The cluster-file (or profile) problems an error carries, if it is about such a file.
pub fn problems_of(e: &anyhow::Error) -> Option<Vec<Problem>> {
    for cause in e.chain() {
        if let Some(LoadError::Invalid { problems }) = cause.downcast_ref::<LoadError>() {
            return Some(problems.clone());
        }
        if let Some(RenderError::Refused { problems }) = cause.downcast_ref::<RenderError>() {
            return Some(problems.clone());
        }
        if let Some(crate::provider::Error::Render(r)) =
            cause.downcast_ref::<crate::provider::Error>()
        {
            let RenderError::Refused { problems } = r.as_ref();
            return Some(problems.clone());
        }
        if let Some(ProfileError::Invalid { location, message }) =
            cause.downcast_ref::<ProfileError>()
        {
            return Some(vec![Problem {
                location: location.clone(),
                code: Code::InvalidProfile,
                message: message.clone(),
            }]);
        }
    }
    None
}

/// One problem: `{"file", "line", "column", "code", "message"}`.
pub fn problem_json(p: &Problem) -> serde_json::Value {
    json!({
        "file": p.location.file,
        "line": p.location.line,
        "column": p.location.column,
        "code": p.code,
        "message": crate::yaml::bound_quotes(&p.message),
    })
}

/// `{"format_version": 1, "errors": [...]}`.
pub fn to_json(problems: &[Problem]) -> String {
    let errors: Vec<serde_json::Value> = problems.iter().map(problem_json).collect();
    let doc = json!({"format_version": 1, "errors": errors});
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}
