#!/usr/bin/env bash
# Runs ActorMlp on simulated hosts: one network namespace per node (a coordinator and K workers),
# each on its own veth into a bridge, with one address and a bandwidth cap each way. Waits for the
# run, prints where its summary is, its parameters_sha256 and the bytes each node sent and received
# per training step, and removes every namespace, veth, bridge and process it made, also on Ctrl-C
# or failure. Needs root.
#
#   deploy/netns-cluster.sh [--workers K] [--rate R] [--out RUN_DIR] [--timeout S] [--dll PATH]
#                           [--bootstrap [--cache DIR]] [train flags]
#   deploy/netns-cluster.sh --workers 2 --data digits --epochs 3
#   deploy/netns-cluster.sh --workers 4 --rate 1gbit --data fashion-mnist --layers 784,256,128,10 --batch 512 --epochs 1
#   deploy/netns-cluster.sh --workers 2 --bootstrap --data fashion-mnist --epochs 1
#
#   --workers K    worker nodes (default 2), one namespace each, besides the coordinator's
#   --rate R       cap of each node's link, each way: a tc rate (1gbit, 100mbit, ...) or none (default 1gbit)
#   --out RUN_DIR  the run folder (default runs/netns-<timestamp>); logs go to RUN_DIR/logs/
#   --timeout S    stop the run and fail after S seconds (default 0: no limit)
#   --dll PATH     run this actormlp.dll instead of building src/ActorMlp.Cli (Release)
#   --bootstrap    workers start as on fresh machines: no data (they fetch the run's training set
#                  from the coordinator into an empty cache folder each), no seed address (discovery
#                  by config on the coordinator's management endpoint, 10.231.0.1:8558), and mutual
#                  TLS on both planes with certificates made for the run (actormlp certs create)
#   --cache DIR    with --bootstrap: worker i's cache is DIR/worker-i and is kept, so a second run
#                  with the same DIR fetches nothing (default: a fresh folder, removed afterwards)
#
# Every other flag goes to the coordinator and to each worker, as with deploy/local-cluster.sh
# (--reduction, --wire-precision, --tensor-link included). Node i lives in namespace amlp<PID>-n<i>
# at 10.231.0.<i+1> (node 0: the coordinator, listening on port 4053), and every node gets
# --hostname its own address, so links between any two nodes cross the simulated network.
# Bytes per step: each node's veth counters over the whole run (cluster forming, warm-up and
# final evaluation included) divided by the summary's steps.
# Exit codes: 0 done; 2 a bad command line; 1 this machine cannot make the network (not root,
# no network namespaces) or the run failed (a timeout, every worker gone while the coordinator
# waits for 30 s, a coordinator that failed). Killed with SIGKILL, it cannot clean up: remove
# what is left with `ip netns del amlpPID-nI` and `ip link del amlpPIDb`.
set -euo pipefail

usage() { echo usage:; sed -n '8,25p' "$0" | sed 's/^# \{0,1\}//'; }
die() { echo "netns-cluster: $*" >&2; exit 2; }

root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=deploy/netns-lib.sh
source "$root/deploy/netns-lib.sh"
AMLP_WHO=netns-cluster

workers=2
rate=1gbit
out=""
timeout=0
dll=""
bootstrap=0
own_tls=0
cache=""
args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --workers|--rate|--out|--timeout|--dll|--cache) [[ $# -ge 2 ]] || die "$1 needs a value" ;;&
    --bootstrap) bootstrap=1; shift ;;
    --cache) cache=$2; shift 2 ;;
    --workers) workers=$2; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --out=*) out=${1#--out=}; shift ;;
    --timeout) timeout=$2; shift 2 ;;
    --dll) dll=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    --hostname|--port|--seed-node|--min-workers|--worker-id|--hostname=*|--port=*|--seed-node=*|--min-workers=*|--worker-id=*|\
    --discovery|--discovery-endpoints|--management-hostname|--cache-dir|\
    --discovery=*|--discovery-endpoints=*|--management-hostname=*|--cache-dir=*)
      die "${1%%=*} is set by this script for each node; leave it out" ;;
    # TLS flags go to every node as given (one certificate for all), except with --bootstrap, which makes its own.
    --tls|--tls-ca|--tls-certificate|--tls=*|--tls-ca=*|--tls-certificate=*) own_tls=1; args+=("$1"); shift ;;
    *) args+=("$1"); shift ;;
  esac
done
((bootstrap && own_tls)) && die "--tls, --tls-ca and --tls-certificate are set by --bootstrap for each node; leave them out"
[[ $workers =~ ^[1-9][0-9]?$ && $workers -le 60 ]] || die "--workers must be a whole number from 1 to 60, got '$workers'"
[[ $rate == none || $rate =~ ^[0-9]+(\.[0-9]+)?([kmgt]?(bit|bps))$ ]] \
  || die "--rate must be a tc rate such as 1gbit, 100mbit or 500kbit, or none, got '$rate'"
[[ $timeout =~ ^[0-9]+$ ]] || die "--timeout must be a whole number of seconds, got '$timeout'"
if [[ -n $dll && ! -f $dll ]]; then die "the program '$dll' does not exist"; fi
if [[ -n $cache && $bootstrap -eq 0 ]]; then die "--cache goes with --bootstrap (workers that fetch their data)"; fi

