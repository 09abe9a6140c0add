# shellcheck shell=bash
# IkeFast interop harness: real IKEv1 peers (strongSwan charon, Libreswan pluto) in network namespaces.
# Source it from bash:   source tests/interop/lib.sh
# Contract and parameters: tests/interop/README.md. Needs root and tests/interop/install.sh to have run.
#
# Functions return non-zero on failure (they never `exit`), so callers may use `set -e` or check codes.
# All state of one run lives under $IKEF_RUN (a fresh folder per topo_up); every daemon gets a private /run.

IKEF_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
IKEF_LIBRESWAN=${IKEF_LIBRESWAN:-/opt/libreswan}
IKEF_PLUTO=$IKEF_LIBRESWAN/usr/libexec/ipsec/pluto
IKEF_WHACK=$IKEF_LIBRESWAN/usr/libexec/ipsec/whack
IKEF_CHARON=${IKEF_CHARON:-/usr/lib/ipsec/charon}

IKEF_RUN=${IKEF_RUN:-}
# A later process of the same run (harness.sh, one call per process) finds the run's prefix in $IKEF_RUN/env.
if [ -n "$IKEF_RUN" ] && [ -f "$IKEF_RUN/env" ] && [ -z "${IKEF_PREFIX:-}" ]; then
  IKEF_PREFIX=$(sed -n 's/^IKEF_PREFIX=//p' "$IKEF_RUN/env")
fi
# Unique per run unless the caller chose one (it names the two namespaces and the run folder).
IKEF_PREFIX=${IKEF_PREFIX:-ikef$$}
IKEF_NS_A=${IKEF_PREFIX}-a
IKEF_NS_B=${IKEF_PREFIX}-b
# Addresses (RFC 5737 documentation ranges; they exist only inside the namespaces).
IKEF_ADDR_A=192.0.2.1
IKEF_ADDR_B=192.0.2.2
IKEF_HOST_A=198.51.100.1    # protected host on a's loopback
IKEF_HOST_B=203.0.113.1     # protected host on b's loopback
IKEF_NET_A=198.51.100.0/24
IKEF_NET_B=203.0.113.0/24
IKEF_IF=veth0               # the veth end's name inside each namespace
IKEF_PSK_DEFAULT=ikefast-interop-psk-0123456789

ikef_log() { printf '[interop %s] %s\n' "$(date +%T)" "$*" >&2; }

# --- small accessors ------------------------------------------------------------------------------------------
ikef_ns()   { case $1 in a) echo "$IKEF_NS_A" ;; b) echo "$IKEF_NS_B" ;; *) echo "bad side '$1'" >&2; return 1 ;; esac; }
ikef_addr() { case $1 in a) echo "$IKEF_ADDR_A" ;; b) echo "$IKEF_ADDR_B" ;; *) return 1 ;; esac; }
ikef_other() { case $1 in a) echo b ;; b) echo a ;; *) return 1 ;; esac; }
ikef_net()  { case $1 in a) echo "$IKEF_NET_A" ;; b) echo "$IKEF_NET_B" ;; *) return 1 ;; esac; }
# Extra Quick Mode k (k >= 2) uses RFC 2544 benchmarking ranges so its selectors never overlap the first one.
ikef_net_k() { case $1 in a) echo "198.18.$2.0/24" ;; b) echo "198.19.$2.0/24" ;; *) return 1 ;; esac; }
ikef_dir()  { echo "$IKEF_RUN/$1"; }
# Runs a command inside side a's or b's namespace (foreground):  ikef_exec a ip xfrm policy
ikef_exec() { local ns; ns=$(ikef_ns "$1") || return 1; shift; ip netns exec "$ns" "$@"; }
# Same, with a private mount namespace and a fresh tmpfs on /run (what the daemons need; see README).
# Foreground only: a function started with `&` runs in a forked subshell, so `$!` would not be the command's
# PID; the start-up code below therefore spells the same command line out inline.
ikef_exec_private_run() {
  local ns; ns=$(ikef_ns "$1") || return 1; shift
  ip netns exec "$ns" unshare --mount --propagation private sh -c 'mount -t tmpfs tmpfs /run && exec "$@"' sh "$@"
}

# --- xfrm shim ------------------------------------------------------------------------------------------------
# Builds the LD_PRELOAD shim and prints its path; cached per machine in $IKEF_SHIM_CACHE (default
# /tmp/ikef-xfrm-shim), rebuilt when shim.c is newer. Built under a temporary name, then renamed: parallel runs
# never load a half-written library.
ikef_shim() {
  local src=$IKEF_LIB_DIR/xfrm-shim/shim.c
  local out=${IKEF_SHIM_CACHE:-/tmp/ikef-xfrm-shim}/xfrm-shim.so
  if [ ! -f "$out" ] || [ "$src" -nt "$out" ]; then
    mkdir -p "$(dirname "$out")"
    gcc -shared -fPIC -O2 -Wall -Wextra -Werror -o "$out.tmp.$$" "$src" -ldl || return 1
    mv -f "$out.tmp.$$" "$out"
  fi
  echo "$out"
}

