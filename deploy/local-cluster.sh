#!/usr/bin/env bash
# Starts a coordinator and N worker processes of ActorMlp on this machine (loopback),
# waits for the run, prints where its summary is, and leaves no process behind,
# also on Ctrl-C or failure.
#
#   deploy/local-cluster.sh N [--tls] [train flags]
#   deploy/local-cluster.sh 2 --data digits --epochs 3
#   deploy/local-cluster.sh 2 --tls --data digits --epochs 3
#
# --tls makes a fresh certificate authority and a certificate per node with
# `actormlp certs create` (in a temporary folder, removed afterwards) and runs every
# connection over mutual TLS. Every other flag goes to the coordinator and to each
# worker (a worker uses the data flags only). Without --out the run folder is runs/local-<timestamp>. The logs of
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
tls=0
args=()
given=("$@")
for ((i = 0; i < ${#given[@]}; i++)); do
  case "${given[$i]}" in
    --tls)
      tls=1
      if [[ "${given[$((i + 1))]:-}" == on ]]; then i=$((i + 1)); elif [[ "${given[$((i + 1))]:-}" == off ]]; then tls=0; i=$((i + 1)); fi
      continue ;;
    --out) out="${given[$((i + 1))]:-}" ;;
    --out=*) out="${given[$i]#--out=}" ;;
  esac
  args+=("${given[$i]}")
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
  # The keys go with the run's temporary folder.
  rm -rf "$logs"
}
trap cleanup EXIT
trap 'echo "interrupted" >&2; exit 130' INT TERM

# Node k's TLS flags (1 is the coordinator), or nothing.
tls_flags() { [[ $tls -eq 1 ]] && echo "--tls on --tls-ca $logs/certs/ca.crt --tls-certificate $logs/certs/node-$1.p12" || true; }
if [[ $tls -eq 1 ]]; then
  dotnet "$dll" certs create --out "$logs/certs" --nodes $((workers + 1)) > /dev/null
fi

echo "coordinator on $seed, $workers worker(s)$([[ $tls -eq 1 ]] && echo ", mutual TLS"), logs in $logs" >&2
# shellcheck disable=SC2046 # tls_flags is words without spaces inside them
dotnet "$dll" coordinator --port "$port" --min-workers "$workers" --progress lines $(tls_flags 1) "${args[@]}" \
  > >(tee "$logs/coordinator.log") 2> "$logs/coordinator.err.log" &
coordinator=$!
pids+=("$coordinator")
for ((i = 1; i <= workers; i++)); do
  # shellcheck disable=SC2046
  dotnet "$dll" worker --seed-node "$seed" --worker-id "worker-$i" $(tls_flags $((i + 1))) "${args[@]}" > "$logs/worker-$i.log" 2>&1 &
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
