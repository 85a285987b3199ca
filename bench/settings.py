"""Settings for the fund benchmark's child processes (bench/fund.py): the production
settings, plus django-simple-history and the models it tracks when the variant is
"history". Nothing else differs, so every variant runs the same configuration."""

from __future__ import annotations

import os

from amanah.settings.base import *  # noqa: F403

if os.environ.get("AMANAH_BENCH_VARIANT") == "history":
    INSTALLED_APPS = [
        *INSTALLED_APPS,  # noqa: F405
        "simple_history",
        # Last, so that its ready() registers the history of models already loaded.
        "bench.history_app.BenchHistoryConfig",
    ]
