//! The conflict model put together: the systems of every domain in their sets, the
//! resources they share, and what is recorded each day and at the end of a run.

use crate::domains::army::{self, ArmyCommand, ArmyParams, ArmyUnit, TownTiles};
use crate::domains::insurgency::{
    self, Cell, InsurgencyParams, InsurgencyTally, InsurgentCommand, RecruitRequests, Targets,
    TopCommand,
};
use crate::domains::logistics::{self, Convoy, LogisticsParams, LogisticsTally, Supplies};
use crate::domains::society::{self, PeopleLedger, Society, SocietyParams};
use crate::engagements::combat::CombatParams;
use crate::engagements::{self, EngagementTally};
use crate::engine::calendar::{self, Clock};
use crate::engine::observation::{self, EventLog, Marker, MarkerKind, MarkerSources, Reporters};
use crate::engine::sim::TickSet;
use crate::world::actors::{self, IdCounter, Position};
use crate::world::sensing::{self, SpatialIndex};
use crate::world::settlement::{RoadNetwork, Settlement};
use crate::world::terrain::TerrainGrid;
use bevy_ecs::prelude::*;

/// Adds the conflict model to a world that has terrain, settlements and roads (and,
/// usually, forces spawned by the scenario builder).
pub fn install(world: &mut World, schedule: &mut Schedule) {
    world.init_resource::<IdCounter>();
    world.init_resource::<LogisticsParams>();
    world.init_resource::<ArmyParams>();
    world.init_resource::<CombatParams>();
    world.init_resource::<InsurgencyParams>();
    world.init_resource::<SocietyParams>();
    world.init_resource::<RecruitRequests>();
    world.init_resource::<InsurgencyTally>();
    world.init_resource::<Targets>();
    world.init_resource::<ArmyCommand>();
    world.init_resource::<EngagementTally>();
    if !world.contains_resource::<RoadNetwork>() {
        world.insert_resource(RoadNetwork::default());
    }
    // Settlements need ids before the domains that order them by id set up.
    let mut unnamed: Vec<Entity> = world
        .query_filtered::<Entity, (With<Settlement>, Without<crate::world::actors::ActorId>)>()
        .iter(world)
        .collect();
    unnamed.sort();
    for e in unnamed {
        let id = world.resource_mut::<IdCounter>().next();
        world.entity_mut(e).insert(id);
    }
    logistics::setup(world);
    let (w, h) = {
        let g = world.resource::<TerrainGrid>();
        (g.width, g.height)
    };
    world.insert_resource(SpatialIndex::new(w, h, 8));
    let towns: Vec<(Entity, crate::world::geo::Tile)> = world
        .query::<(Entity, &Settlement)>()
        .iter(world)
        .map(|(e, s)| (e, s.tile))
        .collect();
    let tiles = TownTiles::build(world.resource::<TerrainGrid>(), towns.into_iter());
    world.insert_resource(tiles);
    let crossing_tiles = world
        .resource::<RoadNetwork>()
        .crossings
        .iter()
        .map(|x| x.tile)
        .collect();
    world.insert_resource(army::CrossingTiles(crossing_tiles));
    // Regional cooperation: neighbouring states secure the corridors' border ends.
    let secured: Vec<crate::world::geo::Tile> = world
        .resource::<RoadNetwork>()
        .crossings
        .iter()
        .map(|x| x.tile)
        .collect();
    let (coop, km) = {
        let p = world.resource::<ArmyParams>();
        (p.cooperation, p.secure_border_km)
    };
    let tile_km = world.resource::<TerrainGrid>().projection.tile_km;
    let mut targets = world.resource_mut::<Targets>();
    targets.secured = secured;
    targets.secured_tiles = coop * km / tile_km;
    society::setup(world);

    schedule.add_systems(
        (
            logistics::dispatch_convoys,
            logistics::deliver_convoys,
            logistics::consume,
            logistics::daily_markets,
            army::army_fuel,
        )
            .chain()
            .in_set(TickSet::Logistics),
    );
    schedule.add_systems(
        (sensing::rebuild_index, insurgency::cells_sense)
            .chain()
            .in_set(TickSet::Sensing),
    );
    schedule.add_systems(
        (
            insurgency::commands_plan,
            insurgency::deliver_orders,
            insurgency::cells_decide,
            army::army_command,
            army::strike_commands,
        )
            .chain()
            .in_set(TickSet::Decisions),
    );
    schedule.add_systems(
        (
            actors::movement_system,
            army::escorts_follow,
            logistics::record_traffic,
        )
            .chain()
            .in_set(TickSet::Movement),
    );
    schedule.add_systems(
        (
            sensing::rebuild_index,
            engagements::corridor_attacks,
            engagements::town_attacks,
            engagements::army_strikes,
        )
            .chain()
            .in_set(TickSet::Engagements),
    );
    schedule.add_systems(society::society_daily.in_set(TickSet::Society));
    schedule.add_systems(
        (
            insurgency::organise_cells,
            insurgency::succession,
            army::reinforce,
        )
            .chain()
            .in_set(TickSet::Organisation),
    );
    schedule.add_systems(
        (logistics::roll_day, roll_day)
            .chain()
            .in_set(TickSet::Observation)
            .after(observation::record_day)
            .before(calendar::advance_clock),
    );

    add_reporters(&mut world.resource_mut::<Reporters>());
    let mut markers = world.resource_mut::<MarkerSources>();
    markers.0.push(convoy_markers);
    markers.0.push(army_markers);
    markers.0.push(cell_markers);
}

