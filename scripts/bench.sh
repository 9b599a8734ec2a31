#!/usr/bin/env bash
# Builds in release mode and runs the benchmark: interactions against the /health baseline of the
# same in-process server, in the same run. Extra arguments go to `gpconnect bench`.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product gpconnect
exec .build/release/gpconnect bench "$@"
