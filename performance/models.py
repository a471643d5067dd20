"""The daily summaries the Time Release Study and the indicators read (kept up to date by performance.summaries)."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TrsDay(models.Model):
    """Counts of one pre-advice day's items, whole ("all") or per value of one dimension.

    Kept up to date by performance.summaries from the items, their decisions and
    payments; the Time Release Study and the indicators read these, not the items.
    """

    day = models.DateField()
    dimension = models.CharField(max_length=10)
    value = models.CharField(max_length=64, blank=True)
    items = models.PositiveIntegerField(default=0)
    arrived = models.PositiveIntegerField(default=0)
    decided = models.PositiveIntegerField(default=0)
    decided_before_arrival = models.PositiveIntegerField(default=0)
    charged = models.PositiveIntegerField(default=0, help_text=_("Items whose decision asked for charges"))
    released = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "clearance_trsday"  # made when the study lived in the clearance app; the name stays
        constraints = [
            models.UniqueConstraint(fields=["dimension", "day", "value"], name="trs_day_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.dimension}={self.value}"


class TrsBucket(models.Model):
    """How many of a day's items took a TRS step in one duration bucket (see performance.trs)."""

    day = models.DateField()
    dimension = models.CharField(max_length=10)
    value = models.CharField(max_length=64, blank=True)
    measure = models.CharField(max_length=24)
    bucket = models.SmallIntegerField()
    count = models.PositiveIntegerField()
    total_seconds = models.FloatField(help_text=_("Sum of the durations, for an exact mean"))

    class Meta:
        db_table = "clearance_trsbucket"
        constraints = [
            models.UniqueConstraint(
                fields=["dimension", "day", "value", "measure", "bucket"], name="trs_bucket_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.dimension}={self.value} {self.measure}[{self.bucket}]={self.count}"
