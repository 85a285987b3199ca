"""The projects' writes: registering projects (secretariat); proposals drafted, submitted
and withdrawn by the lead's staff; partners' capacity assessments and the risk policy.

Each public service runs in one durable transaction, first taking the log's write lock
(`ledger.lock_log`), and logs what the public may see: `project.registered`,
`proposal.submitted`, `proposal.withdrawn`, `partner.assessed`, `risk_policy.set`.
Saving a draft is not logged: a draft is the partner's working copy. Bad input raises
Django's `ValidationError` naming every field at fault (dotted for rows: `budget_lines.0.
amount`); a user without the role raises `RoleRequired`. The log names no person: actors
are `user:<id>`.

After the first risk policy, which the secretariat sets once (like the board's genesis),
the policy changes only by an executed `risk_policy.change` motion (`register_motion_kinds`).
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from amanah.accounts.models import Role, User
from amanah.accounts.roles import require_role
from amanah.core.problems import Problems, coordinate
from amanah.governance import services as governance
from amanah.governance.models import Motion
from amanah.ledger import services as ledger
from amanah.ledger.models import LogEntry
from amanah.ledger.services import service
from amanah.orgs.models import Organisation
from amanah.projects import dac
from amanah.projects.models import (
    BudgetLine,
    PartnerAssessment,
    PlannedMilestone,
    Project,
    Proposal,
    ProposalStatus,
    RiskLevel,
    RiskPolicy,
)
from amanah.projects.selectors import (
    POLICY_FIELDS,
    assessment_current,
    assessment_public,
    cents_text,
    project_public,
    proposal_budget_cents,
    proposal_private,
    proposal_public,
    risk_policy_in_force,
    risk_policy_public,
)
from amanah.reference import geography
from amanah.reference.sectors import SECTORS

__all__ = [
    "RISK_POLICY_CHANGE",
    "partner_assess",
    "project_for_proposal",
    "project_register",
    "proposal_save_draft",
    "proposal_submit",
    "proposal_withdraw",
    "register_motion_kinds",
    "require_partner_staff",
    "risk_policy_effect",
    "risk_policy_set",
]

RISK_POLICY_CHANGE = "risk_policy.change"
QUORUM_ACTOR = "amanah:quorum"
# Generous bounds, so that a typing slip is caught, not a real project refused.
MAX_CENTS = 10**13  # USD 100 billion
MAX_LINES, MAX_MILESTONES, MAX_DAC_CODES = 50, 24, 10


def _invalid(field: str, message: str, code: str = "invalid") -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def _actor(user: User) -> str:
    return f"user:{user.pk}"


# --- projects -----------------------------------------------------------------------------


@transaction.atomic(durable=True)
def project_register(
    *,
    code: str,
    title_en: str,
    title_ar: str,
    lead: str,
    sector: str,
    governorate: str,
    actor: User,
) -> Project:
    """Register a project led by a Palestinian body (`lead`: its IATI identifier)."""
    require_role(actor, Role.SECRETARIAT)
    return _project_register(
        code=code,
        title_en=title_en,
        title_ar=title_ar,
        lead=lead,
        sector=sector,
        governorate=governorate,
        actor=f"user:{actor.pk}",
    )


def _project_register(
    *,
    code: str,
    title_en: str,
    title_ar: str,
    lead: str,
    sector: str,
    governorate: str,
    actor: str,
    proposal: Proposal | None = None,
) -> Project:
    """`project_register` in the caller's transaction (the demo loader's too)."""
    organisation = Organisation.objects.filter(iati_identifier=lead).first()
    if organisation is None:
        raise ValidationError({"lead": _("Name the lead by a registered IATI identifier.")})
    if not organisation.is_palestinian:
        raise ValidationError({"lead": _("A project is led by a Palestinian body.")})
    if not (title_en.strip() or title_ar.strip()):
        raise ValidationError({"title_en": _("Give the title in English, Arabic or both.")})
    project = Project(
        code=code,
        title_en=title_en.strip(),
        title_ar=title_ar.strip(),
        lead=organisation,
        sector=sector,
        governorate=governorate,
        registered_index=0,
        proposal=proposal,
    )
    project.full_clean()
    project.registered_index = ledger.record(
        "project.registered", project_public(project), actor=actor
    ).index
    project.save()
    return project


# Project codes made for proposals a round funds: GZ-<sector>-<number>.
_SECTOR_CODES = {
    "housing": "HOU",
    "education": "EDU",
    "health": "HEA",
    "wash": "WSH",
    "energy": "ENE",
    "roads": "RDS",
    "livelihoods": "LIV",
}


def project_for_proposal(proposal: Proposal, *, actor: str) -> Project:
    """The project a funded proposal becomes: registered (and logged) the first time, then
    the same one, even if the motion that first named it was withdrawn. In the caller's
    transaction."""
    existing = Project.objects.select_related("lead").filter(proposal=proposal).first()
    if existing is not None:
        return existing
    if proposal.status != ProposalStatus.SUBMITTED:
        raise _invalid("proposal", _("Only a submitted proposal can become a project."))
    prefix = f"GZ-{_SECTOR_CODES.get(proposal.sector, proposal.sector[:3].upper())}-"
    number = Project.objects.filter(code__startswith=prefix).count() + 1
    while Project.objects.filter(code=f"{prefix}{number:04d}").exists():
        number += 1
    project = _project_register(
        code=f"{prefix}{number:04d}",
        title_en=proposal.title_en,
        title_ar=proposal.title_ar,
        lead=proposal.lead.iati_identifier,
        sector=proposal.sector,
        governorate=proposal.governorate,
        actor=actor,
        proposal=proposal,
    )
    return project


# --- input --------------------------------------------------------------------------------


def _text(value: object, field: str, max_length: int, problems: Problems) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        problems.add(field, _("Give this as text."))
        return ""
    text = value.strip()
    if len(text) > max_length:
        problems.add(
            field, _("Write at most {count} characters here.").format(count=max_length), "long"
        )
    return text


def _date(value: object, field: str, problems: Problems) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            pass
    elif isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value
    problems.add(field, _("Give the date as YYYY-MM-DD."), "date")
    return None


def _count(value: object, field: str, problems: Problems) -> int:
    if value in (None, ""):
        return 0
    if isinstance(value, bool) or not isinstance(value, int | str):
        problems.add(field, _("Give a whole number of people, like 1200."), "count")
        return 0
    try:
        number = int(value)
    except ValueError:
        problems.add(field, _("Give a whole number of people, like 1200."), "count")
        return 0
    if number < 0 or number > 10**8:
        problems.add(field, _("Give a number of people from 0 to 100,000,000."), "count")
        return 0
    return number


def _decimal(value: object) -> Decimal | None:
    """A decimal from a string, int or Decimal; never from a float (None: not a number)."""
    if isinstance(value, bool | float) or not isinstance(value, str | int | Decimal):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _places(number: Decimal) -> int:
    exponent = number.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def _usd_cents(value: object, field: str, problems: Problems) -> int:
    number = _decimal(value)
    if number is None:
        problems.add(field, _("Give the amount in US dollars with digits, like 1250.50."), "amount")
        return 0
    if _places(number) > 2:
        problems.add(field, _("US dollar amounts have at most 2 decimal places."), "precision")
        return 0
    cents = int(number * 100)
    if cents <= 0:
        problems.add(field, _("The amount must be more than zero."), "amount")
    elif cents > MAX_CENTS:
        problems.add(field, _("This amount is too large."), "amount")
    return cents


def _rows(value: object, field: str, limit: int, problems: Problems) -> list[Mapping[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list | tuple) or not all(isinstance(r, Mapping) for r in value):
        problems.add(field, _("Give a list of rows."))
        return []
    if len(value) > limit:
        problems.add(field, _("Give at most {count} rows.").format(count=limit), "too_many")
        return []
    return list(value)


def _dac_codes(value: object, problems: Problems) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list | tuple) or not all(isinstance(c, str) for c in value):
        problems.add("dac_codes", _("Give the DAC sector codes as a list, like 16040."))
        return []
    codes = list(dict.fromkeys(c.strip() for c in value if c.strip()))
    if len(codes) > MAX_DAC_CODES:
        problems.add(
            "dac_codes", _("Give at most {count} codes.").format(count=MAX_DAC_CODES), "too_many"
        )
    return codes[:MAX_DAC_CODES]


def _co_implementers(
    value: Iterable[str], lead: Organisation, problems: Problems
) -> list[Organisation]:
    wanted = list(dict.fromkeys(str(v).strip() for v in value if str(v).strip()))
    found = {o.iati_identifier: o for o in Organisation.objects.filter(iati_identifier__in=wanted)}
    unknown = [code for code in wanted if code not in found]
    if unknown:
        problems.add(
            "co_implementers",
            _("Name each co-implementer by a registered IATI identifier: {codes}.").format(
                codes=", ".join(unknown)
            ),
        )
    if lead.iati_identifier in found:
        problems.add("co_implementers", _("The lead is not its own co-implementer."))
    return [found[code] for code in wanted if code in found and code != lead.iati_identifier]


# --- proposals ----------------------------------------------------------------------------


def _lead_of(actor: User) -> Organisation:
    """The organisation the partner staff member works for, which must be Palestinian."""
    require_role(actor, Role.PARTNER_STAFF)
    organisation = Organisation.objects.filter(iati_identifier=actor.organisation_iati_id).first()
    if organisation is None or not organisation.is_palestinian:
        raise _invalid(
            "lead",
            _("Proposals are led by a Palestinian body; your organisation is not one."),
            "not_palestinian",
        )
    return organisation


def require_partner_staff(actor: User) -> Organisation:
    """The Palestinian organisation a partner staff member works for (`RoleRequired`
    for anyone else; `ValidationError` on "lead" if it is not Palestinian)."""
    return _lead_of(actor)


def _own_proposal(proposal: Proposal | uuid.UUID | str, actor: User, *, lock: bool) -> Proposal:
    """The proposal, if it is one the actor's organisation leads (else: not found)."""
    lead = _lead_of(actor)
    pk = proposal.pk if isinstance(proposal, Proposal) else proposal
    try:
        rows = Proposal.objects.select_for_update() if lock else Proposal.objects
        found = rows.filter(pk=uuid.UUID(str(pk)), lead=lead).first()
    except ValueError:
        found = None
    if found is None:
        raise _invalid("proposal", _("Your organisation has no such proposal."), "not_found")
    return found


