//! Issue 16's regression corpus: every input that passed `validate` and then failed in
//! `run` (a loop, a panic, memory), every command-line length or scale past the limits,
//! every sweep too large to lay out, and the messages that did not name what they should.
//! Each is now refused by validation with the limit and why, or by the command line.

use crate::common::{asymwar, ok, read, run, scenario_text, temp_path};
use asymwar_scenario::parse_str;
use std::path::{Path, PathBuf};

/// The error of edited tutorial text (which must be refused).
fn refused(text: &str) -> String {
    match parse_str(text, Path::new("bad.ron")) {
        Ok(_) => panic!("accepted:\n{text:.3000}"),
        Err(e) => e.to_string(),
    }
}

fn tutorial() -> String {
    scenario_text("tutorial.ron")
}

/// `from` replaced by `to` in the tutorial, `from` checked to be there.
fn tutorial_with(from: &str, to: &str) -> String {
    let t = tutorial();
    assert!(t.contains(from), "the tutorial has no {from:?}");
    t.replacen(from, to, 1)
}

fn assert_has(err: &str, words: &[&str]) {
    for w in words {
        assert!(err.contains(w), "expected {w:?} in:\n{err}");
    }
}

#[test]
fn huge_feature_radii_are_refused_against_the_map() {
    for (kind, from, r) in [
        (
            "forests[0]",
            "radius_km: (40.0, 25.0)",
            "radius_km: (1e9, 25.0)",
        ),
        (
            "hills[0]",
            "radius_km: (30.0, 20.0)",
            "radius_km: (30.0, 1e300)",
        ),
        (
            "wetlands[0]",
            "radius_km: (25.0, 15.0)",
            "radius_km: (1e9, 1e9)",
        ),
    ] {
        let err = refused(&tutorial_with(from, r));
        assert_has(&err, &[kind, "radius_km", "diagonal", "limit"]);
    }
}

#[test]
fn a_river_point_far_off_the_map_is_refused() {
    let err = refused(&tutorial_with(
        "Tile(20, 26)",
        "Tile(4000000000, 4000000000)",
    ));
    assert_has(
        &err,
        &[
            "rivers[0] (river).points[1]",
            "Tile(4000000000, 4000000000)",
            "one map size",
        ],
    );
}

#[test]
fn a_far_start_date_is_refused_naming_the_field_and_the_value() {
    let err = refused(&tutorial_with("2025-09-01", "+262142-12-31"));
    assert_has(&err, &["calendar.start", "262142-12-31", "1900..=2200"]);
    // A date that is no date at all: the field and the text.
    let err = refused(&tutorial_with("2025-09-01", "2025-13-45"));
    assert_has(&err, &["calendar.start", "'2025-13-45'", "YYYY-MM-DD"]);
}

#[test]
fn forces_population_and_cohorts_have_limits() {
    let err = refused(&tutorial_with("units: 2,", "units: 4000000000,"));
    assert_has(&err, &["forces.army", "100000", "limit"]);
    let err = refused(&tutorial_with(
        "soldiers_per_unit: 120",
        "soldiers_per_unit: 4000000000",
    ));
    assert_has(
        &err,
        &["forces.army[0].soldiers_per_unit", "at most 100000"],
    );
    let err = refused(&tutorial_with("cells: 4,", "cells: 10000000,"));
    assert_has(&err, &["forces.insurgents", "100000"]);
    let err = refused(&tutorial_with("population: 400000", "population: 4e9"));
    assert_has(&err, &["settlements[0] (Capital).population", "at most"]);
    // Each town within its limit, together too many cohorts.
    let err = refused(
        &tutorial_with("population: 400000", "population: 99000000").replacen(
            "population: 40000",
            "population: 99000000",
            1,
        ),
    );
    assert_has(&err, &["settlements", "cohorts", "2000000"]);
}

#[test]
fn nan_or_off_globe_map_bounds_and_origins_are_refused() {
    let sized = "size: (64, 64),\n        origin: (lat: 14.0, lon: -9.0),";
    let err = refused(&tutorial_with(
        sized,
        "bounds: (lat_min: NaN, lat_max: 15.0, lon_min: -9.0, lon_max: -6.0),",
    ));
    assert_has(&err, &["map", "NaN", "finite"]);
    let err = refused(&tutorial_with(
        sized,
        "size: (64, 64),\n        origin: (lat: 1e308, lon: -9.0),",
    ));
    assert_has(&err, &["map", "origin", "not a point on the globe"]);
    let err = refused(&tutorial_with(
        sized,
        "size: (4000, 4000),\n        origin: (lat: 14.0, lon: -9.0),",
    ));
    assert_has(&err, &["16000000 tiles", "4000000"]);
}

