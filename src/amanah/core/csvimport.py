"""Reading a CSV file for an all-or-nothing import: the header (or an HXL hashtag row),
the data rows with their line numbers, and the errors that name a line and a column.

Each import (the fund's contributions, the access programme's consignments) decides what
its columns mean and records the rows itself; this is only the reading they share.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

__all__ = ["ImportInvalid", "RowError", "read_rows"]


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

    def problems(self) -> dict[str, str]:
        """The errors as an API's fields: "line N: column" -> every message about it."""
        found: dict[str, str] = {}
        for row in self.errors:
            where = _("line {line}: {column}").format(line=row.line, column=row.column or "csv")
            found[where] = " ".join(filter(None, [found.get(where), row.message]))
        return found


def _is_hashtag_row(values: list[str]) -> bool:
    filled = [value.strip() for value in values if value.strip()]
    return bool(filled) and all(value.startswith("#") for value in filled)


def read_rows(
    text: str, *, hxl: Mapping[str, str], required: Sequence[str]
) -> Iterator[tuple[int, dict[str, str]]]:
    """(line, {column: value}) per non-empty data row. Column names are lower-cased, or
    mapped from their HXL hashtag by `hxl`; raises `ImportInvalid` for an empty file, a
    header without the `required` columns, or a row longer than the header."""

    def normalise(name: str) -> str:
        return hxl.get(name.strip().lower().replace(" ", ""), name.strip().lower())

    lines = list(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline="")))
    if not lines:
        raise ImportInvalid([RowError(1, "", _("The file is empty."))])
    header, first_data = lines[0], 2
    if len(lines) > 1 and _is_hashtag_row(lines[1]):
        # HXL: the hashtags name the columns, whatever the human header says.
        header, first_data = lines[1], 3
    columns = [normalise(name) for name in header]
    missing = [name for name in required if name not in columns]
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
