"""The board's writes: genesis, opening motions, signing, refusing, and execution.

Each public service runs in its own durable transaction and logs what it changed, in the
shape docs/governance.md fixes. Bad input raises Django's `ValidationError`, whose
`message_dict` names the field at fault, and writes nothing; a user without the role
raises `RoleRequired`. The log names members only by their public handle
(`member-<id>`), never by a name or an e-mail.

The server approves nothing: `motion_sign` logs a verified signature, then asks
`rules.evaluate_quorum` — the very function the audit replays — whether the signatures
now meet the policy in force. Only then is `motion.executed` logged, and after it the
entries of the motion's effect (a key registered, a policy set), so that the decision is
always taken under the state before the effect.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from amanah.accounts.models import Role, User
from amanah.accounts.roles import require_role, user_has_role
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
from amanah.governance.selectors import (
    board_state_at,
    key_id_of,
    member_handle,
    motion_rules,
    motion_signatures,
    seat_held_by,
)
from amanah.ledger import services as ledger
from amanah.ledger.models import SINGLETON, LogEntry, Sequencer
from amanah.orgs.models import Organisation, validate_country

__all__ = [
    "EXECUTION_HANDLERS",
    "INSTALLATION",
    "PREPARED_KINDS",
    "WITHDRAWAL_HANDLERS",
    "KeySpec",
    "SeatSpec",
    "board_genesis",
    "motion_open",
    "motion_refuse",
    "motion_sign",
    "motion_withdraw",
    "open_prepared_motion",
    "register_motion_kind",
]

# Who writes the board's set-up before the first policy, and who logs a decision.
INSTALLATION = "installation"
QUORUM_ACTOR = "amanah:quorum"

_KIND = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+")
_HANDLE = re.compile(r"member-([1-9][0-9]*)")


@dataclass(frozen=True)
class SeatSpec:
    """A seat to create at genesis."""

    id: str
    label_en: str
    label_ar: str
    groups: tuple[str, ...] = ()
    country: str | None = None
    organisation: Organisation | None = None


@dataclass(frozen=True)
class KeySpec:
    """A member's public key to register at genesis."""

    user: User
    public_key: bytes
    is_demo: bool = False


def _invalid(field: str, message: str, code: str = "invalid") -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _last_index() -> int:
    """The index of the last entry recorded, in this transaction's view (-1: none)."""
    return int(Sequencer.objects.get(id=SINGLETON).next_index) - 1


def _check_public_key(public_key: bytes, field: str) -> None:
    try:
        Ed25519PublicKey.from_public_bytes(bytes(public_key))
    except ValueError:
        raise _invalid(field, _("Give a raw Ed25519 public key of 32 bytes.")) from None


# --- genesis ------------------------------------------------------------------------------


@transaction.atomic(durable=True)
def board_genesis(
    *,
    seats: Sequence[SeatSpec],
    holders: Mapping[str, User],
    keys: Sequence[KeySpec],
    policy: rules.QuorumPolicy,
    actor: str = INSTALLATION,
) -> QuorumPolicy:
    """Set up the board: seats, their holders, the holders' keys, then the first policy.

    Allowed only while the log holds no `policy.set` entry: from then on every change of
    the board is a motion.
    """
    return _board_genesis(seats=seats, holders=holders, keys=keys, policy=policy, actor=actor)


def _board_genesis(
    *,
    seats: Sequence[SeatSpec],
    holders: Mapping[str, User],
    keys: Sequence[KeySpec],
    policy: rules.QuorumPolicy,
    actor: str,
) -> QuorumPolicy:
    """`board_genesis` in the caller's open transaction (the demo loader's too)."""
    if LogEntry.objects.filter(kind="policy.set").exists():
        raise _invalid(
            "policy",
            _("The board is already set up; change it with a motion."),
            code="already_set_up",
        )
    _check_genesis(seats, holders, keys)
    for spec in seats:
        _seat_create(spec, actor=actor)
    for seat_id, user in holders.items():
        index = ledger.record(
            "seat.holder_changed", {"seat": seat_id, "member": member_handle(user)}, actor=actor
        ).index
        SeatHolder.objects.create(seat_id=seat_id, user=user, from_index=index)
    for key in keys:
        _key_register(key.user, bytes(key.public_key), is_demo=key.is_demo, actor=actor)
    return _policy_set(policy, actor=actor, motion=None)


