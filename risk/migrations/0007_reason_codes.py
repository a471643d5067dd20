"""Reasons stored as codes with parameters; rule kinds from the registry (risk/kinds/).

Risk assessments stored their reasons as English sentences. Each is read here,
once, against the wordings the engine wrote (the patterns below, kept only
for this migration) and stored as a finding: a code, its parameters and, for
a rule's finding, the rule (code@vN) with its weight and lane. A sentence that
matches no wording (text typed elsewhere, a wording older than these) becomes
the "text" code holding the sentence, shown as it was written. Audit entries
are never rewritten: their payloads keep what they recorded.
"""

import json
import re

from django.db import migrations, models

# The wordings of the engine before reasons had codes (risk/explanations.py), in the order they were tried.
PATTERNS = (
    ("goods.listed_word", "Possible %(kind)s: description mentions “%(word)s”."),
    ("goods.listed_hs", "Possible %(kind)s: HS code %(hs_code)s is restricted."),
    ("goods.vague_description", "Vague description “%(text)s” does not say what the goods are."),
    (
        "value.undervaluation",
        "Possible undervaluation: %(goods)s declared at %(unit)s %(currency)s a unit, %(below)s%% below the "
        "reference of %(reference)s for HS %(hs_code)s.",
    ),
    (
        "shipment.split",
        "Possible split shipment: the addressee has %(count)s items totalling %(total)s %(currency)s in the last "
        "%(days)s day(s), above %(threshold)s, each below it.",
    ),
    ("model.score", "Model score %(score)s: %(factors)s"),
    ("network.drop_address", "Drop address: %(address)s received parcels for %(count)s names."),
    ("network.shared_phone", "One phone for many names: %(phone)s was given for %(count)s names."),
    ("selection.random", "Selected at random for inspection (unbiased control sample)."),
    (
        "goods.prohibited_elsewhere",
        "%(rule)s (description mentions “%(word)s”, declared under HS %(hs_code)s, not %(chapters)s)",
    ),
    ("goods.word", "%(rule)s (description mentions “%(word)s”)"),
    (
        "watchlist.name_close",
        "%(rule)s (%(party)s name “%(seen)s” matches “%(entry)s” on the watchlist, %(similarity)s%%)",
    ),
    ("goods.prohibited_hs", "%(rule)s (HS %(hs_code)s)"),
    ("watchlist.field", "%(rule)s (%(party)s %(field)s on the watchlist)"),
    (
        "watchlist.name_consonants",
        "%(rule)s (%(party)s name “%(seen)s” matches “%(entry)s” on the watchlist, same consonants)",
    ),
    ("scoring.failed", "Automatic scoring failed (%(error)s); an officer must check this item."),
)
WATCHLIST_FIELDS = {"name": "watchlist.name", "e-mail": "watchlist.email", "phone": "watchlist.phone"}
FEATURE_NAMES = {
    "declared unit value against the HS reference": "unit_value_vs_hs_reference",
    "declared value": "log_value",
    "declared weight": "log_mass",
    "declared unit value against similar goods": "value_z:",
}
FEATURE_PREFIXES = {"risk history of ": "rate", "how often we have seen ": "count"}
FEATURE_COLUMNS = {"the HS chapter": "hs2", "the HS heading": "hs4", "the HS subheading": "hs6"}
FACTOR = re.compile(r"^(?P<words>.+) \(\+(?P<lift>[0-9.]+)\)$")
BATCH = 1000


def _regex(pattern: str) -> re.Pattern:
    regex = ""
    for piece in re.split(r"(%\(\w+\)s|%%)", pattern):
        if piece == "%%":
            regex += "%"
        elif match := re.fullmatch(r"%\((\w+)\)s", piece):
            regex += f"(?P<{match.group(1)}>.+?)"
        else:
            regex += re.escape(piece)
    return re.compile(f"^{regex}$", re.DOTALL)


COMPILED = [(code, _regex(pattern)) for code, pattern in PATTERNS]


def _feature(words: str) -> str:
    """The model feature an officer read as these words (the words the engine wrote for it)."""
    if words in FEATURE_NAMES:
        return FEATURE_NAMES[words]
    kind = "code"
    for prefix, name in FEATURE_PREFIXES.items():
        if words.startswith(prefix):
            kind, words = name, words[len(prefix) :]
    column = FEATURE_COLUMNS.get(words, words.replace(" ", "_"))
    return f"{kind}:{column}"


def _factors(text: str) -> list[list[str]] | None:
    if text == "no single factor":
        return []
    factors = []
    for part in text.split(", "):
        match = FACTOR.match(part)
        if not match:
            return None
        factors.append([_feature(match["words"]), match["lift"]])
    return factors


def finding_of(sentence: str, fired: dict[str, dict]) -> dict:
    """A stored sentence as a finding; `fired` maps each rule that fired (code@vN) to its fields."""
    for code, regex in COMPILED:
        match = regex.match(sentence)
        if match:
            finding = _finding(code, dict(match.groupdict()), fired)
            if finding:
                return finding
    for ref, rule in fired.items():  # a condition rule's finding was its description alone
        if rule["description"] == sentence and rule["kind"] == "CONDITION":
            return _of_rule({"code": "rule.condition", "params": {"rule": sentence}}, ref, rule)
    return {"code": "text", "params": {"text": sentence}}


