"""Milestones and monitoring: every write, each in one durable transaction with its log
entry (the fund's `service` pattern; `.in_callers_transaction` for the demo loader).

    milestone_define      the secretariat, from the project's plan     milestone.defined
    milestone_report      partner staff of the project's lead          milestone.reported
    milestone_verify      a monitor, after visiting the site           milestone.verified
    indicator_set         the secretariat or the lead's partner staff  indicator.updated
    notification_mark_read  the secretariat                            (not logged)

A milestone is planned, then reported; a monitor's verification passes it (verified),
finds it partly done (partial: the partner reports again) or fails it (failed: the
secretariat is notified, and no tranche of its allocation can be prepared until a later
report passes). A pass prepares the milestone's tranche for the board through
`funds.services.disbursement_prepare_for_milestone`, together with the tranches of
earlier passes that a failure held back. Bad input raises a ValidationError naming the
field; a user without the role raises `RoleRequired`.

Partner staff are logged as their organisation (`org:<IATI id>`), with a salted commitment
to the user; monitors and the secretariat as `user:<id>`. A visit's exact GPS point stays
in the database (and in a commitment); the log has it rounded to about 100 m.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Generic, TypeVar

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from amanah.accounts.models import Role, User
from amanah.accounts.roles import require_role
from amanah.funds import services as funds
from amanah.funds.models import Allocation, Disbursement, MoveStatus
from amanah.funds.money import Money, MoneyError
from amanah.funds.services import money_problem
from amanah.ledger import services as ledger
from amanah.ledger.services import service
from amanah.monitoring import evidence as storage
from amanah.monitoring.models import (
    PUBLIC_BY_DEFAULT,
    EvidenceFile,
    EvidenceKind,
    Indicator,
    Milestone,
    MilestoneStatus,
    Notification,
    NotificationKind,
    ProgressReport,
    Verification,
    VerificationResult,
    public_point,
)
from amanah.projects.models import Project
from amanah.projects.selectors import risk_level_name, risk_terms_for

__all__ = [
    "Filed",
    "allocation_blocked_check",
    "indicator_set",
    "milestone_define",
    "milestone_report",
    "milestone_verify",
    "notification_mark_read",
]

T = TypeVar("T")
Evidence = Sequence[tuple[str, storage.Upload]]  # (kind, upload)

# The Gaza Strip's bounding box, generously: a visit's point must fall inside it.
_LATITUDES = (Decimal("31.20"), Decimal("31.62"))
_LONGITUDES = (Decimal("34.19"), Decimal("34.58"))
_POINT_PLACES = Decimal("0.000001")
_OPEN_TO_REPORT = (
    MilestoneStatus.PLANNED,
    MilestoneStatus.REPORTED,
    MilestoneStatus.PARTIAL,
    MilestoneStatus.FAILED,
)


@dataclass(frozen=True)
class Filed(Generic[T]):
    """A report or verification, and which of its files the fund already held."""

    row: T
    duplicates: tuple[str, ...]  # SHA-256 of files stored before this upload


def _invalid(field: str, message: str, code: str = "invalid") -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def _user(actor: User) -> str:
    return f"user:{actor.pk}"


def _organisation(actor: User) -> str:
    return f"org:{actor.organisation_iati_id}"


# --- input -------------------------------------------------------------------------------


def _date(value: object, field: str, *, future: bool = False) -> datetime.date:
    if isinstance(value, str):
        try:
            value = datetime.date.fromisoformat(value.strip())
        except ValueError:
            raise _invalid(field, _("Give the date as YYYY-MM-DD.")) from None
    if isinstance(value, datetime.datetime) or not isinstance(value, datetime.date):
        raise _invalid(field, _("Give the date as YYYY-MM-DD."))
    if not future and value > timezone.now().date():
        raise _invalid(field, _("The date cannot be in the future."))
    return value


def _text(value: object, field: str, message: str, limit: int = 0) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise _invalid(field, message)
    if limit and len(text) > limit:
        raise _invalid(field, _("Too long: the maximum length is {max_length}.").format(
            max_length=limit))  # fmt: skip
    return text


def _decimal(
    value: object, field: str, *, required: bool = True, places: int = 4
) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise _invalid(field, _("Give a number, like 120 or 35.5."))
        return None
    if isinstance(value, float | bool) or not isinstance(value, str | Decimal | int):
        raise _invalid(field, _("Give a number, like 120 or 35.5."))
    try:
        number = Decimal(value.strip() if isinstance(value, str) else value)
    except InvalidOperation:
        raise _invalid(field, _("Give a number, like 120 or 35.5.")) from None
    exponent = number.as_tuple().exponent
    if not number.is_finite() or (isinstance(exponent, int) and exponent < -places):
        raise _invalid(
            field, _("Give a number with at most {places} decimal places.").format(places=places)
        )
    if abs(number) >= Decimal("1e14"):
        raise _invalid(field, _("This number is too large."))
    return number


def _tranche(amount: object, currency: str) -> Money:
    if isinstance(amount, float | bool) or not isinstance(amount, str | Decimal | int):
        raise _invalid("tranche", _("Give the amount as a decimal number, like 1250.50."))
    try:
        money = (
            Money.parse(amount.strip(), currency)
            if isinstance(amount, str)
            else Money(Decimal(amount), currency)
        )
    except (MoneyError, InvalidOperation) as error:
        raise _invalid("tranche", money_problem(error)[1]) from None
    if money.is_zero() or money.is_negative():
        raise _invalid("tranche", _("The amount must be more than zero."))
    return money


def _point(latitude: object, longitude: object) -> tuple[Decimal, Decimal] | None:
    lat = _decimal(latitude, "latitude", required=False, places=6)
    lon = _decimal(longitude, "longitude", required=False, places=6)
    if lat is None and lon is None:
        return None
    message = _("Give the point in the Gaza Strip in decimal degrees, like 31.5017, 34.4668.")
    if lat is None or not _LATITUDES[0] <= lat <= _LATITUDES[1]:
        raise _invalid("latitude", message)
    if lon is None or not _LONGITUDES[0] <= lon <= _LONGITUDES[1]:
        raise _invalid("longitude", message)
    return lat.quantize(_POINT_PLACES), lon.quantize(_POINT_PLACES)


def _project(code: object) -> Project:
    found = Project.objects.select_related("lead").filter(code=str(code or "")).first()
    if found is None:
        raise _invalid("project", _("Name a registered project by its code."))
    return found


def _milestone(value: object) -> Milestone:
    try:
        pk = value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        pk = None
    found = (
        Milestone.objects.select_for_update()
        .select_related("project__lead", "allocation")
        .filter(pk=pk)
        .first()
        if pk
        else None
    )
    if found is None:
        raise _invalid("milestone", _("Name a defined milestone."))
    return found


def _leads(actor: User, project: Project) -> bool:
    return (
        actor.role == Role.PARTNER_STAFF
        and actor.organisation_iati_id == project.lead.iati_identifier
    )


# --- milestones --------------------------------------------------------------------------


@service
def milestone_define(
    *,
    project: str,
    deliverable_en: str,
    deliverable_ar: str,
    due: object,
    allocation: uuid.UUID | str,
    tranche: object,
    number: int | None = None,
    actor: User,
) -> Milestone:
    """Add a milestone to a project's plan: a deliverable, its due date, and the tranche of
    an approved allocation of the project that its verification releases."""
    require_role(actor, Role.SECRETARIAT)
    target = _project(project)
    english = _text(deliverable_en, "deliverable_en", _("Say what will be delivered."), 500)
    arabic = _text(deliverable_ar, "deliverable_ar", _("Say what will be delivered."), 500)
    day = _date(due, "due", future=True)
    try:
        allocation_id = uuid.UUID(str(allocation))
    except ValueError:
        allocation_id = None
    source = (
        Allocation.objects.filter(
            pk=allocation_id, project=target, status=MoveStatus.APPROVED
        ).first()
        if allocation_id
        else None
    )
    if source is None:
        raise _invalid(
            "allocation", _("Name an allocation of this project that the board approved.")
        )
    money = _tranche(tranche, source.currency)
    planned = source.milestones.aggregate(total=Sum("tranche_minor"))["total"] or 0
    if planned + money.minor > source.amount_minor:
        left = Money.from_minor(source.amount_minor - planned, source.currency)
        raise _invalid(
            "tranche",
            _("The allocation's other milestones leave only {left} to release.").format(left=left),
            "insufficient",
        )
    taken = target.milestones.aggregate(top=Max("number"))["top"] or 0
    if number is None:
        number = taken + 1
    elif not isinstance(number, int) or number < 1:
        raise _invalid("number", _("Give the milestone's number as a whole number from 1."))
    elif target.milestones.filter(number=number).exists():
        raise _invalid("number", _("This project already has a milestone with this number."))
    milestone = Milestone(
        id=uuid.uuid4(),
        project=target,
        number=number,
        deliverable_en=english,
        deliverable_ar=arabic,
        due=day,
        allocation=source,
        tranche_minor=money.minor,
        currency=money.currency,
        defined_index=0,
    )
    data = {
        "milestone": str(milestone.id),
        "project": target.code,
        "number": number,
        "deliverable": {"en": english, "ar": arabic},
        "due": day.isoformat(),
        "allocation": str(source.id),
        "tranche": money.to_json(),
    }
    milestone.defined_index = ledger.record("milestone.defined", data, actor=_user(actor)).index
    milestone.save()
    return milestone


def _file_evidence(
    evidence: Evidence, public: Mapping[str, bool] | None
) -> tuple[list[EvidenceFile], tuple[str, ...]]:
    """Store each upload and find or add its row. A file already held is reused (and
    reported as a duplicate); it becomes private if this use says so, never public."""
    overrides = dict(public or {})
    files: dict[str, EvidenceFile] = {}
    duplicates: list[str] = []
    for kind, upload in evidence:
        if kind not in EvidenceKind.values:
            raise _invalid("evidence", _("Say what each file is: a photo, an invoice, a"
                                         " certificate or another document."))  # fmt: skip
        stored = storage.store(upload)
        is_public = bool(overrides.get(kind, PUBLIC_BY_DEFAULT[EvidenceKind(kind)]))
        row = files.get(stored.sha256) or EvidenceFile.objects.filter(pk=stored.sha256).first()
        if row is None:
            row = EvidenceFile.objects.create(
                sha256=stored.sha256,
                content_type=stored.content_type,
                size=stored.size,
                kind=kind,
                public=is_public,
                original_name=(upload.name or "")[:255],
            )
        else:
            duplicates.append(stored.sha256)
            if row.public and not is_public:
                row.public = False
                row.save(update_fields=["public"])
        files[stored.sha256] = row
    return list(files.values()), tuple(duplicates)


@service
def milestone_report(
    *,
    milestone: uuid.UUID | str,
    reported_on: object,
    summary: str,
    evidence: Evidence,
    public: Mapping[str, bool] | None = None,
    actor: User,
) -> Filed[ProgressReport]:
    """Partner staff of the project's lead report the milestone done, with evidence files
    (public or private by kind, see `PUBLIC_BY_DEFAULT`; `public` overrides by kind). The
    summary and the files' hashes are public; who reported is not."""
    require_role(actor, Role.PARTNER_STAFF)
    target = _milestone(milestone)
    if not _leads(actor, target.project):
        raise _invalid("milestone", _("Report only on your own organisation's projects."))
    if target.status not in _OPEN_TO_REPORT:
        raise _invalid("milestone", _("This milestone is verified already."))
    day = _date(reported_on, "reported_on")
    text = _text(summary, "summary", _("Say what was done."))
    if not evidence:
        raise _invalid(
            "evidence", _("Attach at least one file: a photo, an invoice or a certificate.")
        )
    files, duplicates = _file_evidence(evidence, public)
    report = ProgressReport(
        id=uuid.uuid4(),
        milestone=target,
        reported_on=day,
        summary=text,
        reported_by=actor,
        log_index=0,
    )
    data = {
        "report": str(report.id),
        "milestone": str(target.id),
        "project": target.project.code,
        "reported_on": day.isoformat(),
        "summary": text,
        "evidence": [f.public_json() for f in files],
    }
    report.log_index = ledger.record(
        "milestone.reported",
        data,
        actor=_organisation(actor),
        private={"reported_by": _user(actor)},
    ).index
    report.save()
    report.evidence.set(files)
    target.status = MilestoneStatus.REPORTED
    target.save(update_fields=["status"])
    return Filed(report, duplicates)


