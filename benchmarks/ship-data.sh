#!/usr/bin/env bash
# Shipping the training data to workers that start without it, on simulated hosts
# (deploy/netns-lib.sh: one network namespace per node, each link capped at RATE each way).
# Three runs of the same training, each printing every worker's fetch line and parameters_sha256:
#   1. cold: K workers with empty caches fetch the run's data pack from the coordinator;
#   2. warm: the same workers again, from their caches (0 bytes fetched);
#   3. killed: fresh caches, worker-1 killed (SIGKILL) after its first progress line and started
#      again with the same command; it resumes its .part file.
# Then the link's transfer time for the bytes (all K packs through the coordinator's link) and the
# parameters_sha256 of --workers 0 on the same flags. Needs root; removes what it made.
#
#   benchmarks/ship-data.sh [--workers K] [--rate R] [training flags]
#   benchmarks/ship-data.sh --workers 2 --rate 1gbit --data fashion-mnist --hidden 64 --epochs 1 --batch 512
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=deploy/netns-lib.sh
source "$root/deploy/netns-lib.sh"
AMLP_WHO=ship-data

workers=2 rate=1gbit flags=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --workers) workers=$2; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    *) flags+=("$1"); shift ;;
  esac
done
[[ $workers =~ ^[1-9][0-9]?$ ]] || { echo "ship-data: --workers must be 1..99, got '$workers'" >&2; exit 2; }
[[ " ${flags[*]} " == *" --data "* ]] || flags+=(--data fashion-mnist)
amlp_check_machine || exit 1
dotnet build "$root/src/ActorMlp.Cli" -c Release -v quiet --nologo > /dev/null
dll="$root/src/ActorMlp.Cli/bin/Release/net10.0/actormlp.dll"
work=$(mktemp -d "${TMPDIR:-/tmp}/actormlp-ship.XXXXXX")
trap 'amlp_net_down; rm -rf "$work"' EXIT
trap 'exit 130' INT TERM HUP

amlp_net_up $((workers + 1)) "$rate"
seed="akka.tcp://actormlp@${AMLP_ADDR[0]}:4053"
worker_flags=() skip=0
for a in "${flags[@]}"; do # the workers get no data flags: they fetch
  if ((skip)); then skip=0; continue; fi
  case "$a" in --data|--data-dir) skip=1 ;; *) worker_flags+=("$a") ;; esac
done

start_worker() { # i cache log
  ip netns exec "${AMLP_NS[$1]}" dotnet "$dll" worker --hostname "${AMLP_ADDR[$1]}" --seed-node "$seed" --worker-id "worker-$1" \
    --cache-dir "$2" "${worker_flags[@]}" >> "$3" 2>&1 &
  echo $!
}

run() { # name cache-root kill
  local name=$1 cache=$2 kill=$3 i cpid pids=()
  mkdir -p "$work/$name"
  ip netns exec "${AMLP_NS[0]}" dotnet "$dll" coordinator --hostname "${AMLP_ADDR[0]}" --port 4053 --min-workers "$workers" \
    --out "$work/$name/run" --progress none "${flags[@]}" > "$work/$name/coordinator.log" 2>&1 &
  cpid=$!
  for ((i = 1; i <= workers; i++)); do pids+=("$(start_worker "$i" "$cache/worker-$i" "$work/$name/worker-$i.log")"); done
  if ((kill)); then
    for _ in $(seq 1200); do grep -q '%)' "$work/$name/worker-1.log" 2> /dev/null && break; sleep 0.05; done
    kill -9 "${pids[0]}"
    echo "$name: killed worker-1 after: $(grep -o '[0-9]* of [0-9]* bytes' "$work/$name/worker-1.log" | head -n 1)"
    pids[0]=$(start_worker 1 "$cache/worker-1" "$work/$name/worker-1.log")
  fi
  wait "$cpid" || { echo "ship-data: the $name run failed:"; tail -n 5 "$work/$name/coordinator.log"; exit 1; } >&2
  for p in "${pids[@]}"; do timeout 15 tail --pid="$p" -f /dev/null || kill "$p" 2> /dev/null || true; done
  grep -hoE 'worker worker-[0-9]+: data [^:]*: (resuming from byte [0-9]+|fetched [0-9]+ bytes in [0-9.]+ s( \([^)]*\))?)' \
    "$work/$name"/worker-*.log | sed -E "s/^worker (worker-[0-9]+): data [^:]*: /$name: \\1 /"
  echo "$name: parameters_sha256 $(amlp_summary_value "$work/$name/run" parameters_sha256)"
}

run cold "$work/cache" 0
run warm "$work/cache" 0
run killed "$work/cache-killed" 1
bytes=$(grep -hoE 'fetched [0-9]+ bytes' "$work/cold"/worker-*.log | awk '{ s += $2 } END { print s }')
r=${rate%bit}
rate_bits=$(numfmt --from=si "${r^^}" 2> /dev/null || echo 0)
if [[ $rate != none && $rate_bits -gt 0 ]]; then
  awk -v b="$bytes" -v r="$rate_bits" -v k="$workers" 'BEGIN {
    printf "link: %d bytes to %d workers through the coordinator'"'"'s link take %.2f s at its rate; the target is 2x: %.2f s\n", b, k, b * 8 / r, 2 * b * 8 / r }'
fi
dotnet "$dll" train --workers 0 --out "$work/reference" --progress none "${flags[@]}" > /dev/null
echo "--workers 0: parameters_sha256 $(amlp_summary_value "$work/reference" parameters_sha256)"
