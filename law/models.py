"""The law as data: regimes, their terms, de minimis thresholds, duty, VAT, fees and exchange rates.

Every row is effective-dated (valid_from .. valid_to, both days included,
valid_to empty = until further notice), so a change of law is a new row,
never a code change, and an item is always assessed with the law of its own
date. A change is proposed by one supervisor and takes effect only when a
second one approves it (`LawChange`, law.services); the admin only shows the law.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from clearance.models import money_field
from core.models import BaseModel
from law.choices import (
    FeeBasis,
    FxRule,
    IossStatus,
    LawChangeKind,
    LawChangeStatus,
    LoadMode,
    RoundingScope,
    ThresholdBasis,
    ThresholdKind,
    ValuationBasis,
)

NON_NEGATIVE = [MinValueValidator(Decimal("0"))]


def rate_field(**kwargs) -> models.DecimalField:
    """A percentage such as 21.000."""
    return models.DecimalField(max_digits=7, decimal_places=3, validators=NON_NEGATIVE, **kwargs)


class Regime(BaseModel):
    """A destination customs territory with its own law: the EU, the UK, the US, BiH."""

    code = models.SlugField(max_length=8, unique=True)
    name = models.CharField(max_length=100)
    currency = models.CharField(max_length=3, help_text=_("ISO 4217 code of the regime's currency"))
    countries = models.JSONField(default=list, help_text=_("ISO 3166 alpha-2 codes of the destination countries"))

    def __str__(self) -> str:
        return self.name


class EffectiveDated(models.Model):
    regime = models.ForeignKey(Regime, on_delete=models.CASCADE, related_name="+")
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True, help_text=_("Last day in force; empty: until replaced"))
    source = models.CharField(max_length=300, blank=True, help_text=_("Legal basis or publication"))

    class Meta:
        abstract = True

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.valid_to and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": _("The last day in force comes before the first.")})


class RegimeTerms(EffectiveDated):
    """How a regime values, rounds and holds items, and which low-value procedure applies."""

    valuation_basis = models.CharField(max_length=3, choices=ValuationBasis.choices)
    rounding_scope = models.CharField(max_length=16, choices=RoundingScope.choices, default=RoundingScope.PER_LINE)
    rounding_places = models.PositiveSmallIntegerField(default=2)
    low_value_ceiling = money_field(
        null=True, blank=True, help_text=_("Intrinsic value above which a full declaration is needed (IRG 4)")
    )
    fx_rule = models.CharField(max_length=24, choices=FxRule.choices, default=FxRule.DAILY)
    fx_max_age_days = models.PositiveSmallIntegerField(
        default=7,
        help_text=_(
            "Days a rate may be older than the publication the rule asks for (the day itself, or the "
            "penultimate Wednesday of the month before) before an assessment says it is stale"
        ),
    )
    ioss_accepted = models.BooleanField(default=False, help_text=_("A valid IOSS number means VAT was paid at sale"))
    ioss_value_cap = money_field(null=True, blank=True, help_text=_("Intrinsic value up to which IOSS applies"))
    storage_days = models.PositiveSmallIntegerField(
        default=20, help_text=_("Days an item with charges due is kept before it is returned to sender")
    )

    class Meta:
        verbose_name_plural = "regime terms"
        ordering = ["regime", "-valid_from"]

    def __str__(self) -> str:
        return f"{self.regime.code} terms from {self.valid_from}"


class DeMinimis(EffectiveDated):
    """Below or at this value, no duty (or no VAT) is collected."""

    kind = models.CharField(max_length=4, choices=ThresholdKind.choices)
    basis = models.CharField(max_length=9, choices=ThresholdBasis.choices, default=ThresholdBasis.INTRINSIC)
    amount = money_field()
    category = models.CharField(
        max_length=20, blank=True, help_text=_("Item category it is limited to (e.g. GIFT); empty: every category")
    )

    class Meta:
        verbose_name = "de minimis threshold"
        ordering = ["regime", "kind", "-valid_from"]

    def __str__(self) -> str:
        return f"{self.regime.code} {self.kind} ≤ {self.amount} {self.category or ''}".strip()


class DutyRate(EffectiveDated):
    """Ad valorem duty by HS prefix; the longest matching prefix wins, '' is the default."""

    hs_prefix = models.CharField(max_length=10, blank=True)
    origin_country = models.CharField(max_length=2, blank=True, help_text=_("Empty: any origin"))
    rate = rate_field()
    description = models.CharField(max_length=200, blank=True)
    specific_amount = models.DecimalField(
        max_digits=12, decimal_places=4, null=True, blank=True, help_text=_("Specific duty per unit, if any")
    )
    specific_unit = models.CharField(
        max_length=10, blank=True, help_text=_("Unit of the specific duty: 100kg, 1000items, item or hl")
    )
    rate_text = models.CharField(max_length=100, blank=True, help_text=_("The rate as the tariff file states it"))

    class Meta:
        ordering = ["regime", "hs_prefix", "-valid_from"]
        indexes = [models.Index(fields=["regime", "hs_prefix"], name="duty_rate_prefix_idx")]

    def __str__(self) -> str:
        return f"{self.regime.code} {self.hs_prefix or '*'} {self.rate}%"


class FlatDuty(EffectiveDated):
    """A fixed duty per distinct tariff line, replacing the duty relief (the EU's €3 from 2026-07-01)."""

    amount = money_field()
    max_intrinsic_value = money_field(help_text=_("Applies to items up to this intrinsic value"))
    applies_with_ioss = models.BooleanField(default=True)
    applies_without_ioss = models.BooleanField(default=True)

    class Meta:
        verbose_name_plural = "flat duties"
        ordering = ["regime", "-valid_from"]

    def __str__(self) -> str:
        return f"{self.regime.code} {self.amount} per tariff line"


class VatRate(EffectiveDated):
    """VAT rate by destination country and HS prefix; the most specific row wins."""

    country = models.CharField(max_length=2, blank=True, help_text=_("Empty: every country of the regime"))
    hs_prefix = models.CharField(max_length=10, blank=True)
    rate = rate_field()

    class Meta:
        ordering = ["regime", "country", "hs_prefix", "-valid_from"]

    def __str__(self) -> str:
        return f"{self.regime.code} {self.country or '*'} {self.hs_prefix or '*'} {self.rate}%"


class Fee(EffectiveDated):
    """A handling fee collected with the charges (customs or carrier)."""

    name = models.CharField(max_length=100)
    basis = models.CharField(max_length=16, choices=FeeBasis.choices)
    amount = money_field()
    only_when_charges_due = models.BooleanField(
        default=False, help_text=_("Collected only when duty or VAT is due (a carrier's collection fee)")
    )

    class Meta:
        ordering = ["regime", "name", "-valid_from"]

    def __str__(self) -> str:
        return f"{self.regime.code} {self.name} {self.amount}"


class ExchangeRate(EffectiveDated):
    """Units of `currency` per one unit of the regime's currency, in force from `valid_from`."""

    currency = models.CharField(max_length=3)
    units_per_regime_unit = models.DecimalField(max_digits=20, decimal_places=8, validators=NON_NEGATIVE)
    published_on = models.DateField(help_text=_("Date of the published rate this row takes"))

    class Meta:
        ordering = ["regime", "currency", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["regime", "currency", "valid_from"], name="fx_unique_regime_day"),
        ]
        indexes = [models.Index(fields=["regime", "currency", "-valid_from"], name="fx_lookup_idx")]

    def __str__(self) -> str:
        return f"{self.regime.code} {self.currency} {self.units_per_regime_unit} from {self.valid_from}"


