"""Importing contributions from a bank statement or a donor's CSV: all or nothing.

Every row is checked and recorded in one transaction; if any row is wrong, nothing is
written and every wrong row is reported with its line number, the column and the problem,
so a finance officer can fix the file in one go. Importing the same file again records
nothing new: a contribution is known by its donor and bank reference, which a bank never
gives twice.

Columns (a header row names them, in any order; extra columns are ignored):
    donor, amount, currency, date, bank_reference    required
    sector, governorate, commitment                   optional
The humanitarian exchange language (HXL) is understood too: a row of hashtags right under
the header (`#org+donor`, `#value`, `#currency`, `#date`, `#x_bank_reference`, `#sector`,
`#adm2+code`, `#x_commitment`) names the columns, whatever the header above it says, and
a file whose only header is the hashtag row works as well.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from amanah.accounts.models import Role, User
from amanah.accounts.roles import require_role
from amanah.core.csvimport import ImportInvalid, RowError, read_rows
from amanah.funds.models import Contribution
from amanah.funds.services import contribution_record
from amanah.ledger import services as ledger

__all__ = ["COLUMNS", "ImportInvalid", "ImportResult", "RowError", "contribution_import"]

COLUMNS = (
    "donor",
    "amount",
    "currency",
    "date",
    "bank_reference",
    "sector",
    "governorate",
    "commitment",
)
REQUIRED = ("donor", "amount", "currency", "date", "bank_reference")
HXL = {
    "#org+donor": "donor",
    "#value": "amount",
    "#currency": "currency",
    "#date": "date",
    "#x_bank_reference": "bank_reference",
    "#sector": "sector",
    "#adm2+code": "governorate",
    "#x_commitment": "commitment",
}
# The service's field names, as the file's columns name them.
_FIELD_COLUMN = {"on": "date", "sector": "sector", "governorate": "governorate"}
MAX_ROWS = 200_000

Progress = Callable[[int, int], None]


@dataclass
class ImportResult:
    recorded: int = 0
    already_recorded: int = 0
    contributions: list[Contribution] = field(default_factory=list)


def _row_errors(line: int, error: ValidationError) -> list[RowError]:
    if not hasattr(error, "error_dict"):
        return [RowError(line, "", " ".join(error.messages))]
    return [
        RowError(line, _FIELD_COLUMN.get(name, name), " ".join(messages))
        for name, messages in error.message_dict.items()
    ]


@transaction.atomic(durable=True)
def contribution_import(
    text: str, *, actor: User, progress: Progress | None = None
) -> ImportResult:
    """Record every new contribution in `text` (CSV), or none; see the module docstring."""
    require_role(actor, Role.SECRETARIAT)
    ledger.lock_log()
    rows = list(read_rows(text, hxl=HXL, required=REQUIRED))
    if len(rows) > MAX_ROWS:
        raise ImportInvalid(
            [RowError(1, "", _("Import at most {n} rows at a time.").format(n=MAX_ROWS))]
        )
    result, errors = ImportResult(), []
    seen: dict[tuple[str, str], int] = {}
    for done, (line, row) in enumerate(rows, start=1):
        row_errors = [
            RowError(line, name, _("This value is required."))
            for name in REQUIRED
            if not row.get(name)
        ]
        key = (row.get("donor", ""), row.get("bank_reference", ""))
        if not row_errors and key in seen:
            row_errors.append(
                RowError(
                    line,
                    "bank_reference",
                    _("This bank reference is already on line {line} of this file.").format(
                        line=seen[key]
                    ),
                )
            )
        if row_errors:
            errors += row_errors
        elif Contribution.objects.filter(
            donor__iati_identifier=key[0], bank_reference=key[1]
        ).exists():
            result.already_recorded += 1
        else:
            seen[key] = line
            try:
                with transaction.atomic():
                    result.contributions.append(_record(row, actor))
                    result.recorded += 1
            except ValidationError as error:
                errors += _row_errors(line, error)
        if progress is not None:
            progress(done, len(rows))
    if errors:
        raise ImportInvalid(errors)
    return result


def _record(row: Mapping[str, str], actor: User) -> Contribution:
    return contribution_record.in_callers_transaction(
        donor=row["donor"],
        amount=row["amount"],
        currency=row["currency"],
        on=row["date"],
        sector=row.get("sector") or None,
        governorate=row.get("governorate") or None,
        commitment=row.get("commitment") or None,
        bank_reference=row["bank_reference"],
        actor=actor,
    )
