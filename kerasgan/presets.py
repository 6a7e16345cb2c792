"""The zoo's registry: ready-to-fit, compiled models with tuned defaults.

A preset is data (`kerasgan.families.preset.Preset`): a function that builds and
compiles the model, a one-line description, what kind of data `fit` takes, and the
default dataset of `kerasgan train`. Each family lists its own in its `presets.py`;
this module only gathers them. `get(name, **kwargs)` builds one, untrained.

Pretrained models (`kerasgan.pretrained`) are presets trained on the data they are
meant for, such as "dcgan_mnist": `from_preset(name)` returns one that samples at
once. `list()` names both kinds; `pretrained()` gives the trained ones' manifests.

Example:

```python
import kerasgan

gan = kerasgan.presets.dcgan()  # 28x28x1, compiled
gan.fit(kerasgan.datasets.load("mnist_sample", batch_size=64), epochs=30)
cgan = kerasgan.presets.cgan()  # conditional: load(..., labels=True)

trained = kerasgan.presets.from_preset("dcgan_mnist")  # shipped weights, offline
images = trained.generate(16, seed=0)  # (16, 28, 28, 1) in [-1, 1]
```
"""

from kerasgan import families as _families
from kerasgan import pretrained as _pretrained
from kerasgan.suggest import did_you_mean

_OWN = ["PRESETS", "from_preset", "get", "list", "pretrained"]


def _gather(table):
    """Every family's `table` (kerasgan/families/<family>/presets.py), by name."""
    gathered = {}
    for module in _families.discover("presets"):
        for name, entry in getattr(module, table, {}).items():
            if name in gathered or name in _OWN:
                raise RuntimeError(f"Two entries of {table} are called {name!r}: one of them is in {module.__name__}.")
            gathered[name] = entry
    return gathered


PRESETS = _gather("PRESETS")
# How each pretrained model is trained and checked (`Recipe`s; scripts/build_zoo.py).
RECIPES = _gather("RECIPES")
# kerasgan.presets.dcgan(...) and the like: each preset's function, under its name.
globals().update({name: preset.build for name, preset in PRESETS.items()})


def list():
    """`{name: one-line description}` for every preset, then every pretrained model
    (its description starts with "Pretrained")."""
    recipes = {name: preset.description for name, preset in PRESETS.items()}
    return {**recipes, **{name: manifest["description"] for name, manifest in pretrained().items()}}


def pretrained():
    """`{name: manifest}` for every pretrained model that ships with kerasgan."""
    return _pretrained.manifests()


def get(name, **kwargs):
    """Builds the preset called `name`, untrained, passing `kwargs` to its function."""
    if name not in PRESETS:
        hint = f" {name!r} is a pretrained model: use from_preset({name!r})." if name in pretrained() else did_you_mean(name, PRESETS)
        raise ValueError(f"Unknown preset. Expected one of {sorted(PRESETS)}. Received: {name!r}.{hint}")
    return PRESETS[name].build(**kwargs)


def from_preset(name, seed=None):
    """A pretrained model: the preset of `pretrained()[name]` with its shipped generator weights.

    The model is compiled and ready to `generate` (or `translate`), `save`, `export` or
    train further with `fit`; its discriminators start untrained.

    Args:
        name: str. A pretrained model's name, such as "dcgan_mnist" (`pretrained()`).
        seed: int or None. Seeds the fresh discriminators and further training. Defaults to None.
    """
    manifests = pretrained()
    if name not in manifests:
        trained = sorted(other for other, manifest in manifests.items() if manifest["preset"] == name)
        hint = (
            f" {name!r} is a preset; its pretrained models are {trained}, and get({name!r}) builds it untrained."
            if trained else f" get({name!r}) builds that preset untrained." if name in PRESETS else did_you_mean(name, manifests)
        )
        raise ValueError(f"Unknown pretrained model. Expected one of {sorted(manifests)}. Received: {name!r}.{hint}")
    manifest = manifests[name]
    model = get(manifest["preset"], seed=seed, **manifest["build"])
    _pretrained.load_weights(model, _pretrained.weights_path(manifest))
    return model


__all__ = sorted([*_OWN, *PRESETS])