def _finding(code: str, params: dict, fired: dict[str, dict]) -> dict | None:
    if code == "model.score":
        factors = _factors(params["factors"])
        return None if factors is None else {"code": code, "params": {"score": params["score"], "factors": factors}}
    if code == "shipment.split":
        return {"code": code, "params": params, "lane": "YELLOW"}
    if "rule" not in params:
        return {"code": code, "params": params}
    ref, rule = next(((ref, r) for ref, r in fired.items() if r["description"] == params["rule"]), ("", None))
    if code == "goods.word":
        code = "goods.brand_word" if rule and rule["kind"] == "IPR_BRAND" else "goods.prohibited_word"
    elif code == "watchlist.field":
        field = params.pop("field")
        if field not in WATCHLIST_FIELDS:
            return None
        code = WATCHLIST_FIELDS[field]
    return _of_rule({"code": code, "params": params}, ref, rule)


def _of_rule(finding: dict, ref: str, rule: dict | None) -> dict:
    if rule is None:
        return finding
    finding["rule"] = ref
    if rule["score"]:
        finding["weight"] = rule["score"]
    if rule["force_lane"]:
        finding["lane"] = rule["force_lane"]
    return finding


def _rules(Rule) -> dict[str, dict]:
    return {
        f"{code}@v{version}": {"description": d, "kind": kind, "score": float(score), "force_lane": lane}
        for code, version, d, kind, score, lane in Rule.objects.values_list(
            "code", "version", "description", "kind", "score", "force_lane"
        )
    }


def _convert(apps, schema_editor, convert) -> None:
    RiskAssessment = apps.get_model("risk", "RiskAssessment")
    rules = _rules(apps.get_model("risk", "Rule"))
    last = 0
    while True:
        batch = list(
            RiskAssessment.objects.filter(id__gt=last).order_by("id").only("id", "reasons", "rules_fired")[:BATCH]
        )
        if not batch:
            return
        changed = []
        for assessment in batch:
            reasons = assessment.reasons if isinstance(assessment.reasons, list) else []
            fired = {ref: rules[ref] for ref in assessment.rules_fired or [] if ref in rules}
            converted = [convert(reason, fired) for reason in reasons]
            if converted != reasons:
                assessment.reasons = converted
                changed.append(assessment)
        RiskAssessment.objects.bulk_update(changed, ["reasons"])
        last = batch[-1].id


def sentences_to_findings(apps, schema_editor) -> None:
    _convert(
        apps, schema_editor, lambda reason, fired: finding_of(reason, fired) if isinstance(reason, str) else reason
    )


# Back: each finding in the English it was written in.
ENGLISH = {code: pattern for code, pattern in PATTERNS}
ENGLISH.update(
    {
        "goods.prohibited_word": ENGLISH["goods.word"],
        "goods.brand_word": ENGLISH["goods.word"],
        "watchlist.name": "%(rule)s (%(party)s name on the watchlist)",
        "watchlist.email": "%(rule)s (%(party)s e-mail on the watchlist)",
        "watchlist.phone": "%(rule)s (%(party)s phone on the watchlist)",
        "rule.condition": "%(rule)s",
        "text": "%(text)s",
    }
)
WORDS_OF_FEATURE = {name: words for words, name in FEATURE_NAMES.items()}


def _words(feature: str) -> str:
    if feature in WORDS_OF_FEATURE:
        return WORDS_OF_FEATURE[feature]
    kind, _, column = feature.partition(":")
    if kind in {"value_z", "value_n"}:
        return WORDS_OF_FEATURE["value_z:"]
    column = column.lstrip("_").replace("_", " ")
    column = {"hs2": "the HS chapter", "hs4": "the HS heading", "hs6": "the HS subheading"}.get(column, column)
    prefix = {"rate": "risk history of", "count": "how often we have seen"}.get(kind, "")
    return f"{prefix} {column}".strip()


def sentence_of(finding, fired=None) -> str:
    if not isinstance(finding, dict) or finding.get("code") not in ENGLISH:
        return finding if isinstance(finding, str) else json.dumps(finding, ensure_ascii=False)
    params = dict(finding.get("params") or {})
    if finding["code"] == "model.score":
        factors = [f"{_words(feature)} (+{lift})" for feature, lift in params.get("factors") or []]
        params["factors"] = ", ".join(factors) or "no single factor"
    try:
        return ENGLISH[finding["code"]] % params
    except (KeyError, TypeError, ValueError):
        return json.dumps(finding, ensure_ascii=False)


def findings_to_sentences(apps, schema_editor) -> None:
    _convert(apps, schema_editor, sentence_of)


class Migration(migrations.Migration):
    dependencies = [
        ("risk", "0006_goods_catalogue"),
    ]

    operations = [
        migrations.AlterField(
            model_name="riskassessment",
            name="reasons",
            field=models.JSONField(default=list, help_text="Findings: reason codes with their parameters"),
        ),
        migrations.AlterField(
            model_name="rule",
            name="kind",
            field=models.CharField(help_text="A kind of rule declared in risk/kinds/", max_length=12),
        ),
        migrations.RunPython(sentences_to_findings, findings_to_sentences, elidable=True),
    ]
