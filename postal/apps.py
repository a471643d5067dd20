from django.apps import AppConfig


class PostalConfig(AppConfig):
    name = "postal"
    verbose_name = "Postal operators"

    def ready(self) -> None:
        # Imported here, when every app is loaded: the signal connects the postal webhooks to decisions.
        from clearance.signals import decisions_committed
        from postal import schema  # noqa: F401 - registers the OpenAPI auth extension
        from postal.receivers import webhook_deliveries_dispatch_for

        decisions_committed.connect(webhook_deliveries_dispatch_for, dispatch_uid="postal-webhooks")