def _reason(milestone: Milestone) -> dict[str, str]:
    return {
        "en": f"Milestone {milestone.number} of project {milestone.project.code} verified on"
        f" site: {milestone.deliverable_en}",
        "ar": f"تم التحقق ميدانيًا من المعلم {milestone.number} للمشروع"
        f" {milestone.project.code}: {milestone.deliverable_ar}",
    }


def _notify(milestone: Milestone, kind: NotificationKind, detail: str = "") -> None:
    Notification.objects.create(
        kind=kind,
        milestone=milestone,
        detail=detail[:500],
        link=f"/monitoring/projects/{milestone.project.code}/#milestone-{milestone.number}",
    )


def _release_tranches(milestone: Milestone) -> list[tuple[Milestone, Disbursement]]:
    """Prepare the tranche of every verified milestone of the allocation that has none
    yet (this one, and any a failure held back), in the order of their numbers. If the
    fund refuses (a failed milestone blocks the allocation, or too little is left), the
    tranches wait, and the secretariat is told."""
    released: list[tuple[Milestone, Disbursement]] = []
    waiting = (
        Milestone.objects.select_for_update()
        .select_related("project__lead", "allocation")
        .filter(
            allocation=milestone.allocation,
            status=MilestoneStatus.VERIFIED,
            disbursement__isnull=True,
        )
        .order_by("project__code", "number")
    )
    for each in waiting:
        try:
            with transaction.atomic():
                disbursement = funds.disbursement_prepare_for_milestone(
                    allocation=each.allocation, amount=each.tranche, reason=_reason(each)
                )
        except ValidationError as error:
            _notify(milestone, NotificationKind.HELD, " ".join(error.messages))
            break
        each.disbursement = disbursement
        each.save(update_fields=["disbursement"])
        released.append((each, disbursement))
    return released


