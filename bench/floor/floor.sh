#!/usr/bin/env bash
# bench/floor/floor.sh: the kernel's floor per MM PSK + QM handshake in the race harness (issue #8). A C responder
# (bench/floor/floor.c, no crypto, no protocol) in namespace b receives the initiator's datagrams at their real sizes
# (MM1, MM3, MM5, QM1, QM3, and the IPsec and ISAKMP Deletes of a recycled peer), answers MM2, MM4, MM6, QM2, and
# installs/removes the SA pair and its policies through NETLINK_XFRM as IkeFast does (IkeFast's own message builders,
# the harness's xfrm shim preloaded as in bench/race.sh); a dumb replayer in namespace a plays the loadtest's side
# (32 in flight over 240 source addresses). It prints the responder's CPU (utime + stime of the process, getrusage)
# per handshake for each row, median of the repeats, rows interleaved (A B C A B C ...).
#
#   sudo flock /tmp/race.lock bench/floor/floor.sh                     # 10,000 handshakes after 1,000, 3 repeats
#   sudo flock /tmp/race.lock bench/floor/floor.sh -n 2000 -w 200 -r 5 --cases "mm-psk-14 mm-psk-31" -o /tmp/floor
#   ... --rows "xfrm-1 xfrm-32" --xfrm-peers 4000 -w 8000       # XFRM-only rows with 4,000 peers' policies installed
#   ... --profile 'perf record -g -o /tmp/$FLOOR_ROW.perf -p $FLOOR_PID'   # a command run (bash -c) beside each
#       responder ($FLOOR_PID, $FLOOR_CASE, $FLOOR_ROW, $FLOOR_RUN), stopped with SIGINT when the run ends
#
# Rows (datagrams / XFRM):
#   dgram-1     datagrams only, one recvmsg / sendmsg per datagram
#   dgram-32    datagrams only, recvmmsg / sendmmsg of up to 32 (MSG_WAITFORONE)
#   xfrm-1      XFRM only (no sockets: 240 peers in turn, removal then install), one transaction per install and per
#               removal (IkeFast today: 5 messages in one sendmsg, the acks by recvmmsg)
#   xfrm-32     XFRM only, the removals and installs of 32 handshakes in one transaction
#   both-1      both, unbatched (one datagram per system call, one XFRM transaction per install / removal)
#   both-32     both, batched (recvmmsg/sendmmsg; one XFRM transaction per receive batch)
#   both-ikefast  recvmmsg/sendmmsg with one XFRM transaction per install / removal (what `ikefast serve` does)
#   xfrm-32-noack, both-32-noack   as xfrm-32 / both-32 with the XFRM messages sent without NLM_F_ACK (the kernel
#               answers refusals only): no ack per message, no receive call on the netlink socket
#   split-1, split-32, split-ikefast   both-1 / both-32 / both-ikefast with thread CPU time read around every receive,
#               send and XFRM call (--breakdown: its clock_gettime calls add their own cost; a table of their own)
# Needs root (namespaces), cc, and tests/interop/lib.sh's tools (ip, gcc for the shim). Always run it under
# `flock /tmp/race.lock` (the harness's namespaces and addresses are those of bench/race.sh). Not part of CI (the
# tool's self-test is: tests/Ike.Fast.Tests/Bench/FloorToolTests.cs). Results: README, "The race".
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
COUNT=10000
WARMUP=1000
REPEATS=3
CASES="mm-psk-31"
ROWS="dgram-1 dgram-32 xfrm-1 xfrm-32 xfrm-32-noack both-1 both-32 both-ikefast both-32-noack split-1 split-32 split-ikefast"
OUT=''
PROFILE=''
XFRM_PEERS=240
while [ $# -gt 0 ]; do
  case $1 in
    -n|--count) COUNT=$2; shift 2 ;;
    -w|--warmup) WARMUP=$2; shift 2 ;;
    -r|--repeats) REPEATS=$2; shift 2 ;;
    --cases) CASES=$2; shift 2 ;;
    --rows) ROWS=$2; shift 2 ;;
    -o|--out) OUT=$2; shift 2 ;;
    --profile) PROFILE=$2; shift 2 ;;
    --xfrm-peers) XFRM_PEERS=$2; shift 2 ;;
    -h|--help) sed -n '2,31p' "$0"; exit 0 ;;
    *) echo "floor.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[ "$(id -u)" -eq 0 ] || { echo "floor.sh: needs root (network namespaces)" >&2; exit 2; }

