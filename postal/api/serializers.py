"""Serializers that describe the postal API in the OpenAPI schema.

Input is validated by postal.validation (fast, per item, all errors at once);
these classes document the same contract for integrators and shape outputs.
"""

from rest_framework import serializers

from clearance.choices import ConsignmentState, DecisionCode, EventCode, ItemCategory, TermsOfDelivery
from clearance.tracking import CustomsEventReason
from payments.choices import CaseGrounds, CaseKind, CaseState
from postal import contract
from postal.choices import ItemStatus, WithdrawalReason


def _schema_field(field: contract.Field) -> serializers.Field:
    """The OpenAPI description of one field of the contract (validation itself is postal.validation's)."""
    common = {"required": field.required == contract.Required.ALWAYS, "help_text": field.help or None}
    kind = field.kind
    if kind == contract.Kind.PARTY:
        return PartySerializer(**common)
    if kind == contract.Kind.PREPAID:
        return PrepaidSerializer(**common)
    if kind == contract.Kind.TERMS:
        return serializers.ChoiceField(choices=TermsOfDelivery.choices, **common)
    if kind == contract.Kind.LINES:
        return ContentLineSerializer(many=True, min_length=1, max_length=contract.MAX_CONTENT_LINES, **common)
    if kind in PATTERNS:
        return serializers.RegexField(PATTERNS[kind], **common)
    if kind in (contract.Kind.WEIGHT, contract.Kind.MONEY, contract.Kind.AMOUNT):
        places = 3 if kind == contract.Kind.WEIGHT else 2
        return serializers.DecimalField(max_digits=13, decimal_places=places, min_value=0, **common)
    if kind == contract.Kind.QUANTITY:
        return serializers.IntegerField(min_value=1, max_value=contract.MAX_QUANTITY, **common)
    if kind == contract.Kind.CATEGORY:
        return serializers.ChoiceField(choices=ItemCategory.choices, **common)
    if kind == contract.Kind.EMAIL:
        return serializers.EmailField(max_length=field.max_length, **common)
    lengths = {"min_length": field.max_length} if kind in (contract.Kind.COUNTRY, contract.Kind.CURRENCY) else {}
    return serializers.CharField(max_length=field.max_length, **lengths, **common)


PATTERNS = {
    contract.Kind.S10: r"^[A-Z]{2}\d{9}[A-Z]{2}$",
    contract.Kind.HS_CODE: r"^\d{6,10}$",
    contract.Kind.IOSS: r"^IM\d{10}$",
}


def _serializer(name: str, fields: tuple[contract.Field, ...]) -> type[serializers.Serializer]:
    attributes = {field.name: _schema_field(field) for field in fields}
    return type(name, (serializers.Serializer,), {"__module__": __name__, **attributes})


PartySerializer = _serializer("PartySerializer", contract.PARTY)
PrepaidSerializer = _serializer("PrepaidSerializer", contract.PREPAID)
ContentLineSerializer = _serializer("ContentLineSerializer", contract.LINE)
ItemInputSerializer = _serializer("ItemInputSerializer", contract.ITEM)


class PreAdviceInputSerializer(serializers.Serializer):
    messageId = serializers.CharField(max_length=64, required=False)
    items = ItemInputSerializer(many=True, min_length=1, max_length=1000)


class FieldErrorSerializer(serializers.Serializer):
    field = serializers.CharField()
    code = serializers.CharField()
    message = serializers.CharField()


class ItemResultSerializer(serializers.Serializer):
    itemId = serializers.CharField()
    status = serializers.ChoiceField(choices=ItemStatus.values)
    errors = FieldErrorSerializer(many=True)


class PreAdviceOutputSerializer(serializers.Serializer):
    messageId = serializers.CharField()
    accepted = serializers.IntegerField(help_text="Items stored: ACCEPTED, AMENDED and DUPLICATE")
    rejected = serializers.IntegerField()
    results = ItemResultSerializer(many=True)


class EventInputSerializer(serializers.Serializer):
    itemId = serializers.CharField()
    code = serializers.ChoiceField(choices=EventCode.choices)
    at = serializers.DateTimeField(help_text="ISO 8601 with its zone")
    office = serializers.CharField(max_length=6, required=False)


class EventsInputSerializer(serializers.Serializer):
    events = EventInputSerializer(many=True, min_length=1, max_length=1000)


class EventResultSerializer(serializers.Serializer):
    itemId = serializers.CharField()
    status = serializers.ChoiceField(choices=[ItemStatus.ACCEPTED, ItemStatus.DUPLICATE, ItemStatus.REJECTED])
    errors = FieldErrorSerializer(many=True)


class EventsOutputSerializer(serializers.Serializer):
    accepted = serializers.IntegerField()
    rejected = serializers.IntegerField()
    results = EventResultSerializer(many=True)


class WithdrawalInputSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=WithdrawalReason.choices, help_text="Why the pre-advice is withdrawn")


class WithdrawalOutputSerializer(serializers.Serializer):
    itemId = serializers.CharField()
    status = serializers.ChoiceField(choices=[ItemStatus.WITHDRAWN])
    reason = serializers.ChoiceField(choices=WithdrawalReason.choices)
    withdrawnAt = serializers.DateTimeField()


