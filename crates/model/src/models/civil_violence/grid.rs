//! The torus, the vision neighbourhoods as row spans, and the count grids.
//!
//! Every neighbourhood used here is symmetric (it contains -d whenever it contains d) and is
//! a union of row spans centred on the agent's column: row `dy` holds the columns
//! `-half..=half`. So "how many cops can a citizen at cell p see" equals "how many cops
//! have p in their own neighbourhood", and a count grid is kept up to date by adding one
//! to a few contiguous slices when an agent arrives and subtracting one when it leaves.

use crate::engine::rng::{ModelRng, RngExt};
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

/// Bits of one draw of a cell when five are taken from one 64-bit word (see `Reach::lanes`).
pub const LANE_BITS: u32 = 12;
/// Draws of a cell taken from one 64-bit word.
pub const LANES_PER_WORD: usize = (64 / LANE_BITS) as usize;
/// Values of a 12-bit draw.
const LANE_VALUES: usize = 1 << LANE_BITS;
/// The largest neighbourhood drawn five to a word: up to it, fewer than one 12-bit draw in
/// eight is rejected (4096 mod n of 4096; 100 of 4096 for vision 7's disc of 148 cells).
pub const LANES_UP_TO: usize = 512;

/// The cells of a neighbourhood around any cell of a torus, found by two table lookups
/// rather than by wrapping arithmetic: the cell at offset `(dx, dy)` from `(x, y)` is
/// `rows[y + dy + r] + cols[x + dx + r]`, where the tables hold the wrapped row starts and
/// columns of `-r ..= h - 1 + r` and `-r ..= w - 1 + r`. The random empty-cell draws of
/// every move go through it.
#[derive(Clone, Debug, PartialEq)]
pub struct Reach {
    radius: usize,
    /// `Neighbourhood::offsets` in their order, as `(dx + r, dy + r)`.
    offsets: Vec<(u32, u32)>,
    /// `(i - r) mod width`, for `i` in `0 .. width + 2 r`.
    cols: Vec<u32>,
    /// `((i - r) mod height) * width`, for `i` in `0 .. height + 2 r`.
    rows: Vec<u32>,
    /// For neighbourhoods of up to [`LANES_UP_TO`] cells, the offset drawn by each 12-bit
    /// value, as `dx + r | (dy + r) << 16`: each of the n offsets `q = floor(4096 / n)`
    /// times, in order, and the centre `(r, r)` for the `4096 - q n` values left over. The
    /// centre is the drawing agent's own cell, always occupied, so those values are
    /// rejected like an occupied cell, and the accepted ones draw every cell of the
    /// neighbourhood with the same probability `q / 4096`.
    lanes: Option<Box<[u32; LANE_VALUES]>>,
}

impl Reach {
    pub fn new(torus: Torus, hood: &Neighbourhood) -> Self {
        let r = hood.radius as i64;
        let (w, h) = (i64::from(torus.width), i64::from(torus.height));
        let offsets = hood
            .offsets
            .iter()
            .map(|&(dx, dy)| {
                let (dx, dy) = (i64::from(dx) + r, i64::from(dy) + r);
                // The bound `Around::at` relies on.
                assert!(
                    (0..=2 * r).contains(&dx) && (0..=2 * r).contains(&dy),
                    "an offset beyond the neighbourhood's radius"
                );
                (dx as u32, dy as u32)
            })
            .collect::<Vec<_>>();
        let lanes = (offsets.len() <= LANES_UP_TO).then(|| {
            let q = LANE_VALUES / offsets.len();
            let centre = r as u32 | (r as u32) << 16;
            let mut lanes = Box::new([centre; LANE_VALUES]);
            for (k, &(dx, dy)) in offsets.iter().enumerate() {
                lanes[k * q..(k + 1) * q].fill(dx | dy << 16);
            }
            lanes
        });
        Self {
            radius: r as usize,
            offsets,
            lanes,
            cols: (0..w + 2 * r)
                .map(|i| (i - r).rem_euclid(w) as u32)
                .collect(),
            rows: (0..h + 2 * r)
                .map(|i| ((i - r).rem_euclid(h) * w) as u32)
                .collect(),
        }
    }

