//! Engagements on the strip (crate::testing): cells on the road stop and burn unescorted
//! convoys; undisciplined force harms civilians.

use super::*;
use crate::domains::army::data::{ArmyParams, EscortDoctrine, UnitKind};
use crate::domains::logistics::data::LogisticsTally;
use crate::engine::geo::Tile;
use crate::testing;

fn corridor_fights(insurgents: bool) -> (u64, u64) {
    let (mut world, _) = testing::strip(1);
    world.resource_mut::<ArmyParams>().escort_doctrine = EscortDoctrine::Unescorted;
    {
        let mut p = world.resource_mut::<InsurgencyParams>();
        p.checkpoint_chance = 1.0;
        p.ambush_chance = 1.0;
    }
    if insurgents {
        testing::insurgents(&mut world, Tile::new(15, 4), 4, 30);
    }
    let mut sim = testing::conflict(world);
    sim.run_days(15);
    let t = sim.world.resource::<EngagementTally>();
    let stops = t.ambushes.total + t.checkpoint_stops.total;
    let burned = sim
        .world
        .resource::<LogisticsTally>()
        .trucks_destroyed
        .total;
    (stops, burned)
}

#[test]
fn cells_on_the_road_stop_and_burn_unescorted_convoys() {
    assert_eq!(corridor_fights(false), (0, 0));
    let (stops, burned) = corridor_fights(true);
    assert!(stops > 0, "no checkpoint or ambush in 15 days");
    assert!(burned > 0, "no truck burned in {stops} stops");
}

#[test]
fn undisciplined_force_harms_civilians_and_disciplined_force_does_not() {
    let harm = |discipline: f64| {
        let (mut world, towns) = testing::strip(2);
        world.resource_mut::<ArmyParams>().discipline = discipline;
        world.resource_mut::<ArmyParams>().detection_per_hour = 0.5;
        testing::insurgents(&mut world, Tile::new(20, 5), 6, 20);
        testing::army_at(&mut world, towns[1], UnitKind::Motorised, 3, 60);
        let mut sim = testing::conflict(world);
        sim.run_days(10);
        let t = sim.world.resource::<EngagementTally>();
        (t.strikes.total, t.attacks_on_civilians_by_army)
    };
    let (strikes, harmed) = harm(0.0);
    assert!(strikes > 0, "no strike on cells next to the army's post");
    assert!(
        harmed > 0,
        "no harm from {strikes} strikes without discipline"
    );
    assert_eq!(harm(1.0).1, 0);
}
