//! The torus, the vision neighbourhoods as row spans, and the count grids.
//!
//! Every neighbourhood used here is symmetric (it contains -d whenever it contains d) and is
//! a union of row spans centred on the agent's column: row `dy` holds the columns
//! `-half..=half`. So "how many cops can a citizen at cell p see" equals "how many cops
//! have p in their own neighbourhood", and a count grid is kept up to date by adding one
//! to a few contiguous slices when an agent arrives and subtracting one when it leaves.

use serde::{Deserialize, Serialize};

/// The cells an agent sees (its own cell is never part of it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NeighbourhoodKind {
    /// Cells within Manhattan distance floor(vision) (Epstein's "north, south, east and
    /// west" vision; Mesa's example).
    #[default]
    VonNeumann,
    /// Cells within Euclidean distance `vision` (NetLogo's Rebellion, `in-radius`).
    Disc,
    /// The (2 floor(vision) + 1)^2 square (Chebyshev distance).
    Moore,
    /// The floor(vision) cells straight north, south, east and west (Sugarscape's vision,
    /// the literal reading of Epstein's definition).
    Cross,
}

/// A neighbourhood as spans: `(dy, half)` means the cells `(x + dx, y + dy)` with
/// `|dx| <= half`. The centre cell is included in the spans and excluded by the users.
#[derive(Clone, Debug, PartialEq)]
pub struct Neighbourhood {
    pub kind: NeighbourhoodKind,
    pub radius: u32,
    pub spans: Vec<(i32, i32)>,
    /// Every offset of the neighbourhood but the centre, for sampling.
    pub offsets: Vec<(i32, i32)>,
}

impl Neighbourhood {
    pub fn new(kind: NeighbourhoodKind, vision: f64) -> Self {
        let vision = vision.max(0.0);
        let r = vision.floor() as i32;
        let mut spans = Vec::new();
        for dy in -r..=r {
            let half = match kind {
                NeighbourhoodKind::VonNeumann => r - dy.abs(),
                NeighbourhoodKind::Moore => r,
                NeighbourhoodKind::Cross => {
                    if dy == 0 {
                        r
                    } else {
                        0
                    }
                }
                NeighbourhoodKind::Disc => {
                    let mut h = 0;
                    while f64::from((h + 1) * (h + 1) + dy * dy) <= vision * vision {
                        h += 1;
                    }
                    h
                }
            };
            spans.push((dy, half));
        }
        let offsets = spans
            .iter()
            .flat_map(|&(dy, half)| (-half..=half).map(move |dx| (dx, dy)))
            .filter(|&d| d != (0, 0))
            .collect();
        Self {
            kind,
            radius: r as u32,
            spans,
            offsets,
        }
    }

    /// Cells seen, the centre excluded.
    pub fn size(&self) -> usize {
        self.offsets.len()
    }
}

/// A `width` x `height` torus; cells are numbered row by row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Torus {
    pub width: u32,
    pub height: u32,
    /// ceil(2^64 / width): `cell / width` as a multiplication (Lemire, Kaser and Kurz 2019,
    /// "Faster remainder by direct computation", exact for every 32-bit numerator), since
    /// a division costs a dozen cycles and every move starts with one.
    reciprocal: u64,
}

impl Torus {
    pub fn new(width: u32, height: u32) -> Self {
        assert!(width >= 2, "a torus at least 2 cells wide");
        Self {
            width,
            height,
            reciprocal: u64::MAX / u64::from(width) + 1,
        }
    }

    pub fn cells(self) -> usize {
        self.width as usize * self.height as usize
    }

    #[inline]
    pub fn xy(self, cell: u32) -> (i32, i32) {
        let y = ((u128::from(cell) * u128::from(self.reciprocal)) >> 64) as u32;
        ((cell - y * self.width) as i32, y as i32)
    }

    /// The cell at offset `(dx, dy)` from `cell`; offsets must not exceed the torus size.
    #[inline]
    pub fn offset(self, cell: u32, d: (i32, i32)) -> u32 {
        self.offset_xy(self.xy(cell), d)
    }

    /// The cell at offset `(dx, dy)` from `(x, y)`.
    #[inline]
    pub fn offset_xy(self, (x, y): (i32, i32), (dx, dy): (i32, i32)) -> u32 {
        let x = wrap(x + dx, self.width as i32);
        let y = wrap(y + dy, self.height as i32);
        (y as u32) * self.width + x as u32
    }

    /// Calls `f` with each contiguous slice of cell indices covered by the neighbourhood of
    /// `cell` (centre included): at most two slices per span row.
    #[inline]
    pub fn for_each_slice(self, hood: &Neighbourhood, cell: u32, mut f: impl FnMut(usize, usize)) {
        let (w, h) = (self.width as i32, self.height as i32);
        let (x, y) = self.xy(cell);
        for &(dy, half) in &hood.spans {
            let row = wrap(y + dy, h) as usize * w as usize;
            let (x0, x1) = (x - half, x + half + 1);
            if x0 < 0 {
                f(row + (x0 + w) as usize, row + w as usize);
                f(row, row + x1 as usize);
            } else if x1 > w {
                f(row + x0 as usize, row + w as usize);
                f(row, row + (x1 - w) as usize);
            } else {
                f(row + x0 as usize, row + x1 as usize);
            }
        }
    }

