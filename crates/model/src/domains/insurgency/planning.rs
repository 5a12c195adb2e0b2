//! Planning: the one planner the cells (local plans) and the commands (orders) share, the
//! spots it picks, where cells hide, and the targets it weighs (refreshed daily).

use super::data::*;
use crate::domains::army::data::ArmyUnit;
use crate::domains::logistics::data::Traffic;
use crate::domains::militia::data::{MilitiaParams, MilitiaPost};
use crate::domains::society::data::Society;
use crate::engine::calendar::Clock;
use crate::engine::geo::Tile;
use crate::engine::rng::{ModelRng, RngExt};
use crate::world::combat::CombatParams;
use crate::world::scale::Scale;
use crate::world::sensing::SpatialIndex;
use crate::world::terrain::{RoadClass, TerrainGrid};
use bevy_ecs::prelude::*;
use bevy_ecs::system::SystemParam;

/// How far ahead of a sighted convoy, along the road, a cell looks for its ambush spot.
const AMBUSH_LOOKAHEAD_KM: f64 = 30.0;
/// Checkpoints of one network keep at least this far apart.
const CHECKPOINT_SPACING_KM: f64 = 40.0;
/// A road stretch this far away counts half as much to a planner (its score falls as
/// 1 / (1 + km / this)).
const ROAD_DISTANCE_HALVING_KM: f64 = 250.0;
/// A village with at least this many soldiers near it is too well held to punish.
const GARRISON_SOLDIERS: f64 = 50.0;

/// What a planner knows of the world around a cell.
pub struct Picture<'a> {
    /// Convoy sightings (own memory, or reports that reached the command).
    pub convoys: &'a [Seen],
    /// Fighters a command could mass on one convoy (0 for a cell planning alone).
    pub massed: f32,
    /// Checkpoints already held or assigned.
    pub taken: &'a [Tile],
}

/// The planner shared by the cells (local plans) and the commands (orders).
pub struct Planner<'a> {
    pub p: &'a InsurgencyParams,
    pub combat: &'a CombatParams,
    pub grid: &'a TerrainGrid,
    pub scale: Scale,
    pub traffic: &'a Traffic,
    pub targets: &'a Targets,
}

/// What a planner reads, as one system parameter (the commands' and the cells' systems
/// both plan).
#[derive(SystemParam)]
pub struct PlannerInputs<'w> {
    pub params: Res<'w, InsurgencyParams>,
    pub scale: Res<'w, Scale>,
    pub grid: Res<'w, TerrainGrid>,
    combat: Res<'w, CombatParams>,
    traffic: Res<'w, Traffic>,
    targets: Res<'w, Targets>,
}

impl PlannerInputs<'_> {
    pub fn planner(&self) -> Planner<'_> {
        Planner {
            p: &self.params,
            combat: &self.combat,
            grid: &self.grid,
            scale: *self.scale,
            traffic: &self.traffic,
            targets: &self.targets,
        }
    }
}

