//! Frames as compact binary WebSocket messages.
//!
//! A frame was JSON with five numbers a marker: 20.8 KiB for Epstein's grid of 1,100
//! citizens, 75 Mbit/s for a class of 30. Agents on a grid sit on cell centres and have one
//! size, so each such kind is sent as a bitmap of the grid (or a list of cell numbers when
//! that is shorter): 200 bytes a kind on a 40 x 40 grid. Other markers (towns, convoys,
//! units) go as little-endian `f32`s, with the colouring value only for the kinds the page
//! colours (towns): a citizen's grievance is not drawn, so it is not sent.
//!
//! Layout (little-endian):
//!
//! ```text
//! u8  'F'                          (the terrain PNG starts with 0x89: they cannot be confused)
//! u32 header length, header JSON   (type, seq, tick, day, date, running, finished, lagging,
//!                                   ev, rows: what the JSON frame had, without `m`; and
//!                                   grid: [width, height], which numbers the cells)
//! blocks until the end, one per marker kind present:
//!   u8 kind (index into session::KINDS), u8 encoding, u32 count, then
//!   encoding 0 (cell bitmap): f32 size, ceil(width * height / 8) bytes, bit i = cell i,
//!                             cells numbered y * width + x
//!   encoding 1 (cell list):   f32 size, count x u32 cell number
//!   encoding 2 (points):      u8 has_value, count x (f32 x, f32 y, f32 size [, f32 value])
//! ```

use asymwar_model::observation::Marker;
use serde_json::Value;

/// The first byte of a frame message.
pub const TAG: u8 = b'F';
const CELL_BITMAP: u8 = 0;
const CELL_LIST: u8 = 1;
const POINTS: u8 = 2;

/// The cell a marker's centre sits on, if it sits exactly on one inside the grid.
fn cell_of(m: &Marker, width: u32, height: u32) -> Option<u32> {
    let (x, y) = (m.x - 0.5, m.y - 0.5);
    let inside = x >= 0.0 && y >= 0.0 && x < width as f32 && y < height as f32;
    (inside && x.fract() == 0.0 && y.fract() == 0.0).then(|| y as u32 * width + x as u32)
}

/// Encodes a frame. `kinds` gives each marker's kind index (parallel to `markers`);
/// `shows_value(kind)` says whether the page colours that kind by value.
pub fn encode(
    header: &Value,
    markers: &[Marker],
    kinds: &[u8],
    extent: (u32, u32),
    shows_value: impl Fn(u8) -> bool,
) -> Vec<u8> {
    assemble(
        header,
        extent,
        &encode_blocks(markers, kinds, extent, shows_value),
    )
}

/// A frame from its header and its marker blocks (as [`encode_blocks`] made them for the
/// same `extent`). A class run makes the blocks once a picture and each viewer's frame
/// from them and a header of its own (its frame number, the rows it has not had yet).
pub fn assemble(header: &Value, extent: (u32, u32), blocks: &[u8]) -> Vec<u8> {
    let (w, h) = (extent.0.max(1), extent.1.max(1));
    let mut header = header.clone();
    header["grid"] = serde_json::json!([w, h]);
    let head = header.to_string();
    let mut out = Vec::with_capacity(5 + head.len() + blocks.len());
    out.push(TAG);
    out.extend_from_slice(&(head.len() as u32).to_le_bytes());
    out.extend_from_slice(head.as_bytes());
    out.extend_from_slice(blocks);
    out
}

