"""Fixed uint8 images, defined by formulas, for the FID Inception reference test."""

import numpy as np


def reference_images():
    """`{name: uint8 NHWC}`: RGB at 299 (no resize), RGB at 64 and grey at 28 (resized)."""

    def pattern(size, channels, phase):
        y, x = np.meshgrid(np.arange(size), np.arange(size), indexing="ij")
        planes = [
            np.sin(x * (0.05 + 0.3 / size) * (c + 1) + phase) * np.cos(y * (0.07 + 0.2 / size) + c * phase)
            for c in range(channels)
        ]
        return np.rint((np.stack(planes, -1) + 1) * 127.5).astype(np.uint8)

    return {
        "rgb_299": np.stack([pattern(299, 3, phase) for phase in (0.0, 1.3)]),
        "rgb_64": np.stack([pattern(64, 3, phase) for phase in (0.4, 2.1)]),
        "grey_28": np.stack([pattern(28, 1, phase) for phase in (0.7, 2.9)]),
    }
