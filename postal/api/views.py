"""The postal operator API (api.md): thin views over postal services and selectors."""

from __future__ import annotations

import csv
from datetime import date, datetime

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from clearance.tracking import arrival_offices
from core import s10
from core.exceptions import ApplicationError, NotFound
from core.normalize import whole_number
from payments.models import Case
from postal import csv_intake, quality, selectors, services
from postal.api import serializers as s
from postal.choices import WithdrawalReason
from postal.idempotency import with_idempotency
from postal.parsers import PayloadTooLarge
from postal.validation import printable
from postal.webhooks import response_payload

ERRORS = {
    400: OpenApiResponse(s.ErrorSerializer, description="Malformed body"),
    401: OpenApiResponse(s.ErrorSerializer, description="No or bad API key"),
    409: OpenApiResponse(s.ErrorSerializer, description="Idempotency-Key conflict"),
    413: OpenApiResponse(s.ErrorSerializer, description="Batch or body too large"),
    415: OpenApiResponse(s.ErrorSerializer, description="Not JSON"),
    429: OpenApiResponse(s.ErrorSerializer, description="Throttled; see Retry-After"),
}
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="A retry with the same key and body gets the first response (header `Idempotent-Replayed: true`).",
)
ITEM_EXAMPLE = {
    "messageId": "OP-20261122-000123",
    "items": [
        {
            "itemId": "RB123456785GB",
            "category": "SALE_OF_GOODS",
            "sender": {"name": "Shenzhen Trading Co", "address": "1 Keji Rd", "city": "Shenzhen", "country": "CN"},
            "addressee": {
                "name": "Amra Hodžić",
                "address": "Ferhadija 1",
                "city": "Sarajevo",
                "postcode": "71000",
                "country": "BA",
                "email": "amra@example.ba",
            },
            "grossWeightKg": "0.450",
            "currency": "USD",
            "postalCharges": "5.00",
            "contents": [
                {
                    "description": "Cotton T-shirt",
                    "quantity": 2,
                    "netWeightKg": "0.300",
                    "value": "12.50",
                    "hsCode": "610910",
                    "originCountry": "CN",
                }
            ],
        }
    ],
}


def _check_declared_length(request: Request) -> None:
    length = request.headers.get("content-length")
    size = whole_number(length or "")
    if size is not None and size > settings.OPENCLEAR_API_MAX_BODY_BYTES:
        raise PayloadTooLarge(f"The request body is larger than {settings.OPENCLEAR_API_MAX_BODY_BYTES} bytes.")


class PreAdviceCreateApi(APIView):
    @extend_schema(
        operation_id="items_create",
        summary="Send pre-advice (ITMATT / CN23 item data)",
        description="At most 1000 items. Each item is judged on its own: valid items are stored even when "
        "others are rejected.",
        request=s.PreAdviceInputSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={200: s.PreAdviceOutputSerializer, **ERRORS},
        examples=[OpenApiExample("One T-shirt", value=ITEM_EXAMPLE, request_only=True)],
    )
    def post(self, request: Request) -> Response:
        _check_declared_length(request)
        return with_idempotency(
            request, lambda: Response(services.preadvice_receive(operator=request.user.operator, body=request.data))
        )