    /// The neighbourhood of `(x, y)`: its `k`-th cell, as `Torus::offset_xy` with
    /// `Neighbourhood::offsets[k]`, is `Around::cell(k)` (drawn by [`Around::random_cell`]).
    #[inline]
    pub fn around(&self, (x, y): (i32, i32)) -> Around<'_> {
        let side = 2 * self.radius + 1;
        Around {
            offsets: &self.offsets,
            rows: &self.rows[y as usize..y as usize + side],
            cols: &self.cols[x as usize..x as usize + side],
            lanes: self.lanes.as_deref(),
        }
    }
}

/// The neighbourhood of one cell (see [`Reach::around`]).
#[derive(Clone, Copy)]
pub struct Around<'a> {
    offsets: &'a [(u32, u32)],
    rows: &'a [u32],
    cols: &'a [u32],
    lanes: Option<&'a [u32; LANE_VALUES]>,
}

impl<'a> Around<'a> {
    /// The `k`-th cell of the neighbourhood (what [`Self::random_cell`] draws from; the
    /// tests check it against the torus's wrapping arithmetic).
    #[cfg(test)]
    pub fn cell(self, k: usize) -> u32 {
        let (dx, dy) = self.offsets[k];
        self.at(dx, dy)
    }

    /// A cell of the neighbourhood drawn uniformly: the `k`-th cell for a draw `k` below
    /// the neighbourhood's size, the draw's bound standing for the index's check (every
    /// move's draws of an empty cell come here, several a move).
    #[inline]
    pub fn random_cell(self, g: &mut ModelRng) -> u32 {
        let k = g.random_range(0..self.offsets.len() as u32) as usize;
        debug_assert!(k < self.offsets.len());
        // SAFETY: `random_range(0..n)` is below n (rand's contract).
        let (dx, dy) = unsafe { *self.offsets.get_unchecked(k) };
        self.at(dx, dy)
    }

    /// Draws five to a 64-bit word (see `Reach::lanes`), for a neighbourhood of up to
    /// [`LANES_UP_TO`] cells.
    #[inline]
    pub fn by_lanes(self) -> Option<ByLanes<'a>> {
        self.lanes.map(|table| ByLanes {
            table,
            around: self,
        })
    }

    /// The cell at offset `(dx, dy)` of the window, both at most 2 r.
    #[inline]
    fn at(self, dx: u32, dy: u32) -> u32 {
        debug_assert!((dx as usize) < self.cols.len() && (dy as usize) < self.rows.len());
        // SAFETY: `Reach::new` makes every offset at most 2 r, and `Reach::around` cuts
        // `rows` and `cols` 2 r + 1 long; the fields are private, so nothing else builds
        // an `Around`. (This runs several times a move: the two bounds checks were a
        // tenth of a draw's cost.)
        unsafe { *self.rows.get_unchecked(dy as usize) + *self.cols.get_unchecked(dx as usize) }
    }
}

/// The neighbourhood of one cell, drawn from 12 bits a cell (see `Reach::lanes`).
#[derive(Clone, Copy)]
pub struct ByLanes<'a> {
    table: &'a [u32; LANE_VALUES],
    around: Around<'a>,
}

