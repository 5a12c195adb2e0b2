//! Society on the strip (crate::testing): people are conserved, news of harm takes people
//! and weighs on legitimacy.

use super::*;
use crate::domains::army::UnitKind;
use crate::engine::geo::Tile;
use crate::testing;

#[test]
fn people_are_conserved_with_fighting_on_the_strip() {
    let (mut world, towns) = testing::strip(1);
    testing::insurgents(&mut world, Tile::new(20, 3), 4, 30);
    testing::army_at(&mut world, towns[1], UnitKind::Motorised, 2, 40);
    let mut sim = testing::conflict(world);
    for _ in 0..20 {
        sim.run_days(1);
        let (now, initial) = people_accounted(&mut sim.world);
        assert_eq!(now, initial);
    }
}

#[test]
fn news_of_harm_takes_people_and_weighs_on_legitimacy() {
    let legitimacy_and_killed = |harm: bool| {
        let (world, towns) = testing::strip(2);
        let mut sim = testing::conflict(world);
        if harm {
            let mut news = sim.world.resource_mut::<Inbox<CivilianNews>>();
            news.post(CivilianNews::Killed {
                town: towns[1],
                killed: 30,
                by_army: true,
            });
            for _ in 0..5 {
                news.post(CivilianNews::Abuse { town: towns[1] });
            }
        }
        sim.run_days(2);
        let s = sim.world.resource::<Society>();
        let market = s.towns.iter().find(|t| t.entity == Some(towns[1])).unwrap();
        (
            market.legitimacy,
            sim.world.resource::<PeopleLedger>().killed,
        )
    };
    let (calm, none) = legitimacy_and_killed(false);
    let (harmed, killed) = legitimacy_and_killed(true);
    assert_eq!((none, killed), (0, 30));
    assert!(
        harmed < calm - 0.01,
        "legitimacy {harmed} after abuses vs {calm}"
    );
}

/// People displaced into each strip town after violence at `at` for a week, with the
/// market town besieged and `trapped` the share of its would-be leavers the ring holds.
fn displaced_after_violence(at: Tile, trapped: f64) -> (Vec<u64>, u64) {
    let (mut world, towns) = testing::strip(3);
    testing::besiege(&mut world, towns[1], 2, 20);
    let p = SocietyParams {
        siege_refuge_km: 200.0,
        siege_trapped: trapped,
        ..SocietyParams::default()
    };
    world.insert_resource(p);
    let mut sim = testing::conflict(world);
    // The ring is surveyed at the end of the first day.
    sim.run_days(1);
    for _ in 0..7 {
        sim.world
            .resource_mut::<Inbox<CivilianNews>>()
            .post(CivilianNews::Violence {
                tile: at,
                amount: 40.0,
            });
        sim.run_days(1);
        let (now, initial) = people_accounted(&mut sim.world);
        assert_eq!(now, initial);
    }
    let s = sim.world.resource::<Society>();
    let into: Vec<u64> = towns
        .iter()
        .map(|&e| {
            s.towns
                .iter()
                .find(|t| t.entity == Some(e))
                .unwrap()
                .displaced_in
        })
        .collect();
    let out = s
        .towns
        .iter()
        .find(|t| t.entity == Some(towns[1]))
        .unwrap()
        .displaced_out;
    (into, out)
}

#[test]
fn people_flee_into_a_besieged_town_and_its_ring_traps_those_inside() {
    // Violence at the border post: its people flee into the besieged market town, the
    // nearest garrison, not to the capital.
    let (into, _) = displaced_after_violence(Tile::new(testing::TOWNS[0].1, testing::ROAD_Y), 0.8);
    assert!(into[1] > 0, "no one fled into the besieged town: {into:?}");
    assert_eq!(into[2], 0, "people fled past the besieged town: {into:?}");
    // Violence in the besieged town: the ring holds most of those who would leave.
    let market = Tile::new(testing::TOWNS[1].1, testing::ROAD_Y);
    let (_, open) = displaced_after_violence(market, 0.0);
    let (_, shut) = displaced_after_violence(market, 0.95);
    assert!(
        open > 0 && (shut as f64) < 0.3 * open as f64,
        "{shut} left a town shut by its ring vs {open} with its exits open"
    );
}
