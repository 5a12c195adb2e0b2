//! Logistics on the strip (crate::testing): convoys carry fuel from the crossing, drivers
//! fear a corridor where their trucks burned, prices follow the need met; a besieged town
//! runs short, air bridges keep it stocked when their fleet suffices, depots run dry.

use super::*;
use crate::domains::army::data::{ArmyParams, EscortDoctrine};
use crate::domains::insurgency::data::Sieges;
use crate::engine::sim::Simulation;
use crate::testing;

fn unescorted(world: &mut World) {
    world.resource_mut::<ArmyParams>().escort_doctrine = EscortDoctrine::Unescorted;
}

#[test]
fn convoys_carry_fuel_from_the_crossing_to_the_towns() {
    let (mut world, towns) = testing::strip(1);
    unescorted(&mut world);
    let mut sim = testing::conflict(world);
    sim.run_days(10);
    let t = sim.world.resource::<LogisticsTally>();
    assert!(t.convoys_departed > 0, "no convoy left the crossing");
    assert!(t.tankers_delivered.total > 0, "no tanker arrived");
    assert_eq!(t.escorted_convoys, 0, "no army, no escort");
    // Deliveries over 10 days add up the daily counts the reporters read.
    let by_day: u64 = t.delivered_by_day.iter().map(|&d| u64::from(d)).sum();
    assert_eq!(by_day, t.tankers_delivered.total);
    let capital = sim.world.get::<Supplies>(towns[2]).unwrap();
    assert!(capital.fuel_l > 0.0);
}

#[test]
fn drivers_fear_a_corridor_where_their_trucks_burned() {
    // (tankers, goods) queued after one tick, with `burned` of 100 tankers that set out
    // in the last four weeks burned.
    let queued = |burned: u32| {
        let (mut world, _) = testing::strip(2);
        unescorted(&mut world);
        let mut sim = testing::conflict(world);
        {
            let mut q = sim.world.resource_mut::<CrossingQueues>();
            q.tanker_drivers[0].departed[0] = 100;
            q.tanker_drivers[0].burned[0] = burned;
        }
        sim.step();
        let q = sim.world.resource::<CrossingQueues>();
        (q.tankers[0], q.goods[0])
    };
    let (calm, feared) = (queued(0), queued(50));
    assert!(
        feared.0 < 0.2 * calm.0,
        "tankers queued {} after half burned vs {}",
        feared.0,
        calm.0
    );
    // Goods drivers weigh their own trade's risk.
    assert_eq!(
        feared.1, calm.1,
        "goods drivers took fright at tankers burning"
    );
}

#[test]
fn corridor_news_enters_the_tallies_and_the_drivers_memory() {
    let (world, _) = testing::strip(3);
    let mut sim = testing::conflict(world);
    // Forget the blockade's announcement (the memory the run starts with).
    sim.world.resource_mut::<CrossingQueues>().tanker_drivers[0] = DriversMemory::default();
    sim.world
        .resource_mut::<Inbox<CorridorNews>>()
        .post(CorridorNews::Burned {
            crossing: 0,
            tankers: 3,
            goods: 2,
            day: 0,
        });
    sim.world
        .resource_mut::<Inbox<CorridorNews>>()
        .post(CorridorNews::TurnedBack { trucks: 7 });
    sim.step();
    let t = sim.world.resource::<LogisticsTally>();
    assert_eq!(t.tankers_destroyed.total, 3);
    assert_eq!(t.trucks_destroyed.today, 5);
    assert_eq!(t.trucks_turned_back.total, 7);
    let q = sim.world.resource::<CrossingQueues>();
    assert_eq!(
        (q.tanker_drivers[0].burned[0], q.goods_drivers[0].burned[0]),
        (3, 2)
    );
}

#[test]
fn a_town_without_fuel_rations_and_its_price_rises() {
    let (world, towns) = testing::strip(4);
    let mut sim = testing::conflict(world);
    // The need was set from the normal inflow at install; now the tankers stop.
    sim.world.resource_mut::<RoadNetwork>().crossings[0].tankers_per_day = 0.0;
    sim.world.get_mut::<Supplies>(towns[2]).unwrap().fuel_l = 0.0;
    sim.run_days(3);
    let s = sim.world.get::<Supplies>(towns[2]).unwrap();
    assert!(s.price_index > 1.5, "price index {}", s.price_index);
    assert!(!s.electricity);
    assert!(s.shortage_days >= 3);
    // Schools stay open through a short shortage: closing them is a decision taken after
    // `schools_short_streak_days` dry days in a row.
    assert!(s.schools && s.short_streak >= 3);
    let streak = sim
        .world
        .resource::<LogisticsParams>()
        .schools_short_streak_days;
    sim.run_days(streak);
    let s = sim.world.get::<Supplies>(towns[2]).unwrap();
    assert!(!s.schools && s.school_closures == 1);
}