@service
def milestone_verify(
    *,
    milestone: uuid.UUID | str,
    visited_on: object,
    findings: str,
    result: str,
    latitude: object = None,
    longitude: object = None,
    evidence: Evidence = (),
    public: Mapping[str, bool] | None = None,
    actor: User,
) -> Filed[Verification]:
    """A monitor records a visit to a reported milestone. Pass: the milestone is verified
    and its tranche prepared for the board. Partial: the partner reports again. Fail: the
    milestone fails, the secretariat is notified, and the allocation is blocked until a
    later pass."""
    require_role(actor, Role.MONITOR)
    target = _milestone(milestone)
    if target.status != MilestoneStatus.REPORTED:
        raise _invalid("milestone", _("Verify a milestone once its partner has reported progress."))
    day = _date(visited_on, "visited_on")
    text = _text(findings, "findings", _("Say what you found on site."))
    if result not in VerificationResult.values:
        raise _invalid("result", _("Choose pass, partial or fail."))
    point = _point(latitude, longitude)
    files, duplicates = _file_evidence(evidence, public)
    verification = Verification(
        id=uuid.uuid4(),
        milestone=target,
        monitor=actor,
        visited_on=day,
        findings=text,
        result=result,
        latitude=point[0] if point else None,
        longitude=point[1] if point else None,
        # Saved now, so that this visit counts towards the policy's visits when the
        # tranches are prepared; the real index replaces this one below.
        log_index=-1,
    )
    verification.save()
    released: list[tuple[Milestone, Disbursement]] = []
    if result == VerificationResult.PASS:
        target.status = MilestoneStatus.VERIFIED
        target.save(update_fields=["status"])
        released = _release_tranches(target)
    elif result == VerificationResult.PARTIAL:
        target.status = MilestoneStatus.PARTIAL
        target.save(update_fields=["status"])
    else:
        target.status = MilestoneStatus.FAILED
        target.save(update_fields=["status"])
        _notify(target, NotificationKind.FAILED)
    own = next((d for m, d in released if m.pk == target.pk), None)
    rounded = public_point(*point) if point else None
    data = {
        "verification": str(verification.id),
        "milestone": str(target.id),
        "project": target.project.code,
        "visited_on": day.isoformat(),
        "result": result,
        "findings": text,
        "point": {"lat": str(rounded[0]), "lon": str(rounded[1])} if rounded else None,
        "evidence": [f.public_json() for f in files],
        "disbursement": str(own.id) if own else None,
        "released": [{"milestone": str(m.id), "disbursement": str(d.id)} for m, d in released],
    }
    private = {"point": {"lat": str(point[0]), "lon": str(point[1])}} if point else None
    verification.log_index = ledger.record(
        "milestone.verified", data, actor=_user(actor), private=private
    ).index
    verification.disbursement = own
    verification.save()
    verification.evidence.set(files)
    return Filed(verification, duplicates)


