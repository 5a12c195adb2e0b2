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
