//! Logistics: convoys of tankers and goods trucks enter at border crossings, drive the
//! corridors and deliver; settlements consume; stocks set prices; services stop when fuel
//! runs short. The army's vehicles burn fuel too.

use crate::engine::calendar::{Clock, Season};
use crate::engine::check::{Checker, Validate};
use crate::engine::rng::{RngExt, SimRng};
use crate::world::actors::{ActorId, IdCounter, Mover, Position, Route, plan_route};
use crate::world::pathfinding::Pathfinder;
use crate::world::sensing::IndexedConvoy;
use crate::world::settlement::{RoadNetwork, Settlement};
use crate::world::terrain::{Mobility, TerrainGrid};
use bevy_ecs::prelude::*;
use serde::{Deserialize, Serialize};

/// How the army protects the convoys (`params.army.escort_doctrine`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EscortDoctrine {
    /// Trucks leave in small groups as they arrive, unprotected.
    Unescorted,
    /// Trucks wait at the crossing until a large convoy forms and an army unit escorts it
    /// (the Malian practice from September 2025).
    #[default]
    EscortedConvoys,
    /// Trucks leave in small groups; army units patrol the corridors instead.
    RouteSecurity,
}

/// Logistics parameters (`params.logistics`).
#[derive(Resource, Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogisticsParams {
    /// Litres per tanker: 875 tankers delivered over 40 million litres (africanews
    /// 2026-01-23), about 46,000 L each.
    pub litres_per_tanker: f64,
    /// Stock each settlement holds at the start, in days of its need: the national security
    /// stock covered 3 days (Ecofin 2025-10); depots and stations hold several more
    /// (estimate).
    pub initial_stock_days: f64,
    /// Below this many days of stock, consumption is rationed...
    pub ration_below_days: f64,
    /// ...down to this share of need at an empty stock (AP 2026-01-22: cars refuel every
    /// 72 h, motorcycles every 48 h: about a third to a half of normal use).
    pub ration_floor: f64,
    /// Price index target = (need / consumption met)^elasticity x (1 + 0.2 x (1 - stock /
    /// reference_days)), clamped to [1, price_max]: black-market fuel at x2.8 (x3-4 in some
    /// regions) at the November 2025 peak (AFP), when rationing met about a third of need.
    pub price_reference_days: f64,
    pub price_elasticity: f64,
    pub price_max: f64,
    /// Share of the gap between price and its target closed each day (markets are sticky).
    pub price_adjust_per_day: f64,
    /// Electricity runs while fuel stock is above this many days (Ecofin: power cut from 19
    /// to 6 hours a day when stocks collapsed).
    pub electricity_min_days: f64,
    /// Schools stay open while fuel stock is above this many days (AP: all schools closed
    /// for two weeks from 27 October 2025).
    pub schools_min_days: f64,
    /// Trucks per group when trucks leave as they arrive.
    pub group_size: u32,
    /// A group leaves after waiting this long even if small.
    pub group_max_wait_hours: f64,
    /// Trucks per escorted convoy, at most (the Niamey-Bamako convoy had 82 tankers; the
    /// Kayes convoy of 14 September 2025 over 100 vehicles).
    pub escorted_convoy_size: u32,
    /// Trucks that must wait at a crossing before the army sends an escort and the convoy
    /// leaves: escorts are scarce, so the army assembles large convoys (the recorded ones
    /// had 82 to over 100 vehicles) rather than escort every few trucks. Calibrated with
    /// `escorted_convoy_size` against P2 (20-50 tankers burned per successful ambush).
    pub escort_min_convoy: u32,
    /// Trucks waiting for an escort leave without one after this long, a group at a time.
    pub escort_max_wait_hours: f64,
    /// Convoys drive in daylight only.
    pub drive_from_hour: u8,
    pub drive_to_hour: u8,
    /// Speed factor of a convoy on its own (halts, checkpoints, bad stretches) and of an
    /// escorted one (an escorted convoy made about 67 km/day: africanews 2025-11).
    pub convoy_speed_factor: f64,
    pub escorted_speed_factor: f64,
    /// Drivers stay home after burnings: a crossing's arrivals are divided by 1 + this x
    /// (trucks burned on its corridor in the last four weeks / its daily flow). The
    /// drivers' unions suspended traffic after the September 2025 burnings (press reports).
    pub driver_deterrence: f64,
    /// Days of food held at the start, and the share of food need grown locally.
    pub initial_food_days: f64,
    pub local_food_share: f64,
    /// People fed for a day by one goods truck (30 t of cereal at 0.6 kg a day).
    pub people_days_per_goods_truck: f64,
}

