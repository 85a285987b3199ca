from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from django.test import Client

from amanah.ledger.demo import demo_entries
from amanah.transparency import TileId, decode_entry_bundle, decode_hash_tile

_IMMUTABLE = "public, max-age=31536000, immutable"


def test_checkpoint_is_served_as_text_with_short_caching(client: Client, demo_log: Path) -> None:
    response = client.get("/log/checkpoint")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Cache-Control"] == "public, max-age=5"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response.content == (demo_log / "checkpoint").read_bytes()


def test_checkpoint_is_404_before_the_log_exists(client: Client, var_dir: Path) -> None:
    assert client.get("/log/checkpoint").status_code == 404


def test_hash_tile_is_served_immutable(client: Client, demo_log: Path) -> None:
    size = len(demo_entries())

    response = client.get(f"/log/tile/0/000.p/{size}")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Cache-Control"] == _IMMUTABLE
    assert len(decode_hash_tile(response.content, TileId(0, 0, size))) == size


def test_entry_bundle_holds_the_demo_entries_and_is_gzipped_on_request(
    client: Client, demo_log: Path
) -> None:
    size = len(demo_entries())

    response = client.get(f"/log/tile/entries/000.p/{size}", HTTP_ACCEPT_ENCODING="gzip")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Cache-Control"] == _IMMUTABLE
    assert response["Content-Encoding"] == "gzip"
    bundle = gzip.decompress(response.content)
    assert decode_entry_bundle(bundle, TileId(-1, 0, size)) == demo_entries()


def test_head_is_allowed_and_writes_are_not(client: Client, demo_log: Path) -> None:
    assert client.head("/log/checkpoint").status_code == 200
    assert client.post("/log/checkpoint").status_code == 405
    assert client.put("/log/tile/0/000.p/1").status_code == 405


@pytest.mark.parametrize(
    "path",
    [
        "/log/tile/0/000",  # well-formed, but the demo log has no full tile yet
        "/log/tile/0/000.p/35",  # a size the log never signed
        "/log/tile/0/0",
        "/log/tile/0/0000",
        "/log/tile/0/x000/000",
        "/log/tile/00/000",
        "/log/tile/64/000",
        "/log/tile/0/000.p/0",
        "/log/tile/0/000.p/256",
        "/log/tile/0/000.p/036",
        "/log/tile/entries",
        "/log/tile/data/000",
        "/log/tile/8/0/000",
        "/log/checkpoint/",
        "/log/",
        "/log/.amanah-log/signer.key",
        "/log/tile/.amanah-log/signer.key",
        "/log/tile/../.amanah-log/signer.key",
        "/log/tile/0/../../.amanah-log/signer.key",
        "/log/tile/%2e%2e/.amanah-log/signer.key",
        "/log/tile/0/000.p/..%2f..%2f.amanah-log%2fsigner.key",
    ],
)
def test_anything_but_a_published_tile_is_404(client: Client, demo_log: Path, path: str) -> None:
    signer_key = (demo_log / ".amanah-log" / "signer.key").read_bytes().strip()

    response = client.get(path)

    assert response.status_code == 404
    assert signer_key not in response.content
