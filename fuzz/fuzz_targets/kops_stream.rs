//! Fuzz target `kops_stream`: see fuzz/entries.rs.
#![no_main]

#[path = "../entries.rs"]
mod entries;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    entries::run("kops_stream", data, &root);
});
