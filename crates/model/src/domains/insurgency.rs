//! The insurgency: cells of fighters on motorbikes, and the command network that sends them
//! orders.
//!
//! A cell decides, at its own cadence, what to do next. With probability `autonomy` it plans
//! from what it has seen itself (fresh but local); otherwise it follows the last order its
//! commander sent (wider picture, coordinated, but late by the communication delay, and
//! nothing at all while the commander is dead). The same planner serves both: what differs
//! is the information and the coordination, which is the point of the decentralisation
//! question (MODEL.md section 7).

use crate::domains::logistics::{Convoy, Traffic};
use crate::domains::society::Society;
use crate::engine::calendar::{Clock, Season};
use crate::engine::check::{Checker, Validate};
use crate::engine::rng::{RngExt, SimRng};
use crate::world::actors::{ActorId, IdCounter, Mover, Position, Route, plan_route};
use crate::world::geo::Tile;
use crate::world::pathfinding::Pathfinder;
use crate::world::sensing::{IndexedCell, SpatialIndex};
use crate::world::settlement::Settlement;
use crate::world::terrain::{IMPASSABLE, Mobility, RoadClass, TerrainGrid};
use bevy_ecs::prelude::*;
use serde::{Deserialize, Serialize};

/// How the cells are tied to the leadership (`params.insurgency.network`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NetworkShape {
    /// Every cell answers to one command: one hop, but one point of failure.
    Star,
    /// Command, then one sub-command per region, then cells: two hops; the army learns of
    /// the top only through a fallen sub-command. JNIM's structure (a central shura over
    /// regional katibas) is of this kind.
    #[default]
    Hierarchical,
}

/// Insurgency parameters (`params.insurgency`).
#[derive(Resource, Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct InsurgencyParams {
    /// Autonomy a of every cell: the probability that a decision uses the cell's own local
    /// information rather than the last order from its commander. Estimate: JNIM's katibas
    /// act with wide latitude under a common strategy (ACSS 2023).
    pub autonomy: f64,
    pub network: NetworkShape,
    /// Whether the insurgency wages the campaign against the fuel trade (checkpoints on the
    /// corridors and ambushes on convoys). JNIM announced it on 3 September 2025.
    pub blockade: bool,
    /// Delay of a message over one hop of the network (couriers on motorbikes, rare phone
    /// use for fear of interception), in hours.
    pub comm_delay_hours: f64,
    /// A command plans for its cells every this many hours.
    pub plan_every_hours: f64,
    /// An order stays valid this long after it was issued.
    pub order_valid_hours: f64,
    /// Days until a successor takes over a destroyed command.
    pub succession_days: f64,
    /// A cell reconsiders its task every this many hours.
    pub decide_every_hours: f64,
    /// How far a cell sees army units and convoys, in km.
    pub vision_km: f64,
    /// How far a cell goes for a task, in km of straight line.
    pub reach_km: f64,
    /// A checkpoint stops a passing convoy and burns its trucks with this probability,
    /// turns it back with `checkpoint_turn_back`, or taxes it and lets it pass.
    pub checkpoint_burn: f64,
    pub checkpoint_turn_back: f64,
    /// Chance that a cell that sees a convoy it could take on lays an ambush for it (the
    /// rest of the time it lets it pass: risk, fatigue, other business).
    pub ambush_chance: f64,
    /// Convoys smaller than this are not worth an ambush (checkpoints deal with them).
    pub ambush_min_trucks: u32,
    /// Chance that a cell free for the campaign sets up a checkpoint when it reconsiders
    /// (JNIM's checkpoints were mobile and intermittent, not a standing line).
    pub checkpoint_chance: f64,
    /// A cell attacks an escort only if its fighters are at least this share of the
    /// escort's weight (soldiers / escort_weight).
    pub ambush_min_ratio: f64,
    /// How long a cell waits in an ambush or holds a checkpoint before rethinking, hours.
    pub hold_hours: f64,
    /// After an engagement a cell disperses and hides this long (hit and run), hours.
    pub disperse_hours: f64,
    /// Below this many fighters or `hide_below_cohesion` a cell hides.
    pub min_fighters: f64,
    pub hide_below_cohesion: f64,
    /// Cells above this many fighters split in two; below `merge_below` they merge into a
    /// cell of the same commander within `merge_km`.
    pub split_above: f64,
    pub merge_below: f64,
    pub merge_km: f64,
    /// Cohesion regained per day in hiding, lost per engagement.
    pub cohesion_recovery_per_day: f64,
    pub cohesion_loss_per_fight: f64,
    /// Chance per decision that a cell with nothing better raids a weakly held post in
    /// reach, or punishes a village that informs on it (weighted by its informants).
    pub raid_chance: f64,
    pub punish_chance: f64,
    /// Civilians killed in an attack on a village: floor(scale * X), X Pareto with this
    /// exponent (event sizes of insurgencies follow a power law with exponent ~2.5:
    /// Bohorquez et al. 2009); with scale 0.65 the mean is ~1.5 killed per attack (HRW 2024).
    pub attack_size_scale: f64,
    pub attack_size_exponent: f64,
    /// Share of the trucks' value a taxed convoy pays, as days of supplies for the cell.
    pub tax_supply_days: f64,
    /// Motorbikes per fighter.
    pub motorbikes_per_fighter: f64,
    /// Speed factor of cells on motorbikes (they move at night too).
    pub speed_factor: f64,
    /// Share of fighters that desert per day when a cell has run out of supplies.
    pub desertion_per_day: f64,
    /// Initial supplies of a cell, in days.
    pub initial_supply_days: f64,
    /// Days of supplies a cell gets each day from the countryside (cattle, traders, what it
    /// takes): a little less than it eats, so that a cell without support must tax and loot
    /// to last.
    pub countryside_supply_per_day: f64,
    /// Days of supplies a day that sympathisers add (zakat, food, fuel, shelter) when there
    /// are enough of them around the cell; in proportion where there are fewer.
    pub support_supply_per_day: f64,
    /// Sympathisers it takes to feed one fighter: cells near a settlement share its
    /// sympathisers.
    pub sympathisers_per_fighter: f64,
    /// Sympathisers feed cells up to this far from their settlement (fading with distance).
    pub support_km: f64,
}

