//! The insurgency's data: parameters, cells and their tasks, the command network, what the
//! planners weigh, tallies, and the messages it takes.

use crate::engine::check::{Checker, Validate};
use crate::engine::geo::Tile;
use crate::world::actors::{ActorId, Mover, Position, Route};
use crate::world::scale::Scale;
use crate::world::sensing::IndexedCell;
use crate::world::terrain::{Mobility, TerrainGrid};
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
    /// turns a convoy with tankers back with `checkpoint_turn_back`, or taxes it and lets it
    /// pass (goods trucks alone are taxed unless burned).
    pub checkpoint_burn: f64,
    pub checkpoint_turn_back: f64,
    /// A checkpoint burns a group of goods trucks (no tankers) with this probability, as an
    /// example; otherwise the traders pay and pass. Goods kept moving through the blockade
    /// under JNIM's taxes (Africanova, September 2025); burnings of goods trucks and buses
    /// were singled out in the press as exceptions (estimate: one stop in a hundred).
    pub checkpoint_goods_burn: f64,
    /// Chance that a cell that sees a convoy it could take on lays an ambush for it (the
    /// rest of the time it lets it pass: risk, fatigue, other business).
    pub ambush_chance: f64,
    /// Convoys of goods trucks smaller than this are not worth an ambush (checkpoints deal
    /// with them); tankers, the blockade's target, are worth one whatever their number.
    pub ambush_min_trucks: u32,
    /// Chance that a cell free for the campaign sets up a checkpoint when it reconsiders
    /// (JNIM's checkpoints were mobile and intermittent, not a standing line).
    pub checkpoint_chance: f64,
    /// A cell attacks an escort only if its fighters are at least this share of the
    /// escort's weight (soldiers / escort_weight).
    pub ambush_min_ratio: f64,
    /// Days the cells of an ambush party take to rearm, regroup and scout a new site before
    /// they lay another (ammunition and fuel are scarce under the blockade too, and the
    /// escort's pursuit follows). The record spaces the large attacks on one axis weeks
    /// apart: Kayes-Diboli on 14 September 2025 and again on 29 January 2026, Bougouni on
    /// 6 December 2025, "the first of its size since early December" (AFP, 30 January
    /// 2026). Estimate: two weeks.
    pub rearm_days: f64,
    /// Chance that a cell the army detects within striking reach breaks contact before the
    /// fight (lookouts, motorbikes, the bush): guerrillas choose most of their fights. In
    /// Vietnam most ground engagements began at the communist side's initiative (Thayer,
    /// War Without Fronts, 1985); in the Mali record the army's claims of insurgents
    /// "neutralised" in the south run to 50-100 a month, an upper bound (row Y11 of
    /// docs/calibration.md). Estimate: 0.6.
    pub break_contact: f64,
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
    /// Cells of rival commands (JNIM and the Islamic State in the Sahel since 2019-2020)
    /// that come within this distance of each other have met: each hour they stay that
    /// close, the first to see the other attacks it with `rival_clash_per_hour`. Estimate:
    /// a cell's patrol screen, a couple of tiles.
    pub rival_clash_km: f64,
    /// Chance per hour that a cell attacks a rival cell it has met. The JNIM-ISGS war cost
    /// over 1,500 lives from mid-2020 (Wikipedia, "JNIM-ISGS war", citing ACLED), with
    /// "fierce clashes" in Mali and Burkina Faso reported by both sides' outlets: when rival
    /// cells share ground they fight, though for years (2017-2019, the "Sahelian
    /// exception") they mostly avoided each other, and clashes stay episodic. Estimate:
    /// 0.005 (about one meeting in nine that lasts a day ends in a clash).
    pub rival_clash_per_hour: f64,
    /// Chance per decision made on its own picture that a cell which saw a rival cell
    /// within `vision_km` in the last hours, and outnumbers it `ambush_min_ratio` times,
    /// goes after it; a hunting cell that reaches its quarry attacks it. Estimate: 0.2
    /// (the groups fought over ground and recruits, not on sight).
    pub rival_hunt_chance: f64,
    /// Chance per decision that a cell reprises against a village whose militia it can
    /// overcome (Solhan, June 2021: the attackers struck the VDP post first, then the
    /// homes). The VDP lost over 200 members from January 2020 to June 2021 (AFP), a force
    /// of a few thousand then: a post is struck a few times a year, not weekly. Estimate:
    /// 0.001 (a decision every 4 hours: about one cell in five within reach tries in a
    /// year).
    pub reprisal_chance: f64,
    /// Chance that a free cell planning its next task besieges a town with an army post in
    /// reach (joins the ring, or lays one). 0 in the Mali blockade year, a campaign against
    /// the corridors; in Burkina Faso Djibo has been under blockade since February 2022 and
    /// UN OCHA counted a million people in areas under blockade by October 2022 (DG ECHO
    /// flash, 25 October 2022): a theatre of sieges sets it.
    pub siege_chance: f64,
    /// Radius of the ring around a besieged town, km: the cells hold the roads and the
    /// fields this far out. Estimate: the bridges leading to Djibo were destroyed and its
    /// roads mined (RFI, October 2022); a ring holds the approaches, not the town's gates.
    pub siege_ring_km: f64,
    /// Fighters within the ring below which the siege lapses (the roads open again).
    /// Estimate: a few cells' worth.
    pub siege_min_fighters: f64,
    /// What the ring does to an unescorted convoy it stops: burns it with `siege_burn`,
    /// turns it back with `siege_turn_back`, else taxes it and lets it pass (smugglers paid
    /// their way into Djibo). Unlike a checkpoint, a ring stops goods trucks as well as
    /// tankers: the point is to starve the town. Estimates.
    pub siege_burn: f64,
    pub siege_turn_back: f64,
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
            checkpoint_goods_burn: 0.01,
            checkpoint_chance: 0.1,
            ambush_chance: 0.03,
            ambush_min_trucks: 20,
            ambush_min_ratio: 1.2,
            rearm_days: 14.0,
            break_contact: 0.6,
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
            rival_clash_km: 10.0,
            rival_clash_per_hour: 0.005,
            rival_hunt_chance: 0.2,
            reprisal_chance: 0.001,
            siege_chance: 0.0,
            siege_ring_km: 10.0,
            siege_min_fighters: 30.0,
            siege_burn: 0.1,
            siege_turn_back: 0.8,
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
        c.probability("checkpoint_goods_burn", self.checkpoint_goods_burn);
        c.probability("checkpoint_chance", self.checkpoint_chance);
        c.probability("ambush_chance", self.ambush_chance);
        if self.checkpoint_burn + self.checkpoint_turn_back > 1.0 {
            c.fail(
                "checkpoint_turn_back",
                "checkpoint_burn + checkpoint_turn_back must be at most 1",
            );
        }
        c.non_negative("ambush_min_ratio", self.ambush_min_ratio);
        c.within("rearm_days", self.rearm_days, 0.0, 365.0);
        c.probability("break_contact", self.break_contact);
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
        c.non_negative("rival_clash_km", self.rival_clash_km);
        c.probability("rival_clash_per_hour", self.rival_clash_per_hour);
        c.probability("rival_hunt_chance", self.rival_hunt_chance);
        c.probability("reprisal_chance", self.reprisal_chance);
        c.probability("siege_chance", self.siege_chance);
        c.positive("siege_ring_km", self.siege_ring_km);
        c.non_negative("siege_min_fighters", self.siege_min_fighters);
        c.probability("siege_burn", self.siege_burn);
        c.probability("siege_turn_back", self.siege_turn_back);
        if self.siege_burn + self.siege_turn_back > 1.0 {
            c.fail(
                "siege_turn_back",
                "siege_burn + siege_turn_back must be at most 1",
            );
        }
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
    /// Going after a rival command's cell last seen at this tile.
    Hunt(Tile),
    /// Holding a post (the tile) on the ring around a besieged town: its roads, fields and
    /// exits are denied; convoys passing the post are stopped as at a checkpoint.
    Besiege(Entity, Tile),
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
            Task::Hunt(_) => "hunt",
            Task::Besiege(..) => "besiege",
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
    /// Of which tankers.
    pub tankers: u32,
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
    /// The insurgent command (faction) the cell belongs to: an index into [`Factions`].
    /// Cells of one faction never merge with, nor take orders from, another's.
    pub faction: u8,
    pub task: Task,
    /// Tick when the current task is reconsidered.
    pub task_until: u64,
    pub next_decision: u64,
    /// The last order received (it may have expired).
    pub order: Option<Order>,
    pub seen_convoy: Option<Seen>,
    pub seen_army: Option<Seen>,
    /// The nearest cell of a rival command it saw (strength: its fighters x weapons).
    pub seen_rival: Option<Seen>,
    /// Recruits waiting to be folded in by the organisation set.
    pub recruits: f32,
    /// Tick of the last engagement it fought.
    pub last_fight: u64,
    /// Tick before which it lays no ambush: it is rearming after the last (`rearm_days`).
    pub rearmed_at: u64,
    /// Tick until which it is dispersed after breaking contact: out of the army's reach.
    pub dispersed_until: u64,
    /// The ring the cell holds (the besieged town and its post), kept when a strike or a
    /// unit closing in scatters it, so that it goes back once regrouped: a siege is a
    /// standing commitment of the cells that lay it (Djibo's ring held for years through
    /// the army's sorties).
    pub ring: Option<(Entity, Tile)>,
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
    /// The faction whose tree this command belongs to (an index into [`Factions`]).
    pub faction: u8,
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
    /// Of those, strikes that destroyed the top command.
    pub top_decapitations: u64,
    pub successions: u64,
    pub desertions: f64,
}

