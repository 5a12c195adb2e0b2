//! Generated documentation stays fresh: the metric catalogue (docs/metrics.md) is what the
//! model's reporters declare today.

use crate::common::{asymwar, ok, run};

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
