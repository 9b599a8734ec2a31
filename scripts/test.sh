#!/usr/bin/env bash
# Runs the whole test suite. Installs the Python STU3 validator the tests use as a second opinion
# (PyPI's fhir.resources) if it is missing, then runs every Swift test.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! python3 -c 'import fhir.resources.STU3, fhirpy, pypdf, selenium, openapi_spec_validator, schemathesis' 2>/dev/null; then
    python3 -m pip install --quiet --disable-pip-version-check -r Tests/requirements.txt
fi
exec swift test --disable-xctest --explicit-target-dependency-import-check error "$@"
