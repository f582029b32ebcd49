#!/usr/bin/env bash
# Runs ActorMlp and its PyTorch peer back to back on the same machine and prints, per row,
#   ROW | actormlp X | pytorch Y | ratio X/Y | target T | ok/MISS
# Each figure is the median of R repetitions, and the two sides alternate within each repetition,
# so a machine that gets busier or quieter during the run shifts both alike. Only ratios measured
# this way mean anything; an absolute figure from another machine or day does not.
#
#   benchmarks/compare-pytorch.sh --peer PATH [--reps R] [--epochs E] [--data-dir DIR] [--kernel K] [--rows LIST]
#
#   --peer PATH     the peer script pytorch_mlp.py (or set $ACTORMLP_PEER); it is not part of
#                   this repository, so it must be named
#   --reps R        repetitions per row, median reported (default 3)
#   --epochs E      epochs of each training run (default 2)
#   --data-dir DIR  the Fashion-MNIST IDX folder both sides read
#                   (default /usr/share/datasets/fashion-mnist: apt-get install dataset-fashion-mnist)
#   --kernel K      ActorMlp's kernel path: auto (default), avx512, avx2 or vector128; pair avx2
#                   with OPENBLAS_CORETYPE=Haswell so both sides run 256-bit kernels
#   --rows LIST     comma-separated subset of gemm,single,cluster,paths (default gemm,single,cluster;
#                   paths: ActorMlp against itself, --kernel vector128 vs --kernel avx2 at batch 128,
#                   and a CPU without AVX2 (DOTNET_EnableAVX2=0) vs avx2 on digits, 3 epochs)
#
# Needs /usr/bin/python3 with torch (apt-get install python3-torch libopenblas0-pthread) and the data
# set; exits 2 naming what is missing. Installs nothing. OPENBLAS_CORETYPE, when set, reaches the
# peer unchanged: set it where OpenBLAS does not recognise the CPU (the script warns when it sees that).
# Builds ActorMlp (Release) once, then runs:
#   gemm rows      1-thread GFLOP/s of C = A·B, n = 1024 and the forward shapes (batch, in, out) of
#                  784-256-128-10 at batch 128: the benchmarks' `gemm` mode vs `pytorch_mlp.py gemm 1`
#   single rows    `actormlp train --workers 0` vs `pytorch_mlp.py single 1`, training samples/s
#   cluster rows   deploy/local-cluster.sh 2 (coordinator + 2 worker processes) vs `pytorch_mlp.py ddp 2`
#   worker-alloc   managed bytes a worker allocates per step in steady state, as each worker reports
#   worker-rss     peak resident memory (VmHWM) of a worker process over the cluster runs, in MB
# Run folders go to a temporary folder that is deleted at the end.
set -euo pipefail

usage() {
  { echo usage:; sed -n '8,21p' "$0" | sed 's/^# \{0,1\}//'; } >&2
  exit 2
}
die() { echo "compare-pytorch: $*" >&2; exit 2; }

peer="${ACTORMLP_PEER:-}"
reps=3
epochs=2
data_dir=/usr/share/datasets/fashion-mnist
kernel=auto
rows=gemm,single,cluster
while [[ $# -gt 0 ]]; do
  case "$1" in
    --peer|--reps|--epochs|--data-dir|--kernel|--rows) [[ $# -ge 2 ]] || die "$1 needs a value" ;;&
    --kernel) kernel="${2:-}"; shift 2 ;;
    --rows) rows="${2:-}"; shift 2 ;;
    --peer) peer="${2:-}"; shift 2 ;;
    --reps) reps="${2:-}"; shift 2 ;;
    --epochs) epochs="${2:-}"; shift 2 ;;
    --data-dir) data_dir="${2:-}"; shift 2 ;;
    -h|--help) usage ;;
    *) echo "compare-pytorch: unknown argument '$1'" >&2; usage ;;
  esac
done

