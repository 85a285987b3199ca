"""`amanah audit`'s core: rebuild the board from the log alone and re-check every decision.

Pure: it reads `(index, entry bytes)` pairs and nothing else — no database, no Django,
no clock. It follows the entry formats of docs/governance.md (the shapes the services in
`amanah.governance.services` write), rebuilds seats, holders, keys, the policy and the
motions position by position, and at each `motion.executed` checks:

1. the motion was opened earlier, and what was executed is what was opened;
2. every listed signature verifies over the opened payload and was logged in a
   `motion.signed` entry of that motion before the decision, at the position it claims;
3. `rules.evaluate_quorum` over the state before the decision and the listed signatures
   is met, and no listed signature is refused;
4. the recorded `QuorumResult` equals the one recomputed over every signature logged for
   the motion before the decision (what the services evaluate).

From the first `policy.set` on, a seat, key or policy change is accepted only as the
effect of an executed motion, logged right after its `motion.executed` (same
transaction); anything else is reported and left out of the rebuilt state, so that later
decisions are judged under the state the rules allow. Entries of other kinds (pledges,
organisations, demo facts) are counted and skipped.

Every problem is a `Violation` naming the entry index and a stable `code`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from amanah.governance.rules import (
    MOTION_TYPE,
    BoardKey,
    BoardState,
    Motion,
    MotionSignature,
    QuorumPolicy,
    Seat,
    evaluate_quorum,
)
from amanah.transparency import MalformedInput, canonical_json

__all__ = ["AuditReport", "ExecutedMotion", "Violation", "ViolationCode", "replay"]

_PREFIX, _SUFFIX = "amanah.", ".v1"
# The kinds that change who decides and how; free only before the first policy.set.
_CHANGE_KINDS = frozenset(
    {"seat.created", "seat.holder_changed", "key.registered", "key.revoked", "policy.set"}
)
_MOTION_KINDS = frozenset(
    {"motion.opened", "motion.signed", "motion.refused", "motion.executed", "motion.withdrawn"}
)
GOVERNANCE_KINDS = _CHANGE_KINDS | _MOTION_KINDS
# motion kind -> the change entry its execution logs right after `motion.executed`.
_EFFECT_KIND = {
    "key.register": "key.registered",
    "key.revoke": "key.revoked",
    "policy.change": "policy.set",
    "seat.assign": "seat.holder_changed",
}


class ViolationCode:
    """Stable codes of the audit report (strings, so JSON output stays plain)."""

    MALFORMED_ENTRY = "malformed_entry"
    NON_CANONICAL_ENTRY = "non_canonical_entry"
    OUT_OF_ORDER = "out_of_order"
    NO_POLICY = "no_policy"
    MOTION_NOT_OPENED = "motion_not_opened"
    MOTION_REOPENED = "motion_reopened"
    MOTION_NOT_OPEN = "motion_not_open"
    PAYLOAD_MISMATCH = "payload_mismatch"
    KIND_MISMATCH = "kind_mismatch"
    SIGNATURE_INVALID = "signature_invalid"
    SIGNATURE_NOT_LOGGED = "signature_not_logged"
    SIGNATURE_REFUSED = "signature_refused"
    QUORUM_NOT_MET = "quorum_not_met"
    QUORUM_RESULT_MISMATCH = "quorum_result_mismatch"
    CHANGE_WITHOUT_MOTION = "change_without_motion"
    EFFECT_MISSING = "effect_missing"
    EFFECT_MISMATCH = "effect_mismatch"
    EFFECT_OF_INVALID_DECISION = "effect_of_invalid_decision"
    UNKNOWN_SEAT = "unknown_seat"
    DUPLICATE_SEAT = "duplicate_seat"
    UNKNOWN_KEY = "unknown_key"
    DUPLICATE_KEY = "duplicate_key"
    KEY_ID_MISMATCH = "key_id_mismatch"
    KEY_ALREADY_REVOKED = "key_already_revoked"


@dataclass(frozen=True)
class Violation:
    index: int
    code: str
    message: str

    def to_json(self) -> dict[str, object]:
        return {"index": self.index, "code": self.code, "message": self.message}


@dataclass(frozen=True)
class ExecutedMotion:
    index: int
    motion: str
    kind: str
    counted_seats: tuple[str, ...]
    valid: bool

    def to_json(self) -> dict[str, object]:
        return {
            "index": self.index,
            "motion": self.motion,
            "kind": self.kind,
            "counted_seats": list(self.counted_seats),
            "valid": self.valid,
        }


@dataclass
class AuditReport:
    """What the replay found: every decision checked, every violation, kinds counted."""

    entries: int = 0
    kinds: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)
    motions_executed: list[ExecutedMotion] = field(default_factory=list)
    violations: list[Violation] = field(default_factory=list)
    genesis_policy_index: int | None = None

    @property
    def ok(self) -> bool:
        return not self.violations

    def codes_at(self, index: int) -> set[str]:
        return {v.code for v in self.violations if v.index == index}

    def to_json(self) -> dict[str, object]:
        return {
            "ok": self.ok,
            "entries": self.entries,
            "governance_entries": dict(sorted(self.kinds.items())),
            "skipped": dict(sorted(self.skipped.items())),
            "genesis_policy_index": self.genesis_policy_index,
            "motions_executed": [m.to_json() for m in self.motions_executed],
            "violations": [v.to_json() for v in self.violations],
        }


class _Bad(Exception):
    """An entry that does not have the shape its kind requires."""


def _str(data: Mapping[str, Any], name: str, *, optional: bool = False) -> Any:
    value = data.get(name)
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise _Bad(f"data.{name} must be a string")
    return value


def _b64(value: object, name: str) -> bytes:
    if not isinstance(value, str):
        raise _Bad(f"{name} must be base64")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise _Bad(f"{name} must be base64") from None


def _policy(value: object) -> QuorumPolicy:
    """A policy from `policy.set` data or a `policy.change` effect, as the services read it."""
    if not isinstance(value, Mapping):
        raise _Bad("the policy must be a JSON object")
    try:
        groups = value.get("required_groups", {"palestinian": 1})
        if not isinstance(groups, Mapping) or not all(
            isinstance(n, int) and not isinstance(n, bool) for n in groups.values()
        ):
            raise TypeError
        min_seats = value["min_seats"]
        if not isinstance(min_seats, int) or isinstance(min_seats, bool):
            raise TypeError
        return QuorumPolicy(
            min_seats=min_seats,
            required_groups=dict(groups),
            recuse_earmarking_state=bool(value.get("recuse_earmarking_state", True)),
            recuse_beneficiary=bool(value.get("recuse_beneficiary", True)),
        )
    except (KeyError, TypeError, ValueError):
        raise _Bad("not a valid quorum policy") from None


def _motion_of(payload: bytes) -> Motion:
    """The motion whose `payload()` are these exact bytes, or `_Bad`."""
    try:
        value = json.loads(payload)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise _Bad("the payload is not JSON") from None
    if not isinstance(value, dict) or value.get("type") != MOTION_TYPE:
        raise _Bad(f"the payload is not typed {MOTION_TYPE}")
    try:
        motion = Motion(
            id=value["motion"],
            kind=value["kind"],
            title=dict(value["title"]),
            body=dict(value["body"]),
            effect=dict(value["effect"]),
            earmarked_by=frozenset(value["earmarked_by"]),
            beneficiaries=frozenset(value["beneficiaries"]),
            log_origin=value["log"],
        )
        rebuilt = motion.payload()
    except (KeyError, TypeError, ValueError, MalformedInput):
        raise _Bad("the payload lacks a field of amanah.motion.v1") from None
    if rebuilt != payload:
        raise _Bad("the payload is not the canonical bytes of its motion")
    return motion


@dataclass
class _OpenMotion:
    motion: Motion
    payload: bytes
    opened_at: int
    # (key_id, signature) -> index of its motion.signed entry, in log order.
    signed: dict[tuple[str, bytes], int] = field(default_factory=dict)
    executed_at: int | None = None
    withdrawn_at: int | None = None


@dataclass
class _Pending:
    """An executed motion whose effect must be the very next entry."""

    motion: Motion
    executed_at: int
    valid: bool


class _Replay:
    def __init__(self) -> None:
        self.report = AuditReport()
        self.seats: dict[str, Seat] = {}
        self.keys: dict[str, BoardKey] = {}
        self.policy: QuorumPolicy | None = None
        self.motions: dict[str, _OpenMotion] = {}
        self.pending: _Pending | None = None
        self.last_index = -1

    def flag(self, index: int, code: str, message: str) -> None:
        self.report.violations.append(Violation(index, code, message))

    # --- entries -----------------------------------------------------------------------

    def entry(self, index: int, raw: bytes) -> None:
        self.report.entries += 1
        if index <= self.last_index:
            self.flag(index, ViolationCode.OUT_OF_ORDER, f"entry {index} follows {self.last_index}")
        self.last_index = max(self.last_index, index)
        try:
            value = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError):
            self._end_effect(index, None)
            self.report.skipped["(not JSON)"] += 1
            return
        kind = _kind_of(value)
        if kind not in GOVERNANCE_KINDS:
            self._end_effect(index, None)
            self.report.skipped[kind or "(untyped)"] += 1
            return
        self.report.kinds[kind] += 1
        data = value.get("data")
        if not isinstance(data, dict):
            self._end_effect(index, None)
            self.flag(index, ViolationCode.MALFORMED_ENTRY, f"{kind}: data must be an object")
            return
        try:
            canonical = canonical_json(value)
        except MalformedInput:
            canonical = b""
        if canonical != raw:
            self.flag(index, ViolationCode.NON_CANONICAL_ENTRY, f"{kind} is not RFC 8785 JSON")
        pending = self._end_effect(index, kind)
        try:
            if kind in _CHANGE_KINDS:
                self._change(index, kind, data, pending)
            else:
                self._motion_entry(index, kind, value, data)
        except _Bad as error:
            self.flag(index, ViolationCode.MALFORMED_ENTRY, f"{kind}: {error}")

    def _end_effect(self, index: int, kind: str | None) -> _Pending | None:
        """Take the pending effect for this entry; flag it missing if this is not one."""
        pending, self.pending = self.pending, None
        if pending is None:
            return None
        if kind != _EFFECT_KIND[pending.motion.kind]:
            self.flag(
                pending.executed_at,
                ViolationCode.EFFECT_MISSING,
                f"motion {pending.motion.id} ({pending.motion.kind}) executed, but entry"
                f" {index} is not its {_EFFECT_KIND[pending.motion.kind]}",
            )
            return None
        return pending

    def finish(self) -> AuditReport:
        self._end_effect(self.last_index + 1, None)
        return self.report

    # --- seats, keys, policy -----------------------------------------------------------

    def _change(
        self, index: int, kind: str, data: Mapping[str, Any], pending: _Pending | None
    ) -> None:
        after_genesis = self.policy is not None
        if after_genesis:
            if pending is None:
                self.flag(
                    index,
                    ViolationCode.CHANGE_WITHOUT_MOTION,
                    f"{kind} after the first policy.set is not the effect of an executed motion",
                )
                return
            if data.get("motion") != pending.motion.id or not self._effect_matches(
                kind, data, pending.motion
            ):
                self.flag(
                    index,
                    ViolationCode.EFFECT_MISMATCH,
                    f"{kind} differs from the effect of motion {pending.motion.id}",
                )
                return
            if not pending.valid:
                self.flag(
                    index,
                    ViolationCode.EFFECT_OF_INVALID_DECISION,
                    f"{kind} applies motion {pending.motion.id}, whose decision failed the audit",
                )
                return
        getattr(self, "_" + kind.replace(".", "_"))(index, data)

    def _effect_matches(self, kind: str, data: Mapping[str, Any], motion: Motion) -> bool:
        effect = motion.effect
        if kind == "key.registered":
            return data.get("member") == effect.get("member") and data.get(
                "public_key"
            ) == effect.get("public_key")
        if kind == "key.revoked":
            return data.get("key_id") == effect.get("key_id")
        if kind == "seat.holder_changed":
            return data.get("seat") == effect.get("seat") and data.get("member") == effect.get(
                "member"
            )
        if kind == "policy.set":
            try:
                return _policy(effect.get("policy")).to_json() == _policy(data).to_json()
            except _Bad:
                return False
        return False

    def _seat_created(self, index: int, data: Mapping[str, Any]) -> None:
        seat_id = _str(data, "seat")
        groups = data.get("groups", [])
        if not isinstance(groups, list) or not all(isinstance(g, str) for g in groups):
            raise _Bad("data.groups must be a list of strings")
        if seat_id in self.seats:
            self.flag(index, ViolationCode.DUPLICATE_SEAT, f"seat {seat_id} already exists")
            return
        self.seats[seat_id] = Seat(
            id=seat_id,
            groups=frozenset(groups),
            country=_str(data, "country", optional=True),
            organisation=_str(data, "organisation", optional=True),
        )

    def _seat_holder_changed(self, index: int, data: Mapping[str, Any]) -> None:
        seat_id = _str(data, "seat")
        member = _str(data, "member", optional=True)
        seat = self.seats.get(seat_id)
        if seat is None:
            self.flag(index, ViolationCode.UNKNOWN_SEAT, f"seat {seat_id} was never created")
            return
        self.seats[seat_id] = Seat(seat.id, seat.groups, seat.country, seat.organisation, member)

    def _key_registered(self, index: int, data: Mapping[str, Any]) -> None:
        key_id, member = _str(data, "key_id"), _str(data, "member")
        public_key = _b64(data.get("public_key"), "data.public_key")
        if len(public_key) != 32:
            raise _Bad("data.public_key must be 32 bytes")
        if hashlib.sha256(public_key).hexdigest()[:16] != key_id:
            self.flag(index, ViolationCode.KEY_ID_MISMATCH, f"key {key_id} is not its key's id")
            return
        if key_id in self.keys:
            self.flag(index, ViolationCode.DUPLICATE_KEY, f"key {key_id} is already registered")
            return
        self.keys[key_id] = BoardKey(key_id, member, public_key, valid_from=index)

    def _key_revoked(self, index: int, data: Mapping[str, Any]) -> None:
        key_id = _str(data, "key_id")
        key = self.keys.get(key_id)
        if key is None:
            self.flag(index, ViolationCode.UNKNOWN_KEY, f"key {key_id} was never registered")
            return
        if key.revoked_at is not None:
            self.flag(index, ViolationCode.KEY_ALREADY_REVOKED, f"key {key_id} was revoked")
            return
        self.keys[key_id] = BoardKey(
            key.key_id, key.member, key.public_key, key.valid_from, revoked_at=index
        )

    def _policy_set(self, index: int, data: Mapping[str, Any]) -> None:
        self.policy = _policy(data)
        if self.report.genesis_policy_index is None:
            self.report.genesis_policy_index = index

    # --- motions -----------------------------------------------------------------------

    def _motion_entry(
        self, index: int, kind: str, value: Mapping[str, Any], data: Mapping[str, Any]
    ) -> None:
        motion_id = _str(data, "motion")
        if kind == "motion.opened":
            self._opened(index, motion_id, data)
            return
        opened = self.motions.get(motion_id)
        if opened is None:
            self.flag(
                index,
                ViolationCode.MOTION_NOT_OPENED,
                f"{kind} of motion {motion_id}, which was never opened before",
            )
            return
        if opened.executed_at is not None or opened.withdrawn_at is not None:
            closed = "executed" if opened.executed_at is not None else "withdrawn"
            at = opened.executed_at if opened.executed_at is not None else opened.withdrawn_at
            self.flag(
                index,
                ViolationCode.MOTION_NOT_OPEN,
                f"{kind} of motion {motion_id}, already {closed} at entry {at}",
            )
            return
        if kind == "motion.withdrawn":
            opened.withdrawn_at = index
            return
        if kind == "motion.signed":
            key_id = _str(data, "key_id")
            signature = _b64(data.get("signature"), "data.signature")
            opened.signed.setdefault((key_id, signature), index)
        elif kind == "motion.executed":
            self._executed(index, opened, value, data)

    def _opened(self, index: int, motion_id: str, data: Mapping[str, Any]) -> None:
        payload = _b64(data.get("payload"), "data.payload")
        motion = _motion_of(payload)
        if motion.id != motion_id:
            raise _Bad(f"the payload names motion {motion.id}, not {motion_id}")
        if "decoded" in data and data["decoded"] != json.loads(payload):
            self.flag(index, ViolationCode.PAYLOAD_MISMATCH, "data.decoded is not the payload")
        if motion_id in self.motions:
            self.flag(index, ViolationCode.MOTION_REOPENED, f"motion {motion_id} was opened before")
            return
        self.motions[motion_id] = _OpenMotion(motion, payload, index)

    def _listed_signatures(
        self, index: int, opened: _OpenMotion, value: Mapping[str, Any]
    ) -> list[MotionSignature] | None:
        listed = value.get("signatures")
        if not isinstance(listed, list):
            raise _Bad("signatures must be a list")
        result: list[MotionSignature] = []
        ok = True
        for item in listed:
            if not isinstance(item, Mapping):
                raise _Bad("each signature must be an object")
            key_id = _str(item, "key_id")
            signature = _b64(item.get("signature"), "signature")
            signed_at = item.get("signed_at")
            if not isinstance(signed_at, int) or isinstance(signed_at, bool):
                raise _Bad("signed_at must be an integer")
            logged_at = opened.signed.get((key_id, signature))
            if logged_at is None or logged_at != signed_at:
                ok = False
                self.flag(
                    index,
                    ViolationCode.SIGNATURE_NOT_LOGGED,
                    f"key {key_id}'s signature is not the motion.signed entry {signed_at}"
                    " of this motion before the decision",
                )
            key = self.keys.get(key_id)
            if key is not None and not _verifies(key.public_key, signature, opened.payload):
                ok = False
                self.flag(
                    index,
                    ViolationCode.SIGNATURE_INVALID,
                    f"key {key_id}'s signature does not verify over the motion's payload",
                )
            result.append(MotionSignature(key_id, signature, signed_at))
        return result if ok else None

    def _executed(
        self, index: int, opened: _OpenMotion, value: Mapping[str, Any], data: Mapping[str, Any]
    ) -> None:
        motion = opened.motion
        opened.executed_at = index
        kind = _str(data, "kind")
        valid = True
        if kind != motion.kind:
            valid = False
            self.flag(
                index,
                ViolationCode.KIND_MISMATCH,
                f"executed as {kind}, opened as {motion.kind}",
            )
        if "payload" in data and _b64(data["payload"], "data.payload") != opened.payload:
            valid = False
            self.flag(index, ViolationCode.PAYLOAD_MISMATCH, "the executed payload differs")
        listed = self._listed_signatures(index, opened, value)
        valid = valid and listed is not None
        counted: tuple[str, ...] = ()
        if self.policy is None:
            valid = False
            self.flag(index, ViolationCode.NO_POLICY, "a decision before the first policy.set")
        else:
            state = BoardState(dict(self.seats), dict(self.keys), self.policy)
            if listed is not None:
                result = evaluate_quorum(state, motion, listed, decided_at=index)
                counted = result.counted_seats
                for key_id, reason in result.refused:
                    valid = False
                    self.flag(
                        index,
                        ViolationCode.SIGNATURE_REFUSED,
                        f"key {key_id}'s signature is counted but does not count: {reason.value}",
                    )
                if not result.met:
                    valid = False
                    self.flag(
                        index,
                        ViolationCode.QUORUM_NOT_MET,
                        f"the listed signatures do not meet the policy: missing {result.missing}",
                    )
            logged = [
                MotionSignature(key_id, signature, at)
                for (key_id, signature), at in sorted(opened.signed.items(), key=lambda i: i[1])
            ]
            recomputed = evaluate_quorum(state, motion, logged, decided_at=index).to_json()
            if data.get("quorum") != recomputed:
                valid = False
                self.flag(
                    index,
                    ViolationCode.QUORUM_RESULT_MISMATCH,
                    f"recorded {json.dumps(data.get('quorum'), sort_keys=True)},"
                    f" recomputed {json.dumps(recomputed, sort_keys=True)}",
                )
        self.report.motions_executed.append(
            ExecutedMotion(index, motion.id, motion.kind, counted, valid)
        )
        if motion.kind in _EFFECT_KIND:
            self.pending = _Pending(motion, index, valid)


def _verifies(public_key: bytes, signature: bytes, message: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


def _kind_of(value: object) -> str | None:
    if not isinstance(value, dict):
        return None
    kind = value.get("type")
    if not isinstance(kind, str) or not kind.startswith(_PREFIX) or not kind.endswith(_SUFFIX):
        return None
    return kind[len(_PREFIX) : -len(_SUFFIX)]


def replay(entries: Iterable[tuple[int, bytes]]) -> AuditReport:
    """Replay `(index, entry)` pairs in log order; report every decision and violation."""
    state = _Replay()
    for index, raw in entries:
        state.entry(index, raw)
    return state.finish()
