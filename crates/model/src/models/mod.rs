//! Models put together from the engine, the world and the domains.

pub mod civil_violence;
pub mod conflict;