@service
def proposal_save_draft(
    *,
    proposal: Proposal | uuid.UUID | str | None = None,
    title_en: object = "",
    title_ar: object = "",
    description_en: object = "",
    description_ar: object = "",
    sector: object = "",
    dac_codes: object = (),
    governorate: object = "",
    municipality: object = "",
    latitude: object = None,
    longitude: object = None,
    beneficiaries_total: object = 0,
    beneficiaries_women: object = 0,
    beneficiaries_children: object = 0,
    starts_on: object = None,
    ends_on: object = None,
    co_implementers: Iterable[str] = (),
    budget_lines: object = (),
    milestones: object = (),
    actor: User,
) -> Proposal:
    """Create a draft (`proposal` None) or replace one, with its budget lines and
    milestones. Partner staff of the lead only; not logged. A draft may be incomplete;
    what is given must be well-formed."""
    if proposal is None:
        draft = Proposal(lead=_lead_of(actor), created_by=actor)
    else:
        draft = _own_proposal(proposal, actor, lock=True)
        if not draft.is_draft:
            raise _invalid("proposal", _("Only a draft can be changed."), "not_draft")
    problems = Problems()
    for name, value, length in (
        ("title_en", title_en, 300),
        ("title_ar", title_ar, 300),
        ("description_en", description_en, 5000),
        ("description_ar", description_ar, 5000),
        ("municipality", municipality, 120),
    ):
        setattr(draft, name, _text(value, name, length, problems))
    draft.sector = _text(sector, "sector", 20, problems)
    if draft.sector and draft.sector not in {s.code for s in SECTORS}:
        problems.add(
            "sector",
            _("Choose a sector: {codes}.").format(codes=", ".join(s.code for s in SECTORS)),
        )
    draft.governorate = _text(governorate, "governorate", 10, problems)
    if draft.governorate:
        try:
            geography.governorate(draft.governorate)
        except geography.UnknownGovernorate:
            problems.add("governorate", _("Choose a governorate of Gaza by its P-code."))
    draft.dac_codes = _dac_codes(dac_codes, problems)
    draft.latitude = coordinate(latitude, "latitude", 90, problems)
    draft.longitude = coordinate(longitude, "longitude", 180, problems)
    if (draft.latitude is None) != (draft.longitude is None):
        missing = "longitude" if draft.longitude is None else "latitude"
        problems.add(missing, _("Give both the latitude and the longitude, or neither."), "point")
    draft.beneficiaries_total = _count(beneficiaries_total, "beneficiaries_total", problems)
    draft.beneficiaries_women = _count(beneficiaries_women, "beneficiaries_women", problems)
    draft.beneficiaries_children = _count(
        beneficiaries_children, "beneficiaries_children", problems
    )
    for name in ("beneficiaries_women", "beneficiaries_children"):
        if getattr(draft, name) > draft.beneficiaries_total:
            problems.add(name, _("This cannot be more than the people who benefit in all."))
    draft.starts_on = _date(starts_on, "starts_on", problems)
    draft.ends_on = _date(ends_on, "ends_on", problems)
    if draft.starts_on and draft.ends_on and draft.ends_on <= draft.starts_on:
        problems.add("ends_on", _("The end date must be after the start date."), "order")
    partners = _co_implementers(co_implementers, draft.lead, problems)
    lines = _budget_lines(budget_lines, problems)
    steps = _milestones(milestones, problems)
    problems.check()
    draft.full_clean(exclude=["created_by", "lead"])
    draft.save()
    draft.co_implementers.set(partners)
    draft.budget_lines.all().delete()
    BudgetLine.objects.bulk_create(
        BudgetLine(proposal=draft, position=n, description=text, amount_cents=cents)
        for n, (text, cents) in enumerate(lines)
    )
    draft.milestones.all().delete()
    PlannedMilestone.objects.bulk_create(
        PlannedMilestone(proposal=draft, position=n, title=title, due_on=due, budget_percent=share)
        for n, (title, due, share) in enumerate(steps)
    )
    return draft


