//! What the integration tests share: the built binary, how a run of it is checked, scratch
//! paths of the test process's own, the files the binary and the repository hold, and
//! (`web`) a classroom server with a client of its protocol.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The binary that `cargo test` built for this test run.
pub fn asymwar() -> Command {
    Command::new(env!("CARGO_BIN_EXE_asymwar"))
}

/// Runs the command to its end and returns what it wrote and how it exited.
pub fn run(cmd: &mut Command) -> Output {
    cmd.output().unwrap()
}

/// The standard output of a run that must have succeeded; when it did not, the failure
/// shows both streams, since the binary reports some problems on each.
pub fn ok(out: Output) -> String {
    assert!(
        out.status.success(),
        "failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// `asymwar-{name}-{pid}` in the system's temporary directory: the process id keeps
/// concurrent test runs apart. Nothing is created or removed there.
pub fn temp_path(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("asymwar-{name}-{}", std::process::id()))
}

/// A file a run wrote, naming it when it is missing.
pub fn read(dir: &Path, f: &str) -> Vec<u8> {
    std::fs::read(dir.join(f)).unwrap_or_else(|e| panic!("{}: {e}", dir.join(f).display()))
}

/// The shipped scenarios, `assets/scenarios`.
pub fn scenarios_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/scenarios")
}

/// The text of a shipped scenario file, to edit into a bad one.
pub fn scenario_text(file: &str) -> String {
    std::fs::read_to_string(scenarios_dir().join(file)).unwrap()
}

/// The classroom server and a WebSocket client that reads its protocol.
#[cfg(feature = "web")]
pub mod web;
