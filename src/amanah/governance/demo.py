"""An illustrative board for `load_demo`: the seven states' seats and two Palestinian
seats, demo accounts, demo keys, and a policy change the board signed and executed (the
fund's demo then passes its allocations and disbursements with the same keys).

ILLUSTRATIVE ONLY. Everything goes through the same steps as real data and is logged
under the real kinds, so that `amanah audit` can replay it; what marks it as demo data:
seat labels end in "(demo)", every key is registered with `"demo": true` (`is_demo`),
and the private keys, generated here, sign the demo's motions and are then thrown away.

The demo accounts share one password, generated when the demo is loaded and returned to
the caller to print; no password is written in the code.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.db import transaction

from amanah.accounts.models import Role, User
from amanah.governance import rules
from amanah.governance.models import Motion
from amanah.governance.selectors import key_id_of

# The services' own steps, without their durable transactions: `load_demo` writes the
# whole demo in one transaction of its own, and a durable block cannot nest in another.
from amanah.governance.services import (
    KeySpec,
    SeatSpec,
    _board_genesis,
    _motion_open,
    _motion_sign,
)
from amanah.orgs.models import Organisation

__all__ = ["DEMO_SEATS", "DemoBoard", "load_demo_board"]

# (seat id, country, English label, Arabic label, IATI identifier of the holding body)
DEMO_SEATS = (
    ("pk", "PK", "Pakistan (demo)", "باكستان (تجريبي)", None),
    ("tr", "TR", "Türkiye (demo)", "تركيا (تجريبي)", None),
    ("id", "ID", "Indonesia (demo)", "إندونيسيا (تجريبي)", None),
    ("eg", "EG", "Egypt (demo)", "مصر (تجريبي)", None),
    ("qa", "QA", "Qatar (demo)", "قطر (تجريبي)", None),
    ("sa", "SA", "Saudi Arabia (demo)", "المملكة العربية السعودية (تجريبي)", None),
    ("jo", "JO", "Jordan (demo)", "الأردن (تجريبي)", None),
    (
        "ps-1",
        None,
        "Palestinian seat: Ministry of Public Works and Housing (demo)",
        "مقعد فلسطيني: وزارة الأشغال العامة والإسكان (تجريبي)",
        "XI-DEMO-PS-MOPWH",
    ),
    (
        "ps-2",
        None,
        "Palestinian seat: Gaza Municipality (demo)",
        "مقعد فلسطيني: بلدية غزة (تجريبي)",
        "XI-DEMO-PS-GAZA-MUNICIPALITY",
    ),
)
DEMO_POLICY = rules.QuorumPolicy(min_seats=5, required_groups={"palestinian": 1})
SECRETARIAT_USERNAME = "demo-secretariat"


@dataclass(frozen=True)
class DemoBoard:
    usernames: tuple[str, ...]
    password: str  # generated at load time; print it once
    motions: tuple[Motion, ...]
    secretariat: User
    # Signs a motion with the named seats' demo keys: how the fund's demo passes its
    # motions. The keys live only as long as this object, inside `load_demo`.
    sign: Callable[..., Motion]


def _demo_user(username: str, role: Role, password: str) -> User:
    return User.objects.create_user(username=username, password=password, role=role)


def load_demo_board(*, actor: str) -> DemoBoard:
    """Set up the demo board and pass a policy change, in the caller's open transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("load_demo_board must run inside transaction.atomic()")
    password = secrets.token_urlsafe(12)
    members = {
        seat[0]: _demo_user(f"demo-member-{seat[0]}", Role.BOARD_MEMBER, password)
        for seat in DEMO_SEATS
    }
    secretariat = _demo_user(SECRETARIAT_USERNAME, Role.SECRETARIAT, password)
    private_keys = {seat: Ed25519PrivateKey.generate() for seat in members}
    organisations = {o.iati_identifier: o for o in Organisation.objects.all()}
    _board_genesis(
        seats=[
            SeatSpec(
                id=seat,
                label_en=label_en,
                label_ar=label_ar,
                groups=("palestinian",) if organisation else (),
                country=country,
                organisation=organisations[organisation] if organisation else None,
            )
            for seat, country, label_en, label_ar, organisation in DEMO_SEATS
        ],
        holders=members,
        keys=[
            KeySpec(members[seat], key.public_key().public_bytes_raw(), is_demo=True)
            for seat, key in private_keys.items()
        ],
        policy=DEMO_POLICY,
        actor=actor,
    )

    def sign(motion: Motion, *seats: str) -> Motion:
        for seat in seats:
            key = private_keys[seat]
            _motion_sign(
                motion,
                key_id=key_id_of(key.public_key().public_bytes_raw()),
                signature=key.sign(bytes(motion.payload)),
                actor=members[seat],
            )
        motion.refresh_from_db()
        return motion

    policy = _motion_open(
        kind="policy.change",
        title={
            "en": "Require both Palestinian seats in every quorum (demo)",
            "ar": "اشتراط المقعدين الفلسطينيين في كل نصاب (تجريبي)",
        },
        body={
            "en": "From now on a motion needs five seats, both Palestinian seats among them.",
            "ar": "من الآن فصاعدًا يحتاج كل مقترح إلى خمسة مقاعد، من بينها المقعدان الفلسطينيان.",
        },
        effect={"policy": {"min_seats": 5, "required_groups": {"palestinian": 2}}},
        earmarked_by=(),
        beneficiaries=(),
        actor=f"user:{secretariat.pk}",
    )
    policy = sign(policy, "sa", "jo", "qa", "ps-2", "pk")
    return DemoBoard(
        usernames=(SECRETARIAT_USERNAME, *(u.username for u in members.values())),
        password=password,
        motions=(policy,),
        secretariat=secretariat,
        sign=sign,
    )