def _check_genesis(
    seats: Sequence[SeatSpec], holders: Mapping[str, User], keys: Sequence[KeySpec]
) -> None:
    ids = [spec.id for spec in seats]
    if not ids or len(set(ids)) != len(ids):
        raise _invalid("seats", _("Give at least one seat, each with its own id."))
    if not set(holders) <= set(ids):
        raise _invalid("holders", _("Every seat held must be one of the seats created."))
    members = list(holders.values())
    if len({user.pk for user in members}) != len(members) or not all(
        user_has_role(user, Role.BOARD_MEMBER) for user in members
    ):
        raise _invalid("holders", _("Each seat holder must be a board member holding one seat."))
    if not all(any(key.user.pk == user.pk for user in members) for key in keys):
        raise _invalid("keys", _("Register keys only for members who hold a seat."))
    for key in keys:
        _check_public_key(key.public_key, "keys")
    if len({key_id_of(bytes(key.public_key)) for key in keys}) != len(keys):
        raise _invalid("keys", _("Each key can be registered only once."))


def _seat_create(spec: SeatSpec, *, actor: str) -> Seat:
    seat = Seat(
        id=spec.id,
        label_en=spec.label_en,
        label_ar=spec.label_ar,
        groups=sorted(set(spec.groups)),
        country=spec.country,
        organisation=spec.organisation,
        created_index=0,
    )
    seat.full_clean(validate_unique=True)
    data = {
        "seat": seat.id,
        "label_en": seat.label_en,
        "label_ar": seat.label_ar,
        "groups": seat.groups,
        "country": seat.country,
        "organisation": spec.organisation.iati_identifier if spec.organisation else None,
    }
    seat.created_index = ledger.record("seat.created", data, actor=actor).index
    seat.save()
    return seat


def _key_register(
    user: User, public_key: bytes, *, is_demo: bool, actor: str, motion: Motion | None = None
) -> BoardKey:
    key_id = key_id_of(public_key)
    data = {
        "key_id": key_id,
        "member": member_handle(user),
        "public_key": _b64(public_key),
        "demo": is_demo,
        "motion": None if motion is None else str(motion.id),
    }
    index = ledger.record("key.registered", data, actor=actor).index
    return BoardKey.objects.create(
        key_id=key_id, user=user, public_key=public_key, valid_from=index, is_demo=is_demo
    )


def _policy_set(policy: rules.QuorumPolicy, *, actor: str, motion: Motion | None) -> QuorumPolicy:
    data = {**policy.to_json(), "motion": None if motion is None else str(motion.id)}
    index = ledger.record("policy.set", data, actor=actor).index
    return QuorumPolicy.objects.create(
        min_seats=policy.min_seats,
        required_groups=dict(policy.required_groups),
        recuse_earmarking_state=policy.recuse_earmarking_state,
        recuse_beneficiary=policy.recuse_beneficiary,
        from_index=index,
    )


# --- what an executed motion does -------------------------------------------------------

Handler = Callable[[Motion, int], None]


def _member_of(handle: object) -> User:
    match = _HANDLE.fullmatch(handle) if isinstance(handle, str) else None
    user = User.objects.filter(pk=int(match.group(1))).first() if match else None
    if user is None or not user_has_role(user, Role.BOARD_MEMBER):
        raise _invalid("effect", _("effect.member must be the public handle of a board member."))
    return user


def _public_key_of(effect: Mapping[str, Any]) -> bytes:
    try:
        public_key = base64.b64decode(str(effect.get("public_key", "")), validate=True)
    except (binascii.Error, ValueError):
        public_key = b""
    _check_public_key(public_key, "effect")
    return public_key


def _check_key_register(effect: Mapping[str, Any]) -> None:
    _member_of(effect.get("member"))
    if BoardKey.objects.filter(key_id=key_id_of(_public_key_of(effect))).exists():
        raise _invalid("effect", _("This key is already registered."))


