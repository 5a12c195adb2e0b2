#!/usr/bin/env bash
# A sweep of Mali runs timed with two binaries, side by side (issue 18's acceptance: a
# 200-run sweep of 180-day runs at least 3x faster than the release before it).
#
#   benches/compare_sweep.sh BEFORE AFTER [RUNS] [DAYS] [ROUNDS]
#
# BEFORE and AFTER are asymwar binaries (e.g. a copy of main's target/release/asymwar and
# this one); RUNS (default 200, a multiple of 10) and DAYS (default 180) scale the spec
# down when the machine is shared. Both run the same spec with the same jobs (one per
# core); the outputs differ where the model changed, so only the times are compared.
# ROUNDS (default 1) repeats the pair, in alternating order so that a drift of the
# machine's speed weighs on both, and ends with the median of the rounds' speed-ups: the
# same binary's time varies by about 10% from one sweep to the next on a shared machine.
set -euo pipefail
before=${1:?before binary}
after=${2:?after binary}
runs=${3:-200}
days=${4:-180}
if ((runs < 20 || runs % 10 != 0)); then
    echo "RUNS must be a multiple of 10, at least 20 (two levels of 10 replicates): got $runs" >&2
    exit 2
fi
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
    "$1" sweep "$tmp/spec.ron" --out "$tmp/$2" --quiet > /dev/null || {
        echo "the sweep with $1 failed" >&2
        return 1
    }
    end=$(date +%s.%N)
    echo "$end - $start" | bc
}
rounds=${5:-1}
echo "sweep: $runs runs of $days days, $(nproc) cores, $rounds round(s), load $(cut -d' ' -f1-3 /proc/loadavg)"
ratios=()
for ((r = 1; r <= rounds; r++)); do
    if ((r % 2 == 1)); then
        b=$(secs "$before" before)
        a=$(secs "$after" after)
    else
        a=$(secs "$after" after)
        b=$(secs "$before" before)
    fi
    rm -rf "$tmp/before" "$tmp/after"
    ratio=$(echo "scale=3; $b / $a" | bc)
    ratios+=("$ratio")
    echo "round $r: before ($before) ${b} s, after ($after) ${a} s, speed-up ${ratio}x"
done
median=$(printf '%s\n' "${ratios[@]}" | sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}')
echo "speed-up: ${median}x (median of $rounds round(s))"
