"""Create the sequencer and tree-head rows up front.

Writers lock these rows; creating them lazily would let two first writers race on the
insert (one would fail with a duplicate key) before any lock exists to serialise them.
"""

import hashlib

from django.db import migrations

SINGLETON = 1


def create_rows(apps, schema_editor):
    Sequencer = apps.get_model("ledger", "Sequencer")
    TreeHead = apps.get_model("ledger", "TreeHead")
    LogEntry = apps.get_model("ledger", "LogEntry")
    Sequencer.objects.get_or_create(id=SINGLETON, defaults={"next_index": LogEntry.objects.count()})
    TreeHead.objects.get_or_create(
        id=SINGLETON, defaults={"size": 0, "root_hash": hashlib.sha256(b"").digest()}
    )


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]

    operations = [migrations.RunPython(create_rows, migrations.RunPython.noop)]