def _execute_key_register(motion: Motion, decided_index: int) -> None:
    _check_key_register(motion.effect)
    user = _member_of(motion.effect["member"])
    _key_register(
        user, _public_key_of(motion.effect), is_demo=False, actor=QUORUM_ACTOR, motion=motion
    )


def _check_key_revoke(effect: Mapping[str, Any]) -> None:
    if not BoardKey.objects.filter(key_id=effect.get("key_id"), revoked_at__isnull=True).exists():
        raise _invalid("effect", _("effect.key_id must name a registered key not yet revoked."))


def _execute_key_revoke(motion: Motion, decided_index: int) -> None:
    _check_key_revoke(motion.effect)
    key = BoardKey.objects.select_for_update().get(key_id=motion.effect["key_id"])
    data = {"key_id": key.key_id, "member": member_handle(key.user), "motion": str(motion.id)}
    key.revoked_at = ledger.record("key.revoked", data, actor=QUORUM_ACTOR).index
    key.save(update_fields=["revoked_at"])


def _policy_of_effect(effect: Mapping[str, Any]) -> rules.QuorumPolicy:
    value = effect.get("policy")
    try:
        if not isinstance(value, Mapping):
            raise TypeError
        return rules.QuorumPolicy(
            min_seats=value["min_seats"],
            required_groups=dict(value.get("required_groups", {"palestinian": 1})),
            recuse_earmarking_state=bool(value.get("recuse_earmarking_state", True)),
            recuse_beneficiary=bool(value.get("recuse_beneficiary", True)),
        )
    except (KeyError, TypeError, ValueError):
        raise _invalid(
            "effect",
            _("effect.policy must be a quorum policy, like {example}.").format(
                example='{"min_seats": 5, "required_groups": {"palestinian": 1}}'
            ),
        ) from None


def _execute_policy_change(motion: Motion, decided_index: int) -> None:
    _policy_set(_policy_of_effect(motion.effect), actor=QUORUM_ACTOR, motion=motion)


def _seat_assignment(effect: Mapping[str, Any]) -> tuple[Seat, User | None]:
    """The seat and its new holder (None: the seat falls vacant) that `effect` names."""
    seat = Seat.objects.filter(pk=effect.get("seat")).first() if "seat" in effect else None
    if seat is None:
        raise _invalid("effect", _("effect.seat must name an existing seat."))
    if "member" not in effect:
        raise _invalid(
            "effect", _("effect.member must be a member's public handle, or null to vacate.")
        )
    member = None if effect["member"] is None else _member_of(effect["member"])
    current = SeatHolder.objects.filter(seat=seat, to_index__isnull=True).first()
    if (current.user_id if current else None) == (member.pk if member else None):
        raise _invalid("effect", _("This member already holds this seat."), "no_change")
    if (
        member is not None
        and SeatHolder.objects.filter(user=member, to_index__isnull=True)
        .exclude(seat=seat)
        .exists()
    ):
        raise _invalid("effect", _("A member can hold only one seat."), "holds_a_seat")
    return seat, member


def _execute_seat_assign(motion: Motion, decided_index: int) -> None:
    seat, member = _seat_assignment(motion.effect)
    data = {
        "seat": seat.id,
        "member": None if member is None else member_handle(member),
        "motion": str(motion.id),
    }
    index = ledger.record("seat.holder_changed", data, actor=QUORUM_ACTOR).index
    SeatHolder.objects.select_for_update().filter(seat=seat, to_index__isnull=True).update(
        to_index=index
    )
    if member is not None:
        SeatHolder.objects.create(seat=seat, user=member, from_index=index)


# kind -> what executing a motion of that kind does, given the index of `motion.executed`.
# A kind without a handler (an allocation, say) is a decision the log records, no more.
EXECUTION_HANDLERS: dict[str, Handler] = {
    "key.register": _execute_key_register,
    "key.revoke": _execute_key_revoke,
    "policy.change": _execute_policy_change,
    "seat.assign": _execute_seat_assign,
}