def _budget_lines(value: object, problems: Problems) -> list[tuple[str, int]]:
    lines = []
    for n, row in enumerate(_rows(value, "budget_lines", MAX_LINES, problems)):
        text = _text(row.get("description"), f"budget_lines.{n}.description", 300, problems)
        if not text:
            problems.add(f"budget_lines.{n}.description", _("Say what this line pays for."))
        cents = _usd_cents(row.get("amount"), f"budget_lines.{n}.amount", problems)
        lines.append((text, cents))
    return lines


def _milestones(value: object, problems: Problems) -> list[tuple[str, datetime.date, Decimal]]:
    steps = []
    for n, row in enumerate(_rows(value, "milestones", MAX_MILESTONES, problems)):
        title = _text(row.get("title"), f"milestones.{n}.title", 300, problems)
        if not title:
            problems.add(f"milestones.{n}.title", _("Name the milestone."))
        due = _date(row.get("due_on"), f"milestones.{n}.due_on", problems)
        if due is None and f"milestones.{n}.due_on" not in problems.errors:
            problems.add(f"milestones.{n}.due_on", _("Give the date it is due."), "required")
        share = _decimal(row.get("budget_percent"))
        if share is None or not Decimal(0) < share <= 100 or _places(share) > 2:
            message = _(
                "Give the share of the budget as a percentage above 0 and up to 100, "
                "with at most 2 decimals, like 25 or 12.5."
            )
            problems.add(f"milestones.{n}.budget_percent", message)
            share = Decimal(0)
        steps.append((title, due or datetime.date.min, share))
    return steps


