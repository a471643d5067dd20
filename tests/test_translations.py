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


TEMPLATIZED_CALL = re.compile(r"\b(?:n|p)?gettext\(\s*u?('(?:[^'\\]|\\.)*')")


def _template_msgids() -> set[str]:
    """Message ids of the templates, read from Django's templatize (the text it gives xgettext)."""
    msgids = set()
    for path in _templates():
        code = templatize(path.read_text(encoding="utf-8"), origin=str(path))
        for literal in TEMPLATIZED_CALL.findall(code):
            msgids.add(ast.literal_eval(literal))
    return msgids


def test_every_message_has_a_french_translation():
    catalogue = _po_entries()
    used = _python_msgids() | _template_msgids()
    missing = sorted(m for m in used if m not in catalogue)
    untranslated = sorted(m for m in used if m in catalogue and (catalogue[m][1] or not all(catalogue[m][0])))
    assert missing == [], f"not in locale/fr (run makemessages): {missing[:20]}"
    assert untranslated == [], f"no French (or fuzzy): {untranslated[:20]}"
