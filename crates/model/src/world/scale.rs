//! Scale: the one place that knows how long a tick is and how wide a tile is. Every
//! parameter is given in km and hours; systems convert here, so a scenario with 2 km tiles
//! or 3-hour ticks describes the same world (tests/scale checks the regime holds).

use crate::engine::calendar::Clock;
use crate::world::terrain::TerrainGrid;
use bevy_ecs::prelude::*;

/// Tile width and tick length of a run.
#[derive(Resource, Clone, Copy, Debug, PartialEq)]
pub struct Scale {
    pub tile_km: f64,
    pub hours_per_tick: u32,
}

impl Scale {
    pub fn new(tile_km: f64, hours_per_tick: u32) -> Self {
        Self {
            tile_km,
            hours_per_tick,
        }
    }

    /// The scale of a world that holds its clock and terrain.
    pub fn of(world: &World) -> Self {
        Self::new(
            world.resource::<TerrainGrid>().projection.tile_km,
            world.resource::<Clock>().hours_per_tick,
        )
    }

    /// Tiles in a distance of `km` (fractional: compare it with tile distances).
    pub fn tiles(&self, km: f64) -> f64 {
        km / self.tile_km
    }

    /// Km in a distance of `tiles`.
    pub fn km(&self, tiles: f64) -> f64 {
        tiles * self.tile_km
    }

    /// Whole ticks in `hours` (rounded down: a time that has not fully passed has not).
    pub fn ticks(&self, hours: f64) -> u64 {
        (hours / self.hpt()) as u64
    }

    /// Ticks in `hours`, rounded to the nearest (message delays).
    pub fn ticks_rounded(&self, hours: f64) -> u64 {
        (hours / self.hpt()).round() as u64
    }

    /// A cadence of `hours` in ticks: at least one (something done every tick at most).
    pub fn period(&self, hours: f64) -> u64 {
        (hours / self.hpt()).max(1.0) as u64
    }

    /// Hours in `ticks`.
    pub fn hours(&self, ticks: u64) -> f64 {
        ticks as f64 * self.hpt()
    }

    /// The share of a day that one tick is (a daily rate times this is a rate per tick).
    pub fn day_share(&self) -> f64 {
        self.hpt() / 24.0
    }

    /// A probability per hour as a probability per tick.
    pub fn per_tick(&self, per_hour: f64) -> f64 {
        per_hour * self.hpt()
    }

    fn hpt(&self) -> f64 {
        f64::from(self.hours_per_tick)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions_follow_tile_and_tick() {
        let five = Scale::new(5.0, 1);
        let two = Scale::new(2.0, 3);
        assert_eq!(five.tiles(40.0), 8.0);
        assert_eq!(two.tiles(40.0), 20.0);
        assert_eq!(five.ticks(48.0), 48);
        assert_eq!(two.ticks(48.0), 16);
        assert_eq!(two.ticks(4.0), 1);
        assert_eq!(two.ticks_rounded(5.0), 2);
        assert_eq!(two.period(1.0), 1);
        assert_eq!(two.day_share(), 0.125);
    }
}
