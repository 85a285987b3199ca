"""Importing assessments of assets from a CSV file: all or nothing.

Every row is checked and recorded in one transaction; if any row is wrong, nothing is
written and every wrong row is reported with its line, column and the problem, so the file
can be fixed in one go. Each row is one assessment of an asset already registered, recorded
as `services.asset_assess` records it (and so with its rules: only a monitor's site visit
finds an asset restored).

Columns (a header row names them, in any order; extra columns are ignored):
    code, assessed_on, condition, method, source    required
    note                                            optional, private (the log holds only
                                                    a commitment to it)
`code` is the asset's public code, `assessed_on` a day as YYYY-MM-DD, `condition` one of
destroyed, severe, moderate, possible, undamaged, restored, and `method` one of remote,
site, report.

The humanitarian exchange language (HXL) is understood too: a row of hashtags right under
the header names the columns, whatever the header above it says (see `HXL`). HXL's `#loc`
is the hashtag of a facility, such as a school or a clinic, so an asset is `#loc+code`;
the core hashtags are used where one fits (`#date`, `#status`, `#meta+source`,
`#description`), `#x_method` for the method, as the public assessments download writes
them.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from amanah.accounts.models import Role, User
from amanah.accounts.roles import require_role
from amanah.assets.models import Assessment
from amanah.assets.services import asset_assess
from amanah.core.csvimport import ImportInvalid, RowError, read_rows
from amanah.ledger import services as ledger

__all__ = ["COLUMNS", "HXL", "ImportInvalid", "RowError", "assessments_import"]

COLUMNS = ("code", "assessed_on", "condition", "method", "source", "note")
REQUIRED = ("code", "assessed_on", "condition", "method", "source")
HXL = {
    "#loc+code": "code",
    "#date+assessed": "assessed_on",
    "#date": "assessed_on",
    "#status+condition": "condition",
    "#status": "condition",
    "#x_method": "method",
    "#meta+source": "source",
    "#description": "note",
}
# The service's field names, as the file's columns name them.
_FIELD_COLUMN = {"asset": "code"}
MAX_ROWS = 100_000


def _row_errors(line: int, error: ValidationError) -> list[RowError]:
    if not hasattr(error, "error_dict"):
        return [RowError(line, "", " ".join(error.messages))]
    return [
        RowError(line, _FIELD_COLUMN.get(name, name), " ".join(messages))
        for name, messages in error.message_dict.items()
    ]


@transaction.atomic(durable=True)
def assessments_import(text: str, *, actor: User) -> list[Assessment]:
    """Record every assessment in `text` (CSV), or none; see the module docstring.
    Returns the assessments recorded, in the file's order."""
    require_role(actor, Role.SECRETARIAT, Role.MONITOR)
    ledger.lock_log()
    rows = list(read_rows(text, hxl=HXL, required=REQUIRED))
    if len(rows) > MAX_ROWS:
        raise ImportInvalid(
            [RowError(1, "", _("Import at most {n} rows at a time.").format(n=MAX_ROWS))]
        )
    recorded: list[Assessment] = []
    errors: list[RowError] = []
    for line, row in rows:
        missing = [
            RowError(line, name, _("This value is required."))
            for name in REQUIRED
            if not row.get(name)
        ]
        errors += missing
        if not row.get("code"):
            continue  # no asset to check the rest against
        # Check the row even with a cell missing, so that it shows all its problems at once.
        empty = {error.column for error in missing}
        try:
            with transaction.atomic():
                recorded.append(
                    asset_assess.in_callers_transaction(
                        asset=row["code"],
                        assessed_on=row["assessed_on"],
                        condition=row["condition"],
                        method=row["method"],
                        source=row["source"],
                        note=row.get("note", ""),
                        actor=actor,
                    )
                )
        except ValidationError as error:
            errors += [e for e in _row_errors(line, error) if e.column not in empty]
    if errors:
        raise ImportInvalid(sorted(errors, key=lambda e: (e.line, e.column)))
    return recorded
