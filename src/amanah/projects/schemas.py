"""API schemas of projects, one per operation: only the public fields, which the log
publishes anyway (`selectors.project_public`)."""

from __future__ import annotations

import uuid
from typing import Any

from ninja import Field, Schema

from amanah.projects.models import Project

__all__ = ["ProjectIn", "ProjectListOut", "ProjectOut", "project_out"]


class ProjectIn(Schema):
    code: str = Field(max_length=40, description="A short public reference, like GZ-HOU-0001.")
    title_en: str = Field("", max_length=300, description="A title in one language at least.")
    title_ar: str = Field("", max_length=300)
    lead: str = Field(max_length=150, description="IATI identifier of a Palestinian body.")
    sector: str = Field(max_length=20, description="A sector code, like housing.")
    governorate: str = Field(max_length=10, description="A governorate P-code, like PS0270.")


class ProjectOut(Schema):
    id: uuid.UUID
    code: str
    title_en: str
    title_ar: str
    lead: str = Field(description="The lead organisation's IATI identifier.")
    sector: str
    governorate: str
    status: str = Field(description="active or closed.")
    registered_index: int = Field(description="Index of its `project.registered` entry.")


class ProjectListOut(Schema):
    projects: list[ProjectOut] = Field(description="By code.")


def project_out(project: Project) -> dict[str, Any]:
    return {
        "id": project.id,
        "code": project.code,
        "title_en": project.title_en,
        "title_ar": project.title_ar,
        "lead": project.lead.iati_identifier,
        "sector": project.sector,
        "governorate": project.governorate,
        "status": project.status,
        "registered_index": project.registered_index,
    }
