//! What the engagements report: fights by kind, civilians harmed by either side, losses,
//! and the pattern metrics computed from the event log (the southward drift of the
//! fighting, the heavy tail of deaths per attack).

use super::EngagementTally;
use crate::engine::calendar::Clock;
use crate::engine::observation::{EventKind, EventLog, Reporters};
use crate::world::terrain::TerrainGrid;
use bevy_ecs::prelude::*;

/// Km per degree of latitude.
const KM_PER_DEGREE: f64 = 111.2;
/// Smallest event size in the power-law fit.
const X_MIN: u32 = 2;

fn tally(w: &World) -> &EngagementTally {
    w.resource::<EngagementTally>()
}

fn is_engagement(kind: EventKind) -> bool {
    use EventKind::*;
    matches!(
        kind,
        Ambush | Raid | Sweep | Strike | Checkpoint | AttackOnCivilians | CivilianHarm
    )
}

/// Latitude of the centroid of the engagements from `from_day` to before `to_day`.
fn centroid_lat(w: &mut World, from_day: u32, to_day: u32) -> Option<f64> {
    let tpd = w.resource::<Clock>().ticks_per_day();
    let (lo, hi) = (u64::from(from_day) * tpd, u64::from(to_day) * tpd);
    let proj = w.resource::<TerrainGrid>().projection;
    let log = w.resource::<EventLog>();
    let (mut sum, mut n) = (0.0, 0usize);
    // The log is in tick order (events are logged as they happen): the window is found by
    // bisection, not by a scan of the whole log every day.
    let start = log.events.partition_point(|e| e.tick < lo);
    let end = start + log.events[start..].partition_point(|e| e.tick < hi);
    for e in log.events[start..end]
        .iter()
        .filter(|e| is_engagement(e.kind))
    {
        sum += proj.tile_centre(e.tile).lat;
        n += 1;
    }
    (n > 0).then(|| sum / n as f64)
}

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
                EventKind::AttackOnCivilians | EventKind::CivilianHarm
            )
        {
            n += 1;
            s += (f64::from(e.civilians_killed) / (f64::from(X_MIN) - 0.5)).ln();
        }
    }
    (n >= 10 && s > 0.0).then(|| 1.0 + n as f64 / s)
}

pub fn reporters(r: &mut Reporters) {
    daily(r);
    r.summary("ambushes", "count", "ambushes on convoys", |w| {
        Some(tally(w).ambushes.total as f64)
    });
    r.summary(
        "successful_ambushes",
        "count",
        "ambushes that destroyed at least one truck",
        |w| Some(tally(w).successful_ambushes as f64),
    );
    r.summary(
        "trucks_per_successful_ambush",
        "trucks",
        "trucks destroyed per successful ambush",
        |w| {
            let n = tally(w).successful_ambushes;
            let trucks: u64 = w
                .resource::<EventLog>()
                .events
                .iter()
                .filter(|e| e.kind == EventKind::Ambush && e.trucks_destroyed > 0)
                .map(|e| u64::from(e.trucks_destroyed))
                .sum();
            (n > 0).then(|| trucks as f64 / n as f64)
        },
    );
    r.summary(
        "tankers_per_successful_ambush",
        "tankers",
        "tankers destroyed per successful ambush (P2's measure)",
        |w| {
            let t = tally(w);
            (t.successful_ambushes > 0)
                .then(|| t.tankers_in_ambushes as f64 / t.successful_ambushes as f64)
        },
    );
    r.summary(
        "checkpoint_stops",
        "count",
        "convoys stopped at checkpoints",
        |w| Some(tally(w).checkpoint_stops.total as f64),
    );
    r.summary("raids", "count", "raids on posts and towns", |w| {
        Some(tally(w).raids.total as f64)
    });
    r.summary("posts_overrun", "count", "posts overrun in raids", |w| {
        Some(tally(w).posts_overrun as f64)
    });
    r.summary(
        "army_strikes",
        "count",
        "army strikes and sweeps on cells",
        |w| Some(tally(w).strikes.total as f64),
    );
    r.summary(
        "ambushes_foiled",
        "count",
        "ambushes and checkpoints ahead of escorted convoys seen from the air, broken off",
        |w| Some(tally(w).ambushes_foiled as f64),
    );
    r.summary(
        "contacts_broken",
        "count",
        "cells in striking reach that broke contact before the army could strike",
        |w| Some(tally(w).contacts_broken as f64),
    );
    civilian_summaries(r);
    r.summary(
        "soldiers_killed",
        "soldiers",
        "soldiers put out of action",
        |w| Some(tally(w).soldiers_killed),
    );
    r.summary(
        "fighters_killed",
        "fighters",
        "fighters put out of action",
        |w| Some(tally(w).fighters_killed),
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
            Some((first - last) * KM_PER_DEGREE)
        },
    );
}