OUT=${OUT:-$(mktemp -d /tmp/floor.XXXXXX)}
mkdir -p "$OUT"
FLOOR=$OUT/floor
cc -O2 -Wall -Wextra -Werror -I"$ROOT/native/include" -o "$FLOOR" "$ROOT/bench/floor/floor.c" "$ROOT/native/src/xfrm.c" \
  "$ROOT/native/src/xfrm_socket.c"
"$FLOOR" selftest >&2

# case -> "responder sizes" "initiator sizes" from sizes.tsv (UDP payload bytes from a race capture).
sizes_of() { # CASE -> "MM2,MM4,MM6,QM2 MM1,MM3,MM5,QM1,QM3,DEL1,DEL2"
  awk -F'\t' -v c="$1" '$1 == c { printf "%s,%s,%s,%s %s,%s,%s,%s,%s,%s,%s\n", $3, $5, $7, $9, $2, $4, $6, $8, $10, $11, $12; f = 1 }
    END { exit f ? 0 : 1 }' "$ROOT/bench/floor/sizes.tsv" || { echo "floor.sh: no sizes for case '$1' in bench/floor/sizes.tsv" >&2; return 1; }
}
row_args() { # ROW -> responder arguments
  case $1 in
    dgram-1) echo "--mode dgram --batch 1" ;;
    dgram-32) echo "--mode dgram --batch 32" ;;
    xfrm-1) echo "--mode xfrm --batch 1 --xfrm-batch handshake" ;;
    xfrm-32) echo "--mode xfrm --batch 32 --xfrm-batch receive" ;;
    both-1) echo "--mode both --batch 1 --xfrm-batch handshake" ;;
    both-32) echo "--mode both --batch 32 --xfrm-batch receive" ;;
    both-ikefast) echo "--mode both --batch 32 --xfrm-batch handshake" ;;
    xfrm-32-noack) echo "--mode xfrm --batch 32 --xfrm-batch receive --xfrm-ack no" ;;
    both-32-noack) echo "--mode both --batch 32 --xfrm-batch receive --xfrm-ack no" ;;
    both-ikefast-barrier) echo "--mode both --batch 32 --xfrm-batch handshake --xfrm-ack barrier" ;;
    split-1) echo "--mode both --batch 1 --xfrm-batch handshake --breakdown yes" ;;
    split-32) echo "--mode both --batch 32 --xfrm-batch receive --breakdown yes" ;;
    split-ikefast) echo "--mode both --batch 32 --xfrm-batch handshake --breakdown yes" ;;
    *) echo "floor.sh: unknown row '$1'" >&2; return 1 ;;
  esac
}
for r in $ROWS; do row_args "$r" > /dev/null; done
for c in $CASES; do sizes_of "$c" > /dev/null; done

IKEF_PREFIX=floor$$
# shellcheck source=../../tests/interop/lib.sh
source "$ROOT/tests/interop/lib.sh"
topo_up
for i in $(seq 10 249); do echo "addr add 192.0.2.$i/32 dev veth0"; done | ip -n "$(ikef_ns a)" -batch -
SHIM=$(ikef_shim)

wait_udp500() { # until the responder listens in ns b
  for _ in $(seq 1 200); do
    ip netns exec "$(ikef_ns b)" ss -ulnH 'sport = :500' 2>/dev/null | grep -q . && return 0
    sleep 0.02
  done
  return 1
}