impl Default for LogisticsParams {
    fn default() -> Self {
        Self {
            litres_per_tanker: 46_000.0,
            initial_stock_days: 10.0,
            ration_below_days: 4.0,
            ration_floor: 0.4,
            price_reference_days: 10.0,
            price_elasticity: 0.5,
            price_max: 6.0,
            price_adjust_per_day: 0.3,
            electricity_min_days: 2.0,
            schools_min_days: 1.0,
            group_size: 8,
            group_max_wait_hours: 12.0,
            escorted_convoy_size: 150,
            escort_min_convoy: 50,
            escort_max_wait_hours: 168.0,
            drive_from_hour: 6,
            drive_to_hour: 18,
            convoy_speed_factor: 0.6,
            escorted_speed_factor: 0.35,
            driver_deterrence: 15.0,
            initial_food_days: 30.0,
            local_food_share: 0.7,
            people_days_per_goods_truck: 50_000.0,
        }
    }
}

impl Validate for LogisticsParams {
    fn validate(&self, c: &mut Checker) {
        c.positive("litres_per_tanker", self.litres_per_tanker);
        c.non_negative("initial_stock_days", self.initial_stock_days);
        c.non_negative("ration_below_days", self.ration_below_days);
        c.probability("ration_floor", self.ration_floor);
        c.positive("price_reference_days", self.price_reference_days);
        c.within("price_elasticity", self.price_elasticity, 0.0, 5.0);
        c.within("price_max", self.price_max, 1.0, 1000.0);
        c.probability("price_adjust_per_day", self.price_adjust_per_day);
        c.non_negative("electricity_min_days", self.electricity_min_days);
        c.non_negative("schools_min_days", self.schools_min_days);
        if self.group_size == 0 {
            c.fail("group_size", "must be at least 1");
        }
        c.non_negative("group_max_wait_hours", self.group_max_wait_hours);
        if self.escorted_convoy_size == 0 {
            c.fail("escorted_convoy_size", "must be at least 1");
        }
        if self.escort_min_convoy == 0 || self.escort_min_convoy > self.escorted_convoy_size {
            c.fail(
                "escort_min_convoy",
                format!(
                    "must be between 1 and escorted_convoy_size ({}), got {}",
                    self.escorted_convoy_size, self.escort_min_convoy
                ),
            );
        }
        c.non_negative("escort_max_wait_hours", self.escort_max_wait_hours);
        if self.drive_from_hour >= self.drive_to_hour || self.drive_to_hour > 24 {
            c.fail(
                "drive_from_hour",
                "needs drive_from_hour < drive_to_hour <= 24",
            );
        }
        c.within("convoy_speed_factor", self.convoy_speed_factor, 0.01, 2.0);
        c.within(
            "escorted_speed_factor",
            self.escorted_speed_factor,
            0.01,
            2.0,
        );
        c.non_negative("driver_deterrence", self.driver_deterrence);
        c.non_negative("initial_food_days", self.initial_food_days);
        c.probability("local_food_share", self.local_food_share);
        c.positive(
            "people_days_per_goods_truck",
            self.people_days_per_goods_truck,
        );
    }
}

/// A settlement's stocks, prices and services.
#[derive(Component, Clone, Debug, PartialEq)]
pub struct Supplies {
    pub fuel_l: f64,
    /// Normal consumption, litres a day.
    pub fuel_need_l: f64,
    /// Fuel actually consumed today and the need it served (for shortage days).
    pub fuel_used_today_l: f64,
    pub food_days: f64,
    pub price_index: f64,
    pub electricity: bool,
    pub schools: bool,
    /// Days on which less than half the fuel need was met.
    pub shortage_days: u32,
}

