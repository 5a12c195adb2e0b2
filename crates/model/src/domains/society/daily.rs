//! The daily pass: settlements' conditions and the state's legitimacy; then every cohort in
//! one pass (killings, arrests, Epstein's rule, flight, recruitment); then new cells where
//! recruits wait, and the settlements' aggregates for tomorrow.

use super::data::*;
use super::grievance::ActivationParams;
use super::pass::{BlockOut, DayContext, DayTally, merge, quotas, relocate, run_blocks};
use crate::domains::army::data::{ArmyParams, ArmyUnit};
use crate::domains::insurgency::data::{
    Cell, CellFounded, Factions, InsurgencyParams, RecruitsJoin, Sieges,
};
use crate::domains::logistics::data::{LogisticsParams, Supplies};
use crate::engine::calendar::Clock;
use crate::engine::geo::Tile;
use crate::engine::inbox::Inbox;
use crate::engine::rng::{RngExt, Seed, SimRng};
use crate::world::actors::{ActorId, Position};
use crate::world::scale::Scale;
use crate::world::sensing::SpatialIndex;
use crate::world::terrain::TerrainGrid;
use bevy_ecs::prelude::*;
use bevy_ecs::system::SystemParam;

/// Society set, first: what the other domains told society since the last tick enters the
/// settlements' counters and the violence layer.
pub fn take_news(
    grid: Res<TerrainGrid>,
    mut news: ResMut<Inbox<CivilianNews>>,
    mut society: ResMut<Society>,
    mut violence: ResMut<Violence>,
) {
    for n in news.drain() {
        match n {
            CivilianNews::Answered { tile, answered } => society.answer(tile, answered),
            CivilianNews::Killed {
                town,
                killed,
                by_army,
            } => society.harm(town, killed, by_army),
            CivilianNews::Abuse { town } => society.abuse(town),
            CivilianNews::Attacked { town } => society.attacked(town),
            CivilianNews::Violence { tile, amount } => violence.add(&grid, tile, amount),
        }
    }
}

/// What the daily society pass reads.
#[derive(SystemParam)]
pub struct SocietyInputs<'w> {
    pub clock: Res<'w, Clock>,
    pub scale: Res<'w, Scale>,
    pub params: Res<'w, SocietyParams>,
    pub activation: Res<'w, ActivationParams>,
    pub logistics: Res<'w, LogisticsParams>,
    pub iparams: Res<'w, InsurgencyParams>,
    pub army_params: Res<'w, ArmyParams>,
    pub grid: Res<'w, TerrainGrid>,
    pub index: Res<'w, SpatialIndex>,
    pub seed: Res<'w, Seed>,
    pub factions: Res<'w, Factions>,
    pub sieges: Res<'w, Sieges>,
}

/// What the daily society pass writes besides the cohorts.
#[derive(SystemParam)]
pub struct SocietyOutputs<'w> {
    pub society: ResMut<'w, Society>,
    pub violence: ResMut<'w, Violence>,
    pub ledger: ResMut<'w, PeopleLedger>,
    pub requests: ResMut<'w, RecruitRequests>,
    pub founded: ResMut<'w, Inbox<CellFounded>>,
    pub joined: ResMut<'w, Inbox<RecruitsJoin>>,
    pub rng: ResMut<'w, SimRng>,
    pub cohorts: ResMut<'w, Cohorts>,
}