# --- topology -------------------------------------------------------------------------------------------------
# topo_up: two namespaces joined by a veth pair, IPv6 off, loopback hosts as protected subnets.
# Sets IKEF_RUN (unless already set) and installs an EXIT/INT/TERM trap calling topo_down (IKEF_NO_TRAP=1 to
# skip: then the caller must call topo_down itself).
topo_up() {
  local s ns
  # Names follow IKEF_PREFIX even if the caller changed it after sourcing this file.
  IKEF_NS_A=${IKEF_PREFIX}-a IKEF_NS_B=${IKEF_PREFIX}-b
  if [ -z "$IKEF_RUN" ]; then IKEF_RUN=$(mktemp -d "/tmp/${IKEF_PREFIX}.XXXXXX") || return 1; fi
  mkdir -p "$IKEF_RUN/a" "$IKEF_RUN/b"
  export IKEF_RUN IKEF_PREFIX IKEF_NS_A IKEF_NS_B
  topo_env > "$IKEF_RUN/env"
  if [ -z "${IKEF_NO_TRAP:-}" ]; then
    trap 'topo_down' EXIT
    trap 'topo_down; exit 130' INT
    trap 'topo_down; exit 143' TERM
  fi
  for ns in "$IKEF_NS_A" "$IKEF_NS_B"; do
    ip netns del "$ns" 2>/dev/null || true
    ip netns add "$ns" || return 1
  done
  # Create both ends directly inside their namespaces: no name ever exists in the root namespace.
  ip link add "$IKEF_IF" netns "$IKEF_NS_A" type veth peer name "$IKEF_IF" netns "$IKEF_NS_B" || return 1
  for s in a b; do
    ns=$(ikef_ns $s)
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 \
      >/dev/null 2>&1 || true
    ip -n "$ns" link set lo up || return 1
    ip -n "$ns" addr add "$(ikef_addr $s)/24" dev "$IKEF_IF" || return 1
    ip -n "$ns" link set "$IKEF_IF" up || return 1
  done
  ip -n "$IKEF_NS_A" addr add "$IKEF_HOST_A/32" dev lo || return 1
  ip -n "$IKEF_NS_B" addr add "$IKEF_HOST_B/32" dev lo || return 1
  # The veth carrier comes up asynchronously; wait for LOWER_UP on both ends (ping is not installed everywhere).
  for _ in $(seq 1 100); do
    ip -n "$IKEF_NS_A" link show "$IKEF_IF" | grep -q LOWER_UP && ip -n "$IKEF_NS_B" link show "$IKEF_IF" |
      grep -q LOWER_UP && break
    sleep 0.02
  done
  ikef_log "topology up: $IKEF_NS_A ($IKEF_ADDR_A) <-> $IKEF_NS_B ($IKEF_ADDR_B), run dir $IKEF_RUN"
}

# topo_env: the run's facts as NAME=value lines (also written to $IKEF_RUN/env by topo_up).
topo_env() {
  local v
  for v in IKEF_RUN IKEF_PREFIX IKEF_NS_A IKEF_NS_B IKEF_IF IKEF_ADDR_A IKEF_ADDR_B IKEF_HOST_A IKEF_HOST_B \
    IKEF_NET_A IKEF_NET_B IKEF_PSK_DEFAULT; do
    echo "$v=${!v}"
  done
}

