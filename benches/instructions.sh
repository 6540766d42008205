#!/usr/bin/env bash
# Instructions per approved Paxos journey, per plain replay of its requests and per run of the
# same adapter linked into a plain loop, counted by callgrind: unlike times, these do not move
# with this VM's speed. Each loop runs 100 and 300 times; the difference over 200 is one
# iteration without the setup. Needs valgrind. Usage: benches/instructions.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(cargo bench --bench engine --no-run 2>&1 | sed -n 's/.*Executable benches\/engine.rs (\(.*\))/\1/p')
# The plugin the benchmark loads (built as `cargo bench` builds it).
cargo build --quiet --release -p rampsim-adapter-paxos --target-dir target/bench-plugins
# The benchmark forks to build the plugin and callgrind counts the fork too: keep the largest.
count() {
  RAMPSIM_BENCH_LOOP="$1:$2" valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" --bench 2>&1 \
    | sed -n 's/.*Collected : \([0-9]*\).*/\1/p' | sort -n | tail -1
}
declare -A per
for loop in journey replay linked; do
  a=$(count "$loop" 300)
  b=$(count "$loop" 100)
  per[$loop]=$(( (a - b) / 200 ))
  echo "$loop: ${per[$loop]} instructions per iteration"
done
awk -v j="${per[journey]}" -v r="${per[replay]}" -v l="${per[linked]}" \
  'BEGIN { printf "journey / replay %.3f, journey / linked adapter %.3f\n", j / r, j / l }'
