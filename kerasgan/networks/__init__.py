"""Plain Keras networks (functional models) of every family, with no training logic.

Each builder lives in its family's `networks.py` and is listed in its `__all__`; this
module finds them there on first use (`kerasgan.families.public`).
"""

from kerasgan import families as _families
from kerasgan.layers import SpectralConv2D, SpectralDense


def __getattr__(name):
    # __all__ too, so that `import *` and the docs see the families' names.
    found = _families.public("networks")
    if name == "__all__":
        return sorted(["SpectralConv2D", "SpectralDense", *found])
    if name in found:
        return found[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted({*globals(), *_families.public("networks")})

