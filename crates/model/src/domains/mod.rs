//! The domains of the conflict model, one folder each.

pub mod army;
pub mod insurgency;
pub mod logistics;
pub mod militia;
pub mod society;