/// Day end, after recording: today's engagement counters start again.
fn roll_day(
    clock: Res<Clock>,
    mut tally: ResMut<EngagementTally>,
    mut ledger: ResMut<PeopleLedger>,
) {
    if clock.is_day_end() {
        tally.today = Default::default();
        ledger.recruits_today = 0;
        ledger.cells_founded_today = 0;
    }
}

fn capital(w: &mut World) -> Option<Supplies> {
    logistics::capital_supplies(w)
}

fn army_soldiers(w: &mut World) -> f64 {
    w.query::<&ArmyUnit>()
        .iter(w)
        .map(|u| f64::from(u.soldiers))
        .sum()
}

fn units_in(w: &mut World, posture: army::Posture) -> f64 {
    w.query::<&ArmyUnit>()
        .iter(w)
        .filter(|u| u.posture == posture)
        .count() as f64
}

fn top_alive(w: &mut World) -> Option<bool> {
    let top = w.get_resource::<TopCommand>()?.0;
    w.get::<InsurgentCommand>(top).map(|c| c.alive)
}

/// Latitude of the centroid of the engagements of the last `days` days.
fn centroid_lat(w: &mut World, from_day: u32, to_day: u32) -> Option<f64> {
    let tpd = w.resource::<Clock>().ticks_per_day();
    let (lo, hi) = (u64::from(from_day) * tpd, u64::from(to_day) * tpd);
    let proj = w.resource::<TerrainGrid>().projection;
    let log = w.resource::<EventLog>();
    let (mut sum, mut n) = (0.0, 0usize);
    for e in log
        .events
        .iter()
        .filter(|e| e.tick >= lo && e.tick < hi && is_engagement(e.kind))
    {
        sum += proj.tile_centre(e.tile).lat;
        n += 1;
    }
    (n > 0).then(|| sum / n as f64)
}

fn is_engagement(kind: observation::EventKind) -> bool {
    use observation::EventKind::*;
    matches!(
        kind,
        Ambush | Raid | Sweep | Strike | Checkpoint | AttackOnCivilians | CivilianHarm
    )
}

/// Smallest event size in the power-law fit.
const X_MIN: u32 = 2;

/// Maximum-likelihood exponent of a power law fitted to the civilian deaths of attacks that
/// killed at least `X_MIN` (discrete data, continuous approximation with x_min - 1/2:
/// Clauset, Shalizi and Newman 2009).
fn size_exponent(w: &mut World) -> Option<f64> {
    let log = w.resource::<EventLog>();
    let (mut n, mut s) = (0usize, 0.0);
    for e in &log.events {
        if e.civilians_killed >= X_MIN
            && matches!(
                e.kind,
                observation::EventKind::AttackOnCivilians | observation::EventKind::CivilianHarm
            )
        {
            n += 1;
            s += (f64::from(e.civilians_killed) / (f64::from(X_MIN) - 0.5)).ln();
        }
    }
    (n >= 10 && s > 0.0).then(|| 1.0 + n as f64 / s)
}

