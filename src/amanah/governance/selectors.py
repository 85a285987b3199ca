"""Reads of the board: its state at a log position, as the quorum rules take it.

`board_state_at(index)` gives the seats, holders, keys and policy that the log describes
after its entry `index`: exactly what `amanah audit` rebuilds from the entries alone, so
services and audit feed `rules.evaluate_quorum` the same values.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from amanah.accounts.models import Role, User
from amanah.governance import rules
from amanah.governance.models import (
    BoardKey,
    Motion,
    MotionRefusal,
    MotionSignature,
    MotionStatus,
    QuorumPolicy,
    Seat,
    SeatHolder,
)
from amanah.ledger.models import SINGLETON, LogEntry, Sequencer

__all__ = [
    "ApprovalSignature",
    "BoardOverview",
    "KeyRow",
    "MotionApproval",
    "MotionDetail",
    "NoPolicy",
    "RefusalRow",
    "SeatRow",
    "SignatureRow",
    "board_member_handles",
    "board_overview",
    "board_state_at",
    "key_id_of",
    "member_handle",
    "motion_approvals",
    "motion_detail",
    "motion_list",
    "motion_list_executed_latest",
    "motion_quorum_now",
    "motion_rules",
    "motion_signatures",
    "policy_of",
    "seat_held_by",
]


class NoPolicy(LookupError):
    """The log holds no `policy.set` entry at or before this position."""


def member_handle(user: User) -> str:
    """A member's public handle in the log: stable, and never their name or e-mail."""
    return _handle(user.pk)


def key_id_of(public_key: bytes) -> str:
    """The first 16 hex digits of SHA-256 of the raw 32-byte public key."""
    return hashlib.sha256(public_key).hexdigest()[:16]


def _live_at(index: int) -> Q:
    return Q(from_index__lte=index) & (Q(to_index__isnull=True) | Q(to_index__gt=index))


def seat_held_by(user: User, *, index: int) -> Seat | None:
    """The seat `user` holds after log entry `index`, if any."""
    holder = SeatHolder.objects.filter(_live_at(index), user=user).select_related("seat").first()
    return None if holder is None else holder.seat


def board_state_at(index: int) -> rules.BoardState:
    """The board as the log describes it after entry `index` (that entry included).

    A key revoked later than `index` is still valid here: the log does not know yet.
    Raises `NoPolicy` before the first `policy.set`.
    """
    policy_row = QuorumPolicy.objects.filter(from_index__lte=index).order_by("-from_index").first()
    if policy_row is None:
        raise NoPolicy(f"no quorum policy is set at log index {index}")
    holders = {
        h.seat_id: member_handle(h.user)
        for h in SeatHolder.objects.filter(_live_at(index)).select_related("user")
    }
    seats = {
        seat.id: rules.Seat(
            id=seat.id,
            groups=frozenset(seat.groups),
            country=seat.country,
            organisation=seat.organisation.iati_identifier if seat.organisation else None,
            holder=holders.get(seat.id),
        )
        for seat in Seat.objects.filter(created_index__lte=index).select_related("organisation")
    }
    keys = {
        key.key_id: rules.BoardKey(
            key_id=key.key_id,
            member=member_handle(key.user),
            public_key=bytes(key.public_key),
            valid_from=key.valid_from,
            revoked_at=key.revoked_at
            if key.revoked_at is not None and key.revoked_at <= index
            else None,
        )
        for key in BoardKey.objects.filter(valid_from__lte=index).select_related("user")
    }
    return rules.BoardState(seats=seats, keys=keys, policy=policy_of(policy_row))


def policy_of(row: QuorumPolicy) -> rules.QuorumPolicy:
    return rules.QuorumPolicy(
        min_seats=row.min_seats,
        required_groups=dict(row.required_groups),
        recuse_earmarking_state=row.recuse_earmarking_state,
        recuse_beneficiary=row.recuse_beneficiary,
    )


def motion_rules(motion: Motion) -> rules.Motion:
    """The motion as the quorum rules take it; its `payload()` equals `motion.payload`."""
    return rules.Motion(
        id=str(motion.id),
        kind=motion.kind,
        title={"en": motion.title_en, "ar": motion.title_ar},
        body={"en": motion.body_en, "ar": motion.body_ar},
        effect=dict(motion.effect),
        earmarked_by=frozenset(motion.earmarked_by),
        beneficiaries=frozenset(motion.beneficiaries),
        log_origin=motion.log_origin,
    )