# topo_down: stops every recorded peer, process and capture, deletes the namespaces. Keeps $IKEF_RUN (logs)
# unless IKEF_KEEP=0.
topo_down() {
  local s f
  trap - EXIT INT TERM
  for s in a b; do
    [ -n "$IKEF_RUN" ] || break
    [ -f "$IKEF_RUN/$s/pid" ] && peer_stop "$s"
    [ -f "$IKEF_RUN/$s/capture.pid" ] && capture_stop "$s"
    for f in "$IKEF_RUN/$s"/*.pid; do
      [ -f "$f" ] && proc_stop "$s" "$(basename "$f" .pid)"
    done
  done
  ip netns del "$IKEF_NS_A" 2>/dev/null || true
  ip netns del "$IKEF_NS_B" 2>/dev/null || true
  if [ "${IKEF_KEEP:-1}" = 0 ] && [ -n "$IKEF_RUN" ]; then rm -rf "$IKEF_RUN"; fi
  return 0
}

# --- any process (IkeFast itself) ------------------------------------------------------------------------------
# proc_start SIDE LABEL CMD [ARGS...]: runs CMD in SIDE's namespace in the background, output to
# $IKEF_RUN/SIDE/LABEL.out, PID recorded in $IKEF_RUN/SIDE/LABEL.pid (topo_down stops it).
# IKEF_PRIVATE_RUN=1 gives it a private tmpfs /run like the daemons. Prints the PID.
proc_start() {
  local side=$1 label=$2 ns pid; shift 2
  ns=$(ikef_ns "$side") || return 1
  mkdir -p "$IKEF_RUN/$side"
  if [ "${IKEF_PRIVATE_RUN:-0}" = 1 ]; then
    ip netns exec "$ns" unshare --mount --propagation private sh -c 'mount -t tmpfs tmpfs /run && exec "$@"' sh \
      "$@" >"$IKEF_RUN/$side/$label.out" 2>&1 </dev/null &
  else
    ip netns exec "$ns" "$@" >"$IKEF_RUN/$side/$label.out" 2>&1 </dev/null &
  fi
  pid=$!
  echo "$pid" > "$IKEF_RUN/$side/$label.pid"
  echo "$pid"
}
# proc_stop SIDE LABEL: TERM, KILL after 3 s.
proc_stop() {
  local f=$IKEF_RUN/$1/$2.pid pid
  pid=$(cat "$f" 2>/dev/null) || return 0
  if ikef_alive "$pid"; then
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 1 60); do ikef_alive "$pid" || break; sleep 0.05; done
    ikef_alive "$pid" && kill -KILL "$pid" 2>/dev/null
  fi
  rm -f "$f"
  return 0
}
# proc_alive SIDE LABEL: true while it runs.
proc_alive() { local pid; pid=$(cat "$IKEF_RUN/$1/$2.pid" 2>/dev/null) && ikef_alive "$pid"; }

# --- certificates ---------------------------------------------------------------------------------------------
# certs_make: a CA and one RSA-2048 certificate per side under $IKEF_RUN/pki (once per run).
# Files: ca.crt ca.key; a.crt a.key (PKCS#1 PEM) a.pk8 (PKCS#8 PEM) a.p12 (password "ikefast"); same for b.
# Subject: C=XX, O=IkeFast Interop, CN=<side>.ikefast.test; SANs: DNS <side>.ikefast.test and the side's IP.
certs_make() {
  local d=$IKEF_RUN/pki s
  [ -f "$d/b.p12" ] && return 0
  mkdir -p "$d"
  # An explicit plugin list keeps pki from probing a TPM (noisy "could not load libtss2-tcti-tabrmd").
  printf 'pki {\n  load = random gmp openssl pem pkcs1 pkcs8 x509 pubkey sha1 sha2 constraints\n}\n' > "$d/strongswan.conf"
  local STRONGSWAN_CONF=$d/strongswan.conf; export STRONGSWAN_CONF
  pki --gen --type rsa --size 2048 --outform pem > "$d/ca.key" || return 1
  pki --self --ca --lifetime 3650 --in "$d/ca.key" --type rsa --dn "C=XX, O=IkeFast Interop, CN=IkeFast Test CA" \
    --outform pem > "$d/ca.crt" || return 1
  for s in a b; do
    pki --gen --type rsa --size 2048 --outform pem > "$d/$s.key" || return 1
    pki --pub --in "$d/$s.key" --type rsa |
      pki --issue --lifetime 365 --cacert "$d/ca.crt" --cakey "$d/ca.key" \
        --dn "$(ikef_cert_dn $s)" --san "$s.ikefast.test" --san "$(ikef_addr $s)" --outform pem > "$d/$s.crt" || return 1
    openssl pkey -in "$d/$s.key" -out "$d/$s.pk8" 2>/dev/null || return 1
    openssl pkcs12 -export -inkey "$d/$s.key" -in "$d/$s.crt" -certfile "$d/ca.crt" -name "$s" \
      -passout pass:ikefast -out "$d/$s.p12" 2>/dev/null || return 1
  done
}
ikef_cert_dn() { echo "C=XX, O=IkeFast Interop, CN=$1.ikefast.test"; }

# --- parameters -------------------------------------------------------------------------------------------------
# Parses key=value parameters into P_* variables (see README for the list and defaults).
ikef_params() {
  local side=$1; shift
  local other; other=$(ikef_other "$side")
  P_NAME=ikef P_MODE=main P_AUTH=psk P_PSK=$IKEF_PSK_DEFAULT
  P_IKE=aes128-sha256-modp2048 P_ESP=aes128-sha256 P_CHILDREN=1
  P_LOCAL_ID='' P_REMOTE_ID='' P_LOCAL_TS=$(ikef_net "$side") P_REMOTE_TS=$(ikef_net "$other")
  P_LOCAL_ADDR=$(ikef_addr "$side") P_REMOTE_ADDR=$(ikef_addr "$other")
  P_FRAG=yes P_LOG=keys P_IKE_LIFE=4h P_CHILD_LIFE=1h P_SHIM=yes P_SEND_CERT=always
  P_ENCAP=no P_DPD_DELAY='' P_DPD_TIMEOUT='' P_VIPS='' P_PULL='' P_XAUTH_ID='' P_XAUTH_SECRET=''
  P_IKE_OVER='' P_IKE_RAND='' P_CHILD_HARD='' P_CHILD_RAND='' P_DELETE_REKEYED=''
  local kv k v
  for kv in "$@"; do
    k=${kv%%=*}; v=${kv#*=}
    [ "$k" = "$kv" ] && { echo "ikef_params: '$kv' is not key=value" >&2; return 1; }
    case $k in
      name) P_NAME=$v ;;
      mode) case $v in main|aggressive) P_MODE=$v ;; *) echo "mode must be main|aggressive" >&2; return 1 ;; esac ;;
      auth) case $v in psk) P_AUTH=psk ;; rsa|pubkey) P_AUTH=rsa ;; *) echo "auth must be psk|rsa" >&2; return 1 ;; esac ;;
      psk) P_PSK=$v ;;
      ike) P_IKE=$v ;;
      esp) P_ESP=$v ;;
      children) P_CHILDREN=$v ;;
      local_id) P_LOCAL_ID=$v ;;
      remote_id) P_REMOTE_ID=$v ;;
      local_ts) P_LOCAL_TS=$v ;;
      remote_ts) P_REMOTE_TS=$v ;;
      local_addr) P_LOCAL_ADDR=$v ;;
      remote_addr) P_REMOTE_ADDR=$v ;;
      fragmentation) P_FRAG=$v ;;
      log) P_LOG=$v ;;
      ike_lifetime) P_IKE_LIFE=$v ;;
      child_lifetime) P_CHILD_LIFE=$v ;;
      shim) P_SHIM=$v ;;
      send_cert) P_SEND_CERT=$v ;;
      encap) P_ENCAP=$v ;;           # charon: force UDP encapsulation (fake NAT-D)
      dpd_delay) P_DPD_DELAY=$v ;;   # charon: DPD probe interval (empty: none)
      dpd_timeout) P_DPD_TIMEOUT=$v ;;
      vips) P_VIPS=$v ;;             # charon: ask for a virtual IP (Mode-Config client), e.g. 0.0.0.0
      pull) P_PULL=$v ;;             # charon: Mode-Config pull (yes, default) or push (no)
      xauth_id) P_XAUTH_ID=$v ;;     # charon: XAUTH client round (local-xauth) with this user
      xauth_secret) P_XAUTH_SECRET=$v ;;
      ike_over_time) P_IKE_OVER=$v ;;   # charon: IKE over_time (hard = rekey_time + over_time)
      ike_rand_time) P_IKE_RAND=$v ;;   # charon: IKE rand_time (0: no jitter)
      child_life_time) P_CHILD_HARD=$v ;; # charon: child life_time (hard expiry)
      child_rand_time) P_CHILD_RAND=$v ;; # charon: child rand_time
      delete_rekeyed) P_DELETE_REKEYED=$v ;; # charon: charon.delete_rekeyed (IKEv1: delete a rekeyed CHILD_SA at once)
      *) echo "ikef_params: unknown parameter '$k'" >&2; return 1 ;;
    esac
  done
  if [ "$P_AUTH" = rsa ]; then
    [ -n "$P_LOCAL_ID" ] || P_LOCAL_ID=$(ikef_cert_dn "$side")
    [ -n "$P_REMOTE_ID" ] || P_REMOTE_ID=$(ikef_cert_dn "$other")
  fi
}

# Child k's selectors (k = 1 uses P_LOCAL_TS/P_REMOTE_TS).
ikef_child_ts() { # side k -> "local remote"
  if [ "$2" -eq 1 ]; then echo "$P_LOCAL_TS $P_REMOTE_TS"
  else echo "$(ikef_net_k "$1" "$2") $(ikef_net_k "$(ikef_other "$1")" "$2")"; fi
}
ikef_child_name() { if [ "$2" -eq 1 ]; then echo "$1"; else echo "$1-$2"; fi; }

# ESP proposal "aes128-sha256[-dhgroup]": prints the DH part if any (that is what enables PFS).
ikef_esp_dh() {
  local last=${1##*-}
  case $last in modp*|ecp*|curve25519|x25519|curve448|x448) echo "$last" ;; *) echo "" ;; esac
}
# strongSwan algorithm names -> Libreswan's.
ikef_alg_to_pluto() {
  local out='' tok toks
  IFS=- read -r -a toks <<<"$1"
  for tok in "${toks[@]}"; do
    case $tok in
      sha256) tok=sha2_256 ;; sha384) tok=sha2_384 ;; sha512) tok=sha2_512 ;;
      ecp256) tok=dh19 ;; ecp384) tok=dh20 ;; ecp521) tok=dh21 ;; curve25519|x25519) tok=dh31 ;;
    esac
    out=${out:+$out-}$tok
  done
  echo "$out"
}

# --- peers: common ----------------------------------------------------------------------------------------------
# peer_start IMPL SIDE ROLE [key=value ...]
#   IMPL: charon | pluto; SIDE: a | b; ROLE: initiator | responder (recorded; either can be initiated later).
# Writes the daemon's configuration under $IKEF_RUN/SIDE, starts it in SIDE's namespace (private /run, xfrm
# shim preloaded) and loads the connection. Returns when the daemon accepts control commands.
peer_start() {
  local impl=$1 side=$2 role=$3; shift 3
  case $role in initiator|responder) ;; *) echo "peer_start: role must be initiator|responder" >&2; return 1 ;; esac
  ikef_params "$side" "$@" || return 1
  local d; d=$(ikef_dir "$side")
  [ -f "$d/pid" ] && { echo "peer_start: side $side already runs a peer" >&2; return 1; }
  # Fresh files for this peer, but keep what proc_start/capture_start recorded on the same side (*.pid, *.out).
  mkdir -p "$d"
  find "$d" -mindepth 1 -maxdepth 1 ! -name '*.pid' ! -name '*.out' -exec rm -rf {} +
  echo "$impl" > "$d/impl"; echo "$role" > "$d/role"; echo "$P_NAME" > "$d/name"; echo "$P_CHILDREN" > "$d/children"
  [ "$P_AUTH" = rsa ] && { certs_make || return 1; }
  case $impl in
    charon) charon_start "$side" ;;
    pluto) pluto_start "$side" ;;
    *) echo "peer_start: unknown implementation '$impl'" >&2; return 1 ;;
  esac
}

peer_impl() { cat "$IKEF_RUN/$1/impl" 2>/dev/null; }
peer_pid()  { cat "$IKEF_RUN/$1/pid" 2>/dev/null; }
peer_conn() { cat "$IKEF_RUN/$1/name" 2>/dev/null; }

# True while PID runs. A zombie counts as gone: a daemon started from a shell that has exited (a test's
# `bash -c`, a command substitution) is re-parented to PID 1, which on these machines reaps only late.
ikef_alive() {
  local st
  st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) || return 1
  [ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

# peer_stop SIDE: TERM by recorded PID, KILL after 3 s.
peer_stop() {
  local side=$1 pid
  pid=$(peer_pid "$side") || return 0
  [ -n "$pid" ] || return 0
  if ikef_alive "$pid"; then
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 1 60); do ikef_alive "$pid" || break; sleep 0.05; done
    ikef_alive "$pid" && kill -KILL "$pid" 2>/dev/null
  fi
  rm -f "$IKEF_RUN/$side/pid"
  return 0
}

# peer_initiate SIDE [CHILD]: starts Phase 1 (if none) and the Quick Mode for CHILD (default: the first one).
# Waits up to IKEF_TIMEOUT (default 15) seconds for the command itself; check the result with peer_wait.
peer_initiate() {
  local side=$1 child=${2:-$(peer_conn "$1")}
  case $(peer_impl "$side") in
    charon) charon_swanctl "$side" --initiate --ike "$(peer_conn "$side")" --child "$child" \
              --timeout "${IKEF_TIMEOUT:-15}" >>"$IKEF_RUN/$side/swanctl.out" 2>&1 ;;
    pluto) timeout "${IKEF_TIMEOUT:-15}" "$IKEF_WHACK" --ctlsocket "$IKEF_RUN/$side/pluto.ctl" --initiate \
              --name "$child" >>"$IKEF_RUN/$side/whack.out" 2>&1 ;;
    *) return 1 ;;
  esac
}

# peer_terminate SIDE ike|child [NAME]: sends a Delete (ISAKMP SA with everything on it, or one child's SA).
peer_terminate() {
  local side=$1 what=$2 name=${3:-$(peer_conn "$1")}
  case $(peer_impl "$side") in
    charon)
      if [ "$what" = ike ]; then charon_swanctl "$side" --terminate --ike "$name" --timeout 10
      else charon_swanctl "$side" --terminate --child "$name" --timeout 10; fi >>"$IKEF_RUN/$side/swanctl.out" 2>&1 ;;
    pluto)
      if [ "$what" = ike ]; then
        "$IKEF_WHACK" --ctlsocket "$IKEF_RUN/$side/pluto.ctl" --terminate --name "$name"
      else
        # IKEv1 in pluto: delete the newest IPsec SA state of the connection.
        local st; st=$(pluto_states "$side" | awk -v n="\"$name\"" '$2==n && $3 ~ /QUICK/ {s=$1} END{print s}')
        [ -n "$st" ] || return 1
        "$IKEF_WHACK" --ctlsocket "$IKEF_RUN/$side/pluto.ctl" --deletestate "${st#\#}"
      fi >>"$IKEF_RUN/$side/whack.out" 2>&1 ;;
    *) return 1 ;;
  esac
}

# peer_ike_count SIDE: established ISAKMP SAs.   peer_child_count SIDE [CHILD]: installed IPsec SAs.
peer_ike_count() {
  case $(peer_impl "$1") in
    charon) charon_sas "$1" | grep -c 'state=ESTABLISHED' ;;
    pluto) pluto_states "$1" | grep -Ec '\((IKE|ISAKMP) SA established\)' ;;
  esac
}
peer_child_count() {
  local side=$1 child=${2:-}
  case $(peer_impl "$side") in
    charon) charon_children "$side" | awk -v c="$child" '($1==c || c=="") && $2=="INSTALLED"' | wc -l ;;
    pluto) pluto_states "$side" | awk -v n="\"$child\"" '(n=="\"\"" || $2==n) && /IPsec SA established/' | wc -l ;;
  esac
}

# peer_wait SIDE ike|child [COUNT] [TIMEOUT_S] [CHILD]: polls (every 50 ms) until at least COUNT (default 1)
# ISAKMP SAs / IPsec SAs are up. Returns 1 on timeout (default 10 s).
peer_wait() {
  local side=$1 what=$2 count=${3:-1} tmo=${4:-10} child=${5:-} n end
  end=$(( $(date +%s%N) + tmo * 1000000000 ))
  while :; do
    if [ "$what" = ike ]; then n=$(peer_ike_count "$side"); else n=$(peer_child_count "$side" "$child"); fi
    [ "${n:-0}" -ge "$count" ] && return 0
    [ "$(date +%s%N)" -ge "$end" ] && return 1
    sleep 0.05
  done
}
# peer_wait_gone SIDE ike|child [TIMEOUT_S] [CHILD]: until no such SA is left (after a Delete).
peer_wait_gone() {
  local side=$1 what=$2 tmo=${3:-10} child=${4:-} n end
  end=$(( $(date +%s%N) + tmo * 1000000000 ))
  while :; do
    if [ "$what" = ike ]; then n=$(peer_ike_count "$side"); else n=$(peer_child_count "$side" "$child"); fi
    [ "${n:-0}" -eq 0 ] && return 0
    [ "$(date +%s%N)" -ge "$end" ] && return 1
    sleep 0.05
  done
}

# peer_spis SIDE: one line per installed IPsec SA: "CHILD SPI_IN SPI_OUT" (hex, 8 digits, as on the wire).
peer_spis() {
  case $(peer_impl "$1") in
    charon) charon_children "$1" | awk '$2=="INSTALLED" {print $1, $3, $4}' ;;
    pluto) pluto_spis "$1" ;;
  esac
}

# peer_status SIDE: the daemon's own human-readable state (swanctl --list-sas / whack --status).
peer_status() {
  case $(peer_impl "$1") in
    charon) charon_swanctl "$1" --list-sas ;;
    pluto) "$IKEF_WHACK" --ctlsocket "$IKEF_RUN/$1/pluto.ctl" --status ;;
  esac
}
# peer_log SIDE: path of the daemon's log file.
peer_log() {
  case $(peer_impl "$1") in charon) echo "$IKEF_RUN/$1/charon.log" ;; pluto) echo "$IKEF_RUN/$1/pluto.log" ;; esac
}

# --- charon -----------------------------------------------------------------------------------------------------
charon_uri() { echo "unix://$IKEF_RUN/$1/charon.vici"; }
charon_swanctl() {
  local side=$1; shift
  STRONGSWAN_CONF=$IKEF_RUN/$side/strongswan.conf SWANCTL_DIR=$IKEF_RUN/$side/swanctl \
    swanctl "$@" --uri "$(charon_uri "$side")"
}
# Raw list-sas: one line per IKE SA (vici's --raw output), child SAs nested.
charon_sas() { charon_swanctl "$1" --list-sas --raw 2>/dev/null; }
# "CHILD STATE SPI_IN SPI_OUT" per child SA, from the raw output.
charon_children() {
  charon_sas "$1" | grep -o 'name=[^ ]* uniqueid=[^}]*' |
    sed -n 's/^name=\([^ ]*\) .*state=\([A-Z_]*\) .*spi-in=\([0-9a-f]*\) spi-out=\([0-9a-f]*\).*/\1 \2 \3 \4/p'
}

