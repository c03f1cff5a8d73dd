fn main() -> std::process::ExitCode {
    std::process::ExitCode::from(palisade::cli::main())
}
