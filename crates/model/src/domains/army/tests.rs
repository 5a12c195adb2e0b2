//! The army on the strip (crate::testing): escorts join and leave convoys, reports are
//! answered after the delay, a located command is struck.

use super::*;
use crate::domains::insurgency::data::{InsurgencyTally, InsurgentCommand, TopCommand};
use crate::domains::logistics::data::{LogisticsParams, LogisticsTally};
use crate::domains::society::data::Society;
use crate::engine::observation::{EventKind, EventLog};
use crate::testing;

#[test]
fn an_escort_takes_a_convoy_and_is_free_again_when_it_arrives() {
    let (mut world, towns) = testing::strip(1);
    world.init_resource::<LogisticsParams>();
    world.resource_mut::<LogisticsParams>().escort_min_convoy = 10;
    testing::army_at(&mut world, towns[1], UnitKind::Motorised, 1, 40);
    let mut sim = testing::conflict(world);
    let mut escorted_at = None;
    for tick in 0..24 * 30 {
        sim.step();
        let escorting = sim.world.query::<&Escorting>().iter(&sim.world).count();
        if escorting > 0 && escorted_at.is_none() {
            escorted_at = Some(tick);
        }
        if escorted_at.is_some() && escorting == 0 {
            break;
        }
    }
    assert!(escorted_at.is_some(), "the unit never escorted a convoy");
    assert!(sim.world.resource::<LogisticsTally>().escorted_convoys > 0);
    let still: usize = sim.world.query::<&Escorting>().iter(&sim.world).count();
    assert_eq!(
        still, 0,
        "the escort was not released after its convoy arrived"
    );
}

#[test]
fn a_report_is_answered_after_the_response_delay_and_society_hears_of_it() {
    let (mut world, towns) = testing::strip(2);
    testing::army_at(&mut world, towns[1], UnitKind::Motorised, 1, 40);
    let mut sim = testing::conflict(world);
    let delay = sim.world.resource::<ArmyParams>().response_delay_hours as u64;
    let at = crate::engine::geo::Tile::new(25, testing::ROAD_Y);
    sim.world
        .resource_mut::<Inbox<ArmyNews>>()
        .post(ArmyNews::Attack { tick: 0, tile: at });
    sim.run_ticks(delay);
    let responding = |sim: &mut crate::engine::sim::Simulation| {
        sim.world
            .query::<&ArmyUnit>()
            .iter(&sim.world)
            .any(|u| u.posture == Posture::Respond)
    };
    assert!(!responding(&mut sim), "answered before the delay");
    // The command re-tasks every `command_every_hours`.
    sim.run_ticks(sim.world.resource::<ArmyParams>().command_every_hours as u64 + 1);
    assert!(responding(&mut sim), "not answered after the delay");
    assert_eq!(sim.world.resource::<ArmyCommand>().answered_attacks, 1);
    let answered: u32 = sim
        .world
        .resource::<Society>()
        .towns
        .iter()
        .map(|t| t.answered_today)
        .sum();
    assert_eq!(answered, 1, "society did not hear of the answer");
}

#[test]
fn a_located_command_is_struck_and_falls_silent() {
    let (mut world, _) = testing::strip(3);
    testing::insurgents(&mut world, crate::engine::geo::Tile::new(20, 2), 2, 20);
    world.resource_mut::<ArmyParams>().decapitation_success = 1.0;
    let mut sim = testing::conflict(world);
    let top = sim.world.resource::<TopCommand>().0;
    let p = sim.world.resource::<ArmyParams>().clone();
    // What locates a sub-command does not locate the top.
    sim.world
        .resource_mut::<ArmyCommand>()
        .add_intel(top, p.intel_to_locate_command * 1.01);
    sim.step();
    assert!(sim.world.get::<InsurgentCommand>(top).unwrap().alive);
    let needed = p.intel_to_locate_top;
    sim.world
        .resource_mut::<ArmyCommand>()
        .add_intel(top, needed * 2.0);
    sim.step();
    let cmd = sim.world.get::<InsurgentCommand>(top).unwrap();
    assert!(!cmd.alive && cmd.successor_at.is_some());
    let t = sim.world.resource::<InsurgencyTally>();
    assert_eq!(
        (t.decapitations, t.top_decapitations, t.top_decapitated_day),
        (1, 1, Some(0))
    );
    let log = sim.world.resource::<EventLog>();
    assert_eq!(
        log.events
            .iter()
            .filter(|e| e.kind == EventKind::Decapitation)
            .count(),
        1
    );
    assert_eq!(sim.world.resource::<ArmyCommand>().intel(top), 0.0);
}
