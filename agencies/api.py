"""The operators' side of information requests: read what customs asks, answer it with documents.

`GET` and `POST /api/v1/postal/items/{itemId}/information`. Another
operator's item answers 404, exactly like an unknown one (postal.selectors).
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies import selectors, services
from agencies.choices import Channel, Needed, Outcome
from clearance.models import Consignment, InformationRequest
from core import s10
from core.actors import Actor
from core.exceptions import NotFound
from postal.api.serializers import ErrorSerializer
from postal.idempotency import with_idempotency
from postal.selectors import item_for_operator
from postal.validation import printable

ITEM_ID = OpenApiParameter(
    "item_id",
    {"type": "string", "pattern": "^[A-Z]{2}[0-9]{9}[A-Z]{2}$"},
    OpenApiParameter.PATH,
    description="The item's UPU S10 id",
)


class DocumentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    contentType = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    sentBy = serializers.ChoiceField(choices=Channel.choices)
    uploadedAt = serializers.DateTimeField()


class InformationRequestSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    question = serializers.CharField()
    needed = serializers.ListField(child=serializers.ChoiceField(choices=Needed.choices))
    askedAt = serializers.DateTimeField()
    deadline = serializers.DateTimeField(allow_null=True)
    outcomeWithoutAnswer = serializers.ChoiceField(choices=Outcome.choices, allow_null=True)
    answer = serializers.CharField(allow_blank=True)
    answeredAt = serializers.DateTimeField(allow_null=True)
    answeredBy = serializers.CharField(allow_blank=True)
    documents = DocumentSerializer(many=True)


class InformationListSerializer(serializers.Serializer):
    itemId = serializers.CharField()
    results = InformationRequestSerializer(many=True)


class AnswerInputSerializer(serializers.Serializer):
    answer = serializers.CharField(required=False, max_length=services.ANSWER_LIMIT)
    documents = serializers.ListField(
        child=serializers.FileField(), required=False, help_text="PDF, JPEG, PNG or WebP; checked by content"
    )


def _request_payload(request: InformationRequest) -> dict:
    terms = getattr(request, "terms", None)
    return {
        "id": request.pk,
        "question": request.question,
        "needed": terms.needed if terms else [],
        "askedAt": request.asked_at,
        "deadline": terms.deadline if terms else None,
        "outcomeWithoutAnswer": terms.outcome if terms else None,
        "answer": request.answer,
        "answeredAt": request.answered_at,
        "answeredBy": terms.answered_by if terms else "",
        "documents": [
            {
                "id": d.pk,
                "contentType": d.content_type,
                "size": d.size,
                "sha256": d.sha256,
                "sentBy": d.channel,
                "uploadedAt": d.uploaded_at,
            }
            for d in request.documents.all()
        ],
    }


def _item(request: Request, item_id: str) -> Consignment:
    consignment = None
    if s10.S10_PATTERN.match(item_id):
        consignment = item_for_operator(operator_id=request.user.operator.pk, item_id=item_id)
    if consignment is None:
        raise NotFound(f"No item {printable(item_id, 13)} of yours.")
    return consignment


class ItemInformationApi(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        operation_id="items_information_list",
        summary="What customs asked about an item, its deadline, and the answers given",
        parameters=[ITEM_ID],
        responses={200: InformationListSerializer, 401: OpenApiResponse(ErrorSerializer), 404: ErrorSerializer},
    )
    def get(self, request: Request, item_id: str) -> Response:
        consignment = _item(request, item_id)
        requests = selectors.information_requests_for(consignment=consignment)
        return Response({"itemId": consignment.item_id, "results": [_request_payload(r) for r in requests]})

    @extend_schema(
        operation_id="items_information_answer",
        summary="Answer customs' open request about an item, with text and documents",
        description=(
            "multipart/form-data: `answer` (text) and any number of `documents` (at most 5; PDF, JPEG, PNG or "
            "WebP, at most 10 MB each, recognised by their content, not their name). The item goes back to the "
            "officer. 409 `no_open_request` when customs waits for no answer; 400 `document_refused` names the "
            "document."
        ),
        parameters=[ITEM_ID],
        request={"multipart/form-data": AnswerInputSerializer},
        responses={
            201: InformationRequestSerializer,
            400: ErrorSerializer,
            401: ErrorSerializer,
            404: ErrorSerializer,
            409: ErrorSerializer,
            415: ErrorSerializer,
        },
    )
    def post(self, request: Request, item_id: str) -> Response:
        consignment = _item(request, item_id)
        operator = request.user.operator

        def handle() -> Response:
            answered = services.information_answer(
                consignment=consignment,
                channel=Channel.OPERATOR,
                actor=Actor.for_operator(operator.code),
                answer=str(request.data.get("answer", "")),
                uploads=request.FILES.getlist("documents"),
            )
            fresh = selectors.information_requests_for(consignment=consignment).get(pk=answered.pk)
            return Response(_request_payload(fresh), status=201)

        return with_idempotency(request, handle)
