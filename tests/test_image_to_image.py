"""Pix2Pix and CycleGAN: learning, the 3-optimizer engine, saving, export, bad input."""

import json

import keras
import numpy as np
import pytest
from helpers import trainable_count

import kerasgan
from kerasgan.callbacks import SampleGrid
from kerasgan.layers import ImagePool
from kerasgan.networks import patchgan_discriminator, resnet_generator, unet_generator
from kerasgan.schedules import ConstantThenLinearDecay

SHAPE = (16, 16, 1)


def _np(tensor):
    return keras.ops.convert_to_numpy(tensor)


def _blobs(n, seed=0, shape=SHAPE):
    """Smooth random images in [-1, 1]: upsampled 4x4 noise."""
    rng = np.random.default_rng(seed)
    coarse = rng.uniform(-1, 1, size=(n, 4, 4, shape[-1]))
    return np.repeat(np.repeat(coarse, shape[0] // 4, axis=1), shape[1] // 4, axis=2).astype("float32")


def tiny_pix2pix(**kwargs):
    model = kerasgan.Pix2Pix(
        unet_generator(SHAPE, base_filters=8, dropout=0.0),
        patchgan_discriminator(SHAPE, condition_shape=SHAPE, base_filters=4, num_layers=2),
        **kwargs,
    )
    model.compile(
        g_optimizer=keras.optimizers.Adam(2e-3, beta_1=0.5), d_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5)
    )
    return model


def tiny_cyclegan(**kwargs):
    def generator(name):
        return resnet_generator(SHAPE, base_filters=4, num_blocks=1, name=name)

    def discriminator(name):
        return patchgan_discriminator(SHAPE, base_filters=4, num_layers=2, normalization="instance", name=name)

    model = kerasgan.CycleGAN(
        generator("generator_ab"), generator("generator_ba"), discriminator("discriminator_a"), discriminator("discriminator_b"),
        **kwargs,
    )
    model.compile(**{name: keras.optimizers.Adam(2e-3, beta_1=0.5) for name in ("g_optimizer", "d_a_optimizer", "d_b_optimizer")})
    return model


# ---- learning ----------------------------------------------------------------------------


def test_pix2pix_learns_a_paired_mapping():
    # targets = inverted inputs: the identity's L1 is ~1; a learned mapping gets far below.
    train, held_out = _blobs(64, seed=0), _blobs(16, seed=1)
    model = tiny_pix2pix(seed=0)
    history = model.fit(train, -train, batch_size=8, epochs=12, verbose=0)
    identity_l1 = np.mean(np.abs(held_out - (-held_out)))
    learned_l1 = np.mean(np.abs(model.translate(held_out) - (-held_out)))
    assert identity_l1 > 0.9
    assert learned_l1 < 0.25 * identity_l1, (learned_l1, identity_l1)
    assert history.history["l1"][-1] < 0.5 * history.history["l1"][0]
    for key in ("d_loss", "g_loss", "l1", "real_score", "fake_score"):
        assert np.all(np.isfinite(history.history[key])), key


# Its bright toy domain lies in [0, 1] on purpose, which fit's rescaling hint flags.
@pytest.mark.filterwarnings("ignore:The .* lie in .* none below 0")
def test_cyclegan_cycle_loss_falls_and_a_toy_translates():
    # Domain A is dark (values < 0), domain B bright (> 0): G_ab must brighten, G_ba darken.
    dark = -np.abs(_blobs(48, seed=2))
    bright = np.abs(_blobs(48, seed=3))
    model = tiny_cyclegan(seed=0)
    history = model.fit(dark, bright, batch_size=8, epochs=8, verbose=0)
    cycle = history.history["cycle"]
    assert cycle[-1] < 0.5 * cycle[0], cycle
    held_out_dark, held_out_bright = -np.abs(_blobs(16, seed=4)), np.abs(_blobs(16, seed=5))
    assert model.translate(held_out_dark, "a_to_b").mean() > 0.2
    assert model.translate(held_out_bright, "b_to_a").mean() < -0.2
    # Three optimizers, one update each per step.
    for name in ("g_optimizer", "d_a_optimizer", "d_b_optimizer"):
        assert int(getattr(model, name).iterations) == 8 * 6, name


# ---- the engine with three optimizers --------------------------------------------------


def _optimizer_values(optimizer):
    return [_np(v.value) for v in optimizer.variables]


def test_cyclegan_keras_file_keeps_three_optimizers_and_the_pools_and_resumes(tmp_path):
    images_a, images_b = _blobs(16, seed=6), _blobs(16, seed=7)
    model = tiny_cyclegan(seed=1, pool_size=5)
    model.fit(images_a, images_b, batch_size=4, epochs=1, verbose=0)
    path = tmp_path / "cyclegan.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    assert type(loaded) is kerasgan.CycleGAN
    np.testing.assert_allclose(loaded.translate(images_a[:3]), model.translate(images_a[:3]), atol=1e-5)
    np.testing.assert_allclose(loaded.translate(images_b[:3], "b_to_a"), model.translate(images_b[:3], "b_to_a"), atol=1e-5)
    for name in ("g_optimizer", "d_a_optimizer", "d_b_optimizer"):
        original, restored = getattr(model, name), getattr(loaded, name)
        assert int(restored.iterations) == int(original.iterations) == 4, name
        for before, after in zip(_optimizer_values(original), _optimizer_values(restored)):
            np.testing.assert_array_equal(after, before)
    assert int(_np(loaded.pool_a.count)) == 5
    np.testing.assert_array_equal(_np(loaded.pool_b.images), _np(model.pool_b.images))
    loaded.fit(images_a, images_b, batch_size=4, epochs=1, verbose=0)
    assert int(loaded.d_b_optimizer.iterations) == 8


def test_pix2pix_keras_file_round_trip(tmp_path):
    inputs = _blobs(16, seed=8)
    model = tiny_pix2pix(l1_weight=50.0, seed=2)
    model.fit(inputs, -inputs, batch_size=8, epochs=1, verbose=0)
    model.save(tmp_path / "pix2pix.keras")
    loaded = keras.models.load_model(tmp_path / "pix2pix.keras")
    assert (type(loaded), loaded.l1_weight) == (kerasgan.Pix2Pix, 50.0)
    np.testing.assert_allclose(loaded.translate(inputs[:4]), model.translate(inputs[:4]), atol=1e-5)
    assert int(loaded.g_optimizer.iterations) == int(loaded.d_optimizer.iterations) == 2


@pytest.mark.parametrize("build", [tiny_pix2pix, tiny_cyclegan])
def test_config_round_trip(build):
    model = build(seed=3)
    config = json.dumps(model.get_config(), sort_keys=True)
    restored = type(model).from_config(json.loads(config))
    assert json.dumps(restored.get_config(), sort_keys=True) == config
    assert restored.count_params() == model.count_params()


def test_presets_build_the_documented_models():
    pix2pix = kerasgan.presets.pix2pix(image_shape=(32, 32, 3), seed=0)
    assert (pix2pix.l1_weight, pix2pix.loss_name) == (100.0, "non_saturating")
    assert pix2pix.discriminator.output_shape == (None, 6, 6, 1)  # 34x34 patches on 32 px
    assert float(pix2pix.g_optimizer.learning_rate) == pytest.approx(2e-4)
    assert float(pix2pix.d_optimizer.beta_1) == pytest.approx(0.5)
    cyclegan = kerasgan.presets.cyclegan(image_shape=(28, 28, 1), total_steps=100, seed=0)
    assert (cyclegan.loss_name, cyclegan.cycle_weight, cyclegan.identity_weight, cyclegan.pool_size) == (
        "least_squares", 10.0, 0.5, 50,
    )
    assert sum(isinstance(layer, keras.layers.GroupNormalization) for layer in cyclegan.generator_ab.layers) > 0
    # Below 64 px a U-Net (skips joined by Concatenate), from 64 px the ResNet (Add).
    assert any(isinstance(layer, keras.layers.Concatenate) for layer in cyclegan.generator_ab.layers)
    large = kerasgan.presets.cyclegan(image_shape=(64, 64, 3), base_filters=4, num_blocks=2)
    assert sum(isinstance(layer, keras.layers.Add) for layer in large.generator_ba.layers) == 2
    assert not any(isinstance(layer, keras.layers.Concatenate) for layer in large.generator_ba.layers)
    schedule = cyclegan.d_a_optimizer.learning_rate
    assert float(_np(schedule)) == pytest.approx(2e-4)


def _conv(inputs, outputs, kernel, bias):
    return inputs * outputs * kernel * kernel + (outputs if bias else 0)


def _reference_unet_256(ngf=64, channels=3):
    """pytorch-CycleGAN-and-pix2pix's UnetGenerator(num_downs=8) with BatchNorm (no conv
    biases but the outermost up-convolution's), its blocks from the innermost out."""
    count = _conv(8 * ngf, 8 * ngf, 4, False) * 2 + 2 * 8 * ngf  # innermost: down, up, up-norm
    for outer, inner in [(8 * ngf, 8 * ngf)] * 3 + [(4 * ngf, 8 * ngf), (2 * ngf, 4 * ngf), (ngf, 2 * ngf)]:
        count += _conv(outer, inner, 4, False) + 2 * inner + _conv(2 * inner, outer, 4, False) + 2 * outer
    return count + _conv(channels, ngf, 4, False) + _conv(2 * ngf, channels, 4, True)  # outermost


def _reference_patchgan(input_channels, ndf=64, batch_norm=True):
    """NLayerDiscriminator(n_layers=3): conv biases only where no BatchNorm follows; the
    InstanceNorm of CycleGAN has no parameters, BatchNorm 2 per channel."""
    count, channels = _conv(input_channels, ndf, 4, True), ndf
    for filters in (2 * ndf, 4 * ndf, 8 * ndf):
        count += _conv(channels, filters, 4, not batch_norm) + (2 * filters if batch_norm else 0)
        channels = filters
    return count + _conv(8 * ndf, 1, 4, True)


def _reference_resnet(blocks, ngf=64, channels=3):
    """ResnetGenerator with InstanceNorm (affine=False, so conv biases and no norm parameters)."""
    count = _conv(channels, ngf, 7, True) + _conv(ngf, 2 * ngf, 3, True) + _conv(2 * ngf, 4 * ngf, 3, True)
    count += blocks * 2 * _conv(4 * ngf, 4 * ngf, 3, True)
    return count + _conv(4 * ngf, 2 * ngf, 3, True) + _conv(2 * ngf, ngf, 3, True) + _conv(ngf, channels, 7, True)


def test_the_paper_presets_build_the_reference_networks():
    # The counts pytorch-CycleGAN-and-pix2pix prints: 54.414 M / 2.769 M (pix2pix),
    # 11.378 M / 2.765 M (CycleGAN, resnet_9blocks).
    assert [round(count / 1e6, 3) for count in (_reference_unet_256(), _reference_patchgan(6))] == [54.414, 2.769]
    assert [round(count / 1e6, 3) for count in (_reference_resnet(9), _reference_patchgan(3, batch_norm=False))] == [11.378, 2.765]
    pix2pix = kerasgan.presets.get("pix2pix_256")
    assert (trainable_count(pix2pix.generator), trainable_count(pix2pix.discriminator)) == (_reference_unet_256(), _reference_patchgan(6))
    for name, blocks, side in (("cyclegan_256", 9, 256), ("cyclegan_128", 6, 128)):
        cyclegan = kerasgan.presets.get(name)
        assert cyclegan.generator_ab.input_shape == (None, side, side, 3)
        counts = [trainable_count(getattr(cyclegan, network)) for network in ("generator_ab", "generator_ba", "discriminator_a", "discriminator_b")]
        assert counts == [_reference_resnet(blocks)] * 2 + [_reference_patchgan(3, batch_norm=False)] * 2, name
    assert kerasgan.presets.PRESETS["pix2pix_256"].batch_size == kerasgan.presets.PRESETS["cyclegan_256"].batch_size == 1


def test_constant_then_linear_decay():
    schedule = ConstantThenLinearDecay(1.0, constant_steps=10, decay_steps=5)
    values = [float(_np(schedule(step))) for step in (0, 10, 11, 13, 15, 40)]
    np.testing.assert_allclose(values, [1.0, 1.0, 0.8, 0.4, 0.0, 0.0], atol=1e-6)


# ---- the image pool ----------------------------------------------------------------------


def test_image_pool_fills_then_mixes_history_in():
    first = np.full((3, 2, 2, 1), 1.0, "float32")
    second = np.full((3, 2, 2, 1), 2.0, "float32")
    for seed in range(12):
        pool = ImagePool(4, (2, 2, 1), seed=seed)
        np.testing.assert_array_equal(_np(pool(first)), first)  # filling: pass through
        # The 4th slot takes one new image (passed through); the others may swap with
        # the 3 images stored before, never with the still-empty slot.
        out = _np(pool(second))
        assert int(_np(pool.count)) == 4
        assert set(np.unique(out)) <= {1.0, 2.0}, (seed, out[:, 0, 0, 0])
    swapped = []
    for step in range(200):
        batch = np.full((4, 2, 2, 1), 10.0 + step, "float32")
        out = _np(pool(batch))[:, 0, 0, 0]
        swapped.append(np.mean(out != 10.0 + step))
        # Whatever is returned was generated before, never invented.
        assert np.all(out <= 10.0 + step)
    assert 0.4 < np.mean(swapped) < 0.6  # each image swapped with probability 1/2


def test_image_pool_of_size_zero_passes_through():
    batch = _blobs(3)
    np.testing.assert_array_equal(_np(ImagePool(0, SHAPE)(batch)), batch)


# ---- export --------------------------------------------------------------------------------


def test_exported_translators_serve_images(tmp_path):
    if keras.backend.backend() == "torch":
        with pytest.raises(NotImplementedError, match="KERAS_BACKEND=tensorflow"):
            tiny_pix2pix().export(tmp_path / "p")
        return
    import tensorflow as tf

    images = _blobs(3, seed=9)
    pix2pix = tiny_pix2pix()
    pix2pix.export(tmp_path / "pix2pix", verbose=False)
    reloaded = tf.saved_model.load(str(tmp_path / "pix2pix"))  # keep it: it owns the variables
    np.testing.assert_allclose(reloaded.serve(tf.constant(images)).numpy(), pix2pix.translate(images), atol=1e-5)

    cyclegan = tiny_cyclegan()
    cyclegan.export(tmp_path / "cyclegan", verbose=False)
    reloaded = tf.saved_model.load(str(tmp_path / "cyclegan"))
    np.testing.assert_allclose(reloaded.a_to_b(tf.constant(images)).numpy(), cyclegan.translate(images), atol=1e-5)
    np.testing.assert_allclose(reloaded.b_to_a(tf.constant(images)).numpy(), cyclegan.translate(images, "b_to_a"), atol=1e-5)
    np.testing.assert_allclose(reloaded.serve(tf.constant(images)).numpy(), cyclegan.translate(images), atol=1e-5)


# ---- grids ---------------------------------------------------------------------------------


def test_sample_grid_shows_input_output_target_rows(tmp_path):
    from PIL import Image

    inputs = _blobs(8, seed=10)
    model = tiny_pix2pix()
    grid = SampleGrid(tmp_path, num_images=5, examples=(inputs, -inputs))
    model.fit(inputs, -inputs, batch_size=8, epochs=1, verbose=0, callbacks=[grid])
    images, rows = model.preview(5, examples=(inputs, -inputs))
    assert (images.shape, rows) == ((15, *SHAPE), 3)
    np.testing.assert_array_equal(images[:5], inputs[:5])
    np.testing.assert_array_equal(images[10:], -inputs[:5])
    assert Image.open(tmp_path / "samples_latest.png").size[0] > 0
    cyclegan = tiny_cyclegan()
    images, rows = cyclegan.preview(4, examples=(inputs, -inputs))
    assert (images.shape, rows) == ((24, *SHAPE), 6)


# ---- bad input -----------------------------------------------------------------------------


def test_paired_model_rejects_single_images_and_mismatched_counts():
    model = tiny_pix2pix()
    with pytest.raises(ValueError, match=r"Pix2Pix trains on \(inputs, targets\) batches. Received: single images"):
        model.fit(_blobs(8), batch_size=4, verbose=0)
    with pytest.raises(ValueError, match="Received: 8 inputs and 6 targets"):
        model.fit(_blobs(8), _blobs(6), batch_size=4, verbose=0)


def test_rgba_and_wrong_sizes_are_rejected_with_what_to_do():
    model = tiny_pix2pix()
    rgba = np.zeros((4, 16, 16, 4), "float32")
    with pytest.raises(ValueError, match=r"inputs of shape \(batch, 16, 16, 1\).*\(4, 16, 16, 4\).*RGBA"):
        model.fit(rgba, _blobs(4), batch_size=4, verbose=0)
    with pytest.raises(ValueError, match=r"images to translate of shape \(batch, 16, 16, 1\).*\(2, 32, 32, 1\)"):
        model.translate(np.zeros((2, 32, 32, 1), "float32"))
    with pytest.raises(ValueError, match=r"in \[-1, 1\]"):
        model.fit(_blobs(4) * 255, _blobs(4), batch_size=4, verbose=0)


def test_two_domains_of_other_shapes_are_rejected():
    model = tiny_cyclegan()
    with pytest.raises(ValueError, match=r"domain B images of shape \(batch, 16, 16, 1\).*\(4, 8, 8, 1\)"):
        model.fit(_blobs(4), np.zeros((4, 8, 8, 1), "float32"), batch_size=4, verbose=0)
    with pytest.raises(ValueError, match="from_domain_arrays"):
        model.fit(_blobs(8), _blobs(4), batch_size=4, verbose=0)
    with pytest.raises(ValueError, match="direction"):
        model.translate(_blobs(1), direction="sideways")
    with pytest.raises(ValueError, match="identity_weight=0"):
        kerasgan.presets.cyclegan(image_shape=(16, 16, 1), image_shape_b=(16, 16, 3), identity_weight=0.5)
    # By default the preset leaves the identity term out where the shapes differ.
    assert kerasgan.presets.cyclegan(image_shape=(16, 16, 1), image_shape_b=(16, 16, 3), base_filters=4).identity_weight == 0.0
    assert kerasgan.presets.cyclegan(image_shape=(16, 16, 1), base_filters=4).identity_weight == 0.5
    with pytest.raises(ValueError, match="examples"):
        model.preview(4)


# ---- the losses, term by term ------------------------------------------------------------


def test_pix2pix_losses_are_the_papers_terms():
    inputs, targets = _blobs(4, seed=11), -_blobs(4, seed=11)
    model = tiny_pix2pix(l1_weight=100.0)
    batch = {"inputs": keras.ops.convert_to_tensor(inputs), "targets": keras.ops.convert_to_tensor(targets)}
    g_loss, logs, outputs = model.generator_update_loss(batch)
    fakes = _np(outputs["fakes"])
    fake_logits = _np(model.discriminator([inputs, fakes], training=True))
    softplus = lambda x: np.log1p(np.exp(-np.abs(x))) + np.maximum(x, 0)
    # non-saturating -log sigmoid(D(x, G(x))) + 100 |G(x) - y|
    expected = softplus(-fake_logits).mean() + 100.0 * np.abs(fakes - targets).mean()
    assert float(_np(g_loss)) == pytest.approx(expected, rel=1e-4)
    assert float(_np(logs["l1"])) == pytest.approx(np.abs(fakes - targets).mean(), rel=1e-5)
    d_loss, _, _ = model.discriminator_update_loss({**batch, "fakes": outputs["fakes"]})
    real_logits = _np(model.discriminator([inputs, targets], training=True))
    fake_logits = _np(model.discriminator([inputs, fakes], training=True))
    # The discriminator's cross-entropy, halved.
    expected = 0.5 * (softplus(-real_logits).mean() + softplus(fake_logits).mean())
    assert float(_np(d_loss)) == pytest.approx(expected, rel=1e-4)


def test_cyclegan_generator_loss_is_adversarial_plus_weighted_cycle_and_identity():
    a, b = _blobs(4, seed=12), -_blobs(4, seed=13)
    model = tiny_cyclegan(cycle_weight=10.0, identity_weight=0.5)
    batch = {"a": keras.ops.convert_to_tensor(a), "b": keras.ops.convert_to_tensor(b)}
    loss, logs, outputs = model.generator_update_loss(batch)

    def run(network, images):
        return _np(network(images, training=True))

    fake_b, fake_a = run(model.generator_ab, a), run(model.generator_ba, b)
    # The paper's least-squares generator terms: mean((D(G(x)) - 1)^2) for each direction.
    adversarial = np.mean((run(model.discriminator_b, fake_b) - 1) ** 2) + np.mean((run(model.discriminator_a, fake_a) - 1) ** 2)
    cycle = np.abs(run(model.generator_ba, fake_b) - a).mean() + np.abs(run(model.generator_ab, fake_a) - b).mean()
    identity = np.abs(run(model.generator_ab, b) - b).mean() + np.abs(run(model.generator_ba, a) - a).mean()
    assert float(_np(logs["cycle"])) == pytest.approx(cycle, rel=1e-4)
    assert float(_np(logs["identity"])) == pytest.approx(identity, rel=1e-4)
    assert float(_np(loss)) == pytest.approx(adversarial + 10.0 * cycle + 5.0 * identity, rel=1e-4)
    np.testing.assert_allclose(_np(outputs["fake_b"]), fake_b, atol=1e-5)
