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
/// settlement drawn by its need and shortfall (an escorted convoy to the capital's depots,
/// with probability `escorted_to_capital`).
#[allow(clippy::too_many_arguments)]
pub fn dispatch_convoys(
    mut commands: Commands,
    clock: Res<Clock>,
    scale: Res<Scale>,
    season: Res<Season>,
    grid: Res<TerrainGrid>,
    net: Res<RoadNetwork>,
    params: Res<LogisticsParams>,
    capital: Option<Res<Capital>>,
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
    let all_w: f64 = dest.iter().map(|d| d.2).sum();
    for (i, crossing) in net.crossings.iter().enumerate() {
        let total_w = origin_weight(crossing, &dest, all_w);
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
        let departures =
            crossing_queue.step(doctrine, escort_here.is_some(), total_w > 0.0, &mut tally);
        for d in departures.into_iter().flatten() {
            let escort = escort_here.filter(|_| d.escorted);
            // Destination: the capital for most escorted convoys, else drawn in proportion
            // to need and shortfall.
            let to_capital = escort.is_some()
                && capital.is_some()
                && rng.0.random::<f64>() < params.escorted_to_capital;
            let destination = match &capital {
                Some(c) if to_capital => c.0,
                _ => drawn_by_need(&dest, rng.0.random::<f64>() * total_w, crossing),
            };
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
            let speed = if escort.is_some() {
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
                        tankers: d.tankers,
                        goods: d.goods,
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
                    // The escort reads how far its convoy drove (escorts_follow).
                    Odometer::default(),
                    IndexedConvoy,
                ))
                .id();
            if let Some(unit) = escort {
                escorts.left.post(EscortLeft {
                    crossing: i,
                    convoy,
                    unit,
                });
            }
            tally.convoys_departed += 1;
            queues.record_departure(i, clock.day(), d.tankers, d.goods);
        }
    }
}

/// The weight of the destinations a crossing or depot delivers to: those it serves (all
/// by default), never an inland depot's own town.
fn origin_weight(crossing: &BorderCrossing, dest: &[(ActorId, Entity, f64)], all_w: f64) -> f64 {
    if crossing.depot.is_none() && crossing.serves.is_empty() {
        return all_w;
    }
    dest.iter()
        .filter(|d| crossing.delivers_to(d.1))
        .map(|d| d.2)
        .sum()
}

/// The destination whose slice of the weights (need x shortfall, in id order, over the
/// towns the crossing delivers to) holds `pick`.
fn drawn_by_need(
    dest: &[(ActorId, Entity, f64)],
    mut pick: f64,
    crossing: &BorderCrossing,
) -> Entity {
    let mut last = dest[dest.len() - 1].1;
    for d in dest.iter().filter(|d| crossing.delivers_to(d.1)) {
        if pick < d.2 {
            return d.1;
        }
        pick -= d.2;
        last = d.1;
    }
    last
}

/// A convoy or group leaving a crossing.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Departure {
    tankers: u32,
    goods: u32,
    escorted: bool,
}

/// One trade's queue at a crossing: its trucks waiting and since when.
struct Line<'a> {
    waiting: &'a mut f64,
    since: &'a mut Option<u64>,
    /// What the origin can still send (an inland depot's reserve; infinite at a crossing).
    reserve: &'a mut f64,
    /// Trucks of this trade arriving per tick (after the drivers' fear).
    arrivals: f64,
}

