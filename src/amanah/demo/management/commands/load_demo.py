"""`manage.py load_demo`: give `make run` a log worth looking at, once."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from amanah.access.demo import DAYS as ACCESS_DAYS
from amanah.access.demo import load_demo_access
from amanah.accounts.models import Role, User
from amanah.assets.demo import load_demo_assets
from amanah.core.i18n import language_from_environment
from amanah.funds.demo import load_demo_fund
from amanah.governance.demo import DemoBoard, load_demo_board
from amanah.ledger.models import LogEntry
from amanah.ledger.services import integrate_pending
from amanah.ledger.wiring import publish_verifier_key
from amanah.materials.demo import load_demo_materials
from amanah.monitoring.demo import load_demo_monitoring, load_demo_round_milestones
from amanah.orgs.demo import load_demo_organisations
from amanah.projects.demo import load_demo_proposals
from amanah.rounds.demo import load_demo_round, pass_with_unrecused_seats


class Command(BaseCommand):
    help = gettext_lazy("Fill an empty database with illustrative log entries.")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--access-days",
            type=int,
            default=ACCESS_DAYS,
            help=gettext_lazy("How many days of consignments the demo holds."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(language_from_environment()):
            board: DemoBoard | None = None
            usernames: list[str] = []
            with transaction.atomic():
                existing = LogEntry.objects.count()
                if not existing:
                    # The donors' agencies and Palestinian bodies first, then the board
                    # and its policy change, then the fund, whose allocations and
                    # disbursements the board signs.
                    load_demo_organisations(actor="demo:secretariat")
                    board = load_demo_board(actor="demo:secretariat")
                    load_demo_fund(secretariat=board.secretariat, sign=board.sign)
                    load_demo_monitoring(board.secretariat, board.sign)
                    load_demo_proposals(secretariat=board.secretariat, sign=board.sign)
                    monitor = User.objects.get(username="demo-monitor")
                    load_demo_round(secretariat=board.secretariat, monitor=monitor, sign=board.sign)
                    load_demo_round_milestones(
                        secretariat=board.secretariat,
                        sign=lambda motion: pass_with_unrecused_seats(motion, board.sign),
                        lead="XI-DEMO-PS-MOEHE",
                        sector="education",
                        governorate="PS0260",
                    )
                    # Once the fund's and the round's projects exist, to be linked to.
                    load_demo_assets(board.secretariat, monitor)
                    logistics = _demo_logistics()
                    load_demo_access(logistics, days=options["access_days"])
                    if options["access_days"]:  # materials arrive with consignments
                        load_demo_materials(
                            logistics,
                            monitor,
                            User.objects.get(username="demo-partner-homes"),
                        )
                    usernames = _share_the_password(board.password)
            # Normally run on commit; called here too so the command's own output is final
            # (and under test transactions, where on-commit callbacks wait).
            integrate_pending()
            if existing:
                self.stdout.write(
                    _("The log already holds %(size)d entries; nothing to do.") % {"size": existing}
                )
            else:
                self.stdout.write(
                    self.style.SUCCESS(
                        _("Recorded %(size)d demo entries in the log.")
                        % {"size": LogEntry.objects.count()}
                    )
                )
            if board is not None:
                self._accounts(usernames, board.password)
            key_file = publish_verifier_key()
            self.stdout.write(_("The log's public key is in %(file)s.") % {"file": key_file})

    def _accounts(self, usernames: list[str], password: str) -> None:
        """The demo accounts and their password: shown here once, stored only hashed."""
        self.stdout.write(_("Demo accounts: %(usernames)s.") % {"usernames": ", ".join(usernames)})
        self.stdout.write(
            _("Their password, generated for this database: %(password)s") % {"password": password}
        )


def _demo_logistics() -> User:
    return User.objects.create_user(username="demo-logistics", role=Role.LOGISTICS)


def _share_the_password(password: str) -> list[str]:
    """Give every demo account the board's generated password (accounts the other demos
    made have none usable yet); return their usernames, the board's first."""
    accounts = list(User.objects.filter(username__startswith="demo-").order_by("pk"))
    hashed = make_password(password)  # once: hashing is slow on purpose
    for user in accounts:
        if not user.has_usable_password():
            user.password = hashed
            user.save(update_fields=["password"])
    return [user.username for user in accounts]
