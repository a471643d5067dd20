from django.apps import AppConfig


class PostalConfig(AppConfig):
    name = "postal"
    verbose_name = "Postal operators"

    def ready(self) -> None:
        from postal import schema  # noqa: F401 - registers the OpenAPI auth extension
