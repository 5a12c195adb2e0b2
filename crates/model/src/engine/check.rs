//! Parameter checks shared by every submodel's parameter struct.
//!
//! Each parameter struct knows its own rules (a probability lies in [0, 1], a speed is
//! positive ...). It reports every broken rule with the dotted path of the field, so the
//! scenario loader can tell the user exactly which line of which file to fix.

/// One broken rule: where (a dotted path such as `params.society.k`) and what was expected.
#[derive(Clone, Debug, PartialEq)]
pub struct Violation {
    pub path: String,
    pub rule: String,
}

/// Collects violations while walking a parameter tree.
#[derive(Default, Debug)]
pub struct Checker {
    prefix: Vec<String>,
    pub violations: Vec<Violation>,
}

impl Checker {
    pub fn new() -> Self {
        Self::default()
    }

    /// Runs `f` with `name` appended to the current path.
    pub fn scope(&mut self, name: impl Into<String>, f: impl FnOnce(&mut Self)) {
        self.prefix.push(name.into());
        f(self);
        self.prefix.pop();
    }

    fn path(&self, field: &str) -> String {
        let mut p = self.prefix.join(".");
        if !field.is_empty() {
            if !p.is_empty() {
                p.push('.');
            }
            p.push_str(field);
        }
        p
    }

    pub fn fail(&mut self, field: &str, rule: impl Into<String>) {
        let path = self.path(field);
        self.violations.push(Violation {
            path,
            rule: rule.into(),
        });
    }

    /// A probability or share: a finite number in [0, 1].
    pub fn probability(&mut self, field: &str, value: f64) {
        if !(0.0..=1.0).contains(&value) || !value.is_finite() {
            self.fail(
                field,
                format!("must be a probability in [0, 1], got {value}"),
            );
        }
    }

    /// A finite number >= 0.
    pub fn non_negative(&mut self, field: &str, value: f64) {
        if !(value >= 0.0 && value.is_finite()) {
            self.fail(field, format!("must be a finite number >= 0, got {value}"));
        }
    }

    /// A finite number > 0.
    pub fn positive(&mut self, field: &str, value: f64) {
        if !(value > 0.0 && value.is_finite()) {
            self.fail(field, format!("must be a finite number > 0, got {value}"));
        }
    }

    /// A finite number in [lo, hi].
    pub fn within(&mut self, field: &str, value: f64, lo: f64, hi: f64) {
        if !(value >= lo && value <= hi && value.is_finite()) {
            self.fail(field, format!("must lie in [{lo}, {hi}], got {value}"));
        }
    }

    pub fn is_empty(&self) -> bool {
        self.violations.is_empty()
    }
}

/// Parameter structs implement this to report their broken rules.
pub trait Validate {
    fn validate(&self, check: &mut Checker);
}