class IossRegistration(EffectiveDated):
    """An IOSS number in the register the administration receives: its holder, from when, and whether revoked.

    An item's number is admitted when a row is in force on its date, is not revoked, and the item's
    seller or platform is the holder or one of its trading names.
    """

    number = models.CharField(max_length=12)
    holder = models.CharField(max_length=200, help_text=_("The registered seller, platform or intermediary"))
    trading_names = models.CharField(
        max_length=500, blank=True, help_text=_("Other names the holder sells under, separated by ';'")
    )
    member_state = models.CharField(max_length=2, blank=True, help_text=_("Member state of identification"))
    status = models.CharField(max_length=8, choices=IossStatus.choices, default=IossStatus.ACTIVE)

    class Meta:
        verbose_name = "IOSS registration"
        ordering = ["regime", "number", "-valid_from"]
        indexes = [models.Index(fields=["number", "valid_from"], name="ioss_number_idx")]

    def __str__(self) -> str:
        return f"{self.number} {self.holder} ({self.status})"


class LawChange(BaseModel):
    """A proposed change of the law: its rows, its effective date and a preview; a second supervisor applies it.

    `entries` hold what the author asks for (rows added or changed by their key, or ended); `preview`
    what it does to the law in force (rows added, changed and ended, for a tariff load the counts by
    chapter and the largest rate changes, and its effect on the last 30 days of real items). Approval
    works the plan out again and refuses if the law in force moved since the preview.
    """

    kind = models.CharField(max_length=16, choices=LawChangeKind.choices)
    regime = models.ForeignKey(Regime, on_delete=models.PROTECT, related_name="+")
    effective_from = models.DateField()
    status = models.CharField(max_length=10, choices=LawChangeStatus.choices, default=LawChangeStatus.PENDING)
    summary = models.CharField(max_length=300, help_text=_("What the change is and why"))
    mode = models.CharField(max_length=8, choices=LoadMode.choices, default=LoadMode.PARTIAL)
    file_name = models.CharField(max_length=200, blank=True)
    source = models.CharField(max_length=300, blank=True, help_text=_("Legal basis or publication of the new rows"))
    entries = models.JSONField(default=list)
    unreadable = models.JSONField(
        default=list, blank=True, help_text=_("Rows of the file that could not be read, by line")
    )
    accepted_unreadable = models.JSONField(
        default=list, blank=True, help_text=_("Lines the approver accepted as unreadable")
    )
    preview = models.JSONField(default=dict, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(reviewer__isnull=True)
                | ~models.Q(reviewer=models.F("author"))
                | models.Q(status="WITHDRAWN"),
                name="law_change_four_eyes",
            ),
        ]
        indexes = [models.Index(fields=["status", "-created_at"], name="law_change_status_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.regime_id} from {self.effective_from} ({self.status})"
