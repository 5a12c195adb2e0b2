//! Messages between domains. A domain never writes into another's state: it posts what
//! happened (a command struck, a cell founded, an attack answered, civilians harmed) to the
//! inbox of the domain that owns that state, and the owner applies it in a system of its
//! own, placed in the schedule before anything reads the state it changes.

use bevy_ecs::prelude::*;

/// Messages of one kind, in the order they were posted (so applying them is deterministic).
#[derive(Resource, Debug)]
pub struct Inbox<T: Send + Sync + 'static>(Vec<T>);

impl<T: Send + Sync + 'static> Default for Inbox<T> {
    fn default() -> Self {
        Self(Vec::new())
    }
}

impl<T: Send + Sync + 'static> Inbox<T> {
    pub fn post(&mut self, message: T) {
        self.0.push(message);
    }

    /// Takes every message out, oldest first (the buffer is kept for the next ones).
    pub fn drain(&mut self) -> std::vec::Drain<'_, T> {
        self.0.drain(..)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }
}
