"""The zoo's pretrained generators: package data in `kerasgan/saved_models/`.

Each pretrained model is two files there:

- `<name>.json`, its manifest: the preset and the arguments that build it, the data it
  was trained on, the run (steps, seed, backend, hardware, time), the scores measured
  on the shipped weights, and the commands that reproduce both.
- `<name>.npz`, the weights of its generators as they make outputs (the moving
  average where training kept one), compressed, in float16 where that keeps the
  values' range. Discriminators are not shipped.

`kerasgan.presets.from_preset(name)` builds the preset and sets these weights, so a
loaded model samples at once and can be trained further (its discriminator starts
fresh). `scripts/build_zoo.py` trains, scores and writes every entry.
"""

import json
import os
import zipfile

import numpy as np

from kerasgan.files import SAVED_MODELS_DIR, atomic_write, write_text

FORMAT = "kerasgan.pretrained/1"
FLOAT16_MAX = float(np.finfo(np.float16).max)


def manifests(directory=SAVED_MODELS_DIR):
    """`{name: manifest}` for every pretrained model in `directory`, by name."""
    found = {}
    for file_name in sorted(os.listdir(directory)):
        if file_name.endswith(".json"):
            with open(os.path.join(directory, file_name)) as file:
                manifest = json.load(file)
            if manifest.get("format") == FORMAT:
                found[manifest["name"]] = manifest
    return found


def manifest(name, directory=SAVED_MODELS_DIR):
    """The manifest of the pretrained model `name`."""
    found = manifests(directory)
    if name not in found:
        raise ValueError(f"Unknown pretrained model. Expected one of {sorted(found)}. Received: {name!r}")
    return found[name]


def weights_path(manifest, directory=SAVED_MODELS_DIR):
    return os.path.join(directory, manifest["weights"])


def _key(network_name, index):
    return f"{network_name}/{index:04d}"


def _compact(value):
    """float32 -> float16 when every value fits float16's range; other dtypes kept."""
    value = np.asarray(value)
    if value.dtype == np.float32 and (value.size == 0 or np.abs(value).max() < FLOAT16_MAX):
        return value.astype(np.float16)
    return value


def generator_arrays(model):
    """`{key: array}` of the model's generators' weights, compacted."""
    return {
        _key(name, index): _compact(variable.numpy() if hasattr(variable, "numpy") else variable)
        for name, network in model.generator_networks().items()
        for index, variable in enumerate(network.weights)
    }


def save_weights(model, path):
    """Writes the model's generators' weights to `path` (`.npz`), atomically."""
    arrays = generator_arrays(model)

    def write(temporary):
        with open(temporary, "wb") as file:
            np.savez_compressed(file, **arrays)

    atomic_write(path, write)


def save_manifest(manifest, directory=SAVED_MODELS_DIR):
    manifest = {"format": FORMAT, **manifest}
    write_text(os.path.join(directory, f"{manifest['name']}.json"), json.dumps(manifest, indent=2) + "\n")


def load_weights(model, path):
    """Sets the model's generators' weights from a file written by `save_weights`.

    Raises a ValueError naming the file when it is unreadable or holds another
    architecture (another count or shape of weights).
    """
    try:
        with np.load(path) as file:
            arrays = {key: file[key] for key in file.files}
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as error:
        raise ValueError(
            f"Could not read the pretrained weights {path!r} ({type(error).__name__}: {error}). "
            "Expected an .npz file written by kerasgan.pretrained.save_weights; reinstall kerasgan "
            "or rebuild it with scripts/build_zoo.py."
        ) from None
    networks = model.generator_networks()
    expected = {_key(name, i): v for name, network in networks.items() for i, v in enumerate(network.weights)}
    if set(arrays) != set(expected):
        raise ValueError(
            f"{path!r} holds weights for another architecture. Expected {len(expected)} arrays for the "
            f"networks {sorted(networks)} of {model.name!r}. Received: {len(arrays)} arrays."
        )
    for key, variable in expected.items():
        value = arrays[key]
        if tuple(value.shape) != tuple(variable.shape):
            raise ValueError(
                f"{path!r} holds weights for another architecture. Expected {key} ({variable.path}) of "
                f"shape {tuple(variable.shape)}. Received: shape {tuple(value.shape)}."
            )
        variable.assign(value.astype(variable.dtype))
    model.generators_loaded()