def motion_signatures(motion: Motion) -> list[rules.MotionSignature]:
    """Every signature logged for `motion`, in log order."""
    return [
        rules.MotionSignature(
            key_id=row.key_id, signature=bytes(row.signature), signed_at=row.signed_index
        )
        for row in MotionSignature.objects.filter(motion=motion).order_by("signed_index")
    ]


def motion_list() -> QuerySet[Motion]:
    """Every motion, newest first, with `signature_count`. One query."""
    return Motion.objects.annotate(signature_count=Count("signatures")).order_by("-opened_index")


@dataclass(frozen=True)
class SignatureRow:
    key_id: str
    member: str
    signed_index: int


@dataclass(frozen=True)
class RefusalRow:
    member: str
    reason: str
    index: int


@dataclass(frozen=True)
class MotionDetail:
    """A motion as its public page shows it: only what the log shows."""

    motion: Motion
    payload: Any  # the decoded JSON members signed
    signatures: list[SignatureRow]
    refusals: list[RefusalRow]
    quorum: dict[str, Any] | None  # `QuorumResult.to_json()` as logged, once executed


def _handle(user_pk: int) -> str:
    return f"member-{user_pk}"


def motion_detail(motion_id: uuid.UUID) -> MotionDetail | None:
    """The public detail of one motion, or None when there is no such motion."""
    motion = Motion.objects.filter(pk=motion_id).first()
    if motion is None:
        return None
    signatures = [
        SignatureRow(row.key_id, _handle(row.key.user_id), row.signed_index)
        for row in MotionSignature.objects.filter(motion=motion).select_related("key")
    ]
    refusals = [
        RefusalRow(_handle(row.user_id), row.reason, row.index)
        for row in MotionRefusal.objects.filter(motion=motion)
    ]
    quorum = None
    if motion.executed_index is not None:
        logged = LogEntry.objects.get(index=motion.executed_index)
        quorum = json.loads(bytes(logged.entry))["data"]["quorum"]
    return MotionDetail(motion, json.loads(bytes(motion.payload)), signatures, refusals, quorum)


def motion_quorum_now(motion: Motion) -> rules.QuorumResult | None:
    """Whether `motion`'s signatures would meet the policy if decided now, and what is
    missing: the evaluation `motion_sign` makes, against the board after the last entry
    recorded. None before the board has a policy."""
    last = int(Sequencer.objects.get(id=SINGLETON).next_index) - 1
    try:
        state = board_state_at(last)
    except NoPolicy:
        return None
    return rules.evaluate_quorum(
        state, motion_rules(motion), motion_signatures(motion), decided_at=last + 1
    )


@dataclass(frozen=True)
class SeatRow:
    seat: Seat
    holder: str | None  # the holder's public handle; None while the seat is vacant
    holder_since: int | None


@dataclass(frozen=True)
class KeyRow:
    key_id: str
    member: str
    public_key: bytes
    valid_from: int
    revoked_at: int | None
    is_demo: bool


@dataclass(frozen=True)
class BoardOverview:
    """The board now, as the log describes it after its last entry: public data only."""

    seats: list[SeatRow]
    keys: list[KeyRow]
    policy: rules.QuorumPolicy | None
    policy_from: int | None


def board_overview() -> BoardOverview:
    """Every seat with its current holder, every key ever registered, the policy in force.
    Four queries, whatever the size of the board."""
    holders = {
        h.seat_id: h for h in SeatHolder.objects.filter(to_index__isnull=True).order_by("seat")
    }
    seats = [
        SeatRow(
            seat,
            _handle(holders[seat.id].user_id) if seat.id in holders else None,
            holders[seat.id].from_index if seat.id in holders else None,
        )
        for seat in Seat.objects.select_related("organisation").order_by("id")
    ]
    keys = [
        KeyRow(
            key.key_id,
            _handle(key.user_id),
            bytes(key.public_key),
            key.valid_from,
            key.revoked_at,
            key.is_demo,
        )
        for key in BoardKey.objects.order_by("valid_from")
    ]
    row = QuorumPolicy.objects.order_by("-from_index").first()
    return BoardOverview(
        seats,
        keys,
        None if row is None else policy_of(row),
        None if row is None else row.from_index,
    )


