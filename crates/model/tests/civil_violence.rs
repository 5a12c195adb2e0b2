//! Verification: Epstein's (2002) civil violence model reproduces the published patterns
//! (MODEL.md section 8). Each claim is checked over several seeds.

use asymwar_model::Simulation;
use asymwar_model::bevy_ecs::world::World;
use asymwar_model::civil_violence::{self, CivilViolence, CivilViolenceParams, CopSchedule};
use asymwar_model::grievance::ArrestRule;

const SEEDS: [u64; 3] = [1, 2, 3];

fn simulation(params: &CivilViolenceParams, seed: u64) -> Simulation {
    let mut w = World::new();
    civil_violence::populate(&mut w, params, seed);
    Simulation::new(w, &[civil_violence::install])
}

fn summary(sim: &mut Simulation, name: &str) -> Option<f64> {
    sim.summary()
        .into_iter()
        .find(|(n, _)| *n == name)
        .unwrap_or_else(|| panic!("no summary {name}"))
        .1
}

fn column(sim: &Simulation, name: &str) -> Vec<f64> {
    sim.time_series()
        .column(name)
        .unwrap_or_else(|| panic!("no column {name}"))
        .collect()
}

#[test]
fn run2_floor_rule_gives_punctuated_equilibrium_and_literal_rule_does_not() {
    let ticks = 3000;
    let mut floor_peaks = Vec::new();
    for seed in SEEDS {
        let mut sim = simulation(&CivilViolenceParams::run2(), seed);
        sim.run_ticks(ticks);
        let outbursts = summary(&mut sim, "outbursts").unwrap();
        let waiting = summary(&mut sim, "mean_waiting_time").unwrap();
        let above = summary(&mut sim, "ticks_in_outburst").unwrap();
        let peak = summary(&mut sim, "peak_actives").unwrap();
        println!(
            "run2 floor seed {seed}: {outbursts} outbursts, mean quiet spell {waiting:.1} ticks, {above} ticks above 50, peak {peak}"
        );
        // Outbursts recur ...
        assert!(outbursts >= 10.0, "seed {seed}: {outbursts} outbursts");
        // ... separated by quiet spells: most of the time actives stay at or below 50.
        assert!(waiting >= 10.0, "seed {seed}: mean quiet spell {waiting}");
        assert!(
            above < 0.4 * ticks as f64,
            "seed {seed}: {above} ticks above 50"
        );
        assert!(peak > 200.0, "seed {seed}: peak {peak}");
        floor_peaks.push(peak);
    }
    let lowest_floor_peak = floor_peaks.iter().copied().fold(f64::INFINITY, f64::min);
    for seed in SEEDS {
        let mut p = CivilViolenceParams::run2();
        p.activation.arrest_rule = ArrestRule::Literal;
        let mut sim = simulation(&p, seed);
        sim.run_ticks(ticks);
        let peak = summary(&mut sim, "peak_actives").unwrap();
        let outbursts = summary(&mut sim, "outbursts").unwrap();
        println!("run2 literal seed {seed}: {outbursts} outbursts, peak {peak}");
        assert!(
            peak < 0.25 * lowest_floor_peak,
            "seed {seed}: literal peak {peak} vs floor {lowest_floor_peak}"
        );
        assert_eq!(outbursts, 0.0, "seed {seed}");
    }
}

