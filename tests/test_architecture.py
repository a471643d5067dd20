"""The plan of the house: apps depend one way (docs/architecture.md), held by parsing every import.

Module-level and function-level imports both count. A function-level import
of another app is allowed only where the order allows it anyway and a comment
on or just above it says why it is not at the top of the module.

Inside one app the modules form no circle either. A circle is counted over
every import, at the top of a module or inside a function alike: an import
moved into a function still ties the two modules together, it only defers the
failure. The one import left out is a function-level import of the app's own
`tasks` module with a comment saying why: a task calls a service, and the
service (or the app's `enqueue` module) puts the task on the queue when it runs.
"""

import ast
from collections.abc import Iterator
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
    {"law"},
    {"payments"},
    {"risk"},
    {"postal"},
    {"simulation"},  # the operator simulator, the load generator and the back-test: tools over the apps
    {"agencies"},  # information requests answered, permits, other agencies: below the dashboards that show them
    {"officer", "performance"},
    {"demo"},
    {"config"},  # the wiring: URLs, the Celery and WSGI apps, the project's AppConfig
]
APPS = set().union(*LAYERS) - {"config.env", "config.settings"}


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


def import_statements(path: Path) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool]]:
    """(statement, inside a function) for every import statement of a module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            inside |= {id(child) for child in ast.walk(node) if child is not node}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node, id(node) in inside


def imports(path: Path):
    """(imported module, line, inside a function) for every import of a project module."""
    for node, local in import_statements(path):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names if node.module == "config"]
        for name in names:
            if name.split(".")[0] in APPS:
                yield name, node.lineno, local


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


# --- No circle among the modules of one app ------------------------------------------------------


def module_names(root: Path, apps: set[str]) -> dict[str, Path]:
    """Every module of the apps by dotted name, a package by its own name (not `__init__`)."""
    found = {}
    for path in root.rglob("*.py"):
        parts = path.relative_to(root).with_suffix("").parts
        if parts[0] in apps and "migrations" not in parts:
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def module_holding(name: str, modules: dict[str, Path]) -> str | None:
    """The module a dotted name is in: `payments.models.Case` is in `payments.models`."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def module_imports(module: str, modules: dict[str, Path]) -> Iterator[tuple[str, int, bool, bool]]:
    """(imported project module, line, inside a function, with a comment) for each import of a module."""
    path = modules[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    lines = path.read_text(encoding="utf-8").splitlines()
    for node, local in import_statements(path):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, *([base] if base else [])])
            names = [f"{base}.{alias.name}" for alias in node.names]
        commented = "#" in lines[node.lineno - 1] + (lines[node.lineno - 2] if node.lineno > 1 else "")
        for name in names:
            target = module_holding(name, modules)
            if target is not None and target != module:
                yield target, node.lineno, local, commented


def counts_in_circles(source: str, target: str, local: bool, commented: bool) -> bool:
    """Every import but a commented function-level one of the app's own tasks (see the module's docstring)."""
    enqueues_a_task = target == f"{source.split('.')[0]}.tasks"
    return not (local and commented and enqueues_a_task)


def circles(root: Path = ROOT, apps: set[str] = APPS) -> list[str]:
    """Each set of one app's modules that import one another round in a circle, with the imports that close it."""
    modules = module_names(root, apps)
    graph: dict[str, dict[str, int]] = {module: {} for module in modules}
    for module in modules:
        for target, line, local, commented in module_imports(module, modules):
            same_app = target.split(".")[0] == module.split(".")[0]
            if same_app and counts_in_circles(module, target, local, commented):
                graph[module].setdefault(target, line)
    found = []
    for component in strongly_connected(graph):
        if len(component) > 1:
            edges = [
                f"{source}:{line} -> {target}"
                for source in sorted(component)
                for target, line in sorted(graph[source].items())
                if target in component
            ]
            found.append(f"{', '.join(sorted(component))} ({'; '.join(edges)})")
    return sorted(found)


def strongly_connected(graph: dict[str, dict[str, int]]) -> list[set[str]]:
    """Tarjan's algorithm, iterative: the graph's strongly connected components."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[set[str]] = []
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(graph[start]))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, targets = work[-1]
            target = next(targets, None)
            if target is not None:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(graph[target])))
                elif target in on_stack:
                    low[node] = min(low[node], index[target])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                components.append(component)
    return components


def test_no_app_imports_its_own_modules_round_in_a_circle():
    assert circles() == []


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_a_circle_through_a_function_level_import_is_found(tmp_path):
    _write(
        tmp_path,
        {
            "shop/__init__.py": "",
            "shop/orders.py": "from shop import mail\n",
            "shop/mail.py": "def send():\n    from shop.orders import Order\n",
            "shop/stock.py": "from shop.orders import Order\n",
        },
    )
    assert circles(tmp_path, {"shop"}) == [
        "shop.mail, shop.orders (shop.mail:2 -> shop.orders; shop.orders:1 -> shop.mail)"
    ]


def test_a_commented_late_import_of_the_apps_tasks_closes_no_circle(tmp_path):
    service = "def order_place():\n    # Late: shop.tasks imports this module.\n    from shop.tasks import mail_send\n"
    _write(
        tmp_path,
        {
            "shop/__init__.py": "",
            "shop/tasks.py": "from shop.services import order_place\n",
            "shop/services.py": service,
            "shop/views.py": "from . import services\n",
        },
    )
    assert circles(tmp_path, {"shop"}) == []
    (tmp_path / "shop/services.py").write_text(service.replace("    # Late: shop.tasks imports this module.\n", ""))
    assert circles(tmp_path, {"shop"}) == [
        "shop.services, shop.tasks (shop.services:2 -> shop.tasks; shop.tasks:1 -> shop.services)"
    ]


def test_a_relative_import_is_followed(tmp_path):
    _write(
        tmp_path,
        {
            "shop/__init__.py": "",
            "shop/models/__init__.py": "from .orders import Order\n",
            "shop/models/orders.py": "from ..pricing import price\n",
            "shop/pricing.py": "from shop.models import Order\n",
        },
    )
    assert circles(tmp_path, {"shop"}) == [
        "shop.models, shop.models.orders, shop.pricing "
        "(shop.models:1 -> shop.models.orders; shop.models.orders:1 -> shop.pricing; shop.pricing:1 -> shop.models)"
    ]


@pytest.mark.parametrize(
    ("source", "target", "allowed"),
    [
        ("risk", "payments", True),
        ("payments", "risk", False),
        ("payments", "law", True),
        ("law", "payments", False),
        ("law", "clearance", True),
        ("risk", "law", True),
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
