"""Every setting, read from the environment with a safe default.

`make run` needs no environment at all: SQLite, a generated secret key and the demo log
all live in `var/` at the repository root. A deployment sets `AMANAH_*` variables and
`DATABASE_URL`; nothing else should need editing here.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.utils.translation import gettext_lazy as _

from amanah.settings import env

# src/amanah/settings/base.py -> the repository root holds src/, locale/ and var/.
REPO_DIR = Path(__file__).resolve().parents[3]
AMANAH_VAR_DIR = env.path("AMANAH_VAR_DIR", REPO_DIR / "var")

SECRET_KEY = env.secret_key("AMANAH_SECRET_KEY", AMANAH_VAR_DIR / "secret-key")
DEBUG = env.boolean("AMANAH_DEBUG", False)
ALLOWED_HOSTS = env.strings("AMANAH_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.strings("AMANAH_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    # Before staticfiles, so that runserver serves static files the way production does.
    "whitenoise.runserver_nostatic",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    # Serves Swagger UI from our own static files (no CDN) and adds `export_openapi_schema`.
    "ninja",
    # The simple config: the loaders are set explicitly in TEMPLATES below.
    "template_partials.apps.SimpleAppConfig",
    "amanah.core",
    "amanah.ledger",
    "amanah.orgs",
    "amanah.accounts",
    "amanah.governance",
    "amanah.projects",
    "amanah.funds",
    "amanah.rounds",
    "amanah.monitoring",
    "amanah.access",
    "amanah.materials",
    "amanah.assets",
    "amanah.inbox",
    "amanah.portal",
    "amanah.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "amanah.core.middleware.content_security_policy",
    # WhiteNoise answers static requests itself, pre-compressed, before anything below runs.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Above everything that writes bodies, so that it compresses their final form.
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "amanah.urls"
WSGI_APPLICATION = "amanah.wsgi.application"

TEMPLATES: list[dict[str, Any]] = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "amanah.core.context_processors.language_choices",
            ],
            "loaders": [
                (
                    "template_partials.loader.Loader",
                    [
                        (
                            "django.template.loaders.cached.Loader",
                            [
                                "django.template.loaders.filesystem.Loader",
                                "django.template.loaders.app_directories.Loader",
                            ],
                        )
                    ],
                )
            ],
            "builtins": ["template_partials.templatetags.partials"],
        },
    }
]

_SQLITE: dict[str, Any] = {
    "ENGINE": "django.db.backends.sqlite3",
    "NAME": AMANAH_VAR_DIR / "amanah.sqlite3",
    "OPTIONS": {
        # Take the write lock when a transaction starts: a deferred transaction that later
        # writes fails at once with "database is locked" instead of waiting its turn.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        # WAL lets readers (gunicorn's other workers) go on while one transaction writes.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    },
}
DATABASES = {"default": env.database("DATABASE_URL") or _SQLITE}
# Transactions are explicit, one per service; a request-wide one would hide them.
ATOMIC_REQUESTS = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "portal:login"
# After logging in, people start where their work waits for them.
LOGIN_REDIRECT_URL = "portal:workspace"
LOGOUT_REDIRECT_URL = "portal:home"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ar", _("Arabic"))]
LOCALE_PATHS = [REPO_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = AMANAH_VAR_DIR / "static"
# Bootstrap's compiled CSS, as `make setup` installs it from the npm registry (never a CDN):
# only its dist/css directory is served, as static/vendor/bootstrap/, nothing else of
# node_modules/. Pages link bootstrap.min.css, or bootstrap.rtl.min.css in Arabic.
STATICFILES_DIRS = [("vendor/bootstrap", REPO_DIR / "node_modules" / "bootstrap" / "dist" / "css")]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed names let browsers cache static files for ever; WhiteNoise serves them gzipped.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Security headers. HTTPS-only settings wait for AMANAH_HTTPS, because `make run` serves
# plain HTTP on 127.0.0.1 and secure cookies would break its forms.
AMANAH_HTTPS = env.boolean("AMANAH_HTTPS", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = AMANAH_HTTPS
CSRF_COOKIE_SECURE = AMANAH_HTTPS
LANGUAGE_COOKIE_SECURE = AMANAH_HTTPS
SECURE_SSL_REDIRECT = AMANAH_HTTPS
SECURE_HSTS_SECONDS = env.integer("AMANAH_HSTS_SECONDS", 31_536_000 if AMANAH_HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = False
# Only a proxy that always sets X-Forwarded-Proto may be trusted with it.
if env.boolean("AMANAH_BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
AMANAH_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)

_LOG_LEVEL = env.choice("AMANAH_LOG_LEVEL", "INFO", ["DEBUG", "INFO", "WARNING", "ERROR"])
LOGGING: dict[str, Any] = {
    # Django's default sends errors nowhere when DEBUG is off; gunicorn shows stderr.
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "{levelname} {name}: {message}", "style": "{"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["stderr"], "level": _LOG_LEVEL},
    # Replaces Django's own handlers, which would print everything twice when DEBUG is on.
    "loggers": {"django": {"handlers": ["stderr"], "level": _LOG_LEVEL, "propagate": False}},
}

# The log's Ed25519 signing key; created on first use (mode 0600) when the file is missing.
AMANAH_LOG_KEY_FILE = env.path("AMANAH_LOG_KEY_FILE", AMANAH_VAR_DIR / "log-signer.key")
AMANAH_LOG_ORIGIN = env.string("AMANAH_LOG_ORIGIN", "localhost/amanah-demo")
# New entries are integrated into the tiles, and a checkpoint signed, in batches: after a
# commit once this many are pending, or the oldest pending one is this old; and whenever
# someone reads the log (its checkpoint, an entry's page or receipt, the API, an export).
# Integrating after every single commit costs more than the entries themselves
# (docs/benchmarks.md). 1 entry: after every commit.
AMANAH_LOG_BATCH_ENTRIES = env.integer("AMANAH_LOG_BATCH_ENTRIES", 64, minimum=1)
AMANAH_LOG_BATCH_SECONDS = env.integer("AMANAH_LOG_BATCH_SECONDS", 2, minimum=0)

# Humanitarian access: public figures and the log's published events wait this long after
# the event, so that nothing public tells where a convoy is now (docs/access.md).
AMANAH_ACCESS_PUBLIC_DELAY = timedelta(hours=env.integer("AMANAH_ACCESS_PUBLIC_DELAY_HOURS", 24))

# The largest evidence file (photo, invoice, certificate) a partner or monitor may upload.
AMANAH_EVIDENCE_MAX_BYTES = env.integer("AMANAH_EVIDENCE_MAX_BYTES", 10 * 1024 * 1024, minimum=1)

# Construction materials: a project's material from a vendor whose unaccounted gap is more
# than this fraction of what it received raises a public flag (docs/materials.md).
AMANAH_MATERIALS_TOLERANCE = Decimal("0.02")
# Material released to a contractor is on site, not unaccounted, for this many days: a
# partner reports use when the work is done, not on the day it arrived. After that, what
# is neither reported used nor returned nor lost counts towards the gap above.
AMANAH_MATERIALS_ON_SITE_DAYS = env.integer("AMANAH_MATERIALS_ON_SITE_DAYS", 30)