#[test]
fn imports_go_to_the_capitals_country_whatever_it_is() {
    // The strip's towns recoded for another country: convoys must still find them (a
    // filter on one country's code once left such a scenario without a single delivery).
    let (mut world, towns) = testing::strip(4);
    unescorted(&mut world);
    for &t in &towns {
        world.get_mut::<Settlement>(t).unwrap().country = "BF".to_string();
    }
    let mut sim = testing::conflict(world);
    sim.run_days(10);
    assert!(
        sim.world
            .resource::<LogisticsTally>()
            .tankers_delivered
            .total
            > 0
    );
    // A town of another country is passed through, never supplied.
    let (mut world, towns) = testing::strip(4);
    unescorted(&mut world);
    world.get_mut::<Settlement>(towns[0]).unwrap().country = "SN".to_string();
    let sim = testing::conflict(world);
    assert!(sim.world.get::<SupplyDestination>(towns[0]).is_none());
    assert!(sim.world.get::<SupplyDestination>(towns[2]).is_some());
}

/// The strip with the capital besieged by four cells of 30 on the road in, unescorted
/// trucks (no army), and `setup` applied before the run.
fn besieged_capital(
    seed: u64,
    setup: impl FnOnce(&mut World, &[Entity]),
) -> (Simulation, Vec<Entity>) {
    let (mut world, towns) = testing::strip(seed);
    unescorted(&mut world);
    testing::besiege(&mut world, towns[2], 4, 30);
    setup(&mut world, &towns);
    let sim = testing::conflict(world);
    (sim, towns)
}

#[test]
fn a_besieged_town_runs_short_while_an_unbesieged_one_does_not() {
    for seed in 1..=4 {
        let (mut sim, towns) = besieged_capital(seed, |_, _| {});
        sim.run_days(60);
        let sieges = sim.world.resource::<Sieges>();
        assert!(
            sieges.of(towns[2]).is_some() && sieges.town_days >= 55,
            "seed {seed}: the ring did not hold ({} town-days)",
            sieges.town_days
        );
        let capital = sim.world.get::<Supplies>(towns[2]).unwrap().clone();
        let market = sim.world.get::<Supplies>(towns[1]).unwrap().clone();
        // The ring denies the fields: the capital grows a fifth of what it did.
        assert!(
            capital.local_food < 0.2,
            "seed {seed}: {}",
            capital.local_food
        );
        // Hungry for weeks; what the ring lets through (taxed trucks) comes and goes, so
        // the stock on the last day is short of the open town's, not always empty.
        assert!(
            capital.hungry_days > 20 && capital.food_days < market.food_days.min(5.0),
            "seed {seed}: the besieged capital ate (hungry {} days, {} days of food left)",
            capital.hungry_days,
            capital.food_days
        );
        assert!(
            capital.food_price > 1.5,
            "seed {seed}: {}",
            capital.food_price
        );
        assert_eq!(
            market.hungry_days, 0,
            "seed {seed}: the open town went hungry"
        );
        assert!(market.food_days > 5.0, "seed {seed}: {}", market.food_days);
        assert!(
            capital.fuel_days() < 0.5 * market.fuel_days(),
            "seed {seed}: fuel {} days in the besieged capital vs {} in the open town",
            capital.fuel_days(),
            market.fuel_days()
        );
    }
}

/// An air bridge from the market town to the besieged capital: `aircraft` of `tonnes`,
/// two sorties a day each, with `hit` the probability of losing a sortie near the capital.
fn air_bridge(aircraft: u32, tonnes: f64, hit: f64) -> impl FnOnce(&mut World, &[Entity]) {
    move |world, towns| {
        let p = LogisticsParams {
            air_hit_per_sortie: hit,
            ..LogisticsParams::default()
        };
        world.insert_resource(p);
        world.insert_resource(AirBridges(vec![AirBridge {
            name: "bridge".into(),
            base: towns[1],
            aircraft,
            tonnes_per_sortie: tonnes,
            sorties_per_aircraft_day: 2.0,
            cost_per_sortie: 1.0,
            serves: vec![towns[2]],
            carry: 0.0,
            sorties: 0,
            tonnes: 0.0,
            aircraft_lost: 0,
        }]));
    }
}