impl Planner<'_> {
    /// Picks a task for a cell at `at` with `fighters`, from what the picture shows: an
    /// ambush on a convoy in reach, a checkpoint on the busiest road, a raid on a weak
    /// post, a punished village, or hiding.
    pub fn plan(
        &self,
        picture: &Picture,
        at: Tile,
        fighters: f32,
        cohesion: f32,
        rng: &mut ModelRng,
    ) -> Task {
        let (p, grid, targets) = (self.p, self.grid, self.targets);
        let ahead = self.scale.tiles(AMBUSH_LOOKAHEAD_KM).round() as i32;
        if f64::from(fighters) < p.min_fighters || f64::from(cohesion) < p.hide_below_cohesion {
            return Task::Hide;
        }
        let reach = self.scale.tiles(p.reach_km);
        // 1. A convoy in reach that the cell can take on: wait in cover ahead of it.
        if p.blockade && !picture.convoys.is_empty() && rng.random::<f64>() < p.ambush_chance {
            let mut best: Option<(f64, Tile)> = None;
            for s in picture.convoys {
                if s.tile.distance(at) > reach || (s.tankers == 0 && s.trucks < p.ambush_min_trucks)
                {
                    continue;
                }
                let weight = f64::from(s.strength) / self.combat.escort_weight;
                if f64::from(fighters.max(picture.massed)) < p.ambush_min_ratio * weight {
                    continue;
                }
                if let Some(spot) = ambush_spot(grid, s.tile, at, ahead)
                    && !targets.is_secured(spot)
                {
                    let score = f64::from(s.trucks) / (1.0 + spot.distance(at));
                    if best.is_none_or(|b| score > b.0) {
                        best = Some((score, spot));
                    }
                }
            }
            if let Some((_, spot)) = best {
                return Task::Ambush(spot);
            }
        }
        // 2. The blockade: hold the busiest road stretch in reach that no other cell holds.
        if p.blockade
            && rng.random::<f64>() < p.checkpoint_chance
            && let Some(tile) = self.busiest_road(at, reach, picture.taken)
        {
            return Task::Checkpoint(tile);
        }
        // 3. A town with an army post in reach to besiege (a theatre of sieges sets
        //    `siege_chance`; without it no draw is made).
        if p.siege_chance > 0.0 && rng.random::<f64>() < p.siege_chance {
            let ring = self.scale.tiles(p.siege_ring_km);
            let town = targets
                .posts
                .iter()
                .filter(|post| post.tile.distance(at) <= reach)
                .min_by(|a, b| a.tile.distance(at).total_cmp(&b.tile.distance(at)));
            if let Some(post) = town {
                let tile = super::siege::siege_post(grid, post.tile, at, ring);
                return Task::Besiege(post.town, tile);
            }
        }
        // 4. A weakly held post in reach.
        if rng.random::<f64>() < p.raid_chance {
            let mut best: Option<(f64, Entity)> = None;
            for post in &targets.posts {
                let d = post.tile.distance(at);
                if d > reach || post.soldiers <= 0.0 {
                    continue;
                }
                let odds = f64::from(fighters)
                    / (f64::from(fighters) + f64::from(post.soldiers) / self.combat.escort_weight);
                if odds > 0.5 && best.is_none_or(|b| odds > b.0) {
                    best = Some((odds, post.town));
                }
            }
            if let Some((_, town)) = best {
                return Task::Raid(town);
            }
        }
        // 5. A village that informs on the insurgency, weighted by its informants.
        if rng.random::<f64>() < p.punish_chance {
            let mut best: Option<(f64, Entity)> = None;
            for v in &targets.villages {
                let d = v.tile.distance(at);
                if d > reach || v.informants <= 0.0 || v.garrisoned {
                    continue;
                }
                let score = f64::from(v.informants) / (1.0 + d);
                if best.is_none_or(|b| score > b.0) {
                    best = Some((score, v.town));
                }
            }
            if let Some((score, town)) = best
                && rng.random::<f64>() < (score * 20.0).min(1.0)
            {
                return Task::Punish(town);
            }
        }
        // 5. A reprisal on a village whose militia the cell can overcome (no draw at all
        // where there are no militias).
        if !targets.militia.is_empty() && rng.random::<f64>() < p.reprisal_chance {
            let mut best: Option<(f64, Entity)> = None;
            for v in &targets.militia {
                let d = v.tile.distance(at);
                if d > reach || f64::from(fighters) < p.ambush_min_ratio * f64::from(v.strength) {
                    continue;
                }
                let score = f64::from(v.strength) / (1.0 + d);
                if best.is_none_or(|b| score > b.0) {
                    best = Some((score, v.town));
                }
            }
            if let Some((_, town)) = best {
                return Task::Punish(town);
            }
        }
        Task::Hide
    }

    /// The road tile in reach with the most recent traffic (weighted by cover), not held by
    /// another cell.
    fn busiest_road(&self, at: Tile, reach: f64, taken: &[Tile]) -> Option<Tile> {
        let (grid, traffic, targets) = (self.grid, self.traffic, self.targets);
        // A stretch closer than the spacing to a taken one is left to its holder (compared
        // in squared tiles: no square root for each pair).
        let spacing = Tile::squared_at_least(self.scale.tiles(CHECKPOINT_SPACING_KM));
        let per_tile = (self.scale.tile_km / ROAD_DISTANCE_HALVING_KM) as f32;
        let r = reach.ceil() as i32;
        let (ax, ay) = (i32::from(at.x), i32::from(at.y));
        let mut best: Option<(f32, Tile)> = None;
        // Every other tile of the window: roads are lines, a stride of 2 still meets each
        // of them. Only the window's road tiles are visited (the grid's road rows), in the
        // order of the whole scan, so the first best stays the same.
        for dy in (-r..=r).step_by(2) {
            let y = ay + dy;
            if y < 0 || y >= i32::from(grid.height) {
                continue;
            }
            for &x in grid.roads_in_row(y as u16, ax - r, ax + r) {
                let dx = i32::from(x) - ax;
                // The scan's columns: dx = -r, -r + 2, ...
                if (dx + r) % 2 != 0 || f64::from(dx * dx + dy * dy) > reach * reach {
                    continue;
                }
                let t = Tile::new(x, y as u16);
                let i = grid.index(t);
                let flow = traffic.trucks[i];
                if flow <= 0.5 {
                    continue;
                }
                if taken.iter().any(|k| k.distance_squared(t) < spacing) || targets.is_secured(t) {
                    continue;
                }
                let score = flow * (0.5 + grid.cover[i]) / (1.0 + per_tile * t.distance(at) as f32);
                if best.is_none_or(|b| score > b.0) {
                    best = Some((score, t));
                }
            }
        }
        best.map(|b| b.1)
    }
}