#[test]
fn an_epstein_grid_and_length_have_limits() {
    let text = scenario_text("epstein_run5.ron")
        .replace("width: 40", "width: 46340")
        .replace("height: 40", "height: 46340");
    let err = refused(&text);
    assert_has(&err, &["params.width", "4000000", "limit"]);
    let err = refused(&scenario_text("epstein_run5.ron").replace("ticks: 1000", "ticks: 40000"));
    assert_has(&err, &["ticks", "36500"]);
}

#[test]
fn a_huge_name_is_cut_in_messages() {
    let name = "N".repeat(100_000);
    let err = refused(&tutorial_with(
        "(name: \"Capital\", at: Tile(32, 36), population: 400000)",
        &format!("(name: \"{name}\", at: Tile(32, 36), population: -1)"),
    ));
    assert!(err.len() < 5_000, "{} bytes", err.len());
    assert_has(&err, &["... (100000 characters)", "population"]);
}

#[test]
fn run_and_render_lengths_have_the_scenario_files_limit() {
    for args in [
        &["run", "tutorial", "--days", "40000"][..],
        &["run", "tutorial", "--ticks", "900000"],
        &["run", "epstein_run1", "--ticks", "40000"],
        &["render", "tutorial", "--days", "40000"],
    ] {
        let out = run(asymwar().args(args).arg("--out").arg(temp_path("never")));
        assert!(!out.status.success(), "{args:?} accepted");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("over the limit"), "{args:?}: {err}");
        assert!(!temp_path("never").exists());
    }
}

#[test]
fn map_scale_is_refused_outside_1_to_32_and_over_the_pixel_limit() {
    let png = temp_path("scale").with_extension("png");
    for scale in ["0", "33", "100000"] {
        let out = run(asymwar()
            .args(["map", "tutorial", "--scale", scale, "--out"])
            .arg(&png));
        assert!(!out.status.success(), "--scale {scale} accepted");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("1..=32"), "--scale {scale}: {err}");
    }
    // A valid map of 1,000 x 1,000 tiles at 32 pixels a tile: 1 billion pixels.
    let big = temp_path("bigmap").with_extension("ron");
    std::fs::write(&big, tutorial_with("size: (64, 64)", "size: (1000, 1000)")).unwrap();
    let out = run(asymwar()
        .arg("map")
        .arg(&big)
        .args(["--scale", "32", "--out"])
        .arg(&png));
    std::fs::remove_file(&big).ok();
    assert!(!out.status.success());
    assert_has(
        &String::from_utf8_lossy(&out.stderr),
        &["pixels", "limit of 268435456"],
    );
    assert!(!png.exists());
}