#[test]
fn air_supply_keeps_a_besieged_stock_above_zero_only_when_the_fleet_suffices() {
    // The capital's need under siege: some 620 t of fuel and 50 t of food a day. Forty
    // aircraft of 20 t fly 1,600 t a day; one helicopter of 4 t flies 8 t.
    for seed in 1..=3 {
        // The lowest stocks over the run, and the days short of fuel and hungry.
        let lowest = |aircraft: u32, tonnes: f64| {
            let (mut sim, towns) = besieged_capital(seed, air_bridge(aircraft, tonnes, 0.0));
            let (mut fuel, mut food) = (f64::INFINITY, f64::INFINITY);
            for _ in 0..60 {
                sim.run_days(1);
                let s = sim.world.get::<Supplies>(towns[2]).unwrap();
                fuel = fuel.min(s.fuel_l);
                food = food.min(s.food_days);
            }
            let t = sim.world.resource::<LogisticsTally>();
            // Sorties fly while a served town is below its target, no more.
            assert!(
                t.air_sorties.total > 0 && t.air_sorties.total <= u64::from(aircraft) * 2 * 60,
                "seed {seed}: {} sorties",
                t.air_sorties.total
            );
            let s = sim.world.get::<Supplies>(towns[2]).unwrap();
            (fuel, food, s.shortage_days, s.hungry_days)
        };
        let (fuel, food, short, hungry) = lowest(40, 20.0);
        assert!(
            fuel > 0.0 && food > 0.0 && short == 0 && hungry == 0,
            "seed {seed}: a sufficient fleet let the stock run out ({fuel} L, {food} days, \
             {short} days short of fuel, {hungry} hungry)"
        );
        let (_, food, short, hungry) = lowest(1, 4.0);
        assert!(
            food < 1.0 && short > 20 && hungry > 20,
            "seed {seed}: one aircraft kept the capital stocked ({food} days of food, \
             {short} days short of fuel, {hungry} hungry)"
        );
    }
}

#[test]
fn aircraft_are_lost_near_a_besieged_airfield() {
    let (mut sim, _) = besieged_capital(5, air_bridge(10, 20.0, 0.05));
    sim.run_days(30);
    let bridges = sim.world.resource::<AirBridges>();
    let b = &bridges.0[0];
    let t = sim.world.resource::<LogisticsTally>();
    assert!(b.aircraft_lost > 0 && b.aircraft + b.aircraft_lost == 10);
    assert_eq!(t.aircraft_lost, b.aircraft_lost);
    assert!(
        t.air_tonnes < 20.0 * t.air_sorties.total as f64,
        "lost sorties delivered"
    );
}

#[test]
fn an_inland_depot_sends_trucks_until_its_reserve_is_empty() {
    let (mut world, towns) = testing::strip(6);
    unescorted(&mut world);
    {
        let mut net = world.resource_mut::<RoadNetwork>();
        let mut depot = net.crossings[0].clone();
        // A reserve of 40 tankers in the market town.
        depot.settlement = towns[1];
        depot.tile = crate::engine::geo::Tile::new(testing::TOWNS[1].1, testing::ROAD_Y);
        depot.depot = Some(crate::world::settlement::Depot {
            tankers: Some(40.0),
            goods: None,
        });
        net.crossings.push(depot);
    }
    let mut sim = testing::conflict(world);
    // The border closes once the towns' need is set (from its normal flow).
    {
        let mut net = sim.world.resource_mut::<RoadNetwork>();
        net.crossings[0].tankers_per_day = 0.0;
        net.crossings[0].goods_trucks_per_day = 0.0;
    }
    sim.run_days(40);
    let q = sim.world.resource::<CrossingQueues>();
    assert!(
        q.reserve_tankers[1] < 1.0,
        "the reserve was not drawn: {}",
        q.reserve_tankers[1]
    );
    assert_eq!(q.reserve_tankers[0], f64::INFINITY);
    let t = sim.world.resource::<LogisticsTally>();
    assert!(
        (30..=40).contains(&t.tankers_delivered.total),
        "delivered {} of a reserve of 40",
        t.tankers_delivered.total
    );
}
