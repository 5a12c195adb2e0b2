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

/// `asymwar run` on an Epstein preset: one row per tick with the citizens' conditions, and
/// a summary whose outburst figures agree with the series it was computed beside.
#[test]
fn civil_violence_run_writes_ticks_and_outbursts() {
    let dir = std::env::temp_dir().join(format!("asymwar-cv-{}", std::process::id()));
    let out = asymwar()
        .args([
            "run",
            "assets/scenarios/epstein_run2.ron",
            "--ticks",
            "400",
            "--seed",
            "3",
            "--quiet",
            "--out",
        ])
        .arg(&dir)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ts = String::from_utf8(read(&dir, "timeseries.csv")).unwrap();
    let mut lines = ts.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(
        header[..4],
        ["tick", "active", "quiet", "jailed"],
        "{header:?}"
    );
    let rows: Vec<Vec<f64>> = lines
        .map(|l| l.split(',').map(|v| v.parse().unwrap()).collect())
        .collect();
    assert_eq!(rows.len(), 400);
    let citizens = (0.7f64 * 1600.0).round();
    let (mut outbursts, mut above, mut peak) = (0, false, 0.0f64);
    for (t, r) in rows.iter().enumerate() {
        assert_eq!(r[0], t as f64, "the index is the tick");
        assert_eq!(r[1] + r[2] + r[3], citizens, "tick {t}: citizens conserved");
        if r[1] > 50.0 && !above {
            outbursts += 1;
        }
        above = r[1] > 50.0;
        peak = peak.max(r[1]);
    }
    let summary: serde_json::Value = serde_json::from_slice(&read(&dir, "summary.json")).unwrap();
    let m = &summary["metrics"];
    assert_eq!(summary["ticks"], 400);
    assert_eq!(m["outbursts"].as_f64(), Some(f64::from(outbursts)));
    assert_eq!(m["peak_actives"].as_f64(), Some(peak));
    assert!(outbursts >= 2, "run2 erupts within 400 ticks: {outbursts}");
    assert!(m["mean_waiting_time"].as_f64().unwrap() > 0.0, "{m}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn civil_violence_validation_names_the_field_and_rule() {
    let tmp = std::env::temp_dir().join(format!("asymwar-cv-bad-{}.ron", std::process::id()));
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/scenarios/epstein_run3.ron"),
    )
    .unwrap();
    let bad = text
        .replace("per_tick: 0.01", "per_tick: -0.01")
        .replace("cop_density: 0.074", "cop_density: 0.4");
    assert_ne!(bad, text);
    std::fs::write(&tmp, bad).unwrap();
    let out = asymwar().arg("validate").arg(&tmp).output().unwrap();
    std::fs::remove_file(&tmp).ok();
    assert!(!out.status.success());
    let msg =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(msg.contains("params.legitimacy_schedule.per_tick"), "{msg}");
    assert!(
        msg.contains("must be a finite number > 0, got -0.01"),
        "{msg}"
    );
    assert!(msg.contains("params.cop_density"), "{msg}");
    assert!(msg.contains("must not exceed 1"), "{msg}");
}
