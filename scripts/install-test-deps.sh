#!/usr/bin/env bash
# Installs what the test suite needs on a fresh Debian machine (run as root, as CI does).
# Every package is installed only when its command is missing, so a prepared machine pays nothing.
set -euo pipefail
need=()
command -v ovsdb-server >/dev/null 2>&1 || need+=(openvswitch-switch)
command -v ovs-vsctl    >/dev/null 2>&1 || need+=(openvswitch-switch)
command -v openstack    >/dev/null 2>&1 || need+=(python3-openstackclient)
python3 -c 'import ovsdbapp' >/dev/null 2>&1 || need+=(python3-ovsdbapp)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v ip >/dev/null 2>&1 || need+=(iproute2)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "install-test-deps: missing ${need[*]} and not root; install them with apt-get" >&2
    exit 1
  fi
  echo "install-test-deps: installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # The Debian packages start system daemons on install; the tests start their own private ones.
  apt-get install -y -qq --no-install-recommends $(printf '%s\n' "${need[@]}" | sort -u) >/dev/null
fi