charon_write_conf() {
  local side=$1 d=$IKEF_RUN/$1 k lt rt cname levels
  mkdir -p "$d/swanctl/x509" "$d/swanctl/x509ca" "$d/swanctl/private"
  case $P_LOG in
    keys) levels="default = 1
        ike = 4
        chd = 4
        enc = 4
        lib = 4
        cfg = 2
        knl = 2
        net = 2" ;;
    normal) levels="default = 1
        ike = 2
        cfg = 2
        knl = 2
        net = 1" ;;
    *) levels="default = 0
        ike = 1" ;;
  esac
  cat > "$d/strongswan.conf" <<EOF
# Generated by tests/interop/lib.sh for side $side.
charon {
    load = random nonce openssl pem pkcs1 pkcs8 x509 pubkey revocation constraints curve25519 gmp aes sha1 sha2 md5 hmac kdf kernel-netlink socket-default vici$([ -n "$P_XAUTH_ID" ] && echo " xauth-generic")
    retransmit_tries = 3
    retransmit_timeout = 2.0
    install_routes = no
    install_virtual_ip = no
    # The harness tests Aggressive Mode PSK as responder too (charon refuses it otherwise).
    i_dont_care_about_security_and_use_aggressive_mode_psk = yes
$([ -n "$P_DELETE_REKEYED" ] && echo "    delete_rekeyed = $P_DELETE_REKEYED")
    syslog {
        identifier = charon-ikef-$side
    }
    filelog {
        log {
            path = $d/charon.log
            time_format = %H:%M:%S
            ike_name = yes
            append = yes
            flush_line = yes
            $levels
        }
    }
    plugins {
        vici {
            socket = $(charon_uri "$side")
        }
    }
}
swanctl {
    load = pem pkcs1 pkcs8 x509 pubkey openssl random constraints
}
EOF
  if [ "$P_AUTH" = rsa ]; then
    cp "$IKEF_RUN/pki/ca.crt" "$d/swanctl/x509ca/ca.crt"
    cp "$IKEF_RUN/pki/$side.crt" "$d/swanctl/x509/$side.crt"
    cp "$IKEF_RUN/pki/$side.key" "$d/swanctl/private/$side.key"
  fi
  {
    echo "# Generated by tests/interop/lib.sh for side $side."
    echo "connections {"
    echo "  $P_NAME {"
    echo "    version = 1"
    [ "$P_MODE" = aggressive ] && echo "    aggressive = yes"
    echo "    local_addrs = $P_LOCAL_ADDR"
    echo "    remote_addrs = $P_REMOTE_ADDR"
    echo "    proposals = $P_IKE"
    echo "    rekey_time = $P_IKE_LIFE"
    [ -n "$P_IKE_OVER" ] && echo "    over_time = $P_IKE_OVER"
    [ -n "$P_IKE_RAND" ] && echo "    rand_time = $P_IKE_RAND"
    echo "    fragmentation = $P_FRAG"
    echo "    encap = $P_ENCAP"
    [ -n "$P_DPD_DELAY" ] && echo "    dpd_delay = $P_DPD_DELAY"
    [ -n "$P_DPD_TIMEOUT" ] && echo "    dpd_timeout = $P_DPD_TIMEOUT"
    [ -n "$P_VIPS" ] && echo "    vips = $P_VIPS"
    [ -n "$P_PULL" ] && echo "    pull = $P_PULL"
    [ "$P_AUTH" = rsa ] && echo "    send_cert = $P_SEND_CERT"
    echo "    local {"
    if [ "$P_AUTH" = rsa ]; then echo "      auth = pubkey"; echo "      certs = $side.crt"; else echo "      auth = psk"; fi
    [ -n "$P_LOCAL_ID" ] && echo "      id = \"$P_LOCAL_ID\""
    echo "    }"
    if [ -n "$P_XAUTH_ID" ]; then
      echo "    local-xauth {"
      echo "      auth = xauth"
      echo "      xauth_id = $P_XAUTH_ID"
      echo "    }"
    fi
    echo "    remote {"
    if [ "$P_AUTH" = rsa ]; then echo "      auth = pubkey"; echo "      cacerts = ca.crt"; else echo "      auth = psk"; fi
    [ -n "$P_REMOTE_ID" ] && echo "      id = \"$P_REMOTE_ID\""
    echo "    }"
    echo "    children {"
    for k in $(seq 1 "$P_CHILDREN"); do
      read -r lt rt <<<"$(ikef_child_ts "$side" "$k")"
      cname=$(ikef_child_name "$P_NAME" "$k")
      echo "      $cname {"
      echo "        local_ts = $lt"
      echo "        remote_ts = $rt"
      echo "        esp_proposals = $P_ESP"
      echo "        rekey_time = $P_CHILD_LIFE"
      [ -n "$P_CHILD_HARD" ] && echo "        life_time = $P_CHILD_HARD"
      [ -n "$P_CHILD_RAND" ] && echo "        rand_time = $P_CHILD_RAND"
      echo "        mode = tunnel"
      echo "      }"
    done
    echo "    }"
    echo "  }"
    echo "}"
    if [ "$P_AUTH" = psk ]; then
      echo "secrets {"
      echo "  ike-ikef {"
      echo "    secret = \"$P_PSK\""
      echo "  }"
      if [ -n "$P_XAUTH_ID" ]; then
        echo "  xauth-ikef {"
        echo "    id = $P_XAUTH_ID"
        echo "    secret = \"$P_XAUTH_SECRET\""
        echo "  }"
      fi
      echo "}"
    fi
  } > "$d/swanctl/swanctl.conf"
}

