"""One error shape for the whole API: `{"code", "message", "fields"}`, every field named.

A scratch API with the same handlers as /api/v1/ raises what the real one cannot yet
(a body to validate, a 403); the real one is used wherever it can be.
"""

from __future__ import annotations

import datetime
import decimal
import enum
import json
from typing import Annotated, Any, Literal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404, HttpRequest
from django.test import Client
from django.utils import translation
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthorizationError, HttpError
from ninja.testing import TestClient
from openapi_check import checked
from pydantic import AwareDatetime, BaseModel, ConfigDict, Json, TypeAdapter, ValidationError
from pydantic import Field as PydanticField

from amanah.accounts.models import Role
from amanah.accounts.roles import require_role
from amanah.api.errors import FALLBACK_PROBLEM, FIELD_PROBLEMS, field_problems
from amanah.core.errors import AmanahError, ErrorCode, RequestInvalid


class LineIn(Schema):
    amount: decimal.Decimal = Field(gt=0)
    currency: str = Field(pattern=r"^[A-Z]{3}$")


class PledgeIn(Schema):
    donor: str
    lines: list[LineIn]


class _Broken(AmanahError):
    code = ErrorCode.HTTP_ERROR
    status = 409
    fields = ("motion_id", "have", "need")

    def message(self) -> str:
        return "Motion {motion_id} has {have} of {need} required signatures."


def _scratch_api() -> NinjaAPI:
    from amanah.api.errors import install_error_handlers

    api = NinjaAPI(urls_namespace="scratch-errors")
    install_error_handlers(api)

    @api.post("/pledges")
    def pledge(request: HttpRequest, payload: PledgeIn) -> None:
        return None

    @api.get("/forbidden")
    def forbidden(request: HttpRequest) -> None:
        raise AuthorizationError

    @api.get("/auditors-only")
    def auditors_only(request: HttpRequest) -> None:
        require_role(AnonymousUser(), Role.AUDITOR)

    @api.get("/gone")
    def gone(request: HttpRequest) -> None:
        raise Http404("a detail that is not shown")

    @api.get("/teapot")
    def teapot(request: HttpRequest) -> None:
        raise HttpError(418, "I'm a teapot")

    @api.get("/conflict")
    def conflict(request: HttpRequest) -> None:
        raise _Broken(motion_id=7, have=2, need=3)

    return api


@pytest.fixture(scope="module")
def scratch() -> TestClient:
    return TestClient(_scratch_api())


def _post(scratch: TestClient, body: Any) -> tuple[int, Any]:
    response = scratch.post("/pledges", json=body)
    return response.status_code, response.json()


# --- validation ------------------------------------------------------------------------


def test_nested_body_fields_are_named_by_their_path_in_the_json(scratch: TestClient) -> None:
    body = {"donor": "PK", "lines": [{"amount": "10", "currency": "USD"}, {"amount": "-1"}]}

    status, error = _post(scratch, body)

    assert status == 422
    assert error == {
        "code": "validation_failed",
        "message": "These fields are not valid: lines.1.amount, lines.1.currency.",
        "fields": {
            "lines.1.amount": "Enter a value greater than 0.",
            "lines.1.currency": "This field is required.",
        },
    }


def test_a_missing_body_field_is_named(scratch: TestClient) -> None:
    status, error = _post(scratch, {"lines": []})

    assert status == 422
    assert error["fields"] == {"donor": "This field is required."}


def test_a_body_that_is_not_json_is_a_400_with_a_code(scratch: TestClient) -> None:
    response = scratch.post("/pledges", data=b"{not json", content_type="application/json")

    assert response.status_code == 400
    assert response.json() == {
        "code": "bad_request",
        "message": "The request could not be read.",
        "fields": {"status": 400},
    }


def test_a_body_that_is_not_an_object_names_each_field_it_lacks(scratch: TestClient) -> None:
    status, error = _post(scratch, [1, 2])

    assert status == 422
    assert error["fields"] == {
        "donor": "This field is required.",
        "lines": "This field is required.",
    }


# --- the other errors ------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "status", "code", "fields"),
    [
        ("/forbidden", 403, "permission_denied", {}),
        ("/auditors-only", 403, "role_required", {"roles": ["auditor"]}),
        ("/gone", 404, "not_found", {}),
        ("/teapot", 418, "http_error", {"status": 418}),
        ("/conflict", 409, "http_error", {"motion_id": 7, "have": 2, "need": 3}),
    ],
)
def test_every_error_has_the_same_shape(
    scratch: TestClient, path: str, status: int, code: str, fields: dict[str, Any]
) -> None:
    response = scratch.get(path)

    assert response.status_code == status
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    assert (body["code"], body["fields"]) == (code, fields)
    assert body["message"]
    assert "{" not in body["message"]
    assert "detail that is not shown" not in body["message"]


def test_an_error_is_rendered_with_its_values() -> None:
    assert _Broken(motion_id=7, have=2, need=3).as_dict() == {
        "code": "http_error",
        "message": "Motion 7 has 2 of 3 required signatures.",
        "fields": {"motion_id": 7, "have": 2, "need": 3},
    }


