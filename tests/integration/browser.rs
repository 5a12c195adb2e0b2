//! The classroom page in a real browser: starts `asymwar serve` on a free loopback port and
//! runs `tests/browser/classroom.mjs` (playwright-core driving Debian's headless Chromium),
//! which loads the page, plays, checks the clock, map and charts, moves a lever, resets and
//! saves a screenshot to `target/browser/classroom.png`.
//!
//! `.ci/run` installs Chromium and the node package. Without them the test says so and
//! passes on a developer's machine, but fails in CI (`CI` set), where they must be there.

#[cfg(feature = "web")]
#[test]
fn the_classroom_page_works_in_a_browser() {
    use std::io::{BufRead, BufReader};
    use std::path::Path;
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};

    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let script = root.join("tests/browser/classroom.mjs");
    let module = root.join("tests/browser/node_modules/playwright-core");
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_string());
    let node_ok = Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    let missing: Vec<&str> = [
        (!node_ok).then_some("node"),
        (!module.exists()).then_some("tests/browser/node_modules (npm ci)"),
        (!Path::new(&chromium).exists()).then_some("chromium"),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !missing.is_empty() {
        assert!(
            std::env::var_os("CI").is_none(),
            "the browser test needs {}: .ci/run installs them",
            missing.join(", ")
        );
        eprintln!(
            "SKIPPED the browser test: {} missing (.ci/run installs them)",
            missing.join(", ")
        );
        return;
    }

    /// Ends the server whatever happens to the test.
    struct Kill(std::process::Child);
    impl Drop for Kill {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let mut server = Kill(
        Command::new(env!("CARGO_BIN_EXE_asymwar"))
            .args(["serve", "--port", "0", "--scenarios"])
            .arg(root.join("assets/scenarios"))
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("asymwar serve starts"),
    );
    // The first line names the address: "asymwar classroom: open http://127.0.0.1:PORT ...".
    let mut stdout = BufReader::new(server.0.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    // The rest is drained, so the server never writes to a closed pipe.
    std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://127.0.0.1:"))
        .unwrap_or_else(|| panic!("no address in the server's first line: {line}"))
        .to_string();

    let out_dir = root.join("target/browser");
    let started = Instant::now();
    let mut node = Kill(
        Command::new("node")
            .arg(&script)
            .arg(&url)
            .arg(&out_dir)
            .env("CHROMIUM", &chromium)
            .spawn()
            .expect("node starts"),
    );
    // Bounded: the script plays Mali for 60 s and waits 20-60 s at most otherwise; a hung
    // browser is ended here.
    let status = loop {
        if let Some(status) = node.0.try_wait().unwrap() {
            break status;
        }
        assert!(
            started.elapsed() < Duration::from_secs(300),
            "the browser test took over 5 minutes"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "the browser script failed: {status}");
    let shot = std::fs::read(out_dir.join("classroom.png")).expect("the screenshot was saved");
    assert!(
        shot.starts_with(b"\x89PNG") && shot.len() > 10_000,
        "the screenshot is a real PNG"
    );
}
