"""kerasgan's models: `keras.Model` subclasses on the shared adversarial engine
(`kerasgan.engine`).

`GAN` and the conditional GANs live here; every other model class lives in its family's
folder (`kerasgan/families/<family>/models.py`) and is found there on first use, so that
the families, which build on `GAN`, can import this package without importing each other.
"""

from kerasgan import families as _families
from kerasgan.guards import StopOnNaN, check_training_data
from kerasgan.models.conditional import ACGAN, ConditionalGAN
from kerasgan.models.gan import GAN

_OWN = ["ACGAN", "ConditionalGAN", "GAN", "StopOnNaN", "check_training_data"]


def __getattr__(name):
    # __all__ too, so that `import *` and the docs see the families' names.
    found = _families.public("models")
    if name == "__all__":
        return sorted([*_OWN, *found])
    if name in found:
        return found[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted({*globals(), *_families.public("models")})

