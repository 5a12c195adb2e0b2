//! The army: units of several kinds, their postures, fuel and the command that tasks them
//! with a response delay and an escort doctrine.

use crate::domains::logistics::{Convoy, CrossingQueues, EscortDoctrine, Supplies};
use crate::engine::calendar::{Clock, Season};
use crate::engine::check::{Checker, Validate};
use crate::world::actors::{ActorId, IdCounter, Mover, Odometer, Position, Route, plan_route};
use crate::world::geo::Tile;
use crate::world::pathfinding::Pathfinder;
use crate::world::sensing::IndexedArmy;
use crate::world::settlement::{RoadNetwork, Settlement};
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
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "mechanised" => UnitKind::Mechanised,
            "motorised" => UnitKind::Motorised,
            "garrison" => UnitKind::Garrison,
            "special_forces" => UnitKind::SpecialForces,
            "partner" => UnitKind::Partner,
            _ => return None,
        })
    }

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

    pub fn name(self) -> &'static str {
        match self {
            UnitKind::Mechanised => "mechanised",
            UnitKind::Motorised => "motorised",
            UnitKind::Garrison => "garrison",
            UnitKind::SpecialForces => "special_forces",
            UnitKind::Partner => "partner",
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
    /// Intelligence (detections and arrests, weighted) needed to locate the command.
    pub intel_to_locate_command: f64,
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
    /// Share of arrests that are arbitrary (quiet civilians), before discipline.
    pub abuse_tolerance: f64,
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
            response_delay_hours: 12.0,
            command_every_hours: 6.0,
            cooperation: 0.3,
            secure_border_km: 150.0,
            decapitation: true,
            intel_to_locate_command: 150.0,
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
            abuse_tolerance: 0.3,
            replacement_per_day: 0.01,
            resupply_hours: 24.0,
        }
    }
}