# kind -> what withdrawing an open motion of that kind undoes (the money a fund motion
# reserved, say), given the index of `motion.withdrawn`.
WITHDRAWAL_HANDLERS: dict[str, Handler] = {}

# Kinds another app's service prepares, with what it sets aside: opened only through
# `open_prepared_motion` by that service, never as a bare motion.
PREPARED_KINDS: set[str] = set()

# kind -> the check of its effect when the motion is opened, so execution cannot fail.
_EFFECT_CHECKS: dict[str, Callable[[Mapping[str, Any]], object]] = {
    "key.register": _check_key_register,
    "key.revoke": _check_key_revoke,
    "policy.change": _policy_of_effect,
    "seat.assign": _seat_assignment,
}


def register_motion_kind(
    kind: str, *, check: Callable[[Mapping[str, Any]], object], execute: Handler
) -> None:
    """Let another app's motion kind take effect: `check(effect)` when the motion is opened
    (raising `ValidationError` on field "effect"), `execute(motion, decided_index)` once the
    quorum has executed it. Called from that app's `AppConfig.ready`; registering a kind
    twice with other functions is a programming error."""
    if not _KIND.fullmatch(kind):
        raise ValueError(f"{kind!r} is not a motion kind")
    if EXECUTION_HANDLERS.get(kind, execute) is not execute or (
        _EFFECT_CHECKS.get(kind, check) is not check
    ):
        raise ValueError(f"the motion kind {kind} is already registered")
    EXECUTION_HANDLERS[kind] = execute
    _EFFECT_CHECKS[kind] = check


# --- motions ------------------------------------------------------------------------------


@transaction.atomic(durable=True)
def motion_open(
    *,
    kind: str,
    title: Mapping[str, str],
    body: Mapping[str, str],
    effect: Mapping[str, Any],
    earmarked_by: Iterable[str] = (),
    beneficiaries: Iterable[str] = (),
    actor: User,
) -> Motion:
    """Put a motion to the board; log `motion.opened` with its bytes.

    The secretariat opens any motion. A board member may open one kind only: the
    registration of a key of their own, so a key made in their browser reaches the board
    without passing through anyone else's hands. The quorum still decides.
    """
    if not _proposes_own_key(actor, kind, effect):
        require_role(actor, Role.SECRETARIAT)
    if kind in PREPARED_KINDS:
        raise _invalid(
            "kind",
            _("A {kind} motion is prepared by its own page, which sets the money aside.").format(
                kind=kind
            ),
            "prepared_kind",
        )
    return _motion_open(
        kind=kind,
        title=title,
        body=body,
        effect=effect,
        earmarked_by=earmarked_by,
        beneficiaries=beneficiaries,
        # A member proposing their key appears under their public handle, like their
        # signatures; the secretariat under its account.
        actor=member_handle(actor)
        if user_has_role(actor, Role.BOARD_MEMBER)
        else f"user:{actor.pk}",
    )


def open_prepared_motion(
    *,
    kind: str,
    title: Mapping[str, str],
    body: Mapping[str, str],
    effect: Mapping[str, Any],
    earmarked_by: Iterable[str],
    beneficiaries: Iterable[str],
    actor: User,
) -> Motion:
    """Open a motion of a prepared kind, in the preparing service's transaction. That
    service has checked the actor's role and set aside what the motion needs."""
    if kind not in PREPARED_KINDS:
        raise ValueError(f"{kind} is not a prepared motion kind")
    return _motion_open(
        kind=kind,
        title=title,
        body=body,
        effect=effect,
        earmarked_by=earmarked_by,
        beneficiaries=beneficiaries,
        actor=f"user:{actor.pk}",
    )


def _proposes_own_key(actor: User, kind: str, effect: Mapping[str, Any]) -> bool:
    return (
        kind == "key.register"
        and user_has_role(actor, Role.BOARD_MEMBER)
        and isinstance(effect, Mapping)
        and effect.get("member") == member_handle(actor)
    )


