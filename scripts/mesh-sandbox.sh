#!/usr/bin/env bash
# Starts NHS England's MESH API sandbox (PyPI mesh-sandbox) on loopback for the tests and prints its URL:
#   export GPCONNECT_TEST_MESH=$(scripts/mesh-sandbox.sh start)
#   scripts/mesh-sandbox.sh stop
# The sandbox is installed into a virtual environment under $MESH_SANDBOX_DIR (default
# /tmp/gpconnect-mesh-sandbox), stores messages as files (STORE_MODE=file) and checks the NHSMESH
# token's HMAC with $MESH_SANDBOX_SHARED_KEY (AUTH_MODE=full). One directory per mailbox under
# $MESH_SANDBOX_DIR/data (every mailbox's password is "password").
set -euo pipefail
PORT="${GPCONNECT_MESH_PORT:-8700}"
DIR="${MESH_SANDBOX_DIR:-/tmp/gpconnect-mesh-sandbox}"
SHARED_KEY="${MESH_SANDBOX_SHARED_KEY:-TestKey}"
VERSION="${MESH_SANDBOX_VERSION:-1.0.137}"
PY="${PYTHON:-python3}"

case "${1:-start}" in
start)
    mkdir -p "$DIR/data"
    if [ ! -x "$DIR/venv/bin/uvicorn" ]; then
        "$PY" -m venv "$DIR/venv" >&2
        "$DIR/venv/bin/pip" install --quiet --disable-pip-version-check "mesh-sandbox==$VERSION" uvicorn >&2
    fi
    # The sandbox's mailboxes are its packaged ones (X26ABC1…) plus one per directory under
    # MAILBOXES_DATA_DIR, upper case, password "password" (mesh_sandbox/store/canned_store.py). The
    # tests' practices and senders: X26OT181TEST … X26OT190TEST, and $MESH_SANDBOX_MAILBOXES.
    for box in X26OT181TEST X26OT182TEST X26OT183TEST X26OT184TEST X26OT185TEST X26OT186TEST \
        X26OT187TEST X26OT188TEST X26OT189TEST X26OT190TEST ${MESH_SANDBOX_MAILBOXES:-}; do
        mkdir -p "$DIR/data/$box/in"
    done
    if [ -f "$DIR/uvicorn.pid" ] && kill -0 "$(cat "$DIR/uvicorn.pid")" 2>/dev/null; then
        echo "http://127.0.0.1:$PORT"
        exit 0
    fi
    (
        cd "$DIR"
        STORE_MODE=file MAILBOXES_DATA_DIR="$DIR/data" AUTH_MODE=full SHARED_KEY="$SHARED_KEY" \
            nohup "$DIR/venv/bin/uvicorn" mesh_sandbox.api:app --host 127.0.0.1 --port "$PORT" \
            >"$DIR/sandbox.log" 2>&1 &
        echo $! >"$DIR/uvicorn.pid"
    )
    for _ in $(seq 1 120); do
        if curl -fsS "http://127.0.0.1:$PORT/health" >/dev/null 2>&1; then
            echo "http://127.0.0.1:$PORT"
            exit 0
        fi
        sleep 0.5
    done
    echo "mesh-sandbox did not answer /health on port $PORT; see $DIR/sandbox.log" >&2
    exit 1
    ;;
stop)
    if [ -f "$DIR/uvicorn.pid" ]; then
        kill "$(cat "$DIR/uvicorn.pid")" 2>/dev/null || true
        rm -f "$DIR/uvicorn.pid"
    fi
    ;;
*)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
