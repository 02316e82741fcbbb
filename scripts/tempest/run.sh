#!/usr/bin/env bash
# Runs tempest's network API tests against Neutrino authenticated by a real, private Keystone.
#
#   scripts/tempest/run.sh [--regex REGEX] [--concurrency N] [--mode wired|interim|noauth] [--keep]
#
#   --regex        tempest test selection (default '^tempest\.api\.network')
#   --concurrency  tempest workers (default 4: tempest mostly waits on Keystone and Neutrino)
#   --mode         wired:   `node bin/neutrino.js server` with auth_strategy = keystone (needs
#                           KeystoneAuth wired into src/apps/server/app.ts and `npm run build`)
#                  interim: scripts/tempest/serve-keystone.ts (buildApp with an injected KeystoneAuth)
#                  noauth:  `neutrino server` with auth_strategy = noauth (tokens ignored; every
#                           request is the default project's admin: shows what breaks without auth)
#                  default: wired if bin/neutrino.js accepts auth_strategy = keystone, else interim
#   --keep         keep the work dir (logs, tempest.conf, subunit stream) instead of deleting it
#
# Steps: install missing Debian packages; Keystone on SQLite under one uwsgi worker (keystone-up.sh);
# Neutrino on an ephemeral port with a generated neutron.conf; Neutrino registered as the 'network'
# endpoint; tempest.conf listing exactly the extensions GET /v2.0/extensions returns; tempest with
# dynamic credentials (admin creates a project and user per test class); then per-family counts
# and a last line `N passed, N failed, N skipped`. Everything started is stopped by PID.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
PY=/usr/bin/python3
REGEX='^tempest\.api\.network'
CONCURRENCY=4
MODE=auto
# A full run passes 237 tests today; fewer than this means tempest skipped what it should have run.
MIN_PASSED=230
KEEP=0
while [ $# -gt 0 ]; do
  case "$1" in
    --regex) REGEX=$2; shift 2 ;;
    --concurrency) CONCURRENCY=$2; shift 2 ;;
    --mode) MODE=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

bash "$HERE/install-deps.sh"
WORK=$(mktemp -d /tmp/neutrino-tempest.XXXXXX)
NEUTRINO_PID=
cleanup() {
  local rc=$?
  if [ -n "$NEUTRINO_PID" ] && kill -0 "$NEUTRINO_PID" 2>/dev/null; then
    kill -TERM "$NEUTRINO_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$NEUTRINO_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$NEUTRINO_PID" 2>/dev/null || true
  fi
  bash "$HERE/keystone-down.sh" "$WORK/keystone" || true
  if [ "$KEEP" = 1 ] || [ "$rc" -ne 0 ]; then echo "work dir kept: $WORK" >&2; else rm -rf "$WORK"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "== keystone" >&2
bash "$HERE/keystone-up.sh" "$WORK/keystone"
set -a; . "$WORK/keystone/keystone.env"; set +a

if [ "$MODE" = auto ]; then
  if [ -f "$REPO/dist/cli/main.js" ] && grep -rqs "keystoneAuthFromConfig\|KeystoneAuth" "$REPO/dist/apps/server/app.js"; then MODE=wired; else MODE=interim; fi
fi
AUTH=keystone; [ "$MODE" = noauth ] && AUTH=noauth
if [ "$MODE" != interim ] && [ ! -f "$REPO/dist/cli/main.js" ]; then (cd "$REPO" && npm run build >/dev/null); fi

mkdir -p "$WORK/neutrino"
cat > "$WORK/neutrino/neutron.conf" <<EOF
[DEFAULT]
bind_host = 127.0.0.1
bind_port = 0
auth_strategy = $AUTH
state_path = $WORK/neutrino
log_file = $WORK/neutrino/neutrino.log
debug = true
[database]
connection = sqlite:///$WORK/neutrino/neutrino.sqlite
[keystone_authtoken]
www_authenticate_uri = $KEYSTONE_URL/v3
auth_url = $KEYSTONE_URL
auth_type = password
username = $SERVICE_USER
password = $SERVICE_PASSWORD
project_name = $SERVICE_PROJECT
user_domain_name = Default
project_domain_name = Default
[ml2]
type_drivers = local,flat,vlan,gre,vxlan
tenant_network_types = vxlan
mechanism_drivers = logger
[ml2_type_flat]
flat_networks = *
[ml2_type_vlan]
network_vlan_ranges = physnet1:1000:2999
[ml2_type_gre]
tunnel_id_ranges = 1:10000
[ml2_type_vxlan]
vni_ranges = 1:100000
EOF

echo "== neutrino ($MODE)" >&2
case "$MODE" in
  interim) (cd "$REPO" && exec node --import tsx scripts/tempest/serve-keystone.ts "$WORK/neutrino/neutron.conf") >"$WORK/neutrino/stdout" 2>"$WORK/neutrino/stderr" & ;;
  wired|noauth) (cd "$REPO" && exec node bin/neutrino.js server --config-file "$WORK/neutrino/neutron.conf") >"$WORK/neutrino/stdout" 2>"$WORK/neutrino/stderr" & ;;
  *) echo "run.sh: unknown mode $MODE" >&2; exit 2 ;;
