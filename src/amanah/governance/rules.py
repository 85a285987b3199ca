"""Who may approve what: the quorum rules, as pure functions over the board's state.

The same code runs in two places: in the services, against the state in the database,
before a motion executes; and in `amanah audit`, against the state rebuilt from the log
alone, to check afterwards that every executed motion really had its quorum. Nothing here
reads a clock, a database or settings: positions in the log are the only time.

A motion is approved when the signatures that count come from at least `min_seats`
distinct seats, and from at least the number each required group asks for (by default one
Palestinian seat). A signature counts only if it verifies over the motion's exact bytes,
was made with a key registered to the member holding that seat, the key was valid at the
log position where the signature was recorded and had not been revoked by the position
where the decision is taken, and the seat is not recused from the motion.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from amanah.transparency import canonical_json

__all__ = [
    "MOTION_TYPE",
    "BoardKey",
    "BoardState",
    "Motion",
    "MotionSignature",
    "QuorumPolicy",
    "QuorumResult",
    "Refusal",
    "Seat",
    "evaluate_quorum",
]

MOTION_TYPE = "amanah.motion.v1"


class Refusal(StrEnum):
    """Why a signature does not count; stable codes for the audit report and the API."""

    BAD_SIGNATURE = "bad_signature"
    UNKNOWN_KEY = "unknown_key"
    KEY_NOT_YET_VALID = "key_not_yet_valid"
    KEY_REVOKED = "key_revoked"
    NOT_SEAT_HOLDER = "not_seat_holder"
    RECUSED = "recused"
    DUPLICATE_SEAT = "duplicate_seat"


@dataclass(frozen=True)
class Seat:
    """A board seat: one per participating state, plus the Palestinian seats.

    `country` is the ISO 3166-1 alpha-2 code of the state the seat represents, if any;
    `organisation` the IATI identifier of the body holding it, if any; `groups` the
    constituencies a quorum policy can require (e.g. "palestinian").
    """

    id: str
    groups: frozenset[str] = frozenset()
    country: str | None = None
    organisation: str | None = None
    holder: str | None = None


@dataclass(frozen=True)
class BoardKey:
    """A member's Ed25519 public key, valid from one log position until revoked at another."""

    key_id: str
    member: str
    public_key: bytes
    valid_from: int
    revoked_at: int | None = None

    def refusal_at(self, signed_at: int, decided_at: int) -> Refusal | None:
        if signed_at < self.valid_from:
            return Refusal.KEY_NOT_YET_VALID
        if self.revoked_at is not None and self.revoked_at <= max(signed_at, decided_at):
            return Refusal.KEY_REVOKED
        return None


@dataclass(frozen=True)
class QuorumPolicy:
    """At least `min_seats` distinct seats, `required_groups[g]` of them from group g.

    Recusal: a state's seat cannot count on a motion about money that state earmarked;
    a seat held by an organisation cannot count on a motion that benefits it.
    """

    min_seats: int
    required_groups: Mapping[str, int] = field(default_factory=lambda: {"palestinian": 1})
    recuse_earmarking_state: bool = True
    recuse_beneficiary: bool = True

    def __post_init__(self) -> None:
        if self.min_seats < 1:
            raise ValueError("min_seats must be at least 1")
        if any(n < 0 for n in self.required_groups.values()):
            raise ValueError("required_groups counts cannot be negative")
        if sum(self.required_groups.values()) > self.min_seats:
            # Not contradictory in itself, but a policy nobody can read at a glance.
            raise ValueError("required_groups ask for more seats than min_seats")

    def to_json(self) -> dict[str, object]:
        return {
            "min_seats": self.min_seats,
            "required_groups": dict(sorted(self.required_groups.items())),
            "recuse_earmarking_state": self.recuse_earmarking_state,
            "recuse_beneficiary": self.recuse_beneficiary,
        }