def allocation_blocked_check(allocation: Allocation, amount: Money) -> None:
    """The fund's check before any tranche (`funds.services.DISBURSEMENT_CHECKS`): no
    disbursement while a milestone of the allocation stands failed, and no last tranche
    before the project has had the monitoring visits the risk policy asks of its lead."""
    failed = (
        Milestone.objects.filter(allocation=allocation, status=MilestoneStatus.FAILED)
        .order_by("number")
        .first()
    )
    if failed is not None:
        raise _invalid(
            "allocation",
            _(
                "Milestone {number} of project {project} failed verification: no tranche of"
                " this allocation can be paid until a monitor passes it."
            ).format(number=failed.number, project=allocation.project.code),
            "blocked",
        )
    _check_visits(allocation, amount)


def _is_last_tranche(allocation: Allocation, amount: Money) -> bool:
    """The tranche leaves nothing to disburse, or no planned milestone of the allocation
    is left without its tranche: milestones need not add up to the whole allocation, so
    the plan decides too."""
    pending = allocation.disbursements.exclude(status=MoveStatus.RELEASED)
    if sum(d.amount_minor for d in pending) + amount.minor >= allocation.amount_minor:
        return True
    planned = Milestone.objects.filter(allocation=allocation)
    # The milestone whose pass prepares this tranche has none yet: it is one of them.
    return planned.exists() and planned.filter(disbursement__isnull=True).count() <= 1


