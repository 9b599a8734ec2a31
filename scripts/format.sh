#!/usr/bin/env bash
# Checks formatting (swift-format, configured by .swift-format); --fix rewrites in place.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = "--fix" ]; then
    swift format format -i -r Sources Tests Package.swift
else
    swift format lint --strict -r Sources Tests Package.swift
fi
