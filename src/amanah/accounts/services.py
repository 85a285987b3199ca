"""Writes to accounts: creating, checking and revoking API tokens.

User management is not a public fact. These services never call `ledger.record`, and no
name, email or username from here may be passed to it: personal data stays out of the
transparency log (DESIGN.md, "Do no harm with data").

A token is `amanah_` followed by 43 URL-safe base64 characters (256 random bits). The tag
lets secret scanners and people recognise a leaked token; the first 8 random characters
are kept as a `prefix` to find the row; only the token's SHA-256 is stored, and compared
in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from amanah.accounts.models import ApiToken, User

__all__ = ["api_token_authenticate", "api_token_create", "api_token_revoke"]

_TAG = "amanah_"
_RANDOM_BYTES = 32
_TOKEN = re.compile(r"amanah_[A-Za-z0-9_-]{43}")
_PREFIX_LENGTH = len(_TAG) + 8
# Recording every use would turn each API read into a write; a minute is precise enough.
_TOUCH_INTERVAL = timedelta(minutes=1)


def _digest(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode("ascii")).hexdigest()


@transaction.atomic(durable=True)
def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """A new token for `user`, and the token itself: show it once, it is not kept."""
    plaintext = _TAG + secrets.token_urlsafe(_RANDOM_BYTES)
    token = ApiToken(
        user=user, name=name, prefix=plaintext[:_PREFIX_LENGTH], token_hash=_digest(plaintext)
    )
    token.full_clean()
    token.save()
    return token, plaintext


@transaction.atomic(durable=True)
def api_token_revoke(*, token: ApiToken) -> ApiToken:
    """Refuse `token` from now on. Revoking twice keeps the first time."""
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token.refresh_from_db(fields=["revoked_at"])
    return token


def api_token_authenticate(*, plaintext: str) -> User | None:
    """The active user whose live token `plaintext` is, or None; notes when it was used.

    One conditional UPDATE at most, atomic on its own, so no transaction is opened.
    """
    if not _TOKEN.fullmatch(plaintext):
        return None
    digest = _digest(plaintext)
    candidates = ApiToken.objects.filter(
        prefix=plaintext[:_PREFIX_LENGTH], revoked_at__isnull=True, user__is_active=True
    ).select_related("user")
    for token in candidates:
        if hmac.compare_digest(token.token_hash, digest):
            _touch(token, timezone.now())
            return token.user
    return None


def _touch(token: ApiToken, now: datetime) -> None:
    """Set `last_used_at`, unless it was set less than `_TOUCH_INTERVAL` ago."""
    if token.last_used_at is not None and now - token.last_used_at < _TOUCH_INTERVAL:
        return
    stale = Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - _TOUCH_INTERVAL)
    # Conditional, so that workers racing on the same token write once.
    ApiToken.objects.filter(stale, pk=token.pk).update(last_used_at=now)
