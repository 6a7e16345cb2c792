"""The order of the data is a pure function of (seed, epoch): a dataset built anew and
set to epoch e (as a resumed run builds it) gives the batches of the e-th pass over an
uninterrupted one, for every loader that shuffles or draws at random.
"""

import keras
import numpy as np
import pytest
from PIL import Image

from kerasgan import datasets, presets
from kerasgan.datasets import order

SEED = 3
# 12 distinct images (image i is filled with 20 * i): each one's place in a batch shows the order.
IMAGES = np.repeat(np.arange(12, dtype=np.uint8)[:, None, None, None] * 20, 4, axis=1).repeat(4, axis=2)


def _write_folder(directory, count, labels=False):
    for index in range(count):
        folder = directory / (f"class{index % 2}" if labels else "")
        folder.mkdir(parents=True, exist_ok=True)
        Image.fromarray(np.full((4, 4, 3), 20 * index, np.uint8)).save(folder / f"{index:02d}.png")
    return str(directory)


def _voxels():
    grids = np.zeros((8, 4, 4, 4), np.uint8)
    for index, grid in enumerate(grids):
        grid[index % 4, :, : 1 + index % 3] = 1  # asymmetric left to right: a flip shows
    return grids


LOADERS = {
    "from_arrays": lambda tmp: datasets.from_arrays(IMAGES, np.arange(12), batch_size=4, seed=SEED),
    "from_pair_arrays": lambda tmp: datasets.from_pair_arrays(IMAGES, 255 - IMAGES, batch_size=4, seed=SEED),
    "from_domain_arrays": lambda tmp: datasets.from_domain_arrays(IMAGES, IMAGES[:5], batch_size=4, seed=SEED),
    "from_voxel_arrays": lambda tmp: datasets.from_voxel_arrays(_voxels(), batch_size=4, mirror=True, seed=SEED),
    "from_folder": lambda tmp: datasets.from_folder(_write_folder(tmp / "f", 12, labels=True), 4, batch_size=4, labels=True, seed=SEED),
    "from_pair_folders": lambda tmp: datasets.from_pair_folders(
        _write_folder(tmp / "inputs", 12), _write_folder(tmp / "targets", 12), 4, batch_size=4, seed=SEED
    ),
    "from_domain_folders": lambda tmp: datasets.from_domain_folders(
        _write_folder(tmp / "a", 12), _write_folder(tmp / "b", 5), 4, batch_size=4, seed=SEED
    ),
}


def _one_pass(dataset):
    return [np.concatenate([np.asarray(part).ravel() for part in keras.tree.flatten(batch)]) for batch in dataset]


@pytest.mark.parametrize("loader", list(LOADERS))
def test_a_fresh_dataset_set_to_epoch_e_gives_the_eth_pass(loader, tmp_path):
    uninterrupted = LOADERS[loader](tmp_path)
    passes = [_one_pass(uninterrupted) for _ in range(3)]
    assert not all(np.array_equal(a, b) for a, b in zip(passes[0], passes[1])), "the same order twice"
    resumed = LOADERS[loader](tmp_path)  # as a new process builds it
    assert order.set_epoch(resumed, 2) >= 1
    for batch, expected in zip(_one_pass(resumed), passes[2], strict=True):
        np.testing.assert_array_equal(batch, expected)
    assert order.set_epoch(resumed, 0) >= 1
    for batch, expected in zip(_one_pass(resumed), passes[0], strict=True):
        np.testing.assert_array_equal(batch, expected)


def test_the_order_keeps_the_cardinality_and_follows_the_seed():
    dataset = datasets.from_arrays(IMAGES, batch_size=5, seed=SEED)  # 12 // 5 batches
    assert int(dataset.cardinality()) == 2
    other = datasets.from_arrays(IMAGES, batch_size=5, seed=SEED + 1)
    assert not np.array_equal(_one_pass(dataset)[0], _one_pass(other)[0])
    assert order.set_epoch(IMAGES, 1) == 0  # not a dataset: nothing to set


def test_fit_gives_each_epoch_its_own_order_whatever_epoch_it_begins_at():
    """fit(initial_epoch=2) on a new dataset sees the batches that epoch 2 of a run from 0 saw."""

    def run(initial_epoch):
        model = presets.mlp_gan(image_shape=(8, 8, 1), latent_dim=4, seed=0)
        step = model.prepare_batch
        seen = []

        def recording(data):  # the real images of every step, as the model receives them
            seen.append(data)
            return step(data)

        model.prepare_batch = recording
        dataset = datasets.from_arrays(IMAGES, batch_size=4, image_size=8, seed=SEED)
        model.compile(run_eagerly=True)
        model.fit(dataset, epochs=3, initial_epoch=initial_epoch, verbose=0)
        return [np.asarray(batch) for batch in seen]

    from_start, resumed = run(0), run(2)
    assert len(resumed) == 3
    for batch, expected in zip(resumed, from_start[-3:], strict=True):
        np.testing.assert_array_equal(batch, expected)


def test_backup_and_restore_resumes_as_an_uninterrupted_fit(tmp_path):
    """A user's `keras.callbacks.BackupAndRestore` (per epoch): a fit interrupted after
    epoch 2, resumed with a new model and dataset, ends with the same variables."""

    class Interrupt(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 1:
                raise KeyboardInterrupt

    def fit(callbacks):
        model = presets.mlp_gan(image_shape=(8, 8, 1), latent_dim=4, seed=0)
        model.compile(run_eagerly=True)  # 9 steps: quicker than tracing them
        dataset = datasets.from_arrays(IMAGES, batch_size=4, image_size=8, seed=SEED)
        model.fit(dataset, epochs=4, verbose=0, callbacks=callbacks)
        optimizers = [v for optimizer in model.optimizers_by_name().values() for v in optimizer.variables]
        return [np.asarray(v) for v in model.variables + optimizers]

    expected = fit([])
    backup = keras.callbacks.BackupAndRestore(str(tmp_path / "backup"))
    with pytest.raises(KeyboardInterrupt):
        fit([backup, Interrupt()])
    resumed = fit([keras.callbacks.BackupAndRestore(str(tmp_path / "backup"))])
    assert len(resumed) == len(expected)
    for value, other in zip(resumed, expected):
        np.testing.assert_array_equal(value, other)
