#!/usr/bin/env bash
# bench/race.sh: strongSwan's charon, Libreswan's pluto and IkeFast (`ikefast serve`) in turn as the IKEv1
# RESPONDER behind the same address (192.0.2.2 in namespace b of the interop harness, tests/interop/lib.sh), each
# driven by the same `ikefast loadtest` run from namespace a; prints one table (completed/s, responder CPU-ms per
# handshake, p50/p99 latency, failures) with the ratios IkeFast/charon and IkeFast/pluto.
#
#   sudo bench/race.sh                         # defaults: N=5000 handshakes (after 200 warm-up), 32 in flight, 5 cases
#   sudo bench/race.sh -n 2000 -c 64 --cases "mm-psk-14 am-psk-14" --impls "charon ikefast"
#   RACE_COUNT=, RACE_CONCURRENCY=, RACE_CASES=, RACE_IMPLS=, RACE_WARMUP=, RACE_OUT= do the same from the environment.
#   IKEFAST_DH_TIER=scalar|avx2 sudo -E bench/race.sh ...   # IkeFast's batched MODP tier forced (CPUs without AVX-512)
#   RACE_IKEFAST_INSTALLER=memory ...          # diagnosis only: IkeFast without XFRM netlink (the others keep theirs)
#   RACE_IKEFAST_ENV="DOTNET_PerfMapEnabled=1 ..."   # extra environment for `ikefast serve` (diagnosis)
#   RACE_IKEFAST_ARGS="--set daemon:shards=1 ..."     # extra arguments for `ikefast serve` (diagnosis)
#   --fresh-peers (RACE_FRESH_PEERS=1)        # one peer per handshake (warm-up included) from 198.18.0.10 on, so no
#                                              # handshake is preceded by a reconnecting peer's Delete (default: 240
#                                              # peers from 192.0.2.10, recycled; the responder then also handles ~1
#                                              # Delete per handshake)
#   RACE_CGROUP=auto|v2|v1|off                 # the responder's CPU: its own cgroup (auto: v2, else v1 cpuacct), exact;
#                                              # off (or no cgroup usable): /proc/PID/stat utime+stime, 10 ms ticks
#   --profile 'perf record -g -o /tmp/p.data -p $RACE_PID'   # a command run (bash -c, $RACE_PID = the responder)
#                                              # while each loadtest runs, stopped with SIGINT when it ends
#   sudo flock /tmp/race.lock bench/race.sh --floor [floor.sh options]   # the kernel's floor per handshake in these
#                                              # namespaces instead of the race (bench/floor/floor.sh, its README)
#
# Cases: mm-psk-14 / mm-psk-19 / mm-psk-31 (Main Mode PSK, aes128-sha256 + MODP-2048 / ECP-256 / Curve25519, then
# one Quick Mode aes128-sha256 without PFS), am-psk-14 (Aggressive Mode PSK, MODP-2048), mm-rsa-14 (Main Mode RSA
# signatures, MODP-2048, the harness's certificates: every synthetic peer presents a.crt, the responder b.crt).
# Responders (--impls): charon, pluto, ikefast (`ikefast serve`, short MODP exponents: its default), ikefast-full
# (the same with daemon.dh_exponent = full, like charon; MODP cases only), embedded (the loadtest's in-process
# responder, reference only). Needs root (namespaces), the peers from tests/interop/install.sh, and a Release
# build of src/Ike.Fast.Cli (built if missing).
# Not part of CI. Results and the responders' settings: the section "The race" of the top-level README.md.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
COUNT=${RACE_COUNT:-5000}
CONC=${RACE_CONCURRENCY:-32}
WARMUP=${RACE_WARMUP:-200}
CASES=${RACE_CASES:-"mm-psk-14 mm-psk-19 mm-psk-31 am-psk-14 mm-rsa-14"}
IMPLS=${RACE_IMPLS:-"charon pluto ikefast ikefast-full embedded"}
OUT=${RACE_OUT:-}
IKEFAST_INSTALLER=${RACE_IKEFAST_INSTALLER:-xfrm}
IKEFAST_ENV=${RACE_IKEFAST_ENV:-}
IKEFAST_ARGS=${RACE_IKEFAST_ARGS:-}
PROFILE=${RACE_PROFILE:-}
CGROUP_MODE=${RACE_CGROUP:-auto}
FRESH_PEERS=${RACE_FRESH_PEERS:-0}
while [ $# -gt 0 ]; do
  case $1 in
    -n|--count) COUNT=$2; shift 2 ;;
    -c|--concurrency) CONC=$2; shift 2 ;;
    -w|--warmup) WARMUP=$2; shift 2 ;;
    --cases) CASES=$2; shift 2 ;;
    --impls) IMPLS=$2; shift 2 ;;
    -o|--out) OUT=$2; shift 2 ;;
    --profile) PROFILE=$2; shift 2 ;;
    --fresh-peers) FRESH_PEERS=1; shift ;;
    --floor) shift; exec "$ROOT/bench/floor/floor.sh" "$@" ;;
    -h|--help) sed -n '2,32p' "$0"; exit 0 ;;
    *) echo "race.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[ "$(id -u)" -eq 0 ] || { echo "race.sh: needs root (network namespaces)" >&2; exit 2; }