impl Supplies {
    pub fn fuel_days(&self) -> f64 {
        if self.fuel_need_l > 0.0 {
            self.fuel_l / self.fuel_need_l
        } else {
            f64::INFINITY
        }
    }

    /// 1 - min(1, stock / need) over fuel and food together (MODEL.md: scarcity).
    pub fn scarcity(&self, reference_days: f64) -> f64 {
        let fuel = 1.0 - (self.fuel_days() / reference_days.max(1e-9)).min(1.0);
        let food = 1.0 - (self.food_days / 10.0).min(1.0);
        (0.6 * fuel + 0.4 * food).clamp(0.0, 1.0)
    }
}

/// The most populous settlement: the capital whose fuel the patterns follow.
#[derive(Resource, Clone, Copy, Debug)]
pub struct Capital(pub Entity);

/// State of a convoy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConvoyState {
    Moving,
    /// Turned back at a checkpoint: driving back to its crossing.
    Returning,
}

/// A convoy of tankers and goods trucks.
#[derive(Component, Clone, Debug)]
pub struct Convoy {
    pub tankers: u32,
    pub goods: u32,
    /// Index into [`RoadNetwork::crossings`].
    pub crossing: u16,
    pub destination: Entity,
    pub escort: Option<Entity>,
    pub state: ConvoyState,
    pub departed_tick: u64,
    /// Passed a checkpoint and paid: not stopped again by the same cell.
    pub taxed_by: Option<Entity>,
}

/// Days drivers remember burnings on their corridor.
pub const BURN_MEMORY_DAYS: usize = 28;

/// Trucks waiting at each crossing (same order as [`RoadNetwork::crossings`]).
#[derive(Resource, Clone, Debug, Default)]
pub struct CrossingQueues {
    pub tankers: Vec<f64>,
    pub goods: Vec<f64>,
    /// Tick since which trucks have been waiting.
    pub waiting_since: Vec<Option<u64>>,
    /// An army unit assigned to escort the next convoy from this crossing, once there.
    pub escort: Vec<Option<Entity>>,
    /// Trucks burned on each crossing's corridor over the last 7 days (a ring by day).
    pub burned_by_day: Vec<[u32; BURN_MEMORY_DAYS]>,
}

/// Running totals of the logistics domain.
#[derive(Resource, Clone, Debug, Default)]
pub struct LogisticsTally {
    pub tankers_delivered: u64,
    pub goods_delivered: u64,
    pub tankers_destroyed: u64,
    pub goods_destroyed: u64,
    pub trucks_turned_back: u64,
    pub trucks_taxed: u64,
    /// Trucks whose drivers gave up waiting for an escort and went home.
    pub trucks_gave_up: u64,
    pub convoys_departed: u64,
    pub escorted_convoys: u64,
    pub today: DailyLogistics,
    pub peak_price_index: f64,
    /// Highest price index of the capital.
    pub capital_peak_price: f64,
    pub capital_shortage_days: u32,
    pub capital_first_shortage_day: Option<u32>,
    /// Tankers delivered per day (for the inflow pattern).
    pub delivered_by_day: Vec<u32>,
}

/// Today's counts (reset at day end, after recording).
#[derive(Clone, Debug, Default)]
pub struct DailyLogistics {
    pub tankers_delivered: u32,
    pub goods_delivered: u32,
    pub trucks_destroyed: u32,
    pub trucks_turned_back: u32,
}

/// Trucks that passed each tile recently (decaying daily): where the trade flows, as the
/// insurgents learn it by watching the roads.
#[derive(Resource, Clone, Debug, Default)]
pub struct Traffic {
    pub trucks: Vec<f32>,
}