/// Society set (daily): legitimacy, the cohorts' grievance and activation, harm, arrests,
/// recruitment, displacement; new cells where recruits wait.
pub fn society_daily(
    inputs: SocietyInputs,
    outputs: SocietyOutputs,
    mut outs: Local<Vec<BlockOut>>,
    supplies: Query<&Supplies>,
    units: Query<(&ArmyUnit, &Position)>,
    cells: Query<&Cell>,
) {
    let SocietyInputs {
        clock,
        scale,
        params,
        activation,
        logistics,
        iparams,
        army_params,
        grid,
        index,
        seed,
        factions,
        sieges,
    } = inputs;
    let SocietyOutputs {
        mut society,
        mut violence,
        mut ledger,
        mut requests,
        mut founded,
        mut joined,
        mut rng,
        mut cohorts,
    } = outputs;
    if !clock.is_day_end() {
        return;
    }
    let day = clock.day();
    let p = &*params;
    let s = &mut *society;

    settlement_conditions(
        s, p, &logistics, &scale, &grid, &index, &violence, &supplies, &units,
    );
    let refuge = besieged_exits(s, p, &sieges, &scale);
    for v in violence.level.iter_mut() {
        *v *= p.violence_decay as f32;
    }
    let radius = scale.tiles(p.recruit_km) as f32;
    let mut recruit_cell = recruiting_cells(s, &index, radius);
    let rivals = (&cells, &*factions, seed.0, day);
    super::rivalry::share_recruits(&mut recruit_cell, s, &index, radius, rivals);
    let mut capacity = capacity(&recruit_cell, &cells, p);

    let ctx = DayContext {
        p,
        activation: &activation,
        towns: &s.towns,
        seed: seed.0,
        day,
        arrest_pr: DayContext::arrest_pr(&s.towns, p, &activation),
        arrest_chance: DayContext::arrest_chance(&s.towns, p),
        pressure: DayContext::pressure(&s.towns, p),
        arbitrary: army_params.arbitrary_arrests,
        safe: safest_town(s),
        refuge,
        free: 1.0 - s.jailed as f64 / p.detention_places.max(1e-9),
    };
    let quotas = quotas(&cohorts, &s.towns);
    run_blocks(&mut cohorts, &ctx, &quotas, &mut outs);
    let (mut tallies, killed_total) = merge(&outs, s.towns.len());
    let mut recruits_total = recruits_reach_cells(
        &mut cohorts,
        &outs,
        &recruit_cell,
        &mut capacity,
        &mut tallies,
    );
    relocate(&mut cohorts, &outs);

    // Founding cells where recruits wait with no cell near (decentralised growth), or
    // asking the command for one (central growth).
    requests.waiting.clear();
    let mut founding: Vec<bool> = vec![false; s.towns.len()];
    for (k, t) in tallies.iter().enumerate() {
        if t.waiting >= p.found_cell_recruits {
            if rng.0.random::<f64>() < iparams.autonomy * p.found_cell_per_day {
                founding[k] = true;
            } else {
                requests.waiting.push((
                    s.towns[k].entity.expect("entity"),
                    s.towns[k].tile,
                    t.waiting as f32,
                ));
            }
        }
    }
    if founding.iter().any(|f| *f) {
        let gathered = gather_founders(&mut cohorts, &founding, p);
        for (k, &n) in gathered.iter().enumerate() {
            if n == 0 {
                continue;
            }
            founded.post(CellFounded {
                tile: s.towns[k].tile,
                fighters: n as f32,
            });
            tallies[k].recruits += n;
            recruits_total += n;
            ledger.cells_founded.one();
        }
    }
    send_recruits(&tallies, &founding, &recruit_cell, &mut joined);
    aggregate(s, &tallies);
    ledger.recruits.add(recruits_total as u32);
    ledger.killed += killed_total;
}

/// Each settlement's scarcity, services, exposure to violence, state forces and the
/// legitimacy that follows from abuses, answered and unanswered attacks and services.
#[allow(clippy::too_many_arguments)]
fn settlement_conditions(
    s: &mut Society,
    p: &SocietyParams,
    logistics: &LogisticsParams,
    scale: &Scale,
    grid: &TerrainGrid,
    index: &SpatialIndex,
    violence: &Violence,
    supplies: &Query<&Supplies>,
    units: &Query<(&ArmyUnit, &Position)>,
) {
    let exposure_r = scale.tiles(p.exposure_km).ceil() as i32;
    let policing = scale.tiles(p.policing_km) as f32;
    for c in s.towns.iter_mut() {
        let e = c.entity.expect("towns have entities");
        if let Ok(sup) = supplies.get(e) {
            c.scarcity = sup.scarcity(logistics.price_reference_days);
            c.services_cut = !sup.electricity || !sup.schools;
        }
        let mut v = 0.0f64;
        let (tx, ty) = (i32::from(c.tile.x), i32::from(c.tile.y));
        for dy in -exposure_r..=exposure_r {
            for dx in -exposure_r..=exposure_r {
                if grid.contains(tx + dx, ty + dy) {
                    v += f64::from(
                        violence.level[grid.index(Tile::new((tx + dx) as u16, (ty + dy) as u16))],
                    );
                }
            }
        }
        c.exposure = (v / p.exposure_reference).min(1.0);
        // The layer decays by `violence_decay` a day, so v (1 - decay) is about a day's
        // violence around the settlement.
        c.flight = (p.displaced_per_violence * v * (1.0 - p.violence_decay)
            / (c.people.max(1) as f64))
            .min(1.0);
        // Hunger drives people out as violence does.
        if supplies.get(e).is_ok_and(|sup| sup.food_met_today < 0.5) {
            c.flight = (c.flight + p.hunger_flight_per_day).min(1.0);
        }
        let mut soldiers = 0.0;
        index.within(&index.army, c.tile, policing, |en| {
            if let Ok((u, _)) = units.get(en.entity) {
                soldiers += f64::from(u.soldiers);
            }
        });
        c.soldiers_near = soldiers;
        c.cops = soldiers / p.soldiers_per_cop + c.people as f64 / 1000.0 * p.police_per_1000;
        let cut = if c.services_cut { 1.0 } else { 0.0 };
        // Abuses weigh by how much of the settlement they touch: per 100 cohorts
        // (10,000 people); a strike that kills civilians counts `harm_abuses` times.
        let per_100 = 100.0 / f64::from(c.cohorts.max(1));
        let abuses = f64::from(c.abuses_today) + p.harm_abuses * f64::from(c.harm_events_today);
        c.legitimacy = (c.legitimacy + p.governance_rate * (p.base_legitimacy - c.legitimacy)
            - p.abuse_weight * abuses * per_100.min(1.0)
            - p.unanswered_weight * f64::from(c.unanswered_today)
            - p.services_weight * cut
            + p.protection_weight * f64::from(c.answered_today))
        .clamp(0.0, 1.0);
    }
}

