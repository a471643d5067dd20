import json

from django.core.management.base import BaseCommand, CommandError

from core.exceptions import ApplicationError
from simulation.services import model_train


class Command(BaseCommand):
    help = (
        "Train a risk model on the inspection outcomes in the database and back-test it (stored inactive; "
        "a supervisor promotes)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--min-labels", type=int, default=50)
        parser.add_argument("--seed", type=int, default=0)

    def handle(self, *args, min_labels: int, seed: int, **options) -> None:
        try:
            version = model_train(min_labels=min_labels, seed=seed)
        except ApplicationError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"Model version {version.pk} trained on {version.trained_on} items (inactive).")
        self.stdout.write(json.dumps(version.metrics, indent=2))
