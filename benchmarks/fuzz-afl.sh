#!/usr/bin/env bash
# Coverage-guided fuzzing of every parser of outside bytes with AFL++ and SharpFuzz, for longer
# than the test suite's generated inputs can: each target runs for --seconds, then its execs,
# paths found, crashes and hangs are printed. Crashing or hanging inputs are kept in
# OUT/TARGET/default/{crashes,hangs}.
#
#   benchmarks/fuzz-afl.sh [--seconds S] [--out DIR] [TARGET ...]
#   benchmarks/fuzz-afl.sh --seconds 85        # all 7 targets, about 10 minutes in all
#
# Targets: frame peer-frame protocol idx csv checkpoint hocon. Needs afl-fuzz (Debian: afl++)
# and the sharpfuzz tool (dotnet tool install --global SharpFuzz.CommandLine).
set -euo pipefail
seconds=85
out=""
targets=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) targets+=("$1"); shift ;;
  esac
done
[[ ${#targets[@]} -gt 0 ]] || targets=(frame peer-frame protocol idx csv checkpoint hocon)
command -v afl-fuzz > /dev/null || { echo "afl-fuzz not found: apt-get install -y afl++" >&2; exit 2; }
sharpfuzz=$(command -v sharpfuzz || echo "$HOME/.dotnet/tools/sharpfuzz")
[[ -x $sharpfuzz ]] || { echo "sharpfuzz not found: dotnet tool install --global SharpFuzz.CommandLine" >&2; exit 2; }

root=$(cd "$(dirname "$0")/.." && pwd)
out=${out:-$(mktemp -d "${TMPDIR:-/tmp}/actormlp-afl.XXXXXX")}
bin="$out/bin"
dotnet publish "$root/benchmarks/ActorMlp.Fuzz" -c Release -o "$bin" -v quiet --nologo > /dev/null
# Seeds first: instrumented code runs only under afl-fuzz.
for target in "${targets[@]}"; do dotnet "$bin/actormlp-fuzz.dll" seed "$target" "$out/$target-in"; done
# Coverage comes from these assemblies: ours, and the libraries whose parsers we call (HOCON in Akka).
for dll in ActorMlp.Core ActorMlp.Data ActorMlp.Cluster actormlp Akka MessagePack; do
  "$sharpfuzz" "$bin/$dll.dll" > /dev/null
done

printf '%-11s %10s %9s %7s %8s %6s\n' target execs execs/s paths crashes hangs
for target in "${targets[@]}"; do
  AFL_SKIP_BIN_CHECK=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 AFL_NO_AFFINITY=1 \
    afl-fuzz -V "$seconds" -i "$out/$target-in" -o "$out/$target" -t 10000 -m none -- dotnet "$bin/actormlp-fuzz.dll" "$target" \
    > "$out/$target.log" 2>&1 || { echo "afl-fuzz failed for $target: see $out/$target.log" >&2; continue; }
  stats="$out/$target/default/fuzzer_stats"
  get() { awk -F' *: *' -v k="$1" '$1 == k { print $2 }' "$stats"; }
  printf '%-11s %10s %9s %7s %8s %6s\n' "$target" "$(get execs_done)" "$(get execs_per_sec)" "$(get corpus_count)" "$(get saved_crashes)" "$(get saved_hangs)"
done
echo "findings in $out"
