"""`replay`: the database-free audit of the board's decisions, over handcrafted logs.

The entries below mimic, field for field, what `amanah.governance.services` writes
(docs/governance.md). An honest log replays clean; each tampered variant — a decision
logged without its quorum, a revoked key's signature, a quorum without the Palestinian
seat, a recused seat counted, a key registered outside a motion — is named by its entry.

That the services themselves refuse the same cases is tested where they live:
tests/governance/test_motion_execute.py (`test_without_the_palestinian_seat_nothing_executes`,
`test_a_recused_seat_does_not_count`, `test_a_beneficiary_seat_is_recused`,
`test_a_signature_whose_key_was_revoked_before_the_decision_does_not_count`) and
tests/governance/test_motion_sign.py (`test_a_revoked_key_cannot_sign`).
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from collections.abc import Iterable
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from amanah.governance.replay import AuditReport, replay
from amanah.governance.rules import (
    BoardKey,
    BoardState,
    Motion,
    MotionSignature,
    QuorumPolicy,
    Seat,
    evaluate_quorum,
)
from amanah.transparency import canonical_json

# seat id -> (country, groups, organisation)
SEATS: dict[str, tuple[str | None, tuple[str, ...], str | None]] = {
    "pk": ("PK", (), None),
    "tr": ("TR", (), None),
    "qa": ("QA", (), None),
    "eg": ("EG", (), None),
    "ps-1": (None, ("palestinian",), "XI-DEMO-PS-MOPWH"),
}
POLICY = QuorumPolicy(min_seats=3, required_groups={"palestinian": 1})
ORIGIN = "example.org/amanah"
QUORUM = "amanah:quorum"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _private(name: str) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(hashlib.sha256(name.encode()).digest())


def _public(private: Ed25519PrivateKey) -> bytes:
    return private.public_key().public_bytes_raw()


def _key_id(public_key: bytes) -> str:
    return hashlib.sha256(public_key).hexdigest()[:16]


class Log:
    """Entries written as the services write them, plus the board they describe, so
    that an honest decision can be logged with the very result the services compute."""

    def __init__(self) -> None:
        self.entries: list[bytes] = []
        self.members = {seat: f"member-{n}" for n, seat in enumerate(SEATS, start=1)}
        self.private = {seat: _private(seat) for seat in SEATS}
        self.seats: dict[str, Seat] = {}
        self.keys: dict[str, BoardKey] = {}
        self.policy = POLICY
        self.signatures: dict[str, list[MotionSignature]] = {}

    # --- raw entries ------------------------------------------------------------------

    def add(
        self,
        kind: str,
        data: dict[str, Any],
        *,
        actor: str = "installation",
        signatures: Iterable[dict[str, Any]] = (),
    ) -> int:
        self.entries.append(
            canonical_json(
                {
                    "type": f"amanah.{kind}.v1",
                    "at": "2026-11-26T02:00:00Z",
                    "actor": actor,
                    "data": data,
                    "private_commitment": None,
                    "signatures": list(signatures),
                }
            )
        )
        return len(self.entries) - 1

    def replay(self) -> AuditReport:
        return replay(enumerate(self.entries))

    # --- the board ----------------------------------------------------------------------

    def genesis(self) -> Log:
        for seat, (country, groups, organisation) in SEATS.items():
            self.add(
                "seat.created",
                {
                    "seat": seat,
                    "label_en": f"Seat {seat}",
                    "label_ar": f"مقعد {seat}",
                    "groups": list(groups),
                    "country": country,
                    "organisation": organisation,
                },
            )
            self.seats[seat] = Seat(seat, frozenset(groups), country, organisation)
        for seat, member in self.members.items():
            self.add("seat.holder_changed", {"seat": seat, "member": member})
            old = self.seats[seat]
            self.seats[seat] = Seat(seat, old.groups, old.country, old.organisation, member)
        for seat in SEATS:
            self.register_key(self.members[seat], _public(self.private[seat]), motion=None)
        self.set_policy(POLICY, motion=None)
        return self

    def register_key(
        self, member: str, public_key: bytes, *, motion: str | None, actor: str = "installation"
    ) -> int:
        key_id = _key_id(public_key)
        data = {
            "key_id": key_id,
            "member": member,
            "public_key": _b64(public_key),
            "demo": False,
            "motion": motion,
        }
        index = self.add("key.registered", data, actor=actor)
        self.keys[key_id] = BoardKey(key_id, member, public_key, valid_from=index)
        return index

    def set_policy(self, policy: QuorumPolicy, *, motion: str | None) -> int:
        actor = "installation" if motion is None else QUORUM
        self.policy = policy
        return self.add("policy.set", {**policy.to_json(), "motion": motion}, actor=actor)

    # --- motions -------------------------------------------------------------------------

    def open(
        self,
        kind: str = "allocation.approve",
        effect: dict[str, Any] | None = None,
        earmarked_by: Iterable[str] = (),
        beneficiaries: Iterable[str] = (),
    ) -> Motion:
        motion = Motion(
            id=str(uuid.uuid4()),
            kind=kind,
            title={"en": "A motion", "ar": "مقترح"},
            body={"en": "", "ar": ""},
            effect=effect or {"amount": {"value": "1000000.00", "currency": "USD"}},
            earmarked_by=frozenset(earmarked_by),
            beneficiaries=frozenset(beneficiaries),
            log_origin=ORIGIN,
        )
        payload = motion.payload()
        self.add(
            "motion.opened",
            {"motion": motion.id, "payload": _b64(payload), "decoded": json.loads(payload)},
            actor="user:7",
        )
        self.signatures[motion.id] = []
        return motion

    def sign(self, motion: Motion, *seats: str) -> list[MotionSignature]:
        signed = []
        for seat in seats:
            private = self.private[seat]
            signature = private.sign(motion.payload())
            key_id = _key_id(_public(private))
            data = {"motion": motion.id, "key_id": key_id, "signature": _b64(signature)}
            index = self.add("motion.signed", data, actor=self.members[seat])
            signed.append(MotionSignature(key_id, signature, index))
        self.signatures[motion.id].extend(signed)
        return signed

    def execute(
        self,
        motion: Motion,
        listed: list[MotionSignature] | None = None,
        *,
        quorum: dict[str, Any] | None = None,
        effect: bool = True,
    ) -> int:
        """Log `motion.executed` as `_execute_if_quorate` would — or, given `listed` and a
        `quorum`, as a forger would — then the motion's effect."""
        decided_at = len(self.entries)
        state = BoardState(dict(self.seats), dict(self.keys), self.policy)
        result = evaluate_quorum(state, motion, self.signatures[motion.id], decided_at=decided_at)
        refused = {key_id for key_id, _reason in result.refused}
        if listed is None:
            listed = [s for s in self.signatures[motion.id] if s.key_id not in refused]
        data = {
            "motion": motion.id,
            "kind": motion.kind,
            "quorum": result.to_json() if quorum is None else quorum,
        }
        signatures = [
            {"key_id": s.key_id, "signature": _b64(s.signature), "signed_at": s.signed_at}
            for s in listed
        ]
        index = self.add("motion.executed", data, actor=QUORUM, signatures=signatures)
        assert index == decided_at
        if effect:
            self.effect(motion)
        return index

    def effect(self, motion: Motion) -> int | None:
        effect = motion.effect
        if motion.kind == "key.register":
            public_key = base64.b64decode(str(effect["public_key"]))
            return self.register_key(
                str(effect["member"]), public_key, motion=motion.id, actor=QUORUM
            )
        if motion.kind == "key.revoke":
            key = self.keys[str(effect["key_id"])]
            data = {"key_id": key.key_id, "member": key.member, "motion": motion.id}
            index = self.add("key.revoked", data, actor=QUORUM)
            self.keys[key.key_id] = BoardKey(
                key.key_id, key.member, key.public_key, key.valid_from, revoked_at=index
            )
            return index
        if motion.kind == "policy.change":
            policy = effect["policy"]
            assert isinstance(policy, dict)
            return self.set_policy(
                QuorumPolicy(
                    min_seats=policy["min_seats"], required_groups=policy["required_groups"]
                ),
                motion=motion.id,
            )
        return None

    def key_id(self, seat: str) -> str:
        return _key_id(_public(self.private[seat]))

    def revoke(self, seat: str, *signers: str) -> int:
        motion = self.open("key.revoke", {"key_id": self.key_id(seat)})
        self.sign(motion, *signers)
        return self.execute(motion)


