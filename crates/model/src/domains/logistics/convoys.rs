//! Convoys: trucks queue at the crossings, leave in groups or behind an escort, drive the
//! corridors (marking the traffic the insurgents watch) and deliver.

use super::data::*;
use crate::domains::army::data::{
    ArmyParams, EscortDoctrine, EscortFreed, EscortLeft, EscortRoster,
};
use crate::engine::calendar::{Clock, Season};
use crate::engine::inbox::Inbox;
use crate::engine::rng::{RngExt, SimRng};
use crate::world::actors::{ActorId, IdCounter, Mover, Odometer, Position, Route, plan_route};
use crate::world::pathfinding::Pathfinder;
use crate::world::scale::Scale;
use crate::world::sensing::IndexedConvoy;
use crate::world::settlement::{BorderCrossing, RoadNetwork, Settlement};
use crate::world::terrain::{Mobility, TerrainGrid};
use bevy_ecs::prelude::*;
use bevy_ecs::system::SystemParam;

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

/// What the departures need of the army: its doctrine, the escorts waiting at each
/// crossing, and the inbox where it learns which left.
#[derive(SystemParam)]
pub struct Escorts<'w> {
    army: Res<'w, ArmyParams>,
    roster: Res<'w, EscortRoster>,
    left: ResMut<'w, Inbox<EscortLeft>>,
}

/// Trucks arrive at the crossings; groups and convoys leave when formed, each to a
/// settlement drawn by its need and shortfall.
#[allow(clippy::too_many_arguments)]
pub fn dispatch_convoys(
    mut commands: Commands,
    clock: Res<Clock>,
    scale: Res<Scale>,
    season: Res<Season>,
    grid: Res<TerrainGrid>,
    net: Res<RoadNetwork>,
    params: Res<LogisticsParams>,
    mut escorts: Escorts,
    mut queues: ResMut<CrossingQueues>,
    mut rng: ResMut<SimRng>,
    mut ids: ResMut<IdCounter>,
    mut pathfinder: ResMut<Pathfinder>,
    mut tally: ResMut<LogisticsTally>,
    towns: Query<(
        Entity,
        &ActorId,
        &Settlement,
        &Supplies,
        Has<SupplyDestination>,
    )>,
    positions: Query<&Position>,
) {
    let doctrine = escorts.army.escort_doctrine;
    // Destinations weighted by fuel need and by how short each town is: deterministic order.
    let mut dest: Vec<(ActorId, Entity, f64)> = towns
        .iter()
        .filter(|(.., home)| *home)
        .map(|(e, id, _, sup, _)| {
            let shortfall = (params.price_reference_days - sup.fuel_days()).max(0.0) + 1.0;
            (*id, e, sup.fuel_need_l * shortfall)
        })
        .collect();
    dest.sort_by_key(|d| d.0);
    let total_w: f64 = dest.iter().map(|d| d.2).sum();
    for (i, crossing) in net.crossings.iter().enumerate() {
        let escort_here = if doctrine == EscortDoctrine::EscortedConvoys {
            escorts.roster.0[i].filter(|e| positions.get(*e).is_ok_and(|p| p.tile == crossing.tile))
        } else {
            None
        };
        let crossing_queue = CrossingQueue {
            queues: &mut queues,
            i,
            crossing,
            params: &params,
            now: clock.tick,
            scale: *scale,
        };
        let Some((tankers, goods)) =
            crossing_queue.step(doctrine, escort_here.is_some(), total_w > 0.0, &mut tally)
        else {
            continue;
        };
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
        let Ok((_, _, to, ..)) = towns.get(destination) else {
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
        let speed = if escort_here.is_some() {
            tally.escorted_convoys += 1;
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
                    escort: escort_here,
                    state: ConvoyState::Moving,
                    departed_tick: clock.tick,
                    taxed_by: None,
                },
                Position::at(crossing.tile),
                route,
                Mover::new(Mobility::Wheeled, speed as f32)
                    .daytime(params.drive_from_hour, params.drive_to_hour),
                // The escort reads how far its convoy drove (escorts_follow).
                Odometer::default(),
                IndexedConvoy,
            ))
            .id();
        if let Some(unit) = escort_here {
            escorts.left.post(EscortLeft {
                crossing: i,
                convoy,
                unit,
            });
        }
        tally.convoys_departed += 1;
    }
}

