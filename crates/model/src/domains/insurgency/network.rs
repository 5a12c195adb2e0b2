//! The command network: its commands plan for their cells and send orders that arrive
//! after the communication delay; a command the army destroys falls silent until its
//! successor takes over.

use super::data::*;
use super::planning::{Picture, PlannerInputs};
use crate::domains::army::data::CommandReplaced;
use crate::domains::society::data::RecruitRequests;
use crate::engine::calendar::{Clock, Season};
use crate::engine::geo::Tile;
use crate::engine::inbox::Inbox;
use crate::engine::observation::{Actor, Event, EventKind, EventLog};
use crate::engine::rng::{ModelRng, Purpose, RngExt, Seed, SimRng, stream};
use crate::world::actors::{ActorId, IdCounter, Position};
use crate::world::scale::Scale;
use crate::world::terrain::{IMPASSABLE, Mobility, TerrainGrid};
use bevy_ecs::prelude::*;

/// Reports of convoys older than this many hours are no use to a planner.
const REPORT_FRESH_HOURS: f64 = 24.0;

/// Spawns the command network and the cells of every group, on passable tiles around each
/// group's centre (deterministic given the run's seed). Groups with the same `command`
/// label form one faction with its own top command, placed at the mean of its groups'
/// centres; the tops are spawned first, in order of the labels' first appearance.
pub fn spawn_insurgents(world: &mut World, groups: &[GroupPlacement]) {
    let p = world.resource::<InsurgencyParams>().clone();
    let seed = world.resource::<Seed>().0;
    let mut rng = stream(seed, Purpose::Placement, 0x1c, 0);
    let (width, height) = {
        let g = world.resource::<TerrainGrid>();
        (g.width, g.height)
    };
    let mut factions = Factions::default();
    for g in groups {
        if !factions.names.contains(&g.command) {
            factions.names.push(g.command.clone());
        }
    }
    if factions.names.is_empty() {
        factions.names.push(String::new());
    }
    for (f, name) in factions.names.iter().enumerate() {
        let mine: Vec<&GroupPlacement> = groups.iter().filter(|g| &g.command == name).collect();
        let top_tile = if mine.is_empty() {
            Tile::new(width / 2, height / 2)
        } else {
            let n = mine.len() as f64;
            let x = mine.iter().map(|g| f64::from(g.centre.x)).sum::<f64>() / n;
            let y = mine.iter().map(|g| f64::from(g.centre.y)).sum::<f64>() / n;
            Tile::new(x.round() as u16, y.round() as u16)
        };
        let top_id = world.resource_mut::<IdCounter>().next();
        let top = world
            .spawn((
                top_id,
                command("top", None, f as u8),
                Position::at(top_tile),
            ))
            .id();
        factions.tops.push(top);
    }
    world.insert_resource(TopCommand(factions.tops[0]));
    for g in groups {
        let f = factions
            .names
            .iter()
            .position(|n| *n == g.command)
            .unwrap_or(0);
        let top = factions.tops[f];
        let commander = match p.network {
            NetworkShape::Star => top,
            NetworkShape::Hierarchical => {
                let id = world.resource_mut::<IdCounter>().next();
                world
                    .spawn((
                        id,
                        command(&g.name, Some(top), f as u8),
                        Position::at(g.centre),
                    ))
                    .id()
            }
        };
        for _ in 0..g.cells {
            let tile = placement_tile(world, g, &mut rng);
            spawn_cell(
                world,
                &p,
                (commander, f as u8),
                tile,
                g.fighters_per_cell as f32,
                &mut rng,
            );
        }
    }
    world.insert_resource(factions);
    world.init_resource::<InsurgencyTally>();
}

/// A passable tile drawn uniformly within the group's radius (its centre after 64 misses).
fn placement_tile(world: &World, g: &GroupPlacement, rng: &mut ModelRng) -> Tile {
    let grid = world.resource::<TerrainGrid>();
    let costs = grid.costs(Season::Dry, Mobility::Motorbike);
    for _ in 0..64 {
        let r = g.radius_tiles * rng.random::<f64>().sqrt();
        let a = rng.random::<f64>() * std::f64::consts::TAU;
        let x = (f64::from(g.centre.x) + r * a.cos()).round() as i32;
        let y = (f64::from(g.centre.y) + r * a.sin()).round() as i32;
        if grid.contains(x, y) {
            let t = Tile::new(x as u16, y as u16);
            if costs[grid.index(t)] != IMPASSABLE {
                return t;
            }
        }
    }
    g.centre
}

/// Spawns one cell at `tile`; its first decision falls at a random hour of its cadence.
pub fn spawn_cell(
    world: &mut World,
    p: &InsurgencyParams,
    (commander, faction): (Entity, u8),
    tile: Tile,
    fighters: f32,
    rng: &mut ModelRng,
) -> Entity {
    let id = world.resource_mut::<IdCounter>().next();
    let decide = Scale::of(world).period(p.decide_every_hours);
    let cell = new_cell(
        p,
        commander,
        faction,
        tile,
        fighters,
        rng.random_range(0..decide),
    );
    world.spawn(cell_bundle(id, cell, tile, p)).id()
}

/// Hops from a cell to the top (1 in a star, 2 in a hierarchy).
fn hops(network: NetworkShape) -> u64 {
    match network {
        NetworkShape::Star => 1,
        NetworkShape::Hierarchical => 2,
    }
}

