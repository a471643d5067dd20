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
        p, m, r = result["precision"], result["moved_prices"]["precision"], result["unseen_price"]["precision"]
        one = result["moved_prices_one_member"]["precision"]
        lookup = result["baselines"]["exact_price_lookup"]["precision"]
        lookup_moved = result["baselines"]["exact_price_lookup_moved_prices"]["precision"]
        self.stdout.write(
            f"\nprecision@5% {p['5']:.3f}, @10% {p['10']:.3f}; prices moved by 0.5%: @5% {m['5']:.3f}, "
            f"@10% {m['10']:.3f} (targets 0.90, 0.82; moved by {result['moved_by']['5']:.3f}, "
            f"{result['moved_by']['10']:.3f}); unseen prices @5% {r['5']:.3f}, @10% {r['10']:.3f}; "
            f"AUC {result['auc']}\none model of the five, moved prices: @5% {one['5']:.3f}, @10% {one['10']:.3f}"
            f"\nexact-price lookup @5% {lookup['5']:.3f} (moved prices {lookup_moved['5']:.3f}); "
            f"dataset paper's LightGBM 0.762, 0.641; {result['seconds']} s"
        )
        if output:
            Path(output).write_text(text)
