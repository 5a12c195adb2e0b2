//! The command line, end to end.

use std::path::Path;
use std::process::Command;

fn asymwar() -> Command {
    Command::new(env!("CARGO_BIN_EXE_asymwar"))
}

fn read(dir: &Path, f: &str) -> Vec<u8> {
    std::fs::read(dir.join(f)).unwrap_or_else(|e| panic!("{}: {e}", dir.join(f).display()))
}

#[test]
fn run_writes_four_files_and_repeats_byte_for_byte() {
    let tmp = std::env::temp_dir().join(format!("asymwar-cli-{}", std::process::id()));
    let (a, b, c) = (tmp.join("a"), tmp.join("b"), tmp.join("c"));
    for (dir, seed) in [(&a, "11"), (&b, "11"), (&c, "12")] {
        let out = asymwar()
            .args(["run", "--days", "3", "--seed", seed, "--out"])
            .arg(dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    for f in [
        "timeseries.csv",
        "summary.json",
        "events.csv",
        "scenario.ron",
    ] {
        assert_eq!(
            read(&a, f),
            read(&b, f),
            "{f} differs between identical runs"
        );
    }
    let ts = String::from_utf8(read(&a, "timeseries.csv")).unwrap();
    assert!(ts.starts_with("day,date,"), "{ts}");
    assert_eq!(ts.lines().count(), 1 + 3);
    assert!(ts.contains("2025-09-03"));
    assert_ne!(read(&a, "scenario.ron"), read(&c, "scenario.ron"));
    // The resolved scenario repeats the run.
    let again = tmp.join("again");
    let out = asymwar()
        .arg("run")
        .arg(a.join("scenario.ron"))
        .arg("--out")
        .arg(&again)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(read(&a, "timeseries.csv"), read(&again, "timeseries.csv"));
    std::fs::remove_dir_all(&tmp).ok();
}

#[test]
fn validate_says_ok_or_names_the_problem() {
    let good = asymwar()
        .args(["validate", "assets/scenarios/tutorial.ron"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(good.status.success());
    assert!(String::from_utf8_lossy(&good.stdout).contains("ok"));

    let tmp = std::env::temp_dir().join(format!("asymwar-bad-{}.ron", std::process::id()));
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/scenarios/tutorial.ron"),
    )
    .unwrap();
    std::fs::write(&tmp, text.replace("population: 20000", "population: -5")).unwrap();
    let bad = asymwar().arg("validate").arg(&tmp).output().unwrap();
    assert!(!bad.status.success());
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(
        err.contains(&tmp.display().to_string())
            && err.contains("settlements[3] (Southgate).population"),
        "{err}"
    );
    std::fs::remove_file(&tmp).ok();
}

#[test]
fn a_missing_file_is_an_error_not_a_builtin() {
    let out = asymwar()
        .args(["run", "no/such/scenario.ron"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no/such/scenario.ron"));
}

#[test]
fn map_writes_a_picture() {
    let tmp = std::env::temp_dir().join(format!("asymwar-map-{}.ppm", std::process::id()));
    let out = asymwar()
        .args(["map", "tutorial", "--scale", "2", "--out"])
        .arg(&tmp)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bytes = std::fs::read(&tmp).unwrap();
    assert!(bytes.starts_with(b"P6\n128 128\n255\n"));
    assert_eq!(bytes.len(), "P6\n128 128\n255\n".len() + 128 * 128 * 3);
    std::fs::remove_file(&tmp).ok();
}
