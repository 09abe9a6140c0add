#!/usr/bin/env bash
# Proves the interop harness with real peers only (no IkeFast): charon <-> charon and charon <-> pluto over the
# netns topology, with the xfrm shim. One PASS/FAIL line per case; exit status 1 if any case failed.
# Usage: sudo tests/interop/peer-smoke.sh [CASE-NAME-SUBSTRING ...]   (IKEF_KEEP=0 removes the run folder)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
source "$here/lib.sh"

[ "$(id -u)" -eq 0 ] || { echo "peer-smoke.sh: must run as root" >&2; exit 1; }
if [ ! -x "$IKEF_PLUTO" ] || ! command -v swanctl >/dev/null; then echo "run tests/interop/install.sh first" >&2; exit 1; fi

filters=("$@")
passed=0 failed=0 failed_names=()

# Stops both peers and clears whatever policies/SAs they left in the namespaces, keeping the topology.
reset_peers() {
  peer_stop a; peer_stop b
  local s; for s in a b; do ikef_exec $s ip xfrm policy flush; ikef_exec $s ip xfrm state flush; done
}

# Both sides agree on every IPsec SA: a's inbound SPI is b's outbound one and vice versa.
spis_match() {
  local sa sb
  sa=$(peer_spis a | awk '{print $2, $3}' | sort)
  sb=$(peer_spis b | awk '{print $3, $2}' | sort)
  if [ -z "$sa" ] || [ "$sa" != "$sb" ]; then echo "    SPIs differ: a=[$sa] b(swapped)=[$sb]"; return 1; fi
}

# Established on both sides: IKE SA count and IPsec SA count (default 1 each) within 10 s, SPIs agree.
both_up() {
  local children=${1:-1} s
  for s in a b; do
    peer_wait $s ike 1 10 || { echo "    side $s ($(peer_impl $s)): no ISAKMP SA"; return 1; }
    peer_wait $s child "$children" 10 || { echo "    side $s ($(peer_impl $s)): $(peer_child_count $s) of $children IPsec SAs"; return 1; }
  done
  spis_match
}

