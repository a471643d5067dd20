"""Serializers that describe the postal API in the OpenAPI schema.

Input is validated by postal.validation (fast, per item, all errors at once);
these classes document the same contract for integrators and shape outputs.
"""

from rest_framework import serializers

from clearance.choices import ConsignmentState, DecisionCode, EventCode, ItemCategory
from postal.choices import ItemStatus


class PartySerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    address = serializers.CharField(max_length=300, required=False)
    city = serializers.CharField(max_length=100, required=False)
    postcode = serializers.CharField(max_length=20, required=False)
    country = serializers.CharField(min_length=2, max_length=2, help_text="ISO 3166 alpha-2")
    email = serializers.EmailField(required=False)
    phone = serializers.CharField(max_length=40, required=False)


class ContentLineSerializer(serializers.Serializer):
    description = serializers.CharField(max_length=300)
    quantity = serializers.IntegerField(min_value=1, max_value=1_000_000)
    netWeightKg = serializers.DecimalField(max_digits=13, decimal_places=3, min_value=0)  # noqa: N815
    value = serializers.DecimalField(max_digits=13, decimal_places=2, min_value=0, help_text="In the item's currency")
    hsCode = serializers.RegexField(  # noqa: N815
        r"^\d{6,10}$", required=False, help_text="HS 2022, 6 to 10 digits; may be absent only for DOCUMENTS"
    )
    originCountry = serializers.CharField(min_length=2, max_length=2, required=False)  # noqa: N815


class ItemInputSerializer(serializers.Serializer):
    itemId = serializers.RegexField(r"^[A-Z]{2}\d{9}[A-Z]{2}$", help_text="UPU S10, check digit verified")  # noqa: N815
    category = serializers.ChoiceField(choices=ItemCategory.choices)
    sender = PartySerializer()
    addressee = PartySerializer()
    grossWeightKg = serializers.DecimalField(max_digits=13, decimal_places=3, min_value=0)  # noqa: N815
    currency = serializers.CharField(min_length=3, max_length=3, help_text="ISO 4217")
    postalCharges = serializers.DecimalField(max_digits=13, decimal_places=2, min_value=0, required=False)  # noqa: N815
    insurance = serializers.DecimalField(max_digits=13, decimal_places=2, min_value=0, required=False)
    iossNumber = serializers.RegexField(r"^IM\d{10}$", required=False)  # noqa: N815
    platform = serializers.CharField(max_length=100, required=False)
    contents = ContentLineSerializer(many=True, min_length=1, max_length=99)


class PreAdviceInputSerializer(serializers.Serializer):
    messageId = serializers.CharField(max_length=64, required=False)  # noqa: N815
    items = ItemInputSerializer(many=True, min_length=1, max_length=1000)


class FieldErrorSerializer(serializers.Serializer):
    field = serializers.CharField()
    code = serializers.CharField()
    message = serializers.CharField()


class ItemResultSerializer(serializers.Serializer):
    itemId = serializers.CharField()  # noqa: N815
    status = serializers.ChoiceField(choices=ItemStatus.values)
    errors = FieldErrorSerializer(many=True)


class PreAdviceOutputSerializer(serializers.Serializer):
    messageId = serializers.CharField()  # noqa: N815
    accepted = serializers.IntegerField(help_text="Items stored: ACCEPTED, AMENDED and DUPLICATE")
    rejected = serializers.IntegerField()
    results = ItemResultSerializer(many=True)


class EventInputSerializer(serializers.Serializer):
    itemId = serializers.CharField()  # noqa: N815
    code = serializers.ChoiceField(choices=EventCode.choices)
    at = serializers.DateTimeField(help_text="ISO 8601 with its zone")
    office = serializers.CharField(max_length=6, required=False)


class EventsInputSerializer(serializers.Serializer):
    events = EventInputSerializer(many=True, min_length=1, max_length=1000)


class EventResultSerializer(serializers.Serializer):
    itemId = serializers.CharField()  # noqa: N815
    status = serializers.ChoiceField(choices=[ItemStatus.ACCEPTED, ItemStatus.DUPLICATE, ItemStatus.REJECTED])
    errors = FieldErrorSerializer(many=True)


class EventsOutputSerializer(serializers.Serializer):
    accepted = serializers.IntegerField()
    rejected = serializers.IntegerField()
    results = EventResultSerializer(many=True)


class ChargesSerializer(serializers.Serializer):
    duty = serializers.DecimalField(max_digits=13, decimal_places=2)
    vat = serializers.DecimalField(max_digits=13, decimal_places=2)
    fees = serializers.DecimalField(max_digits=13, decimal_places=2)
    total = serializers.DecimalField(max_digits=13, decimal_places=2)
    currency = serializers.CharField()


class ResponseSerializer(serializers.Serializer):
    sequence = serializers.IntegerField()
    itemId = serializers.CharField()  # noqa: N815
    decision = serializers.ChoiceField(choices=DecisionCode.choices)
    reason = serializers.CharField(allow_blank=True)
    charges = ChargesSerializer(allow_null=True)
    decidedAt = serializers.DateTimeField()  # noqa: N815


class ResponsesPageSerializer(serializers.Serializer):
    results = ResponseSerializer(many=True)
    next = serializers.CharField(help_text="Pass as `after` to get the responses that follow")


class ItemStatusSerializer(serializers.Serializer):
    itemId = serializers.CharField()  # noqa: N815
    status = serializers.ChoiceField(choices=ConsignmentState.choices)
    version = serializers.IntegerField()
    preAdvisedAt = serializers.DateTimeField()  # noqa: N815
    arrivedAt = serializers.DateTimeField(allow_null=True)  # noqa: N815
    presentedAt = serializers.DateTimeField(allow_null=True)  # noqa: N815
    exitedAt = serializers.DateTimeField(allow_null=True)  # noqa: N815
    deliveredAt = serializers.DateTimeField(allow_null=True)  # noqa: N815
    decision = ResponseSerializer(allow_null=True)
    charges = ChargesSerializer(allow_null=True)


class WebhookInputSerializer(serializers.Serializer):
    url = serializers.URLField(max_length=500)


class WebhookOutputSerializer(serializers.Serializer):
    url = serializers.URLField()
    isActive = serializers.BooleanField()  # noqa: N815
    secret = serializers.CharField(required=False, help_text="Shown once, when the webhook is set")


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    details = FieldErrorSerializer(many=True)


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


class CsvUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="UTF-8 CSV, one row per content line")
    messageId = serializers.CharField(max_length=64, required=False)  # noqa: N815
