//! `asymwar render`, end to end: the files exist, are valid pictures, and differ between
//! days.

use crate::common::{asymwar, ok, run, temp_path};
use std::path::{Path, PathBuf};

/// `asymwar render` with `args` into the scratch directory `asymwar-{name}-{pid}`, emptied of
/// an earlier run's pictures first so that only this run's can pass; it must succeed.
fn rendered(name: &str, args: &[&str]) -> PathBuf {
    let dir = temp_path(name);
    let _ = std::fs::remove_dir_all(&dir);
    ok(run(asymwar().args(args).arg("--out").arg(&dir)));
    dir
}

/// Decodes a PNG; returns (width, height, pixels).
fn png(path: &Path) -> (u32, u32, Vec<u8>) {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut reader = png::Decoder::new(std::io::BufReader::new(file))
        .read_info()
        .unwrap_or_else(|e| panic!("{}: not a PNG: {e}", path.display()));
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    buf.truncate(info.buffer_size());
    (info.width, info.height, buf)
}

#[test]
fn render_writes_snapshots_a_gif_and_charts() {
    let dir = rendered(
        "render",
        &[
            "render",
            "tutorial",
            "--days",
            "4",
            "--at",
            "0,2,4",
            "--gif-frames",
            "5",
        ],
    );

    let shots: Vec<_> = ["000", "002", "004"]
        .iter()
        .map(|d| png(&dir.join(format!("map_day_{d}.png"))))
        .collect();
    for (w, h, px) in &shots {
        assert!(*w >= 500 && *h >= 500, "{w} x {h}");
        assert_eq!(px.len(), (w * h * 3) as usize, "RGB");
        // A real map: many colours, not a blank picture.
        let mut colours: Vec<&[u8]> = px.chunks(3).collect();
        colours.sort();
        colours.dedup();
        assert!(colours.len() > 20, "{} colours", colours.len());
    }
    assert_ne!(shots[0].2, shots[1].2, "day 0 and day 2 differ");
    assert_ne!(shots[1].2, shots[2].2, "day 2 and day 4 differ");

    // The GIF: one frame a day, days 0 to 4, each a full picture.
    let file = std::fs::File::open(dir.join("run.gif")).unwrap();
    let mut opts = gif::DecodeOptions::new();
    opts.set_color_output(gif::ColorOutput::RGBA);
    let mut dec = opts.read_info(file).expect("a valid GIF");
    let (gw, gh) = (dec.width(), dec.height());
    let mut frames = Vec::new();
    while let Some(f) = dec.read_next_frame().expect("valid frames") {
        assert_eq!((f.width, f.height), (gw, gh));
        frames.push(f.buffer.to_vec());
    }
    assert_eq!(frames.len(), 5);
    assert_ne!(frames[0], frames[4], "the animation changes");

    // Charts: PNG and SVG of each metric, labelled.
    let charts = dir.join("charts");
    for name in [
        "capital_fuel_days",
        "capital_price_index",
        "recruits",
        "attacks_on_civilians",
        "ambushes",
        "mean_legitimacy",
    ] {
        let (w, h, _) = png(&charts.join(format!("{name}.png")));
        assert_eq!((w, h), (900, 480));
        let svg = std::fs::read_to_string(charts.join(format!("{name}.svg"))).unwrap();
        assert!(svg.starts_with("<svg"), "{name}.svg");
        assert!(
            svg.contains("day of the run"),
            "{name}.svg has its axis label"
        );
    }
    let svg = std::fs::read_to_string(charts.join("capital_fuel_days.svg")).unwrap();
    assert!(svg.contains("Capital fuel days (days)"), "title with unit");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn render_refuses_bad_arguments_with_a_message() {
    let dir = temp_path("render-bad");
    for (args, want) in [
        (
            vec!["render", "tutorial", "--days", "3", "--at", "9"],
            "ends on day 3",
        ),
        (vec!["render", "nowhere"], "unknown scenario"),
        (vec!["render", "tutorial", "--scale", "0"], "scale"),
    ] {
        let out = run(asymwar().args(&args).arg("--out").arg(&dir));
        assert!(!out.status.success(), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(want), "{args:?}: {err}");
    }
    // An output path that is a file.
    let file = temp_path("render-file");
    std::fs::write(&file, "not a folder").unwrap();
    let out = run(asymwar()
        .args(["render", "tutorial", "--days", "1", "--out"])
        .arg(&file));
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("error"));
    std::fs::remove_file(&file).unwrap();
}

#[test]
fn render_draws_the_civil_violence_model_by_ticks() {
    let dir = rendered(
        "render-cv",
        &[
            "render",
            "epstein_run1",
            "--days",
            "6",
            "--at",
            "0,6",
            "--gif-frames",
            "3",
        ],
    );
    let a = png(&dir.join("map_tick_000.png"));
    let b = png(&dir.join("map_tick_006.png"));
    assert_ne!(a.2, b.2, "citizens moved and changed state");
    for name in ["active", "quiet", "jailed"] {
        png(&dir.join("charts").join(format!("{name}.png")));
        let svg = std::fs::read_to_string(dir.join("charts").join(format!("{name}.svg"))).unwrap();
        assert!(
            svg.contains(">\ntick\n</text>"),
            "{name}.svg: the axis is in ticks"
        );
    }
    assert!(dir.join("run.gif").exists());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn render_defaults_suit_slides_and_catch_the_outburst_and_gif_frames_0_writes_no_gif() {
    // Epstein's run 4: legitimacy drops at tick 77; the default days (first, middle, last)
    // of its 100 ticks would miss the outburst that follows. Sixty ticks of run 2 keep the
    // test short while having an outburst of their own.
    let dir = rendered(
        "render-defaults",
        &[
            "render",
            "epstein_run2",
            "--days",
            "60",
            "--gif-frames",
            "0",
        ],
    );
    assert!(!dir.join("run.gif").exists(), "--gif-frames 0: no GIF");
    let mut shots: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("map_tick_"))
        .collect();
    shots.sort();
    assert!(
        shots.len() >= 3 && shots.len() <= 4,
        "first, middle, last and the busiest tick: {shots:?}"
    );
    for s in &shots {
        let (w, _, _) = png(&dir.join(s));
        assert!(w >= 1280, "{s}: {w} px wide, not enough for a slide");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
