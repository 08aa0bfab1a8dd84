"""jsonschema validators for the schemas of the official OpenAPI spec (read at test time).

    validator = schema_validator("Offre")          # $refs to #/components/schemas/... resolved
    errors = list(validator.iter_errors(offer))

OpenAPI 3.0 schemas are (nearly) JSON Schema draft 4: the spec's `components` are embedded in the
root schema so that its local `$ref`s resolve. `date-time`, `int32` and `double` formats are checked
(jsonschema alone skips date-time without an extra package). `strict=True` additionally forbids
keys the spec does not declare, to catch misspelt keys in generated offers.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import json
import re
from pathlib import Path

import jsonschema

from tests.sandboxproc import SAMPLES, missing_samples

SPEC = SAMPLES / "openapi" / "offres-emploi-v2.openapi.json"
_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")

FORMATS = jsonschema.FormatChecker()


@FORMATS.checks("date-time", raises=ValueError)
def _date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True  # formats only constrain strings
    if not _RFC3339.match(value):
        return False
    dt.datetime.fromisoformat(value.replace("Z", "+00:00"))  # raises on impossible dates
    return True


@FORMATS.checks("int32")
def _int32(value: object) -> bool:
    return not isinstance(value, int) or -(2**31) <= value < 2**31


@FORMATS.checks("double")
def _double(value: object) -> bool:
    return True  # any JSON number


@functools.lru_cache(maxsize=4)
def load_spec(path: Path = SPEC) -> dict:
    if not Path(path).is_file():
        missing_samples(f"the official OpenAPI spec is not available: {path} is absent")
    return json.loads(Path(path).read_text(encoding="utf-8"))


def _forbid_unknown_keys(schema: object) -> None:
    if isinstance(schema, dict):
        if schema.get("type") == "object" and "properties" in schema:
            schema.setdefault("additionalProperties", False)
        for value in schema.values():
            _forbid_unknown_keys(value)
    elif isinstance(schema, list):
        for value in schema:
            _forbid_unknown_keys(value)


def schema_validator(name: str = "Offre", *, strict: bool = False, path: Path = SPEC):
    """A validator for components.schemas[name] of the spec."""
    components = copy.deepcopy(load_spec(path)["components"])
    if name not in components["schemas"]:
        raise KeyError(f"no schema {name!r} in {path}")
    if strict:
        _forbid_unknown_keys(components["schemas"])
    root = {"$ref": f"#/components/schemas/{name}", "components": components}
    return jsonschema.Draft4Validator(root, format_checker=FORMATS)


def offre_validator(*, strict: bool = False, path: Path = SPEC):
    return schema_validator("Offre", strict=strict, path=path)


def error_summary(validator, instance: object, limit: int = 5) -> list[str]:
    """Readable first errors: 'path.to.key: message'."""
    out = []
    for err in validator.iter_errors(instance):
        where = ".".join(str(p) for p in err.absolute_path) or "<root>"
        out.append(f"{where}: {err.message}")
        if len(out) >= limit:
            break
    return out
