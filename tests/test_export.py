"""`gan.export` writes the serving network for deployment: a SavedModel with a serving
signature (TensorFlow and JAX), an ONNX file (three backends) served by onnxruntime, a
LiteRT file (TensorFlow); each gives what `generate`/`translate` give, and refuses an
input of another size."""

import os

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


def _stylegan_with_noise():
    """A tiny StyleGAN whose noise shows: its noise strengths set to 1 (they start at 0)."""
    gan = kerasgan.presets.stylegan(image_shape=(8, 8, 3), latent_dim=8, w_dim=8, channel_base=64, channel_max=8, seed=0)
    for weight in gan.sampling_generator.weights:
        if "noise_strength" in weight.path:
            weight.assign(1.0)
    return gan


@EXPORTS
def test_exported_stylegan_serves_latents_clipped_to_the_pixel_range(tmp_path):
    import tensorflow as tf

    gan = _stylegan_with_noise()
    gan.export(tmp_path / "generator", verbose=False)
    served = tf.saved_model.load(str(tmp_path / "generator"))
    latents = np.random.default_rng(0).standard_normal((3, 8)).astype("float32")
    images = served.serve(latents).numpy()
    assert images.shape == (3, 8, 8, 3) and images.min() >= -1 and images.max() <= 1
    # The fixed noise maps by default: the image generate gives with noise_mode="const".
    np.testing.assert_allclose(images, gan.generate_from(latents, noise_mode="const"), atol=1e-5)
    assert np.abs(images - gan.generate_from(latents, noise_mode="none")).max() > 1e-2


def test_stylegan_noise_modes():
    gan = _stylegan_with_noise()
    latents = np.random.default_rng(0).standard_normal((4, 8)).astype("float32")
    const, none = gan.generate_from(latents, noise_mode="const"), gan.generate_from(latents, noise_mode="none")
    np.testing.assert_array_equal(const, gan.generate_from(latents, noise_mode="const"))
    assert np.abs(const - none).max() > 1e-2
    # Random noise: new maps every call, neither of the fixed ones.
    first, second = gan.generate_from(latents), gan.generate_from(latents)
    assert np.abs(first - second).max() > 1e-2 and np.abs(first - const).max() > 1e-2
    # The fixed-noise network shares the generator's weights: a change shows in it.
    gan.sampling_generator.synthesis.get_layer("conv_4").noise_strength.assign(0.0)
    assert np.abs(gan.generate_from(latents, noise_mode="const") - const).max() > 1e-3
    with pytest.raises(ValueError, match="noise_mode in"):
        gan.generate_from(latents, noise_mode="fixed")


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


# ---- ONNX and LiteRT --------------------------------------------------------------------

LATENTS = np.random.default_rng(0).standard_normal((3, 8)).astype("float32")
IMAGES = np.random.default_rng(1).uniform(-1, 1, (3, 16, 16, 3)).astype("float32")


def _onnx_cases():
    """(name, model, export options, inputs, what the model itself gives)."""
    dcgan = kerasgan.presets.dcgan(image_shape=(28, 28, 1), latent_dim=8, base_filters=4, seed=0)
    cgan = kerasgan.presets.cgan(image_shape=(28, 28, 1), num_classes=10, latent_dim=8, base_filters=4, seed=0)
    labels = np.array([0, 3, 9], "int32")
    stylegan = _stylegan_with_noise()
    pix2pix = kerasgan.presets.pix2pix(image_shape=(16, 16, 3), base_filters=4, seed=0)
    cyclegan = kerasgan.presets.cyclegan(image_shape=(16, 16, 3), base_filters=4, seed=0)
    gan3d = kerasgan.presets.gan3d(voxel_shape=(8, 8, 8, 1), latent_dim=8, base_filters=4, seed=0)
    return [
        ("dcgan", dcgan, {}, [LATENTS], dcgan.generate_from(LATENTS)),
        ("cgan", cgan, {}, [LATENTS, labels], cgan.generate_from(LATENTS, labels)),
        ("stylegan", stylegan, {"truncation": 0.7}, [LATENTS], stylegan.generate_from(LATENTS, truncation=0.7, noise_mode="const")),
        ("pix2pix", pix2pix, {}, [IMAGES], pix2pix.translate(IMAGES)),
        ("cyclegan_a_to_b", cyclegan, {}, [IMAGES], cyclegan.translate(IMAGES)),
        ("cyclegan_b_to_a", cyclegan, {"direction": "b_to_a"}, [IMAGES], cyclegan.translate(IMAGES, "b_to_a")),
        ("gan3d", gan3d, {}, [LATENTS[:2]], gan3d.generate_from(LATENTS[:2])),
    ]