fn scratch(name: &str) -> PathBuf {
    let d = temp_path(name);
    std::fs::remove_dir_all(&d).ok();
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn listing(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn a_run_replaces_an_earlier_run_as_a_set() {
    let root = scratch("set");
    let out = root.join("run");
    ok(run(asymwar()
        .args([
            "run", "tutorial", "--days", "2", "--seed", "1", "--quiet", "--out",
        ])
        .arg(&out)));
    let first = read(&out, "scenario.ron");
    // Leftovers of an older version's interrupted writes are cleared with the old run.
    std::fs::write(out.join("events.csv.partial"), "half").unwrap();
    ok(run(asymwar()
        .args([
            "run", "tutorial", "--days", "3", "--seed", "2", "--quiet", "--out",
        ])
        .arg(&out)));
    assert_eq!(
        listing(&out),
        [
            "events.csv",
            "scenario.ron",
            "settlements.csv",
            "summary.json",
            "timeseries.csv"
        ]
    );
    assert_eq!(listing(&root), ["run"], "a temporary folder was left");
    let second = String::from_utf8(read(&out, "scenario.ron")).unwrap();
    assert_ne!(first, second.as_bytes());
    assert!(second.contains("seed: 2"), "{second:.300}");
    // A run that fails leaves the earlier run whole.
    let bad = run(asymwar()
        .args(["run", "tutorial", "--days", "40000", "--out"])
        .arg(&out));
    assert!(!bad.status.success());
    assert_eq!(read(&out, "scenario.ron"), second.as_bytes());
    std::fs::remove_dir_all(&root).ok();
}

#[test]
fn a_run_does_not_replace_a_folder_of_other_files() {
    let root = scratch("foreign");
    std::fs::write(root.join("notes.txt"), "mine").unwrap();
    let out = run(asymwar()
        .args(["run", "tutorial", "--days", "1", "--out"])
        .arg(&root));
    assert!(!out.status.success());
    assert_has(
        &String::from_utf8_lossy(&out.stderr),
        &["notes.txt", "not a run's output"],
    );
    assert_eq!(listing(&root), ["notes.txt"]);
    std::fs::remove_dir_all(&root).ok();
}

/// A sweep spec that must be refused before its output folder exists.
fn sweep_refused(body: &str) -> String {
    let root = scratch("sweep-limits");
    let spec = root.join("big.ron");
    std::fs::write(
        &spec,
        format!("Sweep(\n    name: \"big\",\n    scenario: \"tutorial\",\n    master_seed: 1,\n    days: 2,\n    {body},\n)\n"),
    )
    .unwrap();
    let out_dir = root.join("out");
    let out = run(asymwar()
        .args(["sweep", "--quiet", "--out"])
        .arg(&out_dir)
        .arg(&spec));
    assert!(!out.status.success(), "{body}: accepted");
    assert!(!out_dir.exists(), "{body}: the output folder was created");
    std::fs::remove_dir_all(&root).ok();
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn sweep_designs_have_limits_checked_before_the_output_folder() {
    let k = r#"vary: [(path: "activation.k", range: (1.0, 2.0))]"#;
    let cases: &[(String, &[&str])] = &[
        (
            format!("{k}, design: LatinHypercube(samples: 4294967295)"),
            &["design.samples", "4294967295 runs", "limit of 1000000"],
        ),
        (
            format!("{k}, design: Morris(trajectories: 100000000, levels: 4)"),
            &["design.trajectories", "limit of 1000000"],
        ),
        (
            format!("{k}, design: Morris(trajectories: 10, levels: 100000)"),
            &["design.levels", "at most 1000"],
        ),
        (
            r#"vary: [(path: "activation.k", range: (1.0, 2.0), levels: 100000000)], design: Grid"#
                .to_string(),
            &["vary", "100000000 design points", "limit of 1000000"],
        ),
        (
            r#"vary: [(path: "activation.k", values: [1.0, 2.0])], design: Grid, replicates: 4294967295"#
                .to_string(),
            &["replicates", "at most 1000000"],
        ),
        (
            format!("{k}, design: Grid, fixed: {{\"forces.army[0].units\": 4294967295}}")
                .replace("range: (1.0, 2.0)", "range: (1.0, 2.0), levels: 2"),
            &["fixed.forces.army[0].units", "100000"],
        ),
        (
            format!("{k}, design: LatinHypercube(samples: 4), fixed: {{\"activation.threshold\": NaN}}"),
            &["fixed.activation.threshold", "NaN", "finite"],
        ),
    ];
    for (body, words) in cases {
        let err = sweep_refused(body);
        assert!(!err.contains("invalid type: null"), "{err}");
        for w in *words {
            assert!(err.contains(w), "{body}: expected {w:?} in:\n{err}");
        }
    }
}

/// `n` with thousands separators, as the README writes it.
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[test]
fn the_readme_states_every_limit() {
    use asymwar_experiment::spec::{MAX_DESIGN_COORDINATES, MAX_MORRIS_LEVELS, MAX_RUNS};
    use asymwar_scenario::limits::*;
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let section = readme
        .split("## Limits and what is promised")
        .nth(1)
        .expect("a Limits section")
        .split("\n## ")
        .next()
        .unwrap();
    for n in [
        u64::from(MAX_DAYS),
        MAX_CV_TICKS,
        MAX_MAP_TILES,
        MAX_CV_CELLS,
        MAX_FORCE_UNITS,
        u64::from(MAX_PER_UNIT),
        MAX_SETTLEMENT_POPULATION as u64 / 1_000_000,
        MAX_COHORTS,
        MAX_SETTLEMENTS as u64,
        MAX_FEATURE_POINTS as u64,
        MAX_TILE_TOWN_PAIRS,
        MAX_RUNS,
        MAX_DESIGN_COORDINATES,
        u64::from(MAX_MORRIS_LEVELS),
        *START_YEARS.start() as u64,
        *START_YEARS.end() as u64,
        MAX_ECHO_CHARS as u64,
    ] {
        let (plain, with_commas) = (n.to_string(), grouped(n));
        assert!(
            section.contains(&with_commas) || section.contains(&plain),
            "the README's Limits section does not state {with_commas}"
        );
    }
}