impl Validate for ArmyParams {
    fn validate(&self, c: &mut Checker) {
        c.within("size_factor", self.size_factor, 0.0, 20.0);
        c.probability("discipline", self.discipline);
        c.non_negative("response_delay_hours", self.response_delay_hours);
        c.within("command_every_hours", self.command_every_hours, 1.0, 240.0);
        c.probability("cooperation", self.cooperation);
        c.non_negative("secure_border_km", self.secure_border_km);
        c.positive("intel_to_locate_command", self.intel_to_locate_command);
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
        c.probability("abuse_tolerance", self.abuse_tolerance);
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

/// Decisions: when intelligence on an insurgent command passes the threshold, the army
/// strikes it (if the doctrine allows); a fallen sub-command gives away part of what it
/// knew of the top. Intelligence fades when not renewed.
#[allow(clippy::too_many_arguments)]
pub fn strike_commands(
    clock: Res<Clock>,
    params: Res<ArmyParams>,
    iparams: Res<crate::domains::insurgency::InsurgencyParams>,
    mut command: ResMut<ArmyCommand>,
    mut rng: ResMut<crate::engine::rng::SimRng>,
    mut tally: ResMut<crate::domains::insurgency::InsurgencyTally>,
    mut log: ResMut<crate::engine::observation::EventLog>,
    mut targets: Query<(
        Entity,
        &ActorId,
        &mut crate::domains::insurgency::InsurgentCommand,
        &Position,
    )>,
    mut order: Local<Vec<(ActorId, Entity)>>,
) {
    use crate::engine::rng::RngExt;
    let tick = clock.tick;
    if clock.is_day_end() {
        for (_, v) in command.intel_on.iter_mut() {
            *v *= 0.97;
        }
    }
    if !params.decapitation {
        return;
    }
    order.clear();
    order.extend(targets.iter().map(|(e, id, ..)| (*id, e)));
    order.sort();
    for &(id, e) in order.iter() {
        let Ok((_, _, mut cmd, pos)) = targets.get_mut(e) else {
            continue;
        };
        if !cmd.alive || command.intel(e) < params.intel_to_locate_command {
            continue;
        }
        command.strikes_on_command += 1;
        let success = rng.0.random::<f64>() < params.decapitation_success;
        let parent = cmd.parent;
        for (on, v) in command.intel_on.iter_mut() {
            if *on == e {
                *v = if success { 0.0 } else { *v * 0.5 };
            }
        }
        if !success {
            continue;
        }
        cmd.alive = false;
        cmd.decapitations += 1;
        cmd.outbox.clear();
        cmd.inbox.clear();
        cmd.successor_at =
            Some(tick + (iparams.succession_days * 24.0 / f64::from(clock.hours_per_tick)) as u64);
        tally.decapitations += 1;
        if parent.is_none() && tally.top_decapitated_day.is_none() {
            tally.top_decapitated_day = Some(clock.day());
        }
        if let Some(top) = parent {
            command.add_intel(top, 0.5 * params.intel_to_locate_command);
        }
        log.events.push(crate::engine::observation::Event {
            tick,
            kind: crate::engine::observation::EventKind::Decapitation,
            tile: pos.tile,
            attacker: crate::engine::observation::Actor::None,
            defender: crate::engine::observation::Actor::Command(id.0),
            attacker_losses: 0.0,
            defender_losses: 1.0,
            trucks_destroyed: 0,
            civilians_killed: 0,
        });
    }
}

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

/// Units burn fuel as they drive and refuel from the stock of the town they stand in; a
/// dry unit cannot move: the blockade hurts the army's own mobility.
pub fn army_fuel(
    params: Res<ArmyParams>,
    mut units: Query<(&mut ArmyUnit, &Odometer, &Position, &mut Mover)>,
    mut towns: Query<(&Settlement, &mut Supplies)>,
    town_at: Res<TownTiles>,
    crossings: Res<CrossingTiles>,
    clock: Res<Clock>,
    capital: Option<Res<crate::domains::logistics::Capital>>,
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
            u.dry_hours += clock.hours_per_tick as f32;
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

/// Escorts move with their convoys.
pub fn escorts_follow(
    mut units: Query<
        (
            Entity,
            &Escorting,
            &mut Position,
            &mut Odometer,
            &mut ArmyUnit,
        ),
        Without<Convoy>,
    >,
    convoys: Query<(&Position, &crate::world::actors::Odometer), With<Convoy>>,
    mut commands: Commands,
) {
    for (e, esc, mut pos, mut odo, mut unit) in &mut units {
        match convoys.get(esc.convoy) {
            Ok((cpos, codo)) => {
                *pos = *cpos;
                odo.km_this_tick = codo.km_this_tick;
                odo.km_total += codo.km_this_tick;
            }
            Err(_) => {
                // The convoy arrived or was destroyed: back to reserve where it stands.
                commands.entity(e).remove::<Escorting>();
                unit.posture = Posture::Reserve;
            }
        }
    }
}

/// The army command tasks its units: escorts to crossings that have convoys waiting,
/// responses to reported attacks (after the delay), sweeps towards detected cells, and
/// reserves back to base.
#[allow(clippy::too_many_arguments)]
pub fn army_command(
    clock: Res<Clock>,
    season: Res<Season>,
    grid: Res<TerrainGrid>,
    params: Res<ArmyParams>,
    logistics: Res<crate::domains::logistics::LogisticsParams>,
    net: Res<RoadNetwork>,
    mut command: ResMut<ArmyCommand>,
    mut queues: ResMut<CrossingQueues>,
    mut pathfinder: ResMut<Pathfinder>,
    mut society: ResMut<crate::domains::society::Society>,
    mut units: Taskable,
    towns: Query<&Settlement>,
) {
    let tick = clock.tick;
    if tick < command.next_tasking {
        return;
    }
    let every = (params.command_every_hours / f64::from(clock.hours_per_tick)).max(1.0) as u64;
    command.next_tasking = tick + every;
    let delay = (params.response_delay_hours / f64::from(clock.hours_per_tick)) as u64;
    let task_ticks = (params.task_hours / f64::from(clock.hours_per_tick)) as u64;

    let mut order: Vec<(ActorId, Entity)> = units.iter().map(|(e, id, ..)| (*id, e)).collect();
    order.sort();

    // Tasks lapse: units whose task ended go back to base.
    for &(_, e) in &order {
        let Ok((_, _, mut u, pos, mut route)) = units.get_mut(e) else {
            continue;
        };
        let lapsed = matches!(
            u.posture,
            Posture::Sweep | Posture::Respond | Posture::Patrol
        ) && tick >= u.task_until;
        let stranded_escort = u.posture == Posture::Escort && !queues.escort.contains(&Some(e));
        if lapsed || stranded_escort {
            u.posture = Posture::Reserve;
            u.target = None;
            if let Ok(base) = towns.get(u.base)
                && pos.tile != base.tile
            {
                plan_route(
                    &mut pathfinder,
                    &grid,
                    *season,
                    u.kind.mobility(),
                    pos.tile,
                    base.tile,
                    true,
                    &mut route,
                );
            }
        }
    }

    let available = |u: &ArmyUnit| {
        u.posture == Posture::Reserve
            && u.kind != UnitKind::Garrison
            && u.fuel_l > 0.2 * u.fuel_capacity_l
    };

    let mut go = Dispatch {
        season: *season,
        grid: &grid,
        pathfinder: &mut pathfinder,
    };

    // 1. Escorts for crossings where trucks wait.
    if params.escort_doctrine == EscortDoctrine::EscortedConvoys {
        for (i, crossing) in net.crossings.iter().enumerate() {
            let waiting = queues.tankers[i] + queues.goods[i];
            if queues.escort[i].is_some() || waiting < f64::from(logistics.escort_min_convoy) {
                continue;
            }
            let not_sf = |k| k != UnitKind::SpecialForces;
            if let Some(e) = nearest_available(&order, &units, crossing.tile, &available, not_sf)
                && go.send(&mut units, e, crossing.tile, true, Posture::Escort, |_| {
                    None
                })
            {
                queues.escort[i] = Some(e);
            }
        }
    }

    // 2. Responses to attacks reported at least `delay` ago; a response lasts the task
    // plus twice the travel.
    let travel_and_task = |len: usize| Some(tick + task_ticks + len as u64 * 2);
    let mut reports = std::mem::take(&mut command.reports);
    for r in reports
        .iter_mut()
        .filter(|r| !r.answered && tick >= r.tick + delay)
    {
        let not_sf = |k| k != UnitKind::SpecialForces;
        if let Some(e) = nearest_available(&order, &units, r.tile, &available, not_sf)
            && go.send(
                &mut units,
                e,
                r.tile,
                false,
                Posture::Respond,
                travel_and_task,
            )
        {
            r.answered = true;
            command.answered_attacks += 1;
            society.answer(r.tile, true);
        }
    }
    // Reports nobody could answer within three days count against the state.
    let stale = 72 / u64::from(clock.hours_per_tick);
    for r in &reports {
        if !r.answered && tick >= r.tick + delay + stale {
            command.unanswered_attacks += 1;
            society.answer(r.tile, false);
        }
    }
    reports.retain(|r| !r.answered && tick < r.tick + delay + stale);
    command.reports = reports;

    // 3. Sweeps towards recent sightings of cells.
    command.sightings.retain(|s| tick < s.tick + 48);
    let mut sightings = command.sightings.clone();
    sightings.sort_by_key(|s| (std::cmp::Reverse(s.tick), s.tile));
    for s in sightings.iter().take(4) {
        if let Some(e) = nearest_available(&order, &units, s.tile, &available, |_| true) {
            go.send(
                &mut units,
                e,
                s.tile,
                false,
                Posture::Sweep,
                travel_and_task,
            );
        }
    }

    // 4. Route security: idle units patrol the corridors near their base.
    if params.escort_doctrine == EscortDoctrine::RouteSecurity {
        for &(id, e) in &order {
            if !units.get(e).is_ok_and(|(_, _, u, ..)| available(u)) {
                continue;
            }
            let k = &net.corridors
                [(id.0 as usize + (tick / every) as usize) % net.corridors.len().max(1)];
            if let Some(&t) = k.tiles.get(k.tiles.len() / 2) {
                go.send(&mut units, e, t, true, Posture::Patrol, |_| {
                    Some(tick + 2 * task_ticks)
                });
            }
        }
    }
}

/// The army's units that the command can task (escorts move with their convoys).
type Taskable<'w, 's> = Query<
    'w,
    's,
    (
        Entity,
        &'static ActorId,
        &'static mut ArmyUnit,
        &'static Position,
        &'static mut Route,
    ),
    Without<Escorting>,
>;

/// Sends units on tasks: plans the route, then sets posture, target and when the task
/// lapses (from the route's length). A unit with no path keeps what it was doing.
struct Dispatch<'a> {
    season: Season,
    grid: &'a TerrainGrid,
    pathfinder: &'a mut Pathfinder,
}

impl Dispatch<'_> {
    fn send(
        &mut self,
        units: &mut Taskable,
        e: Entity,
        to: Tile,
        shared_destination: bool,
        posture: Posture,
        until: impl FnOnce(usize) -> Option<u64>,
    ) -> bool {
        let Ok((_, _, mut u, pos, mut route)) = units.get_mut(e) else {
            return false;
        };
        let mobility = u.kind.mobility();
        let (from, grid, season) = (pos.tile, self.grid, self.season);
        if !plan_route(
            self.pathfinder,
            grid,
            season,
            mobility,
            from,
            to,
            shared_destination,
            &mut route,
        ) {
            return false;
        }
        u.posture = posture;
        u.target = Some(to);
        if let Some(t) = until(route.tiles.len()) {
            u.task_until = t;
        }
        true
    }
}

fn nearest_available(
    order: &[(ActorId, Entity)],
    units: &Taskable,
    to: Tile,
    available: &impl Fn(&ArmyUnit) -> bool,
    kind_ok: impl Fn(UnitKind) -> bool,
) -> Option<Entity> {
    let mut best: Option<(f64, ActorId, Entity)> = None;
    for &(id, e) in order {
        let Ok((_, _, u, pos, _)) = units.get(e) else {
            continue;
        };
        if !available(u) || !kind_ok(u.kind) {
            continue;
        }
        let d = pos.tile.distance(to);
        if best.is_none_or(|b| (d, id) < (b.0, b.1)) {
            best = Some((d, id, e));
        }
    }
    best.map(|b| b.2)
}
