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


def test_inference_before_training_does_not_depend_on_the_vectors_length():
    # The power-iteration vector starts as a random draw, not a unit vector: sigma must
    # not scale with its length (an untrained layer was off by ~10x).
    layer = SpectralDense(6)
    inputs = np.random.default_rng(2).standard_normal((4, 10)).astype("float32")
    before = keras.ops.convert_to_numpy(layer(inputs))
    layer.vector_u.assign(10.0 * keras.ops.convert_to_numpy(layer.vector_u))
    np.testing.assert_allclose(keras.ops.convert_to_numpy(layer(inputs)), before, rtol=1e-5)
    # With unit vectors the estimate v W u^T is at most the largest singular value (with
    # |u| = 10 unnormalised, it would be up to 10 times that).
    true_sigma = _largest_singular_value(layer.kernel)
    estimate = true_sigma / _largest_singular_value(layer.spectral_kernel(training=False))
    assert 0 < estimate <= true_sigma * (1 + 1e-5)