/// The marker blocks of a frame (everything after its header).
pub fn encode_blocks(
    markers: &[Marker],
    kinds: &[u8],
    extent: (u32, u32),
    shows_value: impl Fn(u8) -> bool,
) -> Vec<u8> {
    let (w, h) = (extent.0.max(1), extent.1.max(1));
    let mut out = Vec::with_capacity(16 * markers.len().min(4096));
    let mut present: Vec<u8> = kinds.to_vec();
    present.sort_unstable();
    present.dedup();
    for kind in present {
        let of_kind: Vec<&Marker> = markers
            .iter()
            .zip(kinds)
            .filter(|(_, k)| **k == kind)
            .map(|(m, _)| m)
            .collect();
        let count = of_kind.len() as u32;
        let with_value = shows_value(kind);
        let size = of_kind[0].size;
        let cells: Option<Vec<u32>> = if with_value || of_kind.iter().any(|m| m.size != size) {
            None
        } else {
            of_kind.iter().map(|m| cell_of(m, w, h)).collect()
        };
        out.push(kind);
        match cells {
            Some(cells) => {
                let bitmap_len = (u64::from(w) * u64::from(h)).div_ceil(8);
                if bitmap_len <= 4 * u64::from(count) {
                    out.push(CELL_BITMAP);
                    out.extend_from_slice(&count.to_le_bytes());
                    out.extend_from_slice(&size.to_le_bytes());
                    let mut bits = vec![0u8; bitmap_len as usize];
                    for c in cells {
                        bits[(c / 8) as usize] |= 1 << (c % 8);
                    }
                    out.extend_from_slice(&bits);
                } else {
                    out.push(CELL_LIST);
                    out.extend_from_slice(&count.to_le_bytes());
                    out.extend_from_slice(&size.to_le_bytes());
                    for c in cells {
                        out.extend_from_slice(&c.to_le_bytes());
                    }
                }
            }
            None => {
                out.push(POINTS);
                out.extend_from_slice(&count.to_le_bytes());
                out.push(u8::from(with_value));
                for m in of_kind {
                    out.extend_from_slice(&m.x.to_le_bytes());
                    out.extend_from_slice(&m.y.to_le_bytes());
                    out.extend_from_slice(&m.size.to_le_bytes());
                    if with_value {
                        out.extend_from_slice(&m.value.to_le_bytes());
                    }
                }
            }
        }
    }
    out
}

