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
# Messaging tests: a private RabbitMQ node (test/helpers/rabbitmq.ts) and the real oslo.messaging
# as interop peer (test/functional/messaging/oslo_peer.py, run by Debian's /usr/bin/python3).
[ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] && has epmd || need+=(rabbitmq-server)
/usr/bin/python3 -c 'import oslo_messaging' >/dev/null 2>&1 || need+=(python3-oslo.messaging)
# Full-stack agent tests (test/fullstack/agents-*.test.ts): the real Neutron Zed L2 agents, socat
# (relays the broker into the agents' namespaces) and ebtables-nft from iptables (the Linux bridge
# agent's ARP protection; legacy ebtables has no nat table without the kernel module).
has neutron-openvswitch-agent || need+=(neutron-openvswitch-agent)
has neutron-linuxbridge-agent || need+=(neutron-linuxbridge-agent)
has socat || need+=(socat)
has ebtables-nft || need+=(iptables)
has bridge || need+=(iproute2)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "install-test-deps: missing ${need[*]} and not root; install them with apt-get" >&2
    exit 1
  fi
  echo "install-test-deps: installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # rabbitmq-server's postinst would start a system broker on *:5672 (and epmd on 4369), ports
  # the tests must never meet, and the agents' postinst system agents that would plug into the
  # host's OVS. Unless a policy-rc.d already rules, deny those services (and only those) for the
  # duration of the install.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\n# install-test-deps.sh: no system RabbitMQ/epmd/Neutron agents\ncase "$1" in rabbitmq-server|epmd|epmd.socket|epmd.service|neutron-openvswitch-agent|neutron-linuxbridge-agent|neutron-ovs-cleanup|neutron-linuxbridge-cleanup) exit 101 ;; esac\nexit 0\n' > /usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends $(printf '%s\n' "${need[@]}" | sort -u) >/dev/null
fi