def claimed(*seats: str) -> dict[str, Any]:
    """The `QuorumResult` JSON a forger writes: every seat named counted, quorum met."""
    groups: dict[str, int] = {}
    for seat in seats:
        for group in SEATS[seat][1]:
            groups[group] = groups.get(group, 0) + 1
    return {
        "met": True,
        "counted_seats": sorted(seats),
        "group_counts": groups,
        "refused": [],
        "missing": {},
    }


def codes(report: AuditReport) -> set[tuple[int, str]]:
    return {(v.index, v.code) for v in report.violations}


# --- an honest log ----------------------------------------------------------------------------


def test_an_honest_board_replays_clean() -> None:
    log = Log().genesis()
    log.add("pledge.recorded", {"donor": "XM-DAC-41114", "amount": "5"}, actor="user:7")
    allocation = log.open(earmarked_by=["QA"])
    log.sign(allocation, "qa", "pk", "tr")  # Qatar is recused; two seats, no Palestinian
    log.add("demo.fact", {"n": 1}, actor="demo")
    log.sign(allocation, "ps-1")
    first = log.execute(allocation)
    revocation_at = log.revoke("pk", "tr", "eg", "ps-1")
    new_key = _private("pk-2")
    registration = log.open(
        "key.register", {"member": log.members["pk"], "public_key": _b64(_public(new_key))}
    )
    log.sign(registration, "tr", "eg", "ps-1")
    registered_at = log.execute(registration)
    log.private["pk"] = new_key
    change = log.open(
        "policy.change", {"policy": {"min_seats": 4, "required_groups": {"palestinian": 1}}}
    )
    log.sign(change, "pk", "tr", "ps-1")
    changed_at = log.execute(change)
    last = log.open()
    log.sign(last, "pk", "tr", "eg", "ps-1")
    last_at = log.execute(last)
    log.entries.append(b"not json at all")

    report = log.replay()

    assert report.violations == []
    assert report.ok
    assert [(m.index, m.kind, m.valid) for m in report.motions_executed] == [
        (first, "allocation.approve", True),
        (revocation_at, "key.revoke", True),
        (registered_at, "key.register", True),
        (changed_at, "policy.change", True),
        (last_at, "allocation.approve", True),
    ]
    assert report.motions_executed[0].counted_seats == ("pk", "ps-1", "tr")
    assert report.motions_executed[-1].counted_seats == ("eg", "pk", "ps-1", "tr")
    assert report.skipped == {"pledge.recorded": 1, "demo.fact": 1, "(not JSON)": 1}
    assert report.entries == len(log.entries)
    assert report.genesis_policy_index == 2 * len(SEATS) + len(SEATS)
    assert report.to_json()["ok"] is True