/// A tile beside the road ahead of a sighted convoy with the best cover, within `ahead`
/// steps of the road from the sighting towards the cell.
fn ambush_spot(grid: &TerrainGrid, convoy_at: Tile, cell_at: Tile, ahead: i32) -> Option<Tile> {
    // Road tiles near the sighting, nearer the cell than the convoy is: the convoy will pass.
    let mut best: Option<(f32, Tile)> = None;
    let (cx, cy) = (i32::from(convoy_at.x), i32::from(convoy_at.y));
    for dy in -ahead..=ahead {
        for dx in -ahead..=ahead {
            let (x, y) = (cx + dx, cy + dy);
            if !grid.contains(x, y) {
                continue;
            }
            let t = Tile::new(x as u16, y as u16);
            if grid.road[grid.index(t)] == RoadClass::None
                || t.distance(cell_at) > convoy_at.distance(cell_at) + 1.0
            {
                continue;
            }
            // Cover of the best tile beside this road tile.
            let mut cover = 0.0f32;
            for (ex, ey) in [(0, 0), (1, 0), (-1, 0), (0, 1), (0, -1)] {
                if grid.contains(x + ex, y + ey) {
                    cover = cover
                        .max(grid.cover[grid.index(Tile::new((x + ex) as u16, (y + ey) as u16))]);
                }
            }
            let score = cover - 0.01 * t.distance(cell_at) as f32;
            if best.is_none_or(|b| score > b.0) {
                best = Some((score, t));
            }
        }
    }
    best.map(|b| b.1)
}

/// Society set, after the daily pass: the villages and posts the planners weigh tomorrow
/// (villages by their informants, posts by the soldiers standing in them, militia villages
/// by the members who would stand against an attack).
pub fn survey_targets(
    clock: Res<Clock>,
    society: Res<Society>,
    index: Res<SpatialIndex>,
    units: Query<&ArmyUnit>,
    militia: Res<MilitiaParams>,
    posts: Query<&MilitiaPost>,
    mut targets: ResMut<Targets>,
) {
    if !clock.is_day_end() {
        return;
    }
    targets.villages.clear();
    targets.posts.clear();
    targets.militia.clear();
    for post in &posts {
        if post.members < 1.0 {
            continue;
        }
        let strength = post.members * (militia.firepower * militia.defenders_share) as f32;
        match targets.militia.iter_mut().find(|v| v.town == post.town) {
            Some(v) => v.strength += strength,
            None => targets.militia.push(MilitiaTarget {
                town: post.town,
                tile: post.tile,
                strength,
            }),
        }
    }
    for c in society.towns.iter() {
        let e = c.entity.expect("entity");
        targets.villages.push(VillageTarget {
            town: e,
            tile: c.tile,
            informants: c.informants as f32,
            garrisoned: c.soldiers_near >= GARRISON_SOLDIERS,
        });
        // Units standing on the town's own tile hold its post.
        let mut soldiers = 0.0f32;
        index.within(&index.army, c.tile, 0.5, |en| {
            if let Ok(u) = units.get(en.entity) {
                soldiers += u.soldiers * u.kind.firepower();
            }
        });
        if soldiers > 0.0 {
            targets.posts.push(PostTarget {
                town: e,
                tile: c.tile,
                soldiers,
            });
        }
    }
}