/// Movement set, after the move: convoys mark the tiles they passed.
pub fn record_traffic(
    clock: Res<Clock>,
    grid: Res<TerrainGrid>,
    mut traffic: ResMut<Traffic>,
    convoys: Query<(&Convoy, &Route)>,
) {
    if traffic.trucks.len() != grid.len() {
        traffic.trucks = vec![0.0; grid.len()];
    }
    for (c, route) in &convoys {
        if route.tiles.is_empty() || c.state != ConvoyState::Moving {
            continue;
        }
        let trucks = (c.tankers + c.goods) as f32;
        let hi = route.at.min(route.tiles.len() - 1);
        for t in &route.tiles[route.prev_at.min(hi)..hi] {
            let i = grid.index(*t);
            traffic.trucks[i] += trucks;
        }
    }
    if clock.is_day_end() {
        for v in traffic.trucks.iter_mut() {
            *v *= 0.8;
        }
    }
}

/// Gives every settlement its supplies: need in proportion to population, from the normal
/// inflow at the crossings (imports match consumption before the blockade).
pub fn setup(world: &mut World) {
    let p = world.resource::<LogisticsParams>().clone();
    let net = world.resource::<RoadNetwork>().clone();
    let inflow_l: f64 =
        net.crossings.iter().map(|x| x.tankers_per_day).sum::<f64>() * p.litres_per_tanker;
    let mut towns: Vec<(ActorId, Entity, u32)> = world
        .query::<(&ActorId, Entity, &Settlement)>()
        .iter(world)
        .map(|(id, e, s)| (*id, e, s.population))
        .collect();
    towns.sort();
    let total_pop: f64 = towns.iter().map(|t| f64::from(t.2)).sum::<f64>().max(1.0);
    for (_, e, pop) in &towns {
        let need = inflow_l * f64::from(*pop) / total_pop;
        world.entity_mut(*e).insert(Supplies {
            fuel_l: need * p.initial_stock_days,
            fuel_need_l: need,
            fuel_used_today_l: 0.0,
            food_days: p.initial_food_days,
            price_index: 1.0,
            electricity: true,
            schools: true,
            shortage_days: 0,
        });
    }
    let capital = towns
        .iter()
        .max_by_key(|t| (t.2, std::cmp::Reverse(t.0)))
        .map(|t| t.1);
    if let Some(c) = capital {
        world.insert_resource(Capital(c));
    }
    let n = net.crossings.len();
    world.insert_resource(CrossingQueues {
        tankers: vec![0.0; n],
        goods: vec![0.0; n],
        waiting_since: vec![None; n],
        escort: vec![None; n],
        burned_by_day: vec![[0; BURN_MEMORY_DAYS]; n],
    });
    world.init_resource::<LogisticsTally>();
    let n = world.resource::<TerrainGrid>().len();
    world.insert_resource(Traffic {
        trucks: vec![0.0; n],
    });
}

