"""API schemas of the board's motions, one per operation. Bytes travel as standard base64;
`payload_base64` is exactly what a member signs, `payload` its decoded JSON. Descriptions
are in English like the rest of docs/openapi.json."""

from __future__ import annotations

import base64
import uuid
from typing import Any

from ninja import Field, Schema

from amanah.governance.models import Motion
from amanah.governance.selectors import BoardOverview, MotionDetail

__all__ = [
    "BoardOut",
    "MotionIn",
    "MotionListOut",
    "MotionOut",
    "RefusalIn",
    "RefusalOut",
    "SignatureIn",
    "SignatureOut",
    "WithdrawalIn",
    "WithdrawalOut",
    "board_out",
]

_WITHDRAWN_INDEX = "Index of its `motion.withdrawn` entry; null unless it was withdrawn."
_WITHDRAWN_REASON = "Why the secretariat withdrew it; empty unless it was withdrawn."


class TitleOut(Schema):
    en: str
    ar: str


def _title(motion: Motion) -> dict[str, str]:
    return {"en": motion.title_en, "ar": motion.title_ar}


class MotionListItemOut(Schema):
    id: uuid.UUID
    kind: str
    title: TitleOut
    status: str = Field(description="open, executed or withdrawn.")
    opened_index: int = Field(description="Index of the motion's `motion.opened` entry.")
    executed_index: int | None = Field(
        description="Index of its `motion.executed` entry; null while it is not executed."
    )
    withdrawn_index: int | None = Field(description=_WITHDRAWN_INDEX)
    withdrawn_reason: str = Field(description=_WITHDRAWN_REASON)

    @staticmethod
    def resolve_title(motion: Motion) -> dict[str, str]:
        return _title(motion)


class MotionListOut(Schema):
    motions: list[MotionListItemOut] = Field(description="Every motion, newest first.")


class SignatureRowOut(Schema):
    key_id: str
    member: str = Field(description="The signer's public handle, `member-<id>`.")
    signed_index: int = Field(description="Index of the `motion.signed` entry.")


class RefusalRowOut(Schema):
    member: str
    reason: str
    index: int = Field(description="Index of the `motion.refused` entry.")


class QuorumOut(Schema):
    met: bool
    counted_seats: list[str]
    group_counts: dict[str, int]
    refused: list[list[str]] = Field(description="[key_id, why it does not count] pairs.")
    missing: dict[str, int] = Field(
        description='Still needed: {"seats": n} overall, {group: n} per required group.'
    )


class MotionOut(Schema):
    id: uuid.UUID
    kind: str
    title: TitleOut
    status: str = Field(description="open, executed or withdrawn.")
    opened_index: int
    executed_index: int | None
    withdrawn_index: int | None = Field(description=_WITHDRAWN_INDEX)
    withdrawn_reason: str = Field(description=_WITHDRAWN_REASON)
    payload_base64: str = Field(description="The exact bytes members sign (RFC 8785 JSON).")
    payload: dict[str, Any] = Field(description="Those bytes, decoded.")
    signatures: list[SignatureRowOut]
    refusals: list[RefusalRowOut]
    quorum: QuorumOut | None = Field(
        description="As logged when the motion was executed; otherwise the signatures so far"
        " against the policy in force now. Null before the board has a policy."
    )


def motion_out(detail: MotionDetail, quorum: dict[str, Any] | None) -> dict[str, Any]:
    motion = detail.motion
    return {
        "id": motion.id,
        "kind": motion.kind,
        "title": _title(motion),
        "status": motion.status,
        "opened_index": motion.opened_index,
        "executed_index": motion.executed_index,
        "withdrawn_index": motion.withdrawn_index,
        "withdrawn_reason": motion.withdrawn_reason,
        "payload_base64": base64.b64encode(bytes(motion.payload)).decode("ascii"),
        "payload": detail.payload,
        "signatures": detail.signatures,
        "refusals": detail.refusals,
        "quorum": quorum,
    }


class SignatureIn(Schema):
    key_id: str = Field(max_length=64, description="Your registered key's id.")
    signature_base64: str = Field(
        max_length=200, description="Ed25519 signature over the payload bytes, base64."
    )


class SignatureOut(Schema):
    motion: uuid.UUID
    status: str = Field(description="The motion's status after this signature.")
    executed_index: int | None


class RefusalIn(Schema):
    reason: str = Field(max_length=2000)