/// The top command of the network (of the first faction, when there are several).
#[derive(Resource, Clone, Copy, Debug)]
pub struct TopCommand(pub Entity);

/// The insurgent commands of the scenario (factions): each its own tree of commands and
/// cells, rivals of the others. One faction unless the scenario labels groups with
/// different `command`s (JNIM and the Islamic State in the Sahel).
#[derive(Resource, Clone, Debug, Default)]
pub struct Factions {
    /// Label of each faction, in order of first appearance in the scenario.
    pub names: Vec<String>,
    /// The top command of each faction.
    pub tops: Vec<Entity>,
}

impl Factions {
    /// Whether there are rival commands at all (if not, nothing rival runs).
    pub fn rivals(&self) -> bool {
        self.names.len() > 1
    }
}

/// One insurgent group of the scenario: where its cells start.
#[derive(Clone, Debug)]
pub struct GroupPlacement {
    pub name: String,
    pub centre: Tile,
    pub radius_tiles: f64,
    pub cells: u32,
    pub fighters_per_cell: u32,
    /// The command (faction) the group answers to; groups with the same label share one
    /// top command.
    pub command: String,
}

/// Targets the planners weigh: army posts and villages, refreshed daily by the society
/// and army domains.
#[derive(Resource, Clone, Debug, Default)]
pub struct Targets {
    pub posts: Vec<PostTarget>,
    pub villages: Vec<VillageTarget>,
    /// Villages held by a militia (empty unless the scenario has militias).
    pub militia: Vec<MilitiaTarget>,
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

/// A village held by a pro-government militia: a target of reprisals.
#[derive(Clone, Copy, Debug)]
pub struct MilitiaTarget {
    pub town: Entity,
    pub tile: Tile,
    /// Militia members who would stand against an attack there, weighted by firepower.
    pub strength: f32,
}

/// A town under siege: insurgent cells hold the ring around it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Siege {
    pub town: Entity,
    pub tile: Tile,
    /// Fighters holding the ring.
    pub fighters: f32,
    /// Day the siege was laid.
    pub since: u32,
}

