"""StyleGAN: the style-based generator (mapping, mixing, truncation), its preset, learning."""

import json

import keras
import numpy as np
import pytest
from helpers import trainable_count

import kerasgan
from kerasgan.models import StyleGAN, StyleGenerator
from kerasgan.networks import (
    mapping_network,
    num_styles,
    style_discriminator,
    synthesis_network,
)

SHAPE = (8, 8, 1)
LATENT_DIM = W_DIM = 8


def _np(tensor):
    return keras.ops.convert_to_numpy(tensor)


def _generator(mixing_probability=0.9, seed=0, shape=SHAPE):
    keras.utils.set_random_seed(seed)
    return StyleGenerator(
        mapping_network(LATENT_DIM, W_DIM, num_layers=2),
        synthesis_network(shape, W_DIM, channel_base=64, channel_max=8),
        mixing_probability=mixing_probability,
        seed=seed,
    )


def _latents(n, seed=0):
    return np.random.default_rng(seed).standard_normal((n, LATENT_DIM)).astype("float32")


def test_num_styles_is_one_per_convolution_plus_the_last_rgb():
    # 8 px: conv at 4, two at 8, then the last ToRGB; 32 px: 1 + 2 + 2 + 2 + 1.
    assert num_styles((8, 8, 1)) == 4
    assert num_styles((32, 32, 3)) == 8
    assert synthesis_network((32, 32, 3), 16, channel_base=64, channel_max=8).input_shape == (None, 8, 16)


def test_mix_takes_styles_before_the_crossover_from_the_first_latent():
    generator = _generator()
    styles = np.zeros((3, 4, W_DIM), "float32")
    mixing = np.ones((3, 4, W_DIM), "float32")
    mixed = _np(generator.mix(styles, mixing, np.array([0, 2, 4], "int32")))
    # Per sample: layers < crossover from `styles` (0), the rest from `mixing` (1).
    np.testing.assert_array_equal(mixed[:, :, 0], [[1, 1, 1, 1], [0, 0, 1, 1], [0, 0, 0, 0]])


def test_style_mix_at_the_ends_gives_each_latent_alone_and_in_between_both():
    gan = StyleGAN(_generator(), style_discriminator(SHAPE, channel_base=64, channel_max=8, mbstd_group_size=2))
    a, b = _latents(2, seed=1), _latents(2, seed=2)

    def plain(latents):  # noise strengths start at 0, so images are deterministic
        return _np(gan.generator(latents))

    np.testing.assert_allclose(gan.style_mix(a, b, crossover=gan.generator.num_styles), plain(a), atol=1e-5)
    np.testing.assert_allclose(gan.style_mix(a, b, crossover=0), plain(b), atol=1e-5)
    middle = gan.style_mix(a, b, crossover=2)
    assert np.abs(middle - plain(a)).max() > 1e-3 and np.abs(middle - plain(b)).max() > 1e-3


def test_random_mixing_switches_once_at_a_layer_between_1_and_num_styles_minus_1():
    generator = _generator(mixing_probability=1.0)
    seen = set()
    captured = {}
    synthesis_call = generator.synthesis.call

    def capture(styles, *args, **kwargs):
        captured["styles"] = _np(styles)
        return synthesis_call(styles, *args, **kwargs)

    generator.synthesis.call = capture
    for seed in range(6):
        generator(_latents(4, seed), training=True)
        styles = captured["styles"]
        for sample in styles:
            changes = [i for i in range(1, len(sample)) if not np.allclose(sample[i], sample[i - 1])]
            assert len(changes) == 1, changes  # one crossover, every sample mixed at p=1
            seen.add(changes[0])
    assert seen <= set(range(1, generator.num_styles)) and len(seen) > 1


def test_training_calls_track_the_average_w():
    generator = _generator(mixing_probability=0.0)
    latents = _latents(16)
    w = _np(generator.mapping(latents))
    generator(latents, training=True)
    np.testing.assert_allclose(_np(generator.w_avg), (1 - generator.w_avg_beta) * w.mean(axis=0), rtol=1e-4, atol=1e-7)
    before = _np(generator.w_avg).copy()
    generator(latents, training=False)  # inference leaves it alone
    np.testing.assert_array_equal(_np(generator.w_avg), before)


def test_truncation_zero_gives_the_average_ws_image_for_every_latent():
    gan = StyleGAN(_generator(), style_discriminator(SHAPE, channel_base=64, channel_max=8, mbstd_group_size=2))
    w_avg = np.random.default_rng(3).standard_normal(W_DIM).astype("float32")
    gan.generator.w_avg.assign(w_avg)
    images = gan.generate(4, seed=0, truncation=0.0)
    # Sampled images come out clipped to [-1, 1]; the synthesis network's are not.
    expected = np.clip(_np(gan.generator.synthesis(np.tile(w_avg, (1, gan.generator.num_styles, 1)))), -1, 1)
    for image in images:
        np.testing.assert_allclose(image, expected[0], atol=1e-5)
    untruncated = gan.generate(4, seed=0)
    assert np.abs(untruncated[0] - untruncated[1]).max() > 1e-3
    half = gan.generate(4, seed=0, truncation=0.5)
    # Halfway in w, so (for this near-linear network at init) closer to the average's image.
    assert np.abs(half - expected).mean() < np.abs(untruncated - expected).mean()


