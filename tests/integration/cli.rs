//! The command line, end to end.

use crate::common::{asymwar, ok, read, run, scenario_text, temp_path};
use std::path::PathBuf;
use std::process::Output;

/// `asymwar validate` on scenario text written to the scratch file `asymwar-{name}-{pid}.ron`,
/// which is removed again; returns the run and the file's path, which errors must name.
fn validate_copy(name: &str, text: &str) -> (Output, PathBuf) {
    let file = temp_path(name).with_extension("ron");
    std::fs::write(&file, text).unwrap();
    let out = run(asymwar().arg("validate").arg(&file));
    std::fs::remove_file(&file).ok();
    (out, file)
}

#[test]
fn run_writes_its_files_and_repeats_byte_for_byte() {
    let tmp = temp_path("cli");
    let (a, b, c) = (tmp.join("a"), tmp.join("b"), tmp.join("c"));
    for (dir, seed) in [(&a, "11"), (&b, "11"), (&c, "12")] {
        ok(run(asymwar()
            .args(["run", "--days", "3", "--seed", seed, "--out"])
            .arg(dir)));
    }
    for f in [
        "timeseries.csv",
        "summary.json",
        "events.csv",
        "scenario.ron",
        "settlements.csv",
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
    ok(run(asymwar()
        .arg("run")
        .arg(a.join("scenario.ron"))
        .arg("--out")
        .arg(&again)));
    assert_eq!(read(&a, "timeseries.csv"), read(&again, "timeseries.csv"));
    std::fs::remove_dir_all(&tmp).ok();
}

/// The daily society pass runs its blocks of cohorts on every core (rayon): one thread or
/// two, a Mali run writes the same bytes (issue 18). 120 days: killings, arrests, flight and
/// return, recruits and new cells have all happened by then.
#[test]
fn a_mali_run_is_the_same_on_one_thread_and_on_two() {
    let tmp = temp_path("threads");
    let dirs = [tmp.join("one"), tmp.join("two")];
    for (dir, threads) in dirs.iter().zip(["1", "2"]) {
        ok(run(asymwar()
            .env("RAYON_NUM_THREADS", threads)
            .args(["run", "--days", "120", "--seed", "7", "--quiet", "--out"])
            .arg(dir)));
    }
    for f in [
        "timeseries.csv",
        "summary.json",
        "events.csv",
        "settlements.csv",
    ] {
        assert!(
            read(&dirs[0], f) == read(&dirs[1], f),
            "{f} differs between 1 and 2 threads"
        );
    }
    std::fs::remove_dir_all(&tmp).ok();
}

#[test]
fn validate_says_ok_or_names_the_problem() {
    let good = run(asymwar()
        .args(["validate", "assets/scenarios/tutorial.ron"])
        .current_dir(env!("CARGO_MANIFEST_DIR")));
    assert!(good.status.success());
    assert!(String::from_utf8_lossy(&good.stdout).contains("ok"));

    let text = scenario_text("tutorial.ron");
    let (bad, tmp) = validate_copy("bad", &text.replace("population: 20000", "population: -5"));
    assert!(!bad.status.success());
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(
        err.contains(&tmp.display().to_string())
            && err.contains("settlements[3] (Southgate).population"),
        "{err}"
    );
}

/// A scenario that validates but can never deliver says so: a warning, not an error.
#[test]
fn validate_warns_when_no_convoy_can_ever_leave() {
    let shipped = run(asymwar()
        .args(["validate", "mali_blockade", "tutorial"])
        .current_dir(env!("CARGO_MANIFEST_DIR")));
    assert!(shipped.status.success());
    let text = String::from_utf8_lossy(&shipped.stdout);
    assert!(!text.contains("warning"), "{text}");

    let dry = scenario_text("tutorial.ron")
        .replace(
            "tankers_per_day: 12.0, goods_trucks_per_day: 20.0",
            "tankers_per_day: 0.0",
        )
        .replace(
            "tankers_per_day: 8.0, goods_trucks_per_day: 15.0",
            "tankers_per_day: 0.0",
        );
    let (out, _) = validate_copy("dry", &dry);
    assert!(out.status.success(), "a warning is not an error");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(": ok") && text.contains("warning: crossings: every tankers_per_day"),
        "{text}"
    );
}

#[test]
fn a_missing_file_is_an_error_not_a_builtin() {
    let out = run(asymwar().args(["run", "no/such/scenario.ron"]));
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no/such/scenario.ron"));
}

#[test]
fn map_writes_a_picture() {
    let tmp = temp_path("map").with_extension("ppm");
    ok(run(asymwar()
        .args(["map", "tutorial", "--scale", "2", "--out"])
        .arg(&tmp)));
    let bytes = std::fs::read(&tmp).unwrap();
    assert!(bytes.starts_with(b"P6\n128 128\n255\n"));
    assert_eq!(bytes.len(), "P6\n128 128\n255\n".len() + 128 * 128 * 3);
    std::fs::remove_file(&tmp).ok();
}

/// `asymwar run` on an Epstein preset: one row per tick with the citizens' conditions, and
/// a summary whose outburst figures agree with the series it was computed beside.
#[test]
fn civil_violence_run_writes_ticks_and_outbursts() {
    let dir = temp_path("cv");
    ok(run(asymwar()
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
        .current_dir(env!("CARGO_MANIFEST_DIR"))));
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
    let text = scenario_text("epstein_run3.ron");
    let bad = text
        .replace("per_tick: 0.01", "per_tick: -0.01")
        .replace("cop_density: 0.074", "cop_density: 0.4");
    assert_ne!(bad, text);
    let (out, _) = validate_copy("cv-bad", &bad);
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
