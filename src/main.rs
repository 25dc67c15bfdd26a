//! The `collabdocs` command (see [`collabdocs::cli`]).

fn main() -> std::process::ExitCode {
    collabdocs::cli::main()
}
