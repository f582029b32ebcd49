#!/usr/bin/env bash
# Runs ActorMlp and PyTorch DDP on the same simulated hosts (network namespaces on capped veths, as
# deploy/netns-cluster.sh makes them) back to back, and prints one line per row:
#   rate R K=K b=B VARIANT | actormlp X samples/s | ddp Y | ratio X/Y | busiest node sends A MB/step
#     (ring 2P(K-1)/K: B MB) | coordinator sends C MB/step | ddp busiest node sends D MB/step
# (on one line), after a line per run on standard error that also names its parameters_sha256. Each figure is the median of R repetitions, the sides alternating within each, so
# a machine that gets busier or quieter shifts both alike. Needs root.
#
#   benchmarks/compare-scaling.sh --peer PATH [--rates 1gbit,..] [--workers 2,4] [--batches 512,128]
#       [--reps R] [--epochs E] [--actormlp-flags "FLAGS"] [--variant NAME:"FLAGS"]... [--data-dir DIR]
#
#   --peer PATH             the peer script pytorch_mlp.py (or set $ACTORMLP_PEER); not in this repository
#   --rates LIST            link caps, each way per node: tc rates or none (default 1gbit)
#   --workers LIST          worker counts K (default 2,4): ActorMlp gets a coordinator and K workers,
#                           DDP K ranks in the workers' namespaces
#   --batches LIST          global mini-batches (default 512,128)
#   --reps R                repetitions per row, median reported (default 3)
#   --epochs E              epochs of each training run (default 1)
#   --actormlp-flags FLAGS  flags for every ActorMlp run (e.g. "--reduction peer")
#   --variant NAME:FLAGS    an ActorMlp variant with its own flags, a row each; repeat it, e.g.
#                           --variant star:"--reduction star" --variant peer-bf16:"--reduction peer --wire-precision bf16"
#                           (default: one variant, actormlp, with --actormlp-flags only)
#   --data-dir DIR          the Fashion-MNIST IDX folder both sides read (default /usr/share/datasets/fashion-mnist)
#
# The model is 784-256-128-10 on Fashion-MNIST, P = 235,146 parameters, 4 bytes each. Samples/s:
# summary.json's samples_per_second for ActorMlp, the RESULT line of rank 0 for DDP (gloo, 1 thread
# per rank, GLOO_SOCKET_IFNAME=eth0). MB/step (10^6 bytes): what a node's veth counters show it sent
# over the whole run divided by the steps (ActorMlp: the summary's; DDP: floor(60000/B) per epoch);
# busiest node = the most of any node. Needs /usr/bin/python3 with torch, the data set, root and
# working network namespaces; exits 2 naming what is missing. OPENBLAS_CORETYPE, when set, reaches
# the peer unchanged (the script warns when OpenBLAS does not recognise the CPU). Run folders and
# logs go to a temporary folder that is deleted at the end; the network is made per (rate, K) and
# removed with every process in it, also on Ctrl-C or failure.
set -euo pipefail

usage() { echo usage:; sed -n '9,23p' "$0" | sed 's/^# \{0,1\}//'; }
die() { echo "compare-scaling: $*" >&2; exit 2; }

root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=deploy/netns-lib.sh
source "$root/deploy/netns-lib.sh"
AMLP_WHO=compare-scaling

peer="${ACTORMLP_PEER:-}"
rates=1gbit
workers_list=2,4
batches=512,128
reps=3
epochs=1
common_flags=""
variants=()
data_dir=/usr/share/datasets/fashion-mnist
while [[ $# -gt 0 ]]; do
  case "$1" in
    --peer|--rates|--workers|--batches|--reps|--epochs|--actormlp-flags|--variant|--data-dir)
      [[ $# -ge 2 ]] || die "$1 needs a value" ;;&
    --peer) peer=$2; shift 2 ;;
    --rates) rates=$2; shift 2 ;;
    --workers) workers_list=$2; shift 2 ;;
    --batches) batches=$2; shift 2 ;;
    --reps) reps=$2; shift 2 ;;
    --epochs) epochs=$2; shift 2 ;;
    --actormlp-flags) common_flags=$2; shift 2 ;;
    --variant) variants+=("$2"); shift 2 ;;
    --data-dir) data_dir=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "compare-scaling: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