/// Trucks arrive at the crossings; groups and convoys leave when formed.
#[allow(clippy::too_many_arguments)]
pub fn dispatch_convoys(
    mut commands: Commands,
    clock: Res<Clock>,
    season: Res<Season>,
    grid: Res<TerrainGrid>,
    net: Res<RoadNetwork>,
    params: Res<LogisticsParams>,
    doctrine: Res<crate::domains::army::ArmyParams>,
    mut queues: ResMut<CrossingQueues>,
    mut rng: ResMut<SimRng>,
    mut ids: ResMut<IdCounter>,
    mut pathfinder: ResMut<Pathfinder>,
    mut tally: ResMut<LogisticsTally>,
    towns: Query<(Entity, &ActorId, &Settlement, &Supplies)>,
    positions: Query<&Position>,
) {
    let per_tick = f64::from(clock.hours_per_tick) / 24.0;
    let doctrine = doctrine.escort_doctrine;
    // Destinations weighted by fuel need and by how short each town is: deterministic order.
    let mut dest: Vec<(ActorId, Entity, f64, bevy_ecs::entity::Entity)> = towns
        .iter()
        .filter(|(_, _, s, _)| s.country == "ML" || s.country.is_empty())
        .map(|(e, id, _, sup)| {
            let shortfall = (params.price_reference_days - sup.fuel_days()).max(0.0) + 1.0;
            (*id, e, sup.fuel_need_l * shortfall, e)
        })
        .collect();
    dest.sort_by_key(|d| d.0);
    let total_w: f64 = dest.iter().map(|d| d.2).sum();
    for (i, crossing) in net.crossings.iter().enumerate() {
        let burned: u32 = queues.burned_by_day[i].iter().sum();
        let daily_flow = (crossing.tankers_per_day + crossing.goods_trucks_per_day).max(1.0);
        let willingness = 1.0 / (1.0 + params.driver_deterrence * f64::from(burned) / daily_flow);
        // Drivers do not join a queue longer than the longest wait they would accept.
        let max_queue = daily_flow * (params.escort_max_wait_hours / 24.0).max(1.0);
        if queues.tankers[i] + queues.goods[i] < max_queue {
            queues.tankers[i] += crossing.tankers_per_day * per_tick * willingness;
            queues.goods[i] += crossing.goods_trucks_per_day * per_tick * willingness;
        }
        let waiting = queues.tankers[i].floor() + queues.goods[i].floor();
        if waiting >= 1.0 && queues.waiting_since[i].is_none() {
            queues.waiting_since[i] = Some(clock.tick);
        }
        let waited_h = queues.waiting_since[i].map_or(0.0, |t| {
            (clock.tick - t) as f64 * f64::from(clock.hours_per_tick)
        });
        let escort_here =
            queues.escort[i].filter(|e| positions.get(*e).is_ok_and(|p| p.tile == crossing.tile));
        let go = match doctrine {
            EscortDoctrine::EscortedConvoys => {
                // Without an escort, drivers tired of waiting leave only if nothing burned
                // on their corridor in the last week.
                (waiting >= f64::from(params.escort_min_convoy) && escort_here.is_some())
                    || (waiting >= 1.0 && waited_h >= params.escort_max_wait_hours && burned == 0)
            }
            _ => {
                waiting >= f64::from(params.group_size)
                    || (waiting >= 1.0 && waited_h >= params.group_max_wait_hours)
            }
        };
        // Drivers who have waited their longest on a corridor where trucks burned this week
        // give up and go home: a group at a time, oldest first.
        let flow_per_tick =
            (crossing.tankers_per_day + crossing.goods_trucks_per_day) * per_tick * willingness;
        if doctrine == EscortDoctrine::EscortedConvoys
            && escort_here.is_none()
            && waiting >= 1.0
            && waited_h >= params.escort_max_wait_hours
            && burned > 0
        {
            let quit = waiting.min(f64::from(params.group_size));
            let share = quit / waiting;
            let t = queues.tankers[i] * share;
            let g = queues.goods[i] * share;
            queues.tankers[i] -= t;
            queues.goods[i] -= g;
            tally.trucks_gave_up += quit as u64;
            age_queue(
                &mut queues.waiting_since[i],
                quit,
                flow_per_tick,
                clock.tick,
            );
            continue;
        }
        if !go || total_w <= 0.0 {
            continue;
        }
        // How many leave: a full convoy behind an escort, else a group of drivers who
        // stop waiting; tankers and goods trucks in proportion to the queue.
        let escorted = doctrine == EscortDoctrine::EscortedConvoys && escort_here.is_some();
        let cap = if escorted {
            params.escorted_convoy_size
        } else {
            params.group_size
        };
        let take = waiting.min(f64::from(cap));
        let share = take / waiting.max(1.0);
        let tankers = (queues.tankers[i].floor() * share).round() as u32;
        let goods = (take as u32)
            .saturating_sub(tankers)
            .min(queues.goods[i].floor() as u32);
        queues.tankers[i] -= f64::from(tankers);
        queues.goods[i] -= f64::from(goods);
        if queues.tankers[i] + queues.goods[i] < 1.0 {
            queues.waiting_since[i] = None;
        } else if !escorted {
            age_queue(
                &mut queues.waiting_since[i],
                take,
                flow_per_tick,
                clock.tick,
            );
        } else {
            queues.waiting_since[i] = Some(clock.tick);
        }
        // Destination: drawn in proportion to need and shortfall.
        let mut pick = rng.0.random::<f64>() * total_w;
        let mut destination = dest[dest.len() - 1].1;
        for d in &dest {
            if pick < d.2 {
                destination = d.1;
                break;
            }
            pick -= d.2;
        }
        let Ok((_, _, to, _)) = towns.get(destination) else {
            continue;
        };
        let mut route = Route::default();
        if !plan_route(
            &mut pathfinder,
            &grid,
            *season,
            Mobility::Wheeled,
            crossing.tile,
            to.tile,
            true,
            &mut route,
        ) {
            continue;
        }
        let escort = if doctrine == EscortDoctrine::EscortedConvoys {
            escort_here
        } else {
            None
        };
        if escort.is_some() {
            queues.escort[i] = None;
            tally.escorted_convoys += 1;
        }
        let speed = if escort.is_some() {
            params.escorted_speed_factor
        } else {
            params.convoy_speed_factor
        };
        let id = ids.next();
        let convoy = commands
            .spawn((
                id,
                Convoy {
                    tankers,
                    goods,
                    crossing: i as u16,
                    destination,
                    escort,
                    state: ConvoyState::Moving,
                    departed_tick: clock.tick,
                    taxed_by: None,
                },
                Position::at(crossing.tile),
                route,
                Mover::new(Mobility::Wheeled, speed as f32)
                    .daytime(params.drive_from_hour, params.drive_to_hour),
                IndexedConvoy,
            ))
            .id();
        if let Some(unit) = escort {
            commands
                .entity(unit)
                .insert(crate::domains::army::Escorting { convoy });
        }
        tally.convoys_departed += 1;
    }
}

