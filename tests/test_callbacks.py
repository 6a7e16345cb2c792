"""Callbacks write complete PNGs and checkpoints; an interrupted run resumes."""

import json
import os

import keras
import numpy as np
import pytest
from helpers import frechet_distance_of, kernel_distance_of, random_images
from PIL import Image

import kerasgan
from kerasgan import callbacks


def _tiny_gan():
    return kerasgan.presets.mlp_gan(image_shape=(8, 8, 1), latent_dim=4, seed=0)


def _images(n=16):
    return np.random.default_rng(0).uniform(-1, 1, (n, 8, 8, 1)).astype("float32")


def test_image_grid_layout_and_pixels():
    images = -np.ones((5, 4, 4, 1), "float32")
    images[2] = 1.0
    grid = callbacks.image_grid(images)
    # 3 columns x 2 rows of 4-pixel tiles with 2-pixel white padding.
    assert grid.shape == (2 * 6 + 2, 3 * 6 + 2, 1)
    assert grid[2:6, 2:6].max() == 0 and grid[2:6, 14:18].min() == 255


def test_saved_grid_is_pixel_exact_with_an_optional_title(tmp_path):
    images = np.random.default_rng(0).uniform(-1, 1, (16, 28, 28, 1)).astype("float32")
    callbacks.save_image_grid(images, tmp_path / "grid.png")
    with Image.open(tmp_path / "grid.png") as picture:
        # 16 images of 28 px: 4 x 4 tiles of 28 + 2 px border, grey, no resampling.
        assert picture.mode == "L" and picture.size == (4 * 30 + 2, 4 * 30 + 2)
        np.testing.assert_array_equal(np.asarray(picture), callbacks.image_grid(images)[..., 0])
    colour = np.random.default_rng(1).uniform(-1, 1, (3, 8, 8, 3)).astype("float32")
    callbacks.save_image_grid(colour, tmp_path / "titled.png", title="epoch 3")
    with Image.open(tmp_path / "titled.png") as picture:
        pixels = np.asarray(picture)
    grid = callbacks.image_grid(colour)
    assert picture.mode == "RGB" and pixels.shape[1:] == grid.shape[1:] and pixels.shape[0] > grid.shape[0]
    strip = pixels.shape[0] - grid.shape[0]
    np.testing.assert_array_equal(pixels[strip:], grid)
    assert pixels[:strip].min() < 128, "the title's text is drawn"


def test_sample_grid_and_curves_write_pngs(tmp_path):
    gan = _tiny_gan()
    grid = callbacks.SampleGrid(tmp_path, num_images=9, every_n_epochs=2)
    curves = callbacks.TrainingCurves(tmp_path / "curves.png", every_n_batches=1)
    gan.fit(_images(), batch_size=4, epochs=4, verbose=0, callbacks=[grid, curves])
    names = sorted(os.listdir(tmp_path))
    assert "samples_epoch_002.png" in names and "samples_epoch_004.png" in names
    assert "samples_epoch_001.png" not in names and "samples_latest.png" in names
    assert not [n for n in names if n.startswith(".tmp-")], "temporary files left behind"
    with Image.open(tmp_path / "samples_epoch_004.png") as picture:
        assert picture.format == "PNG" and picture.size[0] == 3 * 10 + 2  # 3 x 3 tiles of 8 px, pixel for pixel
    with Image.open(tmp_path / "curves.png") as picture:
        assert picture.format == "PNG"
    history = json.loads((tmp_path / "curves.json").read_text())["curves"]
    assert len(history["step"]) == 16 and len(history["d_loss"]) == 16
    assert history["step"] == sorted(history["step"])


def test_checkpoint_resumes_with_both_optimizers(tmp_path):
    path = tmp_path / "model.keras"
    gan = _tiny_gan()
    gan.fit(_images(), batch_size=4, epochs=2, verbose=0, callbacks=[callbacks.Checkpoint(path)])
    assert callbacks.Checkpoint.epochs_done(path) == 2
    resumed = keras.models.load_model(path)
    assert int(resumed.d_optimizer.iterations) == 8 and int(resumed.g_optimizer.iterations) == 8
    for name in ("d_optimizer", "g_optimizer"):
        for saved, live in zip(getattr(resumed, name).variables, getattr(gan, name).variables):
            np.testing.assert_allclose(keras.ops.convert_to_numpy(saved), keras.ops.convert_to_numpy(live))
    resumed.fit(
        _images(), batch_size=4, epochs=3, initial_epoch=2, verbose=0,
        callbacks=[callbacks.Checkpoint(path)],
    )
    assert callbacks.Checkpoint.epochs_done(path) == 3
    assert int(keras.models.load_model(path).g_optimizer.iterations) == 12


