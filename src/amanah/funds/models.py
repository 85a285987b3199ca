"""The fund's facts and books as database rows.

Amounts are stored as integers in the currency's minor units (`Money.minor`): SQLite sums
decimals as binary floats, integers exactly, and a fund must add up to the cent on either
database. The `amount` properties give them back as `Money`.

Facts (pledges, commitments, contributions, ...) are never edited or deleted: a correction
is a `Reversal`, and the fact records the log index of its reversal. Each fact records the
log index of its own entry, so the figures "as of log size N" are the rows logged before N
and not reversed before N; that is how the API serves the same figures an auditor
recomputes from a given checkpoint.

The books: a `JournalEntry` per movement with its `Posting`s, which balance per currency
(checked by the service, and on PostgreSQL by a deferred constraint trigger), and one
`AccountBalance` row per account and currency: the row the services lock, so that two
requests cannot both spend the same money.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from amanah.funds.earmarks import Earmark
from amanah.funds.money import Money
from amanah.governance.models import Motion
from amanah.orgs.models import Organisation
from amanah.projects.models import Project, governorate_choices, sector_choices


def _money(minor: int, currency: str) -> Money:
    return Money.from_minor(int(minor), currency)


class FxRate(models.Model):
    """Units of `currency` one US dollar bought on a date (UN operational rates style)."""

    currency = models.CharField(_("currency"), max_length=3)
    on = models.DateField(_("date"))
    # Kept as the exact decimal text it was given: rates are read, never summed.
    units_per_usd = models.CharField(_("units per US dollar"), max_length=40)
    source = models.CharField(_("source"), max_length=200)
    log_index = models.BigIntegerField(_("log index"), unique=True)

    class Meta:
        ordering = ["currency", "-on"]
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        constraints = [
            models.UniqueConstraint(fields=["currency", "on"], name="funds_fxrate_one_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.currency} {self.units_per_usd} on {self.on}"


class EarmarkFields(models.Model):
    """An earmark: a sector, a governorate, both, or neither (flexible money)."""

    earmark_sector = models.CharField(
        _("earmarked sector"), max_length=20, choices=sector_choices, blank=True
    )
    earmark_governorate = models.CharField(
        _("earmarked governorate"), max_length=10, choices=governorate_choices, blank=True
    )

    class Meta:
        abstract = True

    @property
    def earmark(self) -> Earmark:
        return Earmark(self.earmark_sector or None, self.earmark_governorate or None)


class DonorFact(EarmarkFields):
    """A donor's pledge, commitment or contribution: money, date, earmark, USD equivalent."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    donor = models.ForeignKey(
        Organisation, verbose_name=_("donor"), on_delete=models.PROTECT, related_name="+"
    )
    amount_minor = models.BigIntegerField(_("amount (minor units)"))
    currency = models.CharField(_("currency"), max_length=3)
    on = models.DateField(_("date"))
    usd_minor = models.BigIntegerField(_("US dollar equivalent (cents)"))
    rate = models.ForeignKey(
        FxRate,
        verbose_name=_("exchange rate used"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    log_index = models.BigIntegerField(_("log index"), unique=True)
    reversed_index = models.BigIntegerField(_("reversed at log index"), null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def amount(self) -> Money:
        return _money(self.amount_minor, self.currency)

    @property
    def usd(self) -> Money:
        return _money(self.usd_minor, "USD")


def _positive(name: str, model: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{name}__gt": 0}), name=f"funds_{model}_{name}_positive"
    )


class Pledge(DonorFact):
    """A donor's announced intention: public, counted, but not binding, so not booked."""

    description = models.CharField(_("description"), max_length=300, blank=True)

    class Meta:
        ordering = ["-on", "-log_index"]
        verbose_name = _("pledge")
        verbose_name_plural = _("pledges")
        constraints = [_positive("amount_minor", "pledge")]

    def __str__(self) -> str:
        return f"pledge {self.amount} by {self.donor_id}"


class Commitment(DonorFact):
    """A signed agreement: the donor owes the fund the amount."""

    pledge = models.ForeignKey(
        Pledge,
        verbose_name=_("pledge"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="commitments",
    )
    agreement_reference = models.CharField(_("agreement reference"), max_length=100, blank=True)

    class Meta:
        ordering = ["-on", "-log_index"]
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        constraints = [_positive("amount_minor", "commitment")]

    def __str__(self) -> str:
        return f"commitment {self.amount} by {self.donor_id}"


class Contribution(DonorFact):
    """Money received in the fund's bank account."""

    commitment = models.ForeignKey(
        Commitment,
        verbose_name=_("commitment"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contributions",
    )
    # Private: stays in the database; the log holds only a commitment to it.
    bank_reference = models.CharField(_("bank reference"), max_length=100, blank=True)

    class Meta:
        ordering = ["-on", "-log_index"]
        verbose_name = _("contribution")
        verbose_name_plural = _("contributions")
        constraints = [
            _positive("amount_minor", "contribution"),
            # A bank transaction is received once: what makes re-importing a statement safe.
            models.UniqueConstraint(
                fields=["donor", "bank_reference"],
                condition=~Q(bank_reference=""),
                name="funds_contribution_bank_reference_once",
            ),
        ]

    def __str__(self) -> str:
        return f"contribution {self.amount} by {self.donor_id}"


class Conversion(EarmarkFields):
    """The fund's bank sold one currency for another; the earmark's money follows."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    sold_minor = models.BigIntegerField(_("amount sold (minor units)"))
    sold_currency = models.CharField(_("currency sold"), max_length=3)
    bought_minor = models.BigIntegerField(_("amount bought (minor units)"))
    bought_currency = models.CharField(_("currency bought"), max_length=3)
    on = models.DateField(_("date"))
    log_index = models.BigIntegerField(_("log index"), unique=True)
    reversed_index = models.BigIntegerField(_("reversed at log index"), null=True, blank=True)

    class Meta:
        ordering = ["-on", "-log_index"]
        verbose_name = _("currency conversion")
        verbose_name_plural = _("currency conversions")
        constraints = [
            _positive("sold_minor", "conversion"),
            _positive("bought_minor", "conversion"),
            models.CheckConstraint(
                condition=~Q(sold_currency=models.F("bought_currency")),
                name="funds_conversion_two_currencies",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sold} to {self.bought}"

    @property
    def sold(self) -> Money:
        return _money(self.sold_minor, self.sold_currency)

    @property
    def bought(self) -> Money:
        return _money(self.bought_minor, self.bought_currency)


class MoveStatus(models.TextChoices):
    """An allocation or disbursement waits for the board, then is approved or released."""

    RESERVED = "reserved", _("Awaiting the board")
    APPROVED = "approved", _("Approved")
    # Not "withdrawn": that is the motion; the money it had set aside is released.
    RELEASED = "released", _("Released")


class Allocation(models.Model):
    """Money the board allocates from the fund to a project, drawn from earmark pools."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.PROTECT, related_name="allocations"
    )
    # Several allocations share one motion when a round's portfolio is decided at once.
    motion = models.ForeignKey(
        Motion, verbose_name=_("motion"), on_delete=models.PROTECT, related_name="allocations"
    )
    amount_minor = models.BigIntegerField(_("amount (minor units)"))
    currency = models.CharField(_("currency"), max_length=3)
    status = models.CharField(
        _("status"), max_length=20, choices=MoveStatus.choices, default=MoveStatus.RESERVED
    )
    # The states whose earmarked money this allocation draws: recused from its tranches.
    earmarked_by = models.JSONField(_("earmarked by"), default=list, blank=True)
    reserved_index = models.BigIntegerField(_("reserved at log index"), unique=True)
    approved_index = models.BigIntegerField(_("approved at log index"), null=True, blank=True)
    released_index = models.BigIntegerField(_("released at log index"), null=True, blank=True)
    on = models.DateField(_("approval date"), null=True, blank=True)
    usd_minor = models.BigIntegerField(_("US dollar equivalent (cents)"), null=True, blank=True)
    rate = models.ForeignKey(
        FxRate, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-reserved_index"]
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        constraints = [
            _positive("amount_minor", "allocation"),
            models.CheckConstraint(
                condition=(
                    Q(status=MoveStatus.APPROVED)
                    & Q(approved_index__isnull=False)
                    & Q(on__isnull=False)
                    & Q(usd_minor__isnull=False)
                )
                | ~Q(status=MoveStatus.APPROVED),
                name="funds_allocation_approved_has_index_and_usd",
            ),
        ]

    def __str__(self) -> str:
        return f"allocation {self.amount} to {self.project_id}"

    @property
    def amount(self) -> Money:
        return _money(self.amount_minor, self.currency)


class AllocationDraw(EarmarkFields):
    """The part of an allocation drawn from one earmark's pool."""

    allocation = models.ForeignKey(
        Allocation, verbose_name=_("allocation"), on_delete=models.PROTECT, related_name="draws"
    )
    amount_minor = models.BigIntegerField(_("amount (minor units)"))

    class Meta:
        ordering = ["allocation", "id"]
        verbose_name = _("allocation draw")
        verbose_name_plural = _("allocation draws")
        constraints = [
            _positive("amount_minor", "draw"),
            models.UniqueConstraint(
                fields=["allocation", "earmark_sector", "earmark_governorate"],
                name="funds_draw_one_per_pool",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.earmark.key}: {self.amount_minor}"


class Disbursement(models.Model):
    """A tranche of an allocation paid to the partner, once the board approves it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    allocation = models.ForeignKey(
        Allocation,
        verbose_name=_("allocation"),
        on_delete=models.PROTECT,
        related_name="disbursements",
    )
    motion = models.OneToOneField(
        Motion, verbose_name=_("motion"), on_delete=models.PROTECT, related_name="disbursement"
    )
    tranche = models.PositiveSmallIntegerField(_("tranche"))
    amount_minor = models.BigIntegerField(_("amount (minor units)"))
    currency = models.CharField(_("currency"), max_length=3)
    status = models.CharField(
        _("status"), max_length=20, choices=MoveStatus.choices, default=MoveStatus.RESERVED
    )
    reserved_index = models.BigIntegerField(_("reserved at log index"), unique=True)
    approved_index = models.BigIntegerField(_("approved at log index"), null=True, blank=True)
    released_index = models.BigIntegerField(_("released at log index"), null=True, blank=True)
    on = models.DateField(_("approval date"), null=True, blank=True)
    usd_minor = models.BigIntegerField(_("US dollar equivalent (cents)"), null=True, blank=True)
    rate = models.ForeignKey(
        FxRate, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Private: the partner's bank account, kept out of the log.
    bank_account = models.CharField(_("partner bank account"), max_length=100, blank=True)

    class Meta:
        ordering = ["-reserved_index"]
        verbose_name = _("disbursement")
        verbose_name_plural = _("disbursements")
        constraints = [
            _positive("amount_minor", "disbursement"),
            models.UniqueConstraint(
                fields=["allocation", "tranche"], name="funds_disbursement_tranche_once"
            ),
        ]

    def __str__(self) -> str:
        return f"tranche {self.tranche}: {self.amount}"

    @property
    def amount(self) -> Money:
        return _money(self.amount_minor, self.currency)


class PartnerFact(models.Model):
    """Expenditure the partner reports, or money it returns, under one allocation."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    allocation = models.ForeignKey(
        Allocation, verbose_name=_("allocation"), on_delete=models.PROTECT, related_name="+"
    )
    amount_minor = models.BigIntegerField(_("amount (minor units)"))
    currency = models.CharField(_("currency"), max_length=3)
    on = models.DateField(_("date"))
    usd_minor = models.BigIntegerField(_("US dollar equivalent (cents)"))
    rate = models.ForeignKey(
        FxRate, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    description = models.CharField(_("description"), max_length=300, blank=True)
    log_index = models.BigIntegerField(_("log index"), unique=True)
    reversed_index = models.BigIntegerField(_("reversed at log index"), null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def amount(self) -> Money:
        return _money(self.amount_minor, self.currency)


class Expenditure(PartnerFact):
    # Private: who reported it at the partner; the log holds a commitment only.
    reported_by = models.CharField(_("reported by"), max_length=200, blank=True)

    class Meta:
        ordering = ["-on", "-log_index"]
        verbose_name = _("expenditure")
        verbose_name_plural = _("expenditures")
        constraints = [_positive("amount_minor", "expenditure")]

    def __str__(self) -> str:
        return f"expenditure {self.amount}"


class Refund(PartnerFact):
    class Meta:
        ordering = ["-on", "-log_index"]
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        constraints = [_positive("amount_minor", "refund")]

    def __str__(self) -> str:
        return f"refund {self.amount}"


class RefundReturn(EarmarkFields):
    """The part of a refund returned to one earmark's pool."""

    refund = models.ForeignKey(
        Refund, verbose_name=_("refund"), on_delete=models.PROTECT, related_name="returns"
    )
    amount_minor = models.BigIntegerField(_("amount (minor units)"))

    class Meta:
        verbose_name = _("refund return")
        verbose_name_plural = _("refund returns")
        constraints = [_positive("amount_minor", "return")]

    def __str__(self) -> str:
        return f"{self.earmark.key}: {self.amount_minor}"


class Reversal(models.Model):
    """A correction: a fact taken back by its reversing entry, with the reason."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reverses_kind = models.CharField(_("kind reversed"), max_length=20)
    reverses = models.UUIDField(_("fact reversed"))
    reason = models.TextField(_("reason"))
    log_index = models.BigIntegerField(_("log index"), unique=True)

    class Meta:
        ordering = ["-log_index"]
        verbose_name = _("reversal")
        verbose_name_plural = _("reversals")
        constraints = [
            models.UniqueConstraint(
                fields=["reverses_kind", "reverses"], name="funds_reversal_once"
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="funds_reversal_has_reason"),
        ]

    def __str__(self) -> str:
        return f"reversal of {self.reverses_kind} {self.reverses}"


class JournalEntry(models.Model):
    """One movement of money in the books, made by the log entry at `log_index`."""

    log_index = models.BigIntegerField(_("log index"), unique=True)
    kind = models.CharField(_("kind"), max_length=60)

    class Meta:
        ordering = ["log_index"]
        verbose_name = _("journal entry")
        verbose_name_plural = _("journal entries")

    def __str__(self) -> str:
        return f"{self.kind} at #{self.log_index}"


class Posting(models.Model):
    """A debit (positive) or credit (negative) to one account, in minor units."""

    journal = models.ForeignKey(
        JournalEntry,
        verbose_name=_("journal entry"),
        on_delete=models.PROTECT,
        related_name="postings",
    )
    account = models.CharField(_("account"), max_length=200)
    currency = models.CharField(_("currency"), max_length=3)
    amount_minor = models.BigIntegerField(_("amount (minor units)"))

    class Meta:
        ordering = ["journal", "id"]
        verbose_name = _("posting")
        verbose_name_plural = _("postings")
        constraints = [
            models.CheckConstraint(condition=~Q(amount_minor=0), name="funds_posting_not_zero"),
            models.UniqueConstraint(
                fields=["journal", "account", "currency"], name="funds_posting_account_once"
            ),
        ]
        indexes = [models.Index(fields=["account", "currency"], name="funds_posting_account")]

    def __str__(self) -> str:
        return f"{self.account} {self.amount_minor} {self.currency}"


class AccountBalance(models.Model):
    """The balance of one account in one currency: debit positive, minor units."""

    account = models.CharField(_("account"), max_length=200)
    currency = models.CharField(_("currency"), max_length=3)
    balance_minor = models.BigIntegerField(_("balance (minor units)"), default=0)

    class Meta:
        ordering = ["account", "currency"]
        verbose_name = _("account balance")
        verbose_name_plural = _("account balances")
        constraints = [
            models.UniqueConstraint(fields=["account", "currency"], name="funds_balance_one_row"),
        ]

    def __str__(self) -> str:
        return f"{self.account} {self.currency}"

    @property
    def balance(self) -> Money:
        return _money(self.balance_minor, self.currency)
