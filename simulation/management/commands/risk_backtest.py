import json

from django.core.management.base import BaseCommand

from simulation.backtest import backtest_run


class Command(BaseCommand):
    help = (
        "Run the production risk engine (rules, indicators, lanes, the promoted model) over simulated traffic "
        "with planted patterns, and print per pattern the share caught and the clean items' RED and YELLOW "
        "shares. Everything it receives is rolled back."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--clean", type=int, default=2000, help="Clean items in the stream")
        parser.add_argument("--per-kind", type=int, default=100, help="Planted items of each pattern kind")
        parser.add_argument("--history", type=int, default=1000, help="Clean items received first, as history")
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--json", action="store_true", help="Print the report as JSON")

    def handle(self, *args, clean: int, per_kind: int, history: int, seed: int, **options) -> None:
        reports = backtest_run(clean=clean, per_kind=per_kind, history=history, seed=seed)
        if options["json"]:
            self.stdout.write(_json(reports))
            return
        for name, report in reports.items():
            self.stdout.write(f"\n{name}: {report['items']} items")
            self.stdout.write(f"{'pattern':<16}{'planted':>9}{'caught':>9}{'share':>9}")
            for row in report["patterns"]:
                self.stdout.write(f"{row['pattern']:<16}{row['planted']:>9}{row['caught']:>9}{row['share']:>9.1%}")
            clean_items = report["clean"]
            self.stdout.write(
                f"clean items: {clean_items['items']}, RED {clean_items['red']:.1%}, "
                f"YELLOW {clean_items['yellow']:.1%} (random selection included)"
            )
            for why, count in clean_items["reasons"].items():
                self.stdout.write(f"  clean items sent to an officer by “{why}”: {count}")
            for kind, examples in report["missed_examples"].items():
                self.stdout.write(f"  missed {kind}: " + "; ".join(examples))
            for note in report["notes"]:
                self.stdout.write(f"  note: {note}")


def _json(reports) -> str:
    return json.dumps(reports, indent=2, ensure_ascii=False)