impl Default for InsurgencyParams {
    fn default() -> Self {
        Self {
            autonomy: 0.7,
            network: NetworkShape::Hierarchical,
            blockade: true,
            comm_delay_hours: 12.0,
            plan_every_hours: 12.0,
            order_valid_hours: 72.0,
            succession_days: 21.0,
            decide_every_hours: 4.0,
            vision_km: 25.0,
            reach_km: 90.0,
            checkpoint_burn: 0.05,
            checkpoint_turn_back: 0.5,
            checkpoint_chance: 0.1,
            ambush_chance: 0.03,
            ambush_min_trucks: 20,
            ambush_min_ratio: 1.2,
            hold_hours: 24.0,
            disperse_hours: 24.0,
            min_fighters: 8.0,
            hide_below_cohesion: 0.35,
            split_above: 80.0,
            merge_below: 10.0,
            merge_km: 60.0,
            cohesion_recovery_per_day: 0.08,
            cohesion_loss_per_fight: 0.15,
            raid_chance: 0.005,
            punish_chance: 0.012,
            attack_size_scale: 0.65,
            attack_size_exponent: 2.5,
            tax_supply_days: 0.5,
            motorbikes_per_fighter: 0.5,
            speed_factor: 0.8,
            desertion_per_day: 0.02,
            initial_supply_days: 20.0,
            countryside_supply_per_day: 0.9,
            support_supply_per_day: 0.2,
            sympathisers_per_fighter: 20.0,
            support_km: 100.0,
        }
    }
}

impl InsurgencyParams {
    /// Days of supplies a cell gets in a day: the countryside's share, plus the sympathisers'
    /// in proportion to how much of the `fed` fighters' needs (all the cells sharing them)
    /// they cover. One day of supplies is what a cell eats in a day.
    pub fn supply_income(&self, sympathisers: f64, fed: f64) -> f64 {
        let cover = (sympathisers / (fed.max(1.0) * self.sympathisers_per_fighter)).min(1.0);
        self.countryside_supply_per_day + self.support_supply_per_day * cover
    }
}

impl Validate for InsurgencyParams {
    fn validate(&self, c: &mut Checker) {
        c.probability("autonomy", self.autonomy);
        c.positive("comm_delay_hours", self.comm_delay_hours + 1e-9);
        c.within("plan_every_hours", self.plan_every_hours, 1.0, 720.0);
        c.positive("order_valid_hours", self.order_valid_hours);
        c.non_negative("succession_days", self.succession_days);
        c.within("decide_every_hours", self.decide_every_hours, 1.0, 240.0);
        c.non_negative("vision_km", self.vision_km);
        c.positive("reach_km", self.reach_km);
        c.probability("checkpoint_burn", self.checkpoint_burn);
        c.probability("checkpoint_turn_back", self.checkpoint_turn_back);
        c.probability("checkpoint_chance", self.checkpoint_chance);
        c.probability("ambush_chance", self.ambush_chance);
        if self.checkpoint_burn + self.checkpoint_turn_back > 1.0 {
            c.fail(
                "checkpoint_turn_back",
                "checkpoint_burn + checkpoint_turn_back must be at most 1",
            );
        }
        c.non_negative("ambush_min_ratio", self.ambush_min_ratio);
        c.positive("hold_hours", self.hold_hours);
        c.non_negative("disperse_hours", self.disperse_hours);
        c.non_negative("min_fighters", self.min_fighters);
        c.probability("hide_below_cohesion", self.hide_below_cohesion);
        c.positive("split_above", self.split_above);
        c.non_negative("merge_below", self.merge_below);
        if self.merge_below * 2.0 >= self.split_above {
            c.fail(
                "merge_below",
                "must be less than half of split_above (else cells would split and merge in turn)",
            );
        }
        c.non_negative("merge_km", self.merge_km);
        c.probability("cohesion_recovery_per_day", self.cohesion_recovery_per_day);
        c.probability("cohesion_loss_per_fight", self.cohesion_loss_per_fight);
        c.probability("raid_chance", self.raid_chance);
        c.probability("punish_chance", self.punish_chance);
        c.non_negative("attack_size_scale", self.attack_size_scale);
        c.within("attack_size_exponent", self.attack_size_exponent, 1.5, 10.0);
        c.non_negative("tax_supply_days", self.tax_supply_days);
        c.non_negative("motorbikes_per_fighter", self.motorbikes_per_fighter);
        c.within("speed_factor", self.speed_factor, 0.01, 2.0);
        c.probability("desertion_per_day", self.desertion_per_day);
        c.non_negative("initial_supply_days", self.initial_supply_days);
        c.non_negative(
            "countryside_supply_per_day",
            self.countryside_supply_per_day,
        );
        c.non_negative("support_supply_per_day", self.support_supply_per_day);
        c.positive("sympathisers_per_fighter", self.sympathisers_per_fighter);
        c.positive("support_km", self.support_km);
    }
}

