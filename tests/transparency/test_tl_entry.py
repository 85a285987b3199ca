"""Entries as bytes: RFC 8785 canonical JSON and salted commitments."""

from __future__ import annotations

import hashlib

import pytest

from amanah.transparency import (
    MalformedInput,
    canonical_json,
    canonicalise_json_line,
    commit_private,
)


def test_canonical_json_sorts_keys_and_drops_whitespace() -> None:
    assert canonical_json({"b": 1, "a": [1, "x", None, True]}) == b'{"a":[1,"x",null,true],"b":1}'


def test_canonical_json_utf8_and_numbers() -> None:
    # RFC 8785: strings as UTF-8, not \u escapes; numbers in their shortest ES6 form.
    assert canonical_json({"name": "\u00e9\u062c"}) == '{"name":"\u00e9\u062c"}'.encode()
    assert canonical_json(1.0) == b"1"
    assert canonical_json(1e21) == b"1e+21"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (float("nan"), "nan is not representable"),
        (object(), "unsupported type"),
        ({1: 2}, "object keys must be strings"),
        (2**70, "exceeds safe integer domain"),
    ],
)
def test_canonical_json_refuses(value: object, message: str) -> None:
    with pytest.raises(MalformedInput, match=f"value cannot be canonicalised as JSON: .*{message}"):
        canonical_json(value)


def test_canonicalise_json_line() -> None:
    assert canonicalise_json_line(b' { "z" : 1 , "a" : "\\u00e9" } ') == '{"a":"é","z":1}'.encode()


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (b'{"a": 1, "a": 2}', "JSON object has a duplicate key among \\['a', 'a'\\]"),
        (b'{"o": {"k": 1, "k": 1}}', "duplicate key"),
        (b"{", "not a JSON text"),
        (b"\xff", "not a JSON text"),
        (b"NaN", "nan is not representable"),
    ],
)
def test_canonicalise_json_line_refuses(line: bytes, message: str) -> None:
    with pytest.raises(MalformedInput, match=message):
        canonicalise_json_line(line)


def test_commit_private_with_salt() -> None:
    salt = bytes(range(32))
    digest, used = commit_private({"amount": 5}, salt=salt)
    assert used == salt
    assert digest == hashlib.sha256(salt + b'{"amount":5}').hexdigest()


def test_commit_private_random_salt_hides_equal_values() -> None:
    one, salt_one = commit_private({"amount": 5})
    two, salt_two = commit_private({"amount": 5})
    assert len(salt_one) == len(salt_two) == 32
    assert salt_one != salt_two
    assert one != two
    assert commit_private({"amount": 5}, salt=salt_one)[0] == one
