"""API schemas of the board's motions, one per operation. Bytes travel as standard base64;
`payload_base64` is exactly what a member signs, `payload` its decoded JSON. Descriptions
are in English like the rest of docs/openapi.json."""

from __future__ import annotations

import base64
import uuid
from typing import Any

from ninja import Field, Schema

from amanah.governance.models import Motion
from amanah.governance.selectors import MotionDetail

__all__ = [
    "MotionListOut",
    "MotionOut",
    "RefusalIn",
    "RefusalOut",
    "SignatureIn",
    "SignatureOut",
]


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