DLL=${IKEFAST_DLL:-$ROOT/src/Ike.Fast.Cli/bin/Release/net10.0/ikefast.dll}
if [ ! -f "$DLL" ]; then
  echo "race.sh: building src/Ike.Fast.Cli (Release)" >&2
  dotnet build "$ROOT/src/Ike.Fast.Cli" -c Release -v q -nologo >&2 || exit 1
fi
DOTNET=$(command -v dotnet)

# The same PSK everywhere: the harness's default (charon/pluto secrets match any ID) and IkeFast's template.
PSK=ikefast-interop-psk-0123456789
# Synthetic peers: 192.0.2.10 ... 192.0.2.249 on ns a's veth (the loadtest sends from each peer's address, through
# one socket per generator thread, and uses it as the peer's ID_IPV4_ADDR). More handshakes than peers: the loadtest deletes its oldest established
# Phase 1 and reconnects from that peer (the same for every responder).
FIRST_SOURCE=192.0.2.10
PEERS=$(( COUNT < 240 ? COUNT : 240 ))
# --fresh-peers: one address per handshake from 198.18.0.0/15 (RFC 2544's benchmarking block, inside ns a only; ns b
# routes it through ns a's 192.0.2.1, so it keeps one neighbour entry): nobody reconnects, so the figure is the
# handshake alone, with the responder holding every SA of the run (policies and tables grow to COUNT + WARMUP).
if [ "$FRESH_PEERS" = 1 ]; then
  FIRST_SOURCE=198.18.0.10
  PEERS=$(( COUNT + WARMUP ))
  [ "$PEERS" -le 120000 ] || { echo "race.sh: --fresh-peers takes at most 120,000 handshakes" >&2; exit 2; }
fi

IKEF_PREFIX=race$$
# shellcheck source=../tests/interop/lib.sh
source "$ROOT/tests/interop/lib.sh"

# --- responder tuning on top of the harness's configuration writers ----------------------------------------------
# charon: the whole strongswan.conf from bench/race/strongswan.conf.in (logging off, big IKE_SA table, no DoS limits).
eval "race_lib_$(declare -f charon_write_conf)"
charon_write_conf() {
  race_lib_charon_write_conf "$@" || return 1
  sed -e "s|@DIR@|$IKEF_RUN/$1|g" -e "s|@VICI@|$(charon_uri "$1")|g" "$ROOT/bench/race/strongswan.conf.in" \
    > "$IKEF_RUN/$1/strongswan.conf"
}
# pluto: no rightsubnet (= the peer's own address, like charon's remote_ts = dynamic), no DDoS mode switching.
eval "race_lib_$(declare -f pluto_write_conf)"
pluto_write_conf() {
  race_lib_pluto_write_conf "$@" || return 1
  sed -i -e '/rightsubnet=%race-dynamic/d' -e '/logtime=yes/d' \
    -e 's|^    plutodebug=none|    plutodebug=none\n    ddos-mode=unlimited|' "$IKEF_RUN/$1/ipsec.conf"
}

