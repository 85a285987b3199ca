from __future__ import annotations

import stat
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from amanah.settings import env


def test_boolean_reads_common_spellings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AMANAH_TEST_FLAG", "Yes")
    assert env.boolean("AMANAH_TEST_FLAG", False) is True
    monkeypatch.setenv("AMANAH_TEST_FLAG", "off")
    assert env.boolean("AMANAH_TEST_FLAG", True) is False
    monkeypatch.setenv("AMANAH_TEST_FLAG", "")
    assert env.boolean("AMANAH_TEST_FLAG", True) is True


@pytest.mark.parametrize(
    ("reader", "value"),
    [
        (lambda: env.boolean("AMANAH_TEST_VALUE", False), "maybe"),
        (lambda: env.integer("AMANAH_TEST_VALUE", 0), "ten"),
        (lambda: env.integer("AMANAH_TEST_VALUE", 0), "-1"),
        (lambda: env.path("AMANAH_TEST_VALUE", Path("/")), "relative/dir"),
        (lambda: env.strings("AMANAH_TEST_VALUE", []), "a,,b"),
        (lambda: env.choice("AMANAH_TEST_VALUE", "INFO", ["INFO"]), "LOUD"),
        (lambda: env.database("AMANAH_TEST_VALUE"), "nosuchdb://user:hunter2@host/db"),
    ],
)
def test_bad_values_fail_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, reader: object, value: str
) -> None:
    monkeypatch.setenv("AMANAH_TEST_VALUE", value)

    with pytest.raises(ImproperlyConfigured, match="AMANAH_TEST_VALUE") as raised:
        reader()  # type: ignore[operator]

    assert "hunter2" not in str(raised.value)


def test_strings_split_on_commas(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AMANAH_TEST_HOSTS", "example.org, www.example.org")

    assert env.strings("AMANAH_TEST_HOSTS", []) == ["example.org", "www.example.org"]


def test_database_url_selects_postgresql(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AMANAH_TEST_DB", "postgres://amanah:pw@db.internal:5432/amanah")

    config = env.database("AMANAH_TEST_DB")

    assert config is not None
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert config["NAME"] == "amanah"


def test_secret_key_is_generated_once_with_mode_0600(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("AMANAH_TEST_SECRET", raising=False)
    file = tmp_path / "var" / "secret-key"

    first = env.secret_key("AMANAH_TEST_SECRET", file)
    second = env.secret_key("AMANAH_TEST_SECRET", file)

    assert first == second
    assert len(first) >= 50
    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    assert [p.name for p in file.parent.iterdir()] == ["secret-key"]


def test_secret_key_from_the_environment_wins(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("AMANAH_TEST_SECRET", "from-the-environment")

    assert env.secret_key("AMANAH_TEST_SECRET", tmp_path / "secret-key") == "from-the-environment"
    assert not (tmp_path / "secret-key").exists()


def test_secret_key_file_readable_by_others_is_refused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("AMANAH_TEST_SECRET", raising=False)
    file = tmp_path / "secret-key"
    env.secret_key("AMANAH_TEST_SECRET", file)
    file.chmod(0o644)

    with pytest.raises(ImproperlyConfigured, match="chmod 600"):
        env.secret_key("AMANAH_TEST_SECRET", file)
