#!/usr/bin/env bash
# Fuzzes the provider against its own OpenAPI description with schemathesis (PyPI), bounded in
# time. Starts the built `gpconnect serve` on a fresh SQLite database; passes when no response is a
# 5xx, every refusal is an OperationOutcome with Cache-Control: no-store, and the process is alive.
#   scripts/fuzz.sh [SECONDS]      (default 150; needs `swift build` first)
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_BUDGET="${1:-150}"
PORT="${GPCONNECT_FUZZ_PORT:-9250}"
BIN="$(swift build --show-bin-path)/gpconnect"
WORK="$(mktemp -d /tmp/gpconnect-fuzz.XXXXXX)"
"$BIN" serve --port "$PORT" --database "$WORK/fuzz.sqlite" --log-level error > "$WORK/server.log" 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true; rm -rf "$WORK"' EXIT
for _ in $(seq 1 120); do
    curl -sf "http://127.0.0.1:$PORT/health" > /dev/null && break
    sleep 0.5
done
curl -sf "http://127.0.0.1:$PORT/health" > /dev/null || { echo "fuzz: the server did not start"; cat "$WORK/server.log"; exit 1; }

# One audit JWT per interaction, keyed by its Ssp-InteractionID (as the OpenAPI summary lists them).
curl -sf "http://127.0.0.1:$PORT/openapi.json" > "$WORK/openapi.json"
python3 - "$WORK/openapi.json" "$BIN" > "$WORK/tokens.json" <<'PY'
import json, re, subprocess, sys
document = json.load(open(sys.argv[1]))
tokens = {}
for item in document["paths"].values():
    for operation in item.values():
        for name, interaction_id in re.findall(r"(\w+) \((urn:[^)]+)\)", operation["summary"]):
            tokens[interaction_id] = subprocess.run([sys.argv[2], "token", name], check=True, capture_output=True, text=True).stdout.strip()
json.dump(tokens, sys.stdout)
PY

export GPCONNECT_FUZZ_TOKENS="$WORK/tokens.json"
export PYTHONPATH="$PWD/Tests/Fuzz${PYTHONPATH:+:$PYTHONPATH}"
export SCHEMATHESIS_HOOKS=gpconnect_hooks
STATUS=0
schemathesis run "http://127.0.0.1:$PORT/openapi.json" \
    --checks not_a_server_error,refusal_is_operation_outcome_and_no_store \
    --max-time "$SECONDS_BUDGET" --max-examples 40 --request-timeout 10 --seed 17 \
    --suppress-health-check all --no-color || STATUS=$?
if ! kill -0 "$SERVER" 2>/dev/null || ! curl -sf "http://127.0.0.1:$PORT/health" > /dev/null; then
    echo "fuzz: the server is no longer alive"; cat "$WORK/server.log"; exit 1
fi
echo "fuzz: the server is alive after the run"
exit "$STATUS"
