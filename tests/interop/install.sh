#!/usr/bin/env bash
# Installs the real IKEv1 peers used by the interop harness (see README.md beside this file):
#   strongSwan 5.9.8 (charon, swanctl, pki; the standard plugins bring openssl: 3DES, ECP, RSA; the extra
#   plugins curve25519), tshark, iproute2, gcc, util-linux (unshare), openssl;
#   and Libreswan 4.10 unpacked into /opt/libreswan: its .deb conflicts with strongSwan's packages, so it is
#   never dpkg-installed (`apt-get download` + `dpkg -x`, its run-time libraries installed by name).
# Idempotent: a second run with everything present does no network access and finishes in well under a second.
# Needs root and Debian 12 (bookworm). Prints the time it took.
set -euo pipefail

LIBRESWAN_DIR=${LIBRESWAN_DIR:-/opt/libreswan}
APT_OPTS=(-y -q -o DPkg::Lock::Timeout=600 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold
  --no-install-recommends)
export DEBIAN_FRONTEND=noninteractive

start=$(date +%s.%N)
[ "$(id -u)" -eq 0 ] || { echo "install.sh: must run as root" >&2; exit 1; }

updated=0
apt_update_once() {
  if [ "$updated" -eq 0 ]; then
    apt-get -q -o DPkg::Lock::Timeout=600 update >/dev/null
    updated=1
  fi
}

is_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q '^install ok installed$'; }

install_missing() {
  local missing=() p
  for p in "$@"; do is_installed "$p" || missing+=("$p"); done
  if [ ${#missing[@]} -gt 0 ]; then
    apt_update_once
    echo "install.sh: apt-get install ${missing[*]}"
    apt-get install "${APT_OPTS[@]}" "${missing[@]}" >/dev/null
  fi
}

# tshark asks whether non-root users may capture; answer "no" before it is installed so nothing prompts.
if ! is_installed tshark; then
  echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
fi

install_missing strongswan-charon strongswan-swanctl strongswan-pki libcharon-extra-plugins libcharon-extauth-plugins \
  libstrongswan-standard-plugins libstrongswan-extra-plugins tshark iproute2 gcc libc6-dev util-linux procps openssl

# --- Libreswan 4.10, unpacked only -----------------------------------------------------------------------
if [ ! -x "$LIBRESWAN_DIR/usr/libexec/ipsec/pluto" ]; then
  apt_update_once
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  # Downloaded as root into a root-only temp dir (apt's _apt sandbox user could not write there).
  (cd "$tmp" && apt-get download -q -o APT::Sandbox::User=root libreswan >/dev/null)
  deb=$(ls "$tmp"/libreswan_*.deb)
  # Run-time dependencies, named in the package's Depends: (first of each alternative, versions dropped).
  # Packages that would conflict with strongSwan, or are only there for the init system, are skipped.
  mapfile -t deps < <(dpkg-deb -f "$deb" Depends | tr ',' '\n' | sed -e 's/|.*//' -e 's/(.*)//' -e 's/:any//' \
    -e 's/[[:space:]]//g' | grep -v '^$' | grep -Ev '^(init-system-helpers|systemd|lsb-base|debconf)$' || true)
  # NSS tools (certutil, pk12util) are needed by the harness to build pluto's database.
  deps+=(libnss3-tools)
  mapfile -t deps < <(printf '%s\n' "${deps[@]}" | sort -u)
  install_missing "${deps[@]}"
  mkdir -p "$LIBRESWAN_DIR"
  dpkg -x "$deb" "$LIBRESWAN_DIR"
  dpkg-deb -f "$deb" Version > "$LIBRESWAN_DIR/VERSION"
  rm -rf "$tmp"; trap - EXIT
fi

# pluto 4.10 runs /usr/libexec/ipsec/addconn from that hard-coded path at start-up.
if [ "$(readlink /usr/libexec/ipsec 2>/dev/null || true)" != "$LIBRESWAN_DIR/usr/libexec/ipsec" ]; then
  if [ -e /usr/libexec/ipsec ] && [ ! -L /usr/libexec/ipsec ]; then
    echo "install.sh: /usr/libexec/ipsec exists and is not a symlink; leaving it alone" >&2
    exit 1
  fi
  mkdir -p /usr/libexec
  ln -sfn "$LIBRESWAN_DIR/usr/libexec/ipsec" /usr/libexec/ipsec
fi

# Sanity: every binary the harness uses must be present and pluto's libraries must all resolve.
for f in /usr/lib/ipsec/charon /usr/sbin/swanctl /usr/bin/pki /usr/bin/tshark /usr/bin/certutil /usr/bin/pk12util \
  "$LIBRESWAN_DIR/usr/libexec/ipsec/pluto" "$LIBRESWAN_DIR/usr/libexec/ipsec/whack"; do
  [ -x "$f" ] || { echo "install.sh: missing $f" >&2; exit 1; }
done
if ldd "$LIBRESWAN_DIR/usr/libexec/ipsec/pluto" | grep -q 'not found'; then
  echo "install.sh: pluto has unresolved libraries:" >&2
  ldd "$LIBRESWAN_DIR/usr/libexec/ipsec/pluto" | grep 'not found' >&2
  exit 1
fi

end=$(date +%s.%N)
printf 'install.sh: ok (strongSwan %s, Libreswan %s) in %.1f s\n' \
  "$(dpkg-query -W -f='${Version}' strongswan-charon)" "$(cat "$LIBRESWAN_DIR/VERSION")" "$(echo "$end - $start" | bc 2>/dev/null || awk "BEGIN{print $end-$start}")"
