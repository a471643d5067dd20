"""Writes of the postal app: API keys and webhook endpoints."""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from clearance.models import Consignment, PostalOperator
from clearance.selectors import consignment_ids_by_item
from core.exceptions import ApplicationError, NotFound
from payments.cases import case_open
from payments.choices import CaseChannel
from payments.collection import collections_report
from payments.models import Case
from postal import csv_intake
from postal.choices import ItemStatus
from postal.delivery import webhook_deliveries_cancel
from postal.events import consignment_events_record
from postal.intake import REJECTED, consignments_receive
from postal.models import ApiKey, IntakeTally, WebhookEndpoint, generate_api_key, hash_api_key
from postal.quality import intake_tallies_record
from postal.validation import (
    FORBIDDEN_CHARACTERS,
    printable,
    validate_case,
    validate_collection,
    validate_event,
    validate_item,
    validate_withdrawal,
)
from postal.webhooks import url_refusal
from postal.withdrawals import consignments_withdraw


@transaction.atomic
def api_key_issue(*, operator: PostalOperator, name: str = "default") -> tuple[ApiKey, str]:
    """Create a key for an operator; returns the record and the raw key, shown once."""
    raw_key = generate_api_key()
    api_key = ApiKey(operator=operator, name=name, prefix=raw_key[:12], key_hash=hash_api_key(raw_key))
    api_key.full_clean()
    api_key.save()
    return api_key, raw_key


@transaction.atomic
def api_key_revoke(*, api_key: ApiKey) -> ApiKey:
    """Revoke a key; requests with it answer 401 from now on."""
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at", "updated_at"])
    return api_key


@transaction.atomic
def operator_create(*, code: str, name: str, country: str = "") -> PostalOperator:
    """Register a postal operator or express carrier."""
    operator = PostalOperator(code=code, name=name, country=country.upper())
    operator.full_clean()
    operator.save()
    return operator


@transaction.atomic
def webhook_endpoint_set(*, operator: PostalOperator, url: str) -> WebhookEndpoint:
    """Register (or change) the operator's webhook URL; a new secret each time.

    A URL whose host resolves inside a private, loopback, link-local or
    multicast range is refused: webhooks go to the operator, never into the
    platform's own network.
    """
    if refusal := url_refusal(url):
        detail = {"field": "url", "code": "invalid_webhook_url", "message": refusal}
        raise ApplicationError(refusal, code="invalid_webhook_url", details=[detail])
    endpoint, _ = WebhookEndpoint.objects.select_for_update().get_or_create(
        operator=operator, defaults={"url": url, "secret": secrets.token_hex(32)}
    )
    endpoint.url = url
    endpoint.secret = secrets.token_hex(32)
    endpoint.is_active = True
    endpoint.full_clean()
    endpoint.save()
    return endpoint


# --- Pre-advice and events ---------------------------------------------------------


class BatchTooLarge(ApplicationError):
    code = "batch_too_large"
    http_status = 413


def _batch(body: Any, key: str, limit: int) -> list[Any]:
    if not isinstance(body, dict):
        raise ApplicationError("The body must be a JSON object.", code="invalid")
    entries = body.get(key)
    if not isinstance(entries, list) or not entries:
        detail = {"field": key, "code": "required", "message": f"A non-empty list of {key} is required."}
        raise ApplicationError(f"No {key} in the request.", code="invalid", details=[detail])
    if len(entries) > limit:
        raise BatchTooLarge(f"At most {limit} {key} per request; this one has {len(entries)}.")
    return entries


def _echo_item_id(entry: Any) -> str:
    """The itemId of a rejected entry, as far as it can be echoed back safely."""
    item_id = entry.get("itemId") if isinstance(entry, dict) else None
    return printable(item_id, limit=13) if isinstance(item_id, str) else ""


def _message_id(body: dict[str, Any]) -> str:
    message_id = body.get("messageId", "")
    if not isinstance(message_id, str) or len(message_id) > 64 or FORBIDDEN_CHARACTERS.search(message_id):
        detail = {"field": "messageId", "code": "invalid", "message": "A string of at most 64 printable characters."}
        raise ApplicationError("messageId is not valid.", code="invalid", details=[detail])
    return message_id


