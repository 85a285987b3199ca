"""Check API responses against the committed schema, docs/openapi.json (Zulip checks every
response of its test client against its OpenAPI document the same way)."""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from typing import Any

from django.http import HttpResponse
from jsonschema import Draft202012Validator

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"
EXPORT_ARGS = ("--api", "amanah.api.main.api", "--indent", "2", "--sorted")
REGENERATE = (
    "make openapi   # that is: .venv/bin/python -m amanah.manage export_openapi_schema "
    + " ".join(EXPORT_ARGS)
    + " --output docs/openapi.json"
)


@functools.cache
def committed_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(SCHEMA_FILE.read_text())
    return schema


def _operation(method: str, path: str) -> dict[str, Any]:
    for template, operations in committed_schema()["paths"].items():
        pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template))
        if re.fullmatch(pattern, path) and method in operations:
            operation: dict[str, Any] = operations[method]
            return operation
    raise AssertionError(f"{method.upper()} {path} is not in {SCHEMA_FILE.name}")


def checked(response: HttpResponse) -> Any:
    """The response's JSON body, once checked against what the schema declares for its
    method, path and status."""
    method = response.request["REQUEST_METHOD"].lower()  # type: ignore[attr-defined]
    path = response.request["PATH_INFO"]  # type: ignore[attr-defined]
    declared = _operation(method, path)["responses"].get(str(response.status_code))
    assert declared is not None, (
        f"{method.upper()} {path} answered {response.status_code}, which the schema does not"
        " declare"
    )
    assert response["Content-Type"] == "application/json; charset=utf-8"
    schema = declared["content"]["application/json"]["schema"]
    body = json.loads(response.content)
    validator = Draft202012Validator({**schema, "components": committed_schema()["components"]})
    validator.validate(body)
    return body