    /// Adds `delta` (wrapping: a subtraction is the two's complement) to the count of every
    /// cell that sees `cell`, that is every cell of its neighbourhood but itself.
    #[inline]
    pub fn bump<T: Counter>(self, grid: &mut [T], hood: &Neighbourhood, cell: u32, delta: T) {
        self.for_each_slice(hood, cell, |a, b| {
            for c in &mut grid[a..b] {
                *c = c.plus(delta);
            }
        });
        let c = &mut grid[cell as usize];
        *c = c.minus(delta);
    }
}

/// A wrapping counter cell of a count grid.
pub trait Counter: Copy {
    fn plus(self, d: Self) -> Self;
    fn minus(self, d: Self) -> Self;
}

impl Counter for u16 {
    #[inline]
    fn plus(self, d: Self) -> Self {
        self.wrapping_add(d)
    }
    #[inline]
    fn minus(self, d: Self) -> Self {
        self.wrapping_sub(d)
    }
}

impl Counter for u32 {
    #[inline]
    fn plus(self, d: Self) -> Self {
        self.wrapping_add(d)
    }
    #[inline]
    fn minus(self, d: Self) -> Self {
        self.wrapping_sub(d)
    }
}

/// One bit per cell.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BitGrid(Vec<u64>);

impl BitGrid {
    pub fn new(cells: usize) -> Self {
        Self(vec![0; cells.div_ceil(64)])
    }

    /// The words, for a board shared between threads (`super::board::Shared`).
    pub(super) fn words_mut(&mut self) -> &mut [u64] {
        &mut self.0
    }

    #[inline]
    pub fn get(&self, cell: usize) -> bool {
        self.0[cell >> 6] >> (cell & 63) & 1 != 0
    }

    #[inline]
    pub fn set(&mut self, cell: usize) {
        self.0[cell >> 6] |= 1 << (cell & 63);
    }

    #[inline]
    pub fn clear(&mut self, cell: usize) {
        self.0[cell >> 6] &= !(1 << (cell & 63));
    }

    /// Set bits in `a..b`.
    #[inline]
    pub fn count(&self, a: usize, b: usize) -> u32 {
        (a..b).filter(|&c| self.get(c)).count() as u32
    }

    /// The `k`-th set bit in `a..b`, or the number of set bits there if there are at most `k`.
    #[inline]
    pub fn nth(&self, a: usize, b: usize, k: &mut u32) -> Option<usize> {
        for c in a..b {
            if self.get(c) {
                if *k == 0 {
                    return Some(c);
                }
                *k -= 1;
            }
        }
        None
    }
}

#[inline]
fn wrap(v: i32, n: i32) -> i32 {
    if v < 0 {
        v + n
    } else if v >= n {
        v - n
    } else {
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neighbourhood_sizes() {
        assert_eq!(
            Neighbourhood::new(NeighbourhoodKind::VonNeumann, 1.7).size(),
            4
        );
        assert_eq!(Neighbourhood::new(NeighbourhoodKind::Disc, 1.7).size(), 8);
        assert_eq!(Neighbourhood::new(NeighbourhoodKind::Moore, 1.7).size(), 8);
        assert_eq!(
            Neighbourhood::new(NeighbourhoodKind::VonNeumann, 7.0).size(),
            112
        );
        // Integer points with x^2 + y^2 <= 49, less the centre.
        assert_eq!(Neighbourhood::new(NeighbourhoodKind::Disc, 7.0).size(), 148);
        assert_eq!(
            Neighbourhood::new(NeighbourhoodKind::Moore, 7.0).size(),
            224
        );
        assert_eq!(Neighbourhood::new(NeighbourhoodKind::Cross, 7.0).size(), 28);
    }

    #[test]
    fn xy_by_reciprocal_is_exact() {
        for width in [2, 3, 7, 40, 641, 1000, 1024, 4095, 65_521, 92_681] {
            let t = Torus::new(width, 2);
            let mut cells: Vec<u32> = (0..5000).collect();
            cells.extend((0..5000u32).map(|i| u32::MAX - i));
            cells.extend((1..2000u32).flat_map(|k| [k * width - 1, k * width, k * width + 1]));
            for cell in cells {
                assert_eq!(
                    t.xy(cell),
                    ((cell % width) as i32, (cell / width) as i32),
                    "{cell} / {width}"
                );
            }
        }
    }

    #[test]
    fn bump_matches_brute_force_on_the_torus() {
        let t = Torus::new(9, 7);
        for kind in [
            NeighbourhoodKind::VonNeumann,
            NeighbourhoodKind::Disc,
            NeighbourhoodKind::Moore,
            NeighbourhoodKind::Cross,
        ] {
            let hood = Neighbourhood::new(kind, 2.5);
            for cell in 0..t.cells() as u32 {
                let mut grid = vec![0u16; t.cells()];
                t.bump(&mut grid, &hood, cell, 1u16);
                let mut expect = vec![0u16; t.cells()];
                for &o in &hood.offsets {
                    expect[t.offset(cell, o) as usize] += 1;
                }
                assert_eq!(grid, expect, "{kind:?} {cell}");
                t.bump(&mut grid, &hood, cell, 1u16.wrapping_neg());
                assert!(grid.iter().all(|&c| c == 0));
            }
        }
    }
}
