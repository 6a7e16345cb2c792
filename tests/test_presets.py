"""Every preset builds compiled, trains a few steps and round-trips through .keras."""

import keras
import numpy as np
import pytest
from helpers import TINY_PRESETS, trainable_count

import kerasgan

PRESET_CASES = [
    ("dcgan", (28, 28, 1), {}),
    ("dcgan", (32, 32, 3), {}),
    ("dcgan", (64, 64, 3), {}),
    ("cgan", (28, 28, 1), {}),
    ("acgan", (28, 28, 1), {}),
    ("wgan", (28, 28, 1), {}),
    ("wgan_gp", (28, 28, 1), {}),
    ("wgan_gp", (28, 28, 1), {"num_classes": 10}),
    ("lsgan", (28, 28, 1), {}),
    ("sngan", (28, 28, 1), {}),
    ("sngan", (28, 28, 1), {"num_classes": 10}),
    ("mlp_gan", (28, 28, 1), {}),
]


def _training_data(gan, image_shape, n=8):
    rng = np.random.default_rng(0)
    images = rng.uniform(-1, 1, (n, *image_shape)).astype("float32")
    labels = (np.arange(n) % gan.num_classes).astype("int32") if gan.num_classes else None
    return images, labels


def test_list_names_every_preset_with_a_description():
    listed = kerasgan.presets.list()
    recipes = {name: text for name, text in listed.items() if name not in kerasgan.presets.pretrained()}
    # Every family's presets, found in their folders; a new family adds to these.
    assert set(recipes) == set(kerasgan.presets.PRESETS) >= {
        "dcgan", "cgan", "acgan", "wgan", "wgan_gp", "lsgan", "sngan", "mlp_gan", "pix2pix", "cyclegan", "stylegan", "gan3d",
    }
    assert all(isinstance(text, str) and len(text) > 10 for text in listed.values())
    # Each family's presets say what data fit takes and where the CLI finds it.
    kinds = {name: (preset.data, preset.dataset) for name, preset in kerasgan.presets.PRESETS.items()}
    assert kinds["cgan"] == ("labelled images", "mnist_sample")
    assert kinds["pix2pix"] == ("pairs", "openmoji")
    assert kinds["cyclegan"] == ("domains", "horse_zebra")
    assert kinds["stylegan"] == ("images", "emoji")
    assert kinds["gan3d"] == ("voxels", "furniture")
    # What `kerasgan train` uses by default: batch size and image side.
    sizes = {name: (preset.batch_size, preset.image_size) for name, preset in kerasgan.presets.PRESETS.items()}
    assert sizes["dcgan"] == (64, None) and sizes["pix2pix"] == (16, None)
    assert sizes["stylegan"] == (32, 32) and sizes["gan3d"] == (16, None)


def test_unknown_preset_is_a_clear_error():
    with pytest.raises(ValueError, match="Unknown preset.*'dcgam'.* Did you mean 'dcgan'"):
        kerasgan.presets.get("dcgam")
    with pytest.raises(ValueError, match="Did you mean 'dcgan'"):  # case aside
        kerasgan.presets.get("DCGAN")


@pytest.mark.parametrize("name,image_shape,options", PRESET_CASES)
def test_preset_trains_a_few_steps_and_round_trips(name, image_shape, options, tmp_path):
    kwargs = {"image_shape": image_shape, "latent_dim": 16, "seed": 0, **options}
    if name != "mlp_gan":
        kwargs["base_filters"] = 8
    gan = kerasgan.presets.get(name, **kwargs)
    assert gan.compiled and gan.image_shape == image_shape
    images, labels = _training_data(gan, image_shape)
    before = [keras.ops.convert_to_numpy(v).copy() for v in gan.generator.trainable_variables]
    history = gan.fit(images, labels, batch_size=4, epochs=1, verbose=0)
    assert np.isfinite(history.history["d_loss"][-1]) and np.isfinite(history.history["g_loss"][-1])
    after = [keras.ops.convert_to_numpy(v) for v in gan.generator.trainable_variables]
    assert any(not np.allclose(a, b) for a, b in zip(after, before)), "the generator did not move"
    assert int(gan.g_optimizer.iterations) == 2
    assert int(gan.d_optimizer.iterations) == 2 * gan.d_steps

    path = tmp_path / f"{name}.keras"
    gan.save(path)
    loaded = keras.models.load_model(path)
    assert type(loaded) is type(gan) and loaded.num_classes == gan.num_classes
    latents = np.random.default_rng(1).standard_normal((3, 16)).astype("float32")
    sample_labels = None if labels is None else labels[:3]
    np.testing.assert_allclose(
        loaded.generate_from(latents, sample_labels), gan.generate_from(latents, sample_labels), atol=1e-5
    )
    assert int(loaded.g_optimizer.iterations) == 2
    assert int(loaded.d_optimizer.iterations) == 2 * gan.d_steps
    loaded.fit(images, labels, batch_size=4, epochs=1, verbose=0)
    assert int(loaded.g_optimizer.iterations) == 4