def _onnx_session(path):
    import onnxruntime

    return onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])


def _serve_onnx(session, inputs):
    return session.run(None, {spec.name: value for spec, value in zip(session.get_inputs(), inputs)})[0]


def test_onnx_exports_serve_what_the_models_give(tmp_path):
    for name, model, options, inputs, expected in _onnx_cases():
        path = tmp_path / f"{name}.onnx"
        if name == "gan3d" and keras.backend.backend() == "jax":
            with pytest.raises(NotImplementedError, match="KERAS_BACKEND=tensorflow or torch"):
                model.export(path, format="onnx", verbose=False)
            assert not path.exists()
            continue
        model.export(path, format="onnx", verbose=False, **options)
        session = _onnx_session(path)
        # The inputs keep their names and shapes, with a free batch size.
        names = [spec.name for spec in session.get_inputs()]
        assert names == (["latents", "labels"] if name == "cgan" else ["images"] if name.startswith(("pix2pix", "cyclegan")) else ["latents"]), (name, names)
        assert not isinstance(session.get_inputs()[0].shape[0], int), name
        served = _serve_onnx(session, inputs)
        assert served.shape == expected.shape, name
        np.testing.assert_allclose(served, expected, atol=2e-5, err_msg=name)


def test_an_onnx_export_refuses_images_of_another_size(tmp_path):
    import onnxruntime

    pix2pix = kerasgan.presets.pix2pix(image_shape=(16, 16, 3), base_filters=4, seed=0)
    pix2pix.export(tmp_path / "pix2pix.onnx", format="onnx", verbose=False)
    session = _onnx_session(tmp_path / "pix2pix.onnx")
    wrong = np.zeros((1, 32, 32, 3), "float32")
    with pytest.raises(onnxruntime.capi.onnxruntime_pybind11_state.InvalidArgument, match="Expected: 16"):
        _serve_onnx(session, [wrong])


@EXPORTS
def test_a_saved_model_refuses_images_of_another_size_with_its_signature(tmp_path):
    import tensorflow as tf

    pix2pix = kerasgan.presets.pix2pix(image_shape=(16, 16, 3), base_filters=4, seed=0)
    pix2pix.export(tmp_path / "pix2pix", verbose=False)
    served = tf.saved_model.load(str(tmp_path / "pix2pix"))
    np.testing.assert_allclose(served.serve(IMAGES).numpy(), pix2pix.translate(IMAGES), atol=1e-5)
    with pytest.raises((TypeError, ValueError), match=r"16, 16, 3"):
        served.serve(np.zeros((1, 32, 32, 3), "float32"))


def test_a_failed_export_leaves_no_file_and_keeps_an_earlier_one(tmp_path, monkeypatch):
    gan = kerasgan.presets.dcgan(image_shape=(28, 28, 1), latent_dim=8, base_filters=4, seed=0)
    network = gan.serving_model()

    def half_written(filepath, **kwargs):
        os.makedirs(filepath) if kwargs["format"] == "tf_saved_model" else open(filepath, "wb").close()
        raise RuntimeError("the converter failed")

    monkeypatch.setattr(network, "export", half_written)
    with pytest.raises(RuntimeError, match="the converter failed"):
        gan.export(tmp_path / "generator.onnx", format="onnx")
    assert os.listdir(tmp_path) == []

    (tmp_path / "generator.onnx").write_bytes(b"earlier")
    (tmp_path / "saved").mkdir()
    (tmp_path / "saved" / "saved_model.pb").write_bytes(b"earlier")
    with pytest.raises(RuntimeError, match="the converter failed"):
        gan.export(tmp_path / "generator.onnx", format="onnx")
    with pytest.raises((RuntimeError, NotImplementedError)):  # torch: refused before writing
        gan.export(tmp_path / "saved", format="tf_saved_model")
    assert sorted(os.listdir(tmp_path)) == ["generator.onnx", "saved"]
    assert (tmp_path / "generator.onnx").read_bytes() == b"earlier"
    assert (tmp_path / "saved" / "saved_model.pb").read_bytes() == b"earlier"


