"""Checks that stop bad input or a diverged run with a message the user can act on."""

import math
import warnings

import keras
import numpy as np

_RANGE_TOLERANCE = 1e-3


def _first_batch(data):
    """The first element of a tf.data.Dataset, the arrays themselves, or None."""
    if isinstance(data, tuple) and data and isinstance(data[0], np.ndarray):
        return data if _first_batch(data[0]) is not None else None
    if isinstance(data, np.ndarray) or keras.ops.is_tensor(data):
        if data.shape[0] == 0:
            raise ValueError(
                "The training data is empty. Expected at least one image. "
                f"Received: an array of shape {tuple(data.shape)}"
            )
        return data
    # Not gradient code: tf.data is the dataset type kerasgan.datasets returns. Imported
    # here so that training from arrays works where only JAX or PyTorch is installed.
    try:
        import tensorflow as tf
    except ImportError:
        return None
    if isinstance(data, tf.data.Dataset):
        if data.cardinality() == 0:
            raise ValueError(
                "The training dataset is empty (cardinality 0). Expected a dataset "
                "that yields at least one batch of images."
            )
        for element in data.take(1):
            return element
        raise ValueError(
            "The training dataset is empty: it yielded no batch. Expected a dataset "
            "that yields at least one batch of images."
        )
    return None


def check_training_data(data, image_shape, num_classes=None, signed=True):
    """Fails early, with what was expected and received, on unusable training data.

    Checks the first batch of `data` (a `tf.data.Dataset`, or an array of images):
    it must not be empty, its images must have shape `image_shape` (the generator's
    output) and hold floats in [-1, 1]; for a conditional GAN it must also yield
    int labels in [0, num_classes). Other iterables are not inspected.

    Args:
        data: the `x` given to `fit`, or `(x, y)` when `y` is given.
        image_shape: tuple. The generator's output shape, without the batch axis.
        num_classes: int or None. Set for conditional GANs.
        signed: bool. Whether the data's own range is [-1, 1] (images), so that data
            with nothing below 0 gets a warning; False for [0, 1] data (voxels).
    """
    batch = _first_batch(data)
    if batch is None:
        return
    images = batch[0] if isinstance(batch, (tuple, list)) else batch
    if num_classes:
        _check_labels(batch, num_classes)
    check_images(images, image_shape, signed=signed)


def first_batch(data):
    """The first element of a tf.data.Dataset or the arrays themselves, or None when
    `data` is another kind of iterable (not inspected). Raises on empty data."""
    return _first_batch(data)


def check_images(images, image_shape, what="training images", network="the generator's output", signed=True):
    """Fails, saying what was expected and received, unless `images` is a batch of
    shape `(batch, *image_shape)` holding floats in [-1, 1] or, for images (`signed`),
    uint8 pixels, which the model's step maps to [-1, 1] on the device."""
    images = keras.ops.convert_to_numpy(images)
    if tuple(images.shape[1:]) != tuple(image_shape):
        hint = (
            " They have 4 channels (RGBA?): composite them onto a background or drop the alpha "
            "channel (kerasgan.datasets does this)."
            if images.ndim == 4 and images.shape[-1] == 4 and image_shape[-1] != 4
            else " Load the data with kerasgan.datasets (image_size=...) or build the model for this shape."
        )
        raise ValueError(
            f"Expected {what} of shape (batch, {', '.join(map(str, image_shape))}), {network} "
            f"shape. Received: {what} of shape {tuple(images.shape)}.{hint}"
        )
    if signed and images.dtype == np.uint8:
        return  # pixels in [0, 255], whatever their values
    if not np.issubdtype(images.dtype, np.floating):
        accepted = "uint8 pixels or floats in [-1, 1]" if signed else "floats in [0, 1]"
        raise ValueError(
            f"Expected {what} as {accepted}. Received: dtype "
            f"{images.dtype} with values in [{images.min()}, {images.max()}]. "
            + ("Convert with images.astype('uint8'), rescale with images / 127.5 - 1, or load through kerasgan.datasets."
               if signed else "Load them through kerasgan.datasets.")
        )
    low, high = float(images.min()), float(images.max())
    if not (math.isfinite(low) and math.isfinite(high)):
        raise ValueError(f"Expected finite {what}. Received: NaN or infinite values.")
    if low < -1 - _RANGE_TOLERANCE or high > 1 + _RANGE_TOLERANCE:
        raise ValueError(
            f"Expected {what} in [-1, 1]. Received: values in "
            f"[{low:g}, {high:g}]. Rescale uint8 pixels with images / 127.5 - 1 "
            "(kerasgan.datasets does this for you)."
        )
    if signed and low >= 0.0 and high > 0.0:
        # In range, but likely the commonest scaling slip: pixels / 255, not / 127.5 - 1.
        warnings.warn(
            f"The {what} lie in [{low:g}, {high:g}], none below 0, but kerasgan's models expect "
            "[-1, 1]. If they were scaled to [0, 1], use images * 2 - 1 (kerasgan.datasets does "
            "this for you).",
            stacklevel=4,
        )


