"""API schemas of the accounts app, one per operation."""

from __future__ import annotations

from ninja import Field, Schema

from amanah.accounts.models import Role, User
from amanah.accounts.roles import user_has_role
from amanah.governance.selectors import member_handle

__all__ = ["MeOut"]


class MeOut(Schema):
    username: str
    # null for an account that holds no role in the programme.
    role: Role | None
    member: str | None = Field(
        description="Your public handle on the board, `member-<id>`, as the log and"
        " `key.register` effects name you; null unless you are a board member."
    )

    @staticmethod
    def resolve_role(user: User) -> str | None:
        return user.role or None

    @staticmethod
    def resolve_member(user: User) -> str | None:
        return member_handle(user) if user_has_role(user, Role.BOARD_MEMBER) else None
