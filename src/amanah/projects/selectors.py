"""Reads of projects."""

from __future__ import annotations

from django.db.models import QuerySet

from amanah.projects.models import Project

__all__ = ["project_list", "project_public"]


def project_list() -> QuerySet[Project]:
    return Project.objects.select_related("lead").order_by("code")


def project_public(project: Project) -> dict[str, str]:
    """What the log says about a project: every field here is public."""
    return {
        "project": str(project.id),
        "code": project.code,
        "title_en": project.title_en,
        "title_ar": project.title_ar,
        "lead": project.lead.iati_identifier,
        "sector": project.sector,
        "governorate": project.governorate,
    }