/// Decisions: each live command plans for its cells every few hours; its orders reach the
/// cells after one hop (star) or two (hierarchy) of delay. A sub-command plans only while
/// the top lives: without the top's direction it relays nothing new.
#[allow(clippy::too_many_arguments)]
pub fn commands_plan(
    clock: Res<Clock>,
    inputs: PlannerInputs,
    requests: Res<RecruitRequests>,
    mut rng: ResMut<SimRng>,
    mut tally: ResMut<InsurgencyTally>,
    mut commands_q: Query<(Entity, &ActorId, &mut InsurgentCommand)>,
    cells: Query<(Entity, &ActorId, &Cell, &Position)>,
    mut order: Local<Vec<(ActorId, Entity)>>,
    mut mine: Local<Vec<(ActorId, Entity)>>,
    mut taken: Local<Vec<Tile>>,
    mut reports: Local<Vec<Seen>>,
    mut tops_alive: Local<Vec<Entity>>,
) {
    let tick = clock.tick;
    let (params, scale) = (&*inputs.params, *inputs.scale);
    let every = scale.period(params.plan_every_hours);
    let hop = scale.ticks_rounded(params.comm_delay_hours);
    let fresh = scale.ticks(REPORT_FRESH_HOURS);
    let planner = inputs.planner();
    // The tops that live: a sub-command relays nothing new while its own top is dead.
    tops_alive.clear();
    tops_alive.extend(
        commands_q
            .iter()
            .filter(|(_, _, c)| c.parent.is_none() && c.alive)
            .map(|(e, ..)| e),
    );
    order.clear();
    order.extend(commands_q.iter().map(|(e, id, _)| (*id, e)));
    order.sort();
    for &(_, ce) in order.iter() {
        let Ok((_, _, mut cmd)) = commands_q.get_mut(ce) else {
            continue;
        };
        // Reports older than the order validity are no use.
        cmd.inbox.retain(|(arrive, s)| {
            *arrive + hop * 4 > tick && s.tick + fresh > tick.saturating_sub(hop)
        });
        if !cmd.alive
            || tick < cmd.next_plan
            || cmd.parent.is_some_and(|top| !tops_alive.contains(&top))
        {
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
        taken.extend(mine.iter().filter_map(|&(_, e)| match cells.get(e) {
            Ok((_, _, c, _)) => match c.task {
                Task::Checkpoint(t) => Some(t),
                _ => None,
            },
            Err(_) => None,
        }));
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
                && c.task == Task::Hide
                && let Some(town) = recruiting_town(&requests, pos.tile, params, &scale)
            {
                sent_recruiter = true;
                Task::Recruit(town)
            } else {
                // The command can mass the cells of its region on one convoy: what they
                // could bring together counts.
                // A cell still rearming after its last ambush is not sent to another.
                let picture = Picture {
                    convoys: if tick >= c.rearmed_at { &reports } else { &[] },
                    massed,
                    taken: &taken,
                };
                planner.plan(&picture, pos.tile, c.fighters, c.cohesion, &mut rng.0)
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

/// The settlement nearest `at` where people wait to join, if within twice the cells' reach.
fn recruiting_town(
    requests: &RecruitRequests,
    at: Tile,
    params: &InsurgencyParams,
    scale: &Scale,
) -> Option<Entity> {
    let &(town, tile, _) = requests.waiting.iter().min_by(|a, b| {
        a.1.distance(at)
            .total_cmp(&b.1.distance(at))
            .then(a.2.total_cmp(&b.2))
    })?;
    (scale.km(tile.distance(at)) < params.reach_km * 2.0).then_some(town)
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

/// Decisions, after the army's strikes: a command struck falls silent (its messengers
/// lost, its reports gone) until a successor takes over after `succession_days`.
pub fn fall_of_commands(
    clock: Res<Clock>,
    scale: Res<Scale>,
    params: Res<InsurgencyParams>,
    mut struck: ResMut<Inbox<CommandStruck>>,
    mut tally: ResMut<InsurgencyTally>,
    mut commands_q: Query<&mut InsurgentCommand>,
) {
    for m in struck.drain() {
        let Ok(mut cmd) = commands_q.get_mut(m.command) else {
            continue;
        };
        cmd.alive = false;
        cmd.decapitations += 1;
        cmd.outbox.clear();
        cmd.inbox.clear();
        cmd.successor_at = Some(clock.tick + scale.ticks(params.succession_days * 24.0));
        tally.decapitations += 1;
        if cmd.parent.is_none() {
            tally.top_decapitations += 1;
            if tally.top_decapitated_day.is_none() {
                tally.top_decapitated_day = Some(clock.day());
            }
        }
    }
}

/// Succession: a destroyed command is replaced after `succession_days`.
pub fn succession(
    clock: Res<Clock>,
    mut commands_q: Query<(Entity, &ActorId, &mut InsurgentCommand, &Position)>,
    mut tally: ResMut<InsurgencyTally>,
    mut log: ResMut<EventLog>,
    mut replaced: ResMut<Inbox<CommandReplaced>>,
) {
    let tick = clock.tick;
    for (e, id, mut cmd, pos) in &mut commands_q {
        if !cmd.alive && cmd.successor_at.is_some_and(|t| t <= tick) {
            cmd.alive = true;
            cmd.successor_at = None;
            tally.successions += 1;
            // The successor is someone the army knows nothing about yet.
            replaced.post(CommandReplaced { command: e });
            log.events.push(Event {
                tick,
                kind: EventKind::Succession,
                tile: pos.tile,
                attacker: Actor::Command(id.0),
                defender: Actor::None,
                attacker_losses: 0.0,
                defender_losses: 0.0,
                trucks_destroyed: 0,
                civilians_killed: 0,
            });
        }
    }
}