/// One crossing's queue during one tick.
struct CrossingQueue<'a> {
    queues: &'a mut CrossingQueues,
    i: usize,
    crossing: &'a BorderCrossing,
    params: &'a LogisticsParams,
    now: u64,
    scale: Scale,
}

impl CrossingQueue<'_> {
    /// Trucks arrive (fewer when trucks burned on this corridor lately); then a convoy
    /// forms and leaves, or drivers who waited their longest give up. Returns the tankers
    /// and goods trucks that leave, if any (`can_leave`: there is somewhere to go).
    fn step(
        self,
        doctrine: EscortDoctrine,
        escort_here: bool,
        can_leave: bool,
        tally: &mut LogisticsTally,
    ) -> Option<(u32, u32)> {
        let CrossingQueue {
            queues,
            i,
            crossing,
            params,
            now,
            scale,
        } = self;
        let per_tick = scale.day_share();
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
            queues.waiting_since[i] = Some(now);
        }
        let waited_h = queues.waiting_since[i].map_or(0.0, |t| scale.hours(now - t));
        let escorted = doctrine == EscortDoctrine::EscortedConvoys && escort_here;
        let go = match doctrine {
            EscortDoctrine::EscortedConvoys => {
                // Without an escort, drivers tired of waiting leave only if nothing burned
                // on their corridor in the last week.
                (waiting >= f64::from(params.escort_min_convoy) && escort_here)
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
            && !escort_here
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
            age_queue(&mut queues.waiting_since[i], quit, flow_per_tick, now);
            return None;
        }
        if !go || !can_leave {
            return None;
        }
        // How many leave: a full convoy behind an escort, else a group of drivers who
        // stop waiting; tankers and goods trucks in proportion to the queue.
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
            age_queue(&mut queues.waiting_since[i], take, flow_per_tick, now);
        } else {
            queues.waiting_since[i] = Some(now);
        }
        Some((tankers, goods))
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
    mut escorts_freed: ResMut<Inbox<EscortFreed>>,
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
                tally.tankers_delivered.add(c.tankers);
                tally.goods_delivered.add(c.goods);
            }
            ConvoyState::Returning => {
                let i = usize::from(c.crossing);
                if i < queues.tankers.len() && pos.tile == net.crossings[i].tile {
                    queues.tankers[i] += f64::from(c.tankers);
                    queues.goods[i] += f64::from(c.goods);
                }
            }
        }
        if let Some(unit) = c.escort {
            escorts_freed.post(EscortFreed { unit });
        }
        commands.entity(e).despawn();
    }
}

/// Engagements set, last: what the fights did to the convoys enters the tallies and the
/// drivers' memory of burnings on each corridor.
pub fn take_corridor_news(
    mut news: ResMut<Inbox<CorridorNews>>,
    mut tally: ResMut<LogisticsTally>,
    mut queues: ResMut<CrossingQueues>,
) {
    for n in news.drain() {
        match n {
            CorridorNews::Burned {
                crossing,
                tankers,
                goods,
                day,
            } => {
                tally.tankers_destroyed.add(tankers);
                tally.goods_destroyed += u64::from(goods);
                tally.trucks_destroyed.add(tankers + goods);
                if let Some(ring) = queues.burned_by_day.get_mut(usize::from(crossing)) {
                    ring[day as usize % BURN_MEMORY_DAYS] += tankers + goods;
                }
            }
            CorridorNews::TurnedBack { trucks } => tally.trucks_turned_back.add(trucks),
            CorridorNews::Taxed { trucks } => tally.trucks_taxed += u64::from(trucks),
        }
    }
}