def _check_visits(allocation: Allocation, amount: Money) -> None:
    terms = risk_terms_for(allocation.project.lead.iati_identifier)
    if terms is None or terms.monitoring_visits == 0:
        return
    if not _is_last_tranche(allocation, amount):
        return
    visits = Verification.objects.filter(milestone__project=allocation.project).count()
    if visits < terms.monitoring_visits:
        raise _invalid(
            "allocation",
            _(
                "The risk policy asks for {required} monitoring visits to a project of a"
                " {level}-risk partner before its last tranche; project {project} has had"
                " {visits}."
            ).format(
                required=terms.monitoring_visits,
                level=risk_level_name(terms),
                project=allocation.project.code,
                visits=visits,
            ),
            "visits_missing",
        )


# --- indicators and notifications ---------------------------------------------------------


@service
def indicator_set(
    *,
    project: str,
    name_en: str,
    name_ar: str,
    unit: str,
    baseline: object,
    target: object,
    actual: object = None,
    indicator: uuid.UUID | str | None = None,
    actor: User,
) -> Indicator:
    """Add a results indicator to a project, or update one (`indicator`): the secretariat,
    or partner staff of the project's lead."""
    require_role(actor, Role.SECRETARIAT, Role.PARTNER_STAFF)
    where = _project(project)
    if actor.role == Role.PARTNER_STAFF and not _leads(actor, where):
        raise _invalid("project", _("Report only on your own organisation's projects."))
    row = Indicator(id=uuid.uuid4(), project=where, updated_index=0)
    if indicator is not None:
        try:
            pk = uuid.UUID(str(indicator))
        except ValueError:
            pk = None
        found = (
            Indicator.objects.select_for_update().filter(pk=pk, project=where).first()
            if pk
            else None
        )
        if found is None:
            raise _invalid("indicator", _("Name an indicator of this project."))
        row = found
    row.name_en = _text(name_en, "name_en", _("Name the indicator."), 200)
    row.name_ar = _text(name_ar, "name_ar", _("Name the indicator."), 200)
    row.unit = _text(unit, "unit", _("Give the unit, like homes or classrooms."), 40)
    row.baseline = _decimal(baseline, "baseline")
    row.target = _decimal(target, "target")
    row.actual = _decimal(actual, "actual", required=False)
    clash = Indicator.objects.filter(project=where, name_en=row.name_en).exclude(pk=row.pk)
    if clash.exists():
        raise _invalid("name_en", _("This project already has an indicator with this name."))
    data = {
        "indicator": str(row.id),
        "project": where.code,
        "name": {"en": row.name_en, "ar": row.name_ar},
        "unit": row.unit,
        "baseline": str(row.baseline),
        "target": str(row.target),
        "actual": None if row.actual is None else str(row.actual),
    }
    is_partner = actor.role == Role.PARTNER_STAFF
    row.updated_index = ledger.record(
        "indicator.updated",
        data,
        actor=_organisation(actor) if is_partner else _user(actor),
        private={"updated_by": _user(actor)} if is_partner else None,
    ).index
    row.save()
    return row


def notification_mark_read(*, notification: int, actor: User) -> Notification:
    """The secretariat marks a notification read. Not a public fact: not logged."""
    require_role(actor, Role.SECRETARIAT)
    with transaction.atomic(durable=True):
        found = Notification.objects.select_for_update().filter(pk=notification).first()
        if found is None:
            raise _invalid("notification", _("Name a notification."))
        found.read = True
        found.save(update_fields=["read"])
        return found