def test_stylegan_preset_round_trips_through_a_keras_file(tmp_path):
    gan = kerasgan.presets.stylegan(image_shape=(8, 8, 1), latent_dim=8, w_dim=8, channel_base=64, channel_max=8, seed=0)
    images = np.random.default_rng(0).uniform(-1, 1, (8, 8, 8, 1)).astype("float32")
    gan.fit(images, batch_size=4, epochs=1, verbose=0)
    # The EMA generator copies the average w (itself a moving average), not averages it.
    assert np.abs(_np(gan.generator.w_avg)).max() > 0
    np.testing.assert_array_equal(_np(gan.ema_generator.w_avg), _np(gan.generator.w_avg))
    config = gan.get_config()
    assert json.dumps(StyleGAN.from_config(config).get_config(), sort_keys=True, default=str) == json.dumps(
        config, sort_keys=True, default=str
    )
    path = str(tmp_path / "stylegan.keras")
    gan.save(path)
    loaded = keras.models.load_model(path)
    assert isinstance(loaded, StyleGAN) and isinstance(loaded.generator, StyleGenerator)
    for saved, restored in zip(gan.weights, loaded.weights):
        np.testing.assert_array_equal(_np(saved), _np(restored))
    for name in ("d_optimizer", "g_optimizer"):
        assert int(_np(getattr(loaded, name).iterations)) == 2
    np.testing.assert_array_equal(_np(loaded.generator.w_avg), _np(gan.generator.w_avg))
    assert loaded.ema_generator is not None and loaded.augment == [kerasgan.layers.ADA()]
    loaded.fit(images, batch_size=4, epochs=1, verbose=0)  # and it trains on


def test_the_synthesis_constant_starts_at_unit_scale():
    # As StyleGAN2's torch.randn: the synthesis network is linear in it.
    constant = next(w for w in _generator(shape=(32, 32, 3)).synthesis.weights if "constant" in w.path)
    assert 0.8 < np.std(_np(constant)) < 1.2


def test_stylegan_preset_settings():
    gan = kerasgan.presets.stylegan(image_shape=(8, 8, 3), latent_dim=8, w_dim=8, channel_base=64, channel_max=8)
    assert (gan.penalties, gan.augment, gan.ema_decay) == ([kerasgan.losses.R1(0.05, 16)], [kerasgan.layers.ADA()], 0.999)
    assert gan.generator.mixing_probability == 0.9
    # The CPU widths that benchmarks/stylegan.py measured: 64 channels at 4-8 px, 32 at 16, 16 at 32.
    default = kerasgan.presets.stylegan()
    assert default.generator.synthesis.get_layer("conv_8").filters == 64
    assert default.generator.synthesis.get_layer("conv_16").filters == 32
    assert default.generator.synthesis.get_layer("conv_32").filters == 16
    d, g = gan.d_optimizer, gan.g_optimizer
    np.testing.assert_allclose(float(g.learning_rate), 0.0025, rtol=1e-6)
    assert (g.beta_1, g.beta_2) == (0.0, 0.99)
    # Lazy regularisation: D's learning rate and betas to the power 16/17.
    np.testing.assert_allclose(float(d.learning_rate), 0.0025 * 16 / 17, rtol=1e-6)
    np.testing.assert_allclose(d.beta_2, 0.99 ** (16 / 17))
    assert gan.generate(2).shape == (2, 8, 8, 3) and gan.generate(2).dtype == np.float32


@pytest.mark.slow
@pytest.mark.parametrize("image_shape", [(64, 64, 3), (32, 32, 1)])
def test_stylegan_preset_builds_64_px_and_grey(image_shape):
    gan = kerasgan.presets.stylegan(image_shape=image_shape, channel_base=128, channel_max=8)
    assert gan.generator.num_styles == num_styles(image_shape)
    assert gan.generate(2, seed=0).shape == (2, *image_shape)
    assert gan.discriminator(np.zeros((4, *image_shape), "float32")).shape == (4, 1)


def _fc(inputs, outputs):
    return inputs * outputs + outputs


def _conv(inputs, outputs, kernel, bias=True):
    return inputs * outputs * kernel * kernel + (outputs if bias else 0)