fn add_reporters(r: &mut Reporters) {
    r.daily(
        "bamako_fuel_days",
        "days",
        "fuel stock of the capital in days of its normal need",
        |w| capital(w).map_or(f64::NAN, |s| s.fuel_days()),
    );
    r.daily(
        "bamako_price_index",
        "x normal",
        "fuel price in the capital relative to normal",
        |w| capital(w).map_or(f64::NAN, |s| s.price_index),
    );
    r.daily(
        "bamako_electricity",
        "0/1",
        "1 while the capital's power runs",
        |w| capital(w).map_or(f64::NAN, |s| f64::from(s.electricity)),
    );
    r.daily(
        "fuel_days_all",
        "days",
        "fuel stock of all settlements in days of their need",
        logistics::national_fuel_days,
    );
    r.daily(
        "price_index_all",
        "x normal",
        "need-weighted fuel price over all settlements",
        logistics::national_price_index,
    );
    r.daily(
        "tankers_delivered",
        "trucks/day",
        "tankers delivered today",
        |w| f64::from(w.resource::<LogisticsTally>().today.tankers_delivered),
    );
    r.daily(
        "goods_delivered",
        "trucks/day",
        "goods trucks delivered today",
        |w| f64::from(w.resource::<LogisticsTally>().today.goods_delivered),
    );
    r.daily(
        "trucks_destroyed",
        "trucks/day",
        "trucks burned today",
        |w| f64::from(w.resource::<EngagementTally>().today.trucks_destroyed),
    );
    r.daily(
        "tankers_destroyed",
        "trucks/day",
        "tankers burned today",
        |w| f64::from(w.resource::<EngagementTally>().today.tankers_destroyed),
    );
    r.daily(
        "trucks_turned_back",
        "trucks/day",
        "trucks turned back at checkpoints today",
        |w| f64::from(w.resource::<LogisticsTally>().today.trucks_turned_back),
    );
    r.daily("ambushes", "count/day", "ambushes on convoys today", |w| {
        f64::from(w.resource::<EngagementTally>().today.ambushes)
    });
    r.daily(
        "checkpoint_stops",
        "count/day",
        "convoys stopped at checkpoints today",
        |w| f64::from(w.resource::<EngagementTally>().today.checkpoint_stops),
    );
    r.daily(
        "raids",
        "count/day",
        "raids on posts and towns today",
        |w| f64::from(w.resource::<EngagementTally>().today.raids),
    );
    r.daily(
        "army_strikes",
        "count/day",
        "army strikes and sweeps on cells today",
        |w| f64::from(w.resource::<EngagementTally>().today.strikes),
    );
    r.daily(
        "attacks_on_civilians",
        "count/day",
        "attacks on civilians today (either side)",
        |w| f64::from(w.resource::<EngagementTally>().today.attacks_on_civilians),
    );
    r.daily(
        "civilians_killed",
        "people/day",
        "civilians killed today",
        |w| f64::from(w.resource::<EngagementTally>().today.civilians_killed),
    );
    r.daily(
        "units_escorting",
        "units",
        "army units escorting convoys or on their way to",
        |w| units_in(w, army::Posture::Escort),
    );
    r.daily(
        "units_responding",
        "units",
        "army units responding to attacks or sweeping",
        |w| units_in(w, army::Posture::Respond) + units_in(w, army::Posture::Sweep),
    );
    r.daily(
        "units_without_fuel",
        "units",
        "army units stranded without fuel",
        |w| {
            w.query::<&ArmyUnit>()
                .iter(w)
                .filter(|u| u.fuel_l <= 0.0)
                .count() as f64
        },
    );
    r.daily(
        "insurgent_fighters",
        "fighters",
        "fighters in all cells",
        insurgency::fighters,
    );
    r.daily("cells", "count", "insurgent cells", insurgency::cell_count);
    r.daily(
        "recruits",
        "people/day",
        "people who joined cells today",
        |w| w.resource::<PeopleLedger>().recruits_today as f64,
    );
    r.daily(
        "army_soldiers",
        "soldiers",
        "soldiers in all army units",
        army_soldiers,
    );
    r.daily(
        "mean_grievance",
        "0-1",
        "mean grievance of the people",
        |w| w.resource::<Society>().mean_grievance,
    );
    r.daily(
        "mean_legitimacy",
        "0-1",
        "mean legitimacy of the state in the people's eyes",
        |w| w.resource::<Society>().mean_legitimacy,
    );
    r.daily(
        "active_share",
        "share",
        "share of people active (sympathisers) by Epstein's rule",
        |w| w.resource::<Society>().active_share,
    );
    r.daily("jailed", "people", "people in jail", |w| {
        w.resource::<Society>().jailed as f64
    });
    r.daily("displaced", "people", "people displaced", |w| {
        w.resource::<Society>().displaced as f64
    });
    r.daily(
        "events_centroid_lat",
        "degrees N",
        "latitude of the centroid of the last 30 days' engagements",
        |w| {
            let day = w.resource::<Clock>().day();
            centroid_lat(w, day.saturating_sub(29), day + 1).unwrap_or(f64::NAN)
        },
    );
    r.daily(
        "command_alive",
        "0/1",
        "1 while the insurgents' top command lives",
        |w| top_alive(w).map_or(f64::NAN, f64::from),
    );

    r.summary(
        "convoys_departed",
        "count",
        "convoys that left a border crossing",
        |w| Some(w.resource::<LogisticsTally>().convoys_departed as f64),
    );
    r.summary(
        "escorted_convoys",
        "count",
        "convoys that left with an army escort",
        |w| Some(w.resource::<LogisticsTally>().escorted_convoys as f64),
    );
    r.summary(
        "tankers_delivered",
        "trucks",
        "tankers delivered over the run",
        |w| Some(w.resource::<LogisticsTally>().tankers_delivered as f64),
    );
    r.summary(
        "tankers_destroyed",
        "trucks",
        "tankers burned over the run",
        |w| Some(w.resource::<LogisticsTally>().tankers_destroyed as f64),
    );
    r.summary(
        "goods_trucks_destroyed",
        "trucks",
        "goods trucks burned over the run",
        |w| Some(w.resource::<LogisticsTally>().goods_destroyed as f64),
    );
    r.summary(
        "trucks_turned_back",
        "trucks",
        "trucks turned back at checkpoints",
        |w| Some(w.resource::<LogisticsTally>().trucks_turned_back as f64),
    );
    r.summary(
        "trucks_gave_up",
        "trucks",
        "trucks whose drivers gave up waiting for an escort",
        |w| Some(w.resource::<LogisticsTally>().trucks_gave_up as f64),
    );
    r.summary("ambushes", "count", "ambushes on convoys", |w| {
        Some(w.resource::<EngagementTally>().ambushes as f64)
    });
    r.summary(
        "successful_ambushes",
        "count",
        "ambushes that destroyed at least one truck",
        |w| Some(w.resource::<EngagementTally>().successful_ambushes as f64),
    );
    r.summary(
        "trucks_per_successful_ambush",
        "trucks",
        "trucks destroyed per successful ambush",
        |w| {
            let t = w.resource::<EngagementTally>();
            let n = t.successful_ambushes;
            let log = w.resource::<EventLog>();
            let trucks: u64 = log
                .events
                .iter()
                .filter(|e| e.kind == observation::EventKind::Ambush && e.trucks_destroyed > 0)
                .map(|e| u64::from(e.trucks_destroyed))
                .sum();
            (n > 0).then(|| trucks as f64 / n as f64)
        },
    );
    r.summary(
        "checkpoint_stops",
        "count",
        "convoys stopped at checkpoints",
        |w| Some(w.resource::<EngagementTally>().checkpoint_stops as f64),
    );
    r.summary("raids", "count", "raids on posts and towns", |w| {
        Some(w.resource::<EngagementTally>().raids as f64)
    });
    r.summary("posts_overrun", "count", "posts overrun in raids", |w| {
        Some(w.resource::<EngagementTally>().posts_overrun as f64)
    });
    r.summary(
        "army_strikes",
        "count",
        "army strikes and sweeps on cells",
        |w| Some(w.resource::<EngagementTally>().strikes as f64),
    );
    r.summary(
        "attacks_on_civilians",
        "count",
        "attacks on civilians by either side",
        |w| Some(w.resource::<EngagementTally>().attacks_on_civilians as f64),
    );
    r.summary(
        "attacks_on_civilians_by_insurgents",
        "count",
        "attacks on civilians by the insurgents",
        |w| {
            Some(
                w.resource::<EngagementTally>()
                    .attacks_on_civilians_by_insurgents as f64,
            )
        },
    );
    r.summary(
        "attacks_on_civilians_by_army",
        "count",
        "force against cells that harmed civilians",
        |w| Some(w.resource::<EngagementTally>().attacks_on_civilians_by_army as f64),
    );
    r.summary(
        "attacks_on_civilians_per_month",
        "count/30 days",
        "attacks on civilians per 30 days",
        |w| {
            let days = f64::from(w.resource::<Clock>().day()).max(1.0);
            Some(w.resource::<EngagementTally>().attacks_on_civilians as f64 * 30.0 / days)
        },
    );
    r.summary(
        "civilians_killed",
        "people",
        "civilians killed by either side",
        |w| Some(w.resource::<EngagementTally>().civilians_killed as f64),
    );
    r.summary(
        "killed_per_attack_on_civilians",
        "people",
        "civilians killed per attack on civilians",
        |w| {
            let t = w.resource::<EngagementTally>();
            (t.attacks_on_civilians > 0)
                .then(|| t.civilians_killed as f64 / t.attacks_on_civilians as f64)
        },
    );
    r.summary(
        "civilian_harm_exponent",
        "",
        "power-law exponent of deaths per attack on civilians (MLE, x_min 2)",
        size_exponent,
    );
    r.summary(
        "soldiers_killed",
        "soldiers",
        "soldiers put out of action",
        |w| Some(w.resource::<EngagementTally>().soldiers_killed),
    );
    r.summary(
        "fighters_killed",
        "fighters",
        "fighters put out of action",
        |w| Some(w.resource::<EngagementTally>().fighters_killed),
    );
    r.summary(
        "fighters_deserted",
        "fighters",
        "fighters who left cells that ran out of supplies",
        |w| Some(w.resource::<InsurgencyTally>().desertions),
    );
    r.summary("recruits", "people", "people who joined cells", |w| {
        Some(w.resource::<PeopleLedger>().recruited as f64)
    });
    r.summary(
        "cells_founded",
        "count",
        "cells founded by local recruits",
        |w| Some(w.resource::<PeopleLedger>().cells_founded as f64),
    );
    r.summary(
        "insurgent_fighters_end",
        "fighters",
        "fighters at the end",
        |w| Some(insurgency::fighters(w)),
    );
    r.summary("cells_end", "count", "cells at the end", |w| {
        Some(insurgency::cell_count(w))
    });
    r.summary(
        "army_soldiers_end",
        "soldiers",
        "soldiers at the end",
        |w| Some(army_soldiers(w)),
    );
    r.summary(
        "peak_fuel_price_index",
        "x normal",
        "highest fuel price index of the capital",
        |w| Some(w.resource::<LogisticsTally>().capital_peak_price),
    );
    r.summary(
        "peak_national_price_index",
        "x normal",
        "highest need-weighted fuel price over all settlements",
        |w| Some(w.resource::<LogisticsTally>().peak_price_index),
    );
    r.summary(
        "bamako_days_without_fuel",
        "days",
        "days the capital met less than half its fuel need",
        |w| {
            Some(f64::from(
                w.resource::<LogisticsTally>().capital_shortage_days,
            ))
        },
    );
    r.summary(
        "bamako_first_shortage_day",
        "day",
        "first day of shortage in the capital (null if none)",
        |w| {
            w.resource::<LogisticsTally>()
                .capital_first_shortage_day
                .map(f64::from)
        },
    );
    r.summary(
        "inflow_share_last_30_days",
        "share",
        "tankers delivered a day over the last 30 days, over the normal inflow",
        |w| {
            let normal: f64 = w
                .resource::<RoadNetwork>()
                .crossings
                .iter()
                .map(|x| x.tankers_per_day)
                .sum();
            let by_day = &w.resource::<LogisticsTally>().delivered_by_day;
            let last: Vec<u32> = by_day.iter().rev().take(30).copied().collect();
            (normal > 0.0 && !last.is_empty()).then(|| {
                last.iter().map(|&d| f64::from(d)).sum::<f64>() / last.len() as f64 / normal
            })
        },
    );
    r.summary(
        "mean_grievance_end",
        "0-1",
        "mean grievance at the end",
        |w| Some(w.resource::<Society>().mean_grievance),
    );
    r.summary(
        "mean_legitimacy_end",
        "0-1",
        "mean legitimacy at the end",
        |w| Some(w.resource::<Society>().mean_legitimacy),
    );
    r.summary("jailed_end", "people", "people in jail at the end", |w| {
        Some(w.resource::<Society>().jailed as f64)
    });
    r.summary(
        "displaced_end",
        "people",
        "people displaced at the end",
        |w| Some(w.resource::<Society>().displaced as f64),
    );
    r.summary(
        "command_decapitated_day",
        "day",
        "day the top command was first destroyed (null if never)",
        |w| {
            w.resource::<InsurgencyTally>()
                .top_decapitated_day
                .map(f64::from)
        },
    );
    r.summary(
        "decapitations",
        "count",
        "commands destroyed (top and regional)",
        |w| Some(w.resource::<InsurgencyTally>().decapitations as f64),
    );
    r.summary(
        "events_centroid_shift_km",
        "km",
        "southward (+) shift of the engagements' centroid from the first to the last 30 days",
        |w| {
            let day = w.resource::<Clock>().day();
            if day < 60 {
                return None;
            }
            let first = centroid_lat(w, 0, 30)?;
            let last = centroid_lat(w, day - 30, day + 1)?;
            Some((first - last) * 111.2)
        },
    );
}

