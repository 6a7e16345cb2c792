"""Every preset builds compiled, trains a few steps and round-trips through .keras."""

import keras
import numpy as np
import pytest

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
    assert set(listed) == {"dcgan", "cgan", "acgan", "wgan", "wgan_gp", "lsgan", "sngan", "mlp_gan"}
    assert all(isinstance(text, str) and len(text) > 10 for text in listed.values())


def test_unknown_preset_is_a_clear_error():
    with pytest.raises(ValueError, match="Unknown preset.*'dcgam'"):
        kerasgan.presets.get("dcgam")


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
