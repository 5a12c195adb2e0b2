//! What the logistics domain reports: the capital's and the country's fuel, deliveries and
//! losses of trucks, and the convoys on the map.

use super::data::*;
use crate::engine::observation::{Marker, MarkerKind, Reporters};
use crate::world::actors::Position;
use crate::world::settlement::RoadNetwork;
use bevy_ecs::prelude::*;

/// National price index: need-weighted mean over settlements.
pub fn national_price_index(world: &mut World) -> f64 {
    let (mut w, mut n) = (0.0, 0.0);
    for s in world.query::<&Supplies>().iter(world) {
        w += s.price_index * s.fuel_need_l;
        n += s.fuel_need_l;
    }
    if n > 0.0 { w / n } else { 1.0 }
}

/// Fuel stock of all settlements together, in days of their total need.
pub fn national_fuel_days(world: &mut World) -> f64 {
    let (mut l, mut n) = (0.0, 0.0);
    for s in world.query::<&Supplies>().iter(world) {
        l += s.fuel_l;
        n += s.fuel_need_l;
    }
    if n > 0.0 { l / n } else { 0.0 }
}

pub fn capital_supplies(world: &mut World) -> Option<Supplies> {
    let c = world.get_resource::<Capital>()?.0;
    world.get::<Supplies>(c).cloned()
}

fn tally(w: &World) -> &LogisticsTally {
    w.resource::<LogisticsTally>()
}

pub fn reporters(r: &mut Reporters) {
    places(r);
    daily(r);
    summaries(r);
    food_and_air(r);
}

fn daily(r: &mut Reporters) {
    r.stock(
        "capital_fuel_days",
        "days",
        "fuel stock of the capital in days of its normal need",
        |w| capital_supplies(w).map_or(f64::NAN, |s| s.fuel_days()),
    );
    r.rate(
        "capital_price_index",
        "x normal",
        "fuel price in the capital relative to normal",
        |w| capital_supplies(w).map_or(f64::NAN, |s| s.price_index),
    );
    r.rate(
        "capital_electricity",
        "0/1",
        "1 while the capital's power runs",
        |w| capital_supplies(w).map_or(f64::NAN, |s| f64::from(s.electricity)),
    );
    r.stock(
        "fuel_days_all",
        "days",
        "fuel stock of all settlements in days of their need",
        national_fuel_days,
    );
    r.rate(
        "price_index_all",
        "x normal",
        "need-weighted fuel price over all settlements",
        national_price_index,
    );
    r.count(
        "tankers_delivered",
        "trucks/day",
        "tankers delivered today",
        |w| f64::from(tally(w).tankers_delivered.today),
    );
    r.count(
        "goods_delivered",
        "trucks/day",
        "goods trucks delivered today",
        |w| f64::from(tally(w).goods_delivered.today),
    );
    r.count(
        "trucks_destroyed",
        "trucks/day",
        "trucks burned today",
        |w| f64::from(tally(w).trucks_destroyed.today),
    );
    r.count(
        "tankers_destroyed",
        "trucks/day",
        "tankers burned today",
        |w| f64::from(tally(w).tankers_destroyed.today),
    );
    r.count(
        "trucks_turned_back",
        "trucks/day",
        "trucks turned back at checkpoints today",
        |w| f64::from(tally(w).trucks_turned_back.today),
    );
    r.count(
        "air_sorties",
        "sorties/day",
        "sorties flown by the air bridges today",
        |w| f64::from(tally(w).air_sorties.today),
    );
}

/// Food and the air bridges over the run.
fn food_and_air(r: &mut Reporters) {
    r.summary(
        "hungry_town_days",
        "town-days",
        "days a settlement met less than half its food need, summed over settlements",
        |w| Some(tally(w).hungry_town_days as f64),
    );
    r.summary(
        "air_sorties",
        "sorties",
        "sorties flown by the air bridges",
        |w| Some(tally(w).air_sorties.total as f64),
    );
    r.summary(
        "air_tonnes_delivered",
        "tonnes",
        "fuel and food the air bridges delivered",
        |w| Some(tally(w).air_tonnes),
    );
    r.summary(
        "aircraft_lost",
        "aircraft",
        "aircraft hit near served airfields and lost",
        |w| Some(f64::from(tally(w).aircraft_lost)),
    );
    r.summary(
        "air_cost",
        "cost units",
        "cost of the sorties flown (in the unit of the scenario's cost_per_sortie)",
        |w| Some(tally(w).air_cost),
    );
}