def test_checkpoint_is_not_overwritten_by_a_failed_save(tmp_path, monkeypatch):
    path = tmp_path / "model.keras"
    gan = _tiny_gan()
    checkpoint = callbacks.Checkpoint(path)
    gan.fit(_images(), batch_size=4, epochs=1, verbose=0, callbacks=[checkpoint])
    good = path.read_bytes()

    def broken_save(filepath, *args, **kwargs):
        with open(filepath, "wb") as file:
            file.write(b"half")
        raise OSError("disk full")

    monkeypatch.setattr(gan, "save", broken_save)
    # The failure reaches the caller (fit stops with it): a checkpoint that could not be
    # written is not silently skipped...
    with pytest.raises(OSError, match="disk full"):
        checkpoint.on_epoch_end(1)
    # ...the last good checkpoint is intact and still loads, the epoch count still
    # describes it, and the half-written temporary file is gone.
    assert path.read_bytes() == good
    assert callbacks.Checkpoint.epochs_done(path) == 1
    assert int(keras.models.load_model(path).g_optimizer.iterations) == 4
    assert not [n for n in os.listdir(tmp_path) if n.startswith(".tmp-")]


class _FlatPixels:
    """A tiny extractor for the metric callbacks: pixels as features."""

    name = "flat"
    dim = 64
    identity = "flat-pixels-callback-test"
    has_probabilities = False

    def __call__(self, images):
        return {"features": np.asarray(images, np.float32).reshape(len(images), -1)}


class _DirectValues(keras.callbacks.Callback):
    """Listed after the metric callbacks: each epoch, what they logged and the same
    distances computed directly on the images they judge (the first `num_samples` real
    images; `num_samples` generated with latent seed 0, as `kerasgan.metrics` draws them)."""

    def __init__(self, real, num_samples):
        super().__init__()
        self.real_features = np.asarray(real[:num_samples]).reshape(num_samples, -1)
        self.num_samples = num_samples
        self.logged, self.direct = [], []

    def on_epoch_end(self, epoch, logs=None):
        generated = np.concatenate(list(kerasgan.metrics.image_batches(self.model, self.num_samples, seed=0)))
        fake_features = generated.reshape(len(generated), -1)
        self.logged.append(dict(logs))
        self.direct.append(
            {
                "cfd": frechet_distance_of(self.real_features, fake_features),
                "kid": kernel_distance_of(self.real_features, fake_features),
            }
        )


def test_metric_callbacks_put_their_values_in_the_logs(tmp_path, monkeypatch):
    monkeypatch.setenv("KERASGAN_HOME", str(tmp_path / "cache"))
    gan = _tiny_gan()
    real = random_images(64)
    best = tmp_path / "best.keras"
    direct = _DirectValues(real, num_samples=32)
    history = gan.fit(
        real,
        batch_size=16,
        epochs=3,
        verbose=0,
        callbacks=[
            kerasgan.callbacks.FIDCallback(real, features=_FlatPixels(), num_samples=32, verbose=False),
            kerasgan.callbacks.KIDCallback(real, every_n_epochs=2, features=_FlatPixels(), num_samples=32, verbose=False),
            direct,
            keras.callbacks.ModelCheckpoint(best, monitor="cfd", mode="min", save_best_only=True),
            kerasgan.callbacks.TrainingCurves(tmp_path / "curves.png"),
        ],
    )
    distances = history.history["cfd"]
    assert len(distances) == 3 and all(np.isfinite(distances)) and min(distances) > 0
    assert len(history.history["kid"]) == 1  # epoch 2 only
    # The logged values are the distances of the epoch's generated images, computed
    # directly, and they change as the generator trains.
    for epoch, (logged, expected) in enumerate(zip(direct.logged, direct.direct)):
        assert logged["cfd"] == pytest.approx(expected["cfd"], rel=1e-6), epoch
        assert ("kid" in logged) == (epoch == 1), epoch
        if "kid" in logged:
            assert logged["kid"] == pytest.approx(expected["kid"], rel=1e-6)
    assert [logged["cfd"] for logged in direct.logged] == distances
    assert len(set(distances)) == 3
    # The same number as the metric function on the model after the last epoch.
    assert distances[-1] == pytest.approx(
        kerasgan.metrics.frechet_distance(real, gan, features=_FlatPixels(), num_samples=32, verbose=False), rel=1e-9
    )
    assert best.exists()
    quality = json.loads((tmp_path / "curves.json").read_text())["quality"]
    assert quality["cfd"] == {"step": [4, 8, 12], "value": distances}
    assert quality["kid"]["step"] == [8]
    # The real statistics were cached, keyed by content; KID added the features to them.
    (cached,) = os.listdir(tmp_path / "cache" / "statistics")
    assert set(np.load(tmp_path / "cache" / "statistics" / cached).files) == {"count", "sum", "outer", "features"}