impl ByLanes<'_> {
    /// The cell drawn by lane `l` (bits `12 l .. 12 l + 12`) of `word`: a cell of the
    /// neighbourhood, or the centre for a rejected value.
    #[inline(always)]
    pub fn cell(self, word: u64, l: usize) -> u32 {
        let e = self.table[(word >> (LANE_BITS as usize * l)) as usize & (LANE_VALUES - 1)];
        self.around.at(e & 0xFFFF, e >> 16)
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

/// For every cell, the packed counts of what an agent standing there would see, kept with
/// a margin: each row holds `r` ghost columns on either side, so a neighbourhood's row
/// span never wraps, and every row of a bump is the same fixed window of lanes starting
/// at the agent's column, with a mask per row (loads, adds and stores of whole vectors
/// rather than short loops that split at the edges). A cell's count is its own entry plus
/// its ghost's, if it has one (the `r` columns next to either edge).
#[derive(Clone, Debug, PartialEq)]
pub struct CountGrid {
    pub(super) shape: Margins,
    counts: Vec<u32>,
}

/// The layout of a [`CountGrid`] and how a bump covers it.
#[derive(Clone, Debug, PartialEq)]
pub struct Margins {
    torus: Torus,
    radius: u32,
    stride: usize,
    /// Lanes of a bump's window (2 r + 1 rounded up to 8), or 0 if the neighbourhood is
    /// too wide for windows (vision 16 and over), and bumps add over its spans.
    window: usize,
    /// Per row of the neighbourhood (dy = -r ..= r): `window` lanes, all ones where the
    /// row's span covers the lane.
    masks: Vec<u32>,
    /// Per row of the neighbourhood: the span's first lane and its length.
    spans: Vec<(usize, usize)>,
    /// Per column: the entry of its ghost, or of a lane that always holds zero.
    ghost: Vec<u32>,
    /// `((i - r) mod height) * stride` for `i` in `0 .. height + 2 r`: where row `dy`
    /// (0 ..= 2 r, from the top) of the neighbourhood of a cell in row `y` starts is
    /// `rows[y + dy]`, with no wrapping arithmetic.
    rows: Vec<usize>,
    /// The CPU has AVX2: windows are bumped 8 lanes at a time rather than 4 (the same
    /// sums).
    avx2: bool,
}

/// Entries of a count grid handed out for writing: a slice of it, or of a grid shared
/// between threads.
pub trait Lanes {
    fn lanes(&mut self, a: usize, b: usize) -> &mut [u32];
    fn lane(&self, i: usize) -> u32;
    /// Entries in all.
    fn entries(&self) -> usize;
    /// Where entry `a` is, to write a window of entries from there without a bounds check
    /// each (the caller checks them against [`Lanes::entries`]; the window is the caller's
    /// to write as [`Lanes::lanes`]'s would be).
    fn window(&mut self, a: usize) -> *mut u32;
}

impl Lanes for [u32] {
    #[inline]
    fn lanes(&mut self, a: usize, b: usize) -> &mut [u32] {
        &mut self[a..b]
    }
    #[inline]
    fn lane(&self, i: usize) -> u32 {
        self[i]
    }
    #[inline]
    fn entries(&self) -> usize {
        self.len()
    }
    #[inline]
    fn window(&mut self, a: usize) -> *mut u32 {
        self.as_mut_ptr().wrapping_add(a)
    }
}

/// Wider neighbourhoods than this bump over their spans.
const MAX_WINDOW: usize = 32;

impl Margins {
    fn new(torus: Torus, hood: &Neighbourhood) -> Self {
        let (w, r) = (torus.width as usize, hood.radius as usize);
        let lanes = (2 * r + 1).div_ceil(8) * 8;
        let window = if lanes <= MAX_WINDOW { lanes } else { 0 };
        let mut masks = vec![0u32; (2 * r + 1) * window];
        let mut spans = Vec::with_capacity(2 * r + 1);
        for (i, &(_, half)) in hood.spans.iter().enumerate() {
            let (first, len) = (r - half as usize, 2 * half as usize + 1);
            spans.push((first, len));
            if window > 0 {
                masks[i * window + first..i * window + first + len].fill(u32::MAX);
            }
        }
        if window > 0 {
            // The cell itself does not see itself: its lane is left out of the middle row.
            masks[r * window + r] = 0;
        }
        // Room for the window at the last column, and one lane past the ghosts that no
        // mask ever covers: the zero that columns without a ghost read.
        let stride = w + lanes.max(2 * r + 1);
        let zero = stride - 1;
        let ghost = (0..w)
            .map(|x| {
                if x < r {
                    x + r + w
                } else if x + r >= w {
                    x + r - w
                } else {
                    zero
                }
            } as u32)
            .collect();
        let h = torus.height as usize;
        let rows = (0..h + 2 * r)
            .map(|i| (i + h - r % h) % h * stride)
            .collect();
        Self {
            torus,
            radius: r as u32,
            stride,
            window,
            masks,
            spans,
            ghost,
            rows,
            avx2: has_avx2(),
        }
    }

    /// Entries of the whole grid.
    fn len(&self) -> usize {
        self.torus.height as usize * self.stride
    }

    /// The count of `cell` in `counts`.
    #[inline]
    pub fn get<L: Lanes + ?Sized>(&self, counts: &L, cell: u32) -> u32 {
        let (x, y) = self.torus.xy(cell);
        let row = y as usize * self.stride;
        let main = counts.lane(row + x as usize + self.radius as usize);
        main.wrapping_add(counts.lane(row + self.ghost[x as usize] as usize))
    }

    /// Adds `delta` (wrapping) to the count of every cell that sees `cell`, that is every
    /// cell of its neighbourhood but itself. Writes only rows within r of `cell` and
    /// columns within r + 1 (the window's last lane).
    #[inline(always)]
    pub fn bump<L: Lanes + ?Sized>(&self, counts: &mut L, cell: u32, delta: u32) {
        let (x, y) = self.torus.xy(cell);
        // A window of a size known when compiling is a few whole-vector operations; the
        // windows' masks leave the cell itself out.
        #[cfg(target_arch = "x86_64")]
        if self.avx2 {
            match self.window {
                // SAFETY: `avx2` says the CPU has AVX2.
                8 => return unsafe { self.bump_window_avx2::<8, L>(counts, x, y, delta) },
                16 => return unsafe { self.bump_window_avx2::<16, L>(counts, x, y, delta) },
                24 => return unsafe { self.bump_window_avx2::<24, L>(counts, x, y, delta) },
                32 => return unsafe { self.bump_window_avx2::<32, L>(counts, x, y, delta) },
                _ => {}
            }
        }
        match self.window {
            8 => self.bump_window::<8, L>(counts, x, y, delta),
            16 => self.bump_window::<16, L>(counts, x, y, delta),
            24 => self.bump_window::<24, L>(counts, x, y, delta),
            32 => self.bump_window::<32, L>(counts, x, y, delta),
            _ => self.bump_exact(counts, x, y, delta),
        }
    }

    /// [`Self::bump`], writing no entry more than r + 1 columns from `cell`: what the
    /// colour classes' threads rely on (`super::colour`). A window is the neighbourhood's
    /// 2 r + 1 columns rounded up to whole vectors, so one wider than 2 r + 2 (a vision of
    /// 1 has windows of 8) rewrites, unchanged, entries further off that another thread
    /// may be bumping at the same time, and an update would be lost: such neighbourhoods
    /// are bumped row span by row span instead (the same sums).
    #[inline(always)]
    pub fn bump_near<L: Lanes + ?Sized>(&self, counts: &mut L, cell: u32, delta: u32) {
        if self.window <= 2 * self.radius as usize + 2 {
            self.bump(counts, cell, delta);
        } else {
            let (x, y) = self.torus.xy(cell);
            self.bump_exact(counts, x, y, delta);
        }
    }

    /// The neighbourhood's spans, the cell itself taken out again.
    #[inline]
    fn bump_exact<L: Lanes + ?Sized>(&self, counts: &mut L, x: i32, y: i32, delta: u32) {
        self.bump_spans(counts, x, y, delta);
        let centre = y as usize * self.stride + x as usize + self.radius as usize;
        let c = &mut counts.lanes(centre, centre + 1)[0];
        *c = c.wrapping_sub(delta);
    }

    /// Where each row (dy = -r ..= r) of the neighbourhood of a cell in row `y` starts:
    /// the entry of column -r, to which the cell's column x is added (the grid's columns
    /// are shifted by r).
    #[inline]
    fn row_starts(&self, y: i32) -> &[usize] {
        &self.rows[y as usize..y as usize + 2 * self.radius as usize + 1]
    }

    #[inline(always)]
    fn bump_window<const W: usize, L: Lanes + ?Sized>(
        &self,
        counts: &mut L,
        x: i32,
        y: i32,
        delta: u32,
    ) {
        for (masks, &row) in self.masks.chunks_exact(W).zip(self.row_starts(y)) {
            let start = row + x as usize;
            let lanes: &mut [u32; W] = counts.lanes(start, start + W).try_into().expect("a window");
            add_masked(lanes, masks.try_into().expect("a window"), delta);
        }
    }

    /// [`Self::bump_window`] with AVX2: eight lanes an operation.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn bump_window_avx2<const W: usize, L: Lanes + ?Sized>(
        &self,
        counts: &mut L,
        x: i32,
        y: i32,
        delta: u32,
    ) {
        // Every window lies within the grid: a row starts at most at (h - 1) stride, and a
        // window ends at x + W <= w - 1 + W < stride past it. Checked once here rather than
        // row by row (a third of the instructions of a row).
        assert!(
            (x as u32) < self.torus.width
                && (y as u32) < self.torus.height
                && counts.entries() >= self.len()
                && self.window == W
        );
        let d = delta;
        let rows = self.row_starts(y);
        debug_assert_eq!(self.masks.len(), rows.len() * W);
        // The window's column once; each row adds its start (a plain loop over pointers:
        // the zipped chunks' bookkeeping was a fifth of a bump).
        let at = counts.window(x as usize);
        let masks = self.masks.as_ptr();
        for (r, &row) in rows.iter().enumerate() {
            debug_assert!(row + x as usize + W <= self.len());
            // SAFETY: `row + x + W` is within the grid (above), and the caller may write
            // the window (`Lanes::window`); `masks` holds `W` lanes for each of the rows
            // (`Margins::new`).
            unsafe { add_masked_avx2::<W>(at.wrapping_add(row), masks.add(r * W), d) };
        }
    }

    #[inline]
    fn bump_spans<L: Lanes + ?Sized>(&self, counts: &mut L, x: i32, y: i32, delta: u32) {
        for (&(first, len), &row) in self.spans.iter().zip(self.row_starts(y)) {
            let start = row + x as usize + first;
            for c in counts.lanes(start, start + len) {
                *c = c.wrapping_add(delta);
            }
        }
    }
}