/// The sieges on now (in the towns' id order) and their record; the insurgency surveys them
/// daily, and logistics, society and the army read them.
#[derive(Resource, Clone, Debug, Default)]
pub struct Sieges {
    pub active: Vec<Siege>,
    /// Town-days under siege, summed over towns.
    pub town_days: u64,
    pub laid: u64,
    /// Sieges lifted with an army column at the town (broken), and lifted otherwise (the
    /// cells left or were too few).
    pub broken: u64,
    pub lapsed: u64,
}

impl Sieges {
    pub fn of(&self, town: Entity) -> Option<&Siege> {
        self.active.iter().find(|s| s.town == town)
    }
}

/// A siege the scenario lays at the start: `cells` cells of `fighters_per_cell` on the ring
/// around `town`.
#[derive(Clone, Debug)]
pub struct SiegePlacement {
    pub town: Entity,
    pub cells: u32,
    pub fighters_per_cell: u32,
    /// The command holding the ring, by its label (none: the first command).
    pub command: Option<String>,
}

/// A new, living command.
pub fn command(region: &str, parent: Option<Entity>, faction: u8) -> InsurgentCommand {
    InsurgentCommand {
        parent,
        alive: true,
        successor_at: None,
        outbox: Vec::new(),
        inbox: Vec::new(),
        next_plan: 0,
        decapitations: 0,
        region: region.to_string(),
        faction,
    }
}

pub fn new_cell(
    p: &InsurgencyParams,
    commander: Entity,
    faction: u8,
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
        faction,
        task: Task::Hide,
        task_until: 0,
        next_decision: first_decision,
        order: None,
        seen_convoy: None,
        seen_army: None,
        seen_rival: None,
        recruits: 0.0,
        last_fight: 0,
        rearmed_at: 0,
        dispersed_until: 0,
        ring: None,
    }
}

/// Everything a cell entity carries: the one place a cell is put together, so that no
/// spawn forgets a component (a cell without [`IndexedCell`] is invisible to sensing).
pub fn cell_bundle(id: ActorId, cell: Cell, at: Tile, p: &InsurgencyParams) -> impl Bundle {
    (
        id,
        cell,
        Position::at(at),
        Route::default(),
        Mover::new(Mobility::Motorbike, p.speed_factor as f32),
        IndexedCell,
    )
}

/// From the army: a command struck and destroyed.
#[derive(Clone, Copy, Debug)]
pub struct CommandStruck {
    pub command: Entity,
}

/// From society: people who waited for a cell near `tile` founded one.
#[derive(Clone, Copy, Debug)]
pub struct CellFounded {
    pub tile: Tile,
    pub fighters: f32,
}

/// From society: recruits who reached their cell.
#[derive(Clone, Copy, Debug)]
pub struct RecruitsJoin {
    pub cell: Entity,
    pub recruits: f32,
}

/// A cell hides on the best-covered tile within this distance of its home.
const HIDING_KM: f64 = 15.0;

/// The best-covered passable tile within `HIDING_KM` of home.
pub fn hiding_place(grid: &TerrainGrid, scale: &Scale, home: Tile) -> Tile {
    grid.best_cover_near(home, scale.tiles(HIDING_KM) as i32)
}