# One run: prints the responder's line (key=value). Fails (non-zero) when either side does.
run_one() { # CASE ROW REPEAT
  local c=$1 row=$2 rep=$3 rsizes isizes args log=$OUT/$1-$2-$3 rpid rc=0 peers=240
  read -r rsizes isizes <<<"$(sizes_of "$c")"
  args=$(row_args "$row")
  # XFRM-only rows may churn through more peers (no addresses needed); the datagram rows have ns a's 240.
  [ "${row%%-*}" = xfrm ] && peers=$XFRM_PEERS
  # shellcheck disable=SC2086
  ip netns exec "$(ikef_ns b)" env LD_PRELOAD="$SHIM" XFRM_SHIM_LOG= "$FLOOR" responder --listen 192.0.2.2 \
    --first 192.0.2.10 --peers "$peers" --count "$COUNT" --warmup "$WARMUP" --sizes "$rsizes" $args \
    > "$log.responder" 2>&1 &
  rpid=$!
  local profiler=''
  if [ -n "$PROFILE" ]; then
    FLOOR_PID=$rpid FLOOR_CASE=$c FLOOR_ROW=$row FLOOR_RUN=$rep setsid bash -c "$PROFILE" > "$log.profile" 2>&1 &
    profiler=$!
  fi
  if [ "${row%%-*}" != xfrm ]; then
    if ! wait_udp500; then kill "$rpid" 2>/dev/null || true; echo "floor.sh: responder did not listen ($log.responder)" >&2; return 1; fi
    ip netns exec "$(ikef_ns a)" "$FLOOR" initiator --target 192.0.2.2 --first 192.0.2.10 --peers 240 --inflight 32 \
      --count "$COUNT" --warmup "$WARMUP" --sizes "$isizes" > "$log.initiator" 2>&1 || rc=$?
  fi
  wait "$rpid" || rc=$?
  if [ -n "$profiler" ]; then
    kill -INT -- "-$profiler" 2>/dev/null || true
    wait "$profiler" 2>/dev/null || true
  fi
  if [ "$rc" -ne 0 ]; then
    echo "floor.sh: $c $row run $rep failed (rc $rc): $(cat "$log.responder" "$log.initiator" 2>/dev/null | tail -3)" >&2
    return 1
  fi
  cat "$log.responder"
}

RAW=$OUT/raw.tsv
: > "$RAW"
for rep in $(seq 1 "$REPEATS"); do
  for c in $CASES; do
    for row in $ROWS; do
      # XFRM-only rows do not depend on the case's datagram sizes: once per repeat.
      if [ "${row%%-*}" = xfrm ] && [ "$c" != "${CASES%% *}" ]; then continue; fi
      line=$(run_one "$c" "$row" "$rep")
      us=$(sed -n 's/.* us_per_handshake=\([0-9.]*\).*/\1/p' <<<"$line")
      user=$(sed -n 's/.* user_us=\([0-9.]*\).*/\1/p' <<<"$line")
      sys=$(sed -n 's/.* sys_us=\([0-9.]*\).*/\1/p' <<<"$line")
      [ -n "$us" ] || { echo "floor.sh: no figure in '$line'" >&2; exit 1; }
      split=$(sed -n 's/^breakdown: recv_us=\([0-9.]*\) send_us=\([0-9.]*\) xfrm_us=\([0-9.]*\)$/\1\t\2\t\3/p' <<<"$line")
      printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$c" "$row" "$rep" "$us" "$user" "$sys" "${split:--\t-\t-}" \
        "$(head -1 <<<"$line")" >> "$RAW"
      echo "floor.sh: $c $row run $rep: $us us per handshake" >&2
    done
  done
done

sel() { awk -F'\t' -v c="$c" -v r="$row" -v f="$1" '$1 == c && $2 == r { print $f }' "$RAW"; }
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
{
  echo
  echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); machine: $(nproc) cores, $(awk -F': ' '/^model name/{print $2; exit}' /proc/cpuinfo); kernel $(uname -r); load average $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "floor at $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null): $COUNT handshakes after $WARMUP, 32 in flight, 240 peers, $REPEATS repeats interleaved; raw: $RAW"
  echo
  echo "| case | row | responder CPU µs/handshake (median) | user | sys | runs |"
  echo "| --- | --- | ---: | ---: | ---: | --- |"
  for c in $CASES; do
    for row in $ROWS; do
      if [ "${row%%-*}" = xfrm ] && [ "$c" != "${CASES%% *}" ]; then continue; fi
      [ "${row%%-*}" = split ] && continue
      echo "| $c | $row | $(sel 4 | median) | $(sel 5 | median) | $(sel 6 | median) | $(sel 4 | tr '\n' ' ' | sed 's/ $//') |"
    done
  done
  case " $ROWS " in *" split-"*)
    echo
    echo "| case | row (--breakdown) | total µs/handshake | receive calls | send calls | XFRM transactions | rest |"
    echo "| --- | --- | ---: | ---: | ---: | ---: | ---: |"
    for c in $CASES; do
      for row in $ROWS; do
        [ "${row%%-*}" = split ] || continue
        t=$(sel 4 | median) r=$(sel 7 | median) s=$(sel 8 | median) x=$(sel 9 | median)
        echo "| $c | $row | $t | $r | $s | $x | $(awk -v t="$t" -v r="$r" -v s="$s" -v x="$x" 'BEGIN { printf "%.2f", t - r - s - x }') |"
      done
    done ;;
  esac
} | tee "$OUT/floor.md"
