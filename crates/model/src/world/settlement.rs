//! Settlements (towns and border posts) and the road corridors between them.

use crate::engine::geo::{LatLon, Tile};
use crate::world::terrain::RoadClass;
use bevy_ecs::prelude::*;

/// A town, city or border post.
#[derive(Component, Clone, Debug)]
pub struct Settlement {
    pub name: String,
    pub tile: Tile,
    pub position: LatLon,
    pub population: u32,
    /// ISO 3166 alpha-2 code.
    pub country: String,
}

/// A road corridor: an ordered list of settlements joined by a road of one class.
#[derive(Clone, Debug)]
pub struct Corridor {
    pub name: String,
    pub towns: Vec<Entity>,
    pub road: RoadClass,
    /// The rasterised road, town to town, in order.
    pub tiles: Vec<Tile>,
}

/// A border crossing where imports enter: the origin of convoys.
#[derive(Clone, Debug)]
pub struct BorderCrossing {
    pub name: String,
    /// The settlement at the crossing.
    pub settlement: Entity,
    pub tile: Tile,
    /// Index into [`RoadNetwork::corridors`].
    pub corridor: usize,
    /// The neighbouring country the imports come from.
    pub from_country: String,
    /// Normal daily flow of fuel tankers and of goods trucks.
    pub tankers_per_day: f64,
    pub goods_trucks_per_day: f64,
    /// An inland depot (a refinery, a strategic reserve) rather than a border crossing:
    /// its trucks leave from inside the country, never for the depot's own town, and what
    /// its reserve holds runs out. None for a border crossing.
    pub depot: Option<Depot>,
    /// The settlements its trucks deliver to (empty: every settlement of the home
    /// country). Importers deliver to the inland depots, and the depots to the regions:
    /// Burkina Faso's imports went to the SONABHY depots at Bingo and Bobo-Dioulasso, and
    /// the north was supplied from there.
    pub serves: Vec<Entity>,
}

impl BorderCrossing {
    /// Whether its trucks may go to `town`: one it serves, never an inland depot's own.
    pub fn delivers_to(&self, town: Entity) -> bool {
        !(self.depot.is_some() && town == self.settlement)
            && (self.serves.is_empty() || self.serves.contains(&town))
    }
}

/// What an inland depot holds: trucks' worth of fuel and of goods it can still send (None:
/// no limit, as a refinery producing all along).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Depot {
    pub tankers: Option<f64>,
    pub goods: Option<f64>,
}

/// The corridors and crossings of the scenario.
#[derive(Resource, Clone, Debug, Default)]
pub struct RoadNetwork {
    pub corridors: Vec<Corridor>,
    pub crossings: Vec<BorderCrossing>,
}