def _check_labels(batch, num_classes):
    if not isinstance(batch, (tuple, list)) or len(batch) < 2:
        raise ValueError(
            "A conditional GAN trains on (images, labels). Received: images without "
            "labels. Load them with kerasgan.datasets.load(name, labels=True), or call "
            "fit(images, labels)."
        )
    labels = keras.ops.convert_to_numpy(batch[1])
    if not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"Expected int class labels. Received: labels of dtype {labels.dtype}")
    if labels.min() < 0 or labels.max() >= num_classes:
        raise ValueError(
            f"Expected labels in [0, {num_classes}). Received: labels in "
            f"[{labels.min()}, {labels.max()}]"
        )


class StopOnNaN(keras.callbacks.Callback):
    """Stops training with an error as soon as a logged loss is NaN or infinite.

    `GAN.fit` adds it unless one is given. The error is raised before the epoch
    ends, so checkpoint callbacks keep the last good weights on disk.

    The check does not hold training up. On JAX and PyTorch, Keras runs batch-end
    callbacks on a worker thread when every callback is `async_safe`, so the step
    that reads the losses runs there while the next steps are dispatched; an error
    raised there reaches `fit` at the next batch end or, at the latest, before any
    callback's `on_epoch_end` (Keras waits for the worker first). It still names the
    exact batch. TensorFlow has no such dispatch; its `fit` reads the logs every
    batch anyway, so the check adds no host sync there either.

    Args:
        keys: tuple of str. The log keys to watch. Defaults to ("d_loss", "g_loss").
    """

    # Reads only the logs it is given and sets the model's `stop_training` flag.
    async_safe = True

    def __init__(self, keys=("d_loss", "g_loss")):
        super().__init__()
        self.keys = tuple(keys)
        self._epoch = 0
        self._training_model = None

    def set_model(self, model):
        super().set_model(model)
        # On JAX, `Callback.model` writes the step's state back into the variables
        # (`jax_state_sync`). From the worker thread that would race the next step,
        # which donates that state: the model would keep deleted buffers. Setting the
        # flag needs no state, so this callback keeps its own reference.
        self._training_model = model

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        for key in self.keys:
            if logs and key in logs:
                value = float(keras.ops.convert_to_numpy(logs[key]))
                if not math.isfinite(value):
                    self._training_model.stop_training = True
                    raise FloatingPointError(
                        f"Training stopped: {key} became {value} at epoch {self._epoch + 1}, "
                        f"batch {batch + 1}. The weights in memory are no longer usable; "
                        "checkpoints written before this batch are intact. Check the data for "
                        "NaN or infinite values (only the first batch is checked before training), "
                        "then try a lower learning rate, label smoothing, or a loss with gradient penalty."
                    )