charon_start() {
  local side=$1 d=$IKEF_RUN/$1 shim='' pid
  charon_write_conf "$side" || return 1
  if [ "$P_SHIM" = yes ]; then shim=$(ikef_shim) || return 1; fi
  : > "$d/charon.log"
  # ip netns exec, unshare and env exec; sh forks only for mount, then execs charon: $! is charon's PID.
  # Inline (not through a function) so that the background job execs straight into charon.
  ip netns exec "$(ikef_ns "$side")" unshare --mount --propagation private sh -c \
    'mount -t tmpfs tmpfs /run && exec "$@"' sh env ${shim:+LD_PRELOAD=$shim} XFRM_SHIM_LOG="$d/shim.log" \
    STRONGSWAN_CONF="$d/strongswan.conf" "$IKEF_CHARON" >"$d/charon.out" 2>&1 </dev/null &
  pid=$!
  echo "$pid" > "$d/pid"
  for _ in $(seq 1 100); do
    [ -S "$d/charon.vici" ] && charon_swanctl "$side" --stats >/dev/null 2>&1 && break
    ikef_alive "$pid" || { ikef_log "charon on $side died at start-up (see $d/charon.out)"; rm -f "$d/pid"; return 1; }
    sleep 0.05
  done
  [ -S "$d/charon.vici" ] || { ikef_log "charon on $side: no VICI socket"; return 1; }
  charon_swanctl "$side" --load-all --noprompt >"$d/swanctl.out" 2>&1 ||
    { ikef_log "swanctl --load-all failed on $side:"; cat "$d/swanctl.out" >&2; return 1; }
  ikef_log "charon on $side (pid $pid) loaded '$P_NAME'"
}