[[ $reps =~ ^[1-9][0-9]*$ ]] || die "--reps must be a positive whole number, got '$reps'"
[[ $epochs =~ ^[1-9][0-9]*$ ]] || die "--epochs must be a positive whole number, got '$epochs'"
[[ $kernel =~ ^(auto|avx512|avx2|vector128)$ ]] || die "--kernel must be auto, avx512, avx2 or vector128, got '$kernel'"
[[ $rows =~ ^(gemm|single|cluster|paths)(,(gemm|single|cluster|paths))*$ ]] || die "--rows must list gemm, single, cluster or paths, got '$rows'"
wants() { [[ ",$rows," == *",$1,"* ]]; }
[[ -n $peer ]] || die "no peer script: pass --peer PATH/pytorch_mlp.py or set \$ACTORMLP_PEER"
[[ -f $peer ]] || die "the peer script '$peer' does not exist"
peer=$(cd "$(dirname "$peer")" && pwd)/$(basename "$peer")
for f in train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz; do
  [[ -f $data_dir/$f ]] || die "Fashion-MNIST is missing: no $data_dir/$f (apt-get install dataset-fashion-mnist, or --data-dir DIR)"
done
python=/usr/bin/python3
[[ -x $python ]] || die "$python is missing (apt-get install python3-torch libopenblas0-pthread)"
"$python" -c 'import torch' 2>/dev/null || die "$python cannot import torch (apt-get install python3-torch libopenblas0-pthread)"

root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/actormlp-compare.XXXXXX")
poller=""
cleanup() {
  if [[ -n $poller ]]; then kill "$poller" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'echo "interrupted" >&2; exit 130' INT TERM

echo "building ActorMlp (Release) ..." >&2
for project in src/ActorMlp.Cli benchmarks/ActorMlp.Benchmarks; do
  if ! dotnet build "$root/$project" -c Release -v quiet --nologo > "$work/build.log" 2>&1; then
    cat "$work/build.log" >&2
    echo "compare-pytorch: building $project failed" >&2
    exit 1
  fi
done
actormlp="$root/src/ActorMlp.Cli/bin/Release/net10.0/actormlp.dll"
benchmarks="$root/benchmarks/ActorMlp.Benchmarks/bin/Release/net10.0/ActorMlp.Benchmarks.dll"

# One thread for OpenBLAS so it does not compete with PyTorch's own threads (the peer's README).
export OPENBLAS_NUM_THREADS=1
export FASHION_DIR="$data_dir"
kernel_flags=(--kernel "$kernel")
data_flags=(--data fashion-mnist --data-dir "$data_dir" --layers 784,256,128,10 --epochs "$epochs" "${kernel_flags[@]}")

# run LOG CMD...: runs a measurement, its output to LOG; on failure shows the log's end and stops.
run() {
  local log=$1; shift
  if ! "$@" > "$log" 2>&1; then
    echo "compare-pytorch: this command failed: $*" >&2
    tail -n 15 "$log" >&2
    exit 1
  fi
}

# value KEY LOG: the number after "KEY=" or "KEY: " on the last line of LOG that has one.
value() {
  local v
  v=$(grep -oE "$1(=|: )[0-9.]+" "$2" | tail -n 1 | grep -oE '[0-9.]+$' || true)
  [[ -n $v ]] || { echo "compare-pytorch: no '$1' figure in the output:" >&2; tail -n 15 "$2" >&2; exit 1; }
  echo "$v"
}

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# report ROW OURS PEER TARGET: one result line; ok when OURS/PEER reaches TARGET.
report() {
  awk -v row="$1" -v a="$2" -v b="$3" -v t="$4" 'BEGIN {
    r = (b > 0) ? a / b : 0
    printf "%s | actormlp %s | pytorch %s | ratio %.2f | target %s | %s\n", row, a, b, r, t, (r >= t ? "ok" : "MISS")
  }'
}

# Peak RSS of the worker processes of one cluster run, found by their run folder in the command line
# (other ActorMlp processes on the machine are left out). VmHWM only grows, so the last reading of
# each process is its peak up to then; readings every 0.2 s miss at most the final moments.
watch_workers() {
  local out=$1 file=$2 pid hwm
  while true; do
    for pid in $(pgrep -f 'actormlp\.dll worker' || true); do
      grep -qF -- "$out" "/proc/$pid/cmdline" 2>/dev/null || continue
      hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$pid/status" 2>/dev/null || true)
      if [[ -n $hwm ]]; then echo "$pid $hwm" >> "$file"; fi
    done
    sleep 0.2
  done
}

