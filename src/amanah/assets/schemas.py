"""API schemas of damaged and rebuilt assets. No output names an asset's point (latitude,
longitude) or an assessment's note: both are private, and only the inputs carry them."""

from __future__ import annotations

import datetime

from ninja import Field, Schema

MAX_PAGE = 1000


class AssetListIn(Schema):
    kind: str = Field("", description="housing, school, health, water, road, power or public.")
    governorate: str = Field("", description="An OCHA P-code, like PS0260.")
    condition: str = Field(
        "",
        description="The current condition: destroyed, severe, moderate, possible, undamaged,"
        " restored, or none (never assessed).",
    )
    limit: int = Field(100, ge=1, le=MAX_PAGE, description="At most this many rows.")
    offset: int = Field(0, ge=0, le=1_000_000_000, description="Skip this many rows first.")


class AssetOut(Schema):
    code: str
    name_en: str
    name_ar: str
    kind: str
    governorate: str = Field(description="An OCHA P-code.")
    owner: str | None = Field(description="The owner's or operator's IATI identifier.")
    project: str | None = Field(description="The code of the project rebuilding it.")
    condition: str | None = Field(description="The latest assessment's; null if never assessed.")
    condition_on: datetime.date | None = Field(description="The day of the latest assessment.")
    registered_index: int = Field(description="The log entry that registered it.")


class AssetListOut(Schema):
    assets: list[AssetOut] = Field(description="By governorate, north to south, then code.")
    total: int = Field(description="How many assets match, in all.")
    limit: int
    offset: int


class AssetAssessmentOut(Schema):
    assessed_on: datetime.date
    condition: str
    method: str = Field(description="remote, site or report.")
    source: str = Field(description="Who assessed it, and from what.")
    log_index: int


class AssetDetailOut(AssetOut):
    assessments: list[AssetAssessmentOut] = Field(
        description="Latest first: by day assessed, then by log index."
    )


class AssetTallyOut(Schema):
    destroyed: int
    severe: int
    moderate: int
    possible: int
    undamaged: int
    restored: int
    not_assessed: int
    damaged: int = Field(description="destroyed + severe + moderate.")
    damaged_again: int = Field(description="Found damaged after having been found restored.")
    assets: int


class AssetDamageLineOut(AssetTallyOut):
    governorate: str = Field(description="An OCHA P-code.")


class AssetDamageOut(Schema):
    log_size: int = Field(description="The figures are those of the log's first log_size entries.")
    governorates: list[AssetDamageLineOut] = Field(description="North to south, all five.")
    total: AssetTallyOut


class AssetIn(Schema):
    code: str = Field(description="2 to 40 letters, digits and hyphens: AS-GZA-SCH-0001.")
    kind: str = Field(description="housing, school, health, water, road, power or public.")
    governorate: str = Field(description="An OCHA P-code, like PS0260.")
    name_en: str = ""
    name_ar: str = ""
    owner: str = Field("", description="The owner's or operator's IATI identifier, if any.")
    project: str = Field("", description="The code of the project rebuilding it, if any.")
    latitude: str | None = Field(
        None, description="Decimal degrees, like 31.5017 (private: never published)."
    )
    longitude: str | None = Field(
        None, description="Decimal degrees, like 34.4668 (private: never published)."
    )


class AssetAssessIn(Schema):
    assessed_on: datetime.date
    condition: str = Field(
        description="destroyed, severe, moderate, possible, undamaged or restored (a monitor's"
        " site visit only)."
    )
    method: str = Field(description="remote, site or report.")
    source: str = Field(description="Who assessed it, and from what; never a person's name.")
    note: str = Field("", description="Private: the log holds only a commitment to it.")


class AssetLinkIn(Schema):
    project: str | None = Field(description="The project's code, or null to unlink.")


class AssetImportIn(Schema):
    csv: str = Field(
        description="The file's text: a header row naming the columns (code, assessed_on,"
        " condition, method, source; optionally note) or an HXL hashtag row, then one"
        " assessment per row."
    )


class AssetImportOut(Schema):
    recorded: int = Field(description="Assessments recorded by this import.")
    log_indexes: list[int] = Field(description="Their log entries, in the file's order.")