def _motion_open(
    *,
    kind: str,
    title: Mapping[str, str],
    body: Mapping[str, str],
    effect: Mapping[str, Any],
    earmarked_by: Iterable[str],
    beneficiaries: Iterable[str],
    actor: str,
) -> Motion:
    """`motion_open` in the caller's open transaction, logged under `actor`."""
    earmarked, benefiting = sorted(set(earmarked_by)), sorted(set(beneficiaries))
    _check_motion(kind, title, body, effect, earmarked, benefiting)
    motion = Motion(
        id=uuid.uuid4(),
        kind=kind,
        title_en=title["en"],
        title_ar=title["ar"],
        body_en=body.get("en", ""),
        body_ar=body.get("ar", ""),
        effect=dict(effect),
        earmarked_by=earmarked,
        beneficiaries=benefiting,
        log_origin=settings.AMANAH_LOG_ORIGIN,
        opened_index=0,
    )
    payload = motion_rules(motion).payload()
    motion.payload = payload
    motion.full_clean()
    data = {"motion": str(motion.id), "payload": _b64(payload), "decoded": json.loads(payload)}
    try:
        motion.opened_index = ledger.record("motion.opened", data, actor=actor).index
    except ledger.LedgerError as error:
        raise _invalid("effect", str(error)) from None
    motion.save()
    return motion


def _check_motion(
    kind: str,
    title: Mapping[str, str],
    body: Mapping[str, str],
    effect: Mapping[str, Any],
    earmarked: list[str],
    benefiting: list[str],
) -> None:
    if not isinstance(kind, str) or not _KIND.fullmatch(kind):
        raise _invalid("kind", _("Give the kind as dotted lowercase words, like key.register."))
    if set(title) - {"en", "ar"} or not all(
        str(title.get(lang, "")).strip() for lang in ("en", "ar")
    ):
        raise _invalid("title", _("Give the title in English and in Arabic."))
    if set(body) - {"en", "ar"}:
        raise _invalid("body", _("Give the text in English and in Arabic only."))
    if not isinstance(effect, Mapping):
        raise _invalid("effect", _("Give the effect as a JSON object."))
    if kind in _EFFECT_CHECKS:
        _EFFECT_CHECKS[kind](effect)
    for country in earmarked:
        try:
            validate_country(country)
        except ValidationError as error:
            raise ValidationError({"earmarked_by": error.error_list}) from None
    known = set(
        Organisation.objects.filter(iati_identifier__in=benefiting).values_list(
            "iati_identifier", flat=True
        )
    )
    if known != set(benefiting):
        raise _invalid("beneficiaries", _("Name each beneficiary by a registered IATI identifier."))


def _locked_open_motion(motion: Motion) -> Motion:
    current = Motion.objects.select_for_update().get(pk=motion.pk)
    if current.status != MotionStatus.OPEN:
        raise _invalid("motion", _("This motion is no longer open."), code="not_open")
    return current


def _seat_of_member(actor: User) -> None:
    require_role(actor, Role.BOARD_MEMBER)
    if seat_held_by(actor, index=_last_index()) is None:
        raise _invalid("actor", _("Only a member who holds a seat may do this."), "no_seat")


@transaction.atomic(durable=True)
def motion_sign(*, motion: Motion, key_id: str, signature: bytes, actor: User) -> Motion:
    """Log a member's signature over the motion's payload; execute the motion if the
    signatures now meet the quorum. Returns the motion as it now is."""
    _seat_of_member(actor)
    current = _locked_open_motion(motion)
    _motion_sign(current, key_id=key_id, signature=signature, actor=actor)
    return current