fn daily(r: &mut Reporters) {
    r.count("ambushes", "count/day", "ambushes on convoys today", |w| {
        f64::from(tally(w).ambushes.today)
    });
    r.count(
        "checkpoint_stops",
        "count/day",
        "convoys stopped at checkpoints today",
        |w| f64::from(tally(w).checkpoint_stops.today),
    );
    r.count(
        "raids",
        "count/day",
        "raids on posts and towns today",
        |w| f64::from(tally(w).raids.today),
    );
    r.count(
        "army_strikes",
        "count/day",
        "army strikes and sweeps on cells today",
        |w| f64::from(tally(w).strikes.today),
    );
    r.count(
        "attacks_on_civilians",
        "count/day",
        "attacks on civilians today (either side)",
        |w| f64::from(tally(w).attacks_on_civilians.today),
    );
    r.count(
        "civilians_killed",
        "people/day",
        "civilians killed today",
        |w| f64::from(tally(w).civilians_killed.today),
    );
    r.rate(
        "events_centroid_lat",
        "degrees N",
        "latitude of the centroid of the last 30 days' engagements",
        |w| {
            let day = w.resource::<Clock>().day();
            centroid_lat(w, day.saturating_sub(29), day + 1).unwrap_or(f64::NAN)
        },
    );
}

fn civilian_summaries(r: &mut Reporters) {
    r.summary(
        "attacks_on_civilians",
        "count",
        "attacks on civilians by either side",
        |w| Some(tally(w).attacks_on_civilians.total as f64),
    );
    r.summary(
        "attacks_on_civilians_by_insurgents",
        "count",
        "attacks on civilians by the insurgents",
        |w| Some(tally(w).attacks_on_civilians_by_insurgents as f64),
    );
    r.summary(
        "attacks_on_civilians_by_army",
        "count",
        "force against cells that harmed civilians",
        |w| Some(tally(w).attacks_on_civilians_by_army as f64),
    );
    r.summary(
        "attacks_on_civilians_per_month",
        "count/30 days",
        "attacks on civilians per 30 days",
        |w| {
            let days = f64::from(w.resource::<Clock>().day()).max(1.0);
            Some(tally(w).attacks_on_civilians.total as f64 * 30.0 / days)
        },
    );
    r.summary(
        "civilians_killed",
        "people",
        "civilians killed by either side",
        |w| Some(tally(w).civilians_killed.total as f64),
    );
    r.summary(
        "killed_per_attack_on_civilians",
        "people",
        "civilians killed per attack on civilians",
        |w| {
            let t = tally(w);
            (t.attacks_on_civilians.total > 0)
                .then(|| t.civilians_killed.total as f64 / t.attacks_on_civilians.total as f64)
        },
    );
    r.summary(
        "civilian_harm_exponent",
        "",
        "power-law exponent of deaths per attack on civilians (MLE, x_min 2)",
        size_exponent,
    );
    rivals_and_militia(r);
}

/// The fights of rival commands and of the militias (all zero without them).
fn rivals_and_militia(r: &mut Reporters) {
    r.count(
        "rival_clashes",
        "count/day",
        "clashes between cells of rival insurgent commands",
        |w| f64::from(tally(w).rival_clashes.today),
    );
    r.count(
        "militia_abuses",
        "count/day",
        "militia attacks on villages they suspect",
        |w| f64::from(tally(w).militia_abuses.today),
    );
    r.count(
        "reprisals",
        "count/day",
        "cells' attacks on villages a militia holds",
        |w| f64::from(tally(w).reprisals.today),
    );
    r.summary(
        "rival_clashes",
        "count",
        "clashes between cells of rival insurgent commands",
        |w| Some(tally(w).rival_clashes.total as f64),
    );
    r.summary(
        "fighters_killed_in_rival_clashes",
        "fighters",
        "fighters of both sides killed in clashes between rival commands",
        |w| Some(tally(w).rival_fighters_killed),
    );
    r.summary(
        "militia_abuses",
        "count",
        "militia attacks on villages they suspect",
        |w| Some(tally(w).militia_abuses.total as f64),
    );
    r.summary(
        "civilians_killed_by_militia",
        "people",
        "civilians killed in militia attacks (not in civilians_killed)",
        |w| Some(tally(w).civilians_killed_by_militia as f64),
    );
    r.summary(
        "reprisals",
        "count",
        "cells' attacks on villages a militia holds",
        |w| Some(tally(w).reprisals.total as f64),
    );
    r.summary(
        "reprisals_repelled",
        "count",
        "reprisals the militia repelled (no civilian harmed)",
        |w| Some(tally(w).reprisals_repelled as f64),
    );
    r.summary(
        "militia_killed",
        "people",
        "militia members killed defending their villages",
        |w| Some(tally(w).militia_killed),
    );
}
