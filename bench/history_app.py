"""The bench's tiny app for the "django-simple-history" variant (bench/fund.py).

It tracks the fund's and the board's models with django-simple-history, as a Django
developer would by putting `history = HistoricalRecords()` on each of them: the history
models live in the tracked model's own app (`funds_historicalcontribution`, ...). They have
no migrations; bench/fund.py creates their tables with the schema editor.
"""

from __future__ import annotations

from django.apps import AppConfig, apps

# Every model whose rows the log's entries describe: the fund's facts and balances, the
# board's motions and set-up, the organisations and projects. Not the journal and its
# postings: they are append-only and derived from the facts, and a history of an
# append-only table repeats it.
TRACKED = [
    ("funds", "FxRate"),
    ("funds", "Pledge"),
    ("funds", "Commitment"),
    ("funds", "Contribution"),
    ("funds", "Conversion"),
    ("funds", "Allocation"),
    ("funds", "AllocationDraw"),
    ("funds", "Disbursement"),
    ("funds", "Expenditure"),
    ("funds", "Refund"),
    ("funds", "Reversal"),
    ("funds", "AccountBalance"),
    ("governance", "Seat"),
    ("governance", "SeatHolder"),
    ("governance", "BoardKey"),
    ("governance", "QuorumPolicy"),
    ("governance", "Motion"),
    ("governance", "MotionSignature"),
    ("governance", "MotionRefusal"),
    ("orgs", "Organisation"),
    ("projects", "Project"),
]


class BenchHistoryConfig(AppConfig):
    name = "bench.history_app"
    label = "bench_history"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        import simple_history

        for app_label, model_name in TRACKED:
            simple_history.register(apps.get_model(app_label, model_name))


def history_models() -> list[type]:
    """The history models registered above, for creating their tables."""
    return [apps.get_model(a, m).history.model for a, m in TRACKED]
