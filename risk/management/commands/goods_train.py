from django.core.management.base import BaseCommand

from risk.goods.model import MODEL_PATH
from risk.goods.training import SEED, train


class Command(BaseCommand):
    help = (
        "Train the goods model from the nomenclature, the synthetic HS set, the vocabulary and the corpus, "
        "and write its weights to risk/data/goods/model.npz (shipped with the code)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--seed", type=int, default=SEED, help="The seed of the examples and of the fit")

    def handle(self, *args, seed: int, **options) -> None:
        model, counts = train(seed)
        model.save(MODEL_PATH)
        for label, count in sorted(counts.items(), key=lambda pair: -pair[1]):
            self.stdout.write(f"{label:<24} {count:>8} examples")
        self.stdout.write(self.style.SUCCESS(f"Written to {MODEL_PATH} ({model.coef.nnz} weights)."))
