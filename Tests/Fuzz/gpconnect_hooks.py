"""Schemathesis hooks for fuzzing a GP Connect provider against its /openapi.json.

Every generated request gets what a consumer behind the Spine Secure Proxy sends: the Spine
headers of the reference practice (B82617, ASID 918999198738) and an audit JWT with the scope of
the interaction named by the generated Ssp-InteractionID (tokens made by `gpconnect token`, read
from the JSON file named by GPCONNECT_FUZZ_TOKENS). Most requests go to the reference practice so
that they pass the practice check and reach the deeper steps; the rest keep their fuzzed ODS code.

The extra check: every refusal (4xx) is an OperationOutcome and every response is no-store.
"""

import json
import os
import random
import uuid

import schemathesis
from schemathesis.transport.serialization import serialize_json

PRACTICE = "B82617"
PRACTICE_ASID = "918999198738"
CONSUMER_ASID = "200000000359"

with open(os.environ["GPCONNECT_FUZZ_TOKENS"], encoding="utf-8") as file:
    TOKENS = json.load(file)  # Ssp-InteractionID -> JWT


@schemathesis.serializer("application/json+fhir")
def dstu2_json(ctx, value):
    # Access Record HTML 0.7.4 speaks DSTU2's MIME types; the body is JSON all the same.
    return serialize_json(value)


@schemathesis.serializer("application/xml+fhir", "application/fhir+xml")
def fhir_xml(ctx, value):
    # The description gives XML bodies as strings: sent as they are, so the XML reader sees junk too.
    return {"data": (value if isinstance(value, str) else json.dumps(value)).encode("utf-8")}


@schemathesis.hook
def map_headers(ctx, headers):
    headers = dict(headers or {})
    interaction = headers.get("Ssp-InteractionID")
    if random.random() < 0.9:
        headers["Ssp-TraceID"] = str(uuid.uuid4())
        headers["Ssp-From"] = CONSUMER_ASID
        headers["Ssp-To"] = PRACTICE_ASID
        if interaction in TOKENS:
            headers["Authorization"] = "Bearer " + TOKENS[interaction]
    return headers


@schemathesis.hook
def map_path_parameters(ctx, path_parameters):
    path_parameters = dict(path_parameters or {})
    if random.random() < 0.9:
        path_parameters["ods"] = PRACTICE
    return path_parameters


@schemathesis.check
def refusal_is_operation_outcome_and_no_store(ctx, response, case):
    cache_control = response.headers.get("cache-control") or response.headers.get("Cache-Control")
    if isinstance(cache_control, list):
        cache_control = cache_control[0] if cache_control else None
    if cache_control != "no-store":
        raise AssertionError(f"Cache-Control is {cache_control!r}, not no-store (status {response.status_code})")
    if 400 <= response.status_code < 500:
        text = response.text or ""
        if "OperationOutcome" not in text:
            raise AssertionError(f"{response.status_code} without an OperationOutcome: {text[:200]!r}")
