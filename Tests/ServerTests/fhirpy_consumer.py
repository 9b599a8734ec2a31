"""An independent consumer: PyPI's fhirpy drives a GP Connect provider with the Spine headers.

Usage: fhirpy_consumer.py BASE_URL — BASE_URL is the practice's Foundations service root.
Searches a patient and a day of free slots, prints a JSON summary, exits non-zero on failure.
"""
import base64
import datetime
import json
import sys
import uuid

from fhirpy import SyncFHIRClient

PREFIX = "urn:nhs:names:services:gpconnect:fhir:rest:"


def token(scope):
    def b64(data):
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    now = int(datetime.datetime.now(datetime.timezone.utc).timestamp())
    claims = {
        "iss": "https://python-consumer.example/", "sub": "1", "aud": "https://provider.example/", "exp": now + 300, "iat": now,
        "reason_for_request": "directcare", "requested_scope": scope,
        "requesting_device": {"resourceType": "Device", "identifier": [{"system": "https://python-consumer.example/device", "value": "fhirpy"}],
                              "model": "fhirpy", "version": "2"},
        "requesting_organization": {"resourceType": "Organization", "name": "Python consumer",
                                    "identifier": [{"system": "https://fhir.nhs.uk/Id/ods-organization-code", "value": "GPCA0001"}]},
        "requesting_practitioner": {"resourceType": "Practitioner", "id": "1", "name": [{"family": "Python", "given": ["Fhirpy"]}],
                                    "identifier": [{"system": "https://fhir.nhs.uk/Id/sds-user-id", "value": "GCASDS0001"}]},
    }
    return b64({"alg": "none", "typ": "JWT"}) + "." + b64(claims) + "."


def client(base, interaction, scope):
    return SyncFHIRClient(base, authorization="Bearer " + token(scope), extra_headers={
        "Ssp-TraceID": str(uuid.uuid4()), "Ssp-From": "200000000359", "Ssp-To": "918999198738",
        "Ssp-InteractionID": PREFIX + interaction, "Accept": "application/fhir+json",
    })


def main(base):
    patients = client(base, "search:patient-1", "patient/*.read").resources("Patient") \
        .search(identifier="https://fhir.nhs.uk/Id/nhs-number|9690937286").fetch()
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    bundle = client(base, "search:slot-1", "organization/*.read").resources("Slot").search(**{
        "start": "ge" + tomorrow.isoformat(), "end": "le" + tomorrow.isoformat(), "status": "free", "_include": "Slot:schedule",
    }).fetch_raw()
    types = [entry["resource"]["resourceType"] for entry in bundle.get("entry", [])]
    summary = {
        "patients": [p["id"] for p in patients],
        "patientFamily": patients[0]["name"][0]["family"] if patients else None,
        "slots": types.count("Slot"),
        "schedules": types.count("Schedule"),
    }
    print(json.dumps(summary))
    if summary["patients"] != ["2"] or summary["slots"] == 0 or summary["schedules"] == 0:
        sys.exit(1)


if __name__ == "__main__":
    main(sys.argv[1])