echo "ActorMlp vs PyTorch: median of $reps repetition(s), $epochs epoch(s) per training run, ActorMlp --kernel $kernel" >&2
if [[ $kernel == avx2 && ${OPENBLAS_CORETYPE:-} != Haswell ]]; then
  echo "warning: --kernel avx2 pairs with the peer on OPENBLAS_CORETYPE=Haswell (256-bit kernels on both sides)" >&2
fi
# The GEMM target is 0.9 on the AVX2 path (its peer's Haswell kernels are simpler to match), 0.85 otherwise.
gemm_target=0.85
[[ $kernel == avx2 ]] && gemm_target=0.9

# OpenBLAS picks its kernels by CPU model; a model it does not know (common in virtual machines) gets
# the SSE3 "Prescott" kernels, which run sgemm several times slower than the CPU allows, and every
# peer figure with it. Say so, since such a ratio flatters ActorMlp; OPENBLAS_CORETYPE set by the
# caller is passed on to the peer untouched.
blas_core=$(OPENBLAS_VERBOSE=2 "$python" -c 'import torch; a = torch.ones(64, 64); a @ a' 2>&1 | sed -n 's/^Core: //p' | head -n 1)
echo "peer OpenBLAS kernels: ${blas_core:-unknown}${OPENBLAS_CORETYPE:+ (OPENBLAS_CORETYPE=$OPENBLAS_CORETYPE)}" >&2
if [[ $blas_core == Prescott ]] && grep -qw avx2 /proc/cpuinfo 2>/dev/null; then
  suggestion=Haswell
  grep -qw avx512f /proc/cpuinfo && suggestion=SkylakeX
  echo "warning: OpenBLAS does not recognise this CPU and uses SSE3 kernels although it has AVX2;" \
    "the peer is slower than it could be here. Rerun with OPENBLAS_CORETYPE=$suggestion for a fair ratio." >&2
fi

for shape in 1024 128,784,256 128,256,128 128,128,10; do
  wants gemm || break
  ours=() theirs=()
  for ((r = 1; r <= reps; r++)); do
    run "$work/gemm-ours.log" dotnet "$benchmarks" gemm "$shape" "${kernel_flags[@]}"
    v=$(value gflops "$work/gemm-ours.log")
    ours+=("$v")
    run "$work/gemm-peer.log" "$python" "$peer" gemm 1 "$shape"
    v=$(value gflops "$work/gemm-peer.log")
    theirs+=("$v")
  done
  report "gemm $shape GFLOP/s" "$(median "${ours[@]}")" "$(median "${theirs[@]}")" "$gemm_target"
done

for batch in 128 512; do
  wants single || break
  ours=() theirs=()
  for ((r = 1; r <= reps; r++)); do
    run "$work/single-ours.log" dotnet "$actormlp" train "${data_flags[@]}" --batch "$batch" --workers 0 \
      --progress none --out "$work/single-$batch-$r"
    v=$(value samples_per_second "$work/single-ours.log")
    ours+=("$v")
    run "$work/single-peer.log" "$python" "$peer" single 1 "$epochs" "$batch"
    v=$(value samples_per_s "$work/single-peer.log")
    theirs+=("$v")
  done
  report "single b=$batch samples/s" "$(median "${ours[@]}")" "$(median "${theirs[@]}")" 1.0
done

: > "$work/rss.txt"
: > "$work/alloc.txt"
for batch in 128 512; do
  wants cluster || break
  ours=() theirs=()
  for ((r = 1; r <= reps; r++)); do
    out="$work/cluster-$batch-$r"
    watch_workers "$out" "$work/rss.txt" &
    poller=$!
    run "$work/cluster-ours.log" "$root/deploy/local-cluster.sh" 2 "${data_flags[@]}" --batch "$batch" --out "$out"
    kill "$poller" 2>/dev/null || true
    wait "$poller" 2>/dev/null || true
    poller=""
    cat "$out"/logs/worker-*.log 2>/dev/null | grep -oE 'allocated_bytes_per_step=[0-9]+ on the compute thread, [0-9]+ on the link thread, [0-9]+ in the process \([0-9]+ KB/s\)' >> "$work/alloc.txt" || true
    v=$(value samples_per_second "$work/cluster-ours.log")
    ours+=("$v")
    run "$work/cluster-peer.log" "$python" "$peer" ddp 2 "$epochs" "$batch"
    v=$(value samples_per_s "$work/cluster-peer.log")
    theirs+=("$v")
  done
  target=1.0
  [[ $batch == 128 ]] && target=1.5
  report "cluster 2 workers b=$batch samples/s" "$(median "${ours[@]}")" "$(median "${theirs[@]}")" "$target"
