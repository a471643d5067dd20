"""risk_evaluate_goods scores a frozen set with the engine in force and leaves nothing behind."""

import json

import pytest
from django.core.management import call_command

from clearance.models import Consignment
from risk.goods_evaluation import evaluate

pytestmark = pytest.mark.django_db


def line(description, hs_code, value="20.00"):
    return {"description": description, "hsCode": hs_code, "quantity": 1, "value": value, "netWeightKg": "0.300"}


def write_set(folder):
    stop = [
        {"id": "S1", "family": "narcotics_nps", "language": "de", "lines": [line("Kokain 5g", "090230")],
         "currency": "EUR", "originCountry": "CO", "hs_honest": False},
        {"id": "S2", "family": "weapons_parts", "language": "en", "lines": [line("Brass knuckle duster", "732690")],
         "currency": "USD", "originCountry": "CN", "hs_honest": True},
        {"id": "S3", "family": "nicotine", "language": "en", "lines": [line("Wool socks", "611595")],
         "currency": "EUR", "originCountry": "TR", "hs_honest": True},
    ]  # fmt: skip
    innocent = [
        {"id": "I1", "family": "weapons_parts", "language": "en", "kind": "tool_weapon_name",
         "lines": [line("Hot glue gun 20W", "851580")], "currency": "EUR", "originCountry": "CN", "hs_honest": True},
    ]  # fmt: skip
    values = [
        {"id": "V1", "language": "en", "description": "Apple iPhone 16 Pro 256GB", "hsCode": "851713",
         "quantity": 1, "netWeightKg": "0.2", "value": "60.00", "currency": "EUR", "kind": "undervalued"},
        {"id": "V2", "language": "en", "description": "Phone case for iPhone 16", "hsCode": "392690",
         "quantity": 1, "netWeightKg": "0.05", "value": "6.00", "currency": "EUR", "kind": "honest_cheap"},
    ]  # fmt: skip
    for name, rows in (("goods_stop", stop), ("goods_innocent", innocent), ("values", values)):
        (folder / f"{name}.jsonl").write_text("\n".join(json.dumps(row) for row in rows), encoding="utf-8")
    (folder / "watchlist.csv").write_text(
        "id,name,kind,country,address,postcode,city,phone,email,company_number\n"
        "WL-1,Hüseyin Avni Çelik,person,TR,Atatürk Cd. 12,35000,İzmir,+90 535 222 33 44,,\n",
        encoding="utf-8",
    )
    probes = [
        {"id": "N1", "watchlist_id": "WL-1", "variant": "dropped_part", "name": "Huseyin Celik", "address": "",
         "postcode": "", "city": "İzmir", "country": "TR", "phone": "0535 222 33 44", "email": "",
         "expected": "match_red"},
        {"id": "N2", "watchlist_id": None, "variant": "near_name_other_person", "name": "Mehmet Çelik",
         "address": "", "postcode": "", "city": "İzmir", "country": "TR", "phone": "", "email": "",
         "expected": "no_red"},
    ]  # fmt: skip
    (folder / "names.jsonl").write_text("\n".join(json.dumps(p, ensure_ascii=False) for p in probes), encoding="utf-8")


def test_a_set_is_scored_by_family_language_and_honesty_and_rolled_back(tmp_path):
    write_set(tmp_path)
    before = Consignment.objects.count()

    report = evaluate(tmp_path)

    stop = report["stop"]["reached_officer_for_goods"]
    assert (stop["all"]["hits"], stop["all"]["of"]) == (2, 3)  # wool socks are no nicotine, whatever the label says
    assert stop["hs_honest:False"]["hits"] == 1 and stop["language:de"]["hits"] == 1
    assert [miss["id"] for miss in report["stop"]["missed"]] == ["S3"]
    assert report["innocent"]["sent_for_goods"]["all"]["hits"] == 0
    assert report["names"]["variants_matched"]["all"]["hits"] == 1
    assert report["names"]["second_identifier_red"]["all"]["hits"] == 1
    assert report["names"]["near_names_red"]["all"]["hits"] == 0
    values = report["values"]["flagged"]
    assert (values["kind:undervalued"]["hits"], values["kind:honest_cheap"]["hits"]) == (1, 0)
    assert Consignment.objects.count() == before


def test_the_baseline_scores_with_the_rules_alone_and_the_command_prints_both(tmp_path, capsys):
    write_set(tmp_path)
    baseline = evaluate(tmp_path, read_goods=False)
    assert baseline["engine"] == "rules and indicators alone"
    assert baseline["values"]["flagged"]["kind:undervalued"]["hits"] == 0  # no goods read, no least price known
    call_command("risk_evaluate_goods", str(tmp_path), "--output", str(tmp_path / "out.json"))
    printed = capsys.readouterr().out
    assert "goods to stop that reach an officer for the goods: 2/3 67 %" in printed
    assert json.loads((tmp_path / "out.json").read_text())[0]["stop"]["reached_officer_for_goods"]["all"]["hits"] == 2
