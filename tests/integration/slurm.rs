//! The cluster story of docs/cluster.md on a real Slurm: a one-node cluster on this machine
//! (munged, slurmctld and slurmd on localhost, with a configuration, ports, key and state
//! of the test's own, so it touches no system-wide Slurm or munge), the shipped
//! `assets/cluster/sweep.sbatch` as a job array of 3 shards, one task requeued part-way
//! (killed, as a pre-emption does, and started again), `assets/cluster/merge.sbatch` as
//! the dependent job, and the merged, analysed directory compared byte for byte with the
//! same sweep and analysis run in one piece.
//!
//! `.ci/run` installs Debian's slurm-wlm and munge. Without them the test says so and
//! passes on a developer's machine, but fails in CI (`CI` set), where they must be there.

use crate::common::{asymwar, ok, read, run, temp_path};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const REPO: &str = env!("CARGO_MANIFEST_DIR");

/// The documentation shows no copy of the scripts, which could drift from the tested
/// files: it names them.
#[test]
fn the_cluster_doc_points_at_the_tested_scripts() {
    let doc = std::fs::read_to_string(Path::new(REPO).join("docs/cluster.md")).unwrap();
    for script in ["assets/cluster/sweep.sbatch", "assets/cluster/merge.sbatch"] {
        assert!(
            doc.contains(script),
            "docs/cluster.md does not name {script}"
        );
        assert!(Path::new(REPO).join(script).exists(), "{script} is missing");
    }
    for copied in ["#SBATCH", "srun ", "set -euo pipefail"] {
        assert!(
            !doc.contains(copied),
            "docs/cluster.md has a copy of a script ({copied:?}): point at assets/cluster/ instead"
        );
    }
}

