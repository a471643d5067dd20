from django.apps import AppConfig


class ProjectConfig(AppConfig):
    """The project's wiring: loaded first, it makes the project's Celery app the current one.

    Every Django process (web, commands, tests) must send tasks through that
    app and its broker, not Celery's default app.
    """

    name = "config"
    verbose_name = "OpenClear"

    def ready(self) -> None:
        import config.celery  # noqa: F401 - the Celery app reads Django's settings, so it loads once they are ready