# The harness's xfrm shim logs each SA message it turns into a no-op (open, write, close per message: three system
# calls in the responder for every SA added or deleted). A debugging aid of the harness, not a daemon's cost: off for
# every responder in the race (XFRM_SHIM_LOG empty = no log).
eval "$(declare -f charon_start | sed 's|XFRM_SHIM_LOG="$d/shim.log"|XFRM_SHIM_LOG=|')"
eval "$(declare -f pluto_start | sed 's|XFRM_SHIM_LOG="$d/shim.log"|XFRM_SHIM_LOG=|')"

case_params() { # NAME -> "MODE IKE ESP AUTH"
  case $1 in
    mm-psk-14) echo "main aes128-sha256-modp2048 aes128-sha256 psk" ;;
    mm-psk-19) echo "main aes128-sha256-ecp256 aes128-sha256 psk" ;;
    mm-psk-31) echo "main aes128-sha256-curve25519 aes128-sha256 psk" ;;
    am-psk-14) echo "aggressive aes128-sha256-modp2048 aes128-sha256 psk" ;;
    mm-rsa-14) echo "main aes128-sha256-modp2048 aes128-sha256 rsa" ;;
    *) echo "race.sh: unknown case '$1'" >&2; return 1 ;;
  esac
}

# Each responder's MODP private exponent (what it costs per handshake; see README "The race"). ECP and Curve25519
# scalars have one size everywhere.
dh_policy() { # IMPL IKE -> text
  case $2 in *modp*) ;; *) echo "fixed scalar"; return ;; esac
  case $1 in
    charon) echo "full (~2047 bits, OpenSSL)" ;;
    pluto) echo "224 bits (NSS)" ;;
    ikefast|embedded) echo "short (256 bits)" ;;
    ikefast-full) echo "full (2047 bits)" ;;
  esac
}

# The loadtest's authentication options for a case: the shared PSK, or RSA with the harness's certificates (peer
# side a's certificate for every synthetic peer; the responder's chains to the same CA).
auth_args() { # AUTH
  if [ "$1" = rsa ]; then
    echo "--auth rsa --cert $IKEF_RUN/pki/a.crt --key $IKEF_RUN/pki/a.key --ca $IKEF_RUN/pki/ca.crt"
  else
    echo "--psk $PSK"
  fi
}

wait_listening() { # until something in ns b listens on UDP 192.0.2.2:500 (or *:500)
  for _ in $(seq 1 200); do
    ip netns exec "$(ikef_ns b)" ss -ulnH 'sport = :500' 2>/dev/null | grep -q . && return 0
    sleep 0.05
  done
  return 1
}

RESP_PID=''
responder_start() { # IMPL MODE IKE ESP AUTH
  local impl=$1 mode=$2 ike=$3 esp=$4 auth=$5 conf template exponent=short
  case $impl in
    charon)
      peer_start charon b responder mode="$mode" ike="$ike" esp="$esp" auth="$auth" psk="$PSK" remote_addr=%any \
        local_ts=10.0.0.0/16 remote_ts=dynamic log=quiet || return 1
      RESP_PID=$(cat "$IKEF_RUN/b/pid") ;;
    pluto)
      peer_start pluto b responder mode="$mode" ike="$ike" esp="$esp" auth="$auth" psk="$PSK" remote_addr=%any \
        local_ts=10.0.0.0/16 remote_ts=%race-dynamic log=quiet || return 1
      RESP_PID=$(cat "$IKEF_RUN/b/pid") ;;
    ikefast|ikefast-full)
      conf=$IKEF_RUN/b/ikefast.json
      template=$ROOT/bench/race/ikefast.json.in
      [ "$auth" = rsa ] && template=$ROOT/bench/race/ikefast-rsa.json.in
      [ "$impl" = ikefast-full ] && exponent=full
      mkdir -p "$IKEF_RUN/b"
      sed -e "s|@RUN@|$IKEF_RUN|g" -e "s|@IKE@|$ike|" -e "s|@ESP@|$esp|" -e "s|@PSK@|$PSK|" -e "s|@DH_EXPONENT@|$exponent|" \
        -e "s|\"installer\": \"xfrm\"|\"installer\": \"$IKEFAST_INSTALLER\"|" \
        -e "s|@MODE_AGGRESSIVE@|$([ "$mode" = aggressive ] && echo true || echo false)|" \
        "$template" > "$conf"
      # --log-level warning: per-step lines off, like charon's and pluto's logging in the race.
      # shellcheck disable=SC2086
      RESP_PID=$(proc_start b ikefast env LD_PRELOAD="$(ikef_shim)" XFRM_SHIM_LOG= $IKEFAST_ENV \
        "$DOTNET" "$DLL" serve --config "$conf" --log-level warning $IKEFAST_ARGS) || return 1 ;;
  esac
  wait_listening || { echo "race.sh: $impl does not listen on 192.0.2.2:500" >&2; return 1; }
}

