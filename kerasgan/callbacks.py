"""Callbacks for GAN training: sample grids, training curves, atomic checkpoints.

Every file is written to a temporary name in the same folder and then renamed, so a
file on disk is either complete or absent, never half-written.
"""

import json
import math
import os
import shutil
import tempfile

import keras
import numpy as np

from kerasgan.datasets import to_uint8
from kerasgan.models.guards import StopOnNaN

__all__ = ["Checkpoint", "SampleGrid", "StopOnNaN", "TrainingCurves", "save_image_grid"]


def _file_mode():
    # mkstemp makes files private; written files get a normal file's permissions.
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


_FILE_MODE = _file_mode()


def _atomic_write(path, write):
    """Calls `write(temporary_path)`, then renames the result to `path`."""
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    suffix = os.path.splitext(path)[1]
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=".tmp-", suffix=suffix)
    os.close(handle)
    try:
        write(temporary)
        os.chmod(temporary, _FILE_MODE)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.remove(temporary)
        raise


def _write_text(path, text):
    def write(temporary):
        with open(temporary, "w") as file:
            file.write(text)

    _atomic_write(path, write)


def image_grid(images, rows=None):
    """Tiles images in [-1, 1] `(n, h, w, c)` into one uint8 picture `(H, W, c)`."""
    images = to_uint8(images)
    n, height, width, channels = images.shape
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


def save_image_grid(images, path, rows=None, title=None):
    """Saves images in [-1, 1] as one PNG grid (atomically), with matplotlib."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    grid = image_grid(images, rows)
    figure = plt.figure(figsize=(grid.shape[1] / 40 + 0.2, grid.shape[0] / 40 + (0.5 if title else 0.2)), dpi=100)
    axis = figure.add_axes([0, 0, 1, 0.94 if title else 1])
    axis.imshow(grid.squeeze(-1) if grid.shape[-1] == 1 else grid, cmap="gray", vmin=0, vmax=255, interpolation="nearest")
    axis.axis("off")
    if title:
        figure.suptitle(title, fontsize=9)
    _atomic_write(path, lambda p: figure.savefig(p, format="png"))
    plt.close(figure)


def sample_for_grid(gan, num_images, seed=None):
    """`(images, rows)` for a grid: one row per class for conditional GANs."""
    if not gan.num_classes:
        return gan.generate(num_images, seed=seed), None
    per_class = max(1, num_images // gan.num_classes)
    labels = np.repeat(np.arange(gan.num_classes), per_class)
    return gan.generate(len(labels), seed=seed, labels=labels), gan.num_classes


class SampleGrid(keras.callbacks.Callback):
    """Renders a fixed batch of latents to a PNG grid every `every_n_epochs` epochs.

    The same latents are used at every epoch, so the grids show how the generator
    changes. Conditional GANs get one row per class. Files are named
    `samples_epoch_{epoch:03d}.png` (epoch from 1), plus a copy `samples_latest.png`.

    Args:
        directory: str. Where to write the grids.
        num_images: int. Images per grid. Defaults to 64.
        every_n_epochs: int. Defaults to 1.
        seed: int. Seed of the fixed latents. Defaults to 0.

    Example:

    ```python
    gan.fit(dataset, epochs=10, callbacks=[kerasgan.callbacks.SampleGrid("runs/dcgan")])
    ```
    """

    def __init__(self, directory, num_images=64, every_n_epochs=1, seed=0):
        super().__init__()
        self.directory = os.fspath(directory)
        self.num_images = num_images
        self.every_n_epochs = every_n_epochs
        self.seed = seed
        self.paths = []

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every_n_epochs:
            return
        images, rows = sample_for_grid(self.model, self.num_images, self.seed)
        title = f"epoch {epoch + 1}"
        path = os.path.join(self.directory, f"samples_epoch_{epoch + 1:03d}.png")
        save_image_grid(images, path, rows=rows, title=title)
        latest = os.path.join(self.directory, "samples_latest.png")
        _atomic_write(latest, lambda temporary: shutil.copyfile(path, temporary))
        self.paths.append(path)


class TrainingCurves(keras.callbacks.Callback):
    """Plots the logged losses and scores to a PNG at the end of every epoch.

    Records every `every_n_batches` batches the logs Keras reports (running means
    within the epoch), and keeps them as JSON next to the plot (`.json`).

    Args:
        path: str. The PNG file. Defaults to "training_curves.png".
        every_n_batches: int. Defaults to 10.
        resume: bool. Continue the curves kept in the `.json` next to `path`, for a
            resumed run. Defaults to False.
    """

    def __init__(self, path="training_curves.png", every_n_batches=10, resume=False):
        super().__init__()
        self.path = os.fspath(path)
        self.every_n_batches = every_n_batches
        self.history = {"step": []}
        self.steps_done = 0
        self._json_path = os.path.splitext(self.path)[0] + ".json"
        if resume and os.path.exists(self._json_path):
            with open(self._json_path) as file:
                saved = json.load(file)
            self.history, self.steps_done = saved["curves"], saved["steps_done"]

    def on_train_batch_end(self, batch, logs=None):
        self.steps_done += 1
        if batch % self.every_n_batches or not logs:
            return
        self.history["step"].append(self.steps_done)
        for key, value in logs.items():
            self.history.setdefault(key, []).append(float(keras.ops.convert_to_numpy(value)))

    def on_epoch_end(self, epoch, logs=None):
        if len(self.history["step"]) > 0:
            self.plot()

    def plot(self):
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        steps = self.history["step"]
        panels = [
            ("losses", [k for k in self.history if k.endswith("loss") or k == "gp"]),
            ("discriminator scores", [k for k in self.history if k.endswith("score")]),
        ]
        panels = [(title, keys) for title, keys in panels if keys]
        figure, axes = plt.subplots(len(panels), 1, figsize=(7, 3 * len(panels)), sharex=True, squeeze=False)
        for axis, (title, keys) in zip(axes[:, 0], panels):
            for key in keys:
                values = self.history[key]
                axis.plot(steps[: len(values)], values, label=key)
            axis.set_title(title)
            axis.legend(loc="best")
            axis.grid(alpha=0.3)
        axes[-1, 0].set_xlabel("training step (running mean within each epoch)")
        figure.tight_layout()
        _atomic_write(self.path, lambda p: figure.savefig(p, format="png"))
        plt.close(figure)
        _write_text(self._json_path, json.dumps({"steps_done": self.steps_done, "curves": self.history}))


class Checkpoint(keras.callbacks.Callback):
    """Saves the whole GAN (both networks and both optimizers) every epoch, atomically.

    Writes `filepath` (a `.keras` file) and `<filepath>.json` with the number of
    epochs done, so an interrupted run resumes with `keras.models.load_model` and
    `fit(..., initial_epoch=epochs_done)`. `kerasgan train --resume` does this.

    Args:
        filepath: str. A path ending in `.keras`.
    """

    def __init__(self, filepath):
        super().__init__()
        if not os.fspath(filepath).endswith(".keras"):
            raise ValueError(f"Expected a filepath ending in '.keras'. Received: filepath={filepath!r}")
        self.filepath = os.fspath(filepath)

    def on_epoch_end(self, epoch, logs=None):
        _atomic_write(self.filepath, self.model.save)
        _write_text(self.filepath + ".json", json.dumps({"epochs_done": epoch + 1}))

    @staticmethod
    def epochs_done(filepath):
        """Epochs completed by the checkpoint at `filepath` (0 if none)."""
        try:
            with open(os.fspath(filepath) + ".json") as file:
                return int(json.load(file)["epochs_done"])
        except FileNotFoundError:
            return 0
