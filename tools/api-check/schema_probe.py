"""Says whether request bodies are valid by an operation's documented schema (OpenAPI 3.1 dialect).

usage: schema_probe.py DOCUMENT PROBES; PROBES is a JSON list of {path, method, body}.
Prints a JSON list of booleans, one per probe. The check is independent of the server's own
validation: the same document a generated client or a fuzzer reads.
"""
import json
import sys

from openapi_schema_validator import OAS31Validator

document = json.load(open(sys.argv[1]))
probes = json.load(open(sys.argv[2]))
answers = []
for probe in probes:
    operation = document["paths"][probe["path"]][probe["method"]]
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    answers.append(OAS31Validator(schema).is_valid(probe["body"]))
print(json.dumps(answers))