def preadvice_receive(*, operator: PostalOperator, body: Any) -> dict[str, Any]:
    """Validate each item on its own, store the valid ones, report on every one.

    A rejected item never stops the others: a batch with one bad item still
    stores the 999 good ones.
    """
    entries = _batch(body, "items", settings.OPENCLEAR_API_MAX_ITEMS)
    return _receive_items(operator, _message_id(body), entries)


def preadvice_receive_csv(*, operator: PostalOperator, raw: bytes, message_id: str) -> dict[str, Any]:
    """The same intake for a CSV file; errors name the file's line and column."""
    message_id = _message_id({"messageId": message_id})
    entries, item_lines, refused = csv_intake.rows_to_items(csv_intake.read_rows(raw))
    if not entries:
        raise csv_intake.CsvRejected("The file has no rows.")
    if len(entries) > settings.OPENCLEAR_API_MAX_ITEMS:
        raise BatchTooLarge(f"At most {settings.OPENCLEAR_API_MAX_ITEMS} items per file; this one has {len(entries)}.")
    report = _receive_items(operator, message_id, entries, refused=refused)
    for result in report["results"]:
        for error in result["errors"]:
            error["field"] = csv_intake.locate(error["field"], item_lines)
    return report


def _receive_items(
    operator: PostalOperator,
    message_id: str,
    entries: list[Any],
    refused: dict[int, list[dict[str, str]]] | None = None,
) -> dict[str, Any]:
    """Validate and store; `refused` items (by index) are rejected with the errors given, before validation."""
    results: list[dict[str, Any]] = [{}] * len(entries)
    valid: list[tuple[int, dict[str, Any]]] = []
    for index, entry in enumerate(entries):
        item, errors = (None, refused[index]) if refused and index in refused else validate_item(entry, index)
        if item is None:
            results[index] = {"itemId": _echo_item_id(entry), "status": REJECTED, "errors": errors}
        else:
            valid.append((index, item))
    outcomes = consignments_receive(operator=operator, message_id=message_id, items=[item for _, item in valid])
    for (index, _), outcome in zip(valid, outcomes, strict=True):
        errors = [{**error, "field": f"items[{index}].{error['field']}"} for error in outcome.errors]
        results[index] = {"itemId": outcome.item_id, "status": outcome.status, "errors": errors}
    intake_tallies_record(operator=operator, source=IntakeTally.Source.ITEMS, results=results)
    rejected = sum(1 for result in results if result["status"] == REJECTED)
    return {"messageId": message_id, "accepted": len(results) - rejected, "rejected": rejected, "results": results}


def events_receive(*, operator: PostalOperator, body: Any) -> dict[str, Any]:
    """Validate and record tracking events; each event is judged on its own."""
    entries = _batch(body, "events", settings.OPENCLEAR_API_MAX_EVENTS)
    now = timezone.now()
    results: list[dict[str, Any]] = [{}] * len(entries)
    valid: list[tuple[int, dict[str, Any]]] = []
    for index, entry in enumerate(entries):
        event, errors = validate_event(entry, index, now)
        if event is None:
            results[index] = {"itemId": _echo_item_id(entry), "status": REJECTED, "errors": errors}
        else:
            valid.append((index, event))
    outcomes = consignment_events_record(operator=operator, events=[event for _, event in valid])
    for (index, _), outcome in zip(valid, outcomes, strict=True):
        errors = [{**error, "field": f"events[{index}].{error['field']}"} for error in outcome.errors]
        results[index] = {"itemId": outcome.item_id, "status": outcome.status, "errors": errors}
    intake_tallies_record(operator=operator, source=IntakeTally.Source.EVENTS, results=results)
    rejected = sum(1 for result in results if result["status"] == REJECTED)
    return {"accepted": len(results) - rejected, "rejected": rejected, "results": results}


def withdrawals_receive(*, operator: PostalOperator, body: Any) -> dict[str, Any]:
    """Validate and apply a batch of withdrawals of pre-advice; each is judged on its own."""
    entries = _batch(body, "withdrawals", settings.OPENCLEAR_API_MAX_ITEMS)
    results: list[dict[str, Any]] = [{}] * len(entries)
    valid: list[tuple[int, dict[str, Any]]] = []
    for index, entry in enumerate(entries):
        withdrawal, errors = validate_withdrawal(entry, index)
        if withdrawal is None:
            results[index] = {"itemId": _echo_item_id(entry), "status": REJECTED, "errors": errors}
        else:
            valid.append((index, withdrawal))
    outcomes = consignments_withdraw(operator=operator, withdrawals=[withdrawal for _, withdrawal in valid])
    for (index, _), outcome in zip(valid, outcomes, strict=True):
        errors = [{**error, "field": f"withdrawals[{index}].{error['field']}"} for error in outcome.errors]
        results[index] = {"itemId": outcome.item_id, "status": outcome.status, "errors": errors}
    intake_tallies_record(operator=operator, source=IntakeTally.Source.WITHDRAWALS, results=results)
    rejected = sum(1 for result in results if result["status"] == REJECTED)
    return {"accepted": len(results) - rejected, "rejected": rejected, "results": results}