impl Line<'_> {
    fn trucks(&self) -> f64 {
        self.waiting.floor()
    }

    fn waited_h(&self, now: u64, scale: Scale) -> f64 {
        self.since.map_or(0.0, |t| scale.hours(now - t))
    }

    /// `n` trucks leave (or go home) from the head of the line.
    fn take(&mut self, n: f64, now: u64) -> u32 {
        let n = n.min(self.trucks()).max(0.0);
        *self.waiting -= n;
        if *self.waiting < 1.0 {
            *self.since = None;
        } else {
            age_queue(self.since, n, self.arrivals, now);
        }
        n as u32
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
    /// Trucks arrive (fewer when trucks burned on this corridor lately); then tankers and
    /// goods trucks leave, each trade on its own terms (`can_leave`: there is somewhere to
    /// go). Tankers are the blockade's target: under escorted convoys they wait for an
    /// escort (and goods trucks waiting join the convoy while there is room), leave
    /// unescorted after their longest wait only if no tanker burned on their corridor in
    /// four weeks, and otherwise go home. Goods trucks, whose traders pay their way past the
    /// checkpoints (JNIM's checkpoints "imposant des taxes illégales sur les commerçants":
    /// Africanova, September 2025), leave in groups as they arrive under every doctrine.
    fn step(
        self,
        doctrine: EscortDoctrine,
        escort_here: bool,
        can_leave: bool,
        tally: &mut LogisticsTally,
    ) -> [Option<Departure>; 2] {
        let CrossingQueue {
            queues,
            i,
            crossing,
            params,
            now,
            scale,
        } = self;
        let per_tick = scale.day_share();
        let willing = |m: &DriversMemory| 1.0 / (1.0 + params.driver_deterrence * m.risk());
        let tankers_burned = queues.tanker_drivers[i].burned();
        let (fuel_willing, goods_willing) = (
            willing(&queues.tanker_drivers[i]),
            willing(&queues.goods_drivers[i]),
        );
        // Drivers do not join a line longer than the longest wait they would accept.
        let max_days = (params.escort_max_wait_hours / 24.0).max(1.0);
        let CrossingQueues {
            tankers,
            goods,
            tankers_since,
            goods_since,
            reserve_tankers,
            reserve_goods,
            ..
        } = queues;
        let mut fuel = Line {
            waiting: &mut tankers[i],
            since: &mut tankers_since[i],
            reserve: &mut reserve_tankers[i],
            arrivals: crossing.tankers_per_day * per_tick * fuel_willing,
        };
        let mut trade = Line {
            waiting: &mut goods[i],
            since: &mut goods_since[i],
            reserve: &mut reserve_goods[i],
            arrivals: crossing.goods_trucks_per_day * per_tick * goods_willing,
        };
        for (line, per_day) in [
            (&mut fuel, crossing.tankers_per_day),
            (&mut trade, crossing.goods_trucks_per_day),
        ] {
            if *line.waiting < per_day * max_days {
                let arriving = line.arrivals.min(*line.reserve);
                *line.waiting += arriving;
                *line.reserve -= arriving;
            }
            if line.trucks() >= 1.0 && line.since.is_none() {
                *line.since = Some(now);
            }
        }
        if !can_leave {
            return [None, None];
        }
        let group = f64::from(params.group_size);
        let grouped = |line: &Line, max_wait_h: f64| {
            line.trucks() >= group
                || (line.trucks() >= 1.0 && line.waited_h(now, scale) >= max_wait_h)
        };
        let mut out = [None, None];
        if doctrine == EscortDoctrine::EscortedConvoys {
            let waited_h = fuel.waited_h(now, scale);
            if escort_here && fuel.trucks() >= f64::from(params.escort_min_convoy) {
                let cap = f64::from(params.escorted_convoy_size);
                let t = fuel.take(cap, now);
                let g = trade.take(cap - f64::from(t), now);
                out[0] = Some(Departure {
                    tankers: t,
                    goods: g,
                    escorted: true,
                });
            } else if !escort_here
                && fuel.trucks() >= 1.0
                && waited_h >= params.escort_max_wait_hours
            {
                let n = fuel.trucks().min(group);
                if tankers_burned == 0 {
                    // Tired of waiting, on a corridor where no tanker burned for four
                    // weeks: they go alone.
                    let t = fuel.take(n, now);
                    out[0] = Some(Departure {
                        tankers: t,
                        goods: 0,
                        escorted: false,
                    });
                } else {
                    // Tired of waiting where trucks burned: they go home, a group at a time.
                    tally.trucks_gave_up += u64::from(fuel.take(n, now));
                }
            }
        } else if grouped(&fuel, params.group_max_wait_hours) {
            let t = fuel.take(group, now);
            out[0] = Some(Departure {
                tankers: t,
                goods: 0,
                escorted: false,
            });
        }
        if grouped(&trade, params.group_max_wait_hours) {
            let g = trade.take(group, now);
            out[1] = Some(Departure {
                tankers: 0,
                goods: g,
                escorted: false,
            });
        }
        out
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
    mut supplies: Query<&mut Supplies>,
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
                if let Ok(mut s) = supplies.get_mut(c.destination) {
                    s.fuel_l += f64::from(c.tankers) * params.litres_per_tanker;
                    s.add_food(f64::from(c.goods) * params.people_days_per_goods_truck);
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
                let slot = day as usize % BURN_MEMORY_DAYS;
                let i = usize::from(crossing);
                if let Some(t) = queues.tanker_drivers.get_mut(i) {
                    t.burned[slot] += tankers;
                }
                if let Some(g) = queues.goods_drivers.get_mut(i) {
                    g.burned[slot] += goods;
                }
            }
            CorridorNews::TurnedBack { trucks } => tally.trucks_turned_back.add(trucks),
            CorridorNews::Taxed { trucks } => tally.trucks_taxed += u64::from(trucks),
        }
    }
}

