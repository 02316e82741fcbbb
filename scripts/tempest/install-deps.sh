#!/usr/bin/env bash
# Installs what the tempest harness needs from Debian, only when missing: Keystone's code
# (python3-keystone: keystone-manage and keystone-wsgi-public, without the `keystone` package's
# system service), uwsgi with its python3 plugin, tempest and the openstack CLI.
set -euo pipefail
need=()
command -v keystone-manage >/dev/null || need+=(python3-keystone)
[ -e /usr/bin/keystone-wsgi-public ] || need+=(python3-keystone)
command -v uwsgi >/dev/null || need+=(uwsgi-core)
[ -e /usr/lib/uwsgi/plugins/python3_plugin.so ] || need+=(uwsgi-plugin-python3)
command -v tempest >/dev/null || need+=(tempest)
command -v openstack >/dev/null || need+=(python3-openstackclient)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
echo "installing: ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -q --no-install-recommends "${need[@]}"
