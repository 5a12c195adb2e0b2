//! The army's data: unit kinds and postures, units, parameters and doctrine, the command's
//! picture (reports, sightings, intelligence), escorts, and the messages it takes.

use crate::engine::check::{Checker, Validate};
use crate::engine::geo::Tile;
use crate::world::terrain::{Mobility, TerrainGrid};
use bevy_ecs::prelude::*;
use serde::{Deserialize, Serialize};

/// Kinds of army unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    /// Armoured vehicles: strong, slow, road-bound, thirsty.
    Mechanised,
    /// Pick-ups and trucks: faster, lighter.
    Motorised,
    /// A post that holds a town.
    Garrison,
    /// Small, fast, used against the insurgent command.
    SpecialForces,
    /// Allied forces (Africa Corps).
    Partner,
}

impl UnitKind {
    pub fn mobility(self) -> Mobility {
        match self {
            UnitKind::Mechanised | UnitKind::Partner => Mobility::Mechanised,
            _ => Mobility::Wheeled,
        }
    }

    /// Firepower per soldier, relative to a motorised infantryman.
    pub fn firepower(self) -> f32 {
        match self {
            UnitKind::Mechanised => 2.0,
            UnitKind::Partner => 1.8,
            UnitKind::SpecialForces => 2.5,
            UnitKind::Motorised => 1.0,
            UnitKind::Garrison => 0.8,
        }
    }

    /// Litres of fuel per km for a unit (its vehicles together).
    pub fn litres_per_km(self) -> f32 {
        match self {
            UnitKind::Mechanised | UnitKind::Partner => 12.0,
            UnitKind::Motorised => 5.0,
            UnitKind::SpecialForces => 2.0,
            UnitKind::Garrison => 3.0,
        }
    }
}

/// What a unit is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Posture {
    Garrison,
    Patrol,
    Escort,
    Sweep,
    Respond,
    Reserve,
}

/// An army unit.
#[derive(Component, Clone, Debug)]
pub struct ArmyUnit {
    pub kind: UnitKind,
    pub soldiers: f32,
    pub initial_soldiers: f32,
    pub fuel_l: f32,
    pub fuel_capacity_l: f32,
    pub posture: Posture,
    /// Probability that force used by this unit does not harm civilians.
    pub discipline: f32,
    /// The settlement it is based at.
    pub base: Entity,
    /// Where the current task takes it.
    pub target: Option<Tile>,
    /// Tick when the current task lapses (sweep, respond, patrol).
    pub task_until: u64,
    /// Hours spent stranded without fuel.
    pub dry_hours: f32,
}

/// An army unit escorting a convoy: it moves with it.
#[derive(Component, Clone, Copy, Debug)]
pub struct Escorting {
    pub convoy: Entity,
}

/// How the army protects the convoys (`params.army.escort_doctrine`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EscortDoctrine {
    /// Trucks leave in small groups as they arrive, unprotected.
    Unescorted,
    /// Tankers wait at the crossing until a large convoy forms and an army unit escorts it
    /// (the Malian practice from September 2025); goods trucks waiting join it while there
    /// is room. Goods trucks otherwise leave in groups under every doctrine.
    #[default]
    EscortedConvoys,
    /// Trucks leave in small groups; army units patrol the corridors instead.
    RouteSecurity,
}

