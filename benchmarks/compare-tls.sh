#!/usr/bin/env bash
# Samples/s with mutual TLS on and off, back to back: Fashion-MNIST 784-256-128-10, 1 epoch,
# a coordinator and 2 workers, star and peer reduction, batch 128 and 512. Prints one line per
# run with its parameters_sha256 (TLS must not change the bits) and the on/off ratio per pair.
#
#   benchmarks/compare-tls.sh [--reps N] [--netns]
#
# Without --netns the nodes run in one process on loopback (train --workers 2); with --netns
# (root) each node gets a network namespace and a 1 Gbit/s link (deploy/netns-cluster.sh).
set -euo pipefail
reps=1
netns=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --reps) reps=$2; shift 2 ;;
    --netns) netns=1; shift ;;
    *) echo "usage: $0 [--reps N] [--netns]" >&2; exit 2 ;;
  esac
done
root=$(cd "$(dirname "$0")/.." && pwd)
dotnet build "$root/src/ActorMlp.Cli" -c Release -v quiet --nologo > /dev/null
dll="$root/src/ActorMlp.Cli/bin/Release/net10.0/actormlp.dll"
work=$(mktemp -d "${TMPDIR:-/tmp}/actormlp-tls.XXXXXX")
trap 'rm -rf "$work"' EXIT
dotnet "$dll" certs create --out "$work/certs" --nodes 1 > /dev/null
tls=(--tls on --tls-ca "$work/certs/ca.crt" --tls-certificate "$work/certs/node-1.p12")
model=(--data fashion-mnist --layers 784,256,128,10 --epochs 1)

run() { # out flags... -> "samples/s sha"
  local out=$1; shift
  if [[ $netns -eq 1 ]]; then
    "$root/deploy/netns-cluster.sh" --workers 2 --rate 1gbit --dll "$dll" --out "$out" "$@" > "$out.log" 2>&1 || true
  else
    dotnet "$dll" train --workers 2 --progress none --out "$out" "$@" > "$out.log" 2>&1 || true
  fi
  python3 -c "import json,sys; s=json.load(open(sys.argv[1])); print(round(s['samples_per_second']), s['parameters_sha256'][:16])" "$out/summary.json" 2>/dev/null || echo "failed -"
}

for ((rep = 1; rep <= reps; rep++)); do
  for reduction in star peer; do
    for batch in 128 512; do
      read -r off off_sha < <(run "$work/off-$rep-$reduction-$batch" "${model[@]}" --batch "$batch" --reduction "$reduction")
      read -r on on_sha < <(run "$work/on-$rep-$reduction-$batch" "${model[@]}" --batch "$batch" --reduction "$reduction" "${tls[@]}")
      ratio=$(python3 -c "print(f'{$on/$off:.2f}')" 2>/dev/null || echo "-")
      echo "rep $rep $reduction b=$batch: off $off ($off_sha) on $on ($on_sha) on/off $ratio"
    done
  done
done