/// What a cell is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Task {
    /// Dispersed in cover near home: regaining cohesion, hard to find.
    Hide,
    /// Holding a road stretch: convoys passing are burned, turned back or taxed.
    Checkpoint(Tile),
    /// Waiting in cover beside a road for a convoy or a column.
    Ambush(Tile),
    /// Attacking an army post in a town.
    Raid(Entity),
    /// Attacking a village that informs on the insurgency.
    Punish(Entity),
    /// Going to a settlement where people wait to join.
    Recruit(Entity),
}

impl Task {
    pub fn is_attack(self) -> bool {
        !matches!(self, Task::Hide | Task::Recruit(_))
    }

    pub fn name(self) -> &'static str {
        match self {
            Task::Hide => "hide",
            Task::Checkpoint(_) => "checkpoint",
            Task::Ambush(_) => "ambush",
            Task::Raid(_) => "raid",
            Task::Punish(_) => "punish",
            Task::Recruit(_) => "recruit",
        }
    }
}

/// An order from a commander.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Order {
    pub task: Task,
    pub issued: u64,
}

/// Something a cell saw.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Seen {
    pub tile: Tile,
    pub tick: u64,
    /// Escort or unit soldiers (weighted by firepower).
    pub strength: f32,
    /// Trucks (convoys) or 0 (army units).
    pub trucks: u32,
    /// Where it is heading.
    pub heading: Option<Tile>,
}

/// An insurgent cell.
#[derive(Component, Clone, Debug)]
pub struct Cell {
    pub fighters: f32,
    pub motorbikes: f32,
    /// Rifles and heavier weapons per fighter (1 = everyone armed); looted posts add.
    pub weapons: f32,
    pub supply_days: f32,
    pub cohesion: f32,
    pub autonomy: f32,
    pub home: Tile,
    pub commander: Entity,
    pub task: Task,
    /// Tick when the current task is reconsidered.
    pub task_until: u64,
    pub next_decision: u64,
    /// The last order received (it may have expired).
    pub order: Option<Order>,
    pub seen_convoy: Option<Seen>,
    pub seen_army: Option<Seen>,
    /// Recruits waiting to be folded in by the organisation set.
    pub recruits: f32,
    /// Tick of the last engagement it fought.
    pub last_fight: u64,
}

/// A command of the insurgent network (the top command, or a regional sub-command).
#[derive(Component, Clone, Debug)]
pub struct InsurgentCommand {
    /// The command above (hierarchical networks), or None for the top.
    pub parent: Option<Entity>,
    pub alive: bool,
    /// Tick when a successor takes over, while dead.
    pub successor_at: Option<u64>,
    /// Orders in flight: (arrival tick, cell, order).
    pub outbox: Vec<(u64, Entity, Order)>,
    /// Sightings reported by its cells: (arrival tick, sighting).
    pub inbox: Vec<(u64, Seen)>,
    pub next_plan: u64,
    /// Times destroyed.
    pub decapitations: u32,
    /// Region name (the insurgent group of the scenario) or "top".
    pub region: String,
}

/// Requests from settlements where active people wait for a cell (central growth).
#[derive(Resource, Clone, Debug, Default)]
pub struct RecruitRequests {
    /// (settlement, its tile, people waiting)
    pub waiting: Vec<(Entity, Tile, f32)>,
}

/// Running totals of the insurgency.
#[derive(Resource, Clone, Debug, Default)]
pub struct InsurgencyTally {
    pub splits: u64,
    pub merges: u64,
    pub cells_destroyed: u64,
    pub orders_issued: u64,
    pub orders_followed: u64,
    pub local_decisions: u64,
    /// Day the top command was first destroyed.
    pub top_decapitated_day: Option<u32>,
    pub decapitations: u64,
    pub successions: u64,
    pub desertions: f64,
}

/// The top command of the network.
#[derive(Resource, Clone, Copy, Debug)]
pub struct TopCommand(pub Entity);

/// One insurgent group of the scenario: where its cells start.
#[derive(Clone, Debug)]
pub struct GroupPlacement {
    pub name: String,
    pub centre: Tile,
    pub radius_tiles: f64,
    pub cells: u32,
    pub fighters_per_cell: u32,
}

/// Spawns the command network and the cells of every group, on passable tiles around each
/// group's centre (deterministic given the run's seed).
pub fn spawn_insurgents(world: &mut World, groups: &[GroupPlacement]) {
    let p = world.resource::<InsurgencyParams>().clone();
    let seed = world.resource::<crate::engine::rng::Seed>().0;
    let mut rng = crate::engine::rng::stream(seed, crate::engine::rng::Purpose::Placement, 0x1c, 0);
    let (width, height) = {
        let g = world.resource::<TerrainGrid>();
        (g.width, g.height)
    };
    let top_tile = if groups.is_empty() {
        Tile::new(width / 2, height / 2)
    } else {
        let n = groups.len() as f64;
        let x = groups.iter().map(|g| f64::from(g.centre.x)).sum::<f64>() / n;
        let y = groups.iter().map(|g| f64::from(g.centre.y)).sum::<f64>() / n;
        Tile::new(x.round() as u16, y.round() as u16)
    };
    let top_id = world.resource_mut::<IdCounter>().next();
    let top = world
        .spawn((top_id, command("top", None), Position::at(top_tile)))
        .id();
    world.insert_resource(TopCommand(top));
    for g in groups {
        let commander = match p.network {
            NetworkShape::Star => top,
            NetworkShape::Hierarchical => {
                let id = world.resource_mut::<IdCounter>().next();
                world
                    .spawn((id, command(&g.name, Some(top)), Position::at(g.centre)))
                    .id()
            }
        };
        for _ in 0..g.cells {
            let tile = {
                let grid = world.resource::<TerrainGrid>();
                let costs = grid.costs(Season::Dry, Mobility::Motorbike);
                let mut tile = g.centre;
                for _ in 0..64 {
                    let r = g.radius_tiles * rng.random::<f64>().sqrt();
                    let a = rng.random::<f64>() * std::f64::consts::TAU;
                    let x = (f64::from(g.centre.x) + r * a.cos()).round() as i32;
                    let y = (f64::from(g.centre.y) + r * a.sin()).round() as i32;
                    if grid.contains(x, y) {
                        let t = Tile::new(x as u16, y as u16);
                        if costs[grid.index(t)] != IMPASSABLE {
                            tile = t;
                            break;
                        }
                    }
                }
                tile
            };
            spawn_cell(
                world,
                &p,
                commander,
                tile,
                g.fighters_per_cell as f32,
                &mut rng,
            );
        }
    }
    world.init_resource::<RecruitRequests>();
    world.init_resource::<InsurgencyTally>();
}