/// Army parameters (`params.army`).
#[derive(Resource, Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ArmyParams {
    /// Multiplier on the initial forces of the scenario (units per group).
    pub size_factor: f64,
    /// Probability that force against detected insurgents does not harm civilians nearby.
    /// Estimate: abuses by Malian forces and their partners are well documented (HRW 2024).
    pub discipline: f64,
    pub escort_doctrine: EscortDoctrine,
    /// The command sends a column to break a siege only with a unit whose soldiers x
    /// firepower are at least this many times the fighters on the ring (0: it never tries).
    /// Estimate: a column half again the ring's strength; the state's columns to Djibo
    /// were ambushed on the way (Gaskindé, 26 September 2022: 27 soldiers killed, RFI).
    pub relieve_min_ratio: f64,
    /// Days the capital must have gone short of fuel before the state puts the escorts
    /// first, taking units off responses, sweeps and patrols to escort tankers; until then
    /// only units in reserve escort. Shortages reached Bamako about 6 October 2025; the
    /// crisis committee sat from 26-28 October and the escorts were reinforced through
    /// November (21 November protocol with the petroleum importers; RFI, Le Hautpanel):
    /// about three weeks of shortage.
    pub escort_priority_days: f64,
    /// Drone sorties a day that can watch over escorted convoys, and the chance that a
    /// watched convoy's ambush is seen being laid, so that the cells break off before the
    /// convoy arrives. Mali flies a few Bayraktar TB2 and Akinci drones, shared with strikes
    /// across the country, and from December 2025 escorts moved "with aerial surveillance"
    /// beside Africa Corps (AFP via aa.tv, 6 December 2025), after which "attacks decreased
    /// in intensity" (AFP, 30 January 2026). Estimates: 2 sorties a day, 0.7. The sorties
    /// are shared among the escorted convoys on the road, so cover thins as convoys multiply.
    pub air_sorties_per_day: f64,
    pub air_spots_ambush: f64,
    /// Hours between an attack being reported and units being sent.
    pub response_delay_hours: f64,
    /// The command re-tasks its units every this many hours.
    pub command_every_hours: f64,
    /// Regional cooperation (Senegal, Cote d'Ivoire, Guinea) in [0, 1]: their forces secure
    /// the border ends of the corridors, up to `cooperation * secure_border_km` from each
    /// crossing, where no cell can hold a checkpoint or lay an ambush. Estimate: joint
    /// patrols exist on paper; 0.3 x 150 km secures about 45 km.
    pub cooperation: f64,
    pub secure_border_km: f64,
    /// Whether the army may strike the insurgent command when intelligence finds it.
    pub decapitation: bool,
    /// Intelligence (detections and captures, weighted) needed to locate a sub-command
    /// (a regional command, a katiba's leader). The Malian army claimed several such
    /// commanders a year since 2024 (docs/calibration.md).
    pub intel_to_locate_command: f64,
    /// Intelligence needed to locate the top command. The top is insulated (couriers,
    /// movement, refuges across borders): in a hierarchy it learns of its cells only
    /// through its sub-commands, so the army's intelligence on it comes from what fallen
    /// sub-commands give away; in a star its cells report to it directly and every
    /// detection of a cell counts. Neither of JNIM's two top leaders was killed or
    /// captured from 2017 to 2026; France killed four senior deputies in 2018-2020.
    pub intel_to_locate_top: f64,
    /// Probability that a strike on a located command succeeds.
    pub decapitation_success: f64,
    /// Chance per hour that a unit detects a cell within `detection_km` in the open
    /// (times 1 - cover, times 1 + informant strength nearby).
    pub detection_per_hour: f64,
    pub detection_km: f64,
    /// Weight of local informants on detection.
    pub informant_weight: f64,
    /// Fuel capacity of a unit, in days of driving at its march pace.
    pub fuel_days: f64,
    /// Speed factor of columns (halts, demining, checks) and their driving hours.
    pub march_speed_factor: f64,
    pub march_from_hour: u8,
    pub march_to_hour: u8,
    /// How long a sweep or response lasts once there, in hours.
    pub task_hours: f64,
    /// Share of a settlement's fuel stock the army may draw to refuel.
    pub fuel_priority_share: f64,
    /// Civilians killed when force harms civilians: floor(harm_size_scale x X), X Pareto
    /// with the insurgency's `attack_size_exponent` (a mean of about 2).
    pub harm_size_scale: f64,
    /// Force harms civilians only within this distance of a settlement (its villages and
    /// fields), km.
    pub harm_radius_km: f64,
    /// Share of arrests that are arbitrary: a quiet civilian is taken instead of an active
    /// one. Its own lever, apart from `discipline` (the harm of force), so that an
    /// experiment can tell the two kinds of abuse apart.
    pub arbitrary_arrests: f64,
    /// Hours before the army's fuel trucks reach a unit stranded without fuel.
    pub resupply_hours: f64,
    /// Share of a unit's initial strength replaced per day while it stands at its base.
    pub replacement_per_day: f64,
}

impl Default for ArmyParams {
    fn default() -> Self {
        Self {
            size_factor: 1.0,
            discipline: 0.6,
            escort_doctrine: EscortDoctrine::EscortedConvoys,
            escort_priority_days: 21.0,
            air_sorties_per_day: 2.0,
            relieve_min_ratio: 1.5,
            air_spots_ambush: 0.7,
            response_delay_hours: 12.0,
            command_every_hours: 6.0,
            cooperation: 0.3,
            secure_border_km: 150.0,
            decapitation: true,
            intel_to_locate_command: 300.0,
            intel_to_locate_top: 1000.0,
            decapitation_success: 0.5,
            detection_per_hour: 0.015,
            detection_km: 12.0,
            informant_weight: 2.0,
            fuel_days: 3.0,
            march_speed_factor: 0.45,
            march_from_hour: 6,
            march_to_hour: 18,
            task_hours: 48.0,
            fuel_priority_share: 0.2,
            harm_size_scale: 0.85,
            harm_radius_km: 10.0,
            arbitrary_arrests: 0.12,
            replacement_per_day: 0.01,
            resupply_hours: 24.0,
        }
    }
}