fn convoy_markers(world: &mut World, out: &mut Vec<Marker>) {
    for (c, p) in world.query::<(&Convoy, &Position)>().iter(world) {
        out.push(Marker {
            kind: MarkerKind::Convoy,
            x: f32::from(p.tile.x) + 0.5,
            y: f32::from(p.tile.y) + 0.5,
            size: (c.tankers + c.goods) as f32,
            value: if c.escort.is_some() { 1.0 } else { 0.0 },
        });
    }
}

fn army_markers(world: &mut World, out: &mut Vec<Marker>) {
    for (u, p) in world.query::<(&ArmyUnit, &Position)>().iter(world) {
        out.push(Marker {
            kind: MarkerKind::ArmyUnit,
            x: f32::from(p.tile.x) + 0.5,
            y: f32::from(p.tile.y) + 0.5,
            size: u.soldiers,
            value: if u.fuel_capacity_l > 0.0 {
                u.fuel_l / u.fuel_capacity_l
            } else {
                f32::NAN
            },
        });
    }
}

fn cell_markers(world: &mut World, out: &mut Vec<Marker>) {
    for (c, p) in world.query::<(&Cell, &Position)>().iter(world) {
        out.push(Marker {
            kind: MarkerKind::Cell,
            x: f32::from(p.tile.x) + 0.5,
            y: f32::from(p.tile.y) + 0.5,
            size: c.fighters,
            value: c.cohesion,
        });
    }
    for (c, p) in world.query::<(&InsurgentCommand, &Position)>().iter(world) {
        if c.alive {
            out.push(Marker {
                kind: MarkerKind::Command,
                x: f32::from(p.tile.x) + 0.5,
                y: f32::from(p.tile.y) + 0.5,
                size: 1.0,
                value: if c.parent.is_none() { 1.0 } else { 0.5 },
            });
        }
    }
}