/// Recruits reach their cells: each settlement's, unless they founded a cell of their own.
fn send_recruits(
    tallies: &[DayTally],
    founding: &[bool],
    recruit_cell: &[Option<Entity>],
    joined: &mut Inbox<RecruitsJoin>,
) {
    for (k, t) in tallies.iter().enumerate() {
        if t.recruits == 0 || founding[k] {
            continue;
        }
        if let Some(cell) = recruit_cell[k] {
            joined.post(RecruitsJoin {
                cell,
                recruits: t.recruits as f32,
            });
        }
    }
}

/// Sieges: the ring traps most of those who would leave a besieged town
/// (`siege_trapped`); people who flee from within `siege_refuge_km` of a besieged town flee
/// into the nearest one. Returns, per settlement, the besieged town its people flee into
/// (empty without sieges).
fn besieged_exits(
    s: &mut Society,
    p: &SocietyParams,
    sieges: &Sieges,
    scale: &Scale,
) -> Vec<Option<usize>> {
    if sieges.active.is_empty() {
        return Vec::new();
    }
    let besieged: Vec<(usize, Tile)> = s
        .towns
        .iter()
        .enumerate()
        .filter(|(_, c)| c.entity.is_some_and(|e| sieges.of(e).is_some()))
        .map(|(k, c)| (k, c.tile))
        .collect();
    let reach = scale.tiles(p.siege_refuge_km);
    s.towns
        .iter_mut()
        .enumerate()
        .map(|(k, c)| {
            if besieged.iter().any(|b| b.0 == k) {
                c.flight *= 1.0 - p.siege_trapped;
                return None;
            }
            besieged
                .iter()
                .filter(|b| b.1.distance(c.tile) <= reach)
                .min_by(|a, b| {
                    a.1.distance(c.tile)
                        .total_cmp(&b.1.distance(c.tile))
                        .then(a.0.cmp(&b.0))
                })
                .map(|b| b.0)
        })
        .collect()
}

/// The nearest cell to each settlement within `radius` tiles (ties to the lower id): where
/// its recruits go.
fn recruiting_cells(s: &Society, index: &SpatialIndex, radius: f32) -> Vec<Option<Entity>> {
    s.towns
        .iter()
        .map(|c| {
            let mut best: Option<(f64, ActorId, Entity)> = None;
            index.within(&index.cells, c.tile, radius, |en| {
                let d = en.tile.distance(c.tile);
                if best.is_none_or(|b| (d, en.id) < (b.0, b.1)) {
                    best = Some((d, en.id, en.entity));
                }
            });
            best.map(|b| b.2)
        })
        .collect()
}

/// What each recruiting cell can still absorb today.
fn capacity(
    recruit_cell: &[Option<Entity>],
    cells: &Query<&Cell>,
    p: &SocietyParams,
) -> Vec<(Entity, f32)> {
    let mut capacity: Vec<(Entity, f32)> = Vec::new();
    for e in recruit_cell.iter().flatten() {
        if !capacity.iter().any(|(c, _)| c == e)
            && let Ok(cell) = cells.get(*e)
        {
            capacity.push((*e, cell.fighters * p.absorb_per_day as f32));
        }
    }
    capacity
}

