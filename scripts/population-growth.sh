#!/usr/bin/env bash
# Growth: the same population benchmark on a small and a large generated population, alternately.
#   scripts/population-growth.sh [LARGE_PATIENTS] [LARGE_PRACTICES] [PAIRS] [DIR]
# defaults: 1000000 100 2 /tmp/gpconnect-growth. Seeds DIR/small.sqlite (1,000 patients, one
# practice) and DIR/large.sqlite once (a release build, seed 15, today's date fixed at the first
# seed), then runs `gpconnect bench --only Population` (c=32, 10 s a scenario) against each in
# turn, PAIRS times, so that a noisy machine shows as spread between runs of the same database.
# Ports 9390 and 9391.
set -euo pipefail
cd "$(dirname "$0")/.."
LARGE=${1:-1000000}
PRACTICES=${2:-100}
PAIRS=${3:-2}
DIR=${4:-/tmp/gpconnect-growth}
swift build -c release --product gpconnect --scratch-path .build-release
B=.build-release/release/gpconnect
mkdir -p "$DIR"
[ -f "$DIR/day" ] || date -u +%Y-%m-%d > "$DIR/day"
DAY=$(cat "$DIR/day")
[ -f "$DIR/small.sqlite" ] || "$B" seed --database "$DIR/small.sqlite" --population 1000 --practices 1 --seed 15 --today "$DAY"
[ -f "$DIR/large.sqlite" ] || "$B" seed --database "$DIR/large.sqlite" --population "$LARGE" --practices "$PRACTICES" --seed 15 --today "$DAY"
run() { # database port patients practices
    "$B" serve --database "$1" --port "$2" --log-level warning &
    local server=$!
    sleep 4
    echo "== $1 ($3 patients), load: $(cut -d' ' -f1-3 /proc/loadavg)"
    "$B" bench --url "http://127.0.0.1:$2" --population "$3" --practices "$4" --seed 15 --today "$DAY" --only Population \
        --concurrency 32 --seconds 10 || true
    kill "$server"
    wait "$server" 2>/dev/null || true
}
for _ in $(seq "$PAIRS"); do
    run "$DIR/large.sqlite" 9390 "$LARGE" "$PRACTICES"
    run "$DIR/small.sqlite" 9391 1000 1
done
