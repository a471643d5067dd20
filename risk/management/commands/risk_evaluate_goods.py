import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from risk.goods_evaluation import SETS, evaluate


class Command(BaseCommand):
    help = (
        "Score a frozen evaluation set of goods, names and values with the engine in force "
        "(in a transaction rolled back) and print the shares that decide."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "sets", nargs="*", default=[str(SETS / "goods_set_a")], help="Folders of evaluation sets (README there)"
        )
        parser.add_argument("--output", help="Write the results as JSON to this file")
        parser.add_argument(
            "--baseline",
            action="store_true",
            help="Score with the rules and indicators alone, without the goods model (the naive baseline)",
        )

    def handle(self, *args, sets, output, baseline, **options) -> None:
        results = []
        for folder in map(Path, sets):
            if not (folder / "goods_stop.jsonl").exists():
                raise CommandError(f"{folder} has no goods_stop.jsonl.")
            result = evaluate(folder, read_goods=not baseline)
            results.append(result)
            self.stdout.write(summary(result))
            if options["verbosity"] >= 2:
                for label, outcomes in (("MISSED", result["stop"]["missed"]), ("SENT", result["innocent"]["sent"])):
                    for outcome in outcomes:
                        reasons = " | ".join(outcome["reasons"])
                        self.stdout.write(
                            f"{label} {outcome['id']} {outcome['lane']}: {outcome['description']} => {reasons}"
                        )
        if output:
            Path(output).write_text(json.dumps(results, indent=2, ensure_ascii=False))


def share(tally: dict, group: str = "all") -> str:
    row = tally.get(group)
    return f"{row['hits']}/{row['of']} {100 * row['share']:.0f} %" if row and row["of"] else "–"


def summary(result: dict) -> str:
    stop, innocent = result["stop"]["reached_officer_for_goods"], result["innocent"]["sent_for_goods"]
    lines = [
        f"== {result['set']} ({result['engine']})",
        f"goods to stop that reach an officer for the goods: {share(stop)} "
        f"(RED {share(result['stop']['red_for_goods'])}); under a wrong HS code {share(stop, 'hs_honest:False')}",
        "  by language: " + ", ".join(f"{g[9:]} {share(stop, g)}" for g in stop if g.startswith("language:")),
        "  by family: " + ", ".join(f"{g[7:]} {share(stop, g)}" for g in stop if g.startswith("family:")),
        f"innocent look-alikes sent for the goods: {share(innocent)} (RED {share(result['innocent']['red_for_goods'])};"
        f" for any reason {share(result['innocent']['sent_for_any_reason'])})",
        "  by family: " + ", ".join(f"{g[7:]} {share(innocent, g)}" for g in innocent if g.startswith("family:")),
    ]
    if names := result.get("names"):
        lines.append(
            f"names: variants matched {share(names['variants_matched'])}; with a second identifier RED "
            f"{share(names['second_identifier_red'])}; near-names RED {share(names['near_names_red'])}, "
            f"YELLOW {share(names['near_names_matched_yellow'])}"
        )
    if values := result.get("values"):
        flagged = values["flagged"]
        lines.append(
            f"values: undervalued flagged {share(flagged, 'kind:undervalued')}, "
            f"honest cheap flagged {share(flagged, 'kind:honest_cheap')}"
        )
    return "\n".join(lines)
