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

/// Runs two cells 10 km apart on the strip for `days`, of two commands or of one; returns
/// the clashes between rival commands and the clash events logged.
fn clashes_between(seed: u64, rivals: bool, days: u32) -> (u64, usize) {
    use crate::engagements::EngagementTally;
    use crate::engine::observation::EventKind;
    let (mut world, _) = testing::strip(seed);
    // No blockade, raids or punishment: the cells have no business but each other.
    {
        let mut p = world.resource_mut::<InsurgencyParams>();
        p.blockade = false;
        p.raid_chance = 0.0;
        p.punish_chance = 0.0;
    }
    let other = if rivals { "ISSP" } else { "JNIM" };
    testing::rival_insurgents(
        &mut world,
        &[
            ("JNIM", Tile::new(15, 2), 1, 30),
            (other, Tile::new(17, 2), 1, 30),
        ],
    );
    let mut sim = testing::conflict(world);
    let factions = sim.world.resource::<Factions>().clone();
    assert_eq!(factions.tops.len(), if rivals { 2 } else { 1 });
    sim.run_days(days);
    let clashes = sim.world.resource::<EngagementTally>().rival_clashes.total;
    let logged = sim
        .events()
        .events
        .iter()
        .filter(|e| e.kind == EventKind::RivalClash)
        .count();
    (clashes, logged)
}

#[test]
fn cells_of_rival_commands_fight_when_they_meet_and_cells_of_one_command_never_do() {
    for seed in 1..=5 {
        let (clashes, logged) = clashes_between(seed, true, 30);
        assert!(clashes > 0, "seed {seed}: no clash in 30 days");
        assert_eq!(clashes as usize, logged);
        assert_eq!(clashes_between(seed, false, 30), (0, 0), "seed {seed}");
    }
}

#[test]
fn rival_commands_keep_their_own_trees() {
    let (mut world, _) = testing::strip(3);
    testing::rival_insurgents(
        &mut world,
        &[
            ("JNIM", Tile::new(10, 2), 3, 30),
            ("ISSP", Tile::new(30, 2), 3, 30),
            ("JNIM", Tile::new(20, 8), 2, 30),
        ],
    );
    let mut sim = testing::conflict(world);
    let factions = sim.world.resource::<Factions>().clone();
    assert_eq!(factions.names, vec!["JNIM".to_string(), "ISSP".to_string()]);
    let commands: Vec<(Entity, InsurgentCommand)> = sim
        .world
        .query::<(Entity, &InsurgentCommand)>()
        .iter(&sim.world)
        .map(|(e, c)| (e, c.clone()))
        .collect();
    // Two tops, three regional commands, each under its own faction's top.
    assert_eq!(commands.len(), 5);
    for (e, c) in &commands {
        match c.parent {
            None => assert_eq!(factions.tops[usize::from(c.faction)], *e),
            Some(top) => assert_eq!(factions.tops[usize::from(c.faction)], top),
        }
    }
    sim.run_days(10);
    // Cells answer to a command of their own faction, always.
    let faction_of: Vec<(Entity, u8)> = commands.iter().map(|(e, c)| (*e, c.faction)).collect();
    for cell in sim.world.query::<&Cell>().iter(&sim.world) {
        let (_, f) = faction_of
            .iter()
            .find(|(e, _)| *e == cell.commander)
            .expect("a cell answers to a known command");
        assert_eq!(*f, cell.faction);
    }
}

/// Clashes in `days` between two rival cells 20 km apart (beyond `rival_clash_km`, within
/// vision), the first twice the second's strength, with the given hunting chance.
fn clashes_when_hunting(seed: u64, hunt: f64, days: u32) -> u64 {
    use crate::engagements::EngagementTally;
    let (mut world, _) = testing::strip(seed);
    {
        let mut p = world.resource_mut::<InsurgencyParams>();
        p.blockade = false;
        p.raid_chance = 0.0;
        p.punish_chance = 0.0;
        p.rival_hunt_chance = hunt;
    }
    testing::rival_insurgents(
        &mut world,
        &[
            ("JNIM", Tile::new(14, 2), 1, 60),
            ("ISSP", Tile::new(18, 2), 1, 25),
        ],
    );
    let mut sim = testing::conflict(world);
    sim.run_days(days);
    sim.world.resource::<EngagementTally>().rival_clashes.total
}

#[test]
fn a_cell_that_sees_a_weaker_rival_goes_after_it() {
    for seed in 1..=4 {
        assert_eq!(
            clashes_when_hunting(seed, 0.0, 10),
            0,
            "seed {seed}: met without hunting"
        );
        assert!(
            clashes_when_hunting(seed, 0.5, 10) > 0,
            "seed {seed}: no hunt"
        );
    }
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
    // Cells scattered off the ring come back to it once regrouped (Cell.ring), and the
    // column breaks it again: the town is open at the end and was besieged for less.
    assert!(
        relieved.of(capital).is_none() && relieved.broken >= 1,
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
