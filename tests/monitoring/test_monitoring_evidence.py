"""Evidence storage: the type is read from the bytes, the size is limited, the same bytes
are stored once, the write is all or nothing."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from amanah.monitoring import evidence
from amanah.monitoring.samples import tiny_jpeg, tiny_pdf

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 20
WEBP = b"RIFF\x10\x00\x00\x00WEBPVP8 " + b"\x00" * 8


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (tiny_jpeg("a"), "image/jpeg"),
        (PNG, "image/png"),
        (WEBP, "image/webp"),
        (tiny_pdf("a"), "application/pdf"),
        (b"<html><script>alert(1)</script>", None),
        (b"RIFF\x10\x00\x00\x00WAVEfmt ", None),
        (b"", None),
    ],
)
def test_the_type_is_read_from_the_first_bytes(content: bytes, expected: str | None) -> None:
    assert evidence.sniff(content[:12]) == expected


def test_a_file_is_stored_under_its_hash_whatever_the_client_says(var_dir: Path) -> None:
    content = tiny_jpeg("roof")
    stored = evidence.store(SimpleUploadedFile("x.pdf", content, content_type="application/pdf"))

    sha = hashlib.sha256(content).hexdigest()
    assert stored.sha256 == sha
    assert stored.content_type == "image/jpeg"
    assert stored.size == len(content)
    assert not stored.already_stored
    assert (var_dir / "evidence" / sha[:2] / sha).read_bytes() == content


def test_the_same_bytes_are_stored_once_and_reported(var_dir: Path) -> None:
    first = evidence.store(SimpleUploadedFile("a.jpg", tiny_jpeg("same")))
    again = evidence.store(SimpleUploadedFile("b.jpg", tiny_jpeg("same")))

    assert again.sha256 == first.sha256
    assert again.already_stored
    files = [p for p in (var_dir / "evidence").rglob("*") if p.is_file()]
    assert files == [evidence.path_of(first.sha256)]


def test_an_unknown_type_is_refused_and_nothing_is_left(var_dir: Path) -> None:
    with pytest.raises(ValidationError) as error:
        evidence.store(SimpleUploadedFile("a.jpg", b"<svg onload=alert(1)>", "image/jpeg"))

    assert error.value.message_dict == {
        "evidence": ["Upload a JPEG, PNG or WebP photo, or a PDF document."]
    }
    assert [p for p in (var_dir / "evidence").rglob("*") if p.is_file()] == []


@override_settings(AMANAH_EVIDENCE_MAX_BYTES=100)
def test_a_file_over_the_limit_is_refused_and_nothing_is_left(var_dir: Path) -> None:
    big = tiny_pdf("x" * 200)
    with pytest.raises(ValidationError) as error:
        evidence.store(SimpleUploadedFile("big.pdf", big))

    assert error.value.error_dict["evidence"][0].code == "too_large"
    assert [p for p in (var_dir / "evidence").rglob("*") if p.is_file()] == []


class _Broken:
    """An upload whose connection drops after the first chunk."""

    name = "broken.jpg"

    def chunks(self, chunk_size: int | None = None):  # type: ignore[no-untyped-def]
        yield tiny_jpeg("half")[:10]
        raise OSError("connection reset")


def test_a_failed_write_leaves_no_file_under_any_hash(var_dir: Path) -> None:
    with pytest.raises(OSError, match="connection reset"):
        evidence.store(_Broken())

    assert [p for p in (var_dir / "evidence").rglob("*") if p.is_file()] == []


def test_a_path_is_only_ever_a_hash() -> None:
    with pytest.raises(ValueError, match="SHA-256"):
        evidence.path_of("../../etc/passwd")