@dataclass(frozen=True)
class Motion:
    """What the board is asked to decide. `payload()` is the exact bytes members sign."""

    id: str
    kind: str
    title: Mapping[str, str]
    body: Mapping[str, str]
    effect: Mapping[str, object]
    earmarked_by: frozenset[str] = frozenset()
    beneficiaries: frozenset[str] = frozenset()
    log_origin: str = ""

    def payload(self) -> bytes:
        """RFC 8785 canonical JSON; its `type` keeps these bytes from meaning anything else."""
        return canonical_json(
            {
                "type": MOTION_TYPE,
                "log": self.log_origin,
                "motion": self.id,
                "kind": self.kind,
                "title": dict(self.title),
                "body": dict(self.body),
                "effect": dict(self.effect),
                "earmarked_by": sorted(self.earmarked_by),
                "beneficiaries": sorted(self.beneficiaries),
            }
        )


@dataclass(frozen=True)
class MotionSignature:
    """A member's signature over a motion's payload, as recorded at log position `signed_at`."""

    key_id: str
    signature: bytes
    signed_at: int


@dataclass(frozen=True)
class BoardState:
    """The seats, keys and policy in force at one position of the log."""

    seats: Mapping[str, Seat]
    keys: Mapping[str, BoardKey]
    policy: QuorumPolicy


@dataclass(frozen=True)
class QuorumResult:
    met: bool
    counted_seats: tuple[str, ...]
    group_counts: Mapping[str, int]
    refused: tuple[tuple[str, Refusal], ...]
    # What is still needed: {"seats": n} for the overall minimum, {group: n} per group.
    missing: Mapping[str, int]

    def to_json(self) -> dict[str, object]:
        return {
            "met": self.met,
            "counted_seats": list(self.counted_seats),
            "group_counts": dict(self.group_counts),
            "refused": [[key, reason.value] for key, reason in self.refused],
            "missing": dict(self.missing),
        }


def _verifies(public_key: bytes, signature: bytes, message: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


def _seat_of(state: BoardState, member: str) -> Seat | None:
    return next((s for s in state.seats.values() if s.holder == member), None)


def _recused(seat: Seat, motion: Motion, policy: QuorumPolicy) -> bool:
    if policy.recuse_earmarking_state and seat.country and seat.country in motion.earmarked_by:
        return True
    return bool(
        policy.recuse_beneficiary
        and seat.organisation
        and seat.organisation in motion.beneficiaries
    )


def _refusal(
    state: BoardState, motion: Motion, sig: MotionSignature, decided_at: int, message: bytes
) -> tuple[Seat | None, Refusal | None]:
    key = state.keys.get(sig.key_id)
    if key is None:
        return None, Refusal.UNKNOWN_KEY
    if not _verifies(key.public_key, sig.signature, message):
        return None, Refusal.BAD_SIGNATURE
    timing = key.refusal_at(sig.signed_at, decided_at)
    if timing is not None:
        return None, timing
    seat = _seat_of(state, key.member)
    if seat is None:
        return None, Refusal.NOT_SEAT_HOLDER
    if _recused(seat, motion, state.policy):
        return seat, Refusal.RECUSED
    return seat, None


def _missing(policy: QuorumPolicy, counted: int, groups: Mapping[str, int]) -> dict[str, int]:
    missing = {}
    if counted < policy.min_seats:
        missing["seats"] = policy.min_seats - counted
    for group, need in sorted(policy.required_groups.items()):
        if groups.get(group, 0) < need:
            missing[group] = need - groups.get(group, 0)
    return missing


def evaluate_quorum(
    state: BoardState,
    motion: Motion,
    signatures: Iterable[MotionSignature],
    *,
    decided_at: int,
) -> QuorumResult:
    """Which signatures count, which do not and why, and whether the policy is met."""
    message = motion.payload()
    counted: dict[str, Seat] = {}
    refused: list[tuple[str, Refusal]] = []
    for sig in signatures:
        seat, reason = _refusal(state, motion, sig, decided_at, message)
        if reason is None and seat is not None and seat.id in counted:
            reason = Refusal.DUPLICATE_SEAT
        if reason is not None or seat is None:
            refused.append((sig.key_id, reason or Refusal.NOT_SEAT_HOLDER))
            continue
        counted[seat.id] = seat
    groups: dict[str, int] = {}
    for seat in counted.values():
        for group in seat.groups:
            groups[group] = groups.get(group, 0) + 1
    missing = _missing(state.policy, len(counted), groups)
    return QuorumResult(
        met=not missing,
        counted_seats=tuple(sorted(counted)),
        group_counts=dict(sorted(groups.items())),
        refused=tuple(refused),
        missing=missing,
    )
