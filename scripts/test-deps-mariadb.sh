#!/usr/bin/env bash
# Installs a MariaDB server for the migrate-to-ml2 tests (test/functional/migration), only when
# none is there. The tests start their own private server (own datadir, unix socket in a temp dir,
# no TCP); the system service the Debian package starts on install is not used.
set -euo pipefail
if command -v mariadbd >/dev/null 2>&1 || command -v mysqld >/dev/null 2>&1 || [ -x /usr/sbin/mariadbd ] || [ -x /usr/sbin/mysqld ]; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "test-deps-mariadb: mariadb-server missing and not root; install it with apt-get" >&2
  exit 1
fi
echo "test-deps-mariadb: installing mariadb-server"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# policy-rc.d would stop the service from starting; harmless either way, the tests use their own.
apt-get install -y -qq --no-install-recommends mariadb-server >/dev/null