@service
def proposal_submit(*, proposal: Proposal | uuid.UUID | str, actor: User) -> Proposal:
    """Submit a draft after checking everything; log `proposal.submitted` (public fields;
    the municipality and point only as a commitment)."""
    draft = _own_proposal(proposal, actor, lock=True)
    if not draft.is_draft:
        raise _invalid("proposal", _("Only a draft can be submitted."), "not_draft")
    _check_complete(draft)
    draft.status = ProposalStatus.SUBMITTED
    draft.submitted_index = ledger.record(
        "proposal.submitted",
        proposal_public(draft),
        actor=_actor(actor),
        private=proposal_private(draft),
    ).index
    draft.save(update_fields=["status", "submitted_index", "updated_at"])
    return draft


def _check_complete(draft: Proposal) -> None:
    problems = Problems()
    if not (draft.title_en or draft.title_ar):
        problems.add("title_en", _("Give the title in English, Arabic or both."), "required")
    if not (draft.description_en or draft.description_ar):
        problems.add(
            "description_en", _("Give the description in English, Arabic or both."), "required"
        )
    if not draft.sector:
        problems.add("sector", _("Choose the sector."), "required")
    _check_dac_codes(draft, problems)
    if not draft.governorate:
        problems.add("governorate", _("Choose the governorate."), "required")
    elif (
        draft.latitude is not None
        and draft.longitude is not None
        and not geography.point_in_governorate(
            float(draft.latitude), float(draft.longitude), draft.governorate
        )
    ):
        name = geography.governorate(draft.governorate).name(get_language() or "en")
        message = _("This point is not in {governorate}.").format(governorate=name)
        problems.add("latitude", message, "outside")
    if draft.beneficiaries_total <= 0:
        problems.add("beneficiaries_total", _("Say how many people will benefit."), "required")
    if draft.starts_on is None:
        problems.add("starts_on", _("Give the start date."), "required")
    if draft.ends_on is None:
        problems.add("ends_on", _("Give the end date."), "required")
    _check_milestones(draft, problems)
    _check_budget(draft, problems)
    problems.check()


