//! Markets: settlements consume (rationed when short), prices follow the need met, services
//! stop when fuel runs short; the day's counters roll.

use super::data::*;
use crate::domains::insurgency::data::Sieges;
use crate::engine::calendar::Clock;
use crate::world::scale::Scale;
use bevy_ecs::prelude::*;

/// Daily, before the day's meals: a besieged town grows only what the ring leaves it of
/// its food (`siege_fields_denied` of its fields and water points are beyond reach), so it
/// must bring in more; a town whose siege is lifted grows its share again. The stock is
/// kept in people-days (see [`Supplies::set_local_food`]).
pub fn sieges_deny_fields(
    clock: Res<Clock>,
    params: Res<LogisticsParams>,
    sieges: Res<Sieges>,
    mut towns: Query<(Entity, &mut Supplies)>,
) {
    if !clock.is_day_end() {
        return;
    }
    for (e, mut s) in &mut towns {
        let local = if sieges.of(e).is_some() {
            params.local_food_share * (1.0 - params.siege_fields_denied)
        } else {
            params.local_food_share
        };
        s.set_local_food(local);
    }
}

/// Settlements consume fuel each tick (rationed when short) and food each day: their own
/// harvest (`local_food`) and a day of the rest from the stock, as far as it goes.
pub fn consume(
    clock: Res<Clock>,
    scale: Res<Scale>,
    params: Res<LogisticsParams>,
    mut towns: Query<&mut Supplies>,
) {
    let per_tick = scale.day_share();
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
            let eaten = s.food_days.min(1.0);
            s.food_met_today = s.local_food + (1.0 - s.local_food) * eaten;
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
        s.schools = schools_open(&mut s, days, clock.day(), &params);
        let short = s.fuel_used_today_l < 0.5 * s.fuel_need_l;
        if short {
            s.shortage_days += 1;
        }
        let is_capital = capital.as_ref().is_some_and(|c| c.0 == e);
        if is_capital {
            tally.capital_peak_price = tally.capital_peak_price.max(s.price_index);
        }
        if is_capital {
            tally.capital_school_days_closed += u32::from(!s.schools);
            tally.capital_days_without_power += u32::from(!s.electricity);
        }
        if is_capital && short {
            tally.capital_shortage_days += 1;
            if tally.capital_first_shortage_day.is_none() {
                tally.capital_first_shortage_day = Some(clock.day());
            }
        }
        s.fuel_used_today_l = 0.0;
        food_market(&mut s, &params, &mut tally);
        weighted += s.price_index * s.fuel_need_l;
        need += s.fuel_need_l;
    }
    let national = if need > 0.0 { weighted / need } else { 1.0 };
    tally.peak_price_index = tally.peak_price_index.max(national);
}

/// The food price follows the share of the whole food need met today as the fuel price
/// does (same elasticity, anticipation and stickiness: grain markets in besieged towns
/// doubled and tripled, WFP 2023); a day with less than half the need met is a day of
/// hunger.
fn food_market(s: &mut Supplies, params: &LogisticsParams, tally: &mut LogisticsTally) {
    let met = s.food_met_today.clamp(1e-3, 1.0);
    let thin = (1.0 - s.food_days / params.price_reference_days).clamp(0.0, 1.0);
    let target = ((1.0 / met).powf(params.price_elasticity) * (1.0 + 0.2 * thin))
        .clamp(1.0, params.price_max);
    s.food_price += params.price_adjust_per_day * (target - s.food_price);
    if s.food_met_today < 0.5 {
        s.hungry_days += 1;
        tally.hungry_town_days += 1;
    }
}

/// Whether a settlement's schools are open today: closed for `schools_closure_days` once
/// the stock has stayed at or below `schools_min_days` for the streak the authorities
/// tolerate, which doubles with each closure.
fn schools_open(s: &mut Supplies, days: f64, today: u32, p: &LogisticsParams) -> bool {
    if s.schools_closed_until.is_some_and(|until| today < until) {
        return false;
    }
    s.short_streak = if days <= p.schools_min_days {
        s.short_streak + 1
    } else {
        0
    };
    let tolerated = p
        .schools_short_streak_days
        .max(1)
        .saturating_mul(1u32.checked_shl(s.school_closures).unwrap_or(u32::MAX));
    if s.short_streak >= tolerated {
        s.schools_closed_until = Some(today + p.schools_closure_days);
        s.school_closures += 1;
        s.short_streak = 0;
        return p.schools_closure_days == 0;
    }
    true
}

/// Day end, after recording: today's counters start again, and the oldest day of the
/// drivers' memory of burnings is forgotten.
pub fn roll_day(
    clock: Res<Clock>,
    mut tally: ResMut<LogisticsTally>,
    mut queues: ResMut<CrossingQueues>,
) {
    if !clock.is_day_end() {
        return;
    }
    let delivered = tally.tankers_delivered.today;
    tally.delivered_by_day.push(delivered);
    let t = &mut *tally;
    for count in [
        &mut t.tankers_delivered,
        &mut t.goods_delivered,
        &mut t.tankers_destroyed,
        &mut t.trucks_destroyed,
        &mut t.trucks_turned_back,
        &mut t.air_sorties,
    ] {
        count.roll_day();
    }
    let tomorrow = clock.day() + 1;
    let q = &mut *queues;
    for memory in q
        .tanker_drivers
        .iter_mut()
        .chain(q.goods_drivers.iter_mut())
    {
        memory.forget(u64::from(tomorrow));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schools_close_after_a_sustained_shortage_and_the_bar_doubles() {
        let p = LogisticsParams::default();
        let mut s = Supplies {
            fuel_l: 0.0,
            fuel_need_l: 1.0,
            fuel_used_today_l: 0.0,
            food_days: 0.0,
            food_people: 1.0,
            local_food: 0.7,
            food_met_today: 1.0,
            food_price: 1.0,
            hungry_days: 0,
            price_index: 1.0,
            electricity: false,
            schools: true,
            schools_closed_until: None,
            short_streak: 0,
            school_closures: 0,
            shortage_days: 0,
        };
        let streak = p.schools_short_streak_days;
        let closure = p.schools_closure_days;
        let open: Vec<bool> = (0..300).map(|d| schools_open(&mut s, 0.0, d, &p)).collect();
        // Dry all along: open through the first streak, closed on its last day for the
        // closure; then a streak twice as long before the second closure.
        let first = (streak - 1) as usize;
        assert!(open[..first].iter().all(|o| *o) && !open[first]);
        assert!(open[first + closure as usize]);
        let second = first + closure as usize + 2 * streak as usize - 1;
        assert!(
            open[second - 1] && !open[second],
            "second closure on day {second}"
        );
        // The third comes after a streak four times as long (day 171 with the defaults).
        assert_eq!(s.school_closures, 3);
        // A dip shorter than the streak closes nothing.
        let mut dip = Supplies {
            schools_closed_until: None,
            short_streak: 0,
            school_closures: 0,
            ..s
        };
        let days = |d: u32| if d % streak < streak - 1 { 0.0 } else { 5.0 };
        assert!((0..200).all(|d| schools_open(&mut dip, days(d), d, &p)));
    }
}
