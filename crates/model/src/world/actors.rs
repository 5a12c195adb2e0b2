//! What every mobile actor has: a stable id, a position, and a route to follow.

use crate::engine::calendar::{Clock, Season};
use crate::engine::geo::Tile;
use crate::world::pathfinding::Pathfinder;
use crate::world::terrain::{IMPASSABLE, Mobility, TerrainGrid};
use bevy_ecs::prelude::*;

/// A stable id, given in spawn order. Outcomes are ordered by it (never by memory order),
/// and random streams are keyed by it.
#[derive(Component, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ActorId(pub u32);

/// Hands out [`ActorId`]s.
#[derive(Resource, Default, Debug)]
pub struct IdCounter(pub u32);

impl IdCounter {
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> ActorId {
        self.0 += 1;
        ActorId(self.0)
    }
}

/// Where an actor is: a tile, and how far (0-1) it has gone towards the next tile of its
/// route (for smooth drawing only).
#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct Position {
    pub tile: Tile,
    pub progress: f32,
}

impl Position {
    pub fn at(tile: Tile) -> Self {
        Self {
            tile,
            progress: 0.0,
        }
    }
}

/// A route being followed: tiles from the current one to the destination, and the travel
/// time banked towards the next step.
#[derive(Component, Clone, Debug, Default)]
pub struct Route {
    pub tiles: Vec<Tile>,
    /// Index of the current tile in `tiles`.
    pub at: usize,
    /// Seconds of travel banked towards the next tile.
    pub banked_s: f32,
    /// Index at the start of this tick's move: the tiles passed this tick are
    /// `tiles[prev_at..=at]` (checkpoints and ambushes look along them).
    pub prev_at: usize,
}

impl Route {
    pub fn is_done(&self) -> bool {
        self.at + 1 >= self.tiles.len()
    }

    pub fn destination(&self) -> Option<Tile> {
        self.tiles.last().copied()
    }

    pub fn next_tile(&self) -> Option<Tile> {
        self.tiles.get(self.at + 1).copied()
    }

    pub fn clear(&mut self) {
        self.tiles.clear();
        self.at = 0;
        self.prev_at = 0;
        self.banked_s = 0.0;
    }

    /// Tiles still ahead (the current one excluded).
    pub fn remaining(&self) -> &[Tile] {
        if self.tiles.is_empty() {
            &[]
        } else {
            &self.tiles[(self.at + 1).min(self.tiles.len())..]
        }
    }
}

/// How an actor moves: class, a speed factor (halts, checks, escort pace) and the hours of
/// the day it drives.
#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct Mover {
    pub mobility: Mobility,
    /// Multiplier on the terrain speed (1 = the mobility table's speed).
    pub speed_factor: f32,
    /// Moves only between `start_hour` and `end_hour` (0 and 24 for always).
    pub start_hour: u8,
    pub end_hour: u8,
    /// When false the actor is halted (no fuel, pinned down, waiting).
    pub can_move: bool,
}

impl Mover {
    pub fn new(mobility: Mobility, speed_factor: f32) -> Self {
        Self {
            mobility,
            speed_factor,
            start_hour: 0,
            end_hour: 24,
            can_move: true,
        }
    }

    pub fn daytime(mut self, start: u8, end: u8) -> Self {
        self.start_hour = start;
        self.end_hour = end;
        self
    }
}

/// Plans a route: to a settlement-like destination through its cached flow field (cheap
/// when many actors share destinations), else by A*.
#[allow(clippy::too_many_arguments)]
pub fn plan_route(
    pathfinder: &mut Pathfinder,
    grid: &TerrainGrid,
    season: Season,
    mobility: Mobility,
    from: Tile,
    to: Tile,
    shared_destination: bool,
    route: &mut Route,
) -> bool {
    route.at = 0;
    route.prev_at = 0;
    route.banked_s = 0.0;
    let found = if shared_destination {
        pathfinder.route(grid, season, mobility, from, to, &mut route.tiles)
    } else {
        pathfinder.astar(grid, season, mobility, from, to, &mut route.tiles)
    };
    if found.is_none() {
        route.tiles.clear();
    }
    found.is_some()
}

/// Kilometres moved this tick by each actor (read by fuel consumption).
#[derive(Component, Clone, Copy, Debug, Default)]
pub struct Odometer {
    pub km_this_tick: f32,
    pub km_total: f32,
}

/// Movement set: every actor with a route advances by the time this tick gives it.
pub fn movement_system(
    clock: Res<Clock>,
    season: Res<Season>,
    grid: Res<TerrainGrid>,
    mut movers: Query<(&Mover, &mut Route, &mut Position, Option<&mut Odometer>)>,
) {
    let hour = ((clock.tick * u64::from(clock.hours_per_tick)) % 24) as u8;
    let tick_s = clock.hours_per_tick as f32 * 3600.0;
    let tile_km = grid.projection.tile_km as f32;
    for (mover, mut route, mut pos, odo) in &mut movers {
        let mut km = 0.0;
        if route.prev_at != route.at {
            route.prev_at = route.at;
        }
        if mover.can_move && hour >= mover.start_hour && hour < mover.end_hour && !route.is_done() {
            let costs = grid.costs(*season, mover.mobility);
            let mut banked = route.banked_s + tick_s * mover.speed_factor;
            while let Some(next) = route.next_tile() {
                let here = route.tiles[route.at];
                let (a, b) = (costs[grid.index(here)], costs[grid.index(next)]);
                if b == IMPASSABLE {
                    // The way closed (a ford flooded): stop; the owner re-plans.
                    banked = 0.0;
                    break;
                }
                let diagonal = here.x != next.x && here.y != next.y;
                let step = (a.min(IMPASSABLE / 2) as f32 + b as f32)
                    * 0.5
                    * if diagonal {
                        std::f32::consts::SQRT_2
                    } else {
                        1.0
                    };
                if banked < step {
                    break;
                }
                banked -= step;
                route.at += 1;
                km += tile_km
                    * if diagonal {
                        std::f32::consts::SQRT_2
                    } else {
                        1.0
                    };
            }
            route.banked_s = if route.is_done() { 0.0 } else { banked };
            let tile = route.tiles[route.at];
            let progress = match route.next_tile() {
                Some(next) => {
                    let step = 0.5
                        * (costs[grid.index(tile)] as f32
                            + costs[grid.index(next)].min(IMPASSABLE / 2) as f32);
                    (route.banked_s / step.max(1.0)).clamp(0.0, 1.0)
                }
                None => 0.0,
            };
            if pos.tile != tile || pos.progress != progress {
                *pos = Position { tile, progress };
            }
        }
        if let Some(mut odo) = odo {
            odo.km_this_tick = km;
            odo.km_total += km;
        }
    }
}
