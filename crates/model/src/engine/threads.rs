//! Whether this process may use rayon's thread pool. A process forked after the pool
//! started (Python's `multiprocessing`, which the EMA Workbench uses, forks its workers)
//! keeps the pool's bookkeeping but not its threads, and a parallel pass in the child would
//! wait for them forever. Such a child runs its passes one block after another: the same
//! bytes, since every parallel pass in the model is split into fixed pieces with their own
//! streams.

use std::sync::OnceLock;

/// The process that first asked: the one whose pool this is.
static OWNER: OnceLock<u32> = OnceLock::new();

/// True unless this process was forked from one that had already asked.
pub fn pool_usable() -> bool {
    let me = std::process::id();
    *OWNER.get_or_init(|| me) == me
}