impl CountGrid {
    pub fn new(torus: Torus, hood: &Neighbourhood) -> Self {
        let shape = Margins::new(torus, hood);
        Self {
            counts: vec![0; shape.len()],
            shape,
        }
    }

    /// The count of `cell`.
    #[inline]
    pub fn get(&self, cell: u32) -> u32 {
        self.shape.get(&self.counts[..], cell)
    }

    /// Adds `delta` to the count of every cell that sees `cell`.
    #[inline]
    pub fn bump(&mut self, cell: u32, delta: u32) {
        self.shape.bump(&mut self.counts[..], cell, delta);
    }

    /// The layout and the raw entries, for a grid shared between threads
    /// (`super::board::Shared`).
    pub(super) fn parts_mut(&mut self) -> (&Margins, &mut [u32]) {
        (&self.shape, &mut self.counts)
    }

    /// Every cell's count (for consistency checks).
    pub fn unpacked(&self) -> Vec<u32> {
        (0..self.shape.torus.cells() as u32)
            .map(|c| self.get(c))
            .collect()
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

/// `lanes[k] += delta & masks[k]` (wrapping) for every lane, four at a time: the
/// compiler leaves this loop scalar, a store per lane, which made a cop's move cost
/// three times what it does with whole vectors.
#[inline(always)]
fn add_masked<const W: usize>(lanes: &mut [u32; W], masks: &[u32; W], delta: u32) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{
            __m128i, _mm_add_epi32, _mm_and_si128, _mm_loadu_si128, _mm_set1_epi32,
            _mm_storeu_si128,
        };
        const { assert!(W.is_multiple_of(4)) };
        // SAFETY: SSE2 is part of x86_64.
        let d = unsafe { _mm_set1_epi32(delta as i32) };
        for k in (0..W).step_by(4) {
            // SAFETY: SSE2 is part of x86_64; lanes k..k + 4 lie within both arrays, and
            // the loads and stores are unaligned ones.
            unsafe {
                let at = lanes.as_mut_ptr().add(k).cast::<__m128i>();
                let m = _mm_loadu_si128(masks.as_ptr().add(k).cast::<__m128i>());
                let v = _mm_loadu_si128(at);
                _mm_storeu_si128(at, _mm_add_epi32(v, _mm_and_si128(d, m)));
            }
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    for k in 0..W {
        lanes[k] = lanes[k].wrapping_add(delta & masks[k]);
    }
}

/// [`add_masked`] eight lanes at a time, on `W` lanes at `lanes` and `masks`.
///
/// # Safety
/// `lanes` and `masks` point to `W` lanes each, `lanes` writable, and the CPU has AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[inline]
unsafe fn add_masked_avx2<const W: usize>(lanes: *mut u32, masks: *const u32, delta: u32) {
    use std::arch::x86_64::{
        __m256i, _mm256_add_epi32, _mm256_and_si256, _mm256_loadu_si256, _mm256_set1_epi32,
        _mm256_storeu_si256,
    };
    const { assert!(W.is_multiple_of(8)) };
    let d = _mm256_set1_epi32(delta as i32);
    for k in (0..W).step_by(8) {
        // SAFETY: lanes k..k + 8 lie within both (the caller's word), and the loads and
        // stores are unaligned ones.
        unsafe {
            let at = lanes.add(k).cast::<__m256i>();
            let m = _mm256_loadu_si256(masks.add(k).cast::<__m256i>());
            let v = _mm256_loadu_si256(at);
            _mm256_storeu_si256(at, _mm256_add_epi32(v, _mm256_and_si256(d, m)));
        }
    }
}

/// The CPU has AVX2 (checked once, when a count grid is built).
fn has_avx2() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx2")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
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

    const EVERY_KIND: [NeighbourhoodKind; 4] = [
        NeighbourhoodKind::VonNeumann,
        NeighbourhoodKind::Disc,
        NeighbourhoodKind::Moore,
        NeighbourhoodKind::Cross,
    ];

    #[test]
    fn count_grid_matches_the_bumps_on_the_torus() {
        for (w, h) in [(9, 7), (40, 40), (23, 31), (80, 75)] {
            let t = Torus::new(w, h);
            for kind in EVERY_KIND {
                // Vision 35: too wide for windows, bumps add over spans.
                let vision = match w {
                    9 => 3.0,
                    80 => 35.0,
                    _ => 7.0,
                };
                let hood = Neighbourhood::new(kind, vision);
                // With AVX2 where the CPU has it, and with SSE2 alone.
                for avx2 in [has_avx2(), false] {
                    let mut grid = CountGrid::new(t, &hood);
                    grid.shape.avx2 = avx2;
                    let mut expect = vec![0u32; t.cells()];
                    for cell in (0..t.cells() as u32).step_by(3) {
                        let delta: u32 = if cell % 2 == 0 { 1 } else { 1 << 16 };
                        grid.bump(cell, delta);
                        t.bump(&mut expect, &hood, cell, delta);
                    }
                    assert_eq!(grid.unpacked(), expect, "{w} x {h} {kind:?} {avx2}");
                    for cell in (0..t.cells() as u32).step_by(3) {
                        let delta: u32 = if cell % 2 == 0 { 1 } else { 1 << 16 };
                        grid.bump(cell, delta.wrapping_neg());
                    }
                    assert!(grid.counts.iter().all(|&c| c == 0));
                }
            }
        }
    }

    #[test]
    fn reach_finds_the_cells_of_offset_xy() {
        for (w, h, vision) in [(9, 7, 3.0), (40, 40, 7.0), (15, 23, 7.5), (5, 5, 1.5)] {
            let t = Torus::new(w, h);
            for kind in EVERY_KIND {
                let hood = Neighbourhood::new(kind, vision);
                let reach = Reach::new(t, &hood);
                for cell in 0..t.cells() as u32 {
                    let around = reach.around(t.xy(cell));
                    for (k, &o) in hood.offsets.iter().enumerate() {
                        assert_eq!(around.cell(k), t.offset(cell, o), "{kind:?} {cell} {o:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn lanes_draw_every_cell_of_the_neighbourhood_equally_often() {
        let t = Torus::new(60, 50);
        for kind in EVERY_KIND {
            for vision in [1.0, 1.7, 3.0, 7.0, 12.5, 13.0, 20.0] {
                let hood = Neighbourhood::new(kind, vision);
                let n = hood.size();
                let reach = Reach::new(t, &hood);
                let cell = t.offset_xy((30, 25), (0, 0));
                let Some(lanes) = reach.around(t.xy(cell)).by_lanes() else {
                    assert!(n > LANES_UP_TO, "{kind:?} {vision}: {n} cells, no lanes");
                    continue;
                };
                assert!(n <= LANES_UP_TO, "{kind:?} {vision}: {n} cells");
                // Every 12-bit value, placed in each of the five lanes of a word.
                let mut drawn = std::collections::HashMap::<u32, usize>::new();
                for v in 0..LANE_VALUES as u64 {
                    for l in 0..LANES_PER_WORD {
                        let word =
                            v << (LANE_BITS as usize * l) | !0 << (LANE_BITS as usize * (l + 1));
                        *drawn.entry(lanes.cell(word, l)).or_default() += 1;
                    }
                }
                let q = LANE_VALUES / n;
                let per_lane = |c: u32| drawn.get(&c).copied().unwrap_or(0) / LANES_PER_WORD;
                assert_eq!(
                    per_lane(cell),
                    LANE_VALUES - q * n,
                    "{kind:?} {vision}: centre"
                );
                for &o in &hood.offsets {
                    assert_eq!(per_lane(t.offset(cell, o)), q, "{kind:?} {vision}: {o:?}");
                }
                assert_eq!(drawn.len(), n + usize::from(q * n < LANE_VALUES));
            }
        }
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
        for kind in EVERY_KIND {
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
