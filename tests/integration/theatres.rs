//! Theatres beyond the default (issue 19): a made-up theatre coded for Burkina Faso, with a
//! border crossing, an inland reserve, a besieged town supplied by air, validates without a
//! warning, delivers convoys to its towns, and shows its siege; bad depots, air bridges,
//! sieges and stocks are refused with the field named.

use asymwar_model::bevy_ecs::prelude::*;
use asymwar_model::insurgency::Sieges;
use asymwar_model::logistics::{CrossingQueues, LogisticsTally, Supplies};
use asymwar_model::settlement::Settlement;
use asymwar_scenario::load::parse_str;
use asymwar_scenario::validate::warnings;
use asymwar_scenario::{ScenarioFile, build_simulation};
use std::path::Path;

/// A small besieged theatre: the capital in the south, a crossing from Côte d'Ivoire, a
/// strategic reserve at the capital, and a northern town ringed by four cells and supplied
/// by helicopters.
const THEATRE: &str = r#"Conflict(
    name: "besieged north",
    seed: 3,
    calendar: (start: "2022-09-01", days: 60),
    map: (
        size: (48, 64),
        origin: (lat: 14.5, lon: -2.5),
        terrain: (default_country: "BF"),
    ),
    settlements: [
        (name: "Capital", at: Tile(24, 56), population: 300000),
        (name: "Midtown", at: Tile(24, 32), population: 60000, stock: (fuel_days: Some(10.0))),
        (name: "Ringed", at: Tile(24, 8), population: 60000, stock: (food_days: Some(20.0), fuel_litres: Some(100000.0))),
        (name: "Border", at: Tile(24, 63), population: 5000, country: Some("CI")),
    ],
    corridors: [
        (name: "north road", towns: ["Border", "Capital", "Midtown", "Ringed"], road: Paved),
    ],
    crossings: [
        (town: "Border", corridor: "north road", from_country: "CI", tankers_per_day: 20.0, goods_trucks_per_day: 30.0),
    ],
    depots: [
        (town: "Capital", corridor: "north road", tankers_per_day: 5.0, stock_tankers: Some(100.0)),
    ],
    airlifts: [
        (name: "helicopters", base: "Capital", aircraft: 3, tonnes_per_sortie: 4.0, sorties_per_day: 2.0, cost_per_sortie: 15000.0, serves: ["Ringed"]),
    ],
    forces: (
        sieges: [(town: "Ringed", cells: 4, fighters_per_cell: 40)],
    ),
    params: (army: (escort_doctrine: unescorted)),
)"#;

fn theatre() -> ScenarioFile {
    parse_str(THEATRE, Path::new("theatre.ron")).unwrap_or_else(|e| panic!("{e}"))
}

fn town(world: &mut World, name: &str) -> Entity {
    world
        .query::<(Entity, &Settlement)>()
        .iter(world)
        .find(|(_, s)| s.name == name)
        .map(|(e, _)| e)
        .unwrap()
}

#[test]
fn a_besieged_theatre_in_another_country_delivers_and_shows_its_siege() {
    let file = theatre();
    assert_eq!(warnings(&file), Vec::<String>::new());
    for seed in [1, 2] {
        let mut sim = build_simulation(&file, seed);
        let (ringed, midtown) = (
            town(&mut sim.world, "Ringed"),
            town(&mut sim.world, "Midtown"),
        );
        // Stocks from the scenario.
        let s = sim.world.get::<Supplies>(ringed).unwrap();
        assert_eq!((s.food_days, s.fuel_l), (20.0, 100_000.0));
        sim.run_days(60);
        let t = sim.world.resource::<LogisticsTally>().clone();
        assert!(
            t.tankers_delivered.total > 100,
            "seed {seed}: {}",
            t.tankers_delivered.total
        );
        assert!(
            t.air_sorties.total > 0 && t.air_tonnes > 0.0,
            "seed {seed}: no sortie"
        );
        // The reserve at the capital was drawn.
        let q = sim.world.resource::<CrossingQueues>();
        assert!(
            q.reserve_tankers[1] < 100.0,
            "seed {seed}: the reserve was not drawn"
        );
        let sieges = sim.world.resource::<Sieges>();
        assert!(
            sieges.of(ringed).is_some() && sieges.town_days >= 55,
            "seed {seed}"
        );
        let (r, m) = (
            sim.world.get::<Supplies>(ringed).unwrap().clone(),
            sim.world.get::<Supplies>(midtown).unwrap().clone(),
        );
        // The helicopters keep the ringed town from hunger, not from want: its food is
        // dearer, its stock thinner and its fuel gone.
        assert!(
            r.food_price > m.food_price && r.food_days < m.food_days && r.fuel_days() < 1.0,
            "seed {seed}: the ringed town fared no worse (food price {} vs {}, {} days of \
             food vs {}, {} days of fuel)",
            r.food_price,
            m.food_price,
            r.food_days,
            m.food_days,
            r.fuel_days()
        );
        assert!(
            m.fuel_days() > 1.0,
            "seed {seed}: the open town ran dry too"
        );
    }
}

#[test]
fn bad_depots_air_bridges_sieges_and_stocks_are_named() {
    let cases = [
        (
            r#"stock_tankers: Some(100.0)"#,
            r#"stock_tankers: Some(-1.0)"#,
            "depots[0] (Capital).stock_tankers",
        ),
        (
            r#"serves: ["Ringed"]"#,
            r#"serves: ["Nowhere"]"#,
            "airlifts[0] (helicopters).serves[0]",
        ),
        (
            r#"(town: "Ringed", cells: 4"#,
            r#"(town: "Ringd", cells: 4"#,
            "forces.sieges[0] (Ringd).town",
        ),
        (
            r#"fuel_days: Some(10.0)"#,
            r#"fuel_days: Some(10.0), fuel_litres: Some(5.0)"#,
            "settlements[1] (Midtown).stock",
        ),
        (
            r#"(town: "Capital", corridor: "north road", tankers"#,
            r#"(town: "Capital", corridor: "south road", tankers"#,
            "depots[0] (Capital).corridor",
        ),
    ];
    for (from, to, field) in cases {
        assert!(THEATRE.contains(from), "{from}");
        let text = THEATRE.replace(from, to);
        let e = match parse_str(&text, Path::new("bad.ron")) {
            Ok(_) => panic!("accepted: {to}"),
            Err(e) => e.to_string(),
        };
        assert!(e.contains(field), "{field} not named in: {e}");
    }
}
