//! `asymwar sweep`, `merge` and `analyze`, end to end through the built binary.

use crate::common::{asymwar, ok, read, run, temp_path};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

/// A fresh scratch directory for one test.
fn scratch(test: &str) -> PathBuf {
    let dir = temp_path(&format!("sweep-{test}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The final outputs a sweep with a time series and the per-settlement panel writes.
const OUTPUTS: [&str; 6] = [
    "runs.csv",
    "runs.parquet",
    "timeseries.csv",
    "timeseries.parquet",
    "settlements.csv",
    "settlements.parquet",
];

fn assert_same_outputs(a: &Path, b: &Path) {
    for f in OUTPUTS {
        assert!(
            read(a, f) == read(b, f),
            "{f} differs between {a:?} and {b:?}"
        );
    }
}

/// A grid on the tutorial with `runs` runs (a multiple of 4) and a time series.
fn grid_spec(dir: &Path, replicates: u32) -> PathBuf {
    let spec = dir.join("grid.ron");
    std::fs::write(
        &spec,
        format!(
            r#"Sweep(
    name: "grid",
    scenario: "tutorial",
    days: 3,
    fixed: {{"activation.k": 3.0}},
    vary: [
        (path: "activation.threshold", range: (0.1, 0.2), levels: 2),
        (path: "forces.army[0].units", values: [1, 2]),
    ],
    design: Grid,
    replicates: {replicates},
    master_seed: 11,
    collect: (
        metrics: ["days", "convoys_departed", "tankers_delivered", "mean_grievance_end"],
        timeseries_every_days: 1,
        panel: true,
    ),
)"#
        ),
    )
    .unwrap();
    spec
}

#[test]
fn one_and_two_jobs_give_identical_outputs() {
    let tmp = scratch("jobs");
    let spec = grid_spec(&tmp, 3);
    for jobs in ["1", "2"] {
        let text = ok(run(asymwar()
            .args(["sweep", "--jobs", jobs, "--out"])
            .arg(tmp.join(jobs))
            .arg(&spec)));
        assert!(text.contains("grid: 12 runs"), "{text}");
    }
    assert_same_outputs(&tmp.join("1"), &tmp.join("2"));
    let csv = String::from_utf8(read(&tmp.join("1"), "runs.csv")).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "run_id,point,replicate,seed,activation.threshold,forces.army[0].units,days,convoys_departed,tankers_delivered,mean_grievance_end"
    );
    assert_eq!(lines.len(), 13);
    // Run 4 is point 1 (threshold 0.1, 2 units), replicate 1, seed mix(11, 4).
    let seed = asymwar_model::rng::mix(11, 4);
    assert!(
        lines[5].starts_with(&format!("4,1,1,{seed},0.1,2,3,")),
        "{}",
        lines[5]
    );
    let ts = String::from_utf8(read(&tmp.join("1"), "timeseries.csv")).unwrap();
    assert!(ts.starts_with("run_id,day,"), "{ts}");
    assert_eq!(ts.lines().count(), 1 + 12 * 3);
    // The panel: one row per run, day and settlement, the same towns every run and day.
    let panel = String::from_utf8(read(&tmp.join("1"), "settlements.csv")).unwrap();
    assert!(
        panel.starts_with("run_id,day,settlement,fuel_days,"),
        "{panel}"
    );
    let towns: std::collections::BTreeSet<&str> = panel
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(2).unwrap())
        .collect();
    assert!(towns.len() >= 3, "{towns:?}");
    assert_eq!(panel.lines().count(), 1 + 12 * 3 * towns.len());
    // Its Parquet twin loads in pandas and polars with the same shape (CI insists).
    let script = "import sys, pandas, polars\n\
                  a = pandas.read_parquet(sys.argv[1]); b = polars.read_parquet(sys.argv[1])\n\
                  assert a.shape == b.shape, (a.shape, b.shape)\n\
                  print(a.shape[0])\n";
    let py = std::process::Command::new("python3")
        .args(["-c", script])
        .arg(tmp.join("1").join("settlements.parquet"))
        .output();
    match py {
        Ok(o) if o.status.success() => {
            let n: usize = String::from_utf8_lossy(&o.stdout).trim().parse().unwrap();
            assert_eq!(n, 12 * 3 * towns.len());
        }
        other => assert!(
            std::env::var_os("CI").is_none(),
            "CI needs python3 with pandas, polars and pyarrow: {other:?}"
        ),
    }
}