class WithdrawalEntrySerializer(WithdrawalInputSerializer):
    itemId = serializers.CharField()


class WithdrawalsInputSerializer(serializers.Serializer):
    withdrawals = WithdrawalEntrySerializer(many=True, min_length=1, max_length=1000)


class WithdrawalResultSerializer(serializers.Serializer):
    itemId = serializers.CharField()
    status = serializers.ChoiceField(choices=[ItemStatus.WITHDRAWN, ItemStatus.DUPLICATE, ItemStatus.REJECTED])
    errors = FieldErrorSerializer(many=True)


class WithdrawalsOutputSerializer(serializers.Serializer):
    accepted = serializers.IntegerField(help_text="Entries WITHDRAWN now or DUPLICATE (withdrawn before)")
    rejected = serializers.IntegerField()
    results = WithdrawalResultSerializer(many=True)


class ChargesSerializer(serializers.Serializer):
    duty = serializers.DecimalField(max_digits=13, decimal_places=2)
    vat = serializers.DecimalField(max_digits=13, decimal_places=2)
    fees = serializers.DecimalField(max_digits=13, decimal_places=2)
    total = serializers.DecimalField(max_digits=13, decimal_places=2)
    currency = serializers.CharField()


class CustomsEventSerializer(serializers.Serializer):
    code = serializers.ChoiceField(
        choices=[EventCode.EME, EventCode.EDC, EventCode.EDX],
        help_text="EMSEVT v3: EME held by import customs, EDC returned from customs, EDX import terminated",
    )
    reasonCode = serializers.ChoiceField(choices=CustomsEventReason.choices)
    office = serializers.CharField(allow_blank=True, help_text="The office of exchange, when known")
    at = serializers.DateTimeField()


class ResponseSerializer(serializers.Serializer):
    sequence = serializers.IntegerField()
    itemId = serializers.CharField()
    decision = serializers.ChoiceField(choices=DecisionCode.choices)
    reason = serializers.CharField(allow_blank=True)
    charges = ChargesSerializer(allow_null=True)
    decidedAt = serializers.DateTimeField()
    event = CustomsEventSerializer(
        allow_null=True, help_text="The decision as a tracking event; null for a withdrawn pre-advice"
    )


class ResponsesPageSerializer(serializers.Serializer):
    results = ResponseSerializer(many=True)
    next = serializers.CharField(help_text="Pass as `after` to get the responses that follow")


class ItemStatusSerializer(serializers.Serializer):
    itemId = serializers.CharField()
    status = serializers.ChoiceField(choices=ConsignmentState.choices)
    version = serializers.IntegerField()
    preAdvisedAt = serializers.DateTimeField()
    arrivedAt = serializers.DateTimeField(allow_null=True)
    presentedAt = serializers.DateTimeField(allow_null=True)
    exitedAt = serializers.DateTimeField(allow_null=True)
    deliveredAt = serializers.DateTimeField(allow_null=True)
    decision = ResponseSerializer(allow_null=True)
    charges = ChargesSerializer(allow_null=True)


class WebhookInputSerializer(serializers.Serializer):
    url = serializers.URLField(max_length=500)


class WebhookOutputSerializer(serializers.Serializer):
    url = serializers.URLField()
    isActive = serializers.BooleanField()
    secret = serializers.CharField(required=False, help_text="Shown once, when the webhook is set")


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    details = FieldErrorSerializer(many=True)


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


class CsvUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="UTF-8 CSV, one row per content line")
    messageId = serializers.CharField(max_length=64, required=False)


class CollectionInputSerializer(serializers.Serializer):
    itemId = serializers.RegexField(PATTERNS[contract.Kind.S10])
    amount = serializers.DecimalField(max_digits=13, decimal_places=2, min_value=0, help_text="The charges collected")
    currency = serializers.CharField(min_length=3, max_length=3, help_text="ISO 4217: the charges' currency")
    collectedAt = serializers.DateTimeField(help_text="When the addressee paid, with its zone")
    reference = serializers.CharField(max_length=100, help_text="The operator's receipt or transaction reference")


class CollectionsInputSerializer(serializers.Serializer):
    collections = CollectionInputSerializer(many=True, min_length=1, max_length=1000)


class CaseInputSerializer(serializers.Serializer):
    itemId = serializers.RegexField(PATTERNS[contract.Kind.S10])
    grounds = serializers.ChoiceField(choices=CaseGrounds.choices)
    reason = serializers.CharField(max_length=4000, help_text="What the payer says is wrong")
    contactEmail = serializers.EmailField(required=False, help_text="Where the payer is told of each step")
    language = serializers.ChoiceField(choices=["en", "fr"], required=False, help_text="The payer's language")


class CaseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    itemId = serializers.CharField()
    kind = serializers.ChoiceField(choices=CaseKind.choices)
    grounds = serializers.ChoiceField(choices=CaseGrounds.choices)
    state = serializers.ChoiceField(choices=CaseState.choices)
    openedAt = serializers.DateTimeField()
    deadline = serializers.DateTimeField()
    resolvedAt = serializers.DateTimeField(allow_null=True)
    resolution = serializers.CharField()
