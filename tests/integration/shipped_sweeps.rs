//! Every sweep in `assets/sweeps/` loads, and every one of its design points is a valid
//! scenario.

use asymwar_experiment::spec::Plan;
use std::path::{Path, PathBuf};

fn sweeps() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("assets/sweeps");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "ron"))
        .collect();
    files.sort();
    assert!(files.len() >= 3, "{files:?}");
    files
}

fn check(file: &Path) -> Result<usize, String> {
    let plan = Plan::load(file).map_err(|e| e.to_string())?;
    plan.check_points().map_err(|e| e.to_string())?;
    Ok(plan.runs() as usize)
}

#[test]
fn shipped_sweeps_are_valid() {
    for f in sweeps() {
        let runs = check(&f).unwrap_or_else(|e| panic!("{e}"));
        if f.ends_with("smoke.ron") {
            assert!((24..=60).contains(&runs), "smoke has {runs} runs");
        }
    }
}
