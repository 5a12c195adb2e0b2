//! Logistics on the strip (crate::testing): convoys carry fuel from the crossing, drivers
//! fear a corridor where their trucks burned, prices follow the need met.

use super::*;
use crate::domains::army::data::{ArmyParams, EscortDoctrine};
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