esac
NEUTRINO_PID=$!
NEUTRINO_URL=
for _ in $(seq 1 300); do
  NEUTRINO_URL=$(sed -n 's/^listening on \(http:[^ ]*\).*/\1/p' "$WORK/neutrino/stdout" | head -1)
  [ -n "$NEUTRINO_URL" ] && break
  kill -0 "$NEUTRINO_PID" 2>/dev/null || { echo "run.sh: Neutrino exited:" >&2; cat "$WORK/neutrino/stderr" >&2; exit 1; }
  sleep 0.1
done
[ -n "$NEUTRINO_URL" ] || { echo "run.sh: Neutrino did not start" >&2; exit 1; }
echo "neutrino at $NEUTRINO_URL (pid $NEUTRINO_PID)" >&2

# Register Neutrino as the network endpoint (idempotent: the setup script reuses what exists).
$PY "$HERE/keystone_setup.py" --url "$KEYSTONE_URL/v3" --admin-password "$ADMIN_PASSWORD" \
  --service-password "$SERVICE_PASSWORD" --demo-password "$DEMO_PASSWORD" --region "$KEYSTONE_REGION" \
  --network-url "$NEUTRINO_URL" >/dev/null

echo "== tempest.conf" >&2
$PY "$HERE/tempest_conf.py" --keystone-url "$KEYSTONE_URL" --neutrino-url "$NEUTRINO_URL" \
  --admin-password "$ADMIN_PASSWORD" --region "$KEYSTONE_REGION" --log-file "$WORK/tempest.log" \
  --out "$WORK/tempest.conf"
grep '^api_extensions' "$WORK/tempest.conf" >&2

echo "== tempest run --regex '$REGEX' --concurrency $CONCURRENCY" >&2
# A private workspace registry: never touch ~/.tempest/workspace.yaml (names there must be unique).
(cd "$WORK" && tempest init --name neutrino --workspace-path "$WORK/workspace.yaml" ws > "$WORK/tempest-init.log" 2>&1) \
  || { echo "run.sh: tempest init failed:" >&2; cat "$WORK/tempest-init.log" >&2; exit 1; }
cp "$WORK/tempest.conf" "$WORK/ws/etc/tempest.conf"
set +e
# pythonpath/sitecustomize.py drops the 10-second sleep Debian patches into delete_subnet (see there).
(cd "$WORK/ws" && PYTHONPATH="$HERE/pythonpath${PYTHONPATH:+:$PYTHONPATH}" \
  tempest run --regex "$REGEX" --concurrency "$CONCURRENCY" --subunit > "$WORK/results.subunit" 2> "$WORK/tempest-run.stderr")
RUN_RC=$?
set -e
[ -s "$WORK/results.subunit" ] || { echo "run.sh: tempest produced no results (rc $RUN_RC):" >&2; tail -30 "$WORK/tempest-run.stderr" >&2; exit 1; }
$PY "$HERE/summarize.py" "$WORK/results.subunit" --failures "$WORK/failures.txt"
echo "details: $WORK/failures.txt (with --keep)" >&2
# A failing tempest test fails the run (the summary line above says how many); so does a full run
# that passed far fewer tests than it should (a broken tempest.conf skips instead of failing).
SUMMARY=$($PY "$HERE/summarize.py" "$WORK/results.subunit" 2>/dev/null | tail -1)
if grep -qE '^[0-9]+ passed, [1-9][0-9]* failed' <<<"$SUMMARY"; then exit 1; fi
PASSED=${SUMMARY%% passed*}
if [ "$REGEX" = '^tempest\.api\.network' ] && [ "${PASSED:-0}" -lt "$MIN_PASSED" ]; then
  echo "run.sh: only ${PASSED:-0} tests passed (a full run passes at least $MIN_PASSED)" >&2
  exit 1
fi
