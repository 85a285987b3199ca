"""Evidence files on disk, content-addressed: `AMANAH_VAR_DIR/evidence/<aa>/<sha256>`.

    stored = store(upload)          # sniffs the type, checks the size, hashes, writes once
    stored.sha256, stored.content_type, stored.size, stored.already_stored
    path_of(sha256)                 # where the bytes are, to serve them

The client's content type and file name are never trusted: the type is read from the
file's first bytes (JPEG, PNG, WebP or PDF; anything else is refused), and the name is
kept only as private metadata by the caller. The file is written to a temporary file in
its final directory and renamed into place, so a reader never sees half a file and a
crash leaves no file under a hash. The same bytes uploaded twice are stored once; the
second upload is reported as `already_stored`.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _

__all__ = [
    "ACCEPTED_TYPES",
    "StoredFile",
    "Upload",
    "evidence_dir",
    "file_response",
    "path_of",
    "sniff",
    "store",
]

ACCEPTED_TYPES = ("image/jpeg", "image/png", "image/webp", "application/pdf")
_SHA256 = re.compile(r"[0-9a-f]{64}")
_SNIFF_BYTES = 12


class Upload(Protocol):
    """What `store` needs of an upload: Django's UploadedFile is one."""

    name: str | None

    def chunks(self, chunk_size: int | None = None) -> Iterator[bytes]: ...


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    content_type: str
    size: int
    already_stored: bool  # the same bytes were stored before: a duplicate


def sniff(head: bytes) -> str | None:
    """The content type the file's first bytes announce, if it is one we accept."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def evidence_dir() -> Path:
    return Path(settings.AMANAH_VAR_DIR) / "evidence"


def path_of(sha256: str) -> Path:
    """Where the file with this hash is (or would be) stored."""
    if not _SHA256.fullmatch(sha256):
        raise ValueError("not a lowercase hex SHA-256")
    return evidence_dir() / sha256[:2] / sha256


def store(upload: Upload, *, field: str = "evidence") -> StoredFile:
    """Check, hash and store an upload; raise a ValidationError naming `field` if it is
    not an accepted type or is too large (nothing is then left on disk)."""
    limit = int(settings.AMANAH_EVIDENCE_MAX_BYTES)
    staging = evidence_dir() / "staging"
    staging.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=staging, prefix=".upload-")
    try:
        sha256, size, content_type = _write(descriptor, upload.chunks(), limit, field)
        final = path_of(sha256)
        final.parent.mkdir(parents=True, exist_ok=True)
        if final.exists():
            os.unlink(temporary)
            return StoredFile(sha256, content_type, size, already_stored=True)
        # Same file system (both under evidence/), so the rename is atomic.
        os.replace(temporary, final)
        _fsync_dir(final.parent)
        return StoredFile(sha256, content_type, size, already_stored=False)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def _write(
    descriptor: int, chunks: Iterable[bytes], limit: int, field: str
) -> tuple[str, int, str]:
    """Write and hash the chunks, refusing the file as soon as it passes the limit."""
    digest, size, head = hashlib.sha256(), 0, b""
    with os.fdopen(descriptor, "wb") as out:
        for chunk in chunks:
            size += len(chunk)
            if size > limit:
                raise ValidationError(
                    {
                        field: ValidationError(
                            _("A file may be at most {size} MB.").format(
                                size=f"{limit / 1_000_000:g}"
                            ),
                            code="too_large",
                        )
                    }
                )
            if len(head) < _SNIFF_BYTES:
                head += chunk[: _SNIFF_BYTES - len(head)]
            digest.update(chunk)
            out.write(chunk)
        content_type = sniff(head)
        if content_type is None:
            raise ValidationError(
                {
                    field: ValidationError(
                        _("Upload a JPEG, PNG or WebP photo, or a PDF document."),
                        code="unsupported_type",
                    )
                }
            )
        out.flush()
        os.fsync(out.fileno())
    return digest.hexdigest(), size, content_type


def _fsync_dir(directory: Path) -> None:
    """Make the rename durable (POSIX: the directory entry is data of the directory)."""
    if os.name != "posix":
        return
    handle = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def file_response(sha256: str, content_type: str) -> FileResponse:
    """The stored file as a response: its stored type (never sniffed by the browser), and
    PDFs as downloads, so that no document runs in the site's origin."""
    path = path_of(sha256)
    if not path.is_file():
        raise Http404("evidence file missing")
    extension = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}.get(
        content_type, "pdf"
    )
    response = FileResponse(
        path.open("rb"),
        content_type=content_type,
        as_attachment=content_type == "application/pdf",
        filename=f"{sha256}.{extension}",
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    if content_type != "application/pdf":
        response.headers["Content-Disposition"] = f'inline; filename="{sha256}.{extension}"'
    return response