def test_dcgan_rejects_unsupported_shapes():
    with pytest.raises(ValueError, match=r"Received: image_shape=\(30, 30, 1\)"):
        kerasgan.presets.dcgan(image_shape=(30, 30, 1))
    with pytest.raises(ValueError, match=r"1 or 3 channels"):
        kerasgan.presets.dcgan(image_shape=(28, 28, 2))


# ---- the documented settings --------------------------------------------------------------
# Literal values from the README's preset table and the presets' docstrings; a preset
# that drifts from its documentation fails here.

ADAM_2E4 = ("Adam", {"learning_rate": 2e-4, "beta_1": 0.5, "beta_2": 0.999})  # Adam(2e-4, 0.5)
DOCUMENTED = {
    # name: (loss, d_steps, clip_value, gradient_penalty_weight, optimizer of each network)
    "dcgan": ("non_saturating", 1, None, 0.0, ADAM_2E4),
    "cgan": ("non_saturating", 1, None, 0.0, ADAM_2E4),
    "acgan": ("non_saturating", 1, None, 0.0, ADAM_2E4),
    "wgan": ("wasserstein", 5, 0.02, 0.0, ("RMSprop", {"learning_rate": 2e-4})),
    "wgan_gp": ("wasserstein", 5, None, 10.0, ("Adam", {"learning_rate": 1e-4, "beta_1": 0.5, "beta_2": 0.9})),
    "lsgan": ("least_squares", 1, None, 0.0, ADAM_2E4),
    "sngan": ("hinge", 1, None, 0.0, ADAM_2E4),
    "mlp_gan": ("non_saturating", 1, None, 0.0, ADAM_2E4),
}


def _layer_types(model):
    return [type(layer).__name__ for layer in model.layers]


@pytest.mark.parametrize("name", sorted(DOCUMENTED))
def test_presets_have_their_documented_settings(name):
    loss, d_steps, clip_value, penalty_weight, (optimizer_class, optimizer_values) = DOCUMENTED[name]
    gan = kerasgan.presets.get(name, seed=0)
    assert gan.loss_name == loss
    assert gan.d_steps == d_steps
    assert gan.clip_value == clip_value
    assert (gan.penalty("gp").weight if gan.penalty("gp") else 0.0) == penalty_weight
    for optimizer in (gan.d_optimizer, gan.g_optimizer):
        assert type(optimizer).__name__ == optimizer_class
        config = optimizer.get_config()
        for key, value in optimizer_values.items():
            assert config[key] == pytest.approx(value, rel=1e-6), (name, key)
    assert gan.d_optimizer is not gan.g_optimizer


def test_dcgan_networks_are_the_documented_ones():
    gan = kerasgan.presets.dcgan(seed=0)
    discriminator = _layer_types(gan.discriminator)
    convolutions = [layer for layer in gan.discriminator.layers if isinstance(layer, keras.layers.Conv2D)]
    assert convolutions[0].filters == 32  # base_filters=32
    # LeakyReLU(0.2); BatchNorm after every convolution but the input stage's.
    first = discriminator.index("Conv2D")
    assert discriminator[first + 1] == "LeakyReLU"
    assert discriminator.count("BatchNormalization") == len(convolutions) - 1
    assert all(
        layer.negative_slope == pytest.approx(0.2)
        for layer in gan.discriminator.layers
        if isinstance(layer, keras.layers.LeakyReLU)
    )
    # Transposed convolutions + BatchNorm + ReLU, tanh output.
    generator = _layer_types(gan.generator)
    assert generator.count("Conv2DTranspose") >= 2 and "BatchNormalization" in generator and "ReLU" in generator
    assert generator[-1] == "Conv2DTranspose" and gan.generator.layers[-1].get_config()["activation"] == "tanh"


