# Simulated hosts on one machine, for deploy/netns-cluster.sh and benchmarks/compare-scaling.sh
# (sourced, not run). Needs root, iproute2 and tc.
#
# A network of N nodes is one network namespace per node, each with a veth pair whose outer end
# sits in a bridge of its own and whose inner end is named eth0 and holds the node's address,
# 10.231.0.(i+1)/24 for node i; the root namespace has no address on the bridge, so nothing but
# the namespaces can reach the nodes. With a rate, both ends of each veth get
# `tc qdisc add ... root tbf rate RATE burst 64kb latency 50ms`: the node sends and receives at
# most RATE each way, like a host on a link of that speed. (This kernel has tbf and htb, not netem,
# so no latency is added.) Names start with amlp<PID>, PID being the calling script's, so two
# networks of two scripts never share a name.
#
#   amlp_check_machine                 one sentence on stderr and status 1 unless this can work here
#                                      (messages start with $AMLP_WHO)
#   amlp_net_up N RATE                 makes the network (RATE: a tc rate such as 1gbit, or none);
#                                      sets AMLP_ID, AMLP_NS[i], AMLP_ADDR[i], AMLP_VETH[i]
#   amlp_net_down                      ends every process in the namespaces and removes all it made;
#                                      safe to call twice and from a trap
#   amlp_counters i                    "SENT RECEIVED": bytes node i has sent and received so far
#                                      (the outer veth's counters, read from the root namespace)
#   amlp_cluster_run DLL PORT K OUT LOGS TIMEOUT FLAGS...
#                                      actormlp coordinator in node 0 and K workers in nodes 1..K,
#                                      each with --hostname its address; waits for the run, returns
#                                      the coordinator's status (124 after TIMEOUT seconds, 0: none;
#                                      125 when every worker exited and the coordinator still waits);
#                                      logs in LOGS, the coordinator's output also on stdout when
#                                      AMLP_ECHO=1. Extra flags of the coordinator in the array
#                                      AMLP_COORDINATOR_FLAGS, of each worker in AMLP_WORKER_FLAGS (in
#                                      them {i} becomes the worker's number i, {node} i+1 and {addr}
#                                      its address); with AMLP_NO_SEED=1
#                                      workers get no --seed-node and no --data/--data-dir flags
#                                      (they find the coordinator and fetch the data themselves)
#   amlp_summary_value RUN_DIR KEY     a number or string field of RUN_DIR/summary.json

AMLP_SUBNET=10.231.0
AMLP_ID=""
AMLP_NS=()
AMLP_ADDR=()
AMLP_VETH=()
AMLP_BRIDGE=""
AMLP_COORDINATOR_FLAGS=()
AMLP_WORKER_FLAGS=()

amlp_check_machine() {
  if [[ $(id -u) -ne 0 ]]; then
    echo "${AMLP_WHO:-netns}: this needs root (network namespaces, veth pairs and tc), and runs as $(id -un)" >&2
    return 1
  fi
  local tool
  for tool in ip tc; do
    command -v "$tool" > /dev/null || { echo "${AMLP_WHO:-netns}: '$tool' is missing (apt-get install iproute2)" >&2; return 1; }
  done
  local probe="amlp$$-probe" why
  if ! why=$(ip netns add "$probe" 2>&1); then
    echo "${AMLP_WHO:-netns}: network namespaces do not work here: 'ip netns add' said: ${why:-nothing}" >&2
    return 1
  fi
  ip netns del "$probe" 2> /dev/null || true
}

# amlp_net_up N RATE
amlp_net_up() {
  local nodes=$1 rate=$2 i ns outer inner
  AMLP_ID="amlp$$"
  AMLP_BRIDGE="${AMLP_ID}b"
  AMLP_NS=() AMLP_ADDR=() AMLP_VETH=()
  ip link add "$AMLP_BRIDGE" type bridge || return 1
  echo 1 > "/proc/sys/net/ipv6/conf/$AMLP_BRIDGE/disable_ipv6" 2> /dev/null || true
  ip link set "$AMLP_BRIDGE" up || return 1
  for ((i = 0; i < nodes; i++)); do
    ns="${AMLP_ID}-n$i" outer="${AMLP_ID}h$i" inner="${AMLP_ID}n$i"
    AMLP_NS+=("$ns") AMLP_ADDR+=("$AMLP_SUBNET.$((i + 1))") AMLP_VETH+=("$outer")
    ip netns add "$ns" || return 1
    # No IPv6 chatter (router solicitations, DAD) in the byte counts.
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 2> /dev/null || true
    ip link add "$outer" type veth peer name "$inner" || return 1
    echo 1 > "/proc/sys/net/ipv6/conf/$outer/disable_ipv6" 2> /dev/null || true
    ip link set "$inner" netns "$ns" || return 1
    ip -n "$ns" link set "$inner" name eth0 || return 1
    ip link set "$outer" master "$AMLP_BRIDGE" || return 1
    ip link set "$outer" up || return 1
    ip -n "$ns" link set lo up || return 1
    ip -n "$ns" addr add "${AMLP_ADDR[$i]}/24" dev eth0 || return 1
    ip -n "$ns" link set eth0 up || return 1
    if [[ $rate != none ]]; then
      tc qdisc add dev "$outer" root tbf rate "$rate" burst 64kb latency 50ms || return 1
      tc -n "$ns" qdisc add dev eth0 root tbf rate "$rate" burst 64kb latency 50ms || return 1
    fi
  done
}