impl Validate for ArmyParams {
    fn validate(&self, c: &mut Checker) {
        c.within("size_factor", self.size_factor, 0.0, 20.0);
        c.probability("discipline", self.discipline);
        c.within(
            "escort_priority_days",
            self.escort_priority_days,
            0.0,
            36_500.0,
        );
        c.within("air_sorties_per_day", self.air_sorties_per_day, 0.0, 1000.0);
        c.non_negative("relieve_min_ratio", self.relieve_min_ratio);
        c.probability("air_spots_ambush", self.air_spots_ambush);
        c.non_negative("response_delay_hours", self.response_delay_hours);
        c.within("command_every_hours", self.command_every_hours, 1.0, 240.0);
        c.probability("cooperation", self.cooperation);
        c.non_negative("secure_border_km", self.secure_border_km);
        c.positive("intel_to_locate_command", self.intel_to_locate_command);
        c.positive("intel_to_locate_top", self.intel_to_locate_top);
        c.probability("decapitation_success", self.decapitation_success);
        c.probability("detection_per_hour", self.detection_per_hour);
        c.non_negative("detection_km", self.detection_km);
        c.non_negative("informant_weight", self.informant_weight);
        c.positive("fuel_days", self.fuel_days);
        c.within("march_speed_factor", self.march_speed_factor, 0.01, 2.0);
        if self.march_from_hour >= self.march_to_hour || self.march_to_hour > 24 {
            c.fail(
                "march_from_hour",
                "needs march_from_hour < march_to_hour <= 24",
            );
        }
        c.positive("task_hours", self.task_hours);
        c.probability("fuel_priority_share", self.fuel_priority_share);
        c.non_negative("harm_size_scale", self.harm_size_scale);
        c.non_negative("harm_radius_km", self.harm_radius_km);
        c.probability("arbitrary_arrests", self.arbitrary_arrests);
        c.probability("replacement_per_day", self.replacement_per_day);
        c.non_negative("resupply_hours", self.resupply_hours);
    }
}

/// A report the command acts on after its response delay.
#[derive(Clone, Copy, Debug)]
pub struct Report {
    pub tick: u64,
    pub tile: Tile,
    pub answered: bool,
}

/// A detected cell, as the command knows it.
#[derive(Clone, Copy, Debug)]
pub struct Sighting {
    pub cell: Entity,
    pub tile: Tile,
    pub tick: u64,
}

/// The army command: reports of attacks, intelligence on cells and the insurgent command.
#[derive(Resource, Clone, Debug, Default)]
pub struct ArmyCommand {
    pub reports: Vec<Report>,
    pub sightings: Vec<Sighting>,
    /// Accumulated intelligence on the insurgent command's whereabouts.
    pub intel: f64,
    pub unanswered_attacks: u64,
    pub answered_attacks: u64,
    pub next_tasking: u64,
    /// Intelligence gathered on each insurgent command (from detections of its cells and
    /// from captured fighters).
    pub intel_on: Vec<(Entity, f64)>,
    pub strikes_on_command: u64,
}

impl ArmyCommand {
    pub fn add_intel(&mut self, on: Entity, amount: f64) {
        match self.intel_on.iter_mut().find(|(e, _)| *e == on) {
            Some((_, v)) => *v += amount,
            None => self.intel_on.push((on, amount)),
        }
    }

    pub fn intel(&self, on: Entity) -> f64 {
        self.intel_on
            .iter()
            .find(|(e, _)| *e == on)
            .map_or(0.0, |(_, v)| *v)
    }
}

/// Tiles of the border crossings (where units can refuel from the neighbour's side).
#[derive(Resource, Clone, Debug, Default)]
pub struct CrossingTiles(pub Vec<Tile>);

/// Settlement by tile, for quick "is this a town" questions.
#[derive(Resource, Clone, Debug, Default)]
pub struct TownTiles {
    width: u16,
    /// Settlement at each tile index (sparse: most tiles have none).
    by_tile: Vec<Option<Entity>>,
}

impl TownTiles {
    pub fn build(grid: &TerrainGrid, towns: impl Iterator<Item = (Entity, Tile)>) -> Self {
        let mut by_tile = vec![None; grid.len()];
        for (e, t) in towns {
            by_tile[grid.index(t)] = Some(e);
        }
        Self {
            width: grid.width,
            by_tile,
        }
    }

    pub fn at(&self, t: Tile) -> Option<Entity> {
        self.by_tile
            .get(usize::from(t.y) * usize::from(self.width) + usize::from(t.x))
            .copied()
            .flatten()
    }
}

/// The unit assigned to escort the next convoy from each crossing (same order as
/// [`crate::world::settlement::RoadNetwork::crossings`]), once it is there.
#[derive(Resource, Clone, Debug, Default)]
pub struct EscortRoster(pub Vec<Option<Entity>>);

/// From logistics: a convoy left `crossing` behind its escort `unit`.
#[derive(Clone, Copy, Debug)]
pub struct EscortLeft {
    pub crossing: usize,
    pub convoy: Entity,
    pub unit: Entity,
}

/// From logistics: the convoy `unit` escorted arrived (or turned home): it is free.
#[derive(Clone, Copy, Debug)]
pub struct EscortFreed {
    pub unit: Entity,
}

/// From the engagements: what the army learns from the fights.
#[derive(Clone, Copy, Debug)]
pub enum ArmyNews {
    /// An attack at `tile`, to answer after the response delay.
    Attack { tick: u64, tile: Tile },
    /// A cell detected.
    Sighting(Sighting),
    /// Intelligence on an insurgent command (from detections and captured fighters).
    Intel { command: Entity, amount: f64 },
}

/// From the insurgency: a destroyed command has a successor the army knows nothing of.
#[derive(Clone, Copy, Debug)]
pub struct CommandReplaced {
    pub command: Entity,
}
