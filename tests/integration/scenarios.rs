//! Scenario files: every shipped scenario validates, and each class of bad input gets its
//! own clear error.

use crate::common::{scenario_text, scenarios_dir};
use asymwar_scenario::load::{load_file, parse_str};
use asymwar_scenario::{ScenarioError, ScenarioFile};
use std::path::Path;

fn tutorial_text() -> String {
    scenario_text("tutorial.ron")
}

/// Parses edited tutorial text and returns the error message.
fn error_of(text: &str) -> String {
    match parse_str(text, Path::new("bad.ron")) {
        Ok(_) => panic!("the edited scenario was accepted"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn every_shipped_scenario_validates() {
    let mut n = 0;
    for entry in std::fs::read_dir(scenarios_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "ron") {
            load_file(&path).unwrap_or_else(|e| panic!("{e}"));
            n += 1;
        }
    }
    assert!(n >= 2, "found only {n} scenarios");
}

#[test]
fn syntax_error_names_file_line_column_and_expectation() {
    let text = tutorial_text().replace("tile_km: 5.0,", "tile_km: 5.0 oops,");
    let msg = error_of(&text);
    let line = tutorial_text()
        .lines()
        .position(|l| l.contains("tile_km: 5.0,"))
        .unwrap()
        + 1;
    assert!(msg.starts_with(&format!("bad.ron:{line}:")), "{msg}");
    assert!(msg.to_lowercase().contains("expected"), "{msg}");
}

#[test]
fn unknown_field_is_a_syntax_error_naming_the_field() {
    let text = tutorial_text().replace("tile_km: 5.0,", "tile_kms: 5.0,");
    let msg = error_of(&text);
    assert!(msg.contains("tile_kms"), "{msg}");
}

#[test]
fn corridor_with_unknown_town_is_named() {
    let text = tutorial_text().replace(
        r#"towns: ["Capital", "Westport"]"#,
        r#"towns: ["Capital", "Atlantis"]"#,
    );
    let msg = error_of(&text);
    assert!(msg.contains("corridors[0] (west road).towns[1]"), "{msg}");
    assert!(msg.contains("'Atlantis' is not a settlement"), "{msg}");
}

#[test]
fn town_outside_the_map_is_named() {
    let text = tutorial_text().replace("at: Tile(58, 40)", "at: Tile(90, 40)");
    let msg = error_of(&text);
    assert!(msg.contains("settlements[4] (Eastville).at"), "{msg}");
    assert!(msg.contains("outside the map"), "{msg}");
}

#[test]
fn negative_population_is_named() {
    let text = tutorial_text().replace("population: 15000", "population: -15000");
    let msg = error_of(&text);
    assert!(
        msg.contains("settlements[2] (Westport).population"),
        "{msg}"
    );
    assert!(msg.contains(">= 0"), "{msg}");
}

#[test]
fn probability_outside_unit_interval_is_named() {
    let text = tutorial_text().replace(
        "    settlements: [",
        "    params: (activation: (threshold: 1.5)),\n    settlements: [",
    );
    let msg = error_of(&text);
    assert!(msg.contains("params.activation.threshold"), "{msg}");
    assert!(msg.contains("probability in [0, 1]"), "{msg}");
}

#[test]
fn tile_size_giving_an_empty_or_huge_grid_is_refused() {
    let mali = scenario_text("mali_blockade.ron");
    let empty = error_of(&mali.replace("tile_km: 5.0,", "tile_km: 5000.0,"));
    assert!(
        empty.contains("map: the grid is") && empty.contains("tile_km"),
        "{empty}"
    );
    let huge = error_of(&mali.replace("tile_km: 5.0,", "tile_km: 0.1,"));
    assert!(huge.contains("over the limit of 4000 x 4000"), "{huge}");
}

#[test]
fn crossing_off_its_corridor_is_named() {
    let text = tutorial_text().replace(
        r#"(town: "Southgate", corridor: "south road""#,
        r#"(town: "Southgate", corridor: "west road""#,
    );
    let msg = error_of(&text);
    assert!(msg.contains("crossings[1] (Southgate).corridor"), "{msg}");
    assert!(msg.contains("does not pass through 'Southgate'"), "{msg}");
}

#[test]
fn all_problems_are_reported_at_once() {
    let text = tutorial_text()
        .replace("population: 15000", "population: -1")
        .replace("at: Tile(58, 40)", "at: Tile(90, 40)");
    match parse_str(&text, Path::new("bad.ron")) {
        Err(ScenarioError::Invalid { problems, .. }) => {
            assert_eq!(problems.len(), 2, "{problems:?}")
        }
        other => panic!("expected two problems, got {other:?}"),
    }
}

#[test]
fn resolved_scenario_round_trips() {
    let s = load_file(&scenarios_dir().join("mali_blockade.ron")).unwrap();
    let text = asymwar_scenario::to_ron(&s);
    let back: ScenarioFile = parse_str(&text, Path::new("resolved.ron")).unwrap();
    assert_eq!(s, back);
}

/// Every shipped scenario's model names each daily column and each summary metric once.
/// (The model's own check of this is a debug assertion, which the tests, built in
/// release, do not run.)
#[test]
fn every_model_names_its_columns_and_metrics_once() {
    for entry in std::fs::read_dir(scenarios_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "ron") {
            continue;
        }
        let file = load_file(&path).unwrap();
        let mut sim = asymwar_scenario::build_simulation(&file, 1);
        // The columns are named when the first row is recorded.
        sim.run_days(1);
        let mut columns = sim.time_series().columns.clone();
        let mut metrics: Vec<&str> = sim.summary().into_iter().map(|(n, _)| n).collect();
        assert!(!columns.is_empty() && !metrics.is_empty(), "{path:?}");
        for names in [&mut columns, &mut metrics] {
            let n = names.len();
            names.sort();
            names.dedup();
            assert_eq!(names.len(), n, "{path:?}: a name twice among {names:?}");
        }
    }
}

#[test]
fn militia_with_unknown_settlement_or_bad_discipline_is_named() {
    let text = tutorial_text().replace(
        "    ),\n)",
        "        militias: [(name: \"VDP\", settlements: [\"Nowhere\", \"Northtown\"], members: 100, discipline: 1.5, suspects: [\"Northtown\"])],\n    ),\n)",
    );
    let e = error_of(&text);
    assert!(
        e.contains("forces.militias[0] (VDP).settlements") && e.contains("'Nowhere'"),
        "{e}"
    );
    assert!(e.contains("forces.militias[0] (VDP).discipline"), "{e}");
    assert!(
        e.contains("suspects") && e.contains("one of its own settlements"),
        "{e}"
    );
}

#[test]
fn militia_and_rival_commands_validate_and_an_empty_command_is_named() {
    let text = tutorial_text()
        .replace("fighters_per_cell: 25),\n            (name: \"forest\"", "fighters_per_cell: 25, command: \"JNIM\"),\n            (name: \"forest\"")
        .replace(
            "    ),\n)",
            "        militias: [(name: \"hunters\", settlements: [\"Northtown\"], members: 100, recruits_per_day: 2.0, max_members: 400)],\n    ),\n)",
        );
    assert!(text.contains("command: \"JNIM\""), "the edit did not apply");
    parse_str(&text, Path::new("ok.ron")).unwrap_or_else(|e| panic!("{e}"));
    let e = error_of(&text.replace("command: \"JNIM\"", "command: \" \""));
    assert!(e.contains("forces.insurgents[0] (north).command"), "{e}");
}
