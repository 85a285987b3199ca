"""Fixtures shared by the Django tests. Django is imported inside them, so the
transparency tests below this directory still run with Django uninstalled."""

from __future__ import annotations

from collections.abc import Iterator
from io import StringIO
from pathlib import Path

import pytest


@pytest.fixture
def var_dir(tmp_path: Path) -> Iterator[Path]:
    """A fresh `var/` for one test, with the log directory inside it."""
    from django.test import override_settings

    with override_settings(AMANAH_VAR_DIR=tmp_path, AMANAH_LOG_DIR=tmp_path / "log"):
        yield tmp_path


@pytest.fixture
def demo_log(var_dir: Path) -> Path:
    """The log `make run` shows: `load_demo` run once; returns the log directory."""
    from django.core.management import call_command

    call_command("load_demo", stdout=StringIO())
    return var_dir / "log"