def test_the_recorded_result_lists_refused_signatures_as_the_services_do() -> None:
    log = Log().genesis()
    motion = log.open(earmarked_by=["QA"])
    log.sign(motion, "qa", "pk", "tr", "ps-1")
    at = log.execute(motion)

    report = log.replay()

    assert report.ok, report.violations
    recorded = json.loads(log.entries[at])
    assert recorded["data"]["quorum"]["refused"] == [[log.key_id("qa"), "recused"]]
    assert log.key_id("qa") not in [s["key_id"] for s in recorded["signatures"]]


# --- (a) a decision written straight into the database ----------------------------------------


def test_a_decision_without_enough_signatures_is_named() -> None:
    log = Log().genesis()
    motion = log.open()
    signed = log.sign(motion, "pk")
    forged = log.execute(motion, signed, quorum=claimed("pk", "tr", "ps-1"))

    report = log.replay()

    assert codes(report) == {(forged, "quorum_not_met"), (forged, "quorum_result_mismatch")}
    assert report.motions_executed[-1].valid is False


def test_a_decision_citing_signatures_never_logged_is_named() -> None:
    log = Log().genesis()
    motion = log.open()
    logged = log.sign(motion, "pk", "tr")
    unlogged = MotionSignature(log.key_id("ps-1"), log.private["ps-1"].sign(motion.payload()), 3)
    forged = log.execute(motion, [*logged, unlogged], quorum=claimed("pk", "tr", "ps-1"))

    report = log.replay()

    assert (forged, "signature_not_logged") in codes(report)
    assert (forged, "quorum_result_mismatch") in codes(report)
    assert not report.motions_executed[-1].valid


def test_a_signature_over_other_bytes_is_named() -> None:
    log = Log().genesis()
    motion = log.open()
    signed = log.sign(motion, "pk", "tr", "ps-1")
    bad = MotionSignature(
        signed[0].key_id, log.private["pk"].sign(b"other bytes"), signed[0].signed_at
    )
    forged = log.execute(motion, [bad, *signed[1:]], quorum=claimed("pk", "tr", "ps-1"))

    report = log.replay()

    assert (forged, "signature_invalid") in codes(report)


