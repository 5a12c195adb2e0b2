//! The militia on the strip (crate::testing): recruits come out of the cohorts and people
//! stay conserved; an undisciplined militia harms the villages it suspects; insurgents
//! take reprisals on its villages and it fights back.

use super::*;
use crate::domains::insurgency::data::InsurgencyParams;
use crate::domains::society::data::{PeopleLedger, Society};
use crate::domains::society::people_accounted;
use crate::engagements::EngagementTally;
use crate::engine::geo::Tile;
use crate::testing;

fn people_of(world: &World, town: Entity) -> u64 {
    let s = world.resource::<Society>();
    s.towns
        .iter()
        .find(|t| t.entity == Some(town))
        .map_or(0, |t| t.people)
}

#[test]
fn militia_recruits_come_out_of_cohorts_and_people_stay_conserved() {
    let (mut world, towns) = testing::strip(1);
    testing::militia(&mut world, &towns[1..2], 50.0, 20.0, 10_000.0, 1.0);
    let mut sim = testing::conflict(world);
    sim.run_days(1);
    let before = people_of(&sim.world, towns[1]);
    for day in 0..15 {
        sim.run_days(1);
        let (now, initial) = people_accounted(&mut sim.world);
        assert_eq!(now, initial, "day {day}");
    }
    let recruits = sim.world.resource::<PeopleLedger>().militia_recruits.total;
    let tally = sim.world.resource::<MilitiaTally>();
    assert_eq!(tally.recruits.total, recruits);
    // About 20 a day for 16 days answered, from the market's own people.
    assert!((250..=320).contains(&recruits), "{recruits} recruits");
    let members = report::members(&mut sim.world);
    assert!((members - 50.0 - recruits as f64).abs() < 1e-3, "{members}");
    let after = people_of(&sim.world, towns[1]);
    assert!(
        before >= after + recruits - 20,
        "the market had {before} people and has {after} after {recruits} joined"
    );
}

#[test]
fn a_militia_stops_calling_up_at_its_ceiling() {
    let (mut world, towns) = testing::strip(2);
    testing::militia(&mut world, &towns[1..2], 50.0, 20.0, 80.0, 1.0);
    let mut sim = testing::conflict(world);
    sim.run_days(10);
    assert_eq!(sim.world.resource::<MilitiaTally>().recruits.total, 30);
    let (now, initial) = people_accounted(&mut sim.world);
    assert_eq!(now, initial);
}

/// Legitimacy at the border and the market, and the militia's abuses and their dead, after
/// 20 days of a militia at the market of the given discipline.
fn abuses(discipline: f64) -> (f64, f64, u64, u64) {
    let (mut world, towns) = testing::strip(4);
    world.insert_resource(MilitiaParams {
        abuses_per_100_per_day: 0.5,
        patrol_km: 100.0,
        ..Default::default()
    });
    testing::militia(&mut world, &towns[1..2], 200.0, 0.0, 200.0, discipline);
    let mut sim = testing::conflict(world);
    sim.run_days(20);
    let s = sim.world.resource::<Society>();
    let legitimacy = |e| {
        s.towns
            .iter()
            .find(|t| t.entity == Some(e))
            .unwrap()
            .legitimacy
    };
    let (border, market) = (legitimacy(towns[0]), legitimacy(towns[1]));
    let t = sim.world.resource::<EngagementTally>();
    (
        border,
        market,
        t.militia_abuses.total,
        t.civilians_killed_by_militia,
    )
}

#[test]
fn an_undisciplined_militia_harms_the_villages_it_suspects_not_its_own() {
    let (border_calm, market_calm, none, _) = abuses(1.0);
    let (border, market, attacks, _killed) = abuses(0.0);
    assert_eq!(none, 0, "a disciplined militia abused");
    assert!(attacks >= 10, "{attacks} abuses in 20 days");
    assert!(
        border < border_calm - 0.02,
        "legitimacy at the border {border} vs {border_calm}"
    );
    // Its own village is not harmed (only the state's pull on legitimacy moves it).
    assert!(
        (market - market_calm).abs() < 0.01,
        "{market} vs {market_calm}"
    );
}

#[test]
fn insurgents_take_reprisals_on_militia_villages_and_the_militia_fights_back() {
    let mut fought = 0;
    for seed in 1..=4 {
        let (mut world, towns) = testing::strip(seed);
        {
            let mut p = world.resource_mut::<InsurgencyParams>();
            p.blockade = false;
            p.raid_chance = 0.0;
            p.punish_chance = 0.0;
            p.reprisal_chance = 0.5;
        }
        testing::insurgents(&mut world, Tile::new(18, 3), 3, 40);
        testing::militia(&mut world, &towns[1..2], 300.0, 0.0, 300.0, 1.0);
        let mut sim = testing::conflict(world);
        sim.run_days(20);
        let t = sim.world.resource::<EngagementTally>().clone();
        assert!(t.reprisals.total > 0, "seed {seed}: no reprisal");
        if t.militia_killed > 0.0 && t.fighters_killed > 0.0 {
            fought += 1;
        }
        let (now, initial) = people_accounted(&mut sim.world);
        assert_eq!(now, initial, "seed {seed}");
    }
    assert!(
        fought >= 3,
        "the militia fought back in {fought} of 4 seeds"
    );
}
