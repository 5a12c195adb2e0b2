use super::*;
use crate::check::{Checker, Validate};

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
    ] {
        let mut p = CivilViolenceParams::run2();
        p.neighbourhood = kind;
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