#[test]
fn population_is_conserved_and_the_same_seed_gives_the_same_run() {
    for params in [
        CivilViolenceParams::run1(),
        CivilViolenceParams::run2(),
        CivilViolenceParams::run4(),
    ] {
        let mut a = simulation(&params, 11);
        let mut b = simulation(&params, 11);
        a.run_ticks(300);
        b.run_ticks(300);
        let citizens = f64::from(a.world.resource::<CivilViolence>().citizens());
        let ts = a.time_series();
        assert_eq!(ts.len(), 300);
        assert_eq!(ts.index_name, "tick");
        let (active, quiet, jailed) = (
            column(&a, "active"),
            column(&a, "quiet"),
            column(&a, "jailed"),
        );
        for t in 0..300 {
            assert_eq!(active[t] + quiet[t] + jailed[t], citizens, "tick {t}");
        }
        assert!(active.iter().any(|&x| x > 0.0) && jailed.iter().any(|&x| x > 0.0));
        assert_eq!(a.time_series().values, b.time_series().values);
        assert_eq!(a.summary(), b.summary());
        a.world
            .resource::<CivilViolence>()
            .check_consistency()
            .unwrap();
        let mut c = simulation(&params, 12);
        c.run_ticks(300);
        assert_ne!(
            a.time_series().values,
            c.time_series().values,
            "another seed, another run"
        );
    }
}

#[test]
fn removing_cops_gradually_tips_into_rebellion() {
    // Run 5's world with life terms, L = 0.8; from tick 100 one cop in 10,000 cells goes
    // each tick (about one cop every 6 ticks on the 40 x 40 torus).
    for seed in SEEDS {
        let mut p = CivilViolenceParams::run5();
        p.max_jail_term = None;
        p.cop_schedule = CopSchedule::Gradual {
            start_tick: 100,
            per_tick: 0.0001,
            to: 0.0,
        };
        let mut sim = simulation(&p, seed);
        sim.run_ticks(800);
        let active = column(&sim, "active");
        let cops = column(&sim, "cops");
        let first = active.iter().position(|&a| a > 50.0);
        println!(
            "cop reduction seed {seed}: first outburst at tick {first:?}, cops then {:?}",
            first.map(|t| cops[t])
        );
        // Quiet while the cops are all there ...
        assert!(
            active[..100].iter().all(|&a| a <= 50.0),
            "seed {seed}: outburst before the cuts"
        );
        // ... and an outburst once enough have gone.
        let t = first.unwrap_or_else(|| panic!("seed {seed}: no outburst"));
        assert!(cops[t] < cops[0], "seed {seed}");
        assert!(
            summary(&mut sim, "peak_actives").unwrap() > 150.0,
            "seed {seed}"
        );
    }
}

struct LegitimacyRun {
    first_outburst: Option<usize>,
    active: Vec<f64>,
    jailed: Vec<f64>,
    legitimacy: Vec<f64>,
}

fn legitimacy_run(params: &CivilViolenceParams, seed: u64, ticks: u64) -> LegitimacyRun {
    let mut sim = simulation(params, seed);
    sim.run_ticks(ticks);
    let active = column(&sim, "active");
    LegitimacyRun {
        first_outburst: active.iter().position(|&a| a > 50.0),
        jailed: column(&sim, "jailed"),
        legitimacy: column(&sim, "legitimacy"),
        active,
    }
}

/// Run 3: legitimacy falls from 0.9 to 0.2 by 0.01 a tick (life terms, cops 0.074). The
/// few agents each step turns active are picked off one by one: the jail fills steadily and,
/// in most runs, no outburst forms. (Over seeds 1-20, 2 runs tip, at ticks 76 and 98, once
/// legitimacy has bottomed out at 0.2; docs/civil_violence.md.)
#[test]
fn gradual_legitimacy_decline_fills_the_jail_mostly_without_outburst() {
    let seeds = 1..=20u64;
    let mut tipped = 0;
    for seed in seeds {
        let run = legitimacy_run(&CivilViolenceParams::run3(), seed, 101);
        assert!((run.legitimacy[0] - 0.89).abs() < 1e-9 && (run.legitimacy[70] - 0.2).abs() < 1e-9);
        assert!(
            run.jailed.windows(2).all(|w| w[1] >= w[0]),
            "seed {seed}: life terms, the jail only fills"
        );
        match run.first_outburst {
            Some(t) => {
                tipped += 1;
                assert!(
                    t >= 60,
                    "seed {seed}: tipped at tick {t}, while legitimacy was still {}",
                    run.legitimacy[t]
                );
            }
            None => {
                let peak = run.active.iter().copied().fold(0.0, f64::max);
                assert!(peak <= 20.0, "seed {seed}: {peak} actives at once");
                assert!(
                    run.jailed[100] > 250.0,
                    "seed {seed}: jailed {}",
                    run.jailed[100]
                );
                assert!(
                    run.jailed[35] > 50.0 && run.jailed[70] > run.jailed[35],
                    "seed {seed}: the jail fills as L falls"
                );
            }
        }
    }
    assert!(
        tipped <= 5,
        "the gradual decline tipped in {tipped} of 20 runs"
    );
}

