//! Counts kept for the whole run and for the current day in one increment, so that a daily
//! metric and its run total can never drift apart.

/// A count of events: the run's total and today's.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Count {
    pub total: u64,
    pub today: u32,
}

impl Count {
    pub fn add(&mut self, n: u32) {
        self.total += u64::from(n);
        self.today += n;
    }

    pub fn one(&mut self) {
        self.add(1);
    }

    /// Day end, after recording: today's count starts again.
    pub fn roll_day(&mut self) {
        self.today = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn total_and_today_move_together_and_today_rolls() {
        let mut c = Count::default();
        c.add(3);
        c.one();
        assert_eq!((c.total, c.today), (4, 4));
        c.roll_day();
        c.add(2);
        assert_eq!((c.total, c.today), (6, 2));
    }
}