#[test]
fn a_panel_needs_a_time_series() {
    let tmp = scratch("panel-needs-series");
    let spec = tmp.join("p.ron");
    std::fs::write(
        &spec,
        r#"Sweep(name: "p", scenario: "tutorial", days: 2, vary: [(path: "activation.k", range: (2.0, 3.0), levels: 2)], design: Grid, replicates: 1, master_seed: 1, collect: (panel: true))"#,
    )
    .unwrap();
    let out = run(asymwar()
        .args(["sweep", "--out"])
        .arg(tmp.join("o"))
        .arg(&spec));
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("collect.panel") && err.contains("timeseries_every_days"),
        "{err}"
    );
}

#[test]
fn shards_merged_equal_the_full_sweep() {
    let tmp = scratch("shards");
    let spec = grid_spec(&tmp, 2);
    ok(run(asymwar()
        .args(["sweep", "--out"])
        .arg(tmp.join("full"))
        .arg(&spec)));
    let mut shards = Vec::new();
    for k in 1..=3 {
        let dir = tmp.join(format!("s{k}"));
        let text = ok(run(asymwar()
            .args([
                "sweep",
                "--jobs",
                "1",
                "--shard",
                &format!("{k}/3"),
                "--out",
            ])
            .arg(&dir)
            .arg(&spec)));
        assert!(text.contains(&format!("of 8 (shard {k}/3)")), "{text}");
        shards.push(dir);
    }
    // Shard 1/3 runs 0, 3, 6; 2/3 runs 1, 4, 7; 3/3 runs 2, 5.
    let s2 = String::from_utf8(read(&shards[1], "runs.csv")).unwrap();
    let ids: Vec<&str> = s2
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert_eq!(ids, ["1", "4", "7"]);

    ok(run(asymwar()
        .arg("merge")
        .args(&shards)
        .arg("--out")
        .arg(tmp.join("merged"))));
    assert_same_outputs(&tmp.join("full"), &tmp.join("merged"));
    assert_eq!(
        read(&tmp.join("full"), "sweep.json"),
        read(&tmp.join("merged"), "sweep.json")
    );

    // A missing shard, and a shard given twice, are refused, and nothing is written.
    let out = run(asymwar()
        .arg("merge")
        .arg(&shards[0])
        .arg(&shards[2])
        .arg("--out")
        .arg(tmp.join("m2")));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("3 of 8 runs are missing (runs 1, 4, 7), from shard(s) 2/3"),
        "{err}"
    );
    assert!(!tmp.join("m2").join("runs.csv").exists());
    let out = run(asymwar()
        .arg("merge")
        .args(&shards)
        .arg(&shards[1])
        .arg("--out")
        .arg(tmp.join("m3")));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("run 1 is in both"), "{err}");
    // A shard of another sweep is refused.
    let other = tmp.join("other.ron");
    std::fs::write(
        &other,
        std::fs::read_to_string(&spec)
            .unwrap()
            .replace("master_seed: 11", "master_seed: 12"),
    )
    .unwrap();
    ok(run(asymwar()
        .args(["sweep", "--shard", "2/3", "--out"])
        .arg(tmp.join("o2"))
        .arg(&other)));
    let out = run(asymwar()
        .arg("merge")
        .arg(&shards[0])
        .arg(tmp.join("o2"))
        .arg(&shards[2])
        .arg("--out")
        .arg(tmp.join("m4")));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("is a different sweep"), "{err}");
}

fn journal_lines(dir: &Path) -> usize {
    std::fs::read_to_string(dir.join("journal.jsonl"))
        .map(|t| t.lines().count())
        .unwrap_or(0)
}

