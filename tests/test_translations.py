"""Every string a user reads is marked for translation and has its French entry.

Templates are read with Django's own lexer: text outside {% translate %} and
{% blocktranslate %} that contains words fails, as does a literal English
placeholder, label or title attribute. Every message id the code and the
templates use (found with Python's ast and Django's templatize) must be in
locale/fr with a translation that is neither empty nor fuzzy.
"""

from __future__ import annotations

import ast
import re
import subprocess
from pathlib import Path

import pytest
from django.template.base import Lexer, TokenType
from django.utils.translation.template import templatize

ROOT = Path(__file__).resolve().parent.parent
PO_FILE = ROOT / "locale" / "fr" / "LC_MESSAGES" / "django.po"
GETTEXT_FUNCTIONS = {"_", "gettext", "gettext_lazy", "gettext_noop", "ngettext", "ngettext_lazy"}
# Words that are the same in every language: names, codes, units, standards.
NOT_WORDS = {
    "OpenClear", "CSV", "XLSX", "PDF", "JSON", "API", "S10", "UTC", "HS", "IOSS", "EMD", "EDB", "EMF", "EMI",
    "EDX", "English", "Français", "kg", "DDP", "DAP", "TRS", "WCO", "UPU", "ID", "n", "p90",
}  # fmt: skip
TEXT_ATTRIBUTES = re.compile(r'\b(placeholder|aria-label|title|alt)="([^"\x00]*[A-Za-z][^"\x00]*)"')


def _project_files(pattern: str) -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", pattern],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return [ROOT / name for name in listed if (ROOT / name).exists()]


def _templates() -> list[Path]:
    return [p for p in _project_files("*/templates/*") if p.suffix in {".html", ".txt"}]


def _unmarked_text(source: str) -> list[str]:
    """Words a user reads that are not inside a translation tag."""
    skeleton, depth = [], 0
    for token in Lexer(source).tokenize():
        name = token.contents.split()[0] if token.token_type == TokenType.BLOCK and token.contents else ""
        if name in ("blocktranslate", "blocktrans"):
            depth += 1
            skeleton.append("\x00")
        elif name in ("endblocktranslate", "endblocktrans"):
            depth -= 1
        elif token.token_type == TokenType.TEXT and depth == 0:
            skeleton.append(token.contents)
        elif token.token_type in (TokenType.VAR, TokenType.BLOCK) and depth == 0:
            skeleton.append("\x00")  # a value or a translated string: nothing to check
    page = "".join(skeleton)
    found = [f'{attribute}="{value}"' for attribute, value in TEXT_ATTRIBUTES.findall(page)]
    visible = re.sub(r"<script.*?</script>|<style.*?</style>", " ", page, flags=re.S)
    visible = re.sub(r"<[^>]*>", " ", visible)
    visible = re.sub(r"&[a-z]+;|&#\d+;", " ", visible)
    for chunk in visible.split("\x00"):
        words = [w for w in re.findall(r"[A-Za-zÀ-ÿ][A-Za-zÀ-ÿ'’-]+", chunk) if w not in NOT_WORDS]
        if words:
            found.append(" ".join(chunk.split())[:80])
    return found


@pytest.mark.parametrize("path", _templates(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_template_text_is_marked_for_translation(path):
    assert _unmarked_text(path.read_text(encoding="utf-8")) == []


def _po_entries() -> dict[str, tuple[list[str], bool]]:
    """{msgid: (translations, fuzzy)} of the French catalogue."""
    entries: dict[str, tuple[list[str], bool]] = {}
    for block in PO_FILE.read_text(encoding="utf-8").split("\n\n"):
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in block.splitlines())
        fields: dict[str, str] = {}
        current = None
        for line in block.splitlines():
            if line.startswith("#"):
                continue
            if match := re.match(r'^(msgid|msgid_plural|msgstr(?:\[\d\])?) "(.*)"$', line):
                current = match.group(1)
                fields[current] = match.group(2)
            elif current and line.startswith('"'):
                fields[current] += line[1:-1]
        if "msgid" in fields and fields["msgid"]:
            msgid = _unescape(fields["msgid"])
            entries[msgid] = ([_unescape(v) for k, v in fields.items() if k.startswith("msgstr")], fuzzy)
    return entries


PO_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}