run_case() {
  local name=$1; shift
  if [ ${#filters[@]} -gt 0 ]; then
    local f hit=0; for f in "${filters[@]}"; do [[ $name == *"$f"* ]] && hit=1; done
    [ $hit = 1 ] || return 0
  fi
  local t0 t1 out rc
  t0=$(date +%s%N)
  out=$("$@" 2>&1); rc=$?
  t1=$(date +%s%N)
  if [ $rc -eq 0 ]; then
    printf 'PASS %-44s %5d ms\n' "$name" $(( (t1 - t0) / 1000000 )); passed=$((passed + 1))
  else
    printf 'FAIL %-44s %5d ms\n' "$name" $(( (t1 - t0) / 1000000 )); failed=$((failed + 1)); failed_names+=("$name")
    printf '%s\n' "$out" | sed 's/^/    /' | tail -20
    local s; for s in a b; do
      [ -n "$(peer_impl $s)" ] || continue
      echo "    --- last lines of side $s ($(peer_impl $s)) log $(peer_log $s):"
      tail -8 "$(peer_log $s)" 2>/dev/null | sed 's/^/    /'
    done
    # Keep this case's files for inspection.
    local keep=$IKEF_RUN/failed-${name//[^A-Za-z0-9_-]/_}; mkdir -p "$keep"; cp -r "$IKEF_RUN/a" "$IKEF_RUN/b" "$keep/" 2>/dev/null
  fi
  reset_peers
}

# Generic: start RESP on b and INIT on a with the same parameters, initiate from a, check both sides.
pair() { # INIT_IMPL RESP_IMPL [params...]
  local ii=$1 ri=$2; shift 2
  peer_start "$ri" b responder "$@" || return 1
  peer_start "$ii" a initiator "$@" || return 1
  peer_initiate a || echo "    initiate returned non-zero (see $IKEF_RUN/a)"
  both_up
}

# pair, then the initiator's (charon) raw SA listing must match every REGEX given before "--".
pair_expect() { # REGEX... -- INIT RESP [params...]
  local res=() r
  while [ "$1" != -- ]; do res+=("$1"); shift; done; shift
  pair "$@" || return 1
  for r in "${res[@]}"; do
    charon_sas a | grep -Eq "$r" || { echo "    initiator SA does not match /$r/:"; charon_sas a | head -1; return 1; }
  done
}

case_rsa_fragmented() {
  pair charon charon auth=rsa || return 1
  # charon's MM5 with an RSA-2048 certificate is > 1280 bytes: IKEv1 fragmentation (payload 132) must be used.
  grep -q 'into [0-9]* fragments' "$(peer_log a)" || { echo "    initiator did not fragment"; return 1; }
  grep -Eq 'received fragment|reassembled fragmented IKE message' "$(peer_log b)" ||
    { echo "    responder saw no fragments"; return 1; }
}

case_two_quick_modes() { # INIT RESP
  peer_start "$2" b responder children=2 || return 1
  peer_start "$1" a initiator children=2 || return 1
  peer_initiate a ikef || return 1
  peer_initiate a ikef-2 || return 1
  both_up 2 || return 1
  local s; for s in a b; do
    [ "$(peer_ike_count $s)" -eq 1 ] || { echo "    side $s has $(peer_ike_count $s) ISAKMP SAs (expected both QMs on one)"; return 1; }
  done
}

case_delete_from() { # DELETER INIT RESP what
  local deleter=$1 other; other=$(ikef_other "$1")
  pair "$2" "$3" || return 1
  peer_terminate "$deleter" "$4" || { echo "    terminate failed on $deleter"; return 1; }
  peer_wait_gone "$other" child 10 || { echo "    side $other still has $(peer_child_count "$other") IPsec SAs"; return 1; }
  if [ "$4" = ike ]; then
    peer_wait_gone "$other" ike 10 || { echo "    side $other still has an ISAKMP SA"; return 1; }
  fi
  peer_wait_gone "$deleter" child 5 || { echo "    side $deleter still has its IPsec SA"; return 1; }
}

# Per-side identities (FQDN), each peer started on its own.
case_fqdn_ids() { # INIT RESP mode
  peer_start "$2" b responder mode="$3" local_id=@b.ikefast.test remote_id=@a.ikefast.test || return 1
  peer_start "$1" a initiator mode="$3" local_id=@a.ikefast.test remote_id=@b.ikefast.test || return 1
  peer_initiate a
  both_up
}

# Negative control: with different PSKs nothing may be reported as established (the checks can fail).
case_psk_mismatch() {
  peer_start charon b responder psk=one-secret || return 1
  peer_start charon a initiator psk=another-secret || return 1
  IKEF_TIMEOUT=2 peer_initiate a
  if peer_wait b child 1 2 || peer_wait a child 1 1; then echo "    an IPsec SA came up with mismatched PSKs"; return 1; fi
  if [ "$(peer_ike_count a)" -ne 0 ] || [ "$(peer_ike_count b)" -ne 0 ]; then echo "    an ISAKMP SA came up"; return 1; fi
}

# Responders that accept any peer address (what bench/race.sh needs), charon then pluto behind 192.0.2.2.
case_any_responder() {
  local impl
  for impl in charon pluto; do
    peer_start "$impl" b responder remote_addr=%any || return 1
    peer_start charon a initiator || return 1
    peer_initiate a
    both_up || { echo "    with $impl as responder"; return 1; }
    peer_stop a; peer_stop b
  done
}

case_capture() {
  local f=$IKEF_RUN/a/smoke.pcapng n
  peer_start charon b responder || return 1
  peer_start charon a initiator || return 1
  capture_start a "$f" || { echo "    tshark did not start"; return 1; }
  peer_initiate a
  both_up || return 1
  capture_stop a
  # Main Mode is 6 messages, Quick Mode 3.
  n=$(tshark -r "$f" -Y isakmp 2>/dev/null | wc -l)
  [ "$n" -ge 9 ] || { echo "    capture has $n ISAKMP packets, expected >= 9"; return 1; }
}

# The multi-process contract: every step a separate process that only knows IKEF_RUN (what an xunit test does).
case_harness_cli() {
  local h=$here/harness.sh
  IKEF_PREFIX='' "$h" peer_start pluto b responder esp=aes256-sha1 ike=aes256-sha1-modp2048 >/dev/null || return 1
  IKEF_PREFIX='' "$h" peer_start charon a initiator esp=aes256-sha1 ike=aes256-sha1-modp2048 >/dev/null || return 1
  IKEF_PREFIX='' "$h" peer_initiate a || return 1
  IKEF_PREFIX='' "$h" peer_wait b child 1 10 || { echo "    pluto did not get the IPsec SA"; return 1; }
  IKEF_PREFIX='' "$h" peer_wait a child 1 10 || { echo "    charon did not get the IPsec SA"; return 1; }
  [ "$(IKEF_PREFIX='' "$h" peer_spis b | wc -l)" -eq 1 ] || return 1
  spis_match || return 1
  # Where IkeFast will run: a process in namespace a, recorded so that topo_down/proc_stop can end it.
  IKEF_PREFIX='' "$h" proc_start a stand-in sh -c 'ip -o addr show veth0; exec sleep 30' >/dev/null || return 1
  IKEF_PREFIX='' "$h" proc_alive a stand-in || { echo "    proc_start'ed process not running"; return 1; }
  sleep 0.1
  grep -q "$IKEF_ADDR_A/24" "$IKEF_RUN/a/stand-in.out" || { echo "    stand-in did not run in namespace a"; return 1; }
  IKEF_PREFIX='' "$h" proc_stop a stand-in || return 1
  ! IKEF_PREFIX='' "$h" proc_alive a stand-in || { echo "    proc_stop did not stop it"; return 1; }
}

start=$(date +%s%N)
topo_up || { echo "FAIL topology"; exit 1; }

run_case "charon->charon MM PSK + QM"             pair charon charon
run_case "charon->pluto MM PSK + QM"              pair charon pluto
run_case "pluto->charon MM PSK + QM"              pair pluto charon
run_case "charon->charon AM PSK + QM"             pair charon charon mode=aggressive
run_case "charon->pluto AM PSK FQDN ids"          case_fqdn_ids charon pluto aggressive
run_case "pluto->charon AM PSK FQDN ids"          case_fqdn_ids pluto charon aggressive
run_case "charon->charon MM RSA certs (fragments)" case_rsa_fragmented
run_case "charon->pluto MM RSA certs"             pair charon pluto auth=rsa
run_case "pluto->charon MM RSA certs"             pair pluto charon auth=rsa
run_case "charon->charon QM PFS modp2048"         pair_expect \
  "child-sas.*dh-group=MODP_2048" \
  -- charon charon esp=aes128-sha256-modp2048
run_case "charon->pluto QM PFS modp2048"          pair_expect \
  "child-sas.*dh-group=MODP_2048" \
  -- charon pluto esp=aes128-sha256-modp2048
run_case "charon->charon group 14 aes256-sha1"    pair_expect \
  "encr-alg=AES_CBC encr-keysize=256 integ-alg=HMAC_SHA1_96 prf-alg=PRF_HMAC_SHA1 dh-group=MODP_2048" \
  -- charon charon ike=aes256-sha1-modp2048 esp=aes256-sha1
run_case "charon->charon group 19 3des-sha1"      pair_expect \
  "encr-alg=3DES_CBC integ-alg=HMAC_SHA1_96 prf-alg=PRF_HMAC_SHA1 dh-group=ECP_256" "child-sas.*encr-alg=3DES_CBC" \
  -- charon charon ike=3des-sha1-ecp256 esp=3des-sha1
run_case "charon->charon group 31 aes128-sha256"  pair_expect \
  "dh-group=CURVE_25519" \
  -- charon charon ike=aes128-sha256-curve25519
run_case "charon->charon group 2 + PFS group 2"   pair_expect \
  "dh-group=MODP_1024 .*child-sas.*dh-group=MODP_1024" \
  -- charon charon ike=aes128-sha1-modp1024 esp=aes128-sha1-modp1024
run_case "charon->pluto group 19"                 pair_expect \
  "encr-keysize=256 .*dh-group=ECP_256" \
  -- charon pluto ike=aes256-sha256-ecp256
run_case "pluto->charon group 31"                 pair pluto charon ike=aes128-sha256-curve25519
run_case "charon->charon two QMs on one Phase 1"  case_two_quick_modes charon charon
run_case "charon->pluto two QMs on one Phase 1"   case_two_quick_modes charon pluto
run_case "Delete IPsec SA from responder"         case_delete_from b charon charon child
run_case "Delete ISAKMP SA from initiator"        case_delete_from a charon charon ike
run_case "Delete ISAKMP SA from pluto responder"  case_delete_from b charon pluto ike
run_case "Delete IPsec SA from pluto initiator"   case_delete_from a pluto charon child
run_case "Delete ISAKMP SA from pluto initiator"  case_delete_from a pluto charon ike
run_case "responders with remote_addr=%any"       case_any_responder
run_case "negative control: PSK mismatch fails"   case_psk_mismatch
run_case "capture with tshark"                    case_capture
run_case "harness.sh, one call per process"       case_harness_cli

topo_down
end=$(date +%s%N)
echo "peer-smoke: $passed passed, $failed failed in $(( (end - start) / 1000000 )) ms (logs: $IKEF_RUN)"
[ $failed -eq 0 ] || { printf '  failed: %s\n' "${failed_names[@]}"; exit 1; }
