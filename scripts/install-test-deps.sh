#!/usr/bin/env bash
# Installs what the test suite needs on a fresh Debian machine (run as root, as CI does), in one
# apt-get run. Each package is installed only when what it provides is missing, so a prepared
# machine pays nothing. The Debian packages start system daemons on install; the tests never use
# them — they start private ovsdb-server/ovs-vswitchd, PostgreSQL, MariaDB and Keystone instances.
set -euo pipefail
need=()
has() { command -v "$1" >/dev/null 2>&1; }
has ovsdb-server && has ovs-vswitchd && has ovs-vsctl && has ovs-ofctl || need+=(openvswitch-switch)
has openstack || need+=(python3-openstackclient)
# Debian's python (bench/ovsdb runs /usr/bin/python3), not whatever python3 is first on PATH.
/usr/bin/python3 -c 'import ovsdbapp' >/dev/null 2>&1 || need+=(python3-ovsdbapp)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
has mariadbd || has mysqld || [ -x /usr/sbin/mariadbd ] || need+=(mariadb-server)
has ip || need+=(iproute2)
has openssl || need+=(openssl)
has ethtool || need+=(ethtool)
# the full-stack dataplane tests send and sniff raw frames with Debian's python3 (AF_PACKET)
[ -x /usr/bin/python3 ] || need+=(python3)
has ping || need+=(iputils-ping)
# Tempest harness (scripts/tempest): Keystone's code without its system service, uwsgi, tempest.
has keystone-manage && [ -e /usr/bin/keystone-wsgi-public ] || need+=(python3-keystone)
has uwsgi || need+=(uwsgi-core)
[ -e /usr/lib/uwsgi/plugins/python3_plugin.so ] || need+=(uwsgi-plugin-python3)
has tempest || need+=(tempest)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "install-test-deps: missing ${need[*]} and not root; install them with apt-get" >&2
    exit 1
  fi
  echo "install-test-deps: installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends $(printf '%s\n' "${need[@]}" | sort -u) >/dev/null
fi
