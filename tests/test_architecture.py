"""The plan of the house: apps depend one way (docs/architecture.md), held by parsing every import.

Module-level and function-level imports both count. A function-level import
of another app is allowed only where the order allows it anyway and a comment
on or just above it says why it is not at the top of the module.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Lower first. An app may import its own modules and those of lower layers only;
# apps of one layer (officer, performance) do not import each other. The postal
# API sits below the dashboards: reporting reads its webhook deliveries.
LAYERS = [
    {"config.env", "config.settings"},
    {"devstack"},
    {"core"},
    {"clearance"},
    {"payments"},
    {"risk"},
    {"postal"},
    {"simulation"},  # the operator simulator, the load generator and the back-test: tools over the apps
    {"officer", "performance"},
    {"demo"},
    {"config"},  # the wiring: URLs, the Celery and WSGI apps, the project's AppConfig
]
APPS = {
    "config",
    "devstack",
    "core",
    "clearance",
    "payments",
    "risk",
    "postal",
    "simulation",
    "officer",
    "performance",
    "demo",
}


def unit_of(dotted: str) -> str:
    """The layer member a module belongs to: config's env and settings apart from its wiring."""
    parts = dotted.split(".")
    if parts[0] == "config" and len(parts) > 1 and parts[1] in ("env", "settings"):
        return f"config.{parts[1]}"
    return parts[0]


def layer_of(unit: str) -> int:
    return next(index for index, members in enumerate(LAYERS) if unit in members)


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


def project_files() -> list[Path]:
    return sorted(
        path
        for path in ROOT.rglob("*.py")
        if path.relative_to(ROOT).parts[0] in APPS and "migrations" not in path.parts
    )


def imports(path: Path):
    """(imported module, line, inside a function) for every import of a project module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            inside |= {id(child) for child in ast.walk(node) if child is not node}
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names if node.module == "config"]
        for name in names:
            if name.split(".")[0] in APPS:
                yield name, node.lineno, id(node) in inside


def violations() -> list[str]:
    found = []
    for path in project_files():
        source = unit_of(module_name(path))
        lines = path.read_text(encoding="utf-8").splitlines()
        for name, line, local in imports(path):
            target = unit_of(name)
            if target.split(".")[0] == source.split(".")[0] and source != "config.env":
                continue
            where = f"{path.relative_to(ROOT)}:{line} imports {name}"
            if layer_of(target) >= layer_of(source):
                found.append(f"{where}: {target} is not below {source}")
            elif local and "#" not in lines[line - 1] + lines[line - 2]:
                found.append(f"{where} inside a function, with no comment saying why")
    return found


def test_apps_depend_one_way_and_say_why_an_import_is_local():
    assert violations() == []


@pytest.mark.parametrize(
    ("source", "target", "allowed"),
    [
        ("risk", "payments", True),
        ("payments", "risk", False),
        ("officer", "performance", False),
        ("clearance", "core", True),
        ("core", "clearance", False),
        ("demo", "postal", True),
        ("simulation", "postal", True),
        ("risk", "simulation", False),
        ("postal", "simulation", False),
        ("officer", "simulation", True),
    ],
)
def test_the_order_itself(source, target, allowed):
    assert (layer_of(target) < layer_of(source)) is allowed
