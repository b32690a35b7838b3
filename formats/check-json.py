#!/usr/bin/env python3
"""Validate dossier JSON and NDJSON files against a JSON Schema (draft 2020-12).

Usage: check-json.py SCHEMA FILE...

A .ndjson or .jsonl file is validated line by line; any other file as one document. Parsing is
strict like Dossierport's reader: duplicate keys, NaN/Infinity, a byte order mark and invalid UTF-8
are errors. Errors name file, line, JSON path and the schema rule broken, never the offending
value (it may be personal data). Exits 1 if any file has an error, 2 on usage errors.
"""
import json
import sys

from jsonschema import Draft202012Validator, FormatChecker


class Invalid(Exception):
    pass


def no_duplicates(pairs):
    seen = set()
    for key, _ in pairs:
        if key in seen:
            raise Invalid(f"duplicate key '{key}'")
        seen.add(key)
    return dict(pairs)


def no_constant(name):
    raise Invalid(f"{name} is not JSON")


def parse(data):
    if data.startswith(b"\xef\xbb\xbf"):
        raise Invalid("starts with a UTF-8 byte order mark")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise Invalid(f"invalid UTF-8 at byte offset {e.start}")
    try:
        return json.loads(text, object_pairs_hook=no_duplicates, parse_constant=no_constant)
    except json.JSONDecodeError as e:
        raise Invalid(f"{e.msg} at line {e.lineno} column {e.colno}")


def check(validator, where, data):
    try:
        doc = parse(data)
    except Invalid as e:
        return [f"{where}: {e}"]
    return [
        f"{where}: {error.json_path}: violates '{error.validator}' at {'/'.join(map(str, error.absolute_schema_path))}"
        for error in sorted(validator.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path)))
    ]


def main(argv):
    if len(argv) < 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    with open(argv[1], "rb") as f:
        schema = json.loads(f.read())
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema, format_checker=FormatChecker())
    errors = []
    for path in argv[2:]:
        with open(path, "rb") as f:
            if path.endswith((".ndjson", ".jsonl")):
                for number, line in enumerate(f, start=1):
                    errors += check(validator, f"{path}:{number}", line.rstrip(b"\n"))
            else:
                errors += check(validator, path, f.read())
    for error in errors:
        print(error, file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
