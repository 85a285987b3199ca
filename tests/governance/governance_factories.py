"""A small board for the governance service tests: five seats, one of them Palestinian.

Keys are generated in the test with cryptography's Ed25519, and members sign exactly the
bytes `motion.payload` holds, as a browser or the CLI would.
(Named for its app: test directories are not packages, see orgs_factories.)
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from amanah.accounts.models import Role, User
from amanah.governance import rules
from amanah.governance.models import Motion
from amanah.governance.selectors import key_id_of
from amanah.governance.services import KeySpec, SeatSpec, board_genesis, motion_open, motion_sign
from amanah.ledger.models import LogEntry
from amanah.orgs.services import organisation_register

# seat id -> (country, groups)
SEATS = {
    "pk": ("PK", ()),
    "tr": ("TR", ()),
    "qa": ("QA", ()),
    "eg": ("EG", ()),
    "ps-1": (None, ("palestinian",)),
}
PALESTINIAN_ORG = "XI-DEMO-PS-MOPWH"
POLICY = rules.QuorumPolicy(min_seats=3, required_groups={"palestinian": 1})


def make_user(username: str, role: Role | str = Role.BOARD_MEMBER) -> User:
    return User.objects.create_user(
        username=username,
        email=f"{username}@example.org",
        first_name=f"First{username}",
        last_name=f"Last{username}",
        role=role,
    )


@dataclass
class Board:
    members: dict[str, User]  # seat id -> holder
    private_keys: dict[str, Ed25519PrivateKey]  # seat id -> the holder's private key
    secretariat: User
    extra: dict[str, Any] = field(default_factory=dict)

    def key_id(self, seat: str) -> str:
        return key_id_of(self.private_keys[seat].public_key().public_bytes_raw())

    def sign(self, seat: str, motion: Motion) -> Motion:
        signature = self.private_keys[seat].sign(bytes(motion.payload))
        return motion_sign(
            motion=motion, key_id=self.key_id(seat), signature=signature, actor=self.members[seat]
        )

    def open(self, **overrides: Any) -> Motion:
        return motion_open(**motion_input(actor=self.secretariat, **overrides))


def public_key(private: Ed25519PrivateKey) -> bytes:
    return private.public_key().public_bytes_raw()


def genesis(
    members: dict[str, User], public_keys: dict[str, bytes], policy: rules.QuorumPolicy
) -> None:
    """Register the Palestinian body, then set up the board through `board_genesis`."""
    organisation = organisation_register(
        iati_identifier=PALESTINIAN_ORG,
        organisation_type="10",
        name_en="Ministry of Public Works and Housing",
        name_ar="وزارة الأشغال العامة والإسكان",
        country="PS",
        is_palestinian=True,
        actor="test:secretariat",
    )
    board_genesis(
        seats=[
            SeatSpec(
                id=seat,
                label_en=f"Seat {seat}",
                label_ar=f"مقعد {seat}",
                groups=groups,
                country=country,
                organisation=organisation if "palestinian" in groups else None,
            )
            for seat, (country, groups) in SEATS.items()
        ],
        holders=members,
        keys=[KeySpec(members[seat], public_keys[seat]) for seat in SEATS],
        policy=policy,
        actor="installation",
    )


def build_board(policy: rules.QuorumPolicy = POLICY) -> Board:
    """A board whose members' private keys the test holds."""
    members = {seat: make_user(f"board-{seat}") for seat in SEATS}
    private_keys = {seat: Ed25519PrivateKey.generate() for seat in SEATS}
    genesis(members, {seat: public_key(key) for seat, key in private_keys.items()}, policy)
    return Board(members, private_keys, make_user("secretariat-1", Role.SECRETARIAT))


def motion_input(**overrides: Any) -> dict[str, Any]:
    """Keyword arguments `motion_open` accepts, for an allocation, with `overrides`."""
    return {
        "kind": "allocation.approve",
        "title": {"en": "Allocate to school repairs", "ar": "تخصيص لإصلاح المدارس"},
        "body": {"en": "Round 1", "ar": "الجولة الأولى"},
        "effect": {"amount": {"value": "1000000.00", "currency": "USD"}},
        **overrides,
    }


def entries() -> list[dict[str, Any]]:
    return [json.loads(bytes(e.entry)) for e in LogEntry.objects.order_by("index")]


def assert_no_personal_data() -> None:
    """No username, e-mail, first or last name of any user appears in the log."""
    words = set()
    for user in User.objects.all():
        words |= {user.username, user.email, user.first_name, user.last_name} - {""}
    for logged in LogEntry.objects.all():
        text = bytes(logged.entry).decode()
        assert not [word for word in words if word in text], logged.index
        assert not [word for word in words if word in logged.actor], logged.index
