//! Sensing: a spatial index of mobile actors, what insurgent cells see, and what the army
//! detects.
//!
//! The index buckets actors by coarse squares of tiles and is rebuilt from positions each
//! time it is needed (a few hundred actors: cheaper than tracking moves, and it allocates
//! nothing once warm); a layer whose actors neither came, went nor moved is kept as it is.
//! "Who is within r of here" visits only the buckets that overlap the disc, never all
//! pairs.

use crate::engine::geo::Tile;
use crate::world::actors::{ActorId, Position};
use bevy_ecs::prelude::*;

/// One indexed actor.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Entry {
    pub entity: Entity,
    pub id: ActorId,
    pub tile: Tile,
}

/// Actors of one kind, sorted by bucket then id (a counting sort: deterministic order).
#[derive(Default, Debug, Clone)]
pub struct Layer {
    entries: Vec<Entry>,
    /// The actors of the last rebuild in the order they came, and the next rebuild's.
    input: Vec<Entry>,
    incoming: Vec<Entry>,
    /// The bucket of each of `input`'s actors (apart from them: a (bucket, actor) pair
    /// was built through the stack, a stalled store each).
    buckets: Vec<u32>,
    /// Where bucket k's entries start; k + 1's start ends them.
    starts: Vec<u32>,
    /// The next free place of each bucket while the entries are placed.
    cursor: Vec<u32>,
}

impl Layer {
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }
}

/// Sorts a bucket's entries by id: a handful, mostly in order already (the
/// actors' query order follows their spawning).
fn insertion_sort_by_id(entries: &mut [Entry]) {
    for i in 1..entries.len() {
        let e = entries[i];
        let mut j = i;
        while j > 0 && entries[j - 1].id.0 > e.id.0 {
            entries[j] = entries[j - 1];
            j -= 1;
        }
        entries[j] = e;
    }
}

/// The spatial index of cells, army units and convoys.
#[derive(Resource, Debug, Clone)]
pub struct SpatialIndex {
    /// Edge of a bucket in tiles: a power of two, `1 << shift`, so that a tile's bucket is
    /// a shift, not a division (four of them in every query).
    pub bucket: u16,
    shift: u32,
    bw: u16,
    bh: u16,
    pub cells: Layer,
    pub army: Layer,
    pub convoys: Layer,
}

impl SpatialIndex {
    /// An empty index of buckets of `bucket` tiles a side, rounded up to a power of two.
    pub fn new(width: u16, height: u16, bucket: u16) -> Self {
        let bucket = bucket.max(1).next_power_of_two();
        Self {
            bucket,
            shift: bucket.trailing_zeros(),
            bw: width.div_ceil(bucket),
            bh: height.div_ceil(bucket),
            cells: Layer::default(),
            army: Layer::default(),
            convoys: Layer::default(),
        }
    }

    /// Refills one layer from an iterator of actors.
    pub fn rebuild(&mut self, which: LayerKind, items: impl Iterator<Item = Entry>) {
        let nb = usize::from(self.bw) * usize::from(self.bh);
        let (shift, bw) = (self.shift, self.bw);
        let layer = match which {
            LayerKind::Cells => &mut self.cells,
            LayerKind::Army => &mut self.army,
            LayerKind::Convoys => &mut self.convoys,
        };
        let bucket_of =
            |e: &Entry| u32::from(e.tile.y >> shift) * u32::from(bw) + u32::from(e.tile.x >> shift);
        // The index is rebuilt before sensing and again after the moves; in between, often
        // no actor of a layer has come, gone or moved (convoys and columns halt at night),
        // and the same actors in the same order give the same layer.
        layer.incoming.clear();
        layer.incoming.extend(items);
        if !layer.starts.is_empty() && layer.incoming == layer.input {
            return;
        }
        std::mem::swap(&mut layer.input, &mut layer.incoming);
        layer.buckets.clear();
        layer.buckets.extend(layer.input.iter().map(bucket_of));
        // By (bucket, id): a counting sort on the bucket (stable, linear), then each
        // bucket's few actors by id. The whole-layer comparison sort it replaces was 3% of
        // a sweep's run; the order is the same. The loops over every bucket (a few hundred
        // on the Mali map, for a few dozen actors in some layers) are kept to two: the
        // counts' reset and one running sum that gives both the starts and the places.
        layer.starts.clear();
        layer.starts.resize(nb + 1, 0);
        for &b in &layer.buckets {
            layer.starts[b as usize + 1] += 1;
        }
        layer.cursor.clear();
        layer.cursor.resize(nb, 0);
        let mut sum = 0;
        for (start, cursor) in layer.starts[1..].iter_mut().zip(&mut layer.cursor) {
            *cursor = sum;
            sum += *start;
            *start = sum;
        }
        layer.entries.clear();
        layer.entries.extend_from_slice(&layer.input);
        for (&b, e) in layer.buckets.iter().zip(&layer.input) {
            let at = &mut layer.cursor[b as usize];
            layer.entries[*at as usize] = *e;
            *at += 1;
        }
        // Each run of one bucket's entries (found along the entries, not the buckets) in
        // id order.
        let mut s = 0;
        while s < layer.entries.len() {
            let b = bucket_of(&layer.entries[s]);
            let e = s + layer.entries[s..]
                .iter()
                .position(|x| bucket_of(x) != b)
                .unwrap_or(layer.entries.len() - s);
            match e - s {
                1 => {}
                2..=32 => insertion_sort_by_id(&mut layer.entries[s..e]),
                _ => layer.entries[s..e].sort_unstable_by_key(|e| e.id.0),
            }
            s = e;
        }
    }

