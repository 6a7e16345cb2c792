"""fit() must not wait for each step's results on the training thread (issue: speed on GPUs).

A read of a device array on the main thread (`np.asarray`, `float`, `.item()`) blocks
the Python loop until that step has run, so the next step cannot be queued behind it.
`jax.transfer_guard` cannot show this on the CPU backend (it never fires there), so
these tests count the reads made on the main thread during a short and a longer
`fit`: the difference over the extra steps is the reads per step, and must be 0, as in
plain Keras `fit` (whose log conversion runs on a worker thread).
"""

import threading

import keras
import numpy as np
import pytest
from helpers import random_images, tiny_gan

# The NaN guard on the worker thread keeps its promise (the exact batch, no checkpoint
# from bad weights): tests/test_gan.py::test_nan_stops_training_before_a_checkpoint_is_written.
import kerasgan

BACKEND = keras.backend.backend()
pytestmark = pytest.mark.skipif(
    BACKEND != "jax",
    reason="JAX only: TensorFlow's fit reads every step's logs on the training thread itself (no async "
    "callback dispatch there); on torch, Keras's RNG reads its seed as an int on every keras.random call "
    "(2 reads a step, in Keras; kerasgan keeps that state on the host, which only a GPU run can tell apart) and the torch counter is not validated yet",
)


class MainThreadReads:
    """Counts host reads of device arrays (JAX) or tensors (torch) on the main thread:
    `np.asarray`, `np.array`, `float`, `int`, `bool`, `.item()`, `.tolist()` (and torch's
    `.numpy()`, `.cpu()`)."""

    def __init__(self, monkeypatch):
        self.count = 0
        if BACKEND == "jax":
            import jax

            self.array_type = jax.Array
            from jax._src.array import ArrayImpl as cls  # the concrete class of jax.Array

            methods = ("__float__", "__int__", "__bool__", "item", "tolist")
        else:
            import torch

            self.array_type = cls = torch.Tensor
            methods = ("__float__", "__int__", "__bool__", "item", "tolist", "numpy", "cpu")
        for name in methods:
            monkeypatch.setattr(cls, name, self._wrap(getattr(cls, name)))
        # numpy reads a CPU array through the buffer protocol, bypassing its methods.
        for name in ("asarray", "array"):
            monkeypatch.setattr(np, name, self._wrap(getattr(np, name)))

    def _wrap(self, read):
        def counted(value, *args, **kwargs):
            if isinstance(value, self.array_type) and threading.current_thread() is threading.main_thread():
                self.count += 1
            return read(value, *args, **kwargs)

        return counted


def _reads_per_step(monkeypatch, tmp_path, callbacks_for):
    gan = tiny_gan()
    gan.compile()
    images = random_images(8 * 40)
    gan.fit(images, batch_size=8, epochs=1, steps_per_epoch=2, verbose=0)  # compiles
    reads = MainThreadReads(monkeypatch)
    counts = []
    for steps in (10, 40):
        reads.count = 0
        gan.fit(images, batch_size=8, epochs=1, steps_per_epoch=steps, verbose=0, callbacks=callbacks_for(tmp_path / str(steps)))
        counts.append(reads.count)
    return (counts[1] - counts[0]) / 30


def test_default_fit_reads_nothing_per_step_on_the_training_thread(monkeypatch, tmp_path):
    # GAN.fit adds its NaN guard (StopOnNaN): its per-batch check runs on Keras's worker thread.
    assert _reads_per_step(monkeypatch, tmp_path, lambda path: []) == 0


def test_documented_callbacks_read_nothing_per_step_on_the_training_thread(monkeypatch, tmp_path):
    def callbacks(path):
        return [
            kerasgan.callbacks.SampleGrid(path, num_images=4),
            kerasgan.callbacks.TrainingCurves(path / "curves.png", every_n_batches=1),
            kerasgan.callbacks.Checkpoint(path / "model.keras"),
        ]

    assert _reads_per_step(monkeypatch, tmp_path, callbacks) == 0


def test_a_callback_that_reads_on_the_training_thread_is_counted(monkeypatch, tmp_path):
    # The counter itself: a batch-end hook without async_safe runs on the main thread.
    class ReadsLogs(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            np.asarray(keras.ops.convert_to_tensor(1.0) + self.model.generator.trainable_variables[0].value[0, 0])

    assert _reads_per_step(monkeypatch, tmp_path, lambda path: [ReadsLogs()]) >= 1

