"""The quorum policy in plain words, in the active language."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from amanah.governance import rules

register = template.Library()


def _required(group: str, count: int) -> str:
    if group == "palestinian":
        return ngettext(
            "including at least %(count)s Palestinian seat",
            "including at least %(count)s Palestinian seats",
            count,
        ) % {"count": count}
    return ngettext(
        "including at least %(count)s seat of the group “%(group)s”",
        "including at least %(count)s seats of the group “%(group)s”",
        count,
    ) % {"count": count, "group": group}


def _quorum(policy: rules.QuorumPolicy, seat_count: int) -> str:
    quorum = ngettext(
        "At least %(min)s of %(total)s seats must sign",
        "At least %(min)s of %(total)s seats must sign",
        policy.min_seats,
    ) % {"min": policy.min_seats, "total": seat_count}
    required = [_required(g, n) for g, n in sorted(policy.required_groups.items()) if n > 0]
    if not required:
        return _("%(quorum)s.") % {"quorum": quorum}
    # Translators: joins the requirements of several groups of seats.
    joined = pgettext("list of required groups", " and ").join(required)
    # Translators: "At least 5 of 9 seats must sign", then "including at least 1
    # Palestinian seat".
    return _("%(quorum)s, %(required)s.") % {"quorum": quorum, "required": joined}


def _recusal(policy: rules.QuorumPolicy) -> str:
    if policy.recuse_earmarking_state and policy.recuse_beneficiary:
        return _(
            "A state’s seat does not count on money it earmarked; an organisation’s seat does "
            "not count on a motion that benefits it."
        )
    if policy.recuse_earmarking_state:
        return _(
            "A state’s seat does not count on money it earmarked. An organisation’s seat "
            "counts even on a motion that benefits it."
        )
    if policy.recuse_beneficiary:
        return _(
            "An organisation’s seat does not count on a motion that benefits it. A state’s "
            "seat counts even on money it earmarked."
        )
    return _("Every seat counts on every motion: no seat stands aside.")


@register.simple_tag
def policy_in_words(policy: rules.QuorumPolicy, seat_count: int) -> list[str]:
    """The policy as sentences: who must sign, then which seats stand aside.

    `{% policy_in_words board.policy board.seats|length as sentences %}`
    """
    return [_quorum(policy, seat_count), _recusal(policy)]
