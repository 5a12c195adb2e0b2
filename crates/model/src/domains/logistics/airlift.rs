//! Air bridges: a fleet based at one town flies fuel and food to the towns it serves. The
//! fleet is scarce: each day's sorties (aircraft x sorties a day, whole sorties, the
//! fraction carried over) go one at a time to the served town furthest below
//! `air_target_days` of its need, and each carries food first, as far as the town lacks it,
//! and fuel with the room left (the flights to Djibo carried food: 70 t by army helicopters
//! on 4 October 2022, RFI).
//! Near a served airfield where insurgent cells are close, a sortie is hit with a
//! probability that grows with their fighters, and the aircraft and its load are lost.

use super::data::*;
use crate::domains::insurgency::data::Cell;
use crate::engine::calendar::Clock;
use crate::engine::rng::{RngExt, SimRng};
use crate::world::scale::Scale;
use crate::world::sensing::SpatialIndex;
use crate::world::settlement::Settlement;
use bevy_ecs::prelude::*;

/// What a served town lacks, in tonnes, to reach the target stock: (fuel, food).
fn shortfall_t(s: &Supplies, p: &LogisticsParams) -> (f64, f64) {
    let fuel = (p.air_target_days * s.fuel_need_l - s.fuel_l).max(0.0) / p.fuel_litres_per_tonne;
    let food_pd = (p.air_target_days - s.food_days).max(0.0) * s.food_import_pd();
    (fuel, food_pd * p.food_kg_per_person_day / 1000.0)
}

/// Logistics set, daily after the markets: each air bridge flies its sorties.
#[allow(clippy::too_many_arguments)]
pub fn fly_sorties(
    clock: Res<Clock>,
    scale: Res<Scale>,
    params: Res<LogisticsParams>,
    index: Res<SpatialIndex>,
    mut bridges: ResMut<AirBridges>,
    mut tally: ResMut<LogisticsTally>,
    mut rng: ResMut<SimRng>,
    mut towns: Query<(&Settlement, &mut Supplies)>,
    cells: Query<&Cell>,
) {
    if !clock.is_day_end() || bridges.0.is_empty() {
        return;
    }
    let p = &*params;
    let threat_r = scale.tiles(p.air_threat_km) as f32;
    for bridge in bridges.0.iter_mut() {
        // The threat at each served airfield: fighters of the cells within reach of it.
        let threat: Vec<f64> = bridge
            .serves
            .iter()
            .map(|&e| {
                let Ok((town, _)) = towns.get(e) else {
                    return 0.0;
                };
                let mut fighters = 0.0f64;
                index.within(&index.cells, town.tile, threat_r, |en| {
                    if let Ok(c) = cells.get(en.entity) {
                        fighters += f64::from(c.fighters);
                    }
                });
                p.air_hit_per_sortie * (fighters / p.air_threat_fighters).min(1.0)
            })
            .collect();
        let planned = f64::from(bridge.aircraft) * bridge.sorties_per_aircraft_day + bridge.carry;
        let mut sorties = planned.floor() as u32;
        bridge.carry = planned - f64::from(sorties);
        while sorties > 0 && bridge.aircraft > 0 {
            sorties -= 1;
            // The served town furthest below its target (ties to the scenario's order).
            let mut best: Option<(f64, usize, (f64, f64))> = None;
            for (k, &e) in bridge.serves.iter().enumerate() {
                if let Ok((_, s)) = towns.get(e) {
                    let short = shortfall_t(s, p);
                    if short.0 + short.1 > best.map_or(0.0, |b| b.0) {
                        best = Some((short.0 + short.1, k, short));
                    }
                }
            }
            let Some((_, k, (fuel_t, food_t))) = best else {
                break;
            };
            bridge.sorties += 1;
            tally.air_sorties.one();
            tally.air_cost += bridge.cost_per_sortie;
            if threat[k] > 0.0 && rng.0.random::<f64>() < threat[k] {
                bridge.aircraft -= 1;
                bridge.aircraft_lost += 1;
                tally.aircraft_lost += 1;
                continue;
            }
            let load = bridge.tonnes_per_sortie;
            // Food first, as far as the town lacks it; fuel with the room left.
            let food = load.min(food_t);
            let fuel = (load - food).min(fuel_t);
            if let Ok((_, mut s)) = towns.get_mut(bridge.serves[k]) {
                s.fuel_l += fuel * p.fuel_litres_per_tonne;
                s.add_food(food * 1000.0 / p.food_kg_per_person_day);
            }
            bridge.tonnes += load;
            tally.air_tonnes += load;
        }
    }
}
