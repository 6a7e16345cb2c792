"""A perceptual distance between images on the FID Inception network's feature maps.

It has LPIPS's form (Zhang et al. 2018, "The Unreasonable Effectiveness of Deep Features
as a Perceptual Metric") with every channel weighted equally: at each of a few layers the
feature vector of every position is scaled to unit length, and the distance is the
squared difference summed over channels, averaged over positions, summed over layers.
LPIPS's VGG-16 weights are not served by any package registry; the FID Inception
network's are (`kerasgan.metrics.inception`), so projection has a perceptual term offline.
"""

import numpy as np
from keras import ops

from kerasgan.metrics.inception import build_inception_feature_maps, reference_resize_matrix

__all__ = ["PerceptualDistance"]

# From the stem's edges to the 17x17 (at 299 px) mixed blocks, as LPIPS spans VGG-16.
LAYERS = ("conv_2", "conv_4", "mixed_2", "mixed_7")


class PerceptualDistance:
    """Perceptual distances for images in [-1, 1] of `image_shape` (1 or 3 channels).

    The images are resized (bilinear, differentiably) to `size` before the network: by
    default their own size, between 128 (small images have too few positions at the
    deeper layers) and 256 (StyleGAN2's projector also judges at 256 px).

    Example:
    ```python
    distance = PerceptualDistance((32, 32, 3))
    distance(images, reconstructions)  # numpy (n,): 0 for identical images
    ```
    """

    def __init__(self, image_shape, size=None, layers=LAYERS, weights=None, download=True):
        height, width, channels = image_shape
        if channels not in (1, 3):
            raise ValueError(f"Expected images with 1 or 3 channels. Received: image_shape={tuple(image_shape)}")
        self.image_shape = tuple(image_shape)
        self.size = int(size or min(256, max(128, height, width)))
        self.layers = tuple(layers)
        self.network = build_inception_feature_maps(self.size, self.layers, weights, download)
        self._rows = reference_resize_matrix(height, self.size)
        self._columns = reference_resize_matrix(width, self.size)

    def features(self, images):
        """The unit-length feature maps of `images`, one tensor per layer (differentiable)."""
        x = ops.cast(images, "float32")
        if self.image_shape[-1] == 1:
            x = ops.repeat(x, 3, axis=-1)
        if self.image_shape[:2] != (self.size, self.size):
            x = ops.einsum("oh,nhwc->nowc", ops.convert_to_tensor(self._rows), x)
            x = ops.einsum("pw,nowc->nopc", ops.convert_to_tensor(self._columns), x)
        maps = self.network(x, training=False)
        return [m * ops.rsqrt(ops.sum(ops.square(m), axis=-1, keepdims=True) + 1e-10) for m in maps]

    @staticmethod
    def between_features(features_a, features_b):
        """The distance of each image, `(n,)`, from two images' `features`."""
        return sum(ops.mean(ops.sum(ops.square(a - b), axis=-1), axis=(1, 2)) for a, b in zip(features_a, features_b))

    def __call__(self, images_a, images_b, batch_size=32):
        """The distance between each pair of images, as numpy `(n,)`."""
        images_a, images_b = np.asarray(images_a, np.float32), np.asarray(images_b, np.float32)
        if images_a.shape != images_b.shape or images_a.shape[1:] != self.image_shape:
            raise ValueError(
                f"Expected two batches of images of shape (n, {', '.join(map(str, self.image_shape))}). "
                f"Received: {images_a.shape} and {images_b.shape}"
            )
        distances = [
            ops.convert_to_numpy(self.between_features(self.features(images_a[i : i + batch_size]), self.features(images_b[i : i + batch_size])))
            for i in range(0, len(images_a), batch_size)
        ]
        return np.concatenate(distances) if distances else np.zeros((0,), np.float32)