class WithdrawalRefused(ApplicationError):
    code = "withdrawal_refused"
    http_status = 409


def item_withdraw(*, operator: PostalOperator, item_id: str, reason: Any) -> dict[str, Any]:
    """Withdraw one pre-advice; withdrawing it again answers the same. Unknown: NotFound; refused: WithdrawalRefused."""
    withdrawal, errors = validate_withdrawal({"itemId": item_id, "reason": reason}, None)
    if withdrawal is None:
        raise ApplicationError("The withdrawal is not valid.", code="invalid", details=errors)
    (outcome,) = consignments_withdraw(operator=operator, withdrawals=[withdrawal])
    if outcome.status == REJECTED and outcome.errors[0]["code"] == "unknown_item":
        raise NotFound(f"No item {item_id} of yours.")
    if outcome.status == REJECTED:
        raise WithdrawalRefused(outcome.errors[0]["message"], details=outcome.errors)
    return {
        "itemId": item_id,
        "status": ItemStatus.WITHDRAWN,
        "reason": withdrawal["reason"],
        "withdrawnAt": outcome.withdrawn_at,
    }


def collections_receive(*, operator: PostalOperator, body: Any) -> dict[str, Any]:
    """Validate and apply reports of charges collected at the door; each is judged on its own."""
    entries = _batch(body, "collections", settings.OPENCLEAR_API_MAX_EVENTS)
    now = timezone.now()
    results: list[dict[str, Any]] = [{}] * len(entries)
    valid: list[tuple[int, dict[str, Any]]] = []
    for index, entry in enumerate(entries):
        report, errors = validate_collection(entry, index, now)
        if report is None:
            results[index] = {"itemId": _echo_item_id(entry), "status": REJECTED, "errors": errors}
        else:
            valid.append((index, report))
    outcomes = collections_report(operator=operator, collections=[report for _, report in valid])
    for (index, _), outcome in zip(valid, outcomes, strict=True):
        errors = [{**error, "field": f"collections[{index}].{error['field']}"} for error in outcome.errors]
        results[index] = {"itemId": outcome.item_id, "status": outcome.status, "errors": errors}
    rejected = sum(1 for result in results if result["status"] == REJECTED)
    return {"accepted": len(results) - rejected, "rejected": rejected, "results": results}


def case_open_for_payer(*, operator: PostalOperator, body: Any) -> Case:
    """An operator opens a case for a payer about one of its items (a consumer asked at the counter, say)."""
    data, errors = validate_case(body)
    if data is None:
        raise ApplicationError("The case is not valid.", code="invalid", details=errors)
    consignment_id = consignment_ids_by_item(operator_id=operator.pk, item_ids=[data["itemId"]]).get(data["itemId"])
    if consignment_id is None:
        raise NotFound("No pre-advice of yours has this itemId.")
    return case_open(
        consignment=Consignment.objects.get(pk=consignment_id),
        grounds=data["grounds"],
        reason=data["reason"],
        contact_email=data["contactEmail"],
        language=data["language"],
        channel=CaseChannel.OPERATOR,
    )


def webhook_endpoint_get(*, operator: PostalOperator) -> WebhookEndpoint | None:
    return WebhookEndpoint.objects.filter(operator=operator, is_active=True).first()


@transaction.atomic
def webhook_endpoint_disable(*, operator: PostalOperator) -> None:
    """Stop pushing: pending deliveries are cancelled (kept for the record); the feed is unaffected."""
    for endpoint in WebhookEndpoint.objects.select_for_update().filter(operator=operator):
        endpoint.is_active = False
        endpoint.save(update_fields=["is_active", "updated_at"])
        webhook_deliveries_cancel(endpoint=endpoint)