/// An executable on the PATH or in the sbin directories (where Debian puts the daemons,
/// and which a non-root PATH may lack).
fn find_tool(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin", "/sbin"].map(PathBuf::from))
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// A free loopback port: bound, read and let go. Slurm's default ports could be taken by
/// a system Slurm or by a concurrent run of this test.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The cluster's daemons. Whatever ends the test, a panic included, dropping it cancels
/// the cluster's jobs (so no slurmstepd or sweep outlives slurmd) and ends the daemons.
struct Cluster {
    dir: PathBuf,
    conf: PathBuf,
    daemons: Vec<Child>,
}

impl Cluster {
    /// A Slurm client command on this cluster.
    fn cmd(&self, tool: &str) -> Command {
        let mut c = Command::new(find_tool(tool).unwrap());
        c.env("SLURM_CONF", &self.conf);
        c
    }

    /// Runs a client command and returns its standard output, or fails the test with its
    /// error and the daemons' logs.
    fn ok(&self, c: &mut Command) -> String {
        let out = c.output().unwrap();
        if !out.status.success() {
            self.fail(&format!(
                "{c:?} failed: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        String::from_utf8(out.stdout).unwrap()
    }

    fn start(&mut self, name: &'static str, c: &mut Command) {
        let log = |ext| std::fs::File::create(self.dir.join(format!("{name}.{ext}"))).unwrap();
        let child = c
            .stdin(Stdio::null())
            .stdout(log("out"))
            .stderr(log("err"))
            .spawn()
            .unwrap_or_else(|e| panic!("{name} does not start: {e}"));
        self.daemons.push(child);
    }

    /// Fails the test with `why` and every log the cluster wrote, the jobs' included.
    fn fail(&self, why: &str) -> ! {
        let mut logs = String::new();
        let mut files: Vec<PathBuf> = std::fs::read_dir(&self.dir)
            .unwrap()
            .chain(
                std::fs::read_dir(self.dir.join("logs"))
                    .into_iter()
                    .flatten(),
            )
            .map(|e| e.unwrap().path())
            .filter(|p| {
                p.extension()
                    .is_some_and(|e| ["log", "out", "err"].contains(&e.to_str().unwrap()))
            })
            .collect();
        files.sort();
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap_or_default();
            // The tail says why a daemon stopped; the start of a long log rarely does.
            let tail: Vec<&str> = text.lines().rev().take(40).collect();
            logs += &format!("\n--- {} (last 40 lines)\n", f.display());
            for l in tail.into_iter().rev() {
                logs += l;
                logs += "\n";
            }
        }
        panic!("{why}\n{logs}");
    }

    /// Polls `probe` every 50 ms until it gives a value, failing the test after `secs`.
    fn wait<T>(&self, what: &str, secs: u64, mut probe: impl FnMut() -> Option<T>) -> T {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            if let Some(v) = probe() {
                return v;
            }
            if Instant::now() > deadline {
                self.fail(&format!("timed out after {secs} s waiting for {what}"));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// `squeue`'s lines for these jobs: "ID STATE REASON", none once they have all ended.
    fn queue(&self, jobs: &str) -> Vec<String> {
        let out = self
            .cmd("squeue")
            .args(["-h", "-r", "-o", "%i %T %r", "-j", jobs])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::to_string)
            .collect()
    }

    /// `scontrol`'s record of each task of a job, one line each, as `key=value` pairs.
    fn records(&self, job: &str) -> Vec<String> {
        self.ok(self.cmd("scontrol").args(["-o", "show", "job", job]))
            .lines()
            .map(str::to_string)
            .collect()
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        // With fewer than the three daemons up, no job can have started.
        if self.daemons.len() == 3 {
            let _ = self
                .cmd("scancel")
                .args(["--quiet", "--user=root"])
                .output();
            let deadline = Instant::now() + Duration::from_secs(15);
            while Instant::now() < deadline
                && self
                    .cmd("squeue")
                    .args(["-h"])
                    .output()
                    .is_ok_and(|o| o.status.success() && !o.stdout.is_empty())
            {
                std::thread::sleep(Duration::from_millis(100));
            }
        }
        // slurmd, slurmctld, munged: the reverse of their start. Their state is in the
        // test's directory, which nothing reads again, so SIGKILL loses nothing.
        for child in self.daemons.iter_mut().rev() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// The value of `key` in a `scontrol -o` record.
fn field<'a>(record: &'a str, key: &str) -> &'a str {
    record
        .split_whitespace()
        .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('='))
        .unwrap_or_else(|| panic!("no {key} in {record}"))
}

/// Every file of a flat directory, by name.
fn files(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    v.sort();
    v
}

fn journal_lines(dir: &Path) -> usize {
    std::fs::read_to_string(dir.join("journal.jsonl"))
        .map(|t| t.lines().count())
        .unwrap_or(0)
}

#[test]
fn a_sharded_sweep_on_slurm_with_a_requeued_task_equals_the_sweep_in_one_piece() {
    let tools = [
        "munged",
        "slurmctld",
        "slurmd",
        "sbatch",
        "squeue",
        "scontrol",
        "scancel",
        "sinfo",
        "srun",
    ];
    let mut missing: Vec<&str> = tools
        .into_iter()
        .filter(|t| find_tool(t).is_none())
        .collect();
    // slurmd starts jobs as the user who submitted them, which only root may do.
    let root =
        std::fs::metadata("/proc/self").is_ok_and(|m| std::os::unix::fs::MetadataExt::uid(&m) == 0);
    if !root {
        missing.push("root");
    }
    if !missing.is_empty() {
        assert!(
            std::env::var_os("CI").is_none(),
            "the Slurm test needs {}: .ci/run installs slurm-wlm and munge",
            missing.join(", ")
        );
        eprintln!(
            "SKIPPED the Slurm test: {} missing (apt-get install slurm-wlm munge; run as root)",
            missing.join(", ")
        );
        return;
    }
    let started = Instant::now();
    let dir = temp_path("slurm");
    let _ = std::fs::remove_dir_all(&dir);
    for sub in ["state", "spool", "logs", "sweep"] {
        std::fs::create_dir_all(dir.join(sub)).unwrap();
    }

    // munge: a key of the test's own (munged wants it private to its user) and a daemon
    // on a socket of its own; --force: it would refuse the world-writable temp directory.
    let key = dir.join("munge.key");
    let mut bytes = [0u8; 1024];
    std::io::Read::read_exact(
        &mut std::fs::File::open("/dev/urandom").unwrap(),
        &mut bytes,
    )
    .unwrap();
    std::fs::write(&key, bytes).unwrap();
    std::fs::set_permissions(&key, std::os::unix::fs::PermissionsExt::from_mode(0o400)).unwrap();
    let socket = dir.join("munge.socket");
    let conf = dir.join("slurm.conf");
    let d = dir.display();
    let ctld_port = free_port();
    // A port let go may be handed out again at once.
    let slurmd_port = std::iter::repeat_with(free_port)
        .find(|&p| p != ctld_port)
        .unwrap();
    // One node of 2 CPUs whatever the hardware (config_overrides), so two 1-CPU tasks run
    // at once and the third waits; no cgroups (linuxproc, task/none), which a container
    // may not offer; root runs everything; requeue allowed.
    std::fs::write(
        &conf,
        format!(
            "ClusterName=asymwartest
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort={ctld_port}
SlurmdPort={slurmd_port}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket={d}/munge.socket
StateSaveLocation={d}/state
SlurmdSpoolDir={d}/spool
SlurmctldPidFile={d}/slurmctld.pid
SlurmdPidFile={d}/slurmd.pid
SlurmctldLogFile={d}/slurmctld.log
SlurmdLogFile={d}/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
MailProg=/bin/true
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SlurmdParameters=config_overrides
ReturnToService=2
JobRequeue=1
KillWait=5
NodeName=localhost NodeAddr=127.0.0.1 CPUs=2 State=UNKNOWN
PartitionName=test Nodes=localhost Default=YES MaxTime=INFINITE State=UP
"
        ),
    )
    .unwrap();
    let mut cluster = Cluster {
        dir: dir.clone(),
        conf: conf.clone(),
        daemons: Vec::new(),
    };
    cluster.start(
        "munged",
        Command::new(find_tool("munged").unwrap())
            .args(["--foreground", "--force"])
            .arg(format!("--socket={}", socket.display()))
            .arg(format!("--key-file={}", key.display()))
            .arg(format!("--pid-file={d}/munged.pid"))
            .arg(format!("--seed-file={d}/munged.seed"))
            .arg(format!("--log-file={d}/munged.log")),
    );
    cluster.wait("munged's socket", 20, || socket.exists().then_some(()));
    // -D: in the foreground, so the test holds the processes it must end.
    cluster.start(
        "slurmctld",
        Command::new(find_tool("slurmctld").unwrap())
            .arg("-D")
            .arg("-f")
            .arg(&conf),
    );
    cluster.start(
        "slurmd",
        Command::new(find_tool("slurmd").unwrap())
            .args(["-D", "-N", "localhost", "-f"])
            .arg(&conf),
    );
    cluster.wait("the node to be idle", 60, || {
        let out = cluster
            .cmd("sinfo")
            .args(["-h", "-n", "localhost", "-o", "%T"])
            .output()
            .ok()?;
        (String::from_utf8_lossy(&out.stdout).trim() == "idle").then_some(())
    });
    let cluster_up = started.elapsed();

    // 4 points x 24 replicates of 30 tutorial days: 32 runs a shard, each shard a few
    // seconds, long enough to be caught part-way.
    let spec = dir.join("cluster.ron");
    std::fs::write(
        &spec,
        r#"Sweep(
    name: "cluster",
    scenario: "tutorial",
    days: 30,
    vary: [
        (path: "activation.threshold", range: (0.1, 0.2), levels: 2),
        (path: "forces.army[0].units", values: [1, 2]),
    ],
    design: Grid,
    replicates: 24,
    master_seed: 17,
    collect: (timeseries_every_days: 5, panel: true),
)"#,
    )
    .unwrap();
    let out = dir.join("sweep");
    let scripts = Path::new(REPO).join("assets/cluster");
    // The scripts take the spec, output and binary from the environment, which sbatch
    // passes on; submitted from `dir`, so their default `logs/` is `dir/logs`.
    let submit = |args: &[&str], script: &str| {
        let text = cluster.ok(cluster
            .cmd("sbatch")
            .current_dir(&dir)
            .env("SPEC", &spec)
            .env("OUT", &out)
            .env("ASYMWAR", env!("CARGO_BIN_EXE_asymwar"))
            .arg("--parsable")
            .args(args)
            .arg(scripts.join(script)));
        // --parsable prints "ID" or "ID;CLUSTER".
        text.trim().split(';').next().unwrap().to_string()
    };
    // The script's own #SBATCH lines ask for 20 shards of 8 CPUs: the command line
    // overrides them, as docs/cluster.md tells users to.
    let array = submit(&["--array=1-3", "--cpus-per-task=1"], "sweep.sbatch");
    let merge = submit(&[&format!("--dependency=afterok:{array}")], "merge.sbatch");

    // Task 2 is requeued once it has finished some runs but not all: Slurm kills it (as a
    // pre-emption or a node failure would) and queues it again.
    let shard2 = out.join("shard-2");
    let done_at_kill = cluster.wait("task 2 to finish a few runs", 60, || {
        let n = journal_lines(&shard2);
        (n >= 3).then_some(n)
    });
    assert!(done_at_kill < 32, "task 2 ended before it could be killed");
    let task2 = format!("{array}_2");
    cluster.ok(cluster.cmd("scontrol").args(["requeue", &task2]));
    // A requeued job may not start again before the credential lifetime (120 s by
    // default) has passed. The test lifts that hold once the task is back in the queue:
    // lifted earlier, while the task is still being killed, the requeue sets it again.
    cluster.wait("task 2 to be pending again", 30, || {
        cluster
            .queue(&task2)
            .iter()
            .any(|l| l.split(' ').nth(1) == Some("PENDING"))
            .then_some(())
    });
    cluster.ok(cluster.cmd("scontrol").args([
        "update",
        &format!("JobId={task2}"),
        "StartTime=now",
    ]));

    // Everything ends: the array, then the merge it lets start.
    cluster.wait("the array and the merge to end", 120, || {
        let queue = cluster.queue(&format!("{array},{merge}"));
        if let Some(stuck) = queue
            .iter()
            .find(|l| l.contains("DependencyNeverSatisfied"))
        {
            cluster.fail(&format!("the merge will never run: {stuck}"));
        }
        queue.is_empty().then_some(())
    });
    let tasks = cluster.records(&array);
    assert_eq!(tasks.len(), 3, "{tasks:#?}");
    for t in &tasks {
        if field(t, "JobState") != "COMPLETED" || field(t, "ExitCode") != "0:0" {
            cluster.fail(&format!("an array task failed: {t}"));
        }
        let restarts = if field(t, "ArrayTaskId") == "2" {
            "1"
        } else {
            "0"
        };
        assert_eq!(field(t, "Restarts"), restarts, "{t}");
    }
    let merged = cluster.records(&merge);
    if field(&merged[0], "JobState") != "COMPLETED" {
        cluster.fail(&format!("the merge job failed: {}", merged[0]));
    }

    // Each task ran its third of the runs; task 2 ran again only what its journal lacked.
    let log = |name: &str| std::fs::read_to_string(dir.join("logs").join(name)).unwrap();
    for k in 1..=3 {
        let text = log(&format!("asymwar-sweep-{array}_{k}.out"));
        assert!(
            text.contains(&format!("32 runs of 96 (shard {k}/3)")),
            "{text}"
        );
        if k != 2 {
            assert!(text.contains("(32 run now, 0 already done)"), "{text}");
            continue;
        }
        let (now, before) = text
            .split_once(" run now, ")
            .and_then(|(a, b)| {
                let now: usize = a.rsplit('(').next()?.parse().ok()?;
                let before: usize = b.split(' ').next()?.parse().ok()?;
                Some((now, before))
            })
            .unwrap_or_else(|| panic!("no resume summary in task 2's log: {text}"));
        assert!(
            before >= done_at_kill && now > 0 && now + before == 32,
            "task 2 resumed with {now} run now, {before} already done ({done_at_kill} journalled at the kill)"
        );
    }
    let merge_log = log(&format!("asymwar-merge-{merge}.out"));
    assert!(merge_log.contains("merged 3 directories"), "{merge_log}");
    let cluster_secs = started.elapsed();

    // The same sweep and analysis in one piece: every file equal, byte for byte. One
    // thread, so that its journal, written in the order runs end, is in run order, as
    // merge writes it; the other files do not depend on the threads.
    let whole = dir.join("whole");
    ok(run(asymwar()
        .args(["sweep", "--jobs", "1", "--quiet", "--out"])
        .arg(&whole)
        .arg(&spec)));
    ok(run(asymwar().arg("analyze").arg(&whole)));
    let all = out.join("all");
    assert_eq!(files(&all), files(&whole));
    assert!(files(&whole).len() >= 10, "{:?}", files(&whole));
    for f in files(&whole) {
        assert!(read(&all, &f) == read(&whole, &f), "{f} differs");
    }

    // A lost shard cannot go unnoticed: merging without it is refused, naming the runs.
    let lost = run(asymwar()
        .arg("merge")
        .arg(out.join("shard-1"))
        .arg(out.join("shard-3"))
        .arg("--out")
        .arg(dir.join("lost")));
    let err = String::from_utf8_lossy(&lost.stderr);
    assert!(!lost.status.success());
    assert!(
        err.contains("32 of 96 runs are missing") && err.contains("from shard(s) 2/3"),
        "{err}"
    );
    assert!(!dir.join("lost").join("runs.csv").exists());

    drop(cluster);
    eprintln!(
        "slurm: cluster up in {:.1} s, array and merge done at {:.1} s, all in {:.1} s",
        cluster_up.as_secs_f64(),
        cluster_secs.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
    let _ = std::fs::remove_dir_all(&dir);
}
