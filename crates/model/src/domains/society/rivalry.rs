//! Rival commands compete for recruits: where cells of more than one command stand near a
//! settlement, its recruits go to one command drawn in proportion to the fighters each has
//! within `recruit_km` (collaboration follows control: Kalyvas, The Logic of Violence in
//! Civil War, 2006), to that command's nearest cell. With one command nothing changes: the
//! nearest cell takes them. Kept apart from the daily pass, which calls it once.

use crate::domains::insurgency::data::{Cell, Factions};
use crate::engine::rng::{Purpose, RngExt, stream};
use crate::world::actors::ActorId;
use crate::world::sensing::SpatialIndex;
use bevy_ecs::prelude::*;

use super::data::Society;

/// Re-points each settlement's recruits (`recruit_cell`, the nearest cell of any command)
/// at a command drawn by the fighters it holds around the settlement. A stream of its own
/// (keyed by the day), so that the run's other draws do not move.
/// `rivals`: the cells, the commands, the run's seed and the day.
pub(super) fn share_recruits(
    recruit_cell: &mut [Option<Entity>],
    s: &Society,
    index: &SpatialIndex,
    radius: f32,
    (cells, factions, seed, day): (&Query<&Cell>, &Factions, u64, u32),
) {
    if !factions.rivals() {
        return;
    }
    let n = factions.names.len();
    let mut rng = stream(seed, Purpose::Recruitment, 1, u64::from(day));
    let mut fighters = vec![0.0f32; n];
    let mut nearest: Vec<Option<(f64, ActorId, Entity)>> = vec![None; n];
    for (k, town) in s.towns.iter().enumerate() {
        if recruit_cell[k].is_none() {
            continue;
        }
        fighters.fill(0.0);
        nearest.fill(None);
        index.within(&index.cells, town.tile, radius, |en| {
            if let Ok(c) = cells.get(en.entity) {
                let f = usize::from(c.faction).min(n - 1);
                fighters[f] += c.fighters.max(0.0);
                let d = en.tile.distance(town.tile);
                if nearest[f].is_none_or(|b| (d, en.id) < (b.0, b.1)) {
                    nearest[f] = Some((d, en.id, en.entity));
                }
            }
        });
        if fighters.iter().filter(|&&x| x > 0.0).count() < 2 {
            continue;
        }
        let pick = draw_command(&fighters, rng.random::<f32>());
        recruit_cell[k] = nearest[pick].map(|b| b.2);
    }
}

/// The command drawn with probability in proportion to its fighters, from a uniform draw
/// `u` in [0, 1).
fn draw_command(fighters: &[f32], u: f32) -> usize {
    let total: f32 = fighters.iter().sum();
    let mut x = u * total;
    let mut pick = 0;
    for (f, &w) in fighters.iter().enumerate() {
        if w > 0.0 {
            pick = f;
            if x < w {
                break;
            }
            x -= w;
        }
    }
    pick
}

#[cfg(test)]
mod tests {
    use super::draw_command;

    #[test]
    fn a_command_draws_recruits_in_proportion_to_its_fighters_near_the_town() {
        let n = 10_000;
        let won = (0..n)
            .filter(|i| draw_command(&[30.0, 10.0], (*i as f32 + 0.5) / n as f32) == 0)
            .count();
        assert!((won as f64 / n as f64 - 0.75).abs() < 0.01, "{won}");
        // A command with no fighters there gets nothing; a lone one gets all.
        assert!((0..100).all(|i| draw_command(&[0.0, 5.0, 0.0], i as f32 / 100.0) == 1));
    }
}