amlp_check_machine || exit 1

if [[ -z $dll ]]; then
  if ! build=$(dotnet build "$root/src/ActorMlp.Cli" -c Release -v quiet --nologo 2>&1); then
    echo "$build" >&2
    echo "netns-cluster: building src/ActorMlp.Cli failed" >&2
    exit 1
  fi
  dll="$root/src/ActorMlp.Cli/bin/Release/net10.0/actormlp.dll"
fi
dll=$(realpath "$dll")
[[ -n $out ]] || out="runs/netns-$(date +%Y%m%d-%H%M%S)"
out=$(realpath -m "$out")
if [[ -e $out && -n $(ls -A "$out" 2> /dev/null) ]]; then die "the run folder '$out' exists and is not empty"; fi

logs=$(mktemp -d "${TMPDIR:-/tmp}/actormlp-netns.XXXXXX")
cleanup() {
  trap - EXIT INT TERM HUP
  amlp_net_down
  if [[ -d $out ]]; then mkdir -p "$out/logs" && cp "$logs"/*.log "$out/logs/" 2> /dev/null || true; fi
  rm -rf "$logs"
}
trap cleanup EXIT
trap 'echo "interrupted" >&2; exit 130' INT TERM HUP

if ! amlp_net_up $((workers + 1)) "$rate" 2> "$logs/network.err.log"; then
  echo "netns-cluster: making the simulated network failed: $(tail -n 1 "$logs/network.err.log")" >&2
  exit 1
fi
echo "network $AMLP_ID: coordinator ${AMLP_ADDR[0]}, $workers worker(s) ${AMLP_ADDR[1]}..${AMLP_ADDR[$workers]}, rate $rate, logs in $logs" >&2

if ((bootstrap)); then
  # Certificates for every node's address; node i gets node-(i+1).p12.
  hosts=$(IFS=,; echo "${AMLP_ADDR[*]}")
  if ! dotnet "$dll" certs create --out "$logs/certs" --nodes $((workers + 1)) --hosts "$hosts" > "$logs/certs.log" 2>&1; then
    echo "netns-cluster: making the certificates failed: $(tail -n 1 "$logs/certs.log")" >&2
    exit 1
  fi
  [[ -n $cache ]] || cache="$logs/cache"
  cache=$(realpath -m "$cache")
  management="${AMLP_ADDR[0]}:8558"
  tls=(--tls on --tls-ca "$logs/certs/ca.crt")
  AMLP_NO_SEED=1
  AMLP_COORDINATOR_FLAGS=(--discovery config --discovery-endpoints "$management"
    "${tls[@]}" --tls-certificate "$logs/certs/node-1.p12")
  AMLP_WORKER_FLAGS=(--discovery config --discovery-endpoints "$management"
    "${tls[@]}" --tls-certificate "$logs/certs/node-{node}.p12" --cache-dir "$cache/worker-{i}")
  echo "bootstrap: workers find the coordinator through $management, fetch their data into $cache/worker-*, TLS on" >&2
fi

before=()
for ((i = 0; i <= workers; i++)); do before+=("$(amlp_counters "$i")"); done

status=0
AMLP_ECHO=1 amlp_cluster_run "$dll" 4053 "$workers" "$out" "$logs" "$timeout" "${args[@]}" || status=$?
if [[ $status -ne 0 ]]; then
  # (a timeout, 124, or workers all gone, 125, has been said already)
  if [[ $status -ne 124 && $status -ne 125 ]]; then
    echo "netns-cluster: the coordinator failed (exit $status):" >&2
    tail -n 5 "$logs/coordinator.err.log" >&2 || true
  fi
  exit 1
fi
if [[ ! -f $out/summary.json ]]; then
  echo "netns-cluster: the coordinator ended without writing $out/summary.json" >&2
  exit 1
fi

steps=$(amlp_summary_value "$out" steps)
[[ $steps =~ ^[0-9]+$ && $steps -gt 0 ]] || { echo "netns-cluster: no steps in $out/summary.json" >&2; exit 1; }
{
  echo "summary: $out/summary.json"
  echo "parameters_sha256: $(amlp_summary_value "$out" parameters_sha256)"
  echo "samples_per_second: $(amlp_summary_value "$out" samples_per_second)"
  echo "steps: $steps; bytes per step and node, from its veth counters over the whole run:"
  for ((i = 0; i <= workers; i++)); do
    read -r s0 r0 <<< "${before[$i]}"
    read -r s1 r1 <<< "$(amlp_counters "$i")"
    name=coordinator
    [[ $i -eq 0 ]] || name="worker-$i"
    awk -v n="$name" -v a="${AMLP_ADDR[$i]}" -v s=$((s1 - s0)) -v r=$((r1 - r0)) -v k="$steps" 'BEGIN {
      printf "node %-12s %-12s sent %10.0f B/step (%.3f MB)  received %10.0f B/step (%.3f MB)\n", n, a, s / k, s / k / 1e6, r / k, r / k / 1e6
    }'
  done
  if ((bootstrap)); then
    for ((i = 1; i <= workers; i++)); do
      line=$(grep -oE 'fetched [0-9]+ bytes in [0-9.]+ s' "$logs/worker-$i.log" | tail -n 1 || true)
      echo "worker-$i data: ${line:-no fetch in its log}"
    done
  fi
} | tee "$logs/network.log"