def _check_dac_codes(draft: Proposal, problems: Problems) -> None:
    codes = list(draft.dac_codes)
    if not codes:
        problems.add("dac_codes", _("Name at least one DAC 5-digit sector code."), "required")
        return
    unknown = [c for c in codes if dac.dac_sector(c) is None]
    if unknown:
        message = _("These are not active DAC 5-digit sector codes: {codes}.")
        problems.add("dac_codes", message.format(codes=", ".join(unknown)), "unknown_code")
        return
    if not draft.sector:
        return
    elsewhere = [c for c in codes if draft.sector not in dac.sectors_of(c)]
    if elsewhere:
        message = _("These codes are not in the sector chosen: {codes}.")
        problems.add("dac_codes", message.format(codes=", ".join(elsewhere)), "other_sector")
    elif all(c == dac.ANY_SECTOR for c in codes):
        problems.add(
            "dac_codes",
            _("73010 says a project rebuilds, not what: name a code of the sector too."),
            "unspecific",
        )


def _check_milestones(draft: Proposal, problems: Problems) -> None:
    milestones = list(draft.milestones.all())
    if not milestones:
        problems.add("milestones", _("Plan at least one milestone."), "required")
        return
    if sum(m.budget_percent for m in milestones) != 100:
        message = _("The milestones' shares of the budget must add up to 100%.")
        problems.add("milestones", message, "shares")
    for n, milestone in enumerate(milestones):
        early = draft.starts_on and milestone.due_on < draft.starts_on
        late = draft.ends_on and milestone.due_on > draft.ends_on
        if early or late:
            message = _("A milestone falls due between the start and the end dates.")
            problems.add(f"milestones.{n}.due_on", message, "order")


