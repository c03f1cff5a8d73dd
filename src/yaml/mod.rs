//! Generic helpers over YAML / JSON value trees and serde_yaml messages; nothing here knows a
//! provider.

pub mod tree;

/// serde_yaml appends " at line L column C" to its messages; the location is printed in front.
pub fn strip_location(message: &str) -> String {
    match message.find(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}