/// The queue is first in, first out: when `left` trucks leave from its head, the oldest
/// truck still waiting arrived `left / arrivals_per_tick` ticks after the one before.
fn age_queue(since: &mut Option<u64>, left: f64, arrivals_per_tick: f64, now: u64) {
    if let Some(t) = since {
        let step = (left / arrivals_per_tick.max(1e-6)).ceil() as u64;
        *t = (*t + step).min(now);
    }
}

/// Convoys that reached their destination deliver; convoys turned back rejoin their queue.
#[allow(clippy::too_many_arguments)]
pub fn deliver_convoys(
    mut commands: Commands,
    net: Res<RoadNetwork>,
    params: Res<LogisticsParams>,
    mut queues: ResMut<CrossingQueues>,
    mut tally: ResMut<LogisticsTally>,
    convoys: Query<(Entity, &ActorId, &Convoy, &Route, &Position)>,
    mut supplies: Query<(&Settlement, &mut Supplies)>,
) {
    let mut done: Vec<(ActorId, Entity)> = convoys
        .iter()
        .filter(|(_, _, _, r, _)| r.is_done())
        .map(|(e, id, ..)| (*id, e))
        .collect();
    done.sort();
    for (_, e) in done {
        let Ok((_, _, c, _, pos)) = convoys.get(e) else {
            continue;
        };
        match c.state {
            ConvoyState::Moving => {
                if let Ok((town, mut s)) = supplies.get_mut(c.destination) {
                    s.fuel_l += f64::from(c.tankers) * params.litres_per_tanker;
                    let food_need = f64::from(town.population) * (1.0 - params.local_food_share);
                    if food_need > 0.0 {
                        s.food_days +=
                            f64::from(c.goods) * params.people_days_per_goods_truck / food_need;
                    }
                }
                tally.tankers_delivered += u64::from(c.tankers);
                tally.goods_delivered += u64::from(c.goods);
                tally.today.tankers_delivered += c.tankers;
                tally.today.goods_delivered += c.goods;
            }
            ConvoyState::Returning => {
                let i = usize::from(c.crossing);
                if i < queues.tankers.len() && pos.tile == net.crossings[i].tile {
                    queues.tankers[i] += f64::from(c.tankers);
                    queues.goods[i] += f64::from(c.goods);
                }
            }
        }
        if let Some(unit) = c.escort
            && let Ok(mut ec) = commands.get_entity(unit)
        {
            ec.remove::<crate::domains::army::Escorting>();
        }
        commands.entity(e).despawn();
    }
}