fn command(region: &str, parent: Option<Entity>) -> InsurgentCommand {
    InsurgentCommand {
        parent,
        alive: true,
        successor_at: None,
        outbox: Vec::new(),
        inbox: Vec::new(),
        next_plan: 0,
        decapitations: 0,
        region: region.to_string(),
    }
}

/// Spawns one cell at `tile`.
pub fn spawn_cell(
    world: &mut World,
    p: &InsurgencyParams,
    commander: Entity,
    tile: Tile,
    fighters: f32,
    rng: &mut crate::engine::rng::ModelRng,
) -> Entity {
    let id = world.resource_mut::<IdCounter>().next();
    let decide_ticks = p.decide_every_hours.max(1.0) as u64;
    world
        .spawn((
            id,
            new_cell(
                p,
                commander,
                tile,
                fighters,
                rng.random_range(0..decide_ticks),
            ),
            Position::at(tile),
            Route::default(),
            Mover::new(Mobility::Motorbike, p.speed_factor as f32),
            IndexedCell,
        ))
        .id()
}

pub fn new_cell(
    p: &InsurgencyParams,
    commander: Entity,
    home: Tile,
    fighters: f32,
    first_decision: u64,
) -> Cell {
    Cell {
        fighters,
        motorbikes: fighters * p.motorbikes_per_fighter as f32,
        weapons: 1.0,
        supply_days: p.initial_supply_days as f32,
        cohesion: 1.0,
        autonomy: p.autonomy as f32,
        home,
        commander,
        task: Task::Hide,
        task_until: 0,
        next_decision: first_decision,
        order: None,
        seen_convoy: None,
        seen_army: None,
        recruits: 0.0,
        last_fight: 0,
    }
}

/// Hops from a cell to the top (1 in a star, 2 in a hierarchy).
fn hops(network: NetworkShape) -> u64 {
    match network {
        NetworkShape::Star => 1,
        NetworkShape::Hierarchical => 2,
    }
}

/// Sensing: cells see convoys and army units within vision, remember the nearest of each,
/// and report them to their commander (the report arrives after one hop's delay).
#[allow(clippy::too_many_arguments)]
pub fn cells_sense(
    clock: Res<Clock>,
    params: Res<InsurgencyParams>,
    grid: Res<TerrainGrid>,
    index: Res<SpatialIndex>,
    mut cells: Query<(&mut Cell, &Position)>,
    convoys: Query<(&Convoy, &Route)>,
    army: Query<(&crate::domains::army::ArmyUnit, &Route)>,
    mut commands_q: Query<&mut InsurgentCommand>,
) {
    let tick = clock.tick;
    let vision = (params.vision_km / grid.projection.tile_km) as f32;
    let delay = (params.comm_delay_hours / f64::from(clock.hours_per_tick)).round() as u64;
    for (mut cell, pos) in &mut cells {
        let mut best_convoy: Option<(f64, Seen)> = None;
        index.within(&index.convoys, pos.tile, vision, |e| {
            if let Ok((c, route)) = convoys.get(e.entity) {
                let d = e.tile.distance(pos.tile);
                if best_convoy.is_none_or(|b| d < b.0) {
                    let strength = 0.0; // filled below from the escort, if any
                    best_convoy = Some((
                        d,
                        Seen {
                            tile: e.tile,
                            tick,
                            strength,
                            trucks: c.tankers + c.goods,
                            heading: route.destination(),
                        },
                    ));
                }
            }
        });
        let mut best_army: Option<(f64, Seen)> = None;
        index.within(&index.army, pos.tile, vision, |e| {
            if let Ok((u, route)) = army.get(e.entity) {
                let d = e.tile.distance(pos.tile);
                if best_army.is_none_or(|b| d < b.0) {
                    best_army = Some((
                        d,
                        Seen {
                            tile: e.tile,
                            tick,
                            strength: u.soldiers * u.kind.firepower(),
                            trucks: 0,
                            heading: route.destination(),
                        },
                    ));
                }
            }
        });
        if let Some((_, mut s)) = best_convoy {
            // An escort travels on the convoy's tile.
            index.within(&index.army, s.tile, 0.5, |e| {
                if let Ok((u, _)) = army.get(e.entity) {
                    s.strength += u.soldiers * u.kind.firepower();
                }
            });
            cell.seen_convoy = Some(s);
            if let Ok(mut cmd) = commands_q.get_mut(cell.commander)
                && cmd.alive
            {
                cmd.inbox.push((tick + delay, s));
            }
        }
        if let Some((_, s)) = best_army {
            cell.seen_army = Some(s);
        }
    }
}