responder_stop() {
  case $1 in
    ikefast|ikefast-full) proc_stop b ikefast ;;
    *) peer_stop b ;;
  esac
  RESP_PID=''
}

# --- the responder's control group ----------------------------------------------------------------------------------
# Each responder run gets a fresh cgroup (race-PID-CASE-IMPL); the responder is started inside it, so the group holds
# every task it has or creates (threads, helper processes, children, exited ones included), and the loadtest reads
# the group's CPU time at its measured phase's boundaries (--responder-cgroup): cgroup v2 cpu.stat usage_usec or v1
# cpuacct.usage, both summed by the scheduler in ns, where /proc/PID/stat's utime+stime are 10 ms ticks of one
# process. The race's shell joins the group just for responder_start (its children inherit it) and leaves it at once:
# the helpers it ran meanwhile (ip, swanctl, whack, ss) ended before the measured phase starts.
CG_ROOT='' CG_VER='' CG_HOME='' CG_CUR=''
cgroup_setup() { # sets CG_ROOT, CG_VER and CG_HOME (the shell's own group, to go back to), or fails
  local v2 v1 ver root rel
  [ "$CGROUP_MODE" = off ] && return 1
  v2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
  v1=$(awk '$3 == "cgroup" && $4 ~ /(^|,)cpuacct(,|$)/ { print $2; exit }' /proc/mounts)
  for ver in v2 v1; do
    case $CGROUP_MODE in auto|"$ver") ;; *) continue ;; esac
    if [ "$ver" = v2 ]; then
      root=$v2
      rel=$(awk -F: '$1 == "0" && $2 == "" { print $3; exit }' /proc/self/cgroup)
    else
      root=$v1
      rel=$(awk -F: '$2 ~ /(^|,)cpuacct(,|$)/ { print $3; exit }' /proc/self/cgroup)
    fi
    if [ -z "$root" ] || [ -z "$rel" ] || [ ! -d "$root$rel" ]; then continue; fi
    # Usable: a group can be made here, and has the file the loadtest reads.
    if mkdir "$root/race-$$-probe" 2>/dev/null; then
      if [ -r "$root/race-$$-probe/$([ "$ver" = v2 ] && echo cpu.stat || echo cpuacct.usage)" ]; then
        rmdir "$root/race-$$-probe"
        CG_ROOT=$root CG_VER=$ver CG_HOME=$root${rel%/}
        return 0
      fi
      rmdir "$root/race-$$-probe"
    fi
  done
  return 1
}
cgroup_create() { # NAME -> sets CG_CUR (empty when no cgroup is used or it cannot be made)
  CG_CUR=''
  [ -n "$CG_ROOT" ] || return 0
  if mkdir "$CG_ROOT/race-$$-$1" 2>/dev/null; then CG_CUR=$CG_ROOT/race-$$-$1; else
    echo "race.sh: cannot create cgroup $CG_ROOT/race-$$-$1: responder CPU from /proc/PID/stat ticks" >&2
  fi
}
cgroup_enter() { [ -z "$CG_CUR" ] || echo "$BASHPID" > "$CG_CUR/cgroup.procs" || { echo "race.sh: cannot join $CG_CUR" >&2; CG_CUR=''; }; }
cgroup_leave() { [ -z "$CG_HOME" ] || echo "$BASHPID" > "$CG_HOME/cgroup.procs" 2>/dev/null || true; }
cgroup_remove() { # the current group, after its responder stopped (also from the EXIT/INT/TERM trap)
  local pid
  [ -n "$CG_CUR" ] || return 0
  cgroup_leave
  # Anything the responder left behind in its group (normally nothing): started by this run, stopped by its pid.
  while read -r pid; do kill -KILL "$pid" 2>/dev/null; done 2>/dev/null < "$CG_CUR/cgroup.procs" || true
  for _ in $(seq 1 50); do rmdir "$CG_CUR" 2>/dev/null && break; sleep 0.05; done
  [ -d "$CG_CUR" ] && echo "race.sh: could not remove cgroup $CG_CUR" >&2
  CG_CUR=''
  return 0
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
# One line per thread: tid, utime and stime (clock ticks, sampled at the tick), run time (ns, schedstat: exact), name.
thread_ticks() {
  for t in /proc/"$1"/task/*; do
    printf '%s %s %s\t%s\n' "${t##*/}" "$(awk '{print $14, $15}' "$t/stat" 2>/dev/null)" \
      "$(awk '{print $1}' "$t/schedstat" 2>/dev/null)" "$(cat "$t/comm" 2>/dev/null)"
  done
}