#[test]
fn a_killed_sweep_resumed_equals_an_uninterrupted_one() {
    let tmp = scratch("resume");
    // 4 points x 40 replicates: long enough to be killed part-way.
    let spec = grid_spec(&tmp, 40);
    let total = 160;
    let full = tmp.join("full");
    ok(run(asymwar()
        .args(["sweep", "--jobs", "2", "--out"])
        .arg(&full)
        .arg(&spec)));

    let cut = tmp.join("cut");
    let mut child = asymwar()
        .args(["sweep", "--jobs", "2", "--quiet", "--out"])
        .arg(&cut)
        .arg(&spec)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    while journal_lines(&cut) < 5 {
        assert!(Instant::now() < deadline, "the sweep never started");
        assert!(
            child.try_wait().unwrap().is_none(),
            "the sweep ended before it could be killed"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
    child.kill().unwrap(); // SIGKILL: no chance to clean up
    child.wait().unwrap();
    let done = journal_lines(&cut);
    assert!(
        (5..total).contains(&done),
        "{done} of {total} runs journalled"
    );
    assert!(!cut.join("runs.csv").exists());
    // A crash in the middle of a write leaves half a line; it is dropped and rerun.
    let mut j = std::fs::OpenOptions::new()
        .append(true)
        .open(cut.join("journal.jsonl"))
        .unwrap();
    std::io::Write::write_all(&mut j, br#"{"run":9999,"point":"#).unwrap();
    drop(j);

    // Without --resume the directory is not touched.
    let out = run(asymwar().args(["sweep", "--out"]).arg(&cut).arg(&spec));
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("pass --resume"));

    let text = ok(run(asymwar()
        .args(["sweep", "--jobs", "2", "--resume", "--out"])
        .arg(&cut)
        .arg(&spec)));
    let expect = format!("({} run now, {done} already done)", total - done);
    assert!(text.contains(&expect), "{text} (expected {expect})");
    assert_same_outputs(&full, &cut);
    assert_eq!(journal_lines(&cut), total);

    // Resuming a finished sweep runs nothing and changes nothing.
    let text = ok(run(asymwar()
        .args(["sweep", "--resume", "--out"])
        .arg(&cut)
        .arg(&spec)));
    assert!(
        text.contains(&format!("(0 run now, {total} already done)")),
        "{text}"
    );
    assert_same_outputs(&full, &cut);

    // A second process on the same directory is stopped (the journal is locked).
    let held = std::fs::File::open(cut.join("journal.jsonl")).unwrap();
    held.lock().unwrap();
    let out = run(asymwar()
        .args(["sweep", "--resume", "--out"])
        .arg(&cut)
        .arg(&spec));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("another asymwar sweep is writing"), "{err}");
    drop(held);

    // Resuming with a changed spec is refused.
    let changed = tmp.join("changed.ron");
    std::fs::write(
        &changed,
        std::fs::read_to_string(&spec)
            .unwrap()
            .replace("days: 3", "days: 4"),
    )
    .unwrap();
    let out = run(asymwar()
        .args(["sweep", "--resume", "--out"])
        .arg(&cut)
        .arg(&changed));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("the spec differs"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Each bad spec, and the words its error must contain.
#[test]
fn every_bad_spec_gives_its_specific_error_before_any_run() {
    let tmp = scratch("bad");
    let cases: &[(&str, &str, &[&str])] = &[
        (
            "unknown path",
            r#"vary: [(path: "activation.treshold", values: [0.1])], design: Grid"#,
            &[
                "vary[0] (activation.treshold): unknown parameter path: 'params.activation' has no field 'treshold' (its fields: arrest_rule, k, threshold)",
            ],
        ),
        (
            "unknown top-level path",
            r#"vary: [(path: "guerrilla.autonomy", values: [0.1])], design: Grid"#,
            &["the scenario has no field 'guerrilla'", "nor has 'params'"],
        ),
        (
            "value out of range",
            r#"vary: [(path: "activation.threshold", values: [0.1, 1.5])], design: Grid"#,
            &[
                "vary[0] (activation.threshold).values[1]: params.activation.threshold: must be a probability in [0, 1], got 1.5",
            ],
        ),
        (
            "range out of range",
            r#"vary: [(path: "activation.k", range: (-1.0, 2.0))], design: LatinHypercube(samples: 4)"#,
            &["vary[0] (activation.k).range.0: params.activation.k: must lie in"],
        ),
        (
            "wrong type",
            r#"vary: [(path: "activation.arrest_rule", values: ["floor", "ceiling"])], design: Grid"#,
            &["vary[0] (activation.arrest_rule).values[1]: ceiling: unknown variant `ceiling`"],
        ),
        (
            "fixed out of range",
            r#"fixed: {"activation.threshold": 2.0}, vary: [(path: "activation.k", values: [1.0])], design: Grid"#,
            &["fixed.activation.threshold: params.activation.threshold: must be a probability"],
        ),
        (
            "empty values",
            r#"vary: [(path: "activation.k", values: [])], design: Grid"#,
            &["vary[0] (activation.k).values: no values: the design is empty"],
        ),
        (
            "nothing varied",
            r#"vary: [], design: Grid"#,
            &["vary: the design is empty: vary at least one parameter"],
        ),
        (
            "no samples",
            r#"vary: [(path: "activation.k", range: (1.0, 2.0))], design: LatinHypercube(samples: 0)"#,
            &["design.samples: must be at least 1 (the design is empty)"],
        ),
        (
            "no replicates",
            r#"vary: [(path: "activation.k", values: [1.0])], design: Grid, replicates: 0"#,
            &["replicates: must be at least 1"],
        ),
        (
            "grid range without levels",
            r#"vary: [(path: "activation.k", range: (1.0, 2.0))], design: Grid"#,
            &["a grid needs `levels` for a range"],
        ),
        (
            "odd Morris levels",
            r#"vary: [(path: "activation.k", range: (1.0, 2.0))], design: Morris(trajectories: 4, levels: 5)"#,
            &["design.levels: must be even"],
        ),
        (
            "varied seed",
            r#"vary: [(path: "seed", values: [1, 2])], design: Grid"#,
            &["seeds are not varied"],
        ),
        (
            "fixed and varied",
            r#"fixed: {"activation.k": 1.0}, vary: [(path: "activation.k", values: [1.0, 2.0])], design: Grid"#,
            &["vary[0] (activation.k): is also held fixed"],
        ),
        (
            "unknown metric",
            r#"vary: [(path: "activation.k", values: [1.0])], design: Grid, collect: (metrics: ["tankers"])"#,
            &["collect.metrics[0]: 'tankers' is not a metric of this model (its metrics: days"],
        ),
        (
            "values that break a rule together",
            r#"vary: [
                (path: "map.terrain.desert_below", values: [0.15, 0.40]),
                (path: "map.terrain.steppe_below", values: [0.42, 0.30]),
            ], design: Grid"#,
            &[
                "design point 3 (map.terrain.desert_below = 0.4, map.terrain.steppe_below = 0.3): map.terrain.desert_below: thresholds must rise",
            ],
        ),
        (
            "syntax",
            r#"vary: [(path: "activation.k" values: [1.0])], design: Grid"#,
            &["bad.ron:7:"],
        ),
        (
            "unknown field",
            r#"vary: [(path: "activation.k", values: [1.0])], design: Grid, replicate: 3"#,
            &["bad.ron:7:", "replicate"],
        ),
    ];
    let mut failures = Vec::new();
    for (what, body, expected) in cases {
        let spec = tmp.join("bad.ron");
        std::fs::write(
            &spec,
            format!("// {what}\nSweep(\n    name: \"bad\",\n    scenario: \"tutorial\",\n    master_seed: 1,\n    days: 2,\n    {body},\n)\n"),
        )
        .unwrap();
        let out_dir = tmp.join("out");
        let out = run(asymwar().args(["sweep", "--out"]).arg(&out_dir).arg(&spec));
        let err = String::from_utf8_lossy(&out.stderr).replace(&format!("{}", tmp.display()), "");
        if out.status.success() {
            failures.push(format!("{what}: accepted"));
        }
        for e in *expected {
            if !err.contains(e) {
                failures.push(format!("{what}: expected '{e}' in:\n{err}"));
            }
        }
        if out_dir.exists() {
            failures.push(format!("{what}: {out_dir:?} was created"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

fn analysed(tmp: &Path, name: &str, design: &str, vary: &str) -> (String, String) {
    let spec = tmp.join(format!("{name}.ron"));
    std::fs::write(
        &spec,
        format!(
            r#"Sweep(name: "{name}", scenario: "tutorial", vary: [{vary}], design: {design}, replicates: 2, master_seed: 3, collect: (metrics: ["days"]))"#
        ),
    )
    .unwrap();
    let dir = tmp.join(name);
    ok(run(asymwar().args(["sweep", "--out"]).arg(&dir).arg(&spec)));
    let report = ok(run(asymwar().arg("analyze").arg(&dir)));
    let file = match design.split('(').next().unwrap() {
        "Sobol" => "sobol.csv",
        "Morris" => "morris.csv",
        _ => "points.csv",
    };
    (report, String::from_utf8(read(&dir, file)).unwrap())
}

/// The one summary metric of today's tutorial, `days`, is the run length: a known function
/// of `calendar.days` and of nothing else, which the analyses must recover.
#[test]
fn analyze_recovers_what_drives_a_known_metric() {
    let tmp = scratch("analyze");
    let vary =
        r#"(path: "calendar.days", range: (2.0, 6.0)), (path: "activation.k", range: (1.0, 3.0))"#;

    let (report, csv) = analysed(&tmp, "sobol", "Sobol(samples: 16)", vary);
    assert!(
        report.contains("Sobol indices, 95% bootstrap intervals"),
        "{report}"
    );
    let rows: Vec<Vec<String>> = csv
        .lines()
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect();
    assert_eq!(
        rows[0].join(","),
        "metric,parameter,s1,s1_low,s1_high,st,st_low,st_high"
    );
    let index = |param: &str, col: usize| -> f64 {
        rows.iter().find(|r| r[1] == param).unwrap()[col]
            .parse()
            .unwrap()
    };
    // k changes nothing: its indices are exactly zero; the length explains everything.
    assert_eq!(index("activation.k", 2), 0.0);
    assert_eq!(index("activation.k", 5), 0.0);
    assert!((index("calendar.days", 2) - 1.0).abs() < 0.35, "{csv}");
    assert!((index("calendar.days", 5) - 1.0).abs() < 0.35, "{csv}");
    assert!(index("calendar.days", 3) < index("calendar.days", 4));

    // A second-order design: S_ij for the one pair, and the convergence check at N/4,
    // N/2, N. k plays no part, so the pair explains nothing beyond the length's own share.
    let (report, _) = analysed(
        &tmp,
        "sobol2",
        "Sobol(samples: 16, second_order: true)",
        vary,
    );
    assert!(
        report.contains("convergence, largest change from N = 8 to 16"),
        "{report}"
    );
    let s2 = String::from_utf8(read(&tmp.join("sobol2"), "sobol2.csv")).unwrap();
    let mut lines = s2.lines();
    assert_eq!(
        lines.next(),
        Some("metric,parameter_i,parameter_j,s2,s2_low,s2_high")
    );
    let pair: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(pair[..3], ["days", "calendar.days", "activation.k"], "{s2}");
    assert!(pair[3].parse::<f64>().unwrap().abs() < 0.35, "{s2}");
    let conv = String::from_utf8(read(&tmp.join("sobol2"), "sobol_convergence.csv")).unwrap();
    assert!(
        conv.starts_with("metric,parameters,index,n,value,low,high"),
        "{conv}"
    );
    // Two parameters x (S1, ST) x 3 sizes, and the pair's S2 x 3 sizes.
    assert_eq!(conv.lines().count(), 1 + 2 * 2 * 3 + 3, "{conv}");

    let (_, csv) = analysed(&tmp, "morris", "Morris(trajectories: 4, levels: 4)", vary);
    let k: Vec<&str> = csv
        .lines()
        .find(|l| l.contains("activation.k"))
        .unwrap()
        .split(',')
        .collect();
    let d: Vec<&str> = csv
        .lines()
        .find(|l| l.contains("calendar.days"))
        .unwrap()
        .split(',')
        .collect();
    assert_eq!(k[2], "0", "{csv}");
    // A step of 2/3 of the range (4 days) moves the length by 3 days (rounded): mu* = 4.
    let mu_star: f64 = d[2].parse().unwrap();
    assert!((mu_star - 4.0).abs() < 1.5, "{csv}");

    let (report, _) = analysed(&tmp, "lhs", "LatinHypercube(samples: 12)", vary);
    let prcc = String::from_utf8(read(&tmp.join("lhs"), "prcc.csv")).unwrap();
    assert!(report.contains("Partial rank correlation"), "{report}");
    // The run length follows calendar.days (whole days: rounding ties keep the rank
    // correlation just under 1); k plays no part.
    let coefficient = |param: &str| -> f64 {
        prcc.lines()
            .find(|l| l.starts_with(&format!("days,{param},")))
            .unwrap()
            .rsplit(',')
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    assert!(coefficient("calendar.days") > 0.9, "{prcc}");
    assert!(coefficient("activation.k").abs() < 0.5, "{prcc}");

    let (report, csv) = analysed(
        &tmp,
        "grid",
        "Grid",
        r#"(path: "calendar.days", values: [3, 5]), (path: "activation.k", values: [1.0, 2.0])"#,
    );
    assert!(report.contains("Mean and standard deviation"), "{report}");
    assert_eq!(
        csv.lines().collect::<Vec<_>>(),
        [
            "point,calendar.days,activation.k,metric,n,mean,sd,ci_low,ci_high",
            "0,3,1,days,2,3,0,3,3",
            "1,3,2,days,2,3,0,3,3",
            "2,5,1,days,2,5,0,5,5",
            "3,5,2,days,2,5,0,5,5",
        ]
    );

    // An unfinished sweep is not analysed.
    let shard = tmp.join("shard");
    ok(run(asymwar()
        .args(["sweep", "--shard", "1/2", "--out"])
        .arg(&shard)
        .arg(tmp.join("grid.ron"))));
    let out = run(asymwar().arg("analyze").arg(&shard));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains("4 of 8 runs are here (shard 1/2)"),
        "{err}"
    );
}

/// A grid with common random numbers: each parameter's paired effect and each pair's
/// interaction contrast, with t intervals, and the share of variance between points. The
/// run length `days` is known exactly: 2 more days for `calendar.days` 3 -> 5, none for
/// `activation.k`, no interaction, all of the variance between points.
#[test]
fn a_crn_grid_gives_paired_effects_interactions_and_the_variance_between_points() {
    let tmp = scratch("crn");
    let spec = tmp.join("crn.ron");
    std::fs::write(
        &spec,
        r#"Sweep(name: "crn", scenario: "tutorial", vary: [(path: "calendar.days", values: [3, 5]), (path: "activation.k", values: [1.0, 2.0])], design: Grid, replicates: 3, master_seed: 3, common_random_numbers: true, collect: (metrics: ["days", "convoys_departed"]))"#,
    )
    .unwrap();
    let dir = tmp.join("crn");
    ok(run(asymwar().args(["sweep", "--out"]).arg(&dir).arg(&spec)));
    let report = ok(run(asymwar().arg("analyze").arg(&dir)));
    assert!(report.contains("Paired effects"), "{report}");
    let effects = String::from_utf8(read(&dir, "effects.csv")).unwrap();
    let lines: Vec<&str> = effects.lines().collect();
    assert_eq!(lines[0], "metric,parameters,at,n,difference,ci_low,ci_high");
    for at in ["activation.k=1", "activation.k=2"] {
        assert!(
            lines.contains(&format!("days,calendar.days,{at},3,2,2,2").as_str()),
            "{effects}"
        );
    }
    for at in ["calendar.days=3", "calendar.days=5"] {
        assert!(
            lines.contains(&format!("days,activation.k,{at},3,0,0,0").as_str()),
            "{effects}"
        );
    }
    // Every interval holds its mean.
    for l in &lines[1..] {
        let f: Vec<f64> = l.split(',').skip(4).map(|x| x.parse().unwrap()).collect();
        assert!(f[1] <= f[0] && f[0] <= f[2], "{l}");
    }
    let interactions = String::from_utf8(read(&dir, "interactions.csv")).unwrap();
    assert!(
        interactions
            .lines()
            .any(|l| l == "days,calendar.days x activation.k,,3,0,0,0"),
        "{interactions}"
    );
    let variance = String::from_utf8(read(&dir, "variance.csv")).unwrap();
    assert!(variance.lines().any(|l| l == "days,1"), "{variance}");
}
