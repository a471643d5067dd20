from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        # Every Django process (web, commands, tests) must send tasks through
        # the project's Celery app and broker, not Celery's default app.
        import config.celery  # noqa: F401