# Re-reads $IKEF_RUN/SIDE/swanctl/swanctl.conf after a test edited it.
charon_reload() { charon_swanctl "$1" --load-all --noprompt >>"$IKEF_RUN/$1/swanctl.out" 2>&1; }

# --- pluto ------------------------------------------------------------------------------------------------------
pluto_write_conf() {
  local side=$1 d=$IKEF_RUN/$1 k lt rt cname dh esp ike debug
  mkdir -p "$d/ipsec.d" "$d/nss"
  case $P_LOG in keys|normal) debug=base ;; *) debug=none ;; esac
  ike=$(ikef_alg_to_pluto "$P_IKE")
  dh=$(ikef_esp_dh "$P_ESP")
  esp=$(ikef_alg_to_pluto "${P_ESP%-"$dh"}")
  [ -n "$dh" ] && esp="$esp;$(ikef_alg_to_pluto "$dh")"
  {
    echo "# Generated by tests/interop/lib.sh for side $side."
    echo "config setup"
    echo "    ikev1-policy=accept"
    echo "    uniqueids=no"
    echo "    ike-socket-bufsize=4194304"
    echo "    plutodebug=$debug"
    echo "    logtime=yes"
    for k in $(seq 1 "$P_CHILDREN"); do
      read -r lt rt <<<"$(ikef_child_ts "$side" "$k")"
      cname=$(ikef_child_name "$P_NAME" "$k")
      echo ""
      echo "conn $cname"
      echo "    ikev2=no"
      echo "    type=tunnel"
      [ "$P_MODE" = aggressive ] && echo "    aggressive=yes"
      echo "    left=$P_LOCAL_ADDR"
      echo "    leftsubnet=$lt"
      echo "    right=$P_REMOTE_ADDR"
      echo "    rightsubnet=$rt"
      echo "    ike=$ike"
      echo "    phase2alg=$esp"
      if [ -n "$dh" ]; then echo "    pfs=yes"; else echo "    pfs=no"; fi
      echo "    ikelifetime=$P_IKE_LIFE"
      echo "    salifetime=$P_CHILD_LIFE"
      echo "    fragmentation=$P_FRAG"
      echo "    rekey=no"
      echo "    leftupdown=%disabled"
      if [ "$P_AUTH" = rsa ]; then
        echo "    authby=rsasig"
        echo "    leftcert=$side"
        echo "    leftsendcert=$P_SEND_CERT"
        echo "    rightca=%same"
      else
        echo "    authby=secret"
      fi
      [ -n "$P_LOCAL_ID" ] && echo "    leftid=\"$P_LOCAL_ID\""
      [ -n "$P_REMOTE_ID" ] && echo "    rightid=\"$P_REMOTE_ID\""
      echo "    auto=add"
    done
  } > "$d/ipsec.conf"
  if [ "$P_AUTH" = psk ]; then
    echo "%any %any : PSK \"$P_PSK\"" > "$d/ipsec.secrets"
  else
    : > "$d/ipsec.secrets"
  fi
  chmod 600 "$d/ipsec.secrets"
  certutil -N -d "sql:$d/nss" --empty-password >/dev/null 2>&1 || return 1
  if [ "$P_AUTH" = rsa ]; then
    certutil -A -d "sql:$d/nss" -n ikef-ca -t "CT,," -a -i "$IKEF_RUN/pki/ca.crt" || return 1
    pk12util -i "$IKEF_RUN/pki/$side.p12" -d "sql:$d/nss" -W ikefast >/dev/null || return 1
  fi
}