def _check_budget(draft: Proposal, problems: Problems) -> None:
    total = proposal_budget_cents(draft)
    if total <= 0:
        problems.add("budget_lines", _("Give at least one budget line."), "required")
        return
    assessment = assessment_current(draft.lead.iati_identifier)
    if assessment is None:
        message = _(
            "Your organisation has no capacity assessment yet; ask the secretariat for one "
            "before submitting."
        )
        problems.add("lead", message, "not_assessed")
        return
    policy = risk_policy_in_force()
    if policy is None:
        message = _("No risk policy is in force yet, so no proposal can be submitted.")
        problems.add("lead", message, "no_policy")
        return
    limit = policy[assessment.risk_level].max_project_cents
    if total > limit:
        message = _(
            "The budget, USD {total}, is more than the largest project the risk policy "
            "allows a partner of {level} risk: USD {limit}."
        ).format(
            total=cents_text(total),
            limit=cents_text(limit),
            level=RiskLevel(assessment.risk_level).label,
        )
        problems.add("budget_lines", message, "too_large")


@service
def proposal_withdraw(
    *, proposal: Proposal | uuid.UUID | str, reason: str = "", actor: User
) -> Proposal:
    """Withdraw a draft or a submitted proposal. Withdrawing a submitted one is logged
    (`proposal.withdrawn`, with the reason), since its submission was."""
    current = _own_proposal(proposal, actor, lock=True)
    if current.status == ProposalStatus.WITHDRAWN:
        raise _invalid("proposal", _("This proposal is already withdrawn."), "withdrawn")
    reason = reason.strip() if isinstance(reason, str) else ""
    if current.status == ProposalStatus.SUBMITTED:
        if not reason:
            raise _invalid("reason", _("Say why the proposal is withdrawn."), "required")
        data = {"proposal": str(current.id), "reason": reason}
        current.withdrawn_index = ledger.record(
            "proposal.withdrawn", data, actor=_actor(actor)
        ).index
    current.status = ProposalStatus.WITHDRAWN
    current.save(update_fields=["status", "withdrawn_index", "updated_at"])
    return current


# --- partners' risk -----------------------------------------------------------------------


@service
def partner_assess(
    *,
    organisation: str,
    risk_level: str,
    assessed_on: object,
    summary: str,
    details: str = "",
    actor: User,
) -> PartnerAssessment:
    """Record a capacity assessment of a partner; log `partner.assessed` (its level, date
    and public summary; the details as a commitment; the assessor as the actor)."""
    require_role(actor, Role.SECRETARIAT)
    problems = Problems()
    partner = Organisation.objects.filter(iati_identifier=organisation).first()
    if partner is None:
        problems.add("organisation", _("Name the organisation by a registered IATI identifier."))
    if risk_level not in RiskLevel.values:
        problems.add("risk_level", _("Choose a risk level: low, medium or high."))
    day = _date(assessed_on, "assessed_on", problems)
    if day is None and "assessed_on" not in problems.errors:
        problems.add("assessed_on", _("Give the date of the assessment."), "required")
    elif day is not None and day > timezone.now().date():
        problems.add("assessed_on", _("The date cannot be in the future."), "future")
    summary = _text(summary, "summary", 500, problems)
    if not summary and "summary" not in problems.errors:
        problems.add("summary", _("Give a short public summary of the assessment."), "required")
    details = _text(details, "details", 10000, problems)
    problems.check()
    if partner is None or day is None:  # pragma: no cover (problems.check raised)
        raise AssertionError
    assessment = PartnerAssessment(
        organisation=partner,
        risk_level=risk_level,
        assessed_on=day,
        assessed_by=actor,
        summary=summary,
        details=details,
        log_index=0,
    )
    assessment.save()  # its id is in the entry; the transaction undoes it on failure
    assessment.log_index = ledger.record(
        "partner.assessed",
        assessment_public(assessment),
        actor=_actor(actor),
        private={"details": details},
    ).index
    assessment.save(update_fields=["log_index"])
    return assessment


# --- the risk policy ----------------------------------------------------------------------