done

[[ $reps =~ ^[1-9][0-9]*$ ]] || die "--reps must be a positive whole number, got '$reps'"
[[ $epochs =~ ^[1-9][0-9]*$ ]] || die "--epochs must be a positive whole number, got '$epochs'"
IFS=, read -ra rate_values <<< "$rates"
IFS=, read -ra worker_values <<< "$workers_list"
IFS=, read -ra batch_values <<< "$batches"
[[ ${#rate_values[@]} -gt 0 ]] || die "--rates is empty"
for r in "${rate_values[@]}"; do
  [[ $r == none || $r =~ ^[0-9]+(\.[0-9]+)?([kmgt]?(bit|bps))$ ]] \
    || die "--rates takes tc rates such as 1gbit or 100mbit, or none, got '$r'"
done
[[ ${#worker_values[@]} -gt 0 ]] || die "--workers is empty"
for k in "${worker_values[@]}"; do
  [[ $k =~ ^[1-9][0-9]?$ && $k -le 60 ]] || die "--workers takes whole numbers from 1 to 60, got '$k'"
done
[[ ${#batch_values[@]} -gt 0 ]] || die "--batches is empty"
for b in "${batch_values[@]}"; do
  [[ $b =~ ^[1-9][0-9]*$ && $b -le 60000 ]] || die "--batches takes whole numbers from 1 to 60000, got '$b'"
done

# Variants: NAME and its flags; the flags of --actormlp-flags go to every one.
[[ ${#variants[@]} -gt 0 ]] || variants=("actormlp:")
variant_names=() variant_flags=()
for v in "${variants[@]}"; do
  [[ $v == *:* ]] || die "--variant takes NAME:FLAGS, got '$v'"
  name=${v%%:*}
  [[ $name =~ ^[A-Za-z0-9._+-]+$ ]] || die "a variant's name is letters, digits and ._+- only, got '$name'"
  variant_names+=("$name")
  variant_flags+=("$common_flags ${v#*:}")
done
for f in "${variant_flags[@]}"; do
  for word in $f; do
    case "${word%%=*}" in
      --hostname|--port|--seed-node|--min-workers|--worker-id|--out|--workers|--batch|--epochs|--data|--data-dir|--layers|--hidden|--progress)
        die "${word%%=*} is set by this script; leave it out of the ActorMlp flags" ;;
    esac
  done
done

[[ -n $peer ]] || die "no peer script: pass --peer PATH/pytorch_mlp.py or set \$ACTORMLP_PEER"
[[ -f $peer ]] || die "the peer script '$peer' does not exist"
peer=$(cd "$(dirname "$peer")" && pwd)/$(basename "$peer")
for f in train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz; do
  [[ -f $data_dir/$f ]] || die "Fashion-MNIST is missing: no $data_dir/$f (apt-get install dataset-fashion-mnist, or --data-dir DIR)"
done
data_dir=$(cd "$data_dir" && pwd)
python=/usr/bin/python3
[[ -x $python ]] || die "$python is missing (apt-get install python3-torch libopenblas0-pthread)"
"$python" -c 'import torch' 2> /dev/null || die "$python cannot import torch (apt-get install python3-torch libopenblas0-pthread)"
amlp_check_machine || exit 2

work=$(mktemp -d "${TMPDIR:-/tmp}/actormlp-scaling.XXXXXX")
cleanup() {
  trap - EXIT INT TERM HUP
  amlp_net_down
  rm -rf "$work"
}
trap cleanup EXIT
trap 'echo "interrupted" >&2; exit 130' INT TERM HUP

echo "building ActorMlp (Release) ..." >&2
if ! dotnet build "$root/src/ActorMlp.Cli" -c Release -v quiet --nologo > "$work/build.log" 2>&1; then
  cat "$work/build.log" >&2
  echo "compare-scaling: building src/ActorMlp.Cli failed" >&2
  exit 1
fi
actormlp="$root/src/ActorMlp.Cli/bin/Release/net10.0/actormlp.dll"

# One thread for OpenBLAS so it does not compete with PyTorch's own threads (the peer's README).
export OPENBLAS_NUM_THREADS=1
export FASHION_DIR="$data_dir"

# OpenBLAS picks its kernels by CPU model and falls back to SSE3 "Prescott" kernels on a model it
# does not know, which makes the peer slower than the CPU allows: say so (as compare-pytorch.sh does).
blas_core=$(OPENBLAS_VERBOSE=2 "$python" -c 'import torch; a = torch.ones(64, 64); a @ a' 2>&1 | sed -n 's/^Core: //p' | head -n 1)
echo "peer OpenBLAS kernels: ${blas_core:-unknown}${OPENBLAS_CORETYPE:+ (OPENBLAS_CORETYPE=$OPENBLAS_CORETYPE)}" >&2
if [[ $blas_core == Prescott ]] && grep -qw avx2 /proc/cpuinfo 2> /dev/null; then
  suggestion=Haswell
  grep -qw avx512f /proc/cpuinfo && suggestion=SkylakeX
  echo "warning: OpenBLAS does not recognise this CPU and uses SSE3 kernels although it has AVX2;" \
    "the peer is slower than it could be here. Rerun with OPENBLAS_CORETYPE=$suggestion for a fair ratio." >&2
fi

parameters=235146
run_timeout=1800 # seconds for any one training run; a run past it is a failure
runs=0
result=""

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# counters_of FIRST LAST: "SENT RECEIVED" of nodes FIRST..LAST, one pair per line.
counters_of() { local i; for ((i = $1; i <= $2; i++)); do amlp_counters "$i"; done; }

# most_sent BEFORE AFTER STEPS: the most bytes per step any node of the two counter lists sent, in MB.
most_sent() {
  paste -d ' ' <(echo "$1") <(echo "$2") | awk -v k="$3" '{ s = ($3 - $1) / k; if (s > m) m = s } END { printf "%.4f", m / 1e6 }'
}

fail() {
  echo "compare-scaling: $1; the end of $2:" >&2
  tail -n 15 "$2" >&2 || true
  exit 1
}

# actormlp_run K B VARIANT: one ActorMlp run; sets result to "SAMPLES_PER_S BUSIEST_MB COORDINATOR_MB".
actormlp_run() {
  local k=$1 b=$2 v=$3 out logs status=0 before after steps sps
  runs=$((runs + 1))
  out="$work/run-$runs" logs="$work/logs-$runs"
  mkdir -p "$logs"
  local -a flags
  read -ra flags <<< "${variant_flags[$v]}"
  before=$(counters_of 0 "$k")
  amlp_cluster_run "$actormlp" $((4053 + runs)) "$k" "$out" "$logs" "$run_timeout" \
    --data fashion-mnist --data-dir "$data_dir" --layers 784,256,128,10 --epochs "$epochs" --batch "$b" \
    ${flags[@]+"${flags[@]}"} || status=$?
  after=$(counters_of 0 "$k")
  [[ $status -eq 0 && -f $out/summary.json ]] \
    || fail "ActorMlp (${variant_names[$v]}, K=$k, b=$b) failed with exit $status" "$logs/coordinator.err.log"
  steps=$(amlp_summary_value "$out" steps)
  sps=$(amlp_summary_value "$out" samples_per_second)
  result="$sps $(most_sent "$before" "$after" "$steps") $(most_sent "${before%%$'\n'*}" "${after%%$'\n'*}" "$steps") $(amlp_summary_value "$out" parameters_sha256 | cut -c1-16)"
}

# ddp_run K B: one DDP run, rank r in worker node r+1; sets result to "SAMPLES_PER_S BUSIEST_MB".
# A rank that fails ends the run at once (the others would wait for it in a collective).
ddp_run() {
  local k=$1 b=$2 r status before after pids=() master log left sps
  runs=$((runs + 1))
  master="${AMLP_ADDR[1]}:$((29500 + runs))"
  log="$work/ddp-$runs"
  before=$(counters_of 1 "$k")
  for ((r = 0; r < k; r++)); do
    ip netns exec "${AMLP_NS[$((r + 1))]}" env GLOO_SOCKET_IFNAME=eth0 \
      timeout "$run_timeout" "$python" "$peer" rank "$r" "$k" "$master" "$epochs" "$b" > "$log-$r.log" 2>&1 &
    pids+=("$!")
  done
  left=$k
  while ((left > 0)); do
    sleep 0.2
    for ((r = 0; r < k; r++)); do
      [[ -n ${pids[$r]} ]] && ! kill -0 "${pids[$r]}" 2> /dev/null || continue
      status=0
      wait "${pids[$r]}" || status=$?
      [[ $status -eq 0 ]] || fail "DDP rank $r (K=$k, b=$b) failed with exit $status" "$log-$r.log"
      pids[$r]="" left=$((left - 1))
    done
  done
  after=$(counters_of 1 "$k")
  sps=$(grep -oE 'samples_per_s=[0-9.]+' "$log-0.log" | tail -n 1 | cut -d= -f2 || true)
  [[ -n $sps ]] || fail "DDP rank 0 (K=$k, b=$b) printed no RESULT line" "$log-0.log"
  result="$sps $(most_sent "$before" "$after" $((60000 / b * epochs)))"
}

echo "ActorMlp vs DDP on simulated hosts: median of $reps repetition(s), $epochs epoch(s) per run," \
  "variants: ${variant_names[*]}" >&2

for rate in "${rate_values[@]}"; do
  for k in "${worker_values[@]}"; do
    if ! amlp_net_up $((k + 1)) "$rate" 2> "$work/network.err.log"; then
      echo "compare-scaling: making the simulated network failed: $(tail -n 1 "$work/network.err.log")" >&2
      exit 1
    fi
    echo "network $AMLP_ID: $((k + 1)) namespaces, rate $rate" >&2
    for b in "${batch_values[@]}"; do
      ours_sps=() ours_busy=() ours_coord=() ddp_sps=() ddp_busy=()
      for ((rep = 1; rep <= reps; rep++)); do
        for ((v = 0; v < ${#variant_names[@]}; v++)); do
          actormlp_run "$k" "$b" "$v"
          read -r s busy coord sha <<< "$result"
          printf '  rate %s K=%d b=%d rep %d %s: %.0f samples/s, busiest node sends %s MB/step, coordinator %s, parameters_sha256 %s...\n' \
            "$rate" "$k" "$b" "$rep" "${variant_names[$v]}" "$s" "$busy" "$coord" "$sha" >&2
          ours_sps[v]+=" $s" ours_busy[v]+=" $busy" ours_coord[v]+=" $coord"
        done
        ddp_run "$k" "$b"
        read -r s busy <<< "$result"
        echo "  rate $rate K=$k b=$b rep $rep ddp: $s samples/s, busiest node sends $busy MB/step" >&2
        ddp_sps+=("$s") ddp_busy+=("$busy")
      done
      theirs=$(median "${ddp_sps[@]}")
      theirs_busy=$(median "${ddp_busy[@]}")
      for ((v = 0; v < ${#variant_names[@]}; v++)); do
        # shellcheck disable=SC2086 # the lists are space-separated numbers
        awk -v rate="$rate" -v k="$k" -v b="$b" -v name="${variant_names[$v]}" -v x="$(median ${ours_sps[$v]})" \
          -v y="$theirs" -v a="$(median ${ours_busy[$v]})" -v c="$(median ${ours_coord[$v]})" -v d="$theirs_busy" \
          -v p="$parameters" 'BEGIN {
            printf "rate %s K=%d b=%d %s | actormlp %.0f samples/s | ddp %.0f | ratio %.2f | busiest node sends %.2f MB/step (ring 2P(K-1)/K: %.2f MB) | coordinator sends %.2f MB/step | ddp busiest node sends %.2f MB/step\n",
              rate, k, b, name, x, y, (y > 0 ? x / y : 0), a, 2 * p * 4 * (k - 1) / k / 1e6, c, d
          }'
      done
    done
    amlp_net_down
  done
done
