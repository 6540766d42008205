#!/usr/bin/env python3
"""Checks the Paxos adapter's requests and the fake's responses against Paxos's OpenAPI schemas.

Usage (from the workspace root):
    python3 adapters/paxos/tools/validate_against_spec.py [path/to/paxos-v2.openapi.json]

Runs the ignored `spec_dump` test, then validates each JSON body with jsonschema (Draft 4, which
matches OpenAPI 3.0's `exclusiveMaximum: true`). Exits non-zero on any violation.
"""
import json
import os
import re
import subprocess
import sys

import jsonschema

SPEC = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/specs/paxos-v2.openapi.json"

# Deliberate departures from the schemas (regexes over the violation text), each with its reason.
EXPECTED = [
    # The spec's own Create Identity response example (and PROVIDERS.md) gives the date of birth
    # back as a timestamp, against PersonDetails' request pattern: the fake answers as the API does.
    r"'\d{4}-\d{2}-\d{2}T00:00:00Z' does not match .* at \['person_details', 'date_of_birth'\]$",
    # The refused request the dump sends on purpose (lower-case nationality -> 400).
    r"^request POST /v2/identity/identities: 'usa' does not match '\^\[A-Z\]\{3\}\$'",
]

# (method, path regex, status range) -> (request schema, response schema)
ROUTES = [
    ("POST", r"^/v2/identity/identities$", "CreateIdentityRequest", "Identity"),
    ("GET", r"^/v2/identity/identities/[^/]+$", None, "Identity"),
    ("POST", r"^/v2/identity/accounts$", "CreateAccountRequest", "Account"),
    ("POST", r"^/v2/profiles/[^/]+/orders$", "ExchangePublicCreateOrderBody", "Order"),
    ("GET", r"^/v2/profiles/[^/]+/orders/[^/]+$", None, "Order"),
]


def main():
    spec = json.load(open(SPEC))
    components = spec["components"]

    def validator(name):
        schema = {"$ref": f"#/components/schemas/{name}", "components": components}
        return jsonschema.Draft4Validator(schema)

    env = dict(os.environ)
    env.setdefault("CARGO_TARGET_DIR", "/work/target-paxos")
    out = subprocess.run(
        ["cargo", "test", "-q", "--offline", "-p", "rampsim-adapter-paxos", "--test", "spec_dump", "--",
         "--ignored", "--nocapture"],
        capture_output=True, text=True, env=env, check=True,
    ).stdout
    lines = [json.loads(l[len("SPECDUMP "):]) for l in out.splitlines() if l.startswith("SPECDUMP ")]
    checked, errors = 0, []
    for ex in lines:
        path = ex["path"].split("?")[0]
        if ex["endpoint"] == "oauth":
            continue  # form-encoded; the token endpoint is outside the API document
        route = next((r for r in ROUTES if r[0] == ex["method"] and re.match(r[1], path)), None)
        if route is None:
            errors.append(f"no schema for {ex['method']} {path}")
            continue
        _, _, req_schema, resp_schema = route
        if req_schema and ex["request"]:
            for e in validator(req_schema).iter_errors(json.loads(ex["request"])):
                errors.append(f"request {ex['method']} {path}: {e.message} at {list(e.path)}")
            checked += 1
        body = json.loads(ex["response"])
        name = resp_schema if 200 <= ex["status"] < 300 else "Problem"
        if name == "Problem" and ex["content_type"] != "application/problem+json":
            errors.append(f"{ex['status']} {path}: content type {ex['content_type']}")
        for e in validator(name).iter_errors(body):
            errors.append(f"response {ex['status']} {ex['method']} {path} as {name}: {e.message} at {list(e.path)}")
        checked += 1
    def expected(e):
        return any(re.search(x, e) for x in EXPECTED)

    known = [e for e in errors if expected(e)]
    errors = [e for e in errors if not expected(e)]
    print(f"{len(lines)} exchanges, {checked} bodies checked, {len(known)} expected departures, "
          f"{len(errors)} violations")
    for e in errors:
        print("  " + e)
    sys.exit(1 if errors or not lines else 0)


if __name__ == "__main__":
    main()
