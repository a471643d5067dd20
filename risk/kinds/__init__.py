"""Risk rule kinds: one module of this package per kind, each registering itself.

Every module here is imported with the package, and each kind registers
itself with @kind_register (risk.kinds.registry): adding a kind is adding its
module (and its test). The engine, the officer's rule form and page, and the
goods catalogue's loader and exporter read the kinds from the registry.
"""

from __future__ import annotations

import importlib
import pkgutil

from risk.kinds.registry import kind_choices, kind_label, kind_of, kind_register, kind_unregister, kinds_all

__all__ = ["kind_choices", "kind_label", "kind_of", "kind_register", "kind_unregister", "kinds_all"]
NOT_KINDS = frozenset({"base", "registry"})

for _module in pkgutil.iter_modules(__path__):
    if _module.name not in NOT_KINDS:
        importlib.import_module(f"{__name__}.{_module.name}")
