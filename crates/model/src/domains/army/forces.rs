//! The army's forces: units spawned at their bases, replacements for units at base.

use super::data::*;
use crate::engine::calendar::Clock;
use crate::world::actors::{IdCounter, Mover, Odometer, Position, Route};
use crate::world::sensing::IndexedArmy;
use crate::world::settlement::Settlement;
use crate::world::terrain::Mobility;
use bevy_ecs::prelude::*;

/// Spawns `units` units of a kind at a base settlement.
pub fn spawn_units(
    world: &mut World,
    kind: UnitKind,
    base: Entity,
    units: u32,
    soldiers_per_unit: u32,
) {
    let p = world.resource::<ArmyParams>().clone();
    let Some(tile) = world.get::<Settlement>(base).map(|s| s.tile) else {
        return;
    };
    let n = (f64::from(units) * p.size_factor).round() as u32;
    let speed = match kind.mobility() {
        Mobility::Mechanised => 25.0,
        _ => 45.0,
    };
    let capacity = (kind.litres_per_km() as f64
        * speed
        * p.march_speed_factor
        * f64::from(p.march_to_hour - p.march_from_hour)
        * p.fuel_days) as f32;
    for _ in 0..n {
        let id = world.resource_mut::<IdCounter>().next();
        let posture = if kind == UnitKind::Garrison {
            Posture::Garrison
        } else {
            Posture::Reserve
        };
        world.spawn((
            id,
            ArmyUnit {
                kind,
                soldiers: soldiers_per_unit as f32,
                initial_soldiers: soldiers_per_unit as f32,
                fuel_l: capacity,
                fuel_capacity_l: capacity,
                posture,
                discipline: p.discipline as f32,
                base,
                target: None,
                task_until: 0,
                dry_hours: 0.0,
            },
            Position::at(tile),
            Route::default(),
            Mover::new(kind.mobility(), p.march_speed_factor as f32)
                .daytime(p.march_from_hour, p.march_to_hour),
            Odometer::default(),
            IndexedArmy,
        ));
    }
}

/// Daily: units standing at their base receive replacements, up to their initial strength.
pub fn reinforce(
    clock: Res<Clock>,
    params: Res<ArmyParams>,
    mut units: Query<(&mut ArmyUnit, &Position)>,
    towns: Query<&Settlement>,
) {
    if !clock.is_day_end() {
        return;
    }
    for (mut u, pos) in &mut units {
        if u.soldiers < u.initial_soldiers && towns.get(u.base).is_ok_and(|b| b.tile == pos.tile) {
            u.soldiers = (u.soldiers + u.initial_soldiers * params.replacement_per_day as f32)
                .min(u.initial_soldiers);
        }
    }
}