def test_a_decision_on_a_motion_never_opened_is_named() -> None:
    log = Log().genesis()
    ghost = Motion("0" * 8, "allocation.approve", {}, {}, {})
    log.signatures[ghost.id] = []
    forged = log.execute(ghost, [], quorum=claimed("pk", "tr", "ps-1"))

    assert codes(log.replay()) == {(forged, "motion_not_opened")}


def test_a_decision_before_any_policy_is_named() -> None:
    log = Log()
    motion = log.open()
    forged = log.add(
        "motion.executed",
        {"motion": motion.id, "kind": motion.kind, "quorum": claimed()},
        actor=QUORUM,
    )

    assert codes(log.replay()) == {(forged, "no_policy")}


# --- (b) a key revoked before the decision -------------------------------------------------------


@pytest.mark.parametrize("signed_before_revocation", [True, False])
def test_a_revoked_keys_signature_counted_is_named(signed_before_revocation: bool) -> None:
    log = Log().genesis()
    motion = log.open()
    early = log.sign(motion, "pk") if signed_before_revocation else []
    log.revoke("pk", "tr", "eg", "ps-1")
    late = [] if signed_before_revocation else log.sign(motion, "pk")  # services refuse this
    signed = [*early, *late, *log.sign(motion, "tr", "ps-1")]
    forged = log.execute(motion, signed, quorum=claimed("pk", "tr", "ps-1"))

    report = log.replay()

    assert codes(report) == {
        (forged, "signature_refused"),
        (forged, "quorum_not_met"),
        (forged, "quorum_result_mismatch"),
    }
    refused = next(v for v in report.violations if v.code == "signature_refused")
    assert refused.message.endswith("key_revoked")
    assert log.key_id("pk") in refused.message


# --- (c) a quorum without the Palestinian seat -------------------------------------------------


def test_a_quorum_without_the_palestinian_seat_is_named() -> None:
    log = Log().genesis()
    motion = log.open()
    signed = log.sign(motion, "pk", "tr", "qa", "eg")
    forged = log.execute(motion, signed, quorum=claimed("pk", "tr", "qa", "eg"))

    report = log.replay()

    assert codes(report) == {(forged, "quorum_not_met"), (forged, "quorum_result_mismatch")}
    missing = next(v for v in report.violations if v.code == "quorum_not_met")
    assert "palestinian" in missing.message


# --- (d) a recused seat counted ----------------------------------------------------------------


def test_a_recused_seats_signature_counted_is_named() -> None:
    log = Log().genesis()
    motion = log.open(earmarked_by=["QA"])
    signed = log.sign(motion, "qa", "pk", "ps-1")
    forged = log.execute(motion, signed, quorum=claimed("qa", "pk", "ps-1"))

    report = log.replay()

    assert codes(report) == {
        (forged, "signature_refused"),
        (forged, "quorum_not_met"),
        (forged, "quorum_result_mismatch"),
    }
    refused = next(v for v in report.violations if v.code == "signature_refused")
    assert refused.message.endswith("recused")


def test_a_beneficiary_seat_counted_is_named() -> None:
    log = Log().genesis()
    motion = log.open(beneficiaries=["XI-DEMO-PS-MOPWH"])
    signed = log.sign(motion, "ps-1", "pk", "tr", "qa")
    forged = log.execute(motion, signed, quorum=claimed("ps-1", "pk", "tr", "qa"))

    assert (forged, "signature_refused") in codes(log.replay())


# --- (e) changes outside a motion after genesis -------------------------------------------------


def test_a_key_registered_after_genesis_without_a_motion_is_named_and_not_trusted() -> None:
    log = Log().genesis()
    intruder = _private("intruder")
    smuggled = log.register_key(log.members["pk"], _public(intruder), motion=None)
    log.private["pk"] = intruder
    motion = log.open()
    signed = log.sign(motion, "pk", "tr", "ps-1")
    forged = log.execute(motion, signed, quorum=claimed("pk", "tr", "ps-1"))

    report = log.replay()

    assert (smuggled, "change_without_motion") in codes(report)
    # The smuggled key is not part of the board the audit rebuilds.
    assert (forged, "signature_refused") in codes(report)
    assert (forged, "quorum_not_met") in codes(report)


