from django.apps import AppConfig


class RiskConfig(AppConfig):
    name = "risk"

    def ready(self) -> None:
        # The rule kinds register themselves and their reason codes: every page and worker reads them.
        import risk.kinds  # noqa: F401
