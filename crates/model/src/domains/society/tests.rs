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
