//! The insurgency on the strip (crate::testing): succession, splits, founded cells and
//! recruits; sieges laid, held and broken.

use super::*;
use crate::domains::army::data::{ArmyCommand, UnitKind};
use crate::engine::geo::Tile;
use crate::testing;

#[test]
fn a_struck_command_returns_after_succession_and_the_army_forgets_it() {
    let (mut world, _) = testing::strip(1);
    testing::insurgents(&mut world, Tile::new(20, 2), 2, 20);
    world.resource_mut::<InsurgencyParams>().succession_days = 2.0;
    let mut sim = testing::conflict(world);
    let top = sim.world.resource::<TopCommand>().0;
    sim.world.resource_mut::<ArmyCommand>().add_intel(top, 10.0);
    sim.world
        .resource_mut::<Inbox<CommandStruck>>()
        .post(CommandStruck { command: top });
    sim.step();
    assert!(!sim.world.get::<InsurgentCommand>(top).unwrap().alive);
    // Struck in tick 0: the successor takes over in tick 48, not before.
    sim.run_ticks(47);
    assert!(
        !sim.world.get::<InsurgentCommand>(top).unwrap().alive,
        "back too soon"
    );
    sim.step();
    assert!(sim.world.get::<InsurgentCommand>(top).unwrap().alive);
    assert_eq!(sim.world.resource::<InsurgencyTally>().successions, 1);
    assert_eq!(
        sim.world.resource::<ArmyCommand>().intel(top),
        0.0,
        "the army still knows the successor"
    );
}

#[test]
fn large_cells_split_and_every_cell_stays_visible_to_sensing() {
    let (mut world, _) = testing::strip(2);
    testing::insurgents(&mut world, Tile::new(20, 2), 1, 200);
    let mut sim = testing::conflict(world);
    sim.run_days(1);
    let splits = sim.world.resource::<InsurgencyTally>().splits;
    assert!(splits >= 1, "a 200-fighter cell did not split");
    let cells = sim.world.query::<&Cell>().iter(&sim.world).count();
    let indexed = sim
        .world
        .query_filtered::<(), (With<Cell>, With<crate::world::sensing::IndexedCell>)>()
        .iter(&sim.world)
        .count();
    assert_eq!(cells, 1 + splits as usize);
    assert_eq!(indexed, cells, "a split cell is invisible to sensing");
}

#[test]
fn a_founded_cell_answers_to_the_command_and_recruits_reach_theirs() {
    let (mut world, _) = testing::strip(3);
    testing::insurgents(&mut world, Tile::new(20, 2), 1, 20);
    let mut sim = testing::conflict(world);
    let first = sim
        .world
        .query_filtered::<Entity, With<Cell>>()
        .iter(&sim.world)
        .next()
        .unwrap();
    sim.world
        .resource_mut::<Inbox<CellFounded>>()
        .post(CellFounded {
            tile: Tile::new(30, 5),
            fighters: 12.0,
        });
    sim.world
        .resource_mut::<Inbox<RecruitsJoin>>()
        .post(RecruitsJoin {
            cell: first,
            recruits: 5.0,
        });
    let before = sim.world.get::<Cell>(first).unwrap().fighters;
    sim.run_days(1);
    let cells: Vec<Cell> = sim
        .world
        .query::<&Cell>()
        .iter(&sim.world)
        .cloned()
        .collect();
    assert_eq!(cells.len(), 2);
    // The founded cell answers to the group's command, the nearest lowest one.
    assert_eq!(cells[0].commander, cells[1].commander);
    let command = sim
        .world
        .get::<InsurgentCommand>(cells[0].commander)
        .unwrap();
    let star = sim.world.resource::<InsurgencyParams>().network == NetworkShape::Star;
    assert!(star || command.parent.is_some());
    assert!(cells.iter().any(|c| c.home == Tile::new(30, 5)));
    let after = sim.world.get::<Cell>(first).unwrap().fighters;
    assert!(
        after > before + 4.0,
        "recruits not folded in: {before} -> {after}"
    );
}

#[test]
fn a_ring_holds_a_town_until_a_relief_column_breaks_it() {
    // Without an army the ring holds; with a column strong enough at the market town, the
    // command sends it and the fight breaks the siege.
    let run = |army: bool| {
        let (mut world, towns) = testing::strip(7);
        testing::besiege(&mut world, towns[2], 2, 20);
        if army {
            testing::army_at(&mut world, towns[1], UnitKind::Mechanised, 1, 300);
        }
        let mut sim = testing::conflict(world);
        sim.run_days(30);
        let s = sim.world.resource::<Sieges>().clone();
        (s, towns[2])
    };
    let (held, capital) = run(false);
    assert_eq!(held.laid, 1);
    assert!(held.of(capital).is_some(), "the ring fell apart by itself");
    assert!(held.town_days >= 29, "{} town-days", held.town_days);
    let (relieved, capital) = run(true);
    assert!(
        relieved.of(capital).is_none() && relieved.broken == 1,
        "no relief: {relieved:?}"
    );
    assert!(relieved.town_days < held.town_days);
}

#[test]
fn cells_lay_sieges_when_the_theatre_is_one_of_sieges() {
    let (mut world, towns) = testing::strip(8);
    testing::insurgents(&mut world, Tile::new(30, 2), 4, 25);
    testing::army_at(&mut world, towns[2], UnitKind::Garrison, 1, 100);
    world.resource_mut::<InsurgencyParams>().siege_chance = 0.5;
    let mut sim = testing::conflict(world);
    sim.run_days(20);
    let besieging = sim
        .world
        .query::<&Cell>()
        .iter(&sim.world)
        .filter(|c| matches!(c.task, Task::Besiege(t, _) if t == towns[2]))
        .count();
    assert!(besieging >= 2, "{besieging} cells on the capital's ring");
    assert!(sim.world.resource::<Sieges>().laid >= 1);
}
