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

import csv
import io
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from amanah.accounts.models import Role, User
from amanah.accounts.roles import require_role
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


@dataclass(frozen=True)
class RowError:
    line: int  # the line in the file, counting the header as line 1
    column: str
    message: str

    def to_json(self) -> dict[str, object]:
        return {"line": self.line, "column": self.column, "message": self.message}


class ImportInvalid(Exception):
    """The file, or some of its rows, cannot be imported; nothing was written."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} problem(s) in the file")
        self.errors = errors


@dataclass
class ImportResult:
    recorded: int = 0
    already_recorded: int = 0
    contributions: list[Contribution] = field(default_factory=list)


def _is_hashtag_row(values: list[str]) -> bool:
    filled = [value.strip() for value in values if value.strip()]
    return bool(filled) and all(value.startswith("#") for value in filled)


def _normalise(name: str) -> str:
    return HXL.get(name.strip().lower().replace(" ", ""), name.strip().lower())


def _rows(text: str) -> Iterator[tuple[int, dict[str, str]]]:
    """(line, {column: value}) per data row; raises ImportInvalid for a bad header."""
    lines = list(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline="")))
    if not lines:
        raise ImportInvalid([RowError(1, "", _("The file is empty."))])
    header, first_data = lines[0], 2
    if len(lines) > 1 and _is_hashtag_row(lines[1]):
        # HXL: the hashtags name the columns, whatever the human header says.
        header, first_data = lines[1], 3
    columns = [_normalise(name) for name in header]
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        raise ImportInvalid(
            [
                RowError(1, name, _("The header has no {column} column.").format(column=name))
                for name in missing
            ]
        )
    for line, values in enumerate(lines[first_data - 1 :], start=first_data):
        if not any(value.strip() for value in values):
            continue
        if len(values) > len(columns):
            raise ImportInvalid(
                [RowError(line, "", _("This row has more values than the header has columns."))]
            )
        yield line, {name: value.strip() for name, value in zip(columns, values, strict=False)}


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
    rows = list(_rows(text))
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