def _policy_levels(value: object, field: str) -> dict[str, dict[str, Any]]:
    """A risk policy (`{"low": {...}, "medium": {...}, "high": {...}}`) checked and in the
    canonical shape `risk_policy.set` logs; a problem raises naming `field.level.name`."""
    problems = Problems()
    if not isinstance(value, Mapping) or set(value) != set(RiskLevel.values):
        raise _invalid(field, _("Give the policy for each risk level: low, medium and high."))
    levels: dict[str, dict[str, Any]] = {}
    bounds = {"tranches": (1, 12), "max_first_tranche_percent": (1, 100),
              "monitoring_visits": (0, 52)}  # fmt: skip
    for level in RiskLevel.values:
        given = value[level]
        where = f"{field}.{level}"
        if not isinstance(given, Mapping):
            problems.add(where, _("Give this level's values as an object."))
            continue
        terms: dict[str, Any] = {}
        for name, (low, high) in bounds.items():
            number = given.get(name)
            if isinstance(number, bool) or not isinstance(number, int) or not low <= number <= high:
                problems.add(f"{where}.{name}", _("Give a whole number from {low} to {high}.")
                             .format(low=low, high=high))  # fmt: skip
            terms[name] = number
        for name in ("spot_check_required", "audit_required"):
            if not isinstance(given.get(name), bool):
                problems.add(f"{where}.{name}", _("Give true or false."))
            terms[name] = given.get(name)
        if terms["tranches"] == 1 and terms["max_first_tranche_percent"] != 100:
            problems.add(f"{where}.max_first_tranche_percent",
                         _("With one tranche, the first tranche is the whole: 100."))  # fmt: skip
        cents = _usd_cents(given.get("max_project_usd"), f"{where}.max_project_usd", problems)
        terms["max_project_usd"] = cents_text(cents) if cents > 0 else None
        levels[level] = {name: terms[name] for name in (*POLICY_FIELDS, "max_project_usd")}
    problems.check()
    return levels


def _policy_set(
    levels: Mapping[str, Mapping[str, Any]], *, actor: str, motion: Motion | None
) -> dict[str, RiskPolicy]:
    data = {"levels": dict(levels), "motion": None if motion is None else str(motion.id)}
    index = ledger.record("risk_policy.set", data, actor=actor).index
    rows = {
        level: RiskPolicy(
            from_index=index,
            level=level,
            max_project_cents=int(Decimal(terms["max_project_usd"]) * 100),
            motion=motion,
            **{name: terms[name] for name in POLICY_FIELDS},
        )
        for level, terms in levels.items()
    }
    RiskPolicy.objects.bulk_create(rows.values())
    return rows


@service
def risk_policy_set(*, policy: Mapping[str, Any], actor: User) -> dict[str, RiskPolicy]:
    """Set the first risk policy (secretariat), logged as `risk_policy.set`. Allowed only
    while none exists: from then on the policy changes by a `risk_policy.change` motion."""
    require_role(actor, Role.SECRETARIAT)
    if LogEntry.objects.filter(kind="risk_policy.set").exists():
        raise _invalid(
            "policy",
            _("The risk policy is already set; change it with a motion to the board."),
            "already_set",
        )
    return _policy_set(_policy_levels(policy, "policy"), actor=_actor(actor), motion=None)


def _check_risk_policy_change(effect: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    if risk_policy_in_force() is None:
        raise _invalid(
            "effect",
            _("No risk policy is set yet: the secretariat sets the first one."),
            "no_policy",
        )
    return _policy_levels(effect.get("policy"), "effect.policy")


def _execute_risk_policy_change(motion: Motion, decided_index: int) -> None:
    _policy_set(_check_risk_policy_change(motion.effect), actor=QUORUM_ACTOR, motion=motion)


def register_motion_kinds() -> None:
    """Tell the board's services what a `risk_policy.change` motion does (called by
    ProjectsConfig.ready): its effect is `{"policy": <the levels, as risk_policy.set logs
    them>}`, checked when opened; executed, it logs `risk_policy.set` naming the motion."""
    governance.register_motion_kind(
        RISK_POLICY_CHANGE, check=_check_risk_policy_change, execute=_execute_risk_policy_change
    )


def risk_policy_effect(levels: Mapping[str, RiskPolicy]) -> dict[str, Any]:
    """The effect of a motion that would put `levels` in force (the API's and pages' help)."""
    return {"policy": risk_policy_public(dict(levels))}
