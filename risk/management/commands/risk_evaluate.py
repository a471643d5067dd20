import json
from pathlib import Path

from django.core.management.base import BaseCommand

from risk.evaluation import DATA_DIR, evaluate


class Command(BaseCommand):
    help = "Train and evaluate the risk pipeline on the customs declarations dataset (official split)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--output", help="Write the results as JSON to this file")
        parser.add_argument("--data", default=str(DATA_DIR), help="Folder with df_syn_{train,test}_eng.csv")
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--rows", type=int, help="Use only the first N rows of each file (quick check)")

    def handle(self, *args, output, data, seed, rows, **options) -> None:
        result = evaluate(data_dir=Path(data), seed=seed, rows=rows)
        text = json.dumps(result, indent=2)
        self.stdout.write(text)
        p, r = result["precision"], result["unseen_price"]["precision"]
        self.stdout.write(
            f"\nprecision@5% {p['5']:.3f}, @10% {p['10']:.3f} (dataset paper's LightGBM: 0.762, 0.641); "
            f"unseen prices @5% {r['5']:.3f}, @10% {r['10']:.3f}; AUC {result['auc']}; {result['seconds']} s"
        )
        if output:
            Path(output).write_text(text)
