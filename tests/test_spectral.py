"""Spectral normalisation: the effective kernel's largest singular value goes to 1."""

import keras
import numpy as np

from kerasgan.networks import SpectralConv2D, SpectralDense


def _largest_singular_value(kernel):
    matrix = np.reshape(keras.ops.convert_to_numpy(kernel), (-1, kernel.shape[-1]))
    return np.linalg.svd(matrix, compute_uv=False)[0]


def test_dense_power_iteration_converges_to_unit_spectral_norm():
    layer = SpectralDense(6, kernel_initializer=keras.initializers.RandomNormal(stddev=3.0))
    inputs = np.random.default_rng(0).standard_normal((4, 10)).astype("float32")
    layer(inputs)
    assert _largest_singular_value(layer.kernel) > 3.0  # far from 1 before normalising
    for _ in range(30):
        layer(inputs, training=True)
    normalized = layer.spectral_kernel(training=False)
    np.testing.assert_allclose(_largest_singular_value(normalized), 1.0, rtol=1e-3)
    # The trained kernel itself is not overwritten.
    assert _largest_singular_value(layer.kernel) > 3.0


def test_conv_output_uses_the_normalized_kernel():
    layer = SpectralConv2D(3, 3, padding="same", use_bias=False)
    images = np.random.default_rng(1).standard_normal((2, 5, 5, 2)).astype("float32")
    layer(images)
    for _ in range(30):
        layer(images, training=True)
    plain = keras.layers.Conv2D(3, 3, padding="same", use_bias=False)
    plain(images)
    plain.kernel.assign(layer.spectral_kernel(training=False))
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(layer(images)), keras.ops.convert_to_numpy(plain(images)), atol=1e-5
    )