@pytest.mark.parametrize(
    ("kind", "data"),
    [
        ("policy.set", {**QuorumPolicy(min_seats=1, required_groups={}).to_json(), "motion": None}),
        ("key.revoked", {"key_id": "0" * 16, "member": "member-1", "motion": None}),
        ("seat.created", {"seat": "xx", "groups": [], "country": "XX", "organisation": None}),
        ("seat.holder_changed", {"seat": "pk", "member": "member-99"}),
    ],
)
def test_any_change_after_genesis_without_a_motion_is_named(
    kind: str, data: dict[str, Any]
) -> None:
    log = Log().genesis()
    smuggled = log.add(kind, data)

    assert codes(log.replay()) == {(smuggled, "change_without_motion")}


def test_changes_before_the_first_policy_are_the_set_up() -> None:
    log = Log().genesis()

    report = log.replay()

    assert report.ok
    assert report.kinds["key.registered"] == len(SEATS)


# --- effects ---------------------------------------------------------------------------------


def test_an_effect_that_differs_from_the_motion_is_named() -> None:
    log = Log().genesis()
    motion = log.open(
        "key.register", {"member": log.members["pk"], "public_key": _b64(_public(_private("a")))}
    )
    log.sign(motion, "tr", "eg", "ps-1")
    log.execute(motion, effect=False)
    other = log.register_key(log.members["pk"], _public(_private("b")), motion=motion.id)

    assert codes(log.replay()) == {(other, "effect_mismatch")}


def test_a_missing_effect_is_named_at_the_decision() -> None:
    log = Log().genesis()
    motion = log.open("key.revoke", {"key_id": log.key_id("pk")})
    log.sign(motion, "tr", "eg", "ps-1")
    decided = log.execute(motion, effect=False)
    log.add("pledge.recorded", {}, actor="user:7")

    assert codes(log.replay()) == {(decided, "effect_missing")}


def test_a_missing_effect_at_the_end_of_the_log_is_named() -> None:
    log = Log().genesis()
    motion = log.open("key.revoke", {"key_id": log.key_id("pk")})
    log.sign(motion, "tr", "eg", "ps-1")
    decided = log.execute(motion, effect=False)

    assert codes(log.replay()) == {(decided, "effect_missing")}


def test_the_effect_of_a_failed_decision_is_named_and_not_applied() -> None:
    log = Log().genesis()
    change = log.open("policy.change", {"policy": {"min_seats": 1, "required_groups": {}}})
    signed = log.sign(change, "pk")
    forged = log.execute(change, signed, quorum=claimed("pk", "tr", "ps-1"))
    applied = forged + 1
    # Under the forged policy one seat would do; under the real one it does not.
    motion = log.open()
    signed = log.sign(motion, "tr")
    second = log.execute(motion, signed, quorum=claimed("tr"))

    report = log.replay()

    assert (applied, "effect_of_invalid_decision") in codes(report)
    assert (second, "quorum_not_met") in codes(report)


def test_a_malformed_governance_entry_is_named() -> None:
    log = Log().genesis()
    bad = log.add("motion.opened", {"motion": "x", "payload": "%%%"}, actor="user:7")
    not_canonical = len(log.entries)
    log.entries.append(b'{"type": "amanah.demo.fact.v1", "data": {}}')  # skipped kind
    log.entries.append(
        b'{"actor":"user:7", "at":"x","data":{"motion":"y","payload":"e30="},'
        b'"private_commitment":null,"signatures":[],"type":"amanah.motion.opened.v1"}'
    )

    report = log.replay()

    assert (bad, "malformed_entry") in codes(report)
    assert (not_canonical + 1, "non_canonical_entry") in codes(report)
    assert (not_canonical, "non_canonical_entry") not in codes(report)


# --- the demo board, as the services wrote it ------------------------------------------------


@pytest.mark.django_db
def test_the_demo_log_replays_clean(demo_log: Any) -> None:
    from amanah.ledger.models import LogEntry

    rows = LogEntry.objects.order_by("index").values_list("index", "entry")
    report = replay((index, bytes(entry)) for index, entry in rows.iterator())

    assert report.violations == []
    assert report.entries == demo_log.size
    from amanah.governance.models import Motion, MotionStatus

    executed = Motion.objects.filter(status=MotionStatus.EXECUTED).order_by("executed_index")
    assert [m.kind for m in report.motions_executed] == [m.kind for m in executed]
    assert {"policy.change", "fund.allocate", "fund.disburse"} <= {m.kind for m in executed}
    assert all(m.valid for m in report.motions_executed)
