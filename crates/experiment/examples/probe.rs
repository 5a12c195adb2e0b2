//! Calibration probe: runs the Mali scenario with parameters set from `KEY=VALUE` arguments
//! (RON values at paths under `params`), and prints a few series and the summary.
//! `cargo run --release -p asymwar-experiment --example probe -- days=60 insurgency.blockade=false`
use asymwar_experiment::{RunOptions, run};
use asymwar_scenario::ScenarioFile;
use asymwar_scenario::load::resolve;

fn main() -> anyhow::Result<()> {
    let mut days = 60u32;
    let mut seed = None;
    let mut scenario = "mali_blockade".to_string();
    let mut sets = Vec::new();
    for a in std::env::args().skip(1) {
        let (k, v) = a.split_once('=').expect("KEY=VALUE");
        match k {
            "days" => days = v.parse()?,
            "seed" => seed = Some(v.parse()?),
            "scenario" => scenario = v.to_string(),
            _ => sets.push((k.to_string(), v.to_string())),
        }
    }
    let mut file = resolve(&scenario)?;
    if !sets.is_empty() {
        let ScenarioFile::Conflict(s) = &mut file else {
            anyhow::bail!("conflict scenarios only")
        };
        let mut v: serde_json::Value = serde_json::to_value(&s.params)?;
        for (k, val) in &sets {
            let mut at = &mut v;
            for part in k.split('.') {
                at = at
                    .get_mut(part)
                    .ok_or_else(|| anyhow::anyhow!("no parameter {k}"))?;
            }
            *at = serde_json::from_str(val).unwrap_or(serde_json::Value::String(val.clone()));
        }
        s.params = serde_json::from_value(v)?;
    }
    let opts = RunOptions {
        seed,
        days: Some(days),
        ..Default::default()
    };
    let t = std::time::Instant::now();
    let out = run(&file, &opts, |_, _| {});
    let el = t.elapsed();
    let cols = [
        "capital_fuel_days",
        "capital_price_index",
        "tankers_delivered",
        "tankers_destroyed",
        "ambushes",
        "checkpoint_stops",
        "trucks_turned_back",
        "attacks_on_civilians",
        "insurgent_fighters",
        "cells",
        "recruits",
        "units_escorting",
        "units_without_fuel",
        "army_soldiers",
        "mean_grievance",
        "mean_legitimacy",
        "active_share",
        "jailed",
        "displaced",
    ];
    print!("day ");
    for c in cols {
        print!("{:>8.8} ", c);
    }
    println!();
    let ts = &out.series;
    let step = (ts.len() / 15).max(1);
    for i in (0..ts.len()).step_by(step) {
        print!("{:>3} ", ts.days[i]);
        for c in cols {
            let j = ts.columns.iter().position(|x| *x == c).unwrap();
            print!("{:>8.3} ", ts.row(i)[j]);
        }
        println!();
    }
    for (k, v) in &out.summary {
        println!("  {k:<36} {}", v.map_or("-".into(), |v| format!("{v:.3}")));
    }
    println!("wall {:.2}s", el.as_secs_f64());
    Ok(())
}
