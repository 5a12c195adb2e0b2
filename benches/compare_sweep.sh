#!/usr/bin/env bash
# A sweep of Mali runs timed with two binaries, side by side (issue 18's acceptance: a
# 200-run sweep of 180-day runs at least 3x faster than the release before it).
#
#   benches/compare_sweep.sh BEFORE AFTER [RUNS] [DAYS]
#
# BEFORE and AFTER are asymwar binaries (e.g. a copy of main's target/release/asymwar and
# this one); RUNS (default 200, a multiple of 10) and DAYS (default 180) scale the spec
# down when the machine is shared. Both run the same spec with the same jobs (one per
# core); the outputs differ where the model changed, so only the times are compared.
set -euo pipefail
before=${1:?before binary}
after=${2:?after binary}
runs=${3:-200}
days=${4:-180}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/spec.ron" <<RON
Sweep(
    name: "compare",
    description: "Mali blockade, ${days} days: ${runs} runs for timing.",
    scenario: "mali_blockade",
    days: ${days},
    vary: [
        (path: "insurgency.autonomy", range: (0.2, 0.8), levels: $((runs / 10))),
    ],
    design: Grid,
    replicates: 10,
    master_seed: 2025,
    collect: (
        metrics: [],
        timeseries_every_days: 30,
        timeseries_metrics: [],
    ),
)
RON
secs() {
    local start end
    start=$(date +%s.%N)
    "$1" sweep "$tmp/spec.ron" --out "$tmp/$2" --quiet > /dev/null
    end=$(date +%s.%N)
    echo "$end - $start" | bc
}
echo "sweep: $runs runs of $days days, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
b=$(secs "$before" before)
echo "before ($before): ${b} s"
a=$(secs "$after" after)
echo "after  ($after): ${a} s"
echo "speed-up: $(echo "scale=2; $b / $a" | bc)x"
