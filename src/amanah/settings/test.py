"""Settings for the test suite: the base settings, made fast and kept out of `var/`.

The variable directory is a fresh temporary directory, set in the environment before
`base` reads it, so that the generated secret key, the SQLite file and any log the tests
create never touch the developer's `var/` (and subprocesses the tests start agree).
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

_VAR_DIR = tempfile.mkdtemp(prefix="amanah-test-")
atexit.register(shutil.rmtree, _VAR_DIR, ignore_errors=True)
os.environ["AMANAH_VAR_DIR"] = _VAR_DIR
# A log directory from the developer's shell would otherwise leak into the tests.
os.environ.pop("AMANAH_LOG_DIR", None)

from amanah.settings.base import *  # noqa: E402, F403

# Always SQLite (in memory while testing), whatever DATABASE_URL the shell exports:
# PostgreSQL tests get their own throwaway cluster from amanah.testing.postgres.
DATABASES = {
    "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": AMANAH_VAR_DIR / "test.sqlite3"}  # noqa: F405
}
# Hashing passwords slowly on purpose is the point in production and a waste in tests.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The manifest needs `collectstatic`; tests render templates without running it.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# WhiteNoise warns (an error under pytest) when STATIC_ROOT is missing; tests never fill it.
STATIC_ROOT.mkdir(exist_ok=True)  # noqa: F405
# Integrate after every commit, as the tests expect an entry's checkpoint at once; the
# batching itself is tested with its own settings (tests/ledger/test_ledger_batches.py).
AMANAH_LOG_BATCH_ENTRIES = 1
AMANAH_LOG_BATCH_SECONDS = 0
