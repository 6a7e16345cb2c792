"""The zoo's registry: ready-to-fit, compiled models with tuned defaults.

A preset is data (`kerasgan.families.preset.Preset`): a function that builds and
compiles the model, a one-line description, what kind of data `fit` takes, and the
default dataset of `kerasgan train`. Each family lists its own in its `presets.py`;
this module only gathers them. `list()` names them; `get(name, **kwargs)` builds one.

Example:

```python
import kerasgan

gan = kerasgan.presets.dcgan()  # 28x28x1, compiled
gan.fit(kerasgan.datasets.load("mnist_sample", batch_size=64), epochs=30)
cgan = kerasgan.presets.cgan()  # conditional: load(..., labels=True)
```
"""

from kerasgan.families.dcgan import presets as _dcgan
from kerasgan.families.dcgan.presets import (
    acgan,
    cgan,
    dcgan,
    lsgan,
    sngan,
    wgan,
    wgan_gp,
)
from kerasgan.families.gan3d import presets as _gan3d
from kerasgan.families.gan3d.presets import gan3d
from kerasgan.families.image_to_image import presets as _image_to_image
from kerasgan.families.image_to_image.presets import cyclegan, pix2pix
from kerasgan.families.mlp import presets as _mlp
from kerasgan.families.mlp.presets import mlp_gan
from kerasgan.families.stylegan import presets as _stylegan
from kerasgan.families.stylegan.presets import stylegan

PRESETS = {**_dcgan.PRESETS, **_mlp.PRESETS, **_image_to_image.PRESETS, **_stylegan.PRESETS, **_gan3d.PRESETS}


def list():
    """`{name: one-line description}` for every preset."""
    return {name: preset.description for name, preset in PRESETS.items()}


def get(name, **kwargs):
    """Builds the preset called `name`, passing `kwargs` to its function."""
    if name not in PRESETS:
        raise ValueError(f"Unknown preset. Expected one of {sorted(PRESETS)}. Received: {name!r}")
    return PRESETS[name].build(**kwargs)


__all__ = [
    "PRESETS", "acgan", "cgan", "cyclegan", "dcgan", "gan3d", "get", "list", "lsgan", "mlp_gan", "pix2pix", "sngan",
    "stylegan", "wgan", "wgan_gp",
]