topo_up || exit 1
# topo_up's traps, plus the responder's cgroup (stopped first by topo_down, then removed).
trap 'topo_down; cgroup_remove' EXIT
trap 'topo_down; cgroup_remove; exit 130' INT
trap 'topo_down; cgroup_remove; exit 143' TERM
if cgroup_setup; then CG_TEXT="cgroup $CG_VER under $CG_ROOT (every task of the responder's group, exact)"; else
  CG_TEXT="/proc/PID/stat utime+stime (10 ms ticks; no usable cgroup, RACE_CGROUP=$CGROUP_MODE)"
fi
[ -n "$OUT" ] || OUT=$IKEF_RUN/race
mkdir -p "$OUT"
# The synthetic peers' source addresses, all inside namespace a.
for i in $(seq 10 249); do echo "addr add 192.0.2.$i/32 dev veth0"; done | ip -n "$(ikef_ns a)" -batch - || exit 1
if [ "$FRESH_PEERS" = 1 ]; then
  awk -v n="$PEERS" 'BEGIN { for (i = 0; i < n; i++) { v = 10 + i; printf "addr add 198.%d.%d.%d/32 dev veth0\n", 18 + int(v / 65536), int(v / 256) % 256, v % 256 } }' \
    | ip -n "$(ikef_ns a)" -batch - || exit 1
  ip -n "$(ikef_ns b)" route add 198.18.0.0/15 via "$IKEF_ADDR_A" || exit 1
fi
# RSA cases: the harness's CA and side certificates (charon and pluto are set up from them by peer_start).
case " $CASES " in *" mm-rsa-"*) certs_make || exit 1 ;; esac

CPU_MODEL=$(awk -F': ' '/^model name/{print $2; exit}' /proc/cpuinfo)
SS_VER=$(dpkg-query -W -f='${Version}' charon-systemd 2>/dev/null || dpkg-query -W -f='${Version}' strongswan-charon 2>/dev/null || echo '?')
LS_VER=$("$IKEF_PLUTO" --version 2>/dev/null | awk 'NR == 1 {print $2}')
{
  echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); machine: $(nproc) cores, $CPU_MODEL; kernel $(uname -r)"
  echo "responders: strongSwan charon $SS_VER, Libreswan pluto $LS_VER, IkeFast $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null)"
  echo "load: ikefast loadtest --count $COUNT --concurrency $CONC --warmup $WARMUP --peers $PEERS --source $FIRST_SOURCE (ns a), ESP aes128-sha256 (no PFS)"
  echo "responder CPU: $CG_TEXT; embedded: its daemon and DH threads"
  echo "IkeFast: ikefast serve --log-level warning, installer $IKEFAST_INSTALLER; IKEFAST_DH_TIER=${IKEFAST_DH_TIER:-(auto)}; CPU flags: $(grep -o -w -E 'avx2|avx512f|avx512ifma' /proc/cpuinfo | sort -u | tr '\n' ' ')"
} > "$OUT/meta.txt"

