//! Time: ticks, days, dates and the rainy season.

use bevy_ecs::prelude::*;
use chrono::{Datelike, Days, NaiveDate};

/// The simulation clock. A tick is `hours_per_tick` hours; a day has `ticks_per_day` ticks.
#[derive(Resource, Clone, Debug)]
pub struct Clock {
    /// Ticks already completed.
    pub tick: u64,
    pub hours_per_tick: u32,
    pub start: NaiveDate,
}

impl Clock {
    pub fn new(start: NaiveDate, hours_per_tick: u32) -> Self {
        assert!(
            hours_per_tick > 0 && 24 % hours_per_tick == 0,
            "hours_per_tick must divide 24"
        );
        Self {
            tick: 0,
            hours_per_tick,
            start,
        }
    }

    pub fn ticks_per_day(&self) -> u64 {
        u64::from(24 / self.hours_per_tick)
    }

    /// Whole days elapsed since the start (day 0 is the start date).
    pub fn day(&self) -> u32 {
        (self.tick / self.ticks_per_day()) as u32
    }

    /// True during the last tick of a day: daily systems (society, observation) run then,
    /// after the day's movements and engagements.
    pub fn is_day_end(&self) -> bool {
        (self.tick + 1).is_multiple_of(self.ticks_per_day())
    }

    pub fn date(&self) -> NaiveDate {
        self.start + Days::new(u64::from(self.day()))
    }

    pub fn hours(&self) -> f64 {
        self.tick as f64 * f64::from(self.hours_per_tick)
    }
}

/// The season of the current day. The West African monsoon brings the rains from June to
/// October: off-road movement slows and fords flood.
#[derive(Resource, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Season {
    #[default]
    Dry,
    Rainy,
}

impl Season {
    /// The season that follows this one.
    pub fn other(self) -> Self {
        match self {
            Season::Dry => Season::Rainy,
            Season::Rainy => Season::Dry,
        }
    }

    pub fn of(date: NaiveDate) -> Self {
        if (6..=10).contains(&date.month()) {
            Season::Rainy
        } else {
            Season::Dry
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

/// Environment set: keeps the season in step with the calendar.
pub fn season_system(clock: Res<Clock>, mut season: ResMut<Season>) {
    let now = Season::of(clock.date());
    if *season != now {
        *season = now;
    }
}

/// Last system of the tick: the clock moves on.
pub fn advance_clock(mut clock: ResMut<Clock>) {
    clock.tick += 1;
}