def test_an_error_takes_exactly_its_fields() -> None:
    with pytest.raises(TypeError, match="takes the fields"):
        _Broken(motion_id=7)
    with pytest.raises(ValueError, match="at least one field"):
        RequestInvalid({})


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "post", "delete"])
def test_an_unknown_api_address_is_a_json_404(client: Client, method: str) -> None:
    response = getattr(client, method)("/api/v1/no/such/thing")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert json.loads(response.content) == {
        "code": "not_found",
        "message": "There is nothing at this address.",
        "fields": {},
    }


def test_every_code_is_in_the_committed_schema() -> None:
    from openapi_check import committed_schema

    published = committed_schema()["components"]["schemas"]["ErrorCode"]["enum"]
    assert published == [code.value for code in ErrorCode]


@pytest.mark.django_db
def test_error_bodies_of_the_real_api_match_the_schema(client: Client) -> None:
    checked(client.get("/api/v1/me"))
    checked(client.get("/api/v1/log/checkpoint"))
    checked(client.get("/api/v1/log/entries", {"limit": -5}))


# --- every validation problem has its sentence -----------------------------------------


class _Colour(enum.Enum):
    RED = "red"


class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid")
    required: int


class _FromAttributes(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    x: int = 0


# A value of a type that fails with each pydantic error type FIELD_PROBLEMS knows.
_FAILURES: dict[str, tuple[Any, Any]] = {
    "missing": (_Closed, {}),
    "extra_forbidden": (_Closed, {"required": 1, "other": 2}),
    "int_type": (int, []),
    "int_parsing": (int, "x"),
    "int_from_float": (int, 1.5),
    "decimal_type": (decimal.Decimal, []),
    "decimal_parsing": (decimal.Decimal, "x"),
    "string_type": (str, 5),
    "bool_type": (bool, []),
    "bool_parsing": (bool, "maybe"),
    "date_type": (datetime.date, []),
    "date_from_datetime_parsing": (datetime.date, "x"),
    "date_from_datetime_inexact": (datetime.date, "2024-01-01T10:00:00"),
    "datetime_type": (datetime.datetime, []),
    "datetime_from_date_parsing": (datetime.datetime, "x"),
    "timezone_aware": (AwareDatetime, "2024-01-01T10:00:00"),
    "list_type": (list[int], 5),
    "dict_type": (dict[str, int], 5),
    "model_type": (_Closed, 5),
    "model_attributes_type": (_FromAttributes, 5),
    "json_invalid": (Json[int], "x"),
    "enum": (_Colour, "blue"),
    "literal_error": (Literal["a", "b"], "c"),
    "greater_than": (Annotated[int, PydanticField(gt=1)], 0),
    "greater_than_equal": (Annotated[int, PydanticField(ge=1)], 0),
    "less_than": (Annotated[int, PydanticField(lt=1)], 2),
    "less_than_equal": (Annotated[int, PydanticField(le=1)], 2),
    "string_too_short": (Annotated[str, PydanticField(min_length=2)], "a"),
    "string_too_long": (Annotated[str, PydanticField(max_length=2)], "abc"),
    "too_short": (Annotated[list[int], PydanticField(min_length=2)], [1]),
    "too_long": (Annotated[list[int], PydanticField(max_length=1)], [1, 2]),
    "string_pattern_mismatch": (Annotated[str, PydanticField(pattern=r"^a$")], "b"),
}


def _pydantic_errors(annotation: Any, value: Any) -> list[dict[str, Any]]:
    try:
        TypeAdapter(annotation).validate_python(value)
    except ValidationError as error:
        return [{**e, "loc": ("query", "field", *e["loc"])} for e in error.errors()]
    raise AssertionError(f"{value!r} is a valid {annotation}")


def test_the_table_covers_every_problem() -> None:
    assert set(_FAILURES) == set(FIELD_PROBLEMS)


@pytest.mark.parametrize("kind", sorted(FIELD_PROBLEMS))
def test_each_problem_has_a_sentence_filled_from_pydantic(kind: str) -> None:
    errors = _pydantic_errors(*_FAILURES[kind])

    assert [error["type"] for error in errors] == [kind]
    problems = field_problems(errors)
    assert len(problems) == 1
    (sentence,) = problems.values()
    assert sentence != str(FALLBACK_PROBLEM)
    assert "{" not in sentence
    with translation.override("ar"):
        arabic = next(iter(field_problems(errors).values()))
    assert arabic != sentence


def test_an_unknown_problem_still_names_its_field() -> None:
    problems = field_problems([{"type": "no_such_type", "loc": ("query", "limit"), "msg": "?"}])

    assert problems == {"limit": "This value is not valid."}


def test_our_own_validators_speak_for_themselves() -> None:
    error = {"type": "value_error", "loc": ("body", "payload", "iso"), "ctx": {"error": "Bad."}}

    assert field_problems([error]) == {"iso": "Bad."}


def test_every_sentence_is_translated() -> None:
    sentences = [*FIELD_PROBLEMS.values(), FALLBACK_PROBLEM]
    english = [str(sentence) for sentence in sentences]
    with translation.override("ar"):
        arabic = [str(sentence) for sentence in sentences]

    assert [en for en, ar in zip(english, arabic, strict=True) if en == ar] == []