#[cfg(test)]
mod tests {
    //! The crossing's two lines, tick by tick, without a world.
    use super::*;
    use crate::engine::geo::Tile;

    fn crossing() -> BorderCrossing {
        BorderCrossing {
            name: "X".into(),
            settlement: Entity::PLACEHOLDER,
            tile: Tile::new(0, 0),
            corridor: 0,
            from_country: "N".into(),
            tankers_per_day: 0.0,
            goods_trucks_per_day: 0.0,
            depot: None,
            serves: Vec::new(),
        }
    }

    fn queues(tankers: f64, goods: f64) -> CrossingQueues {
        CrossingQueues {
            tankers: vec![tankers],
            goods: vec![goods],
            tankers_since: vec![Some(0)],
            goods_since: vec![Some(0)],
            tanker_drivers: vec![DriversMemory::default()],
            goods_drivers: vec![DriversMemory::default()],
            reserve_tankers: vec![f64::INFINITY],
            reserve_goods: vec![f64::INFINITY],
        }
    }

    fn step(
        q: &mut CrossingQueues,
        doctrine: EscortDoctrine,
        escort: bool,
    ) -> [Option<Departure>; 2] {
        let (x, params) = (crossing(), LogisticsParams::default());
        CrossingQueue {
            queues: q,
            i: 0,
            crossing: &x,
            params: &params,
            now: 1,
            scale: Scale::new(5.0, 1),
        }
        .step(doctrine, escort, true, &mut LogisticsTally::default())
    }

    #[test]
    fn an_escorted_convoy_takes_the_tankers_first_and_goods_fill_the_room_left() {
        let cap = LogisticsParams::default().escorted_convoy_size;
        let mut q = queues(f64::from(cap) - 20.0, 500.0);
        let [convoy, _] = step(&mut q, EscortDoctrine::EscortedConvoys, true);
        let convoy = convoy.expect("a convoy leaves behind its escort");
        assert!(convoy.escorted);
        assert_eq!((convoy.tankers, convoy.goods), (cap - 20, 20));
        assert_eq!(q.tankers[0], 0.0);
    }

    #[test]
    fn goods_trucks_leave_in_groups_while_tankers_wait_for_an_escort() {
        let group = LogisticsParams::default().group_size;
        let mut q = queues(100.0, 100.0);
        let [tankers, goods] = step(&mut q, EscortDoctrine::EscortedConvoys, false);
        assert_eq!(tankers, None, "tankers left without an escort");
        let goods = goods.expect("a group of goods trucks leaves");
        assert_eq!(
            (goods.tankers, goods.goods, goods.escorted),
            (0, group, false)
        );
        // Without escorts, tankers leave in groups too, each trade on its own.
        let [tankers, _] = step(&mut q, EscortDoctrine::Unescorted, false);
        assert_eq!(tankers.map(|d| (d.tankers, d.goods)), Some((group, 0)));
    }

    #[test]
    fn drivers_weigh_the_share_of_trips_that_burned() {
        let mut m = DriversMemory::default();
        assert_eq!(m.risk(), 0.0);
        m.departed[0] = 100;
        m.burned[0] = 50;
        assert_eq!(m.risk(), 0.5);
        // Trucks that get through dilute the fear; forgetting the day clears it.
        m.departed[1] = 400;
        assert_eq!(m.risk(), 0.1);
        m.forget(0);
        m.forget(1);
        assert_eq!(m.risk(), 0.0);
        // Burnings remembered with no trip remembered: the road is deadly.
        m.burned[2] = 3;
        assert_eq!(m.risk(), 1.0);
    }
}
