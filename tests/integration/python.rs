//! The Python package (crates/python): its pytest suite, run against this build's command
//! line (runs, sweeps and errors must equal the command line's), and the check that keeps
//! its `pip install` reusing the workspace's build.
//!
//! `.ci/run` installs the package (`python3 -m pip install ./crates/python[test]`). Without
//! it the suite says so and passes on a developer's machine, but fails in CI (`CI` set).

use std::path::Path;
use std::process::Command;

#[test]
fn the_python_package_s_tests_pass() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let probe = Command::new("python3")
        .args([
            "-c",
            "import asymwar, pytest, ema_workbench, pandas, polars",
        ])
        .output();
    let ready = probe.as_ref().is_ok_and(|o| o.status.success());
    if !ready {
        let why = match &probe {
            Ok(o) => String::from_utf8_lossy(&o.stderr).into_owned(),
            Err(e) => e.to_string(),
        };
        assert!(
            std::env::var_os("CI").is_none(),
            "the Python tests need the package, pytest and the EMA Workbench (.ci/run installs them: python3 -m pip install './crates/python[test]'): {why}"
        );
        eprintln!(
            "SKIPPED the Python tests: python3 -m pip install './crates/python[test]' first ({})",
            why.lines().last().unwrap_or_default()
        );
        return;
    }
    let out = Command::new("python3")
        .args([
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "crates/python/tests",
        ])
        .current_dir(root)
        .env("ASYMWAR_CLI", env!("CARGO_BIN_EXE_asymwar"))
        .output()
        .expect("python3 runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "pytest crates/python/tests failed:\n{text}"
    );
    // A skipped test would hide a missing piece: the suite runs whole here.
    assert!(!text.contains("skipped"), "pytest skipped tests:\n{text}");
}

/// Each package's features as `cargo tree` resolves them (`name vX.Y.Z` -> features).
fn features(args: &[&str]) -> std::collections::BTreeMap<String, String> {
    let out = Command::new(env!("CARGO"))
        .args(["tree", "--prefix", "none", "-f", "{p}|{f}"])
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo tree runs");
    assert!(
        out.status.success(),
        "cargo tree: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| {
            // `(*)` marks a package shown before; it may follow the features.
            let l = l.replace(" (*)", "").replace(" (proc-macro)", "");
            let (p, f) = l.split_once('|')?;
            Some((p.trim().to_string(), f.trim().to_string()))
        })
        .collect()
}

/// `pip install ./crates/python` builds the package alone (maturin runs
/// `cargo rustc -p asymwar-python`); its dependencies get the same features as in the
/// workspace's build only if crates/python/Cargo.toml asks for them, and otherwise serde,
/// bevy_ecs and the model crates are built a second time (minutes of CI).
#[test]
fn the_python_package_builds_with_the_workspace_s_features() {
    let workspace = features(&["--workspace", "-e", "normal,build,dev"]);
    let alone = features(&["-p", "asymwar-python", "-e", "normal,build"]);
    let differ: Vec<String> = alone
        .iter()
        .filter_map(|(p, f)| {
            let w = workspace.get(p)?;
            (w != f).then(|| format!("{p}: workspace [{w}], alone [{f}]"))
        })
        .collect();
    assert!(
        differ.is_empty(),
        "add these features to the unused dependencies at the end of crates/python/Cargo.toml:\n{}",
        differ.join("\n")
    );
}