def _motion_sign(motion: Motion, *, key_id: str, signature: bytes, actor: User) -> None:
    """`motion_sign` after its checks of the motion and the member, in the caller's
    transaction (the demo loader's too)."""
    key = BoardKey.objects.filter(key_id=key_id, user=actor).first()
    if key is None:
        raise _invalid("key_id", _("This is not one of your registered keys."), "unknown_key")
    if key.revoked_at is not None:
        raise _invalid("key_id", _("This key was revoked."), "key_revoked")
    if key.valid_from > _last_index():
        raise _invalid("key_id", _("This key is not valid yet."), "key_not_yet_valid")
    if MotionSignature.objects.filter(motion=motion, key=key).exists():
        raise _invalid("key_id", _("This key has already signed this motion."), "duplicate")
    try:
        Ed25519PublicKey.from_public_bytes(bytes(key.public_key)).verify(
            bytes(signature), bytes(motion.payload)
        )
    except (InvalidSignature, ValueError):
        raise _invalid(
            "signature",
            _("The signature does not verify over this motion's bytes with this key."),
            "bad_signature",
        ) from None
    data = {"motion": str(motion.id), "key_id": key_id, "signature": _b64(bytes(signature))}
    index = ledger.record("motion.signed", data, actor=member_handle(actor)).index
    MotionSignature.objects.create(
        motion=motion, key=key, signature=bytes(signature), signed_index=index
    )
    _execute_if_quorate(motion)


def _execute_if_quorate(motion: Motion) -> rules.QuorumResult:
    """Log `motion.executed` and apply its effect, if the signatures meet the quorum in
    force before the decision. The same evaluation the audit replays."""
    decided_at = _last_index() + 1
    signatures = motion_signatures(motion)
    result = rules.evaluate_quorum(
        board_state_at(decided_at - 1), motion_rules(motion), signatures, decided_at=decided_at
    )
    if not result.met:
        return result
    refused = {key_id for key_id, _reason in result.refused}
    counted = [
        {"key_id": s.key_id, "signature": _b64(s.signature), "signed_at": s.signed_at}
        for s in signatures
        if s.key_id not in refused
    ]
    data = {"motion": str(motion.id), "kind": motion.kind, "quorum": result.to_json()}
    entry = ledger.record("motion.executed", data, actor=QUORUM_ACTOR, signatures=counted)
    if entry.index != decided_at:
        raise RuntimeError("the decision was logged at another position than evaluated")
    motion.status, motion.executed_index = MotionStatus.EXECUTED, entry.index
    motion.save(update_fields=["status", "executed_index"])
    handler = EXECUTION_HANDLERS.get(motion.kind)
    if handler is not None:
        handler(motion, entry.index)
    return result


@transaction.atomic(durable=True)
def motion_refuse(*, motion: Motion, reason: str, actor: User) -> MotionRefusal:
    """Log a member's refusal of an open motion, with their reason."""
    _seat_of_member(actor)
    current = _locked_open_motion(motion)
    reason = reason.strip() if isinstance(reason, str) else ""
    if not reason:
        raise _invalid("reason", _("Say why you refuse the motion."), "required")
    if MotionRefusal.objects.filter(motion=current, user=actor).exists():
        raise _invalid("motion", _("You have already refused this motion."), "duplicate")
    data = {"motion": str(current.id), "member": member_handle(actor), "reason": reason}
    index = ledger.record("motion.refused", data, actor=member_handle(actor)).index
    return MotionRefusal.objects.create(motion=current, user=actor, reason=reason, index=index)


@transaction.atomic(durable=True)
def motion_withdraw(*, motion: Motion, reason: str, actor: User) -> Motion:
    """Withdraw an open motion (secretariat only), saying why; log `motion.withdrawn`.

    A withdrawn motion can no longer be signed or executed. This is how a motion the board
    no longer needs, or one that can no longer execute (its key was registered by another
    motion meanwhile), leaves the list of open motions; the log keeps it, and its reason.
    """
    require_role(actor, Role.SECRETARIAT)
    current = _locked_open_motion(motion)
    reason = reason.strip() if isinstance(reason, str) else ""
    if not reason:
        raise _invalid("reason", _("Say why the motion is withdrawn."), "required")
    data = {"motion": str(current.id), "reason": reason}
    current.withdrawn_index = ledger.record(
        "motion.withdrawn", data, actor=f"user:{actor.pk}"
    ).index
    current.status, current.withdrawn_reason = MotionStatus.WITHDRAWN, reason
    current.save(update_fields=["status", "withdrawn_index", "withdrawn_reason"])
    undo = WITHDRAWAL_HANDLERS.get(current.kind)
    if undo is not None:
        undo(current, current.withdrawn_index)
    return current