def _unescape(value: str) -> str:
    return re.sub(r"\\(.)", lambda m: PO_ESCAPES.get(m.group(1), m.group(0)), value)


def _python_msgids() -> set[str]:
    msgids = set()
    for path in _project_files("*.py"):
        if "/tests/" in f"/{path.relative_to(ROOT)}" or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            first = node.args[0]
            if name in GETTEXT_FUNCTIONS and isinstance(first, ast.Constant) and isinstance(first.value, str):
                msgids.add(first.value)
    return msgids


LITERAL = r"u?('(?:[^'\\]|\\.)*')"
# gettext('msgid'), ngettext('msgid', …), and pgettext('context', 'msgid'): the message id, not the context.
TEMPLATIZED_CALL = re.compile(rf"\b(?:n?gettext\(\s*{LITERAL}|n?pgettext\(\s*u?'(?:[^'\\]|\\.)*'\s*,\s*{LITERAL})")


def _template_msgids() -> set[str]:
    """Message ids of the templates, read from Django's templatize (the text it gives xgettext)."""
    msgids = set()
    for path in _templates():
        code = templatize(path.read_text(encoding="utf-8"), origin=str(path))
        for plain, in_context in TEMPLATIZED_CALL.findall(code):
            msgids.add(ast.literal_eval(plain or in_context))
    return msgids


def test_every_message_has_a_french_translation():
    catalogue = _po_entries()
    used = _python_msgids() | _template_msgids()
    missing = sorted(m for m in used if m not in catalogue)
    untranslated = sorted(m for m in used if m in catalogue and (catalogue[m][1] or not all(catalogue[m][0])))
    assert missing == [], f"not in locale/fr (run makemessages): {missing[:20]}"
    assert untranslated == [], f"no French (or fuzzy): {untranslated[:20]}"


def test_a_project_message_never_overrides_one_of_djangos_own():
    """Django's apps (the admin) read their words from Django's catalogue, unless the project's has the same
    message id without a context: then the project's wins everywhere ("Change" once read "Écart" in the admin).
    A word the project means otherwise than Django is given a context."""
    from django.conf import locale as django_locale

    django_po = Path(django_locale.__file__).parent / "fr" / "LC_MESSAGES" / "django.po"
    admin_po = Path(django_locale.__file__).parent.parent.parent / "contrib" / "admin" / "locale" / "fr"
    theirs: dict[str, str] = {}
    for path in [django_po, *sorted(admin_po.glob("LC_MESSAGES/*.po"))]:
        theirs |= {k: v[0][0] for k, v in _po_entries_of(path, with_context=False).items() if v[0] and v[0][0]}
    ours = _po_entries_of(PO_FILE, with_context=False)
    overridden = sorted(m for m, (fr, _) in ours.items() if m in theirs and fr and fr[0] != theirs[m])
    assert overridden == [], f"give these a context (translate … context …): {overridden}"


def _po_entries_of(path: Path, *, with_context: bool) -> dict[str, tuple[list[str], bool]]:
    """_po_entries of any catalogue; entries with a context (msgctxt) left out unless asked for."""
    entries: dict[str, tuple[list[str], bool]] = {}
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        if not with_context and any(line.startswith("msgctxt") for line in block.splitlines()):
            continue
        fields: dict[str, str] = {}
        current = None
        for line in block.splitlines():
            if line.startswith("#"):
                continue
            if match := re.match(r'^(msgid|msgid_plural|msgstr(?:\[\d\])?) "(.*)"$', line):
                current = match.group(1)
                fields[current] = match.group(2)
            elif current and line.startswith('"'):
                fields[current] += line[1:-1]
        if fields.get("msgid"):
            values = [_unescape(v) for k, v in fields.items() if k.startswith("msgstr")]
            entries[_unescape(fields["msgid"])] = (values, False)
    return entries