/// Run 4, the part that is reproduced: nobody is active at L = 0.9, and the drop to 0.7 at
/// tick 77 sets off a burst at once, several times larger than anything the gradual path
/// shows while it stays quiet; in the runs where the burst grows into an outburst (and the
/// gradual path does not tip), more citizens are in jail at tick 300 than after the
/// gradual decline. Seeds 1-12: the burst peaks at 10-403 actives, 2 of 12 tip at once.
#[test]
fn sudden_legitimacy_drop_sets_off_a_burst_and_an_outburst_jails_more() {
    let mut tipped = 0;
    for seed in 1..=12u64 {
        let sudden = legitimacy_run(&CivilViolenceParams::run4(), seed, 301);
        let gradual = legitimacy_run(&CivilViolenceParams::run3(), seed, 301);
        assert!(
            sudden.active[..77].iter().all(|&a| a == 0.0),
            "seed {seed}: nobody is active at L = 0.9"
        );
        let burst = sudden.active[77..=80].iter().copied().fold(0.0, f64::max);
        assert!(burst >= 8.0, "seed {seed}: {burst} actives after the drop");
        if gradual.first_outburst.is_none() {
            let quiet_peak = gradual.active.iter().copied().fold(0.0, f64::max);
            assert!(
                burst >= 2.0 * quiet_peak,
                "seed {seed}: burst {burst} vs {quiet_peak} on the gradual path"
            );
            if sudden.first_outburst.is_some_and(|t| t <= 90) {
                tipped += 1;
                assert!(
                    sudden.jailed[300] > gradual.jailed[300],
                    "seed {seed}: jailed at 300: sudden {} gradual {}",
                    sudden.jailed[300],
                    gradual.jailed[300]
                );
            }
        }
    }
    assert!(tipped >= 1, "the drop never tipped at once");
}

/// Run 4, Epstein's published outcome: a sudden drop from 0.9 to only 0.7 at tick 77 sets off
/// an outburst, and more citizens are in jail at tick 300 than after the gradual decline
/// to 0.2. NOT reproduced by this implementation with the presets' vision (disc, radius 7):
/// the drop tips in 2 of 20 runs and jails fewer on average (171 vs 408 at tick 300). With
/// other neighbourhoods or cop densities both paths tip together or neither does
/// (docs/civil_violence.md has the table). Kept as an executable statement of the claim:
/// `cargo test -p asymwar-model --test civil_violence -- --ignored`.
#[test]
#[ignore = "published outcome not reproduced; see docs/civil_violence.md"]
fn sudden_legitimacy_drop_sets_off_an_outburst_and_jails_more_than_the_gradual_decline() {
    let seeds = 1..=10u64;
    let (mut tipped, mut more_jailed) = (0, 0);
    for seed in seeds {
        let sudden = legitimacy_run(&CivilViolenceParams::run4(), seed, 301);
        let gradual = legitimacy_run(&CivilViolenceParams::run3(), seed, 301);
        assert!(
            sudden.active[..77].iter().all(|&a| a == 0.0),
            "nobody is active at L = 0.9"
        );
        tipped += u32::from(sudden.first_outburst.is_some_and(|t| t < 110));
        more_jailed += u32::from(sudden.jailed[300] > gradual.jailed[300]);
    }
    assert!(
        tipped >= 8 && more_jailed >= 8,
        "tipped {tipped}/10, more jailed {more_jailed}/10"
    );
}
