from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demonstration data `make run` seeds: accounts, a postal operator and its key, a trader."""

    name = "demo"
    verbose_name = "Demonstration data"