fn summaries(r: &mut Reporters) {
    r.summary(
        "convoys_departed",
        "count",
        "convoys that left a border crossing",
        |w| Some(tally(w).convoys_departed as f64),
    );
    r.summary(
        "escorted_convoys",
        "count",
        "convoys that left with an army escort",
        |w| Some(tally(w).escorted_convoys as f64),
    );
    r.summary(
        "tankers_delivered",
        "trucks",
        "tankers delivered over the run",
        |w| Some(tally(w).tankers_delivered.total as f64),
    );
    r.summary(
        "tankers_destroyed",
        "trucks",
        "tankers burned over the run",
        |w| Some(tally(w).tankers_destroyed.total as f64),
    );
    r.summary(
        "goods_trucks_destroyed",
        "trucks",
        "goods trucks burned over the run",
        |w| Some(tally(w).goods_destroyed as f64),
    );
    r.summary(
        "trucks_turned_back",
        "trucks",
        "trucks turned back at checkpoints",
        |w| Some(tally(w).trucks_turned_back.total as f64),
    );
    r.summary(
        "trucks_gave_up",
        "trucks",
        "trucks whose drivers gave up waiting for an escort",
        |w| Some(tally(w).trucks_gave_up as f64),
    );
    r.summary(
        "peak_fuel_price_index",
        "x normal",
        "highest fuel price index of the capital",
        |w| Some(tally(w).capital_peak_price),
    );
    r.summary(
        "peak_national_price_index",
        "x normal",
        "highest need-weighted fuel price over all settlements",
        |w| Some(tally(w).peak_price_index),
    );
    r.summary(
        "capital_days_without_fuel",
        "days",
        "days the capital met less than half its fuel need",
        |w| Some(f64::from(tally(w).capital_shortage_days)),
    );
    r.summary(
        "capital_school_days_closed",
        "days",
        "days the capital's schools were closed for lack of fuel",
        |w| Some(f64::from(tally(w).capital_school_days_closed)),
    );
    r.summary(
        "capital_days_without_power",
        "days",
        "days the capital's power was off (stock below electricity_min_days)",
        |w| Some(f64::from(tally(w).capital_days_without_power)),
    );
    r.summary(
        "capital_first_shortage_day",
        "day",
        "first day of shortage in the capital (null if none)",
        |w| tally(w).capital_first_shortage_day.map(f64::from),
    );
    r.summary(
        "inflow_share_last_30_days",
        "share",
        "tankers delivered a day over the last 30 days, over the normal inflow",
        |w| {
            let normal: f64 = w
                .resource::<RoadNetwork>()
                .crossings
                .iter()
                .map(|x| x.tankers_per_day)
                .sum();
            let by_day = &tally(w).delivered_by_day;
            let last: Vec<u32> = by_day.iter().rev().take(30).copied().collect();
            (normal > 0.0 && !last.is_empty()).then(|| {
                last.iter().map(|&d| f64::from(d)).sum::<f64>() / last.len() as f64 / normal
            })
        },
    );
}

/// Convoys on the map: sized by trucks, 1 when escorted.
pub fn convoy_markers(world: &mut World, out: &mut Vec<Marker>) {
    for (c, p) in world.query::<(&Convoy, &Position)>().iter(world) {
        out.push(Marker {
            kind: MarkerKind::Convoy,
            x: f32::from(p.tile.x) + 0.5,
            y: f32::from(p.tile.y) + 0.5,
            size: (c.tankers + c.goods) as f32,
            value: if c.escort.is_some() { 1.0 } else { 0.0 },
        });
    }
}

/// The settlement's supplies in the per-settlement panel.
fn places(r: &mut Reporters) {
    fn supplies(w: &World, e: Entity) -> Option<&Supplies> {
        w.get::<Supplies>(e)
    }
    r.place(
        "fuel_days",
        "days",
        "fuel stock in days of normal need",
        |w, e| supplies(w, e).map_or(f64::NAN, |s| s.fuel_days()),
    );
    r.place(
        "price_index",
        "x normal",
        "fuel price relative to normal",
        |w, e| supplies(w, e).map_or(f64::NAN, |s| s.price_index),
    );
    r.place(
        "food_days",
        "days",
        "food stock in days of the need the town does not grow itself",
        |w, e| supplies(w, e).map_or(f64::NAN, |s| s.food_days),
    );
    r.place(
        "food_price",
        "x normal",
        "food price relative to normal",
        |w, e| supplies(w, e).map_or(f64::NAN, |s| s.food_price),
    );
    r.place("electricity", "0/1", "1 while the power runs", |w, e| {
        supplies(w, e).map_or(f64::NAN, |s| f64::from(u8::from(s.electricity)))
    });
    r.place("schools", "0/1", "1 while the schools are open", |w, e| {
        supplies(w, e).map_or(f64::NAN, |s| f64::from(u8::from(s.schools)))
    });
}
