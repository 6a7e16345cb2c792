"""Callbacks for GAN training: sample grids, training curves, atomic checkpoints, FID.

Every file is written to a temporary name in the same folder and then renamed, so a
file on disk is either complete or absent, never half-written.
"""

import json
import math
import os
import shutil
import zipfile

import keras
import numpy as np

from kerasgan import metrics
from kerasgan.datasets.pixels import tensorflow, to_uint8
from kerasgan.files import atomic_write, remove_temporary_files, write_text
from kerasgan.guards import StopOnNaN
from kerasgan.render import render_voxels

# Epoch-log keys of sample-quality metrics, plotted by TrainingCurves.
QUALITY_KEYS = ("fid", "kid", "cfd")
# Step-log keys of the image-to-image models' unweighted L1 terms.
RECONSTRUCTION_KEYS = ("l1", "cycle", "identity")

__all__ = [
    "Checkpoint",
    "FIDCallback",
    "KIDCallback",
    "SampleGrid",
    "StopOnNaN",
    "TrainingCurves",
    "save_image_grid",
]


def image_grid(images, rows=None, columns=None):
    """Tiles images in [-1, 1] `(n, h, w, c)` into one uint8 picture `(H, W, c)`, row by
    row: `columns` per row when given, else enough for `rows` rows, else a square."""
    images = to_uint8(images)
    n, height, width, channels = images.shape
    if columns is None:
        columns = math.ceil(math.sqrt(n)) if rows is None else math.ceil(n / rows)
    rows = math.ceil(n / columns)
    pad = 2
    grid = np.full(
        (rows * (height + pad) + pad, columns * (width + pad) + pad, channels), 255, np.uint8
    )
    for index, image in enumerate(images):
        top = pad + (index // columns) * (height + pad)
        left = pad + (index % columns) * (width + pad)
        grid[top : top + height, left : left + width] = image
    return grid


def save_image_grid(images, path, rows=None, title=None, columns=None):
    """Saves images in [-1, 1] as one PNG grid (atomically), pixel for pixel.

    Each image keeps its own pixels (no resampling), with a 2-pixel white border; grey
    images give a greyscale PNG. A `title` adds a white strip of text above the grid.
    """
    from PIL import Image, ImageDraw

    grid = image_grid(images, rows, columns)
    picture = Image.fromarray(grid.squeeze(-1) if grid.shape[-1] == 1 else grid)
    if title:
        strip = 14
        titled = Image.new(picture.mode, (picture.width, picture.height + strip), "white")
        titled.paste(picture, (0, strip))
        ImageDraw.Draw(titled).text((2, 1), title, fill="black")
        picture = titled
    atomic_write(path, lambda temporary: picture.save(temporary, format="PNG"))


def sample_for_grid(model, num_images, seed=None, examples=None):
    """`(images, rows)` for a grid: the model's `preview` (one row per class for
    conditional GANs; input | output | target rows for translation models). Voxel
    grids `(n, depth, height, width, 1)` of occupancies in [0, 1] (3-D GANs) become
    shaded views (`kerasgan.render.render_voxels`)."""
    images, rows = model.preview(num_images, seed=seed, examples=examples)
    if np.ndim(images) == 5:
        images = render_voxels(np.asarray(images))
    return images, rows


class SampleGrid(keras.callbacks.Callback):
    """Renders a fixed batch of latents (or inputs) to a PNG grid every `every_n_epochs` epochs.

    The same latents are used at every epoch, so the grids show how the generator
    changes. Conditional GANs get one row per class. Translation models need
    `examples`, fixed held-out images: Pix2Pix shows input | output | target rows,
    CycleGAN a | a->b | a->b->a and b | b->a | b->a->b rows. Files are named
    `samples_epoch_{epoch:03d}.png` (epoch from 1), plus a copy `samples_latest.png`.

    Args:
        directory: str. Where to write the grids.
        num_images: int. Images per grid (examples shown, for translation models).
            Defaults to 64.
        every_n_epochs: int. Defaults to 1.
        seed: int. Seed of the fixed latents. Defaults to 0.
        examples: tuple of arrays or None. `(inputs, targets)` for Pix2Pix,
            `(images_a, images_b)` for CycleGAN, in [-1, 1]. Defaults to None.
        log_dir: str or None. Also writes each grid to TensorBoard there, as the image
            "samples" at step = epoch (give `keras.callbacks.TensorBoard` the same
            folder). Defaults to None.

    Example:

    ```python
    gan.fit(dataset, epochs=10, callbacks=[kerasgan.callbacks.SampleGrid("runs/dcgan")])
    ```
    """

    def __init__(self, directory, num_images=64, every_n_epochs=1, seed=0, examples=None, log_dir=None):
        super().__init__()
        self.examples = examples
        self.log_dir = log_dir
        self._writer = None
        self.directory = os.fspath(directory)
        self.num_images = num_images
        self.every_n_epochs = every_n_epochs
        self.seed = seed
        self.paths = []

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every_n_epochs:
            return
        images, rows = sample_for_grid(self.model, self.num_images, self.seed, self.examples)
        title = f"epoch {epoch + 1}"
        path = os.path.join(self.directory, f"samples_epoch_{epoch + 1:03d}.png")
        save_image_grid(images, path, rows=rows, title=title)
        latest = os.path.join(self.directory, "samples_latest.png")
        atomic_write(latest, lambda temporary: shutil.copyfile(path, temporary))
        self.paths.append(path)
        if self.log_dir:
            self._write_to_tensorboard(image_grid(images, rows), epoch + 1)

    def _write_to_tensorboard(self, grid, step):
        # tf.summary writes TensorBoard's event files on every Keras backend.
        tf = tensorflow()

        if self._writer is None:
            self._writer = tf.summary.create_file_writer(os.path.join(self.log_dir, "samples"))
        with self._writer.as_default():
            tf.summary.image("samples", grid[None], step=step)
        self._writer.flush()

    def on_train_end(self, logs=None):
        if self._writer is not None:
            self._writer.close()
            self._writer = None


class TrainingCurves(keras.callbacks.Callback):
    """Plots the logged losses and scores to a PNG at the end of every epoch.

    Records, every `every_n_batches` batches, each log's mean over those batches, and
    keeps them as JSON next to the plot (`.json`). Keras reports running means that
    restart at every epoch; the window means are recovered from them, so the curves
    do not jump at epoch starts. Sample-quality
    values that callbacks listed before this one put in the epoch logs (`fid`, `kid`,
    `cfd`, from `FIDCallback` / `KIDCallback`) get a panel of their own.

    Args:
        path: str. The PNG file. Defaults to "training_curves.png".
        every_n_batches: int. Defaults to 10.
        resume: bool. Continue the curves kept in the `.json` next to `path`, for a
            resumed run. Defaults to False.
    """

    # Its batch-end hook touches only its own lists, which `on_epoch_end` reads after
    # Keras has waited for the worker thread: on JAX and PyTorch the curves are
    # recorded off the training thread and do not hold the steps up.
    async_safe = True

    def __init__(self, path="training_curves.png", every_n_batches=10, resume=False):
        super().__init__()
        self.path = os.fspath(path)
        self.every_n_batches = every_n_batches
        self.history = {"step": []}
        self.quality = {}  # {"fid": {"step": [...], "value": [...]}}: per evaluation
        self.steps_done = 0
        self.epoch_ends = []  # [epochs done, steps done] at each epoch's end
        self._last_record = {}
        self._json_path = os.path.splitext(self.path)[0] + ".json"
        if resume and os.path.exists(self._json_path):
            with open(self._json_path) as file:
                saved = json.load(file)
            self.history, self.steps_done = saved["curves"], saved["steps_done"]
            self.quality = saved.get("quality", self.quality)
            self.epoch_ends = saved.get("epoch_ends", [])

    def on_train_begin(self, logs=None):
        remove_temporary_files(os.path.dirname(os.path.abspath(self.path)))

    def on_epoch_begin(self, epoch, logs=None):
        self._last_record = {}  # key: (batches, running mean) when last recorded
        # A run killed after writing an epoch's curves but before its checkpoint
        # resumes at an earlier epoch than the curves reached: drop the later points.
        if any(done > epoch for done, _ in self.epoch_ends):
            self.epoch_ends = [[done, steps] for done, steps in self.epoch_ends if done <= epoch]
            self.steps_done = self.epoch_ends[-1][1] if self.epoch_ends else 0
            kept = sum(step <= self.steps_done for step in self.history["step"])
            self.history = {key: values[:kept] for key, values in self.history.items()}
            for measured in self.quality.values():
                kept = sum(step <= self.steps_done for step in measured["step"])
                measured["step"], measured["value"] = measured["step"][:kept], measured["value"][:kept]

    def on_train_batch_end(self, batch, logs=None):
        self.steps_done += 1
        if batch % self.every_n_batches or not logs:
            return
        self.history["step"].append(self.steps_done)
        count = batch + 1  # batches in the epoch's running means
        for key, value in logs.items():
            mean = float(keras.ops.convert_to_numpy(value))
            previous_count, previous_mean = self._last_record.get(key, (0, 0.0))
            window = (mean * count - previous_mean * previous_count) / (count - previous_count)
            self.history.setdefault(key, []).append(window)
            self._last_record[key] = (count, mean)

    def on_epoch_end(self, epoch, logs=None):
        for key in QUALITY_KEYS:
            if logs and key in logs:
                measured = self.quality.setdefault(key, {"step": [], "value": []})
                measured["step"].append(self.steps_done)
                measured["value"].append(float(logs[key]))
        self.epoch_ends.append([epoch + 1, self.steps_done])
        if len(self.history["step"]) > 0:
            self.plot()

    def plot(self):
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        panels = [
            ("losses", [k for k in self.history if k.endswith("loss") or k == "gp"]),
            ("reconstruction (L1)", [k for k in self.history if k in RECONSTRUCTION_KEYS]),
            ("discriminator scores", [k for k in self.history if k.endswith("score")]),
        ]
        curves = {key: (self.history["step"][: len(values)], values, None) for key, values in self.history.items()}
        curves.update({key: (measured["step"], measured["value"], "o") for key, measured in self.quality.items()})
        panels.append(("sample quality (lower is better)", list(self.quality)))
        panels = [(title, keys) for title, keys in panels if keys]
        figure, axes = plt.subplots(len(panels), 1, figsize=(7, 3 * len(panels)), sharex=True, squeeze=False)
        for axis, (title, keys) in zip(axes[:, 0], panels):
            for key in keys:
                steps, values, marker = curves[key]
                axis.plot(steps, values, label=key, marker=marker)
            axis.set_title(title)
            axis.legend(loc="best")
            axis.grid(alpha=0.3)
        axes[-1, 0].set_xlabel("training step (running mean within each epoch)")
        figure.tight_layout()
        atomic_write(self.path, lambda p: figure.savefig(p, format="png"))
        plt.close(figure)
        saved = {"steps_done": self.steps_done, "curves": self.history, "quality": self.quality, "epoch_ends": self.epoch_ends}
        write_text(self._json_path, json.dumps(saved))


# The entry of a checkpoint's .keras archive (a zip file) that holds its epoch count.
_EPOCHS_DONE_ENTRY = "kerasgan_checkpoint.json"


class Checkpoint(keras.callbacks.Callback):
    """Saves the whole GAN (every network and optimizer) every `every_n_epochs` epochs
    and at the end of training, atomically.

    Writes `filepath` (a `.keras` file) and `<filepath>.json` with the number of
    epochs done, so an interrupted run resumes with `keras.models.load_model` and
    `fit(..., initial_epoch=Checkpoint.epochs_done(filepath))`. `kerasgan train
    --resume` does this. The count is also kept inside the `.keras` file, so a run
    killed between the two writes resumes at the right epoch; a run's start removes
    the temporary files a run killed mid-write left in the folder.

    Args:
        filepath: str. A path ending in `.keras`.
        every_n_epochs: int. Defaults to 1.
    """

    def __init__(self, filepath, every_n_epochs=1):
        super().__init__()
        if not os.fspath(filepath).endswith(".keras"):
            raise ValueError(f"Expected a filepath ending in '.keras'. Received: filepath={filepath!r}")
        self.filepath = os.fspath(filepath)
        self.every_n_epochs = every_n_epochs
        self._unsaved_epoch = None  # the last epoch done, when it is not on disk yet

    def on_train_begin(self, logs=None):
        # What a run killed mid-write left: the temporary file it was writing.
        remove_temporary_files(os.path.dirname(os.path.abspath(self.filepath)))

    def on_epoch_end(self, epoch, logs=None):
        self._unsaved_epoch = epoch
        if (epoch + 1) % self.every_n_epochs == 0:
            self._save(epoch)

    def on_train_end(self, logs=None):
        if self._unsaved_epoch is not None:
            self._save(self._unsaved_epoch)

    def _save(self, epoch):
        self._unsaved_epoch = None
        record = json.dumps({"epochs_done": epoch + 1})

        def write(temporary):
            self.model.save(temporary)
            # The count also goes inside the model file, so that the one rename puts
            # both in place: a run killed before the `.json` below is written does
            # not repeat the epoch when resumed.
            with zipfile.ZipFile(temporary, "a") as archive:
                archive.writestr(_EPOCHS_DONE_ENTRY, record)

        atomic_write(self.filepath, write)
        write_text(self.filepath + ".json", record)

    @staticmethod
    def epochs_done(filepath):
        """Epochs completed by the checkpoint at `filepath` (0 if none)."""
        filepath = os.fspath(filepath)
        try:
            with zipfile.ZipFile(filepath) as archive:
                return int(json.loads(archive.read(_EPOCHS_DONE_ENTRY))["epochs_done"])
        except (FileNotFoundError, KeyError, zipfile.BadZipFile):
            pass  # no checkpoint, or one written before the count was kept inside it
        try:
            with open(filepath + ".json") as file:
                return int(json.load(file)["epochs_done"])
        except FileNotFoundError:
            return 0


class FIDCallback(keras.callbacks.Callback):
    """Puts the FID of generated images into the epoch logs every `every_n_epochs`.

    The value lands in `logs["fid"]` (or `logs["cfd"]` with a domain classifier,
    `logs["kid"]` for `KIDCallback`), so `History`, `CSVLogger`, TensorBoard and
    `ModelCheckpoint(monitor="fid", mode="min")` see it: list this callback before
    them. Real statistics are computed once and cached on disk (keyed by the images'
    content, see `kerasgan.metrics`).

    Args:
        real_images: the reference images in [-1, 1]: array, dataset or iterable.
        every_n_epochs: int. Defaults to 1.
        num_samples: int. Generated (and at most real) images per evaluation. Defaults
            to 2000.
        features: str or extractor. "inception" (the FID), or "mnist" /
            "fashion_mnist" for kerasgan's fast classifier FD. Defaults to "inception".
        batch_size: int. Defaults to 50.
        seed: int. Latent seed, the same every time so values are comparable.
            Defaults to 0.
        verbose: bool. Progress bars and a printed value. Defaults to True.

    Example:
    ```python
    gan.fit(dataset, epochs=30, callbacks=[
        kerasgan.callbacks.FIDCallback(test_images, every_n_epochs=5, num_samples=2000),
        keras.callbacks.ModelCheckpoint("best.keras", monitor="fid", mode="min", save_best_only=True),
    ])
    ```
    """

    needs_features = False  # KID needs the features themselves, not only their statistics

    def __init__(self, real_images, every_n_epochs=1, num_samples=2000, features="inception", batch_size=50, seed=0, verbose=True):
        super().__init__()
        self.real_images = real_images
        self.every_n_epochs = every_n_epochs
        self.num_samples = num_samples
        self.features = features
        self.batch_size = batch_size
        self.seed = seed
        self.verbose = verbose
        self.key = "fid" if features == "inception" else "cfd"
        self._real = None

    def _score(self, real, fake):
        return metrics.frechet_distance_from_statistics(real["statistics"], fake["statistics"])

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every_n_epochs:
            return
        extractor = metrics.feature_extractor(self.features)
        keep = self.needs_features
        if self._real is None:
            self._real = metrics.reference_features(
                self.real_images, extractor, self.num_samples, self.batch_size, keep, True, self.verbose
            )
        fake = metrics.extract_features(
            self.model, extractor, self.num_samples, self.batch_size, self.seed, "generated images", keep, False, self.verbose
        )
        value = self._score(self._real, fake)
        if logs is not None:
            logs[self.key] = value
        if self.verbose:
            print(f"epoch {epoch + 1}: {self.key} {value:.4f}")


class KIDCallback(FIDCallback):
    """Puts the KID (Inception features, unbiased, mean over 100 subsets) into `logs["kid"]`.

    Arguments as `FIDCallback`; the real features are kept in memory.
    """

    needs_features = True

    def __init__(self, real_images, every_n_epochs=1, num_samples=2000, features="inception", batch_size=50, seed=0, verbose=True):
        super().__init__(real_images, every_n_epochs, num_samples, features, batch_size, seed, verbose)
        self.key = "kid"

    def _score(self, real, fake):
        return metrics.kernel_distance_from_features(real["features"], fake["features"])[0]
