from __future__ import annotations

import gzip
import hashlib
import re
from collections.abc import Callable

import pytest
from django.test import Client

from amanah.ledger.models import LogEntry, SignedCheckpoint
from amanah.ledger.storage import DatabaseTileStorage
from amanah.transparency import decode_entry_bundle, decode_hash_tile, tiles_for_size
from conftest import DemoLog

_IMMUTABLE = "public, max-age=31536000, immutable"


def test_checkpoint_is_the_latest_signed_note_with_short_caching(
    client: Client, demo_log: DemoLog
) -> None:
    response = client.get("/log/checkpoint")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Access-Control-Allow-Origin"] == "*"
    # The checkpoint changes as the log grows: seconds of caching, never immutable.
    cache_control = response["Cache-Control"]
    assert "immutable" not in cache_control
    max_age = re.fullmatch(r"public, max-age=(\d+)", cache_control)
    assert max_age is not None
    assert int(max_age.group(1)) <= 10
    latest = SignedCheckpoint.objects.get()
    assert response.content == latest.note.encode()
    assert response.content.startswith(f"localhost/amanah-demo\n{demo_log.size}\n".encode())


def test_checkpoint_is_404_before_the_first_is_signed(client: Client, db: None) -> None:
    assert client.get("/log/checkpoint").status_code == 404


def test_every_file_of_the_log_is_served_as_stored(client: Client, demo_log: DemoLog) -> None:
    storage = DatabaseTileStorage()
    tiles = list(tiles_for_size(demo_log.size))
    size = demo_log.size
    full, rest = divmod(size, 256)
    paths = [t.path for t in tiles]
    # Every full tile and the last partial one, for the entries and the hashes.
    assert [f"tile/entries/{n:03d}" for n in range(full)] == [
        p for p in paths if p.startswith("tile/entries/") and ".p/" not in p
    ]
    if rest:
        assert f"tile/entries/{full:03d}.p/{rest}" in paths
        assert f"tile/0/{full:03d}.p/{rest}" in paths

    for tile in tiles:
        response = client.get(f"/log/{tile.path}")

        assert response.status_code == 200
        assert response["Content-Type"] == "application/octet-stream"
        assert response["Cache-Control"] == _IMMUTABLE
        assert response["Access-Control-Allow-Origin"] == "*"
        assert response.content == storage.read(tile.path)


def test_hash_tile_holds_the_leaf_hash_of_every_entry(client: Client, demo_log: DemoLog) -> None:
    hashes = []
    for tile in tiles_for_size(demo_log.size):
        if tile.level == 0:
            response = client.get(f"/log/{tile.path}")
            hashes += decode_hash_tile(response.content, tile)
    entries = [bytes(e) for e in LogEntry.objects.values_list("entry", flat=True)]
    assert hashes == [hashlib.sha256(b"\x00" + e).digest() for e in entries]


def test_entry_bundle_holds_the_entries_and_is_gzipped_on_request(
    client: Client, demo_log: DemoLog
) -> None:
    bundle: list[bytes] = []
    for tile in tiles_for_size(demo_log.size):
        if tile.level == -1:
            response = client.get(f"/log/{tile.path}", HTTP_ACCEPT_ENCODING="gzip")
            assert response.status_code == 200
            assert response["Content-Encoding"] == "gzip"
            bundle += decode_entry_bundle(gzip.decompress(response.content), tile)
    assert bundle == [bytes(e) for e in LogEntry.objects.values_list("entry", flat=True)]


def test_partial_tiles_give_way_to_full_ones_as_the_log_grows(
    client: Client, append_entries: Callable[..., None]
) -> None:
    append_entries(36)
    append_entries(300 - 36)

    assert client.get("/log/tile/0/000.p/36").status_code == 404
    assert client.get("/log/tile/entries/000.p/36").status_code == 404
    for path, width in [
        ("tile/0/000", 256),
        ("tile/0/001.p/44", 44),
        ("tile/1/000.p/1", 1),
    ]:
        response = client.get(f"/log/{path}")
        assert response.status_code == 200, path
        assert response["Cache-Control"] == _IMMUTABLE
        assert len(response.content) == 32 * width
    assert len(client.get("/log/tile/entries/001.p/44").content) > 44 * 2


def test_head_is_allowed_and_writes_are_not(client: Client, demo_log: DemoLog) -> None:
    assert client.head("/log/checkpoint").status_code == 200
    assert client.post("/log/checkpoint").status_code == 405
    last = [t.path for t in tiles_for_size(demo_log.size) if t.level == 0][-1]
    assert client.put(f"/log/{last}").status_code == 405
    assert client.delete(f"/log/{last}").status_code == 405
    assert DatabaseTileStorage().read(last)


@pytest.mark.parametrize(
    "path",
    [
        "/log/tile/0/009",  # well-formed, but the demo log has no tenth full tile yet
        "/log/tile/0/000.p/35",  # a size the log never signed
        "/log/tile/0/0",
        "/log/tile/0/0000",
        "/log/tile/0/x000/000",
        "/log/tile/00/000",
        "/log/tile/64/000",
        "/log/tile/0/000.p/0",
        "/log/tile/0/000.p/256",
        "/log/tile/0/000.p/048",
        "/log/tile/entries",
        "/log/tile/data/000",
        "/log/tile/8/0/000",
        "/log/checkpoint/",
        "/log/",
        "/log/log.key",
        "/log/.log.key",
        "/log/tile/.log.key",
        "/log/tile/../log.key",
        "/log/tile/0/../../log.key",
        "/log/tile/%2e%2e/log.key",
        "/log/tile/0/000.p/..%2f..%2flog.key",
        "/log/tile/./0/000.p/48",
        "/log/tile/0/./000.p/48",
    ],
)
def test_anything_but_a_published_tile_is_404(client: Client, demo_log: DemoLog, path: str) -> None:
    signing_key = (demo_log.var_dir / "log.key").read_bytes().strip()

    response = client.get(path)

    assert response.status_code == 404
    assert signing_key not in response.content
    # PRIVATE+KEY+<name>+<hash>+<base64 key>: the base64 may itself hold "+".
    assert signing_key.split(b"+", 4)[4] not in response.content
