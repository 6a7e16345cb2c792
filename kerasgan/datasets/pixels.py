"""The pixel convention, in one place: images are float32 in [-1, 1].

Loaders map pixels with `to_unit_range` (`uint8 / 127.5 - 1`); `to_uint8` maps
generated images back for display and for metrics. Training data may also arrive as
uint8 (a quarter of the bytes to slice and copy each step); a model's step maps it
with `device_unit_range`, the same formula in `keras.ops`, on the device. `resize` is
the one resize every loader uses (bilinear, antialiased), `fit_image` the one way an
image of another aspect ratio is brought to the training size (centre crop, pad or
stretch), `read_image` the one way a file is decoded, and `composite_on_white` the one
way transparent images (RGBA, grey + alpha) become opaque. A leaf module: it imports
nothing of kerasgan but the leaf `kerasgan.logs` (to import TensorFlow quietly).
"""

import keras
import numpy as np

# The image files every folder loader (and `kerasgan translate`) reads.
IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".gif", ".bmp")

# How `fit_image` brings an image of another aspect ratio to the training size.
FITS = ("crop", "pad", "stretch")


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


def check_fit(fit):
    if fit not in FITS:
        raise ValueError(f"Expected fit in {FITS}. Received: fit={fit!r}")


def fit_image(image, image_size, fit="crop"):
    """One image in [-1, 1], `(height, width, channels)`, brought to `image_size`.

    "crop" keeps the centred part of the image that has the target's aspect ratio
    (a square from a 4:3 photo loses its sides), "pad" adds black (-1) borders to
    reach it (nothing is lost), "stretch" resizes as it is (shapes distort). Then the
    image is resized with `resize`. None keeps the image.
    """
    check_fit(fit)
    if image_size is None:
        return image
    tf = tensorflow()
    target_height, target_width = size_pair(image_size)
    if fit != "stretch":
        shape = tf.shape(image)
        height, width = shape[0], shape[1]
        # The crop (or padded canvas) with the target's aspect ratio, in whole pixels.
        if fit == "crop":
            new_height = tf.maximum(1, tf.minimum(height, width * target_height // target_width))
            new_width = tf.maximum(1, tf.minimum(width, height * target_width // target_height))
            top, left = (height - new_height) // 2, (width - new_width) // 2
            image = image[top : top + new_height, left : left + new_width]
        else:
            new_height = tf.maximum(height, -(-width * target_height // target_width))
            new_width = tf.maximum(width, -(-height * target_width // target_height))
            top, left = (new_height - height) // 2, (new_width - width) // 2
            paddings = [[top, new_height - height - top], [left, new_width - width - left], [0, 0]]
            image = tf.pad(image, paddings, constant_values=-1.0)
    return resize(image, (target_height, target_width))


def read_image(data_or_path, mode="RGB"):
    """An image file (bytes or path) as uint8 `(h, w, 3)` (mode "RGB") or `(h, w, 1)` ("L"),
    with any transparency composited onto white."""
    import io

    from PIL import Image

    source = io.BytesIO(data_or_path) if isinstance(data_or_path, bytes) else data_or_path
    with Image.open(source) as image:
        if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
            image = Image.fromarray(composite_on_white(np.asarray(image.convert("RGBA"))))
        array = np.asarray(image.convert(mode))
    return array[..., None] if mode == "L" else array


def file_reader(channels, image_size, fit="crop"):
    """A tf.data map function: an image file's path -> the image in [-1, 1] at
    `image_size`, with `channels` 1 (grey) or 3 (RGB), brought there by `fit_image`."""
    check_fit(fit)
    tf = tensorflow()
    mode = "L" if channels == 1 else "RGB"

    def read_path(path):
        path = path.numpy().decode()
        try:
            return read_image(path, mode)
        except OSError as error:  # PIL's UnidentifiedImageError included
            # Folder scans read a sample of headers; a bad file elsewhere fails here, named.
            raise ValueError(f"Expected readable image files. Received: {path!r}, which is not a readable image ({error}).") from None

    def read(path):
        # PIL, not tf.io.decode_image: it handles every PNG flavour of transparency.
        image = tf.py_function(read_path, [path], tf.uint8)
        image.set_shape((None, None, channels))
        return fit_image(to_unit_range(image), image_size, fit)

    return read


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