/// The recruits the active cohorts offered reach the cell nearest their settlement while
/// it can take them, in block order; the rest wait. Returns how many joined.
fn recruits_reach_cells(
    cohorts: &mut Cohorts,
    outs: &[BlockOut],
    recruit_cell: &[Option<Entity>],
    capacity: &mut [(Entity, f32)],
    tallies: &mut [DayTally],
) -> u64 {
    let mut joined = 0;
    for (block, out) in cohorts.blocks.iter_mut().zip(outs) {
        for &(i, k, r) in &out.offers {
            let k = usize::from(k);
            let room = recruit_cell[k].and_then(|e| capacity.iter_mut().find(|(c, _)| *c == e));
            let t = &mut tallies[k];
            match room {
                Some((_, room)) if *room > 0.0 => {
                    let co = &mut block.cohorts[i as usize];
                    *room -= f32::from(r);
                    co.size -= r;
                    co.armed = true;
                    t.recruits += u64::from(r);
                    joined += u64::from(r);
                }
                _ => t.waiting += f64::from(r),
            }
        }
    }
    joined
}

/// The founders of the new cells leave their cohorts: about `found_cell_recruits` people
/// from the active cohorts of each founding settlement that have not yet given recruits.
/// Returns how many joined at each settlement.
fn gather_founders(cohorts: &mut Cohorts, founding: &[bool], p: &SocietyParams) -> Vec<u64> {
    let mut joined = vec![0u64; founding.len()];
    // Only the blocks of founding settlements: a block holds cohorts of its settlement
    // alone (after `relocate`), in the order of the pass.
    let blocks = cohorts
        .blocks
        .iter_mut()
        .filter(|b| founding.get(usize::from(b.town)) == Some(&true));
    for co in blocks.flat_map(|b| b.cohorts.iter_mut()) {
        let k = usize::from(co.home);
        if k < founding.len()
            && founding[k]
            && (joined[k] as f64) < p.found_cell_recruits
            && co.active
            && !co.armed
            && co.state != CohortState::Jailed
            && co.size > 0
        {
            let r = ((f64::from(co.size) * p.recruit_share).ceil() as u16).min(co.size);
            co.size -= r;
            co.armed = true;
            joined[k] += u64::from(r);
        }
    }
    joined
}

/// Settlement aggregates for tomorrow and the society-wide means; today's counters reset.
fn aggregate(s: &mut Society, tallies: &[DayTally]) {
    let (mut g, mut l, mut people, mut act_people, mut jailed, mut displaced, mut informants) =
        (0.0, 0.0, 0u64, 0u64, 0u64, 0u64, 0u64);
    let share = |n: u64, of: u64| if of > 0 { n as f64 / of as f64 } else { 0.0 };
    for (t, c) in tallies.iter().zip(s.towns.iter_mut()) {
        c.actives = t.actives;
        c.cohorts = t.cohorts;
        c.people = t.people;
        c.mean_grievance = if t.people > 0 {
            t.grievance / t.people as f64
        } else {
            0.0
        };
        c.informants = share(t.informants, t.people);
        c.sympathisers = share(t.sympathisers, t.people);
        c.abuses_today = t.abuses;
        c.arrests_today = t.arrested;
        c.displaced_in = t.displaced;
        c.displaced_out = t.displaced_out;
        c.jailed = t.jailed;
        c.waiting_recruits = t.waiting;
        g += t.grievance;
        l += t.legitimacy;
        people += t.people;
        act_people += t.sympathisers;
        jailed += t.jailed;
        displaced += t.displaced;
        informants += t.informants;
    }
    // Abuses by arbitrary arrest weigh on legitimacy tomorrow; today's other counters reset.
    // Pending deaths that found no one (an emptied settlement) are dropped, not counted.
    for c in s.towns.iter_mut() {
        c.harm_events_today = 0;
        c.attacks_today = 0;
        c.unanswered_today = 0;
        c.answered_today = 0;
        c.pending_killed = (0, 0);
    }
    s.mean_grievance = if people > 0 { g / people as f64 } else { 0.0 };
    s.mean_legitimacy = if people > 0 { l / people as f64 } else { 0.0 };
    s.active_share = share(act_people, people);
    s.jailed = jailed;
    s.displaced = displaced;
    s.informant_share = share(informants, people);
}

/// Where the displaced go: the settlement with the least exposure among the three most
/// populous (the capital, usually).
fn safest_town(s: &Society) -> Option<usize> {
    let mut by_size: Vec<(u64, usize)> = s
        .towns
        .iter()
        .enumerate()
        .map(|(k, c)| (c.people, k))
        .collect();
    by_size.sort_by(|a, b| b.cmp(a));
    by_size
        .iter()
        .take(3)
        .min_by(|a, b| {
            s.towns[a.1]
                .exposure
                .total_cmp(&s.towns[b.1].exposure)
                .then(a.1.cmp(&b.1))
        })
        .map(|x| x.1)
}