pluto_start() {
  local side=$1 d=$IKEF_RUN/$1 shim='' pid k
  pluto_write_conf "$side" || return 1
  if [ "$P_SHIM" = yes ]; then shim=$(ikef_shim) || return 1; fi
  : > "$d/pluto.log"
  ip netns exec "$(ikef_ns "$side")" unshare --mount --propagation private sh -c \
    'mount -t tmpfs tmpfs /run && exec "$@"' sh env ${shim:+LD_PRELOAD=$shim} XFRM_SHIM_LOG="$d/shim.log" \
    "$IKEF_PLUTO" --nofork --config "$d/ipsec.conf" --ipsecdir "$d/ipsec.d" --secretsfile "$d/ipsec.secrets" \
    --nssdir "$d/nss" --rundir "$d" --dumpdir "$d" --logfile "$d/pluto.log" \
    >"$d/pluto.out" 2>&1 </dev/null &
  pid=$!
  echo "$pid" > "$d/pid"
  for _ in $(seq 1 100); do
    [ -S "$d/pluto.ctl" ] && "$IKEF_WHACK" --ctlsocket "$d/pluto.ctl" --status >/dev/null 2>&1 && break
    ikef_alive "$pid" || { ikef_log "pluto on $side died at start-up (see $d/pluto.out, $d/pluto.log)"; rm -f "$d/pid"; return 1; }
    sleep 0.05
  done
  [ -S "$d/pluto.ctl" ] || { ikef_log "pluto on $side: no control socket"; return 1; }
  pluto_reload "$side" || return 1
  ikef_log "pluto on $side (pid $pid) loaded '$P_NAME'"
}

