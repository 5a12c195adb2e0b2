//! Fuel: units burn it as they drive and requisition it from the towns they stand in (a
//! direct draw on the town's stock: the order of units matters, so it is not deferred to a
//! message), or from the neighbour's side at a border crossing.

use super::data::*;
use crate::domains::logistics::data::{Capital, Supplies};
use crate::world::actors::{Mover, Odometer, Position};
use crate::world::scale::Scale;
use crate::world::settlement::Settlement;
use bevy_ecs::prelude::*;

/// Units burn fuel as they drive and refuel from the stock of the town they stand in; a
/// dry unit cannot move: the blockade hurts the army's own mobility.
pub fn army_fuel(
    params: Res<ArmyParams>,
    mut units: Query<(&mut ArmyUnit, &Odometer, &Position, &mut Mover)>,
    mut towns: Query<(&Settlement, &mut Supplies)>,
    town_at: Res<TownTiles>,
    crossings: Res<CrossingTiles>,
    scale: Res<Scale>,
    capital: Option<Res<Capital>>,
) {
    for (mut u, odo, pos, mut mover) in &mut units {
        let burn = odo.km_this_tick * u.kind.litres_per_km();
        u.fuel_l = (u.fuel_l - burn).max(0.0);
        if u.fuel_l < u.fuel_capacity_l && crossings.0.contains(&pos.tile) {
            // At a border crossing fuel comes from the neighbour's side.
            u.fuel_l = u.fuel_capacity_l;
        } else if u.fuel_l < 0.5 * u.fuel_capacity_l
            && let Some(town) = town_at.at(pos.tile)
            && let Ok((_, mut s)) = towns.get_mut(town)
        {
            let want = f64::from(u.fuel_capacity_l - u.fuel_l);
            let take = want.min(s.fuel_l * params.fuel_priority_share);
            s.fuel_l -= take;
            u.fuel_l += take as f32;
        }
        // A unit run dry on the road waits for the army's fuel trucks: after
        // `resupply_hours`, half a tank from the capital's stock, if there is any.
        if u.fuel_l <= 0.0 {
            u.dry_hours += scale.hours(1) as f32;
            if f64::from(u.dry_hours) >= params.resupply_hours
                && let Some(c) = capital.as_ref()
                && let Ok((_, mut s)) = towns.get_mut(c.0)
            {
                let want = f64::from(0.5 * u.fuel_capacity_l);
                if s.fuel_l >= want {
                    s.fuel_l -= want;
                    u.fuel_l += want as f32;
                    u.dry_hours = 0.0;
                }
            }
        }
        let can = u.fuel_l > 0.0;
        if mover.can_move != can {
            mover.can_move = can;
        }
    }
}