    /// Calls `f` for each actor of `layer` within `radius` tiles of `centre`, bucket by
    /// bucket in a fixed order.
    pub fn within(&self, layer: &Layer, centre: Tile, radius: f32, mut f: impl FnMut(&Entry)) {
        self.within_at(layer, centre, radius, |_, e| f(e));
    }

    /// [`SpatialIndex::within`], with each actor's place in [`Layer::entries`]: a caller
    /// that gathered what it needs of the layer's actors once (one ECS lookup an actor)
    /// reads it by place rather than looking an actor up at every sighting.
    pub fn within_at(
        &self,
        layer: &Layer,
        centre: Tile,
        radius: f32,
        mut f: impl FnMut(usize, &Entry),
    ) {
        if layer.starts.is_empty() {
            return;
        }
        let r = radius.max(0.0);
        // The buckets that overlap the square around the disc, reached in whole tiles (one
        // more than r: a bucket too many is visited for nothing, never one too few); in
        // integers, without a call to floor for each edge.
        let reach = r.min(f32::from(u16::MAX)) as i32 + 1;
        // (Every coordinate here is at least zero: a shift divides it.)
        let b = self.shift;
        let (cx, cy) = (i32::from(centre.x), i32::from(centre.y));
        let bx0 = ((cx - reach).max(0) >> b) as u16;
        let by0 = ((cy - reach).max(0) >> b) as u16;
        let bx1 = ((cx + reach) >> b).min(i32::from(self.bw) - 1) as u16;
        let by1 = ((cy + reach) >> b).min(i32::from(self.bh) - 1) as u16;
        let r2 = r * r;
        // A row's buckets bx0..=bx1 hold one run of the entries (buckets are numbered row
        // by row): one slice a row, in the buckets' order.
        for by in by0..=by1 {
            let k = usize::from(by) * usize::from(self.bw);
            let s = layer.starts[k + usize::from(bx0)] as usize;
            let e = layer.starts[k + usize::from(bx1) + 1] as usize;
            for (k, entry) in layer.entries[s..e].iter().enumerate() {
                let dx = f32::from(entry.tile.x) - f32::from(centre.x);
                let dy = f32::from(entry.tile.y) - f32::from(centre.y);
                if dx * dx + dy * dy <= r2 {
                    f(s + k, entry);
                }
            }
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LayerKind {
    Cells,
    Army,
    Convoys,
}

/// Marks an actor for the cell layer of the index.
#[derive(Component, Clone, Copy, Debug, Default)]
pub struct IndexedCell;
/// Marks an actor for the army layer of the index.
#[derive(Component, Clone, Copy, Debug, Default)]
pub struct IndexedArmy;
/// Marks an actor for the convoy layer of the index.
#[derive(Component, Clone, Copy, Debug, Default)]
pub struct IndexedConvoy;

/// Rebuilds the index from current positions (run before sensing and before engagements).
pub fn rebuild_index(
    mut index: ResMut<SpatialIndex>,
    cells: Query<(Entity, &ActorId, &Position), With<IndexedCell>>,
    army: Query<(Entity, &ActorId, &Position), With<IndexedArmy>>,
    convoys: Query<(Entity, &ActorId, &Position), With<IndexedConvoy>>,
) {
    let entry = |(entity, id, p): (Entity, &ActorId, &Position)| Entry {
        entity,
        id: *id,
        tile: p.tile,
    };
    index.rebuild(LayerKind::Cells, cells.iter().map(entry));
    index.rebuild(LayerKind::Army, army.iter().map(entry));
    index.rebuild(LayerKind::Convoys, convoys.iter().map(entry));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `n` actors, the i-th with the id and tile `place(i)` gives (each its own entity).
    fn actors(n: u32, place: impl Fn(u32) -> (u32, Tile)) -> Vec<Entry> {
        let mut world = World::new();
        (0..n)
            .map(|i| {
                let (id, tile) = place(i);
                Entry {
                    entity: world.spawn_empty().id(),
                    id: ActorId(id),
                    tile,
                }
            })
            .collect()
    }

    #[test]
    fn within_finds_exactly_the_actors_in_the_disc() {
        let mut index = SpatialIndex::new(100, 100, 8);
        let items = actors(400, |i| {
            (
                i,
                Tile::new(((i * 37) % 100) as u16, ((i * 91) % 100) as u16),
            )
        });
        index.rebuild(LayerKind::Cells, items.iter().copied());
        let centre = Tile::new(50, 40);
        let mut found = Vec::new();
        index.within(&index.cells, centre, 12.5, |e| found.push(e.id));
        let mut expected: Vec<_> = items
            .iter()
            .filter(|e| e.tile.distance(centre) <= 12.5)
            .map(|e| e.id)
            .collect();
        found.sort();
        expected.sort();
        assert_eq!(found, expected);
        assert!(!found.is_empty());
    }

    /// The layer holds its actors by (bucket, id) whatever order they come in: buckets
    /// of one, of a few and of many (past the insertion sort's reach).
    #[test]
    fn a_layer_is_sorted_by_bucket_then_id() {
        let mut index = SpatialIndex::new(64, 64, 8);
        // Ids out of order; a third of the actors crowd into one bucket.
        let items = actors(300, |i| {
            let tile = if i % 3 == 0 {
                Tile::new(3, 4)
            } else {
                Tile::new(((i * 13) % 64) as u16, ((i * 29) % 64) as u16)
            };
            ((i * 7919) % 300, tile)
        });
        index.rebuild(LayerKind::Cells, items.iter().copied());
        let key = |e: &Entry| ((e.tile.y / 8) as u32 * 8 + (e.tile.x / 8) as u32, e.id.0);
        let got: Vec<_> = index.cells.entries().iter().map(key).collect();
        let mut expected: Vec<_> = items.iter().map(key).collect();
        expected.sort();
        assert_eq!(got, expected);
    }

    /// A rebuild from the same actors keeps the layer; one actor moved, gone or come, or
    /// the same actors in another order of arrival, gives the layer a fresh index would.
    #[test]
    fn a_rebuild_gives_the_layer_of_a_fresh_index() {
        let items = actors(120, |i| {
            (i, Tile::new(((i * 13) % 64) as u16, ((i * 29) % 64) as u16))
        });
        let mut index = SpatialIndex::new(64, 64, 8);
        let layer_of = |items: &[Entry]| {
            let mut fresh = SpatialIndex::new(64, 64, 8);
            fresh.rebuild(LayerKind::Convoys, items.iter().copied());
            fresh.convoys.entries().to_vec()
        };
        let mut moved = items.clone();
        moved[40].tile = Tile::new(60, 2);
        let mut reversed = items.clone();
        reversed.reverse();
        for round in [
            items.clone(),
            items.clone(),
            moved.clone(),
            moved[1..].to_vec(),
            items[..0].to_vec(),
            items.clone(),
            reversed,
        ] {
            index.rebuild(LayerKind::Convoys, round.iter().copied());
            assert_eq!(index.convoys.entries(), layer_of(&round).as_slice());
        }
        let mut near = Vec::new();
        index.rebuild(LayerKind::Convoys, moved.iter().copied());
        index.within(&index.convoys, Tile::new(60, 2), 0.5, |e| near.push(e.id));
        assert_eq!(near, [ActorId(40)]);
    }

    /// `within` gives exactly the actors a scan of the whole layer finds, in the layer's
    /// (bucket, id) order, for discs small and large, centred anywhere, fractional radii,
    /// at the map's edges and for radii wider than the map.
    #[test]
    fn within_is_a_scan_of_the_layer_in_its_order() {
        let mut index = SpatialIndex::new(90, 70, 8);
        let items = actors(700, |i| {
            let tile = Tile::new(
                ((i * 37 + i / 3) % 90) as u16,
                ((i * 91 + i / 7) % 70) as u16,
            );
            ((i * 7919) % 700, tile)
        });
        index.rebuild(LayerKind::Cells, items.iter().copied());
        let layer = &index.cells;
        for (k, radius) in [0.0f32, 0.5, 1.0, 3.7, 8.0, 12.5, 23.9, 40.0, 200.0, 3000.0]
            .into_iter()
            .enumerate()
        {
            for centre in [
                Tile::new(0, 0),
                Tile::new(89, 69),
                Tile::new(45, 35),
                Tile::new((k * 11 % 90) as u16, (k * 17 % 70) as u16),
                Tile::new(7, 64),
            ] {
                let mut found = Vec::new();
                index.within(layer, centre, radius, |e| found.push(e.id));
                let expected: Vec<_> = layer
                    .entries()
                    .iter()
                    .filter(|e| {
                        let dx = f32::from(e.tile.x) - f32::from(centre.x);
                        let dy = f32::from(e.tile.y) - f32::from(centre.y);
                        dx * dx + dy * dy <= radius * radius
                    })
                    .map(|e| e.id)
                    .collect();
                assert_eq!(found, expected, "radius {radius} at {centre:?}");
                // `within_at` gives each the place it holds in the layer.
                let mut places = Vec::new();
                index.within_at(layer, centre, radius, |k, e| {
                    assert_eq!(layer.entries()[k], *e);
                    places.push(k);
                });
                assert_eq!(places.len(), expected.len());
                assert!(places.windows(2).all(|w| w[0] < w[1]));
            }
        }
    }
}