def board_member_handles() -> list[str]:
    """The public handles of every active board member, seated or not, oldest first."""
    members = User.objects.filter(role=Role.BOARD_MEMBER, is_active=True).order_by("pk")
    return [_handle(pk) for pk in members.values_list("pk", flat=True)]


@dataclass(frozen=True)
class ApprovalSignature:
    """One logged signature of a motion: the seat its member held when signing (None if
    they held none), their public handle, the key, and the `motion.signed` entry."""

    seat: Seat | None
    member: str
    key_id: str
    signed_index: int


@dataclass(frozen=True)
class MotionApproval:
    """A motion with its signatures and the seats recused from it, public data only."""

    motion: Motion
    signatures: tuple[ApprovalSignature, ...]
    recused: tuple[Seat, ...]

    @property
    def decided_index(self) -> int | None:
        return self.motion.executed_index


def _policy_at(policies: list[QuorumPolicy], index: int) -> QuorumPolicy | None:
    in_force = [row for row in policies if row.from_index <= index]
    return in_force[-1] if in_force else None


def _recused_seats(
    motion: Motion, seats: list[Seat], policies: list[QuorumPolicy], at: int
) -> tuple[Seat, ...]:
    """The seats the quorum rules recuse from `motion` under the policy in force at `at`
    (its decision, or the log's end while it is open), by the rules' own test."""
    row = _policy_at(policies, at)
    if row is None:
        return ()
    policy, subject = policy_of(row), motion_rules(motion)
    return tuple(
        seat
        for seat in seats
        if seat.created_index <= at
        and rules._recused(  # the quorum's own rule, so that this page cannot drift from it
            rules.Seat(
                id=seat.id,
                groups=frozenset(seat.groups),
                country=seat.country,
                organisation=seat.organisation.iati_identifier if seat.organisation else None,
                holder=None,
            ),
            subject,
            policy,
        )
    )


def motion_approvals(motion_ids: list[uuid.UUID]) -> dict[uuid.UUID, MotionApproval]:
    """The motions named, each with every logged signature (seat, member handle, key id,
    log index) and its recused seats. Six queries at most, however many motions and
    signatures."""
    motions = list(Motion.objects.filter(pk__in=motion_ids))
    if not motions:
        return {}
    signed = list(
        MotionSignature.objects.filter(motion__in=motions)
        .select_related("key")
        .order_by("signed_index")
    )
    terms = list(
        SeatHolder.objects.filter(user__in={row.key.user_id for row in signed}).select_related(
            "seat"
        )
    )
    seats = list(Seat.objects.select_related("organisation").order_by("id"))
    policies = list(QuorumPolicy.objects.order_by("from_index"))
    # Where each motion is judged: its decision, its withdrawal, or the log's end if open.
    closed = {m.id: m.executed_index or m.withdrawn_index for m in motions}
    if None in closed.values():
        last = int(Sequencer.objects.get(id=SINGLETON).next_index) - 1
        closed = {key: last if at is None else at for key, at in closed.items()}

    def seat_at(user_id: int, index: int) -> Seat | None:
        return next(
            (
                term.seat
                for term in terms
                if term.user_id == user_id
                and term.from_index <= index
                and (term.to_index is None or term.to_index > index)
            ),
            None,
        )

    by_motion: dict[uuid.UUID, list[ApprovalSignature]] = {m.id: [] for m in motions}
    for row in signed:
        by_motion[row.motion_id].append(
            ApprovalSignature(
                seat=seat_at(row.key.user_id, row.signed_index),
                member=_handle(row.key.user_id),
                key_id=row.key_id,
                signed_index=row.signed_index,
            )
        )
    return {
        motion.id: MotionApproval(
            motion=motion,
            signatures=tuple(by_motion[motion.id]),
            recused=_recused_seats(motion, seats, policies, int(closed[motion.id] or 0)),
        )
        for motion in motions
    }


def motion_list_executed_latest(*, limit: int = 5) -> list[Motion]:
    """The last `limit` motions the board carried out, the latest first. One query."""
    executed = Motion.objects.filter(status=MotionStatus.EXECUTED)
    return list(executed.order_by("-executed_index")[:limit])