results=$OUT/results.tsv
: > "$results"
for c in $CASES; do
  read -r mode ike esp auth <<<"$(case_params "$c")" || exit 1
  for impl in $IMPLS; do
    # The exponent policy only matters for MODP: no ikefast-full row for ECP/Curve25519.
    if [ "$impl" = ikefast-full ] && [ "${ike#*modp}" = "$ike" ]; then continue; fi
    echo "race.sh: $c against $impl" >&2
    json=$OUT/$c-$impl.json
    if [ "$impl" = embedded ]; then
      # Reference only (not in the ratios): the loadtest's in-process IkeFast responder on 127.0.0.1 in ns a, no
      # logging; its CPU figure is the daemon loop thread alone (no JIT/GC threads), so it is IkeFast's engine
      # cost without `ikefast serve`'s per-datagram Information logging.
      # shellcheck disable=SC2046
      ikef_exec a "$DOTNET" "$DLL" loadtest --count "$COUNT" --concurrency "$CONC" --warmup "$WARMUP" --mode "$mode" \
        --proposal "$ike" --esp "$esp" $([ "$auth" = rsa ] && echo --auth rsa) --json "$json" > "$OUT/$c-$impl.txt" 2>&1
      t0=0 t1=0
    else
    cgroup_create "$c-$impl"
    cgroup_enter
    if ! responder_start "$impl" "$mode" "$ike" "$esp" "$auth"; then
      cgroup_leave
      printf '%s\t%s\t-\t-\t-\t-\t-\t-\t-\t-\tstart failed\n' "$c" "$impl" >> "$results"; responder_stop "$impl"
      cgroup_remove; continue
    fi
    cgroup_leave
    t0=$(cpu_ticks "$RESP_PID")
    thread_ticks "$RESP_PID" > "$OUT/$c-$impl.threads0"
    profiler=''
    if [ -n "$PROFILE" ]; then
      RACE_PID=$RESP_PID RACE_CASE=$c RACE_IMPL=$impl setsid bash -c "$PROFILE" > "$OUT/$c-$impl.profile" 2>&1 &
      profiler=$!
    fi
    # nsenter --net, not `ip netns exec` (ikef_exec): the latter mounts a fresh /sys for the namespace, without the
    # cgroup file systems under /sys/fs/cgroup, so the loadtest could not read the responder's group.
    # shellcheck disable=SC2046
    nsenter --net="/run/netns/$(ikef_ns a)" -- "$DOTNET" "$DLL" loadtest --target 192.0.2.2 --responder-pid "$RESP_PID" \
      ${CG_CUR:+--responder-cgroup "$CG_CUR"} --count "$COUNT" \
      --concurrency "$CONC" --warmup "$WARMUP" --mode "$mode" --proposal "$ike" --esp "$esp" $(auth_args "$auth") \
      --source "$FIRST_SOURCE" --peers "$PEERS" --json "$json" > "$OUT/$c-$impl.txt" 2>&1
    t1=$(cpu_ticks "$RESP_PID")
    if [ -n "$profiler" ]; then
      kill -INT -- "-$profiler" 2>/dev/null
      wait "$profiler" 2>/dev/null
    fi
    # Where the responder's CPU went, per thread, over the loadtest (warm-up and exit deletes included): run time in
    # ms (schedstat, exact), user and system ticks, name; busiest first: the daemon loops against the dispatcher, DH
    # workers, GC, JIT, kernel-event threads.
    thread_ticks "$RESP_PID" | awk -F'\t' '{ split($1, f, " ") }
      NR == FNR { u[f[1]] = f[2]; s[f[1]] = f[3]; r[f[1]] = f[4]; next }
      { printf "%.1f\t%d\t%d\t%s\n", (f[4] - r[f[1]]) / 1e6, f[2] - u[f[1]], f[3] - s[f[1]], $2 }' "$OUT/$c-$impl.threads0" - \
      | sort -rn > "$OUT/$c-$impl.threads"
    rm -f "$OUT/$c-$impl.threads0"
    # What the responder's group held at the end (processes, with their thread count): the responder alone, or helper
    # processes too, whose CPU the group's figure includes and /proc/PID/stat would not.
    if [ -n "$CG_CUR" ]; then
      while read -r pid; do
        printf '%s\t%s\t%s\n' "$pid" "$(find "/proc/$pid/task" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)" "$(cat "/proc/$pid/comm" 2>/dev/null)"
      done < "$CG_CUR/cgroup.procs" > "$OUT/$c-$impl.cgroup" || true
    fi
    responder_stop "$impl"
    cgroup_remove
    fi
    if [ ! -s "$json" ]; then
      printf '%s\t%s\t-\t-\t-\t-\t-\t-\t-\t-\tno result (see %s)\n' "$c" "$impl" "$OUT/$c-$impl.txt" >> "$results"; continue
    fi
    # Columns: case impl completed/s responder-ms/handshake p50 p99 failed whole-run-ticks (warm-up + deletes too)
    # source (cgroup-v2, cgroup-v1, pid-ticks, embedded-threads) ticks-ms/handshake (utime+stime over the same
    # measured phase beside a cgroup's figure, to compare; else -) failures
    jq -r --arg c "$c" --arg i "$impl" --arg t "$((t1 - t0))" \
      '[$c, $i, (.handshakes_per_second*10|round/10), (.cpu.responder_ms_per_handshake // -1 | .*1000|round/1000),
        .latency_ms.p50, .latency_ms.p99, .failed, $t, (.cpu.responder_source // "-"),
        (if .cpu.responder_ticks_seconds != null and .completed > 0
           then (.cpu.responder_ticks_seconds * 1e6 / .completed | round / 1000) else "-" end),
        ((.failures // {}) | to_entries | map("\(.key)=\(.value)") | join(","))] | @tsv' "$json" >> "$results"
  done
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || a == "-" || b == "-" || b + 0 == 0) print "-"; else printf "%.2f", a / b }'; }
{
  echo
  cat "$OUT/meta.txt"
  echo
  echo "| case | responder | MODP exponent | completed/s | responder CPU ms/handshake | p50 ms | p99 ms | failed |"
  echo "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |"
  while IFS=$'\t' read -r c i rate cpu p50 p99 failed _ source _ reasons; do
    read -r _ ike _ _ <<<"$(case_params "$c")"
    # A row measured by ticks although the others are exact says so.
    [ "$source" = pid-ticks ] && cpu="$cpu (10 ms ticks)"
    echo "| $c | $i | $(dh_policy "$i" "$ike") | $rate | $cpu | $p50 | $p99 | $failed${reasons:+ ($reasons)} |"
  done < "$results"
  echo
  echo "| case | IkeFast/charon completed/s | IkeFast/charon CPU | IkeFast/pluto completed/s | IkeFast/pluto CPU | IkeFast full exponent/charon CPU |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: |"
  for c in $CASES; do
    get() { awk -F'\t' -v c="$c" -v i="$1" -v f="$2" '$1 == c && $2 == i { print $f }' "$results"; }
    echo "| $c | $(ratio "$(get ikefast 3)" "$(get charon 3)") | $(ratio "$(get ikefast 4)" "$(get charon 4)") |" \
      "$(ratio "$(get ikefast 3)" "$(get pluto 3)") | $(ratio "$(get ikefast 4)" "$(get pluto 4)") |" \
      "$(ratio "$(get ikefast-full 4)" "$(get charon 4)") |"
  done
  echo
  echo "(completed/s: higher is better; CPU: the responder's CPU time over the measured phase / completed, from"
  echo " $CG_TEXT; per row: the source column of results.tsv), lower"
  echo " is better, so a CPU ratio of 0.25 means IkeFast used a quarter of the CPU per handshake. MODP exponent: each"
  echo " responder's private exponent for MODP-2048 (charon: OpenSSL full length; pluto: NSS 224 bits; IkeFast: short"
  echo " by default, full with daemon.dh_exponent = full). Public-value checks: README \"The race\". Raw: $OUT)"
} | tee "$OUT/race.md"
