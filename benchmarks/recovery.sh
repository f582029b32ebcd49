#!/usr/bin/env bash
# How long a run takes to train again after a worker is killed with SIGKILL: a
# coordinator and 3 worker processes train on a data set (default fashion-mnist);
# once training is under way (its first checkpoint, written after 20 steps, exists) one
# worker is killed; the coordinator logs "step T completed
# X s after worker W was lost" once the step that had undone leaves of W is applied.
# Repeats TRIES times (default 5) and prints every X and the median.
#
#   benchmarks/recovery.sh [TRIES] [train flags]
set -euo pipefail
tries=${1:-5}
[[ $tries =~ ^[1-9][0-9]*$ ]] || { echo "usage: $0 [TRIES] [train flags]" >&2; exit 2; }
shift || true
flags=("$@")
[[ " ${flags[*]} " == *" --data "* ]] || flags+=(--data fashion-mnist --epochs 1)
flags+=(--checkpoint-every 20)

root=$(cd "$(dirname "$0")/.." && pwd)
if ! build=$(dotnet build "$root/src/ActorMlp.Cli" -c Release -v quiet --nologo 2>&1); then echo "$build" >&2; exit 1; fi
dll="$root/src/ActorMlp.Cli/bin/Release/net10.0/actormlp.dll"
work=$(mktemp -d "${TMPDIR:-/tmp}/actormlp-recovery.XXXXXX")
pids=()
trap 'for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done; rm -rf "$work"' EXIT

results=()
for ((t = 1; t <= tries; t++)); do
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
  seed="akka.tcp://actormlp@127.0.0.1:$port"
  dotnet "$dll" coordinator --port "$port" --min-workers 3 --progress none --out "$work/run$t" "${flags[@]}" > "$work/c$t.log" 2>&1 &
  coordinator=$!
  pids=("$coordinator")
  for i in 1 2 3; do
    dotnet "$dll" worker --seed-node "$seed" --worker-id "w$i" "${flags[@]}" > "$work/w$t-$i.log" 2>&1 &
    pids+=("$!")
  done
  for ((w = 0; w < 600; w++)); do [[ -d "$work/run$t/checkpoints" ]] && break; sleep 0.1; done
  sleep 1
  kill -9 "${pids[2]}"
  wait "$coordinator" || { echo "try $t: the run failed" >&2; tail -n 20 "$work/c$t.log" "$work/w$t-"*.log >&2; cp -r "$work" "${work}.failed"; echo "logs kept in ${work}.failed" >&2; exit 1; }
  x=$(grep -o 'completed [0-9.]* s after worker' "$work/c$t.log" | head -1 | grep -o '[0-9.]*' || true)
  [[ -n "$x" ]] || { echo "try $t: no recovery line (did the kill land after the run?)" >&2; exit 1; }
  echo "try $t: training again ${x} s after the worker was lost"
  results+=("$x")
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
done
printf '%s\n' "${results[@]}" | sort -g | awk '{a[NR]=$1} END {m = (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2; print "median: " m " s over " NR " tries"}'
