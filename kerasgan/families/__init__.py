"""Model families, one folder each: its networks, its model class if it needs one, its
presets. A family imports the engine, layers and losses, never another family.

Nothing outside a family's folder lists it: the registry (`kerasgan.presets`),
`kerasgan.models` and `kerasgan.networks` find every folder here with `discover`.
"""

import importlib
import pkgutil


def names():
    """The families' folder names, sorted."""
    return sorted(info.name for info in pkgutil.iter_modules(__path__) if info.ispkg)


def discover(module):
    """`[kerasgan.families.<family>.<module>]` for every family folder that has such a
    module ("presets", "models", "networks"), in folder name order."""
    found = []
    for family in names():
        name = f"{__name__}.{family}.{module}"
        if importlib.util.find_spec(name) is not None:
            found.append(importlib.import_module(name))
    return found


def public(module):
    """`{name: object}` of what the families' `module`s export in their `__all__`."""
    return {name: getattr(found, name) for found in discover(module) for name in getattr(found, "__all__", ())}
