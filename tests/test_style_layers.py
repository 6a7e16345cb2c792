"""StyleGAN2 layers (equalised lr, modulated convolution, ToRGB) and the minibatch
layers, checked against numpy computations written from the papers' formulas."""

import json
import math

import keras
import numpy as np
import pytest

from kerasgan.families.dcgan.networks import dcgan_discriminator
from kerasgan.families.mlp.networks import mlp_discriminator
from kerasgan.layers import (
    EqualizedConv2D,
    EqualizedDense,
    MinibatchDiscrimination,
    MinibatchStdDev,
    ModulatedConv2D,
    ToRGB,
)


def _np(tensor):
    return keras.ops.convert_to_numpy(tensor)


def _normal(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype("float32")


def _lrelu(values):
    return np.where(values >= 0, values, 0.2 * values) * math.sqrt(2.0)


def _conv_same(images, kernel):
    """Stride-1 'same' cross-correlation, (N, H, W, I) x (k, k, I, O), odd k, in float64."""
    size = kernel.shape[0]
    pad = size // 2
    padded = np.pad(images.astype("float64"), ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    height, width = images.shape[1:3]
    outputs = np.zeros(images.shape[:3] + (kernel.shape[-1],))
    for dy in range(size):
        for dx in range(size):
            outputs += padded[:, dy : dy + height, dx : dx + width, :] @ kernel[dy, dx].astype("float64")
    return outputs


def _upsample_bilinear(images):
    """2x bilinear upsampling with half-pixel centres: weights 3/4 and 1/4, edges repeated."""
    def along(values, axis):
        previous = np.concatenate([np.take(values, [0], axis), np.delete(values, -1, axis)], axis)
        following = np.concatenate([np.delete(values, 0, axis), np.take(values, [-1], axis)], axis)
        even, odd = 0.75 * values + 0.25 * previous, 0.75 * values + 0.25 * following
        stacked = np.stack([even, odd], axis + 1)
        shape = list(values.shape)
        shape[axis] *= 2
        return stacked.reshape(shape)

    return along(along(images, 1), 2)


def _styles(layer, latents):
    affine = layer.affine
    fan_in = latents.shape[-1]
    return latents @ (_np(affine.kernel) / math.sqrt(fan_in)) + _np(affine.bias)


def _randomize_bias(layer, seed=1):
    layer.bias.assign(_normal(*layer.bias.shape, seed=seed))


# Equalised learning rate


def test_equalized_dense_forward_matches_numpy():
    inputs = _normal(4, 7)
    for activation in (None, "lrelu"):
        layer = EqualizedDense(5, lr_multiplier=0.1, bias_init=0.3, activation=activation)
        layer(inputs)
        # The effective bias starts at bias_init; the stored one is bias_init / lr_multiplier.
        np.testing.assert_allclose(_np(layer.bias), 3.0, rtol=1e-6)
        np.testing.assert_allclose(_np(layer.effective_bias()), 0.3, rtol=1e-6)
        _randomize_bias(layer)
        expected = inputs @ (_np(layer.kernel) * 0.1 / math.sqrt(7)) + _np(layer.bias) * 0.1
        if activation == "lrelu":
            expected = _lrelu(expected)
        np.testing.assert_allclose(_np(layer(inputs)), expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("lr_multiplier", [1.0, 0.01])
def test_equalized_dense_effective_weights_start_with_he_std(lr_multiplier):
    layer = EqualizedDense(512, lr_multiplier=lr_multiplier)
    layer.build((None, 64))
    stored, effective = _np(layer.kernel), _np(layer.effective_kernel())
    # Stored ~ N(0, 1 / lr_multiplier^2): the gradient of the stored weight is scaled by
    # lr_multiplier / sqrt(fan_in), and the effective weight starts at std 1 / sqrt(fan_in).
    np.testing.assert_allclose(stored.std(), 1.0 / lr_multiplier, rtol=0.03)
    np.testing.assert_allclose(effective.std(), 1.0 / 8.0, rtol=0.03)
    assert abs(effective.mean()) < 0.01
    np.testing.assert_allclose(effective, stored * lr_multiplier / 8.0, rtol=1e-6)


def test_equalized_conv_matches_numpy_convolution():
    images = _normal(2, 5, 5, 3)
    for activation in (None, "lrelu"):
        layer = EqualizedConv2D(4, 3, activation=activation)
        layer(images)
        _randomize_bias(layer)
        expected = _conv_same(images, _np(layer.kernel) / math.sqrt(3 * 3 * 3)) + _np(layer.bias)
        if activation == "lrelu":
            expected = _lrelu(expected)
        np.testing.assert_allclose(_np(layer(images)), expected, rtol=1e-5, atol=1e-5)
    layer = EqualizedConv2D(256, 3, use_bias=False)
    layer.build((None, 5, 5, 16))
    assert len(layer.weights) == 1
    np.testing.assert_allclose(_np(layer.kernel).std(), 1.0, rtol=0.03)
    np.testing.assert_allclose(_np(layer.effective_kernel()).std(), 1.0 / 12.0, rtol=0.03)


def test_activation_is_checked():
    with pytest.raises(ValueError, match="Expected activation in .* Received: activation='relu'"):
        EqualizedDense(3, activation="relu")


# Modulated convolution


def _modulated_reference(layer, images, latents, demodulate, upsample=False):
    """Each sample convolved with its own modulated (and demodulated) weights."""
    styles = _styles(layer, latents)
    kernel = _np(layer.kernel).astype("float64") / math.sqrt(np.prod(layer.kernel.shape[:3]))
    if upsample:
        images = _upsample_bilinear(images)
    outputs = []
    for sample in range(images.shape[0]):
        weights = kernel * styles[sample][None, None, :, None]  # W'_ijk = s_i W_ijk
        if demodulate:
            weights = weights / np.sqrt(np.sum(weights**2, axis=(0, 1, 2), keepdims=True) + 1e-8)
        outputs.append(_conv_same(images[sample : sample + 1], weights)[0])
    return np.stack(outputs) + _np(layer.bias)


@pytest.mark.parametrize("demodulate", [True, False])
@pytest.mark.parametrize("upsample", [False, True])
def test_modulated_conv_matches_per_sample_weights(demodulate, upsample):
    images, latents = _normal(3, 4, 4, 5), _normal(3, 6, seed=1)
    layer = ModulatedConv2D(4, demodulate=demodulate, upsample=upsample, activation=None, use_noise=False)
    layer([images, latents])
    _randomize_bias(layer)
    # Styles away from 1, so that modulation matters.
    layer.affine.bias.assign(_normal(5, seed=2))
    expected = _modulated_reference(layer, images, latents, demodulate, upsample)
    np.testing.assert_allclose(_np(layer([images, latents])), expected, rtol=1e-5, atol=1e-5)


def test_modulated_conv_with_activation_and_zero_noise_strength():
    images, latents = _normal(2, 4, 4, 3), _normal(2, 6, seed=1)
    layer = ModulatedConv2D(2)
    outputs = layer([images, latents])
    assert float(_np(layer.noise_strength)) == 0.0
    expected = _lrelu(_modulated_reference(layer, images, latents, demodulate=True))
    np.testing.assert_allclose(_np(outputs), expected, rtol=1e-5, atol=1e-5)


def test_upsampling_is_bilinear_with_half_pixel_centres():
    images = _normal(2, 3, 4, 2)
    resized = keras.ops.image.resize(images, (6, 8), interpolation="bilinear")
    np.testing.assert_allclose(_np(resized), _upsample_bilinear(images), rtol=1e-5, atol=1e-6)


def test_demodulation_gives_unit_std_for_any_style_scale():
    images, latents = _normal(8, 16, 16, 32), 10.0 * _normal(8, 16, seed=1)
    layer = ModulatedConv2D(32, activation=None, use_noise=False)
    layer([images, latents])
    layer.affine.bias.assign(10.0 * _normal(32, seed=2))  # styles far from 1
    interior = _np(layer([images, latents]))[:, 1:-1, 1:-1, :]
    # sum_{i,k} W''_ijk^2 = 1: unit-variance inputs give unit-variance outputs.
    np.testing.assert_allclose(interior.std(), 1.0, rtol=0.05)
    plain = ModulatedConv2D(32, demodulate=False, activation=None, use_noise=False)
    plain([images, latents])
    plain.affine.bias.assign(10.0 * _normal(32, seed=2))
    assert _np(plain([images, latents])).std() > 3.0


def test_demodulated_output_ignores_the_scale_of_the_styles():
    images, latents = _normal(2, 5, 5, 4), _normal(2, 6, seed=1)
    layer = ModulatedConv2D(3, activation=None, use_noise=False)
    before = _np(layer([images, latents]))
    layer.affine.kernel.assign(layer.affine.kernel * 7.0)
    layer.affine.bias.assign(layer.affine.bias * 7.0)
    np.testing.assert_allclose(_np(layer([images, latents])), before, rtol=1e-5, atol=1e-5)


def test_noise_is_random_at_every_call_and_can_be_given():
    images, latents = _normal(2, 4, 4, 3), _normal(2, 6, seed=1)
    layer = ModulatedConv2D(2, activation=None)
    first = _np(layer([images, latents]))
    np.testing.assert_allclose(_np(layer([images, latents])), first, atol=1e-6)  # strength 0
    layer.noise_strength.assign(0.5)
    second, third = _np(layer([images, latents])), _np(layer([images, latents]))
    assert np.abs(second - third).max() > 0.1
    # The same noise on every channel of a pixel.
    difference = second - first
    np.testing.assert_allclose(difference, np.repeat(difference[..., :1], 2, axis=-1), atol=1e-5)
    noise = _normal(4, 4, 1, seed=3)
    given = _np(layer([images, latents], noise=noise))
    np.testing.assert_allclose(given, first + 0.5 * noise[None], rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(_np(layer([images, latents], noise=0.0)), first, atol=1e-6)


def test_noise_follows_the_seed():
    images, latents = _normal(2, 4, 4, 3), _normal(2, 6, seed=1)
    outputs = []
    for _ in range(2):
        layer = ModulatedConv2D(2, activation=None, seed=7)
        layer([images, latents])
        layer.noise_strength.assign(1.0)
        outputs.append(_np(layer([images, latents], noise=None)) - _np(layer([images, latents], noise=0.0)))
    np.testing.assert_allclose(outputs[0], outputs[1], atol=1e-6)


def test_modulated_conv_shapes_and_input_errors():
    layer = ModulatedConv2D(6, upsample=True)
    assert layer.compute_output_shape([(None, 4, 4, 3), (None, 8)]) == (None, 8, 8, 6)
    assert tuple(layer([_normal(2, 4, 4, 3), _normal(2, 8)]).shape) == (2, 8, 8, 6)
    assert {weight.name for weight in layer.weights} == {"kernel", "noise_strength", "bias"} | {
        weight.name for weight in layer.affine.weights
    }
    assert tuple(layer.affine.kernel.shape) == (8, 3)
    with pytest.raises(ValueError, match="expects inputs \\[images, w\\].*Received: input_shape"):
        ModulatedConv2D(2)(_normal(2, 4, 4, 3))


def test_to_rgb_is_modulated_without_demodulation_or_noise():
    images, latents = _normal(3, 4, 4, 5), _normal(3, 6, seed=1)
    layer = ToRGB(3)
    layer([images, latents])
    _randomize_bias(layer)
    layer.affine.bias.assign(_normal(5, seed=2))
    styles = _styles(layer, latents)
    kernel = _np(layer.kernel)[0, 0] / math.sqrt(5)
    expected = (images * styles[:, None, None, :]) @ kernel + _np(layer.bias)
    np.testing.assert_allclose(_np(layer([images, latents])), expected, rtol=1e-5, atol=1e-5)
    assert tuple(layer.kernel.shape) == (1, 1, 5, 3)
    assert not hasattr(layer, "noise_strength")
    assert layer.get_config()["channels"] == 3 and "filters" not in layer.get_config()


# Minibatch layers


def _minibatch_stddev_reference(values, group_size, num_channels):
    """StyleGAN2's MinibatchStdLayer, channels last, in float64."""
    batch, channels = values.shape[0], values.shape[-1]
    group = min(group_size, batch)
    spatial = values.shape[1:-1]
    grouped = values.astype("float64").reshape(group, -1, *spatial, num_channels, channels // num_channels)
    stddev = np.sqrt(np.mean((grouped - grouped.mean(axis=0)) ** 2, axis=0) + 1e-8)
    stddev = stddev.mean(axis=tuple(range(1, 1 + len(spatial))) + (2 + len(spatial),))  # (n, F)
    stddev = np.tile(stddev, (group, 1))  # sample g * n + j gets group j's statistic
    stddev = stddev.reshape(batch, *(1,) * len(spatial), num_channels) * np.ones(values.shape[:-1] + (1,))
    return np.concatenate([values, stddev], axis=-1)


@pytest.mark.parametrize(
    "shape, group_size, num_channels",
    [((8, 3, 3, 4), 2, 1), ((8, 3, 3, 4), 4, 1), ((8, 3, 3, 4), 4, 2), ((8, 6), 4, 1), ((8, 6), 2, 3), ((2, 3, 3, 4), 4, 1)],
)
def test_minibatch_stddev_matches_numpy(shape, group_size, num_channels):
    values = _normal(*shape)
    outputs = _np(MinibatchStdDev(group_size, num_channels)(values))
    assert outputs.shape == shape[:-1] + (shape[-1] + num_channels,)
    np.testing.assert_allclose(outputs, _minibatch_stddev_reference(values, group_size, num_channels), rtol=1e-5)


def test_minibatch_stddev_groups_by_stride():
    values = np.zeros((4, 2), "float32")
    values[0], values[2] = 1.0, 3.0  # group 0 = samples 0 and 2 (group_size 2): std 1
    outputs = _np(MinibatchStdDev(group_size=2)(values))[:, -1]
    np.testing.assert_allclose(outputs, [1.0, 1e-4, 1.0, 1e-4], rtol=1e-4)


def test_minibatch_stddev_rejects_a_batch_not_divisible_by_the_group():
    with pytest.raises(ValueError, match="divisible.*Received: batch=6, group_size=4"):
        MinibatchStdDev(group_size=4)(_normal(6, 2, 2, 3))
    with pytest.raises(ValueError, match="divisible by num_channels=2"):
        MinibatchStdDev(num_channels=2)(_normal(4, 3))


def _minibatch_discrimination_reference(features, kernel, num_kernels, kernel_dim):
    projections = (features.astype("float64") @ kernel).reshape(-1, num_kernels, kernel_dim)
    batch = features.shape[0]
    closeness = np.zeros((batch, num_kernels))
    for i in range(batch):
        for j in range(batch):
            if j != i:
                closeness[i] += np.exp(-np.abs(projections[i] - projections[j]).sum(axis=-1))
    return np.concatenate([features, closeness], axis=-1)


def test_minibatch_discrimination_matches_numpy():
    features = _normal(5, 6)
    layer = MinibatchDiscrimination(num_kernels=4, kernel_dim=3, kernel_initializer=keras.initializers.RandomNormal(stddev=0.3))
    outputs = _np(layer(features))
    assert outputs.shape == (5, 10)
    expected = _minibatch_discrimination_reference(features, _np(layer.kernel), 4, 3)
    assert expected[:, 6:].max() > 0.05  # the samples do see each other
    np.testing.assert_allclose(outputs, expected, rtol=1e-5, atol=1e-6)


def test_minibatch_discrimination_identical_samples():
    features = np.repeat(_normal(1, 6), 5, axis=0)
    outputs = _np(MinibatchDiscrimination(num_kernels=3, kernel_dim=2)(features))
    np.testing.assert_allclose(outputs[:, 6:], 4.0, rtol=1e-6)
    with pytest.raises(ValueError, match="flatten images first"):
        MinibatchDiscrimination()(_normal(2, 3, 3, 1))


# Serialization


def _round_trip(model, inputs, tmp_path):
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    np.testing.assert_allclose(_np(loaded(inputs)), _np(model(inputs)), rtol=1e-6, atol=1e-6)
    for saved, restored in zip(model.weights, loaded.weights):
        np.testing.assert_array_equal(_np(saved), _np(restored))
    for layer in model.layers[len(model.inputs) :]:
        config = layer.get_config()
        again = type(layer).from_config(config).get_config()
        assert json.dumps(again, sort_keys=True, default=str) == json.dumps(config, sort_keys=True, default=str)


def test_style_layers_save_and_load(tmp_path):
    images, latents = keras.Input((4, 4, 3)), keras.Input((6,))
    x = EqualizedConv2D(4, 3, activation="lrelu")(images)
    w = EqualizedDense(6, lr_multiplier=0.01, bias_init=0.5, activation="lrelu")(latents)
    x = ModulatedConv2D(5, upsample=True, seed=3)([x, w])
    x = ModulatedConv2D(5, demodulate=False, use_noise=False, activation=None)([x, w])
    x = ToRGB(3)([x, w])
    model = keras.Model([images, latents], x)
    for layer in model.layers[2:]:
        _randomize_bias(layer)
    _round_trip(model, [_normal(2, 4, 4, 3), _normal(2, 6, seed=1)], tmp_path)


def test_minibatch_layers_save_and_load(tmp_path):
    images = keras.Input((3, 3, 2))
    x = MinibatchStdDev(group_size=2, num_channels=2)(images)
    x = keras.layers.Flatten()(x)
    x = MinibatchDiscrimination(num_kernels=4, kernel_dim=2, kernel_initializer="glorot_uniform")(x)
    x = MinibatchStdDev()(x)
    _round_trip(keras.Model(images, x), _normal(4, 3, 3, 2), tmp_path)


# Inside compiled training steps (jit, tf.function) with an unknown batch size


def test_layers_train_inside_a_compiled_step():
    images, latents = keras.Input((4, 4, 3)), keras.Input((6,))
    x = ModulatedConv2D(4, upsample=True)([images, latents])
    x = ToRGB(2)([x, latents])
    x = MinibatchStdDev()(x)
    x = keras.layers.Flatten()(x)
    x = MinibatchDiscrimination(num_kernels=3, kernel_dim=2)(x)
    outputs = EqualizedDense(1)(x)
    model = keras.Model([images, latents], outputs)
    model.compile(optimizer="adam", loss="mse")
    data = [_normal(8, 4, 4, 3), _normal(8, 6, seed=1)]
    history = model.fit(data, np.ones((8, 1), "float32"), batch_size=4, epochs=2, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    assert model.predict(data, batch_size=8, verbose=0).shape == (8, 1)


@pytest.mark.parametrize("policy, tolerance", [("mixed_float16", 1e-2), ("mixed_bfloat16", 1e-1)])
def test_mixed_precision_keeps_float32_weights_and_close_outputs(policy, tolerance):
    images, latents = _normal(4, 4, 4, 3), _normal(4, 6, seed=1)
    reference = ModulatedConv2D(4, upsample=True, activation=None)
    expected = _np(reference([images, latents]))
    keras.config.set_dtype_policy(policy)
    try:
        layer = ModulatedConv2D(4, upsample=True, activation=None)
        layer([images, latents])
        layer.set_weights(reference.get_weights())
        outputs = layer([images, latents])
        others = [ToRGB(3)([images, latents]), MinibatchStdDev()(images), MinibatchDiscrimination(3, 2)(latents)]
    finally:
        keras.config.set_dtype_policy("float32")
    compute_dtype = policy.removeprefix("mixed_")
    assert {keras.backend.standardize_dtype(weight.dtype) for weight in layer.weights} == {"float32"}
    for tensor in [outputs, *others]:
        assert keras.backend.standardize_dtype(tensor.dtype) == compute_dtype
    np.testing.assert_allclose(_np(keras.ops.cast(outputs, "float32")), expected, atol=tolerance)


# Discriminators


@pytest.mark.parametrize("minibatch", [None, "stddev", "discrimination"])
def test_discriminators_with_minibatch_layers(minibatch):
    images = np.random.default_rng(0).uniform(-1, 1, (4, 16, 16, 1)).astype("float32")
    discriminator = dcgan_discriminator((16, 16, 1), base_filters=4, minibatch=minibatch)
    assert tuple(discriminator(images).shape) == (4,)
    conditional = dcgan_discriminator((16, 16, 1), base_filters=4, num_classes=3, minibatch=minibatch)
    assert tuple(conditional([images, np.array([0, 1, 2, 0], "int32")]).shape) == (4,)
    mlp = mlp_discriminator((16, 16, 1), hidden_units=(8,), minibatch=minibatch)
    assert tuple(mlp(images).shape) == (4,)
    names = {layer.name for layer in discriminator.layers} | {layer.name for layer in mlp.layers}
    assert ("minibatch_stddev" in names) == (minibatch == "stddev")
    assert ("minibatch_discrimination" in names) == (minibatch == "discrimination")


def test_discriminators_reject_an_unknown_minibatch_option():
    with pytest.raises(ValueError, match="Expected minibatch in .* Received: minibatch='std'"):
        dcgan_discriminator((16, 16, 1), minibatch="std")
    with pytest.raises(ValueError, match="Expected minibatch in .* Received: minibatch='std'"):
        mlp_discriminator((16, 16, 1), minibatch="std")