amlp_net_down() {
  [[ -n $AMLP_ID ]] || return 0
  local ns pids i
  for ns in "${AMLP_NS[@]}"; do
    pids=$(ip netns pids "$ns" 2> /dev/null || true)
    if [[ -n $pids ]]; then kill $pids 2> /dev/null || true; fi
  done
  # A worker told to stop leaves the cluster first: give them all a few seconds together.
  for ((i = 0; i < 50; i++)); do
    pids=""
    for ns in "${AMLP_NS[@]}"; do pids+=" $(ip netns pids "$ns" 2> /dev/null || true)"; done
    [[ -z ${pids// /} ]] && break
    sleep 0.1
  done
  for ns in "${AMLP_NS[@]}"; do
    pids=$(ip netns pids "$ns" 2> /dev/null || true)
    if [[ -n $pids ]]; then kill -9 $pids 2> /dev/null || true; fi
  done
  wait 2> /dev/null || true
  for ns in "${AMLP_NS[@]}"; do ip netns del "$ns" 2> /dev/null || true; done
  for ((i = 0; i < ${#AMLP_NS[@]}; i++)); do ip link del "${AMLP_ID}h$i" 2> /dev/null || true; done
  ip link del "$AMLP_BRIDGE" 2> /dev/null || true
  AMLP_ID="" AMLP_NS=() AMLP_ADDR=() AMLP_VETH=()
}

# amlp_counters i: what node i sent is what its outer veth received, and the other way round.
amlp_counters() {
  local dev=/sys/class/net/${AMLP_VETH[$1]}/statistics
  echo "$(< "$dev/rx_bytes") $(< "$dev/tx_bytes")"
}

# amlp_cluster_run DLL PORT K OUT LOGS TIMEOUT FLAGS...
amlp_cluster_run() {
  local dll=$1 port=$2 workers=$3 out=$4 logs=$5 timeout=$6 i status=0
  shift 6
  local seed="akka.tcp://actormlp@${AMLP_ADDR[0]}:$port" pids=()
  local coordinator=(ip netns exec "${AMLP_NS[0]}" dotnet "$dll" coordinator --hostname "${AMLP_ADDR[0]}"
    --port "$port" --min-workers "$workers" --out "$out")
  # A line per epoch in the log, unless the flags say otherwise (a flag may be given once).
  [[ " $* " == *" --progress "* || " $* " == *" --progress="* ]] || coordinator+=(--progress lines)
  coordinator+=("${AMLP_COORDINATOR_FLAGS[@]}" "$@")
  # What the workers take of FLAGS: everything, or everything but the data with AMLP_NO_SEED=1.
  local shared=() skip=0 a
  for a in "$@"; do
    if ((skip)); then skip=0; continue; fi
    if [[ ${AMLP_NO_SEED:-0} == 1 ]]; then
      case "$a" in
        --data|--data-dir) skip=1; continue ;;
        --data=*|--data-dir=*) continue ;;
      esac
    fi
    shared+=("$a")
  done
  if [[ ${AMLP_ECHO:-0} == 1 ]]; then
    "${coordinator[@]}" > >(tee "$logs/coordinator.log") 2> "$logs/coordinator.err.log" &
  else
    "${coordinator[@]}" > "$logs/coordinator.log" 2> "$logs/coordinator.err.log" &
  fi
  local cpid=$!
  for ((i = 1; i <= workers; i++)); do
    local worker=(ip netns exec "${AMLP_NS[$i]}" dotnet "$dll" worker --hostname "${AMLP_ADDR[$i]}" --worker-id "worker-$i")
    [[ ${AMLP_NO_SEED:-0} == 1 ]] || worker+=(--seed-node "$seed")
    for a in "${AMLP_WORKER_FLAGS[@]}"; do
      a=${a//\{i\}/$i} a=${a//\{node\}/$((i + 1))}
      worker+=("${a//\{addr\}/${AMLP_ADDR[$i]}}")
    done
    "${worker[@]}" "${shared[@]}" > "$logs/worker-$i.log" 2>&1 &
    pids+=("$!")
  done
  SECONDS=0
  local alone_since=-1 alive p
  while kill -0 "$cpid" 2> /dev/null; do
    if ((timeout > 0 && SECONDS >= timeout)); then
      echo "${AMLP_WHO:-netns}: the run did not end within $timeout s; stopping it" >&2
      kill "$cpid" "${pids[@]}" 2> /dev/null || true
      wait "$cpid" "${pids[@]}" 2> /dev/null || true
      return 124
    fi
    # Every worker gone and the coordinator still there for 30 s: it would wait for them forever.
    alive=0
    for p in "${pids[@]}"; do kill -0 "$p" 2> /dev/null && alive=1 && break; done
    if ((alive == 0)); then
      ((alone_since >= 0)) || alone_since=$SECONDS
      if ((SECONDS - alone_since >= 30)); then
        echo "${AMLP_WHO:-netns}: every worker exited before the run ended (see worker-*.log); stopping the coordinator" >&2
        kill "$cpid" 2> /dev/null || true
        wait "$cpid" "${pids[@]}" 2> /dev/null || true
        return 125
      fi
    fi
    sleep 0.2
  done
  wait "$cpid" || status=$?
  # Workers stop by themselves when the run ends; give them a moment, then stop any still there.
  for i in "${pids[@]}"; do timeout 15 tail --pid="$i" -f /dev/null || true; done
  kill "${pids[@]}" 2> /dev/null || true
  wait "${pids[@]}" 2> /dev/null || true
  return "$status"
}

# amlp_summary_value RUN_DIR KEY: the value of "KEY" in the run's summary.json (one per line there).
amlp_summary_value() {
  sed -nE "s/^ *\"$2\": *\"?([^\",]*)\"?,?\$/\\1/p" "$1/summary.json" | head -n 1
}
