//! What the army domain reports: its soldiers and what its units are doing, and the units
//! on the map.

use super::data::*;
use crate::engine::observation::{Marker, MarkerKind, Reporters};
use crate::world::actors::Position;
use bevy_ecs::prelude::*;

fn army_soldiers(w: &mut World) -> f64 {
    w.query::<&ArmyUnit>()
        .iter(w)
        .map(|u| f64::from(u.soldiers))
        .sum()
}

fn units_in(w: &mut World, posture: Posture) -> f64 {
    w.query::<&ArmyUnit>()
        .iter(w)
        .filter(|u| u.posture == posture)
        .count() as f64
}

pub fn reporters(r: &mut Reporters) {
    r.stock(
        "units_escorting",
        "units",
        "army units escorting convoys or on their way to",
        |w| units_in(w, Posture::Escort),
    );
    r.stock(
        "units_responding",
        "units",
        "army units responding to attacks or sweeping",
        |w| units_in(w, Posture::Respond) + units_in(w, Posture::Sweep),
    );
    r.stock(
        "units_without_fuel",
        "units",
        "army units stranded without fuel",
        |w| {
            w.query::<&ArmyUnit>()
                .iter(w)
                .filter(|u| u.fuel_l <= 0.0)
                .count() as f64
        },
    );
    r.stock(
        "army_soldiers",
        "soldiers",
        "soldiers in all army units",
        army_soldiers,
    );
    r.summary(
        "army_soldiers_end",
        "soldiers",
        "soldiers at the end",
        |w| Some(army_soldiers(w)),
    );
}

/// Army units on the map: sized by soldiers, valued by the fuel in their tanks.
pub fn army_markers(world: &mut World, out: &mut Vec<Marker>) {
    for (u, p) in world.query::<(&ArmyUnit, &Position)>().iter(world) {
        out.push(Marker {
            kind: MarkerKind::ArmyUnit,
            x: f32::from(p.tile.x) + 0.5,
            y: f32::from(p.tile.y) + 0.5,
            size: u.soldiers,
            value: if u.fuel_capacity_l > 0.0 {
                u.fuel_l / u.fuel_capacity_l
            } else {
                f32::NAN
            },
        });
    }
}
