"""The pixel convention, in one place: images are float32 in [-1, 1].

Loaders map pixels with `to_unit_range` (`uint8 / 127.5 - 1`); `to_uint8` maps
generated images back for display and for metrics. A leaf module: it imports nothing
of kerasgan.
"""

import numpy as np


def tensorflow():
    # Imported on first use, so that `import kerasgan` works where only JAX or
    # PyTorch is installed (training from arrays needs no TensorFlow).
    import tensorflow as tf

    return tf


def to_unit_range(images, value_range=(0, 255)):
    """Maps pixels from `value_range` to float32 in [-1, 1]."""
    tf = tensorflow()
    low, high = value_range
    images = tf.cast(images, tf.float32)
    return (images - low) * (2.0 / (high - low)) - 1.0


def to_uint8(images):
    """Maps images in [-1, 1] (numpy or tensor) to uint8 pixels, as numpy."""
    images = np.asarray(images, dtype=np.float32)
    return np.clip(np.rint((images + 1.0) * 127.5), 0, 255).astype(np.uint8)
