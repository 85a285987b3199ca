"""The log as database rows: entries (with their private part), tiles, signed checkpoints.

Entries are appended by `services.record` inside the caller's transaction and integrated
into tiles after commit by `services.integrate_pending`; tiles and checkpoints are derived
data, rebuilt from the entries and checked against what was signed before.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# The one row of each singleton table.
SINGLETON = 1


class LogEntry(models.Model):
    """One logged fact: the exact bytes in the log, and the private part kept out of it."""

    index = models.BigIntegerField(_("index"), primary_key=True)
    kind = models.CharField(_("kind"), max_length=100, db_index=True)
    recorded_at = models.DateTimeField(_("recorded at"))
    actor = models.CharField(_("actor"), max_length=200)
    # The canonical JSON exactly as it appears in the entry bundles.
    entry = models.BinaryField(_("entry bytes"))
    # Never published: the log holds only SHA-256(salt || canonical JSON of this).
    private_data = models.JSONField(_("private data"), null=True, blank=True)
    private_salt = models.BinaryField(_("private salt"), null=True, blank=True)

    class Meta:
        ordering = ["index"]
        verbose_name = _("log entry")
        verbose_name_plural = _("log entries")
        constraints = [
            models.CheckConstraint(
                condition=Q(index__gte=0), name="ledger_entry_index_non_negative"
            ),
            models.CheckConstraint(
                condition=Q(private_data__isnull=True, private_salt__isnull=True)
                | Q(private_data__isnull=False, private_salt__isnull=False),
                name="ledger_entry_private_data_has_salt",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.index} {self.kind}"


class Sequencer(models.Model):
    """The next free index. Writers lock this row, so indexes are dense and unique."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON)
    next_index = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(id=SINGLETON), name="ledger_sequencer_singleton"),
            models.CheckConstraint(
                condition=Q(next_index__gte=0), name="ledger_sequencer_non_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"next index {self.next_index}"


class TreeHead(models.Model):
    """How far entries are integrated into tiles. Its own row, so integrating never waits
    for writers and writers never wait for integration."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON)
    size = models.BigIntegerField(default=0)
    root_hash = models.BinaryField(max_length=32)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(id=SINGLETON), name="ledger_treehead_singleton"),
        ]

    def __str__(self) -> str:
        return f"tree of {self.size} entries"


class LogTile(models.Model):
    """A tile or entry bundle by its c2sp.org/tlog-tiles path, and the published checkpoint."""

    path = models.CharField(max_length=80, primary_key=True)
    data = models.BinaryField()

    def __str__(self) -> str:
        return self.path


class SignedCheckpoint(models.Model):
    """Every checkpoint the log key signed: the history a verifier can be shown."""

    size = models.BigIntegerField(_("size"), unique=True)
    root_hash = models.BinaryField(_("root hash"), max_length=32)
    note = models.TextField(_("signed note"))
    signed_at = models.DateTimeField(_("signed at"))

    class Meta:
        ordering = ["-size"]
        verbose_name = _("signed checkpoint")
        verbose_name_plural = _("signed checkpoints")

    def __str__(self) -> str:
        return f"checkpoint {self.size}"
