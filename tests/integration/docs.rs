//! Generated documentation stays fresh: the metric catalogue (docs/metrics.md) is what the
//! model's reporters declare today.

use crate::common::{asymwar, ok, run, temp_path};

#[test]
fn metric_catalogue_is_fresh() {
    let now = ok(run(asymwar().arg("metrics")));
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/metrics.md");
    let doc = std::fs::read_to_string(&path).unwrap();
    assert!(
        doc == now,
        "docs/metrics.md is stale: regenerate it with `cargo run --release -- metrics > docs/metrics.md`"
    );
    // Every daily metric says what kind it is, and the catalogue is not empty.
    assert!(now.contains("| `capital_fuel_days` | stock |"));
    assert!(now.contains("| `ambushes` | count |"));
}

/// Every ```` ```ron ```` block of docs/scenarios.md is a whole scenario that validates with
/// no warning, and the errors it shows are the ones `validate` prints: the reference cannot
/// drift from the schema unnoticed.
#[test]
fn every_example_in_the_scenario_reference_validates() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let doc = std::fs::read_to_string(root.join("docs/scenarios.md")).unwrap();
    let blocks = fenced_blocks(&doc, "ron");
    assert!(
        blocks.len() >= 4,
        "found {} ron examples in docs/scenarios.md",
        blocks.len()
    );
    let dir = temp_path("scenario-doc-examples");
    std::fs::create_dir_all(&dir).unwrap();
    for (i, text) in blocks.iter().enumerate() {
        let file = dir.join(format!("example{i}.ron"));
        std::fs::write(&file, text).unwrap();
        let out = run(asymwar().arg("validate").arg(&file));
        let printed = String::from_utf8_lossy(&out.stdout).to_string()
            + &String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success()
                && printed.trim_end().ends_with("ok")
                && !printed.contains("warning"),
            "docs/scenarios.md example {i} does not validate cleanly:\n{printed}\n{text}"
        );
    }
    // The errors section quotes real messages: make the walk-through's file bad in the two
    // ways it shows and compare.
    let walk = blocks
        .iter()
        .find(|b| b.contains("name: \"walk-through\""))
        .expect("the walk-through example");
    let bad = walk
        .replace("population: 120000", "population: 7302.5")
        .replace("from_country: \"CI\"", "from_country: \"Ivory Coast\"");
    let file = dir.join("bad.ron");
    std::fs::write(&file, bad).unwrap();
    let out = run(asymwar().arg("validate").arg(&file));
    assert!(!out.status.success());
    let printed = String::from_utf8_lossy(&out.stderr);
    for line in fenced_blocks(&doc, "text")[0].lines().skip(1) {
        assert!(
            printed.contains(line.trim()),
            "validate no longer prints {line:?}:\n{printed}"
        );
    }
    let quoted = walk.replace("kind: garrison", "kind: \"garrison\"");
    std::fs::write(&file, quoted).unwrap();
    let printed =
        String::from_utf8_lossy(&run(asymwar().arg("validate").arg(&file)).stderr).to_string();
    let shown = fenced_blocks(&doc, "text")[1].trim().to_string();
    let message = shown.split_once(": ").map(|x| x.1).unwrap();
    assert!(printed.contains(message), "{printed}\nvs\n{message}");
}

/// The bodies of the fenced blocks of `lang` in a Markdown text.
fn fenced_blocks(doc: &str, lang: &str) -> Vec<String> {
    let open = format!("```{lang}");
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    for line in doc.lines() {
        match &mut current {
            None if line.trim_end() == open => current = Some(String::new()),
            Some(body) if line.trim_end() == "```" => {
                out.push(std::mem::take(body));
                current = None;
            }
            Some(body) => {
                body.push_str(line);
                body.push('\n');
            }
            None => {}
        }
    }
    out
}
