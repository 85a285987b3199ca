"""`manage.py load_demo`: give `make run` a log worth looking at, once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from amanah.core.i18n import language_from_environment
from amanah.funds.demo import load_demo_fund
from amanah.governance.demo import DemoBoard, load_demo_board
from amanah.ledger.models import LogEntry
from amanah.ledger.services import integrate_pending
from amanah.ledger.wiring import publish_verifier_key
from amanah.orgs.demo import load_demo_organisations


class Command(BaseCommand):
    help = gettext_lazy("Fill an empty database with illustrative log entries.")

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(language_from_environment()):
            board: DemoBoard | None = None
            with transaction.atomic():
                existing = LogEntry.objects.count()
                if not existing:
                    # The donors' agencies and Palestinian bodies first, then the board
                    # and its policy change, then the fund, whose allocations and
                    # disbursements the board signs.
                    load_demo_organisations(actor="demo:secretariat")
                    board = load_demo_board(actor="demo:secretariat")
                    load_demo_fund(secretariat=board.secretariat, sign=board.sign)
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
                self._accounts(board)
            key_file = publish_verifier_key()
            self.stdout.write(_("The log's public key is in %(file)s.") % {"file": key_file})

    def _accounts(self, board: DemoBoard) -> None:
        """The demo accounts and their password: shown here once, stored only hashed."""
        self.stdout.write(
            _("Demo accounts: %(usernames)s.") % {"usernames": ", ".join(board.usernames)}
        )
        self.stdout.write(
            _("Their password, generated for this database: %(password)s")
            % {"password": board.password}
        )