# Loads the connections of $IKEF_RUN/SIDE/ipsec.conf and makes pluto listen (what `ipsec start` does).
pluto_reload() {
  local side=$1 d=$IKEF_RUN/$1 c
  "$IKEF_WHACK" --ctlsocket "$d/pluto.ctl" --listen >>"$d/whack.out" 2>&1 || return 1
  # pluto also runs addconn itself at start-up, but asynchronously: loading explicitly makes the connections
  # certainly present when this returns (re-adding logs "terminating SAs using this connection", harmless).
  while read -r c; do
    "$IKEF_LIBRESWAN/usr/libexec/ipsec/addconn" --ctlsocket "$d/pluto.ctl" --config "$d/ipsec.conf" \
      "$c" >>"$d/whack.out" 2>&1 || { ikef_log "addconn $c failed on $side:"; cat "$d/whack.out" >&2; return 1; }
  done < <(awk '/^conn /{print $2}' "$d/ipsec.conf")
}

# One line per state from whack --status: "#N "conn" STATE_... (description)". A responder conn with
# right=%any shows its instances as `"conn"[1] 192.0.2.1:500 STATE_...`: the instance part is dropped.
pluto_states() {
  "$IKEF_WHACK" --ctlsocket "$IKEF_RUN/$1/pluto.ctl" --status 2>/dev/null |
    sed -nE 's/^[0-9:. ]*(#[0-9]+): ("[^"]*")[^ ]*( [^ ]+)? (STATE_[A-Z0-9_]+) (\([^)]*\)).*/\1 \2 \4 \5/p'
}
# "CHILD SPI_IN SPI_OUT" from the esp.SPI@ADDR lines (SPI@local is inbound, SPI@peer is outbound).
pluto_spis() {
  local side=$1 local_addr
  local_addr=$(awk '/^ *left=/{sub(/.*left=/,""); print; exit}' "$IKEF_RUN/$side/ipsec.conf")
  "$IKEF_WHACK" --ctlsocket "$IKEF_RUN/$side/pluto.ctl" --status 2>/dev/null |
    awk -v la="$local_addr" '
      / esp\.[0-9a-f]+@/ {
        name=""; in_=""; out="";
        if (match($0, /"[^"]*"/)) name=substr($0, RSTART+1, RLENGTH-2);
        for (i = 1; i <= NF; i++) if ($i ~ /^esp\.[0-9a-f]+@/) {
          split(substr($i, 5), p, "@"); spi=sprintf("%08s", p[1]); gsub(/ /, "0", spi);
          if (p[2] == la) in_=spi; else out=spi;
        }
        if (in_ != "" && out != "") print name, in_, out;
      }'
}

# --- captures ---------------------------------------------------------------------------------------------------
# capture_start SIDE FILE: tshark on SIDE's veth, IKE ports only (UDP 500 and 4500), pcapng to FILE.
# capture_stop SIDE: stops it (SIGINT, so the file is complete). topo_down stops a forgotten capture.
capture_start() {
  local side=$1 file=$2
  # Inline `ip netns exec` (which execs tshark) so the recorded PID is tshark's own.
  ip netns exec "$(ikef_ns "$side")" tshark -q -i "$IKEF_IF" -f 'udp port 500 or udp port 4500' -w "$file" \
    >"$IKEF_RUN/$side/tshark.out" 2>&1 </dev/null &
  echo $! > "$IKEF_RUN/$side/capture.pid"
  for _ in $(seq 1 200); do grep -q 'Capture started' "$IKEF_RUN/$side/tshark.out" 2>/dev/null && return 0; sleep 0.05; done
  return 1
}
capture_stop() {
  local pid; pid=$(cat "$IKEF_RUN/$1/capture.pid" 2>/dev/null) || return 0
  # dumpcap delivers packets in batches: packets of the last ~100 ms are lost if it is stopped at once.
  sleep "${IKEF_CAPTURE_FLUSH:-0.5}"
  kill -INT "$pid" 2>/dev/null
  for _ in $(seq 1 100); do ikef_alive "$pid" || break; sleep 0.05; done
  ikef_alive "$pid" && kill -KILL "$pid" 2>/dev/null
  rm -f "$IKEF_RUN/$1/capture.pid"
  return 0
}
