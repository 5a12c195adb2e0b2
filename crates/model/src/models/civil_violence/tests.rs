use super::*;
use crate::engine::check::{Checker, Validate};

#[test]
fn presets_are_valid() {
    for p in [
        CivilViolenceParams::run1(),
        CivilViolenceParams::run2(),
        CivilViolenceParams::run3(),
        CivilViolenceParams::run4(),
        CivilViolenceParams::run5(),
    ] {
        let mut c = Checker::new();
        p.validate(&mut c);
        assert!(c.is_empty(), "{:?}", c.violations);
    }
    let mut p = CivilViolenceParams::run2();
    p.cop_density = 0.5;
    p.vision = 30.0;
    let mut c = Checker::new();
    p.validate(&mut c);
    assert_eq!(c.violations.len(), 2, "{:?}", c.violations);
}

#[test]
fn counts_stay_consistent() {
    for kind in [
        NeighbourhoodKind::VonNeumann,
        NeighbourhoodKind::Disc,
        NeighbourhoodKind::Moore,
    ]
    .into_iter()
    .flat_map(|k| {
        [
            (k, UpdateOrder::Interleaved),
            (k, UpdateOrder::CitizensThenCops),
        ]
    }) {
        let (kind, order) = kind;
        let mut p = CivilViolenceParams::run2();
        p.neighbourhood = kind;
        p.update_order = order;
        p.width = 30;
        p.height = 20;
        p.cop_schedule = CopSchedule::Gradual {
            start_tick: 50,
            per_tick: 0.001,
            to: 0.0,
        };
        let mut rng = rng::stream(7, Purpose::CivilViolence, 1, 0);
        let mut cv = CivilViolence::new(p, &mut rng);
        for _ in 0..200 {
            cv.step(&mut rng);
            cv.check_consistency().unwrap();
        }
        assert!(cv.arrests() > 0);
    }
}

#[test]
fn markers_show_every_citizen_on_the_grid_and_every_cop_on_duty() {
    use crate::engine::observation::{self, MarkerKind};
    use crate::engine::sim::Simulation;
    let mut p = CivilViolenceParams::run2();
    p.cop_schedule = CopSchedule::Gradual {
        start_tick: 10,
        per_tick: 0.001,
        to: 0.0,
    };
    let mut w = World::new();
    populate(&mut w, &p, 5);
    let mut sim = Simulation::new(w, &[install]);
    sim.run_ticks(40);
    let mut out = Vec::new();
    observation::markers(&mut sim.world, &mut out);
    let cv = sim.world.resource::<CivilViolence>();
    let count = |k: MarkerKind| out.iter().filter(|m| m.kind == k).count() as u32;
    assert!(cv.jailed() > 0 && cv.cops() < p.cops());
    assert_eq!(count(MarkerKind::Active), cv.actives());
    assert_eq!(count(MarkerKind::Quiet), cv.quiet());
    assert_eq!(count(MarkerKind::Cop), cv.cops());
    assert!(
        out.iter()
            .all(|m| m.x > 0.0 && m.x < 40.0 && m.y > 0.0 && m.y < 40.0)
    );
}

