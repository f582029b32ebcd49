#!/usr/bin/env bash
# Fault injection for ActorMlp: trains once without faults, then again on a local
# multi-process cluster while killing (SIGKILL), pausing (SIGSTOP/SIGCONT) and
# restarting workers and the coordinator on a seeded random schedule, and compares
# the two parameters_sha256. They must be equal: faults never change the weights.
#
#   deploy/chaos.sh [--seed S] [--workers N] [--events K] [--interval SECONDS] [--plan LIST] [train flags]
#   deploy/chaos.sh --seed 7 --workers 3 --data fashion-mnist --epochs 2
#   deploy/chaos.sh --plan kill-worker,start-worker,kill-coordinator --data fashion-mnist --epochs 2
#
# Events: kill-worker (SIGKILL one; if none is left, start one), stop-worker (SIGSTOP it for
# 4 s, then SIGCONT), start-worker, kill-coordinator (SIGKILL it, restart it with
# --resume). --plan runs the listed events in order instead of random ones.
#
# Defaults: seed 1, 3 workers, 6 events, one every ~3 s, --checkpoint-every 20 (so a
# killed coordinator has something recent to resume from). Exit 0 when the hashes
# match, 1 when they differ or the run fails. Logs stay in the printed folder.
set -euo pipefail

seed=1 workers=3 events=6 interval=3 plan=""
flags=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --seed) seed=$2; shift 2 ;;
    --workers) workers=$2; shift 2 ;;
    --events) events=$2; shift 2 ;;
    --interval) interval=$2; shift 2 ;;
    --plan) plan=$2; shift 2 ;;
    --out|--out=*|--resume|--resume=*) echo "chaos.sh chooses the run folders itself; drop $1" >&2; exit 2 ;;
    *) flags+=("$1"); shift ;;
  esac
done
[[ $workers =~ ^[1-9][0-9]*$ && $events =~ ^[0-9]+$ && $interval =~ ^[1-9][0-9]*$ && $seed =~ ^[0-9]+$ ]] \
  || { echo "usage: $0 [--seed S] [--workers N>=1] [--events K] [--interval SECONDS>=1] [train flags]" >&2; exit 2; }
[[ " ${flags[*]} " == *" --checkpoint-every "* ]] || flags+=(--checkpoint-every 20)
RANDOM=$seed

root=$(cd "$(dirname "$0")/.." && pwd)
if ! build=$(dotnet build "$root/src/ActorMlp.Cli" -c Release -v quiet --nologo 2>&1); then echo "$build" >&2; exit 1; fi
dll="$root/src/ActorMlp.Cli/bin/Release/net10.0/actormlp.dll"
work=$(mktemp -d "${TMPDIR:-/tmp}/actormlp-chaos.XXXXXX")
run="$work/run"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()' 2>/dev/null || shuf -i 20000-60000 -n 1)
seednode="akka.tcp://actormlp@127.0.0.1:$port"

sha() { grep -o '"parameters_sha256": "[0-9a-f]*"' "$1/summary.json" | grep -o '[0-9a-f]\{64\}'; }

echo "fault-free reference (in one process)..."
dotnet "$dll" train --workers 0 --progress none --out "$work/reference" "${flags[@]}" > "$work/reference.log" 2>&1 \
  || { echo "the reference run failed; see $work/reference.log" >&2; exit 1; }
reference=$(sha "$work/reference")

declare -A wpid=()
next=0
coordinator=""
cleanup() {
  trap - EXIT
  for pid in "${wpid[@]}" $coordinator; do kill -CONT "$pid" 2>/dev/null || true; kill -9 "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT
trap 'echo "interrupted" >&2; exit 130' INT TERM

start_coordinator() {
  local extra=(--out "$run")
  [[ -d "$run/checkpoints" ]] && extra=(--resume "$run")
  dotnet "$dll" coordinator --port "$port" --min-workers 1 --progress lines "${extra[@]}" "${flags[@]}" >> "$work/coordinator.log" 2>&1 &
  coordinator=$!
}
start_worker() {
  next=$((next + 1))
  dotnet "$dll" worker --seed-node "$seednode" --worker-id "w$next" "${flags[@]}" > "$work/worker-$next.log" 2>&1 &
  wpid[w$next]=$!
}
pick_worker() { local ids=("${!wpid[@]}"); echo "${ids[$((RANDOM % ${#ids[@]}))]}"; }
alive() { kill -0 "$1" 2>/dev/null; }

start_coordinator
for ((i = 0; i < workers; i++)); do start_worker; done

names=(kill-worker stop-worker start-worker kill-coordinator)
IFS=, read -r -a planned <<< "$plan"
for name in "${planned[@]}"; do
  [[ " ${names[*]} " == *" $name "* ]] || { echo "unknown event '$name' in --plan (known: ${names[*]})" >&2; exit 2; }
done
[[ -n "$plan" ]] && events=${#planned[@]}
echo "chaos seed $seed, $workers workers, $events events${plan:+ ($plan)}; logs in $work"

for ((e = 1; e <= events; e++)); do
  sleep $((interval / 2 + RANDOM % (interval + 1)))
  [[ -f "$run/summary.json" ]] && { echo "the run finished before event $e"; break; }
  if [[ -n "$plan" ]]; then action=${planned[$((e - 1))]}; else action=${names[$((RANDOM % 4))]}; fi
  case $action in
    kill-worker) w=$(pick_worker); echo "event $e: SIGKILL worker $w"; kill -9 "${wpid[$w]}" 2>/dev/null || true
      wait "${wpid[$w]}" 2>/dev/null || true; unset "wpid[$w]"
      [[ ${#wpid[@]} -gt 0 ]] || { echo "  (no worker left: starting one)"; start_worker; } ;;
    stop-worker) w=$(pick_worker); echo "event $e: SIGSTOP worker $w for 4 s"; kill -STOP "${wpid[$w]}" 2>/dev/null || true; sleep 4; kill -CONT "${wpid[$w]}" 2>/dev/null || true ;;
    start-worker) echo "event $e: start another worker"; start_worker ;;
    kill-coordinator) if [[ -d "$run/checkpoints" ]] && ls "$run/checkpoints"/*.ckpt > /dev/null 2>&1; then
         echo "event $e: SIGKILL the coordinator, resume it"; kill -9 "$coordinator" 2>/dev/null || true; wait "$coordinator" 2>/dev/null || true
         sleep 1; start_coordinator
       else echo "event $e: (no checkpoint yet: the coordinator is spared)"; fi ;;
  esac
done

status=0
wait "$coordinator" || status=$?
if [[ $status -ne 0 || ! -f "$run/summary.json" ]]; then
  echo "the chaos run failed (coordinator exit $status); see $work/coordinator.log" >&2
  exit 1
fi
chaos=$(sha "$run")
echo "fault-free parameters_sha256: $reference"
echo "with faults parameters_sha256: $chaos"
if [[ "$reference" == "$chaos" ]]; then echo "identical"; else echo "DIFFERENT"; exit 1; fi