/// Reads a frame back into the JSON the page builds from it: the header with `m`, the flat
/// `[kind, x, y, size, value]` list (value null where not sent or NaN). For tests, the load
/// benchmark and any other client written in Rust.
pub fn decode(bytes: &[u8]) -> Result<Value, String> {
    let mut r = Reader { bytes, at: 0 };
    if r.u8()? != TAG {
        return Err("not a frame".into());
    }
    let n = r.u32()? as usize;
    let mut header: Value =
        serde_json::from_slice(r.take(n)?).map_err(|e| format!("frame header: {e}"))?;
    let dim = |i: usize| {
        header["grid"][i]
            .as_u64()
            .map(|d| d.clamp(1, u64::from(u32::MAX)) as u32)
    };
    let (Some(w), Some(h)) = (dim(0), dim(1)) else {
        return Err("frame header without its grid".into());
    };
    let num = |v: f32| serde_json::Number::from_f64(f64::from(v)).map_or(Value::Null, Value::from);
    let mut m: Vec<Value> = Vec::new();
    while r.at < bytes.len() {
        let kind = r.u8()?;
        let encoding = r.u8()?;
        let count = r.u32()? as usize;
        let mut push = |x: f32, y: f32, size: f32, value: Option<f32>| {
            m.extend([Value::from(kind), num(x), num(y), num(size)]);
            m.push(value.map_or(Value::Null, num));
        };
        match encoding {
            CELL_BITMAP | CELL_LIST => {
                let size = r.f32()?;
                if u64::from(w) * u64::from(h) > u64::from(u32::MAX) {
                    return Err("frame grid too large".into());
                }
                let cells: Vec<u32> = if encoding == CELL_LIST {
                    (0..count).map(|_| r.u32()).collect::<Result<_, _>>()?
                } else {
                    let cells = u64::from(w) * u64::from(h);
                    let bits =
                        r.take(usize::try_from(cells.div_ceil(8)).map_err(|e| e.to_string())?)?;
                    (0..cells as u32)
                        .filter(|c| bits[(c / 8) as usize] & (1 << (c % 8)) != 0)
                        .collect()
                };
                if cells.len() != count {
                    return Err(format!(
                        "{} cells where {count} were announced",
                        cells.len()
                    ));
                }
                for c in cells {
                    push((c % w) as f32 + 0.5, (c / w) as f32 + 0.5, size, None);
                }
            }
            POINTS => {
                let with_value = r.u8()? != 0;
                for _ in 0..count {
                    let (x, y, size) = (r.f32()?, r.f32()?, r.f32()?);
                    let value = if with_value { Some(r.f32()?) } else { None };
                    push(x, y, size, value.filter(|v| !v.is_nan()));
                }
            }
            e => return Err(format!("unknown marker encoding {e}")),
        }
    }
    header["m"] = Value::from(m);
    Ok(header)
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self.at.checked_add(n).filter(|e| *e <= self.bytes.len());
        let end = end.ok_or_else(|| format!("frame cut short at byte {}", self.at))?;
        let s = &self.bytes[self.at..end];
        self.at = end;
        Ok(s)
    }
    fn u8(&mut self) -> Result<u8, String> {
        Ok(self.take(1)?[0])
    }
    fn u32(&mut self) -> Result<u32, String> {
        Ok(u32::from_le_bytes(
            self.take(4)?.try_into().expect("4 bytes"),
        ))
    }
    fn f32(&mut self) -> Result<f32, String> {
        Ok(f32::from_le_bytes(
            self.take(4)?.try_into().expect("4 bytes"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use asymwar_model::observation::MarkerKind;
    use serde_json::json;

    fn at(x: f32, y: f32, size: f32, value: f32) -> Marker {
        Marker {
            kind: MarkerKind::Cell,
            x,
            y,
            size,
            value,
        }
    }

    #[test]
    fn grid_points_and_values_round_trip() {
        let header = json!({"type": "frame", "tick": 3});
        // Kind 0 on cell centres of one size: a bitmap; kind 1 few on a big grid: a list;
        // kind 2 off-centre with values: points.
        let mut markers = Vec::new();
        let mut kinds = Vec::new();
        for i in 0..30 {
            markers.push(at((i % 10) as f32 + 0.5, (i / 10) as f32 + 0.5, 1.0, 0.3));
            kinds.push(0u8);
        }
        markers.push(at(7.5, 9.5, 1.0, f32::NAN));
        kinds.push(1);
        markers.push(at(2.25, 3.75, 500.0, 0.5));
        kinds.push(2);
        markers.push(at(1.5, 1.5, 10.0, f32::NAN));
        kinds.push(2);
        let bytes = encode(&header, &markers, &kinds, (10, 10), |k| k == 2);
        let f = decode(&bytes).unwrap();
        assert_eq!(f["tick"], 3);
        let m = f["m"].as_array().unwrap();
        assert_eq!(m.len(), 5 * 33);
        assert_eq!(
            m[..5],
            [json!(0), json!(0.5), json!(0.5), json!(1.0), Value::Null]
        );
        assert_eq!(
            m[5 * 30..5 * 31],
            [json!(1), json!(7.5), json!(9.5), json!(1.0), Value::Null]
        );
        assert_eq!(
            m[5 * 31..5 * 32],
            [json!(2), json!(2.25), json!(3.75), json!(500.0), json!(0.5)]
        );
        assert_eq!(m[5 * 32 + 4], Value::Null, "NaN is null");
        // 30 cells of 100 as a 13-byte bitmap, the lone one as a list, the points as f32s.
        let head = json!({"type": "frame", "tick": 3, "grid": [10, 10]})
            .to_string()
            .len();
        assert_eq!(
            bytes.len(),
            5 + head + (6 + 4 + 13) + (6 + 4 + 4) + (7 + 2 * 16)
        );
    }

    #[test]
    fn cut_or_foreign_messages_are_refused() {
        let bytes = encode(&json!({}), &[at(0.5, 0.5, 1.0, 0.0)], &[0], (4, 4), |_| {
            false
        });
        assert!(decode(&bytes[..bytes.len() - 1]).is_err());
        assert!(decode(b"\x89PNG").is_err());
        assert!(decode(&bytes).is_ok());
    }
}
