// The YAML trees a render builds, copies and drops are many small allocations: mimalloc makes
// a fleet plan faster than the system allocator (docs/benchmarks.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    std::process::ExitCode::from(palisade::cli::main())
}