done

# ActorMlp against itself: the 128-bit path (what ARM64 runs) against the AVX2 path, and a CPU
# without AVX2 and FMA (the mul-add numeric class) against the AVX2 path, both back to back.
if wants paths; then
  for pair in "vector128 single b=128|--data fashion-mnist --data-dir $data_dir --layers 784,256,128,10 --epochs $epochs --batch 128|0.45" \
              "DOTNET_EnableAVX2=0 digits|--data digits --epochs 3|0.1"; do
    IFS='|' read -r name flags target <<< "$pair"
    pair_index=$((${pair_index:-0} + 1))
    ours=() theirs=()
    for ((r = 1; r <= reps; r++)); do
      # shellcheck disable=SC2086
      if [[ $name == vector128* ]]; then
        run "$work/path-a.log" dotnet "$actormlp" train $flags --workers 0 --progress none --kernel vector128 --out "$work/path-a-$pair_index-$r"
      else
        run "$work/path-a.log" env DOTNET_EnableAVX2=0 dotnet "$actormlp" train $flags --workers 0 --progress none --out "$work/path-a-$pair_index-$r"
      fi
      ours+=("$(value samples_per_second "$work/path-a.log")")
      # shellcheck disable=SC2086
      run "$work/path-b.log" dotnet "$actormlp" train $flags --workers 0 --progress none --kernel avx2 --out "$work/path-b-$pair_index-$r"
      theirs+=("$(value samples_per_second "$work/path-b.log")")
    done
    awk -v row="$name vs avx2 samples/s" -v a="$(median "${ours[@]}")" -v b="$(median "${theirs[@]}")" -v t="$target" 'BEGIN {
      r = (b > 0) ? a / b : 0
      printf "%s | actormlp %s | actormlp avx2 %s | ratio %.2f | target %s | %s\n", row, a, b, r, t, (r >= t ? "ok" : "MISS")
    }'
  done
fi

wants cluster || exit 0

# Steady-state managed allocation per step of a worker (its own report when the run ends), the
# largest over every worker of every cluster run: on the threads a step runs on, its compute thread
# and its tensor link's reader (the target), and in brackets the whole process, with the rate per
# second of Akka's clock-driven remoting and cluster upkeep that it also holds.
if [[ ! -s $work/alloc.txt ]]; then
  echo "compare-pytorch: no worker reported its allocation per step" >&2
  exit 1
fi
awk '{ split($1, a, "="); t = a[2] + $6; p = $11 + 0; r = substr($15, 2) + 0; if (t > mt) mt = t; if (p > mp) mp = p; if (r > mr) mr = r }
  END { printf "worker alloc bytes/step (compute + link threads) | actormlp %d (process %d, %d KB/s) | pytorch - | ratio - | target 0 | %s\n", mt, mp, mr, (mt == 0 ? "ok" : "MISS") }' "$work/alloc.txt"

# The largest peak of any worker in any cluster run: the limit is per process, so the worst one counts.
peak_kb=$(awk '$2 > m { m = $2 } END { print m + 0 }' "$work/rss.txt")
if [[ $peak_kb -eq 0 ]]; then
  echo "compare-pytorch: no worker process was seen during the cluster runs, so no peak RSS" >&2
  exit 1
fi
awk -v kb="$peak_kb" 'BEGIN {
  mb = kb / 1024
  printf "worker peak RSS MB | actormlp %.0f | pytorch - | ratio - | target <= 400 | %s\n", mb, (mb <= 400 ? "ok" : "MISS")
}'