# ---- the scores a manifest records, measured the same way by the zoo's build and tests ----


def held_out(dataset, kind, model):
    """The test split of a translation set as numpy: `(inputs, targets)` pairs for
    "pairs"; for "domains" every distinct test image of each domain `(a, b)`."""
    from kerasgan import datasets

    size = (model.source_shape if kind == "pairs" else model.image_shape_a)[0]
    if kind == "pairs":
        data = datasets.load_pairs(dataset, split="test", image_size=size, shuffle=False, drop_remainder=False)
    else:
        # One pair per batch: every held-out image of both domains, the smaller repeated.
        data = datasets.load_domains(dataset, split="test", image_size=size, batch_size=1, shuffle=False)
    first, second = (np.concatenate(part) for part in zip(*[(a.numpy(), b.numpy()) for a, b in data]))
    if kind == "domains":
        first, second = np.unique(first, axis=0), np.unique(second, axis=0)
    return first, second


def reference_images(dataset, model, split="train"):
    """A split of an image set at the model's size, as one numpy array in [-1, 1]."""
    from kerasgan import datasets

    data = datasets.load(
        dataset, split=split, image_size=model.image_shape[0], batch_size=256, shuffle=False, drop_remainder=False, cache=False
    )
    return np.concatenate([np.asarray(batch) for batch in data])


def reference_voxels(dataset, categories=None):
    """The training shapes of a voxel set (of `categories`, or all), float32 occupancies."""
    from kerasgan import datasets

    return datasets.voxel_arrays(dataset, categories=categories, split="train")[0].astype("float32")


def measure(model, dataset, check):
    """The value of a manifest's `check` for `model`: its metric under its protocol.

    "cfd": classifier FD of `num_samples` generated images (latent seed 0, classes in
    turn) against the first `num_samples` test images. "l1": mean L1 error of the
    translated test inputs against their targets. "fid": for a CycleGAN, translations
    of the test a images against the test b images; otherwise `num_samples` generated
    images against the first `num_samples` training images. "mmd": minimum matching
    distance of `num_samples` generated shapes against the training shapes (of the
    check's `categories`, where it names them).
    """
    from kerasgan import datasets, metrics

    metric, count = check["metric"], check.get("num_samples")
    if metric == "cfd":
        real = datasets.load(dataset, split="test", batch_size=50, shuffle=False, drop_remainder=False, cache=False)
        return metrics.evaluate(real, model, metrics=["cfd"], num_samples=count, domain=dataset, seed=0, verbose=False)["cfd"]
    if metric == "l1":
        inputs, targets = held_out(dataset, "pairs", model)
        return metrics.l1_error(model.translate(inputs), targets)
    if metric == "fid" and hasattr(model, "translate"):
        inputs_a, inputs_b = held_out(dataset, "domains", model)
        return metrics.frechet_inception_distance(inputs_b, model.translate(inputs_a, "a_to_b"), cache=False, verbose=False)
    if metric == "fid":
        real = reference_images(dataset, model)[:count]
        return metrics.frechet_inception_distance(real, model, num_samples=count, cache=False, verbose=False)
    if metric == "mmd":
        return metrics.coverage_and_mmd(model.generate(count, seed=0), reference_voxels(dataset, check.get("categories")))["mmd"]
    raise ValueError(f"Unknown check metric. Expected 'cfd', 'l1', 'fid' or 'mmd'. Received: {metric!r}")