class PreAdviceCsvUploadApi(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        operation_id="items_csv_create",
        summary="Send pre-advice as a CSV file (one row per content line)",
        description="Columns: " + ", ".join(csv_intake.ITEM_COLUMNS + csv_intake.LINE_COLUMNS) + ". Rows with the "
        "same itemId make one item. Errors name the file line: `rows[7].hsCode`.",
        request={"multipart/form-data": s.CsvUploadSerializer},
        parameters=[IDEMPOTENCY_KEY],
        responses={200: s.PreAdviceOutputSerializer, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        _check_declared_length(request)
        upload = request.data.get("file")
        if upload is None or not hasattr(upload, "read"):
            detail = {"field": "file", "code": "required", "message": "Attach the CSV as the form field `file`."}
            raise ApplicationError("No file in the request.", code="invalid", details=[detail])
        raw = upload.read(settings.OPENCLEAR_API_MAX_BODY_BYTES + 1)
        if len(raw) > settings.OPENCLEAR_API_MAX_BODY_BYTES:
            raise PayloadTooLarge("The file is too large.")
        message_id = request.data.get("messageId", "") or upload.name[:64]
        return with_idempotency(
            request,
            lambda: Response(
                services.preadvice_receive_csv(operator=request.user.operator, raw=raw, message_id=message_id)
            ),
        )


class EventsCreateApi(APIView):
    @extend_schema(
        operation_id="events_create",
        summary="Send tracking events (EMSEVT v3 import codes, each with its time and office)",
        description=(
            "Codes: EMD arrival at the office of exchange, EDA held there, EDB presented to customs, EME held by "
            "customs, EDC returned from customs, EMF departure from the office of exchange, EMG arrival at the "
            "delivery office, EDG out for delivery, EDH at a pick-up point, EMH delivery attempt, EMI delivered, "
            "EDX returned to the sender. None may be in the future; none but EMD before the item's arrival "
            "(`before_arrival`); EDB only after an arrival (`not_arrived`); none of the delivery office's before "
            "the departure (`before_departure`). "
            "Each event is judged on its own. An arrival (EMD) of an item you never pre-advised (or withdrew) is "
            "ACCEPTED: customs records the item, holds it, and answers with a HOLD_INSPECTION response on the feed "
            "and the webhook; its pre-advice, sent later, attaches to it (ACCEPTED) and is scored. Any other event "
            "of an unknown item is REJECTED as `unknown_item`."
        ),
        request=s.EventsInputSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={200: s.EventsOutputSerializer, **ERRORS},
        examples=[
            OpenApiExample(
                "Arrival",
                value={
                    "events": [
                        {"itemId": "RB123456785GB", "code": "EMD", "at": "2026-11-22T10:15:00Z", "office": "BASJJA"}
                    ]
                },
                request_only=True,
            ),
            OpenApiExample(
                "From arrival to delivery",
                value={
                    "events": [
                        {"itemId": "RB123456785GB", "code": code, "at": at, "office": office}
                        for code, at, office in (
                            ("EMD", "2026-11-22T10:15:00Z", "BASJJA"),
                            ("EDB", "2026-11-22T11:00:00Z", "BASJJA"),
                            ("EMF", "2026-11-22T16:40:00Z", "BASJJA"),
                            ("EMG", "2026-11-23T07:10:00Z", "BA7100"),
                            ("EMH", "2026-11-23T10:05:00Z", "BA7100"),
                            ("EMI", "2026-11-24T09:30:00Z", "BA7100"),
                        )
                    ]
                },
                request_only=True,
            ),
        ],
    )
    def post(self, request: Request) -> Response:
        _check_declared_length(request)
        return with_idempotency(
            request, lambda: Response(services.events_receive(operator=request.user.operator, body=request.data))
        )


class CollectionsCreateApi(APIView):
    @extend_schema(
        operation_id="collections_create",
        summary="Report charges collected at delivery (operators with a collection agreement)",
        description=(
            "Each item's charges, as customs' last response stated them, collected from the addressee at the door. "
            "An accepted report marks the item paid and releases it (a RELEASED customs response follows); the "
            "same report again is a DUPLICATE; a report that does not match the charges due, or made without a "
            "collection agreement in force that day, is REJECTED with the reason. Collections go on the month's "
            "remittance statement."
        ),
        request=s.CollectionsInputSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={200: s.EventsOutputSerializer, **ERRORS},
        examples=[
            OpenApiExample(
                "Collected at the door",
                value={
                    "collections": [
                        {
                            "itemId": "RB123456785GB",
                            "amount": "41.60",
                            "currency": "BAM",
                            "collectedAt": "2026-11-23T14:02:00Z",
                            "reference": "POS-2026-118842",
                        }
                    ]
                },
                request_only=True,
            )
        ],
    )
    def post(self, request: Request) -> Response:
        _check_declared_length(request)
        return with_idempotency(
            request, lambda: Response(services.collections_receive(operator=request.user.operator, body=request.data))
        )


def _case_payload(case: Case) -> dict:
    return {
        "id": case.pk,
        "itemId": case.consignment.item_id,
        "kind": case.kind,
        "grounds": case.grounds,
        "state": case.state,
        "openedAt": case.created_at,
        "deadline": case.deadline,
        "resolvedAt": case.resolved_at,
        "resolution": case.resolution,
    }


class CasesCreateApi(APIView):
    @extend_schema(
        operation_id="cases_create",
        summary="Open a case for a payer: a dispute of charges due, or a refund claim after payment",
        description=(
            "The item's state decides the kind: charges still due are disputed (the item is not returned while "
            "the case is open), charges paid are claimed back. The payer is told of each step by e-mail "
            "(contactEmail, else the addressee's). An item has one open case at a time: opening it again "
            "answers the open case."
        ),
        request=s.CaseInputSerializer,
        responses={201: s.CaseSerializer, **ERRORS, 404: OpenApiResponse(s.ErrorSerializer)},
        examples=[
            OpenApiExample(
                "Value wrong",
                value={
                    "itemId": "RB123456785GB",
                    "grounds": "VALUE_WRONG",
                    "reason": "The addressee shows an invoice of USD 40, not USD 400.",
                    "contactEmail": "amra@example.ba",
                    "language": "en",
                },
                request_only=True,
            )
        ],
    )
    def post(self, request: Request) -> Response:
        case = services.case_open_for_payer(operator=request.user.operator, body=request.data)
        return Response(_case_payload(case), status=201)


class CaseDetailApi(APIView):
    @extend_schema(
        operation_id="cases_retrieve",
        summary="A case about one of your items: its state and customs' answer",
        parameters=[
            OpenApiParameter(
                "case_id", {"type": "integer", "minimum": 1}, OpenApiParameter.PATH, description="The case's id"
            )
        ],
        responses={200: s.CaseSerializer, 401: ERRORS[401], 404: OpenApiResponse(s.ErrorSerializer)},
    )
    def get(self, request: Request, case_id: str) -> Response:
        number = whole_number(case_id)
        case = selectors.case_for_operator(operator_id=request.user.operator.pk, case_id=number) if number else None
        if case is None:
            raise NotFound(f"No case {printable(case_id, 20)} about an item of yours.")
        return Response(_case_payload(case))


ITEM_ID_PARAMETER = OpenApiParameter(
    "item_id",
    {"type": "string", "pattern": "^[A-Z]{2}[0-9]{9}[A-Z]{2}$"},
    OpenApiParameter.PATH,
    description="The item's UPU S10 id",
)
WITHDRAWAL_REFUSED = OpenApiResponse(
    s.ErrorSerializer,
    description="Refused: presented to customs, gone from the office, decided, paid, or under customs control",
    examples=[
        OpenApiExample(
            "Presented already",
            value={
                "error": {
                    "code": "withdrawal_refused",
                    "message": "The item was presented to customs: its pre-advice can no longer be withdrawn.",
                    "details": [
                        {
                            "field": "itemId",
                            "code": "already_presented",
                            "message": "The item was presented to customs: its pre-advice can no longer be withdrawn.",
                        }
                    ],
                }
            },
        )
    ],
)


class ItemDetailApi(APIView):
    @extend_schema(
        operation_id="items_retrieve",
        summary="An item's customs status, latest decision and charges",
        parameters=[ITEM_ID_PARAMETER],
        responses={200: s.ItemStatusSerializer, 401: ERRORS[401], 404: OpenApiResponse(s.ErrorSerializer)},
    )
    def get(self, request: Request, item_id: str) -> Response:
        if not s10.S10_PATTERN.match(item_id):  # not an item id at all: nothing to look up
            raise NotFound(f"No item {printable(item_id, 13)} of yours.")
        consignment = selectors.item_for_operator(operator_id=request.user.operator.pk, item_id=item_id)
        if consignment is None:
            raise NotFound(f"No item {item_id[:13]} of yours.")
        decision = selectors.latest_decision(consignment=consignment)
        return Response(
            {
                "itemId": consignment.item_id,
                "status": consignment.state,
                "version": consignment.version,
                "preAdvisedAt": consignment.pre_advised_at,
                "arrivedAt": consignment.arrived_at,
                "presentedAt": consignment.presented_at,
                "exitedAt": consignment.exited_at,
                "deliveredAt": consignment.delivered_at,
                "decision": response_payload(decision) if decision else None,
                "charges": selectors.current_charges(consignment=consignment),
            }
        )

    @extend_schema(
        operation_id="items_withdraw",
        summary="Withdraw a pre-advice before the goods are presented to customs",
        description=(
            "The reason is a code, in the JSON body or as the `reason` query parameter. The item leaves customs' "
            "queue, a `WITHDRAWN` customs response follows on the feed and the webhook, and its S10 id is free: "
            "sent again later, it is a new pre-advice. Withdrawing it again answers the same. Refused with 409 "
            "once the item was presented (EDB), left the office, was decided or paid, or while customs controls it; "
            "another operator's item, or an unknown one, answers 404."
        ),
        parameters=[
            ITEM_ID_PARAMETER,
            OpenApiParameter("reason", {"type": "string", "enum": WithdrawalReason.values}, required=False),
        ],
        request=s.WithdrawalInputSerializer,
        responses={
            200: s.WithdrawalOutputSerializer,
            400: ERRORS[400],
            401: ERRORS[401],
            404: OpenApiResponse(s.ErrorSerializer),
            409: WITHDRAWAL_REFUSED,
        },
        examples=[
            OpenApiExample("Order cancelled", value={"reason": "ORDER_CANCELLED"}, request_only=True),
            OpenApiExample(
                "Withdrawn",
                value={
                    "itemId": "RB123456785GB",
                    "status": "WITHDRAWN",
                    "reason": "ORDER_CANCELLED",
                    "withdrawnAt": "2026-11-22T09:40:00Z",
                },
                response_only=True,
            ),
        ],
    )
    def delete(self, request: Request, item_id: str) -> Response:
        if not s10.S10_PATTERN.match(item_id):
            raise NotFound(f"No item {printable(item_id, 13)} of yours.")
        body = request.data if isinstance(request.data, dict) else {}
        reason = body.get("reason", request.query_params.get("reason"))
        return Response(services.item_withdraw(operator=request.user.operator, item_id=item_id, reason=reason))


class WithdrawalsCreateApi(APIView):
    @extend_schema(
        operation_id="withdrawals_create",
        summary="Withdraw many pre-advice at once, each with its reason",
        description=(
            "At most 1000 entries, each judged on its own: `WITHDRAWN`, `DUPLICATE` (withdrawn before), or "
            "`REJECTED` with the reason (`unknown_item`, `already_presented`, `left_office`, `final_decision`, "
            "`charges_paid`, `under_customs_control`, `no_pre_advice`, `arrived`). Each withdrawal is answered on "
            "the customs responses feed and the webhook with the decision `WITHDRAWN`."
        ),
        request=s.WithdrawalsInputSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={200: s.WithdrawalsOutputSerializer, **ERRORS},
        examples=[
            OpenApiExample(
                "Two orders cancelled",
                value={
                    "withdrawals": [
                        {"itemId": "RB123456785GB", "reason": "ORDER_CANCELLED"},
                        {"itemId": "RB123456799GB", "reason": "RELABELLED"},
                    ]
                },
                request_only=True,
            ),
            OpenApiExample(
                "One withdrawn, one presented already",
                value={
                    "accepted": 1,
                    "rejected": 1,
                    "results": [
                        {"itemId": "RB123456785GB", "status": "WITHDRAWN", "errors": []},
                        {
                            "itemId": "RB123456799GB",
                            "status": "REJECTED",
                            "errors": [
                                {
                                    "field": "withdrawals[1].itemId",
                                    "code": "already_presented",
                                    "message": "The item was presented to customs: its pre-advice can no longer "
                                    "be withdrawn.",
                                }
                            ],
                        },
                    ],
                },
                response_only=True,
            ),
        ],
    )
    def post(self, request: Request) -> Response:
        _check_declared_length(request)
        return with_idempotency(
            request, lambda: Response(services.withdrawals_receive(operator=request.user.operator, body=request.data))
        )


class ResponsesListApi(APIView):
    @extend_schema(
        operation_id="responses_list",
        summary="Customs responses (CUSRSP), in decision order, each once",
        description=(
            "Each response also carries customs' tracking event in UPU terms (`event`): EME held by import "
            "customs (reasonCode HELD_FOR_INSPECTION, INFORMATION_REQUESTED, REFERRED_TO_OTHER_AGENCY), EDC "
            "returned from customs (RELEASED_NO_CHARGE, RELEASED_CHARGES_DUE, RELEASED_CHARGES_PAID), EDX import "
            "terminated (RETURNED_BY_CUSTOMS, SEIZED), with the office of exchange and the time. The webhook "
            "POSTs each response in the same shape."
        ),
        examples=[
            OpenApiExample(
                "Held, then released",
                value={
                    "results": [
                        {
                            "sequence": 4711,
                            "itemId": "RB123456785GB",
                            "decision": "HOLD_INSPECTION",
                            "reason": "Selected for an officer's check.",
                            "charges": None,
                            "decidedAt": "2026-11-22T10:20:00Z",
                            "event": {
                                "code": "EME",
                                "reasonCode": "HELD_FOR_INSPECTION",
                                "office": "BASJJA",
                                "at": "2026-11-22T10:20:00Z",
                            },
                        },
                        {
                            "sequence": 4712,
                            "itemId": "RB123456785GB",
                            "decision": "RELEASE_NO_CHARGE",
                            "reason": "Released after a customs check.",
                            "charges": None,
                            "decidedAt": "2026-11-22T13:05:00Z",
                            "event": {
                                "code": "EDC",
                                "reasonCode": "RELEASED_NO_CHARGE",
                                "office": "BASJJA",
                                "at": "2026-11-22T13:05:00Z",
                            },
                        },
                    ],
                    "next": "4712",
                },
                response_only=True,
            )
        ],
        parameters=[
            OpenApiParameter(
                "after", {"type": "integer", "minimum": 0}, description="The `next` cursor of the previous page"
            ),
            OpenApiParameter(
                "limit", {"type": "integer", "minimum": 1, "maximum": 1000}, description="At most 1000; default 500"
            ),
        ],
        responses={200: s.ResponsesPageSerializer, 400: ERRORS[400], 401: ERRORS[401]},
    )
    def get(self, request: Request) -> Response:
        after = _int_param(request, "after", default=0, maximum=2**62)
        limit = _int_param(request, "limit", default=500, maximum=1000, minimum=1)
        decisions = list(selectors.responses_after(operator_id=request.user.operator.pk, after=after, limit=limit))
        offices = arrival_offices(consignment_ids=(d.consignment_id for d in decisions))
        next_cursor = decisions[-1].sequence if decisions else after
        results = [response_payload(d, office=offices[d.consignment_id]) for d in decisions]
        return Response({"results": results, "next": str(next_cursor)})


MONTH_PARAMETER = OpenApiParameter(
    "month", {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"}, description="YYYY-MM (UTC); default this month"
)
QUALITY_EXAMPLE = {
    "operator": "BAPOST",
    "month": "2026-11",
    "items": {
        "received": 4,
        "rejected": 1,
        "rejectionRate": 0.25,
        "byCode": [{"code": "invalid_hs_code", "count": 1, "rate": 0.25}],
    },
    "events": {
        "received": 6,
        "rejected": 1,
        "rejectionRate": 0.1667,
        "byCode": [{"code": "unknown_item", "count": 1, "rate": 0.1667}],
    },
    "withdrawals": {"received": 0, "rejected": 0, "rejectionRate": None, "byCode": []},
    "arrivedWithoutPreAdvice": 2,
    "preAdviceStillMissing": 1,
    "preAdviceAfterArrival": 1,
    "released": 3,
    "eventsMissing": {"EMD": 0, "EDB": 1, "EMF": 2, "EMI": 3},
    "informationRequests": {"asked": 2, "answered": 1, "medianHoursToAnswer": 5.0},
}


def _month_param(request: Request) -> date:
    raw = request.query_params.get("month")
    if raw in (None, ""):
        return timezone.now().date().replace(day=1)
    try:
        return datetime.strptime(str(raw), "%Y-%m").date()  # noqa: DTZ007 - a month, no time of day
    except ValueError:
        detail = {"field": "month", "code": "invalid", "message": "A month as YYYY-MM, e.g. 2026-11."}
        raise ApplicationError("month is not valid.", code="invalid", details=[detail]) from None


class QualityReportApi(APIView):
    @extend_schema(
        operation_id="quality_retrieve",
        summary="Your data quality for a month: rejections by code, parcels without pre-advice, events missing",
        description=(
            "Your own figures only. Per command (items, events, withdrawals): entries received and rejected, and "
            "the rejection rate of each error code (an entry counts once under each code it had). Your items of "
            "the month (pre-advised, or recorded at an arrival without pre-advice): arrived without pre-advice, "
            "of which the pre-advice is still missing or came after the arrival; among those released, how many "
            "lack each of the events EMD, EDB, EMF, EMI; customs' questions asked that month, answered, and the "
            "median hours to answer. The same as CSV at `/api/v1/postal/quality/csv`."
        ),
        parameters=[MONTH_PARAMETER],
        responses={200: OpenApiTypes.OBJECT, 400: ERRORS[400], 401: ERRORS[401]},
        examples=[OpenApiExample("A month", value=QUALITY_EXAMPLE, response_only=True)],
    )
    def get(self, request: Request) -> Response:
        report = quality.quality_report(operator=request.user.operator, month=_month_param(request))
        return Response(quality.quality_payload(report))


class QualityReportCsvApi(APIView):
    @extend_schema(
        operation_id="quality_csv_retrieve",
        summary="Your data quality for a month, as CSV (month, measure, code, count, rate)",
        parameters=[MONTH_PARAMETER],
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="One row per figure"),
            400: ERRORS[400],
            401: ERRORS[401],
        },
    )
    def get(self, request: Request) -> HttpResponse:
        report = quality.quality_report(operator=request.user.operator, month=_month_param(request))
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="quality-{report.month:%Y-%m}.csv"'
        csv.writer(response).writerows(quality.quality_csv_rows(report))
        return response


def _int_param(request: Request, name: str, *, default: int, maximum: int, minimum: int = 0) -> int:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return default
    number = whole_number(raw)
    if number is None or not minimum <= number <= maximum:
        detail = {"field": name, "code": "invalid", "message": f"A whole number from {minimum} to {maximum}."}
        raise ApplicationError(f"{name} is not valid.", code="invalid", details=[detail])
    return number


class WebhookApi(APIView):
    @extend_schema(
        operation_id="webhook_retrieve",
        summary="The registered webhook",
        responses={200: s.WebhookOutputSerializer, 401: ERRORS[401], 404: OpenApiResponse(s.ErrorSerializer)},
    )
    def get(self, request: Request) -> Response:
        endpoint = services.webhook_endpoint_get(operator=request.user.operator)
        if endpoint is None:
            raise NotFound("No webhook is registered.")
        return Response({"url": endpoint.url, "isActive": endpoint.is_active})

    @extend_schema(
        operation_id="webhook_set",
        summary="Register the webhook URL; the response shows its new signing secret once",
        request=s.WebhookInputSerializer,
        responses={200: s.WebhookOutputSerializer, 400: ERRORS[400], 401: ERRORS[401]},
    )
    def put(self, request: Request) -> Response:
        serializer = s.WebhookInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        endpoint = services.webhook_endpoint_set(operator=request.user.operator, url=serializer.validated_data["url"])
        return Response({"url": endpoint.url, "isActive": endpoint.is_active, "secret": endpoint.secret})

    @extend_schema(
        operation_id="webhook_delete", summary="Stop pushing responses", responses={204: None, 401: ERRORS[401]}
    )
    def delete(self, request: Request) -> Response:
        services.webhook_endpoint_disable(operator=request.user.operator)
        return Response(status=204)