/// Settlements consume fuel each tick (rationed when short) and food each day.
pub fn consume(clock: Res<Clock>, params: Res<LogisticsParams>, mut towns: Query<&mut Supplies>) {
    let per_tick = f64::from(clock.hours_per_tick) / 24.0;
    for mut s in &mut towns {
        let days = s.fuel_days();
        let ration = if days >= params.ration_below_days || params.ration_below_days <= 0.0 {
            1.0
        } else {
            params.ration_floor + (1.0 - params.ration_floor) * days / params.ration_below_days
        };
        let want = s.fuel_need_l * per_tick * ration;
        let used = want.min(s.fuel_l);
        s.fuel_l -= used;
        s.fuel_used_today_l += used;
        if clock.is_day_end() {
            // food_days counts days of the imported share of food need.
            s.food_days = (s.food_days - 1.0).max(0.0);
        }
    }
}

/// Daily: prices move towards the level set by stocks; services stop below thresholds;
/// shortage days are counted.
pub fn daily_markets(
    clock: Res<Clock>,
    params: Res<LogisticsParams>,
    capital: Option<Res<Capital>>,
    mut tally: ResMut<LogisticsTally>,
    mut towns: Query<(Entity, &mut Supplies)>,
) {
    if !clock.is_day_end() {
        return;
    }
    let mut weighted = 0.0;
    let mut need = 0.0;
    for (e, mut s) in &mut towns {
        let days = s.fuel_days();
        // The black-market price follows the share of need that could be met today, and
        // rises a little as stocks thin before any rationing (anticipation).
        let met = (s.fuel_used_today_l / s.fuel_need_l.max(1e-9)).clamp(1e-3, 1.0);
        let thin = (1.0 - days / params.price_reference_days).clamp(0.0, 1.0);
        let target = ((1.0 / met).powf(params.price_elasticity) * (1.0 + 0.2 * thin))
            .clamp(1.0, params.price_max);
        s.price_index += params.price_adjust_per_day * (target - s.price_index);
        s.electricity = days > params.electricity_min_days;
        s.schools = days > params.schools_min_days;
        let short = s.fuel_used_today_l < 0.5 * s.fuel_need_l;
        if short {
            s.shortage_days += 1;
        }
        let is_capital = capital.as_ref().is_some_and(|c| c.0 == e);
        if is_capital {
            tally.capital_peak_price = tally.capital_peak_price.max(s.price_index);
        }
        if is_capital && short {
            tally.capital_shortage_days += 1;
            if tally.capital_first_shortage_day.is_none() {
                tally.capital_first_shortage_day = Some(clock.day());
            }
        }
        s.fuel_used_today_l = 0.0;
        weighted += s.price_index * s.fuel_need_l;
        need += s.fuel_need_l;
    }
    let national = if need > 0.0 { weighted / need } else { 1.0 };
    tally.peak_price_index = tally.peak_price_index.max(national);
}

/// National price index: need-weighted mean over settlements.
pub fn national_price_index(world: &mut World) -> f64 {
    let (mut w, mut n) = (0.0, 0.0);
    for s in world.query::<&Supplies>().iter(world) {
        w += s.price_index * s.fuel_need_l;
        n += s.fuel_need_l;
    }
    if n > 0.0 { w / n } else { 1.0 }
}

/// Fuel stock of all settlements together, in days of their total need.
pub fn national_fuel_days(world: &mut World) -> f64 {
    let (mut l, mut n) = (0.0, 0.0);
    for s in world.query::<&Supplies>().iter(world) {
        l += s.fuel_l;
        n += s.fuel_need_l;
    }
    if n > 0.0 { l / n } else { 0.0 }
}

pub fn capital_supplies(world: &mut World) -> Option<Supplies> {
    let c = world.get_resource::<Capital>()?.0;
    world.get::<Supplies>(c).cloned()
}

/// Day end, after recording: today's counters start again.
pub fn roll_day(
    clock: Res<Clock>,
    mut tally: ResMut<LogisticsTally>,
    mut queues: ResMut<CrossingQueues>,
) {
    if !clock.is_day_end() {
        return;
    }
    let delivered = tally.today.tankers_delivered;
    tally.delivered_by_day.push(delivered);
    tally.today = DailyLogistics::default();
    let slot = (clock.day() as usize + 1) % BURN_MEMORY_DAYS;
    for ring in &mut queues.burned_by_day {
        ring[slot] = 0;
    }
}
