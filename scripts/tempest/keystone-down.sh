#!/usr/bin/env bash
# Stops the Keystone started by keystone-up.sh WORKDIR, by its PID (uwsgi master; --die-on-term
# makes it take its worker down), then waits for it to be gone.
set -uo pipefail
WORK=${1:?usage: keystone-down.sh WORKDIR}
PID=$(cat "$WORK/keystone.pid" 2>/dev/null) || exit 0
kill -TERM "$PID" 2>/dev/null || exit 0
for _ in $(seq 1 50); do kill -0 "$PID" 2>/dev/null || exit 0; sleep 0.1; done
kill -KILL "$PID" 2>/dev/null || true
