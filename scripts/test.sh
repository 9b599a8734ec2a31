#!/usr/bin/env bash
# Runs the whole test suite. Installs the Python STU3 validator the tests use as a second opinion
# (PyPI's fhir.resources) if it is missing, then runs every Swift test.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! python3 -c 'import fhir.resources.STU3, fhirpy, pypdf, selenium, openapi_spec_validator, schemathesis' 2>/dev/null; then
    python3 -m pip install --quiet --disable-pip-version-check -r Tests/requirements.txt
fi
swift test --disable-xctest --explicit-target-dependency-import-check error "$@"
# Second pass, one test at a time: the timing-bound tests (timeouts, session expiry, kill -9 under
# load, a full disk), so that their clocks measure the server rather than the first pass's load, and
# the CPU-bound property-based suites, so that they do not starve the first pass's live servers.
GPCONNECT_TEST_ALONE=1 swift test --disable-xctest --skip-build --no-parallel \
    --filter "LimitsTests|CrashTests|StorageFailureTests|SendDocumentCrashTests|HubTests.sessionsExpire|ReaderProperties|ParserProperties|RequestProperties" "$@"
