#!/usr/bin/env bash
# Starts a coordinator and N worker processes of ActorMlp on this machine (loopback),
# waits for the run, prints where its summary is, and leaves no process behind,
# also on Ctrl-C or failure.
#
#   deploy/local-cluster.sh N [train flags]
#   deploy/local-cluster.sh 2 --data digits --epochs 3
#
# Every flag goes to the coordinator and to each worker (a worker uses the data
# flags only). Without --out the run folder is runs/local-<timestamp>. The logs of
# every process end up in RUN_DIR/logs/.
set -euo pipefail

usage() { echo "usage: $0 N [train flags]   (N = number of worker processes, at least 1)" >&2; exit 2; }
[[ $# -ge 1 && $1 =~ ^[0-9]+$ && $1 -ge 1 ]] || usage
workers=$1
shift

root=$(cd "$(dirname "$0")/.." && pwd)
if ! build=$(dotnet build "$root/src/ActorMlp.Cli" -c Release -v quiet --nologo 2>&1); then
  echo "$build" >&2
  exit 1
fi
dll="$root/src/ActorMlp.Cli/bin/Release/net10.0/actormlp.dll"

out=""
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  case "${args[$i]}" in
    --out) out="${args[$((i + 1))]:-}" ;;
    --out=*) out="${args[$i]#--out=}" ;;
  esac
done
if [[ -z "$out" ]]; then
  out="runs/local-$(date +%Y%m%d-%H%M%S)"
  args+=(--out "$out")
fi

# A free port for the coordinator: workers need it before it is up (they retry joining).
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()' 2>/dev/null \
       || shuf -i 20000-60000 -n 1)
seed="akka.tcp://actormlp@127.0.0.1:$port"
logs=$(mktemp -d "${TMPDIR:-/tmp}/actormlp-local.XXXXXX")

pids=()
cleanup() {
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  sleep 1
  for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [[ -d "$out" ]]; then mkdir -p "$out/logs" && cp "$logs"/*.log "$out/logs/" 2>/dev/null || true; fi
  rm -rf "$logs"
}
trap cleanup EXIT
trap 'echo "interrupted" >&2; exit 130' INT TERM

echo "coordinator on $seed, $workers worker(s), logs in $logs" >&2
dotnet "$dll" coordinator --port "$port" --min-workers "$workers" --progress lines "${args[@]}" \
  > >(tee "$logs/coordinator.log") 2> "$logs/coordinator.err.log" &
coordinator=$!
pids+=("$coordinator")
for ((i = 1; i <= workers; i++)); do
  dotnet "$dll" worker --seed-node "$seed" --worker-id "worker-$i" "${args[@]}" > "$logs/worker-$i.log" 2>&1 &
  pids+=("$!")
done

status=0
wait "$coordinator" || status=$?
if [[ $status -ne 0 ]]; then
  echo "the coordinator failed (exit $status):" >&2
  tail -n 5 "$logs/coordinator.err.log" >&2 || true
  exit "$status"
fi
# Workers stop by themselves when the run ends; give them a moment before cleanup stops them.
for ((i = 1; i < ${#pids[@]}; i++)); do timeout 15 tail --pid="${pids[$i]}" -f /dev/null || true; done
echo "summary: $out/summary.json"