def _reference_dcgan(stages, nz=100, width=64, channels=3):
    """pytorch/examples DCGAN (bias-free convolutions, BatchNorm's scale and offset) with
    `stages` stride-2 stages a network: 4 at 64 px, the paper's; 5 at 128 px."""
    widths = [width * 2**stage for stage in range(stages)]  # 64, 128, ... the D's order
    generator = nz * widths[-1] * 16 + 2 * widths[-1]
    for inputs, outputs in zip(widths[:0:-1], widths[-2::-1]):
        generator += inputs * outputs * 16 + 2 * outputs
    generator += widths[0] * channels * 16
    discriminator = channels * widths[0] * 16 + widths[-1] * 16
    for inputs, outputs in zip(widths, widths[1:]):
        discriminator += inputs * outputs * 16 + 2 * outputs
    return generator, discriminator


def test_dcgan_128_is_the_reference_network_one_stage_deeper():
    # The counts pytorch/examples' DCGAN prints at 64 px check the counting.
    assert _reference_dcgan(4) == (3_576_704, 2_765_568)
    gan = kerasgan.presets.get("dcgan_128")
    assert gan.generator.output_shape == (None, 128, 128, 3)
    reference_g, reference_d = _reference_dcgan(5)
    # kerasgan's networks add the biases the reference leaves out: the generator's output
    # convolution's (3), the discriminator's convolutions' and its output layer's.
    biases_d = sum(64 * 2**stage for stage in range(5)) + 1
    assert (trainable_count(gan.generator), trainable_count(gan.discriminator)) == (reference_g + 3, reference_d + biases_d)
    assert kerasgan.presets.PRESETS["dcgan_128"].batch_size == 128


def test_wgan_gp_critic_uses_layer_norm_and_no_batch_norm():
    critic = _layer_types(kerasgan.presets.wgan_gp(seed=0).discriminator)
    assert "LayerNormalization" in critic
    assert "BatchNormalization" not in critic


def test_sngan_normalises_every_discriminator_layer_spectrally():
    from kerasgan.networks import SpectralConv2D, SpectralDense

    discriminator = kerasgan.presets.sngan(seed=0).discriminator
    weighted = [layer for layer in discriminator.layers if layer.weights]
    assert len(weighted) >= 3  # the convolutions and the dense logit
    for layer in weighted:
        assert isinstance(layer, (SpectralConv2D, SpectralDense)), type(layer).__name__
    assert "BatchNormalization" not in _layer_types(discriminator)


@pytest.mark.skipif(keras.backend.backend() != "tensorflow", reason="XLA is opt-in on TensorFlow only (JAX always jits)")
@pytest.mark.parametrize("name", ["dcgan", "wgan_gp", "cyclegan", "stylegan", "gan3d"])
def test_preset_trains_under_xla(name):
    # Keras's jit_compile="auto" turns XLA on for TensorFlow on a GPU. These cover a
    # gradient of a gradient, an image pool, lazy R1 with ADA, and a skipped update.
    build, data = TINY_PRESETS[name]
    gan = build()
    optimizers = {attribute: type(o).from_config(o.get_config()) for attribute, o in gan.optimizers_by_name().items()}
    gan.compile(**optimizers, jit_compile=True)
    history = gan.fit(*data(), batch_size=4, epochs=1, verbose=0)
    assert gan.jit_compile is True
    assert all(np.isfinite(values[-1]) for values in history.history.values()), history.history
    assert int(next(iter(optimizers.values())).iterations) >= 2


@pytest.mark.skipif(keras.backend.backend() == "torch", reason="Keras's torch trainer runs one step per call (it refuses steps_per_execution > 1)")
@pytest.mark.parametrize(
    "name",
    # Each family once; the others compile for 10-90 s on JAX, so they run with the slow tests.
    ["dcgan", *(pytest.param(name, marks=pytest.mark.slow) for name in ("cgan", "pix2pix", "cyclegan", "stylegan", "gan3d"))],
)
def test_steps_per_execution_gives_the_same_training(name):
    # Several steps per compiled call (fewer dispatches and log reads on an accelerator)
    # must run the same updates as one step per call: every family's weights are compared.
    build, data = TINY_PRESETS[name]
    weights = []
    for steps_per_execution in (1, 2):
        keras.utils.set_random_seed(7)
        gan = build()
        optimizers = {attribute: type(o).from_config(o.get_config()) for attribute, o in gan.optimizers_by_name().items()}
        gan.compile(**optimizers, steps_per_execution=steps_per_execution)
        gan.fit(*data(), batch_size=2, epochs=1, steps_per_epoch=4, shuffle=False, verbose=0)
        assert all(int(optimizer.iterations) >= 4 for optimizer in optimizers.values())
        weights.append([keras.ops.convert_to_numpy(v) for v in gan.weights])
    for one, two in zip(*weights):
        np.testing.assert_allclose(one, two, rtol=1e-4, atol=1e-5)