@pytest.mark.django_db
def test_the_admins_own_links_read_as_django_translates_them(client):
    from tests.factories import UserFactory

    admin = UserFactory(role="ADMIN", is_staff=True, is_superuser=True)
    client.force_login(admin)
    for url in ("/admin/", "/admin/risk/rule/"):
        page = client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
        assert "Modifier" in page and "Écart" not in page, url


@pytest.mark.django_db
def test_the_remittance_statement_files_read_in_french(operator):
    from django.utils import timezone, translation
    from openpyxl import load_workbook

    from payments import collection, statements

    statement = collection.statement_build(operator=operator, month=timezone.now().date())
    with translation.override("fr"):
        sheet = load_workbook(__import__("io").BytesIO(statements.statement_xlsx(statement))).active
        pdf = statements.statement_pdf(statement)
    rows = list(sheet.values)
    assert rows[0][0] == f"Relevé de reversement {operator.code} {statement.month:%Y-%m}"
    assert rows[1][0] == "Non validé : les montants peuvent encore changer."
    assert list(rows[2]) == ["Envoi", "Perçu le", "Référence", "Montant", "Devise"]
    assert b"de reversement" in pdf and b"Montant" in pdf and b"Devise" in pdf  # the PDF's words, uncompressed
    assert b"Remittance statement" not in pdf and b"Not signed off" not in pdf and b"Currency" not in pdf


@pytest.mark.django_db
def test_the_audit_trail_reads_in_french_what_the_code_wrote_in_english(client, operator):
    """Reasons written by real flows (routing, a correction, a prepaid item charged to its addressee, a
    release, a collection at the door) read in French, amounts included; what a person typed stays."""
    from decimal import Decimal

    from django.utils import translation

    from clearance.choices import Lane
    from core.models import AuditEntry
    from officer.audit_text import audit_reason
    from officer.services import officer_correct_line, officer_release
    from payments.models import CollectionAgreement
    from tests.factories import UserFactory
    from tests.officer.test_dashboard_browser import held
    from tests.payments.helpers import approved_by_a_second_officer, make_due

    officer = UserFactory(role="OFFICER")
    typed = "Typed by the officer"
    due = make_due(operator=operator)
    officer_correct_line(consignment=due, officer=officer, position=1, hs_code="", value=Decimal("340"), reason=typed)
    approved_by_a_second_officer(
        officer_correct_line, consignment=due, officer=officer, position=1, hs_code="", value=Decimal("1"), reason=typed
    )
    checked = held("0.5000", lane=Lane.YELLOW)
    officer_release(consignment=checked, officer=officer)
    prepaid = held("0.5000", terms_of_delivery="DDP", prepaid_collector="nobody", total_value=Decimal("400"))
    officer_release(consignment=prepaid, officer=officer, reason=typed, charge_addressee=True)
    collected = make_due(operator=operator)
    CollectionAgreement.objects.create(operator=operator, valid_from="2026-01-01")
    from payments.collection import collections_report
    from payments.models import Assessment

    total = Assessment.objects.get(consignment=collected, is_current=True).total
    now = __import__("django.utils.timezone", fromlist=["now"]).now()
    report = {"itemId": collected.item_id, "amount": total, "currency": "BAM", "collectedAt": now, "reference": "P-1"}
    assert collections_report(operator=operator, collections=[report])[0].status == "ACCEPTED"

    reasons = {
        e.reason for e in AuditEntry.objects.exclude(reason="").exclude(reason__in=[typed, "Checked."])
    }  # "Checked.": typed
    assert len(reasons) >= 6
    with translation.override("fr"):
        untranslated = sorted(r for r in reasons if audit_reason(r) == r)
        shown = {r: audit_reason(r) for r in reasons}
    assert untranslated == []
    assert any(text.startswith("Droits ramenés à zéro : " + typed) for text in shown.values())
    assert any("Prépayé (DDP) par nobody" in text and text.endswith(typed) for text in shown.values())

    client.force_login(officer)
    page = client.get(f"/officer/items/{due.pk}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Droits et taxes à payer avant la livraison." in page
    assert "Duty and taxes to be paid before delivery." not in page.replace('title="', "")
