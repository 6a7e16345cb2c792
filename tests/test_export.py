"""`gan.export` writes a SavedModel generator with a serving signature (TensorFlow and JAX)."""

import keras
import numpy as np
import pytest

import kerasgan

# TensorFlow and JAX (through jax2tf) export; torch refuses, with the way round.
EXPORTS = pytest.mark.skipif(keras.backend.backend() == "torch", reason="export refuses the torch backend (tested below)")


@EXPORTS
def test_exported_generator_serves_latents(tmp_path):
    import tensorflow as tf

    gan = kerasgan.presets.dcgan(image_shape=(28, 28, 1), latent_dim=8, base_filters=4, seed=0)
    gan.export(tmp_path / "generator", verbose=False)
    served = tf.saved_model.load(str(tmp_path / "generator"))
    latents = np.random.default_rng(0).standard_normal((3, 8)).astype("float32")
    images = served.serve(latents).numpy()
    assert images.shape == (3, 28, 28, 1)
    np.testing.assert_allclose(images, gan.generate_from(latents), atol=1e-5)
    assert "serve" in served.signatures or "serving_default" in served.signatures


@EXPORTS
def test_exported_conditional_generator_takes_latents_and_labels(tmp_path):
    import tensorflow as tf

    gan = kerasgan.presets.cgan(image_shape=(28, 28, 1), num_classes=10, latent_dim=8, base_filters=4, seed=0)
    gan.export(tmp_path / "generator", verbose=False)
    served = tf.saved_model.load(str(tmp_path / "generator"))
    latents = np.random.default_rng(0).standard_normal((4, 8)).astype("float32")
    labels = np.array([0, 3, 7, 9], "int32")
    images = served.serve([latents, labels]).numpy()
    np.testing.assert_allclose(images, gan.generate_from(latents, labels), atol=1e-5)
    signature = served.signatures["serve"].structured_input_signature
    assert len(tf.nest.flatten(signature)) == 2, signature


@EXPORTS
def test_exported_stylegan_serves_latents_clipped_to_the_pixel_range(tmp_path):
    import tensorflow as tf

    gan = kerasgan.presets.stylegan(image_shape=(8, 8, 3), latent_dim=8, w_dim=8, channel_base=64, channel_max=8, seed=0)
    gan.export(tmp_path / "generator", verbose=False)
    served = tf.saved_model.load(str(tmp_path / "generator"))
    latents = np.random.default_rng(0).standard_normal((3, 8)).astype("float32")
    images = served.serve(latents).numpy()
    assert images.shape == (3, 8, 8, 3) and images.min() >= -1 and images.max() <= 1
    # Noise strengths start at 0, so the untrained generator is deterministic.
    np.testing.assert_allclose(images, keras.ops.convert_to_numpy(gan(latents)), atol=1e-5)


@EXPORTS
def test_exported_gan3d_serves_latents_to_voxels(tmp_path):
    import tensorflow as tf

    gan = kerasgan.presets.gan3d(voxel_shape=(8, 8, 8, 1), latent_dim=8, base_filters=4, seed=0)
    gan.export(tmp_path / "generator", verbose=False)
    served = tf.saved_model.load(str(tmp_path / "generator"))
    latents = np.random.default_rng(0).standard_normal((2, 8)).astype("float32")
    voxels = served.serve(latents).numpy()
    assert voxels.shape == (2, 8, 8, 8, 1)
    np.testing.assert_allclose(voxels, gan.generate_from(latents), atol=1e-5)


@pytest.mark.skipif(keras.backend.backend() != "torch", reason="the torch backend's refusal")
def test_export_on_torch_says_how_to_export(tmp_path):
    gan = kerasgan.presets.dcgan(image_shape=(28, 28, 1), latent_dim=8, base_filters=4, seed=0)
    with pytest.raises(NotImplementedError, match="export it with KERAS_BACKEND=tensorflow"):
        gan.export(tmp_path / "generator")