def _reference_generator(side, channel_base, mapping_layers, w_dim=512, channels=3):
    """stylegan2-ada-pytorch's Generator (z_dim = w_dim, no labels, "skip" outputs):
    each SynthesisLayer an affine FC (bias), a kernel, one noise strength and a bias;
    each ToRGBLayer an affine FC, a 1x1 kernel and a bias."""
    width = lambda resolution: min(channel_base // resolution, 512)  # noqa: E731
    count = mapping_layers * _fc(w_dim, w_dim) + width(4) * 4 * 4  # the mapping network, the constant
    count += _fc(w_dim, width(4)) + _conv(width(4), width(4), 3) + 1 + _fc(w_dim, width(4)) + _conv(width(4), channels, 1)
    resolution = 8
    while resolution <= side:
        inputs, outputs = width(resolution // 2), width(resolution)
        count += _fc(w_dim, inputs) + _conv(inputs, outputs, 3) + 1 + _fc(w_dim, outputs) + _conv(outputs, outputs, 3) + 1
        count += _fc(w_dim, outputs) + _conv(outputs, channels, 1)
        resolution *= 2
    return count


def _reference_discriminator(side, channel_base, channels=3):
    """stylegan2-ada-pytorch's Discriminator ("resnet", no labels): FromRGB at the first
    block, per block two 3x3 convolutions and a bias-free 1x1 skip; the epilogue's 3x3
    convolution over one more (minibatch standard deviation) channel and two FCs."""
    width = lambda resolution: min(channel_base // resolution, 512)  # noqa: E731
    count, resolution = _conv(channels, width(side), 1), side
    while resolution > 4:
        hidden, outputs = width(resolution), width(resolution // 2)
        count += _conv(hidden, hidden, 3) + _conv(hidden, outputs, 3) + _conv(hidden, outputs, 1, bias=False)
        resolution //= 2
    return count + _conv(width(4) + 1, width(4), 3) + _fc(width(4) * 16, width(4)) + _fc(width(4), 1)


@pytest.mark.parametrize(
    "name, side, channel_base, mapping_layers, batch_size, group, gamma",
    [("stylegan2_128", 128, 16384, 2, 32, 4, 0.1024), ("stylegan2_256", 256, 16384, 8, 64, 8, 1.0),
     pytest.param("stylegan2_512", 512, 32768, 8, 64, 8, 0.5, marks=pytest.mark.slow)],
)
def test_the_paper_presets_build_the_reference_networks(name, side, channel_base, mapping_layers, batch_size, group, gamma):
    # The formula gives the counts stylegan2-ada-pytorch prints for config F at 1024 px
    # (Generator 30,370,060, Discriminator 29,012,513).
    assert (_reference_generator(1024, 32768, 8), _reference_discriminator(1024, 32768)) == (30_370_060, 29_012_513)
    gan = kerasgan.presets.get(name)
    generator = gan.generator
    assert (trainable_count(generator), trainable_count(gan.discriminator)) == (
        _reference_generator(side, channel_base, mapping_layers), _reference_discriminator(side, channel_base)
    )
    assert (generator.latent_dim, generator.w_dim, generator.num_styles) == (512, 512, num_styles((side, side, 3)))
    assert gan.discriminator.get_layer("minibatch_std").group_size == group
    assert gan.penalties == [kerasgan.losses.R1(gamma, 16)]
    assert kerasgan.presets.PRESETS[name].batch_size == batch_size
    # The EMA's half-life: 10k (auto) or 20k (paper256/512) images at this batch size.
    half_life = 10_000 if side == 128 else 20_000
    np.testing.assert_allclose(gan.ema.decay ** (half_life / batch_size), 0.5, rtol=1e-6)


def test_stylegan_rejects_a_plain_generator():
    with pytest.raises(TypeError, match="StyleGenerator"):
        StyleGAN(synthesis_network(SHAPE, W_DIM), style_discriminator(SHAPE))


def test_a_tiny_stylegan_learns_the_colour_of_the_data():
    # Data: bright squares on a dark ground (mean -0.4); the untrained generator's mean
    # image is far from the data's (0.36-0.51 away, by backend).
    rng = np.random.default_rng(0)
    images = np.full((256, 8, 8, 1), -0.8, "float32")
    for image, (top, left) in zip(images, rng.integers(0, 4, (256, 2))):
        image[top : top + 4, left : left + 4] = 0.8
    gan = kerasgan.presets.stylegan(
        image_shape=(8, 8, 1), latent_dim=8, w_dim=8, channel_base=128, channel_max=16,
        learning_rate=0.005, augment=None, ema_decay=None, seed=0,
    )

    def error(samples):
        # The mean image against the data's: where the bright squares fall, and how dark the rest is.
        return np.abs(samples.mean(axis=0) - images.mean(axis=0)).mean()

    before = error(gan.generate(256, seed=0))
    gan.fit(images, batch_size=16, epochs=8, verbose=0)
    samples = gan.generate(256, seed=0)
    # Measured: 0.41, 0.23 and 0.29 of the untrained error on torch, TensorFlow and JAX.
    assert error(samples) < 0.5 * before, (before, error(samples))
    assert samples.std() > 0.5  # bright and dark pixels (the data: 0.69), not one grey
