"""API schemas of organisations, one per operation. Only the public fields
(`selectors.PUBLIC_FIELDS`) go out: they are what the log publishes anyway."""

from __future__ import annotations

from typing import Any

from ninja import Field, Schema
from pydantic import ConfigDict

__all__ = ["OrganisationChangesIn", "OrganisationIn", "OrganisationListOut", "OrganisationOut"]


class OrganisationOut(Schema):
    iati_identifier: str = Field(description="Like XM-DAC-41114: agency prefix, then number.")
    organisation_type: str = Field(description="The IATI OrganisationType code.")
    name_en: str = Field(description="Empty when the organisation has no English name.")
    name_ar: str = Field(description="Empty when the organisation has no Arabic name.")
    country: str = Field(description="ISO 3166-1 alpha-2; PS for Palestine.")
    is_palestinian: bool = Field(description="A Palestinian ministry, municipality or NGO.")


class OrganisationListOut(Schema):
    organisations: list[OrganisationOut] = Field(description="By IATI identifier.")


class OrganisationIn(Schema):
    iati_identifier: str = Field(max_length=100)
    organisation_type: str = Field(max_length=10, description="The IATI OrganisationType code.")
    name_en: str = Field("", max_length=300, description="A name in one language at least.")
    name_ar: str = Field("", max_length=300)
    country: str = Field(max_length=2, description="ISO 3166-1 alpha-2 in capitals.")
    is_palestinian: bool


class OrganisationChangesIn(Schema):
    """Only the fields sent change. The IATI identifier never does: the log names the
    organisation by it, so sending it is an error rather than silently ignored."""

    model_config = ConfigDict(extra="forbid")

    organisation_type: str | None = Field(None, max_length=10)
    name_en: str | None = Field(None, max_length=300)
    name_ar: str | None = Field(None, max_length=300)
    country: str | None = Field(None, max_length=2)
    is_palestinian: bool | None = None

    def changes(self) -> dict[str, Any]:
        return self.dict(exclude_unset=True)
