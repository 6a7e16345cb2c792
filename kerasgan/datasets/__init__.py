"""Training data for GANs: float32 images in [-1, 1], batched as tf.data pipelines.

- `pixels`: the pixel convention (`to_unit_range`, `to_uint8`), in one place.
- `images`: single images, by name (`load`), from arrays or a folder.
"""

from kerasgan.datasets.images import BUNDLED, from_arrays, from_folder, load, load_mnist_sample
from kerasgan.datasets.pixels import to_uint8, to_unit_range

__all__ = [
    "BUNDLED",
    "from_arrays",
    "from_folder",
    "load",
    "load_mnist_sample",
    "to_uint8",
    "to_unit_range",
]