@pytest.mark.skipif(keras.backend.backend() == "torch", reason="Keras exports SavedModels from TensorFlow and JAX")
def test_a_saved_model_export_replaces_an_earlier_one_and_nothing_else(tmp_path):
    gan = kerasgan.presets.dcgan(image_shape=(28, 28, 1), latent_dim=8, base_filters=4, seed=0)
    (tmp_path / "saved").mkdir()
    (tmp_path / "saved" / "saved_model.pb").write_bytes(b"an earlier export")
    (tmp_path / "saved" / "stale.txt").write_text("from the earlier export")
    gan.export(tmp_path / "saved", verbose=False)
    assert os.listdir(tmp_path) == ["saved"]
    assert "stale.txt" not in os.listdir(tmp_path / "saved")
    assert (tmp_path / "saved" / "saved_model.pb").read_bytes() != b"an earlier export"

    # A folder of the user's own files is not an earlier export: refused, kept.
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "model.keras").write_bytes(b"mine")
    with pytest.raises(FileExistsError, match="Expected a new folder or an earlier export"):
        gan.export(tmp_path / "run", verbose=False)
    assert os.listdir(tmp_path / "run") == ["model.keras"]
    assert sorted(os.listdir(tmp_path)) == ["run", "saved"]


def test_export_refuses_an_unknown_format_before_writing(tmp_path):
    gan = kerasgan.presets.dcgan(image_shape=(28, 28, 1), latent_dim=8, base_filters=4, seed=0)
    with pytest.raises(ValueError, match=r"Expected format in \('tf_saved_model', 'onnx', 'litert'\)"):
        gan.export(tmp_path / "generator.pb", format="tensorrt")
    stylegan = _stylegan_with_noise()
    with pytest.raises(ValueError, match="noise_mode='const'"):
        stylegan.export(tmp_path / "generator.onnx", format="onnx", noise_mode="random")
    assert os.listdir(tmp_path) == []


@pytest.mark.skipif(keras.backend.backend() != "tensorflow", reason="Keras exports LiteRT from TensorFlow here (refused elsewhere: below)")
def test_litert_export_serves_latents(tmp_path):
    from ai_edge_litert.interpreter import Interpreter

    gan = kerasgan.presets.dcgan(image_shape=(28, 28, 1), latent_dim=8, base_filters=4, seed=0)
    with pytest.raises(ValueError, match="a .tflite file"):
        gan.export(tmp_path / "generator.lite", format="litert")
    gan.export(tmp_path / "generator.tflite", format="litert", verbose=False)
    interpreter = Interpreter(str(tmp_path / "generator.tflite"))
    latents_input = interpreter.get_input_details()[0]
    assert list(latents_input["shape_signature"]) == [-1, 8]
    interpreter.resize_tensor_input(latents_input["index"], LATENTS.shape)
    interpreter.allocate_tensors()
    interpreter.set_tensor(latents_input["index"], LATENTS)
    interpreter.invoke()
    images = interpreter.get_tensor(interpreter.get_output_details()[0]["index"])
    np.testing.assert_allclose(images, gan.generate_from(LATENTS), atol=1e-5)


@pytest.mark.skipif(keras.backend.backend() == "tensorflow", reason="the other backends' refusal")
def test_litert_export_elsewhere_says_how(tmp_path):
    gan = kerasgan.presets.dcgan(image_shape=(28, 28, 1), latent_dim=8, base_filters=4, seed=0)
    with pytest.raises(NotImplementedError, match="export it with KERAS_BACKEND=tensorflow"):
        gan.export(tmp_path / "generator.tflite", format="litert")
    assert os.listdir(tmp_path) == []