/// A 300 x 200 world (6 x 4 tiles at vision 7; 36 x 24 at vision 1) under colour classes, with cops withdrawn
/// so that it tips: (actives, jailed, arrests) of every tick, and every agent's place.
fn colour_run(order: UpdateOrder, full: bool, threads: usize) -> (Vec<(u32, u32, u64)>, Vec<u32>) {
    let mut p = CivilViolenceParams::run5();
    if full {
        // Every cell taken: released citizens often find no free cell within
        // vision, and their turns are deferred to the end of the pass.
        p.citizen_density = 0.9;
        p.cop_density = 0.1;
        p.legitimacy = 0.5;
        p.vision = 1.0;
        p.neighbourhood = NeighbourhoodKind::VonNeumann;
    }
    p.width = 300;
    p.height = 200;
    p.scheduling = Scheduling::ColourClasses;
    p.update_order = order;
    p.max_jail_term = Some(15);
    p.cop_schedule = CopSchedule::Gradual {
        start_tick: 10,
        per_tick: 0.002,
        to: 0.01,
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    pool.install(|| {
        let mut rng = rng::stream(11, Purpose::CivilViolence, 1, 0);
        let mut cv = CivilViolence::new(p, &mut rng);
        assert_eq!(cv.colour_tiles(), if full { (36, 24) } else { (6, 4) });
        let mut series = Vec::new();
        for _ in 0..60 {
            cv.step(&mut rng);
            cv.check_consistency().unwrap();
            series.push((cv.actives(), cv.jailed(), cv.arrests()));
        }
        let places = (0..cv.citizens()).map(|i| cv.cell_of(i)).collect();
        (series, places)
    })
}

#[test]
fn colour_classes_give_the_same_run_on_any_number_of_threads() {
    for order in [UpdateOrder::CitizensThenCops, UpdateOrder::Interleaved] {
        for full in [false, true] {
            let one = colour_run(order, full, 1);
            assert!(
                one.0.iter().any(|&(a, _, _)| a > 50),
                "{order:?}: no outburst"
            );
            assert_eq!(one, colour_run(order, full, 2), "{order:?} {full}");
            assert_eq!(one, colour_run(order, full, 3), "{order:?} {full}");
        }
    }
    assert!(super::colour::DEFERRED.load(std::sync::atomic::Ordering::Relaxed) > 0);
}

#[test]
fn colour_classes_on_a_small_grid_are_one_tile() {
    let mut p = CivilViolenceParams::run2();
    p.scheduling = Scheduling::ColourClasses;
    let mut rng = rng::stream(3, Purpose::CivilViolence, 1, 0);
    let mut cv = CivilViolence::new(p, &mut rng);
    assert_eq!(cv.colour_tiles(), (1, 1));
    for _ in 0..300 {
        cv.step(&mut rng);
        cv.check_consistency().unwrap();
    }
    assert!(cv.arrests() > 0);
}

/// Draws `random_empty_near` from citizens' cells of a run 2 world after 50 ticks, and
/// tests the draws against the uniform distribution over the empty cells in vision (a
/// chi-square test at about six standard deviations: the draws are seeded, so the test is
/// deterministic, and a draw that favoured some offsets, or landed on an occupied cell or
/// outside vision, would fail it). Vision 7 (148 cells) draws five cells a 64-bit word;
/// vision 14 (616 cells) one cell a draw.
#[test]
fn a_move_draws_every_empty_cell_in_vision_equally_often() {
    for vision in [7.0, 14.0] {
        let mut p = CivilViolenceParams::run2();
        p.vision = vision;
        let mut rng = rng::stream(11, Purpose::CivilViolence, 2, 0);
        let mut cv = CivilViolence::new(p.clone(), &mut rng);
        for _ in 0..50 {
            cv.step(&mut rng);
        }
        let origins: Vec<u32> = (0..cv.citizens())
            .filter(|&i| cv.condition(i) != Condition::Jailed)
            .map(|i| cv.cell_of(i))
            .step_by(97)
            .take(4)
            .collect();
        let (board, _) = cv.board();
        for origin in origins {
            let empty: Vec<u32> = board
                .hood
                .offsets
                .iter()
                .map(|&o| board.torus.offset(origin, o))
                .filter(|&c| !board.occupied.get(c as usize))
                .collect();
            assert!(empty.len() >= 5, "vision {vision}: {} empty", empty.len());
            let draws = 2_000 * empty.len();
            let mut seen = vec![0u32; empty.len()];
            for _ in 0..draws {
                let c = rules::random_empty_near(&board, origin, &mut rng).unwrap();
                let k = empty.iter().position(|&e| e == c);
                seen[k.unwrap_or_else(|| panic!("vision {vision}: drew {c}, not empty"))] += 1;
            }
            let expected = draws as f64 / empty.len() as f64;
            let chi2: f64 = seen
                .iter()
                .map(|&s| (f64::from(s) - expected).powi(2) / expected)
                .sum();
            let dof = (empty.len() - 1) as f64;
            assert!(
                chi2 < dof + 6.0 * (2.0 * dof).sqrt(),
                "vision {vision}, cell {origin}: chi2 {chi2:.1} on {dof} degrees of freedom"
            );
        }
    }
}