/// What a planner knows of the world around a cell.
struct Picture<'a> {
    /// Convoy sightings (own memory, or reports that reached the command).
    convoys: &'a [Seen],
}

/// The planner shared by the cells (local plans) and the commands (orders): picks a task
/// for a cell at `at` with `fighters`, from what the picture shows.
#[allow(clippy::too_many_arguments)]
fn plan_task(
    p: &InsurgencyParams,
    massed: f32,
    combat: &crate::engagements::combat::CombatParams,
    grid: &TerrainGrid,
    traffic: &Traffic,
    targets: &Targets,
    picture: &Picture,
    at: Tile,
    fighters: f32,
    cohesion: f32,
    taken: &[Tile],
    rng: &mut crate::engine::rng::ModelRng,
) -> Task {
    if f64::from(fighters) < p.min_fighters || f64::from(cohesion) < p.hide_below_cohesion {
        return Task::Hide;
    }
    let reach = p.reach_km / grid.projection.tile_km;
    // 1. A convoy in reach that the cell can take on: wait in cover ahead of it.
    if p.blockade && !picture.convoys.is_empty() && rng.random::<f64>() < p.ambush_chance {
        let mut best: Option<(f64, Tile)> = None;
        for s in picture.convoys {
            if s.tile.distance(at) > reach || s.trucks < p.ambush_min_trucks {
                continue;
            }
            let weight = f64::from(s.strength) / combat.escort_weight;
            if f64::from(fighters.max(massed)) < p.ambush_min_ratio * weight {
                continue;
            }
            if let Some(spot) = ambush_spot(grid, s.tile, at, 6)
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
        && let Some(tile) = busiest_road(grid, traffic, at, reach, taken, targets)
    {
        return Task::Checkpoint(tile);
    }
    // 3. A weakly held post in reach.
    if rng.random::<f64>() < p.raid_chance {
        let mut best: Option<(f64, Entity)> = None;
        for post in &targets.posts {
            let d = post.tile.distance(at);
            if d > reach || post.soldiers <= 0.0 {
                continue;
            }
            let odds = f64::from(fighters)
                / (f64::from(fighters) + f64::from(post.soldiers) / combat.escort_weight);
            if odds > 0.5 && best.is_none_or(|b| odds > b.0) {
                best = Some((odds, post.town));
            }
        }
        if let Some((_, town)) = best {
            return Task::Raid(town);
        }
    }
    // 4. A village that informs on the insurgency, weighted by its informants.
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
    Task::Hide
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

/// The road tile in reach with the most recent traffic (weighted by cover), not held by
/// another cell.
fn busiest_road(
    grid: &TerrainGrid,
    traffic: &Traffic,
    at: Tile,
    reach: f64,
    taken: &[Tile],
    targets: &Targets,
) -> Option<Tile> {
    let r = reach.ceil() as i32;
    let (ax, ay) = (i32::from(at.x), i32::from(at.y));
    let mut best: Option<(f32, Tile)> = None;
    // Scan every other tile: roads are lines, a stride of 2 still meets each of them.
    for dy in (-r..=r).step_by(2) {
        for dx in (-r..=r).step_by(2) {
            let (x, y) = (ax + dx, ay + dy);
            if !grid.contains(x, y) || f64::from(dx * dx + dy * dy) > reach * reach {
                continue;
            }
            let t = Tile::new(x as u16, y as u16);
            let i = grid.index(t);
            let flow = traffic.trucks[i];
            if flow <= 0.5 || grid.road[i] == RoadClass::None {
                continue;
            }
            if taken.iter().any(|k| k.distance(t) < 8.0) || targets.is_secured(t) {
                continue;
            }
            let score = flow * (0.5 + grid.cover[i]) / (1.0 + 0.02 * t.distance(at) as f32);
            if best.is_none_or(|b| score > b.0) {
                best = Some((score, t));
            }
        }
    }
    best.map(|b| b.1)
}

/// Targets the planners weigh: army posts and villages, refreshed daily by the society
/// and army domains.
#[derive(Resource, Clone, Debug, Default)]
pub struct Targets {
    pub posts: Vec<PostTarget>,
    pub villages: Vec<VillageTarget>,
    /// Border crossings whose corridor ends are secured by neighbouring states' forces
    /// (regional cooperation), and how far from each, in tiles: no checkpoint or ambush
    /// can be set there.
    pub secured: Vec<Tile>,
    pub secured_tiles: f64,
}

impl Targets {
    pub fn is_secured(&self, t: Tile) -> bool {
        self.secured_tiles > 0.0
            && self
                .secured
                .iter()
                .any(|s| s.distance(t) <= self.secured_tiles)
    }
}

#[derive(Clone, Copy, Debug)]
pub struct PostTarget {
    pub town: Entity,
    pub tile: Tile,
    pub soldiers: f32,
}

#[derive(Clone, Copy, Debug)]
pub struct VillageTarget {
    pub town: Entity,
    pub tile: Tile,
    /// Share of the village's people who inform the state.
    pub informants: f32,
    pub garrisoned: bool,
}

/// Decisions: each live command plans for its cells every few hours; its orders reach the
/// cells after one hop (star) or two (hierarchy) of delay. A sub-command plans only while
/// the top lives: without the top's direction it relays nothing new.
#[allow(clippy::too_many_arguments)]
pub fn commands_plan(
    clock: Res<Clock>,
    params: Res<InsurgencyParams>,
    combat: Res<crate::engagements::combat::CombatParams>,
    grid: Res<TerrainGrid>,
    traffic: Res<Traffic>,
    targets: Res<Targets>,
    requests: Res<RecruitRequests>,
    mut rng: ResMut<SimRng>,
    mut tally: ResMut<InsurgencyTally>,
    mut commands_q: Query<(Entity, &ActorId, &mut InsurgentCommand)>,
    cells: Query<(Entity, &ActorId, &Cell, &Position)>,
    mut order: Local<Vec<(ActorId, Entity)>>,
    mut mine: Local<Vec<(ActorId, Entity)>>,
    mut taken: Local<Vec<Tile>>,
    mut reports: Local<Vec<Seen>>,
) {
    let tick = clock.tick;
    let hpt = f64::from(clock.hours_per_tick);
    let every = (params.plan_every_hours / hpt).max(1.0) as u64;
    let hop = (params.comm_delay_hours / hpt).round() as u64;
    let top_alive = commands_q
        .iter()
        .any(|(_, _, c)| c.parent.is_none() && c.alive);
    order.clear();
    order.extend(commands_q.iter().map(|(e, id, _)| (*id, e)));
    order.sort();
    for &(_, ce) in order.iter() {
        let Ok((_, _, mut cmd)) = commands_q.get_mut(ce) else {
            continue;
        };
        // Reports older than the order validity are no use.
        cmd.inbox.retain(|(arrive, s)| {
            *arrive + hop * 4 > tick && s.tick + 24 > tick.saturating_sub(hop)
        });
        if !cmd.alive || tick < cmd.next_plan || (cmd.parent.is_some() && !top_alive) {
            continue;
        }
        cmd.next_plan = tick + every;
        mine.clear();
        mine.extend(
            cells
                .iter()
                .filter(|(_, _, c, _)| c.commander == ce)
                .map(|(e, id, ..)| (*id, e)),
        );
        mine.sort();
        if mine.is_empty() {
            continue;
        }
        reports.clear();
        reports.extend(
            cmd.inbox
                .iter()
                .filter(|(arrive, _)| *arrive <= tick)
                .map(|(_, s)| *s),
        );
        // Checkpoints already held by this command's cells are kept; new ones spread out.
        taken.clear();
        for &(_, e) in mine.iter() {
            if let Ok((_, _, c, _)) = cells.get(e)
                && let Task::Checkpoint(t) = c.task
            {
                taken.push(t);
            }
        }
        let delay = hop * hops(params.network);
        // Fighters of this command's cells that are free to mass (not holding a task).
        let massed: f32 = mine
            .iter()
            .filter_map(|&(_, e)| cells.get(e).ok())
            .filter(|(_, _, c, _)| c.task == Task::Hide && c.fighters as f64 >= params.min_fighters)
            .map(|(_, _, c, _)| c.fighters)
            .take(4)
            .sum();
        // Central growth: the nearest cell goes where people wait to join.
        let mut sent_recruiter = false;
        for &(_, e) in mine.iter() {
            let Ok((_, _, c, pos)) = cells.get(e) else {
                continue;
            };
            let task = if !sent_recruiter
                && let Some(&(town, tile, _)) = requests.waiting.iter().min_by(|a, b| {
                    a.1.distance(pos.tile)
                        .total_cmp(&b.1.distance(pos.tile))
                        .then(a.2.total_cmp(&b.2))
                })
                && tile.distance(pos.tile) * grid.projection.tile_km < params.reach_km * 2.0
                && c.task == Task::Hide
            {
                sent_recruiter = true;
                Task::Recruit(town)
            } else {
                // The command can mass the cells of its region on one convoy: what they
                // could bring together counts.
                let picture = Picture { convoys: &reports };
                plan_task(
                    &params, massed, &combat, &grid, &traffic, &targets, &picture, pos.tile,
                    c.fighters, c.cohesion, &taken, &mut rng.0,
                )
            };
            if let Task::Checkpoint(t) = task
                && !taken.contains(&t)
            {
                taken.push(t);
            }
            cmd.outbox
                .push((tick + delay.max(1), e, Order { task, issued: tick }));
            tally.orders_issued += 1;
        }
    }
}

/// Orders in flight reach their cells; a dead command's messengers still arrive (they left
/// before), but nothing new leaves it.
pub fn deliver_orders(
    clock: Res<Clock>,
    mut commands_q: Query<&mut InsurgentCommand>,
    mut cells: Query<&mut Cell>,
) {
    let tick = clock.tick;
    for mut cmd in &mut commands_q {
        if cmd.outbox.is_empty() {
            continue;
        }
        let mut i = 0;
        while i < cmd.outbox.len() {
            if cmd.outbox[i].0 <= tick {
                let (_, cell, order) = cmd.outbox.swap_remove(i);
                if let Ok(mut c) = cells.get_mut(cell)
                    && c.order.is_none_or(|o| o.issued <= order.issued)
                {
                    c.order = Some(order);
                }
            } else {
                i += 1;
            }
        }
    }
}

/// Each cell, at its cadence: with probability `autonomy` a local plan from its own
/// sightings; otherwise its last valid order, or hiding when it has none.
#[allow(clippy::too_many_arguments)]
pub fn cells_decide(
    clock: Res<Clock>,
    season: Res<Season>,
    params: Res<InsurgencyParams>,
    combat: Res<crate::engagements::combat::CombatParams>,
    grid: Res<TerrainGrid>,
    traffic: Res<Traffic>,
    targets: Res<Targets>,
    mut pathfinder: ResMut<Pathfinder>,
    mut rng: ResMut<SimRng>,
    mut tally: ResMut<InsurgencyTally>,
    mut cells: Query<(Entity, &ActorId, &mut Cell, &Position, &mut Route)>,
    towns: Query<&Settlement>,
    mut order: Local<Vec<(ActorId, Entity)>>,
    mut taken: Local<Vec<Tile>>,
) {
    let tick = clock.tick;
    let hpt = f64::from(clock.hours_per_tick);
    let decide = (params.decide_every_hours / hpt).max(1.0) as u64;
    let valid = (params.order_valid_hours / hpt) as u64;
    let hold = (params.hold_hours / hpt) as u64;
    order.clear();
    order.extend(
        cells
            .iter()
            .filter(|(_, _, c, ..)| c.next_decision <= tick)
            .map(|(e, id, ..)| (*id, e)),
    );
    if order.is_empty() {
        return;
    }
    order.sort();
    taken.clear();
    taken.extend(cells.iter().filter_map(|(_, _, c, ..)| match c.task {
        Task::Checkpoint(t) => Some(t),
        _ => None,
    }));
    for &(_, e) in order.iter() {
        let Ok((_, _, mut cell, pos, mut route)) = cells.get_mut(e) else {
            continue;
        };
        cell.next_decision = tick + decide;
        // A task in progress runs to its end (a held checkpoint, an ambush being laid).
        if tick < cell.task_until && cell.task != Task::Hide {
            continue;
        }
        let local = rng.0.random::<f64>() < f64::from(cell.autonomy);
        let task = if local {
            tally.local_decisions += 1;
            let convoys: &[Seen] = match &cell.seen_convoy {
                Some(s) if s.tick + 6 > tick => std::slice::from_ref(s),
                _ => &[],
            };
            let picture = Picture { convoys };
            taken.retain(|t| match cell.task {
                Task::Checkpoint(own) => *t != own,
                _ => true,
            });
            plan_task(
                &params,
                0.0,
                &combat,
                &grid,
                &traffic,
                &targets,
                &picture,
                pos.tile,
                cell.fighters,
                cell.cohesion,
                &taken,
                &mut rng.0,
            )
        } else {
            match cell.order {
                Some(o) if o.issued + valid > tick => {
                    tally.orders_followed += 1;
                    o.task
                }
                _ => Task::Hide,
            }
        };
        // Where the task takes the cell; a town that is gone leaves it hiding.
        let (task, destination) = match task {
            Task::Hide => (task, hiding_place(&grid, cell.home)),
            Task::Checkpoint(t) | Task::Ambush(t) => (task, t),
            Task::Raid(town) | Task::Punish(town) | Task::Recruit(town) => match towns.get(town) {
                Ok(s) => (task, s.tile),
                Err(_) => (Task::Hide, hiding_place(&grid, cell.home)),
            },
        };
        if let Task::Checkpoint(t) = task {
            taken.push(t);
        }
        let same = task == cell.task && route.destination() == Some(destination);
        cell.task = task;
        cell.task_until = tick + if task == Task::Hide { decide } else { hold };
        if !same && pos.tile != destination {
            let shared = matches!(task, Task::Raid(_) | Task::Punish(_) | Task::Recruit(_));
            if !plan_route(
                &mut pathfinder,
                &grid,
                *season,
                Mobility::Motorbike,
                pos.tile,
                destination,
                shared,
                &mut route,
            ) {
                cell.task = Task::Hide;
                route.clear();
            }
        } else if pos.tile == destination {
            route.clear();
        }
    }
}

/// The best-covered tile within 3 tiles of home.
pub fn hiding_place(grid: &TerrainGrid, home: Tile) -> Tile {
    let mut best = (grid.cover[grid.index(home)], home);
    let costs = grid.costs(Season::Dry, Mobility::Motorbike);
    for dy in -3i32..=3 {
        for dx in -3i32..=3 {
            let (x, y) = (i32::from(home.x) + dx, i32::from(home.y) + dy);
            if !grid.contains(x, y) {
                continue;
            }
            let t = Tile::new(x as u16, y as u16);
            let i = grid.index(t);
            if costs[i] != IMPASSABLE && grid.cover[i] > best.0 {
                best = (grid.cover[i], t);
            }
        }
    }
    best.1
}

/// Succession: a destroyed command is replaced after `succession_days`.
pub fn succession(
    clock: Res<Clock>,
    mut commands_q: Query<(Entity, &ActorId, &mut InsurgentCommand, &Position)>,
    mut tally: ResMut<InsurgencyTally>,
    mut log: ResMut<crate::engine::observation::EventLog>,
    mut army: ResMut<crate::domains::army::ArmyCommand>,
) {
    let tick = clock.tick;
    for (e, id, mut cmd, pos) in &mut commands_q {
        if !cmd.alive && cmd.successor_at.is_some_and(|t| t <= tick) {
            cmd.alive = true;
            cmd.successor_at = None;
            tally.successions += 1;
            // The successor is someone the army knows nothing about yet.
            army.intel_on.retain(|(c, _)| *c != e);
            log.events.push(crate::engine::observation::Event {
                tick,
                kind: crate::engine::observation::EventKind::Succession,
                tile: pos.tile,
                attacker: crate::engine::observation::Actor::Command(id.0),
                defender: crate::engine::observation::Actor::None,
                attacker_losses: 0.0,
                defender_losses: 0.0,
                trucks_destroyed: 0,
                civilians_killed: 0,
            });
        }
    }
}

/// Daily: cells eat their supplies (desertion when out), regain cohesion in hiding, and fold
/// in their recruits; large cells split, weak ones merge, empty ones are removed.
#[allow(clippy::too_many_arguments)]
pub fn organise_cells(
    mut commands: Commands,
    clock: Res<Clock>,
    params: Res<InsurgencyParams>,
    mut ids: ResMut<IdCounter>,
    mut tally: ResMut<InsurgencyTally>,
    mut rng: ResMut<SimRng>,
    society: Res<Society>,
    mut cells: Query<(Entity, &ActorId, &mut Cell, &Position)>,
    mut order: Local<Vec<(ActorId, Entity)>>,
    mut fed: Local<Vec<f32>>,
) {
    if !clock.is_day_end() {
        return;
    }
    let p = &*params;
    let decide = (p.decide_every_hours / f64::from(clock.hours_per_tick)).max(1.0) as u64;
    order.clear();
    order.extend(cells.iter().map(|(e, id, ..)| (*id, e)));
    order.sort();
    // Fighters each settlement's sympathisers must feed: the cells it is nearest to share it.
    fed.clear();
    fed.resize(society.towns.len(), 0.0);
    for (_, _, c, pos) in cells.iter() {
        if let Some((k, _)) = society.sympathisers_near(pos.tile, p.support_km) {
            fed[k] += c.fighters;
        }
    }
    let mut removed: Vec<Entity> = Vec::new();
    for &(_, e) in order.iter() {
        let Ok((_, _, mut c, pos)) = cells.get_mut(e) else {
            continue;
        };
        let income = match society.sympathisers_near(pos.tile, p.support_km) {
            Some((k, sympathisers)) => p.supply_income(sympathisers, f64::from(fed[k])),
            None => p.supply_income(0.0, 0.0),
        };
        c.supply_days = (c.supply_days - 1.0 + income as f32).clamp(0.0, 60.0);
        if c.supply_days <= 0.0 {
            let gone = c.fighters * p.desertion_per_day as f32;
            c.fighters -= gone;
            tally.desertions += f64::from(gone);
        }
        if c.task == Task::Hide {
            c.cohesion = (c.cohesion + p.cohesion_recovery_per_day as f32).min(1.0);
        }
        if c.recruits > 0.0 {
            // Recruits bring their own food for a while and thin the cell's cohesion.
            let r = c.recruits;
            c.cohesion = (c.cohesion * c.fighters + 0.6 * r) / (c.fighters + r).max(1e-6);
            c.fighters += r;
            c.motorbikes += r * p.motorbikes_per_fighter as f32 * 0.5;
            c.supply_days += 2.0 * r / c.fighters.max(1.0);
            c.recruits = 0.0;
        }
        if c.fighters < 1.0 {
            removed.push(e);
            continue;
        }
        if f64::from(c.fighters) > p.split_above {
            let half = c.fighters / 2.0;
            c.fighters -= half;
            c.motorbikes /= 2.0;
            let mut child = new_cell(
                p,
                c.commander,
                pos.tile,
                half,
                tick_offset(&mut rng, decide),
            );
            child.motorbikes = c.motorbikes;
            child.supply_days = c.supply_days;
            child.cohesion = c.cohesion;
            child.weapons = c.weapons;
            // The new cell makes its home a little away: cells spread.
            child.home = pos.tile;
            let id = ids.next();
            commands.spawn((
                id,
                child,
                Position::at(pos.tile),
                Route::default(),
                Mover::new(Mobility::Motorbike, p.speed_factor as f32),
                IndexedCell,
            ));
            tally.splits += 1;
        }
    }
    // Weak cells merge into the nearest cell of the same commander within merge_km.
    let merge_tiles = p.merge_km / 5.0;
    for &(_, e) in order.iter() {
        if removed.contains(&e) {
            continue;
        }
        let Ok((_, _, c, pos)) = cells.get(e) else {
            continue;
        };
        if f64::from(c.fighters) >= p.merge_below {
            continue;
        }
        let (commander, at) = (c.commander, pos.tile);
        let mut best: Option<(f64, ActorId, Entity)> = None;
        for &(oid, o) in order.iter() {
            if o == e || removed.contains(&o) {
                continue;
            }
            let Ok((_, _, oc, opos)) = cells.get(o) else {
                continue;
            };
            let d = opos.tile.distance(at);
            if oc.commander == commander
                && d <= merge_tiles
                && f64::from(oc.fighters) >= p.merge_below
                && best.is_none_or(|b| (d, oid) < (b.0, b.1))
            {
                best = Some((d, oid, o));
            }
        }
        if let Some((_, _, into)) = best {
            let (fighters, bikes, supplies) = (c.fighters, c.motorbikes, c.supply_days);
            if let Ok((_, _, mut big, _)) = cells.get_mut(into) {
                let total = big.fighters + fighters;
                big.supply_days =
                    (big.supply_days * big.fighters + supplies * fighters) / total.max(1e-6);
                big.fighters = total;
                big.motorbikes += bikes;
            }
            removed.push(e);
            tally.merges += 1;
        }
    }
    for e in removed {
        commands.entity(e).despawn();
        tally.cells_destroyed += 1;
    }
}

fn tick_offset(rng: &mut SimRng, decide: u64) -> u64 {
    rng.0.random_range(0..decide.max(1))
}

/// Total fighters in all cells.
pub fn fighters(world: &mut World) -> f64 {
    world
        .query::<&Cell>()
        .iter(world)
        .map(|c| f64::from(c.fighters))
        .sum()
}

/// Number of cells.
pub fn cell_count(world: &mut World) -> f64 {
    world.query::<&Cell>().iter(world).count() as f64
}
