"""The postal app's answers to what the lower apps announce."""

from __future__ import annotations


def webhook_deliveries_dispatch_for(*, operator_ids: list[int], **kwargs) -> None:
    """New customs responses were committed: push them to each operator's webhook (a task per operator)."""
    from postal.tasks import webhook_deliveries_dispatch

    for operator_id in operator_ids:
        webhook_deliveries_dispatch.delay(operator_id)