class RefusalOut(Schema):
    motion: uuid.UUID
    status: str
    index: int = Field(description="Index of the `motion.refused` entry.")


class TextIn(Schema):
    en: str = Field(max_length=300)
    ar: str = Field(max_length=300)


class BodyTextIn(Schema):
    en: str = Field("", max_length=20000)
    ar: str = Field("", max_length=20000)


class MotionIn(Schema):
    kind: str = Field(max_length=100, description="Dotted lowercase words: key.register ...")
    title: TextIn = Field(description="The title in English and in Arabic, both required.")
    body: BodyTextIn = Field(
        default_factory=BodyTextIn, description="The motion's text in English and Arabic."
    )
    effect: dict[str, Any] = Field(
        description='What executing it does, by kind: key.register {"member", "public_key"},'
        ' key.revoke {"key_id"}, policy.change {"policy"}, seat.assign {"seat", "member"}.'
    )
    earmarked_by: list[str] = Field(
        default_factory=list,
        max_length=300,
        description="ISO 3166-1 alpha-2 codes of the states that earmarked the funds.",
    )
    beneficiaries: list[str] = Field(
        default_factory=list,
        max_length=1000,
        description="IATI identifiers of the registered organisations that benefit.",
    )

    def service_kwargs(self) -> dict[str, Any]:
        """The keyword arguments of `motion_open`, but for the actor."""
        return {
            "kind": self.kind,
            "title": self.title.dict(),
            "body": self.body.dict(),
            "effect": self.effect,
            "earmarked_by": self.earmarked_by,
            "beneficiaries": self.beneficiaries,
        }


class WithdrawalIn(Schema):
    reason: str = Field(max_length=2000, description="Why the motion is withdrawn (public).")


class WithdrawalOut(Schema):
    motion: uuid.UUID
    status: str = Field(description="withdrawn.")
    index: int = Field(description="Index of the `motion.withdrawn` entry.")


# --- the board ------------------------------------------------------------------------------


class SeatOut(Schema):
    id: str
    label: TitleOut
    groups: list[str] = Field(description='Constituencies a policy can require: ["palestinian"].')
    country: str | None = Field(description="ISO 3166-1 alpha-2 of the state it represents.")
    organisation: str | None = Field(description="IATI identifier of the body it represents.")
    holder: str | None = Field(description="The holder's public handle; null while vacant.")
    holder_since: int | None = Field(
        description="Index of the `seat.holder_changed` entry that gave it its holder."
    )


class KeyOut(Schema):
    key_id: str = Field(description="First 16 hex digits of SHA-256 of the raw public key.")
    member: str = Field(description="The key holder's public handle, `member-<id>`.")
    public_key_base64: str = Field(description="The raw 32-byte Ed25519 public key, base64.")
    valid_from: int = Field(description="Index of its `key.registered` entry.")
    revoked_at: int | None = Field(description="Index of its `key.revoked` entry, if revoked.")
    demo: bool = Field(description="A demo key, made by the demo loader: never trust it.")


class PolicyOut(Schema):
    min_seats: int
    required_groups: dict[str, int] = Field(description="{group: seats of it required}.")
    recuse_earmarking_state: bool
    recuse_beneficiary: bool
    from_index: int = Field(description="Index of the `policy.set` entry that set it.")


class BoardOut(Schema):
    seats: list[SeatOut] = Field(description="Every seat, by id.")
    keys: list[KeyOut] = Field(description="Every key ever registered, revoked ones too.")
    policy: PolicyOut | None = Field(description="In force now; null before genesis.")


def board_out(board: BoardOverview) -> dict[str, Any]:
    """The board as the API shows it: members by their public handle only."""
    return {
        "seats": [
            {
                "id": row.seat.id,
                "label": {"en": row.seat.label_en, "ar": row.seat.label_ar},
                "groups": row.seat.groups,
                "country": row.seat.country,
                "organisation": row.seat.organisation.iati_identifier
                if row.seat.organisation
                else None,
                "holder": row.holder,
                "holder_since": row.holder_since,
            }
            for row in board.seats
        ],
        "keys": [
            {
                "key_id": key.key_id,
                "member": key.member,
                "public_key_base64": base64.b64encode(key.public_key).decode("ascii"),
                "valid_from": key.valid_from,
                "revoked_at": key.revoked_at,
                "demo": key.is_demo,
            }
            for key in board.keys
        ],
        "policy": None
        if board.policy is None
        else {**board.policy.to_json(), "from_index": board.policy_from},
    }
