from django.apps import AppConfig


class LawConfig(AppConfig):
    name = "law"

    def ready(self) -> None:
        # /healthz (core) reports whether the exchange rates are fresh; core cannot import the law.
        from core.health import health_check_register
        from law.health import exchange_rates_check

        health_check_register("exchange_rates", exchange_rates_check)
