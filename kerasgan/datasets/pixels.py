"""The pixel convention, in one place: images are float32 in [-1, 1].

Loaders map pixels with `to_unit_range` (`uint8 / 127.5 - 1`); `to_uint8` maps
generated images back for display and for metrics. Training data may also arrive as
uint8 (a quarter of the bytes to slice and copy each step); a model's step maps it
with `device_unit_range`, the same formula in `keras.ops`, on the device. `resize` is the one resize every
loader uses (bilinear, antialiased), and `composite_on_white` the one way transparent
images (RGBA, grey + alpha) become opaque. A leaf module: it imports nothing of
kerasgan but the leaf `kerasgan.logs` (to import TensorFlow quietly).
"""

import keras
import numpy as np

# The image files every folder loader (and `kerasgan translate`) reads.
IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".gif", ".bmp")


def tensorflow():
    # Imported on first use, so that `import kerasgan` works where only JAX or
    # PyTorch is installed (training from arrays needs no TensorFlow); quietly, as
    # `kerasgan.logs` says, where it is the first to import it.
    from kerasgan.logs import import_quietly

    return import_quietly("tensorflow")


def check_value_range(images, value_range):
    """Fails when the pixels do not fit `value_range`, before they are mapped to [-1, 1]."""
    low, high = float(images.min()), float(images.max())
    if not (np.isfinite(low) and np.isfinite(high)):
        raise ValueError("Expected finite pixel values. Received: NaN or infinite values.")
    if tuple(value_range) == (0, 255) and np.issubdtype(images.dtype, np.floating) and high <= 1.0:
        raise ValueError(
            f"Expected pixels in value_range=(0, 255). Received: float pixels in [{low:g}, {high:g}], "
            "which (0, 255) would map to black. Pass value_range=(0, 1) (or (-1, 1))."
        )
    span = value_range[1] - value_range[0]
    if low < value_range[0] - 1e-3 * span or high > value_range[1] + 1e-3 * span:
        raise ValueError(
            f"Expected pixels in value_range={tuple(value_range)}. Received: values in [{low:g}, {high:g}]. "
            "Pass the range the images are in."
        )


def to_unit_range(images, value_range=(0, 255)):
    """Maps pixels from `value_range` to float32 in [-1, 1]."""
    tf = tensorflow()
    low, high = value_range
    images = tf.cast(images, tf.float32)
    return (images - low) * (2.0 / (high - low)) - 1.0


def device_unit_range(images):
    """Maps a training batch to float32 in [-1, 1] inside the step: uint8 pixels as
    `to_unit_range` does, other dtypes (images already in [-1, 1]) unchanged."""
    images = keras.ops.convert_to_tensor(images)
    if keras.backend.standardize_dtype(images.dtype) != "uint8":
        return images
    return keras.ops.cast(images, "float32") * (2.0 / 255.0) - 1.0


def to_uint8(images):
    """Maps images in [-1, 1] (numpy or tensor) to uint8 pixels, as numpy."""
    images = np.asarray(images, dtype=np.float32)
    return np.clip(np.rint((images + 1.0) * 127.5), 0, 255).astype(np.uint8)


def size_pair(image_size):
    """`(height, width)` from an int or a pair."""
    return (image_size, image_size) if isinstance(image_size, int) else tuple(image_size)


def resize(images, image_size):
    """Resizes images in [-1, 1] (one or a batch) with antialiased bilinear filtering;
    None keeps them."""
    if image_size is None:
        return images
    tf = tensorflow()
    images = tf.image.resize(images, size_pair(image_size), method="bilinear", antialias=True)
    # Round-off can overshoot by 1e-7; the convention is a closed [-1, 1].
    return tf.clip_by_value(images, -1.0, 1.0)


def composite_on_white(images):
    """Composites uint8 images with alpha (RGBA or grey + alpha) onto a white background.

    Args:
        images: uint8 array `(..., 4)` (RGBA) or `(..., 2)` (grey + alpha), one image
            or a batch.

    Returns:
        uint8 array `(..., 3)` or `(..., 1)`: `colour * alpha + 255 * (1 - alpha)`.

    Example:

    ```python
    rgba = np.zeros((2, 8, 8, 4), np.uint8)  # fully transparent
    kerasgan.datasets.composite_on_white(rgba)  # (2, 8, 8, 3), all 255
    ```
    """
    images = np.asarray(images)
    if images.ndim < 3 or images.shape[-1] not in (2, 4):
        raise ValueError(
            "Expected images with an alpha channel, of shape (..., 4) (RGBA) or (..., 2) "
            f"(grey + alpha). Received: images of shape {images.shape}"
        )
    colour = images[..., :-1].astype(np.float32)
    alpha = images[..., -1:].astype(np.float32) / 255.0
    return np.rint(colour * alpha + 255.0 * (1.0 - alpha)).astype(np.uint8)