def _tensorboard_events(directory):
    import tensorflow as tf

    events = []
    for root, _, names in os.walk(directory):
        for name in names:
            if name.startswith("events.out.tfevents"):
                for record in tf.data.TFRecordDataset(os.path.join(root, name)):
                    event = tf.compat.v1.Event.FromString(record.numpy())
                    events += [(os.path.relpath(root, directory), value.tag, event.step) for value in event.summary.value]
    return events


def test_tensorboard_gets_losses_quality_scores_and_sample_grids(tmp_path):
    gan = _tiny_gan()
    logs = tmp_path / "tensorboard"
    score = callbacks.FIDCallback(_images(), features=_FlatPixels(), num_samples=16, verbose=False)
    gan.fit(
        _images(),
        batch_size=4,
        epochs=2,
        verbose=0,
        callbacks=[score, callbacks.SampleGrid(tmp_path / "grids", num_images=4, log_dir=logs), keras.callbacks.TensorBoard(logs)],
    )
    events = set(_tensorboard_events(logs))
    for tag in ("epoch_d_loss", "epoch_g_loss", "epoch_cfd"):
        assert {("train", tag, 0), ("train", tag, 1)} <= events, (tag, sorted(events))
    assert {("samples", "samples", 1), ("samples", "samples", 2)} <= events


def test_curves_record_window_means_without_jumps_at_epoch_starts(tmp_path):
    # A loss falling steadily, 1.0 at the first step: Keras reports its running mean,
    # which restarts at each epoch; the curves must record the mean of each window.
    curves = callbacks.TrainingCurves(tmp_path / "curves.png", every_n_batches=5)
    losses = 1.0 - 0.01 * np.arange(40)
    for epoch in range(2):
        curves.on_epoch_begin(epoch)
        for batch in range(20):
            step = epoch * 20 + batch
            curves.on_train_batch_end(batch, {"d_loss": losses[step - batch : step + 1].mean()})
    recorded = np.array(curves.history["d_loss"])
    assert curves.history["step"] == [1, 6, 11, 16, 21, 26, 31, 36]
    expected = [losses[0], *(losses[s - 5 : s].mean() for s in (6, 11, 16)), losses[20], *(losses[s - 5 : s].mean() for s in (26, 31, 36))]
    np.testing.assert_allclose(recorded, expected, atol=1e-9)
    assert np.all(np.diff(recorded) < 0), "no jump back up at the second epoch's start"


def test_checkpoint_every_n_epochs_and_at_the_end(tmp_path):
    path = tmp_path / "model.keras"

    class Watch(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.on_disk = []

        def on_epoch_end(self, epoch, logs=None):
            self.on_disk.append(callbacks.Checkpoint.epochs_done(path))

    watch = Watch()  # listed after the checkpoint: sees what it wrote that epoch
    _tiny_gan().fit(_images(), batch_size=4, epochs=5, verbose=0, callbacks=[callbacks.Checkpoint(path, every_n_epochs=2), watch])
    assert watch.on_disk == [0, 2, 2, 4, 4]
    assert callbacks.Checkpoint.epochs_done(path) == 5, "the last epoch is saved when training ends"
    assert int(keras.models.load_model(path).g_optimizer.iterations) == 20
