#!/usr/bin/env bash
# Brings up a private Keystone (Debian's python3-keystone) for tests and the tempest harness:
# SQLite database (WAL journal) and fernet keys in WORKDIR, one uwsgi worker on an ephemeral
# 127.0.0.1 port, never the system service. Writes WORKDIR/keystone.env (shell-sourceable) with
# the URL, the PID to kill and the credentials of the admin, service and demo users.
#
#   scripts/tempest/keystone-up.sh WORKDIR [NEUTRINO_URL]   # NEUTRINO_URL: registered as 'network'
#   scripts/tempest/keystone-down.sh WORKDIR                # kills by PID
set -euo pipefail
WORK=${1:?usage: keystone-up.sh WORKDIR [NEUTRINO_URL]}
NEUTRINO_URL=${2:-}
HERE=$(cd "$(dirname "$0")" && pwd)
PY=/usr/bin/python3
mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)

for bin in keystone-manage uwsgi; do
  command -v "$bin" >/dev/null || { echo "keystone-up: $bin missing (run scripts/tempest/install-deps.sh)" >&2; exit 2; }
done
[ -e /usr/lib/uwsgi/plugins/python3_plugin.so ] || { echo "keystone-up: uwsgi-plugin-python3 missing" >&2; exit 2; }

ADMIN_PASSWORD=${ADMIN_PASSWORD:-admin-$RANDOM$RANDOM}
SERVICE_PASSWORD=${SERVICE_PASSWORD:-svc-$RANDOM$RANDOM}
DEMO_PASSWORD=${DEMO_PASSWORD:-demo-$RANDOM$RANDOM}
REGION=${REGION:-RegionOne}
# An ephemeral port: bind 0, read it, release it (uwsgi cannot report the port it got).
PORT=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
URL="http://127.0.0.1:$PORT"
CONF="$WORK/keystone.conf"
mkdir -p "$WORK/fernet-keys" "$WORK/credential-keys" "$WORK/receipt-keys"
cat > "$CONF" <<CONFEOF
[DEFAULT]
log_file = $WORK/keystone.log
use_stderr = false
[database]
connection = sqlite:///$WORK/keystone.sqlite
[token]
provider = fernet
expiration = 7200
[fernet_tokens]
key_repository = $WORK/fernet-keys
[fernet_receipts]
key_repository = $WORK/receipt-keys
[credential]
key_repository = $WORK/credential-keys
[cache]
enabled = false
[identity]
# bcrypt's default 12 rounds cost ~0.25 s of CPU per user created and per password login;
# tempest creates a user per test class and logs each in. 4 is bcrypt's minimum (test-only Keystone).
password_hash_rounds = 4
CONFEOF

km() { keystone-manage --config-file "$CONF" "$@" >>"$WORK/keystone-manage.log" 2>&1; }
km db_sync
# WAL lets readers proceed while a token or assignment row is written (the journal mode is stored
# in the database file, so setting it once after db_sync is enough).
$PY -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print(c.execute('PRAGMA journal_mode=WAL').fetchone()[0]); c.close()" "$WORK/keystone.sqlite" >/dev/null
km fernet_setup --keystone-user "$(id -un)" --keystone-group "$(id -gn)"
km credential_setup --keystone-user "$(id -un)" --keystone-group "$(id -gn)"
km bootstrap --bootstrap-password "$ADMIN_PASSWORD" --bootstrap-username admin \
  --bootstrap-project-name admin --bootstrap-role-name admin --bootstrap-service-name keystone \
  --bootstrap-admin-url "$URL/v3/" --bootstrap-internal-url "$URL/v3/" --bootstrap-public-url "$URL/v3/" \
  --bootstrap-region-id "$REGION"

# One worker, one thread: SQLite and a single writer; setsid so that the test's process group
# signals do not reach it, and its PID is recorded to kill it (never by name).
OS_KEYSTONE_CONFIG_FILES="$CONF" setsid uwsgi --plugin python3 --http-socket "127.0.0.1:$PORT" \
  --wsgi-file /usr/bin/keystone-wsgi-public --processes 1 --threads 1 --master --die-on-term \
  --need-app --buffer-size 65535 --logto "$WORK/uwsgi.log" --pidfile "$WORK/uwsgi.pid" \
  </dev/null >/dev/null 2>&1 &
PID=$!
echo "$PID" > "$WORK/keystone.pid"

for _ in $(seq 1 150); do
  if $PY -c "import urllib.request,sys; urllib.request.urlopen(sys.argv[1], timeout=2)" "$URL/v3" 2>/dev/null; then break; fi
  if ! kill -0 "$PID" 2>/dev/null; then echo "keystone-up: uwsgi exited; see $WORK/uwsgi.log" >&2; tail -20 "$WORK/uwsgi.log" >&2; exit 1; fi
  sleep 0.2
done
$PY -c "import urllib.request,sys; urllib.request.urlopen(sys.argv[1], timeout=5)" "$URL/v3" \
  || { echo "keystone-up: Keystone did not answer on $URL; see $WORK/uwsgi.log" >&2; kill "$PID"; exit 1; }

# setsid execs in place here (a background job is not a group leader), but trust uwsgi's own pidfile.
if [ -s "$WORK/uwsgi.pid" ]; then PID=$(cat "$WORK/uwsgi.pid"); echo "$PID" > "$WORK/keystone.pid"; fi

$PY "$HERE/keystone_setup.py" --url "$URL/v3" --admin-password "$ADMIN_PASSWORD" \
  --service-password "$SERVICE_PASSWORD" --demo-password "$DEMO_PASSWORD" --region "$REGION" \
  ${NEUTRINO_URL:+--network-url "$NEUTRINO_URL"} > "$WORK/keystone-ids.env"

cat > "$WORK/keystone.env" <<ENVEOF
KEYSTONE_URL=$URL
KEYSTONE_PID=$PID
KEYSTONE_CONF=$CONF
KEYSTONE_REGION=$REGION
ADMIN_USER=admin
ADMIN_PROJECT=admin
ADMIN_PASSWORD=$ADMIN_PASSWORD
SERVICE_USER=neutron
SERVICE_PROJECT=service
SERVICE_PASSWORD=$SERVICE_PASSWORD
DEMO_USER=demo
DEMO_PROJECT=demo
DEMO_PASSWORD=$DEMO_PASSWORD
ENVEOF
cat "$WORK/keystone-ids.env" >> "$WORK/keystone.env"
echo "keystone up at $URL (pid $PID, $WORK)" >&2
