"""The pretrained zoo: every shipped generator loads and scores as its manifest records."""

import os
import subprocess
import sys
import zipfile

import keras
import numpy as np
import pytest
from helpers import require_fid_weights, require_prepared, require_tfds_dataset

from kerasgan import cli, presets, pretrained

SHIPPED = presets.pretrained()
# The checks that run the Inception network are slow tests; on JAX, whose CPU compiles
# each network for a minute or so, all but a few are. CI runs the slow tests on
# TensorFlow only, so there every model's check runs; on JAX, these three.
SLOW_CHECKS = {name for name, manifest in SHIPPED.items() if manifest["check"]["metric"] == "fid"}
if keras.backend.backend() == "jax":
    SLOW_CHECKS |= set(SHIPPED) - {"dcgan_mnist", "cgan_mnist", "pix2pix_openmoji"}
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _require_data(manifest):
    dataset = manifest["data"]["dataset"]
    if dataset in ("mnist", "fashion_mnist"):
        require_tfds_dataset(dataset)
        return
    from kerasgan.datasets import sources

    path = sources.cache_path(dataset)
    require_prepared(os.path.exists(path), f"the {dataset!r} set is not prepared at {path}", "python scripts/prepare_offline_data.py")
    if manifest["check"]["metric"] == "fid":
        require_fid_weights()


def test_every_preset_ships_weights_with_a_complete_manifest():
    # Every preset but the papers' GPU networks (which say so in `kerasgan list`).
    shipping = {name for name, preset in presets.PRESETS.items() if preset.ships_weights}
    assert {manifest["preset"] for manifest in SHIPPED.values()} == shipping
    assert all("no shipped weights" in presets.PRESETS[name].description for name in set(presets.PRESETS) - shipping)
    total = 0
    for name, manifest in SHIPPED.items():
        assert manifest["name"] == name
        for key in ("description", "build", "weights", "data", "training", "scores", "check", "commands"):
            assert manifest[key], (name, key)
        training = manifest["training"]
        assert training["steps"] > 0 and training["seed"] == 0 and training["hardware"]
        assert manifest["commands"][0].startswith(f"kerasgan train {manifest['preset']} ")
        total += os.path.getsize(pretrained.weights_path(manifest))
    assert total < 40e6, f"the shipped weights take {total / 1e6:.1f} MB; the aim is under 40 MB"
    assert set(presets.list()) == set(presets.PRESETS) | set(SHIPPED)
    assert all(presets.list()[name].startswith("Pretrained") for name in SHIPPED)


def test_every_shipped_model_has_its_family_recipe():
    # The recipe in its family's presets.py is what scripts/build_zoo.py trained it with.
    assert set(presets.RECIPES) == set(SHIPPED)
    for name, recipe in presets.RECIPES.items():
        manifest = SHIPPED[name]
        assert (manifest["preset"], manifest["data"]["dataset"], manifest["build"]) == (recipe.preset, recipe.dataset, recipe.build), name
        assert {key: manifest["check"][key] for key in recipe.check} == recipe.check, name
        assert " ".join(recipe.train_options) in manifest["commands"][0], name


@pytest.mark.parametrize(
    "name", [pytest.param(name, marks=pytest.mark.slow) if name in SLOW_CHECKS else name for name in SHIPPED]
)
def test_shipped_model_scores_as_its_manifest_records(name):
    manifest = SHIPPED[name]
    _require_data(manifest)
    model = presets.from_preset(name)
    assert model.name == manifest["preset"]
    check = manifest["check"]
    value = pretrained.measure(model, manifest["data"]["dataset"], check)
    assert value == pytest.approx(check["value"], rel=check["rtol"]), f"{name}: {check['metric']} {value} != {check['value']}"
    # The untrained preset scores far outside the tolerance (recorded when shipped).
    gap = abs(check["untrained_value"] - check["value"])
    assert gap > 10 * check["rtol"] * check["value"], f"{name}: untrained {check['untrained_value']} vs {check['value']}"


def test_the_check_fails_for_untrained_weights():
    manifest = SHIPPED["dcgan_mnist"]
    _require_data(manifest)
    untrained = presets.get(manifest["preset"], seed=0, **manifest["build"])
    # (Initial weights differ between backends' random generators: no exact value.)
    value = pretrained.measure(untrained, manifest["data"]["dataset"], manifest["check"])
    assert value > (1 + 10 * manifest["check"]["rtol"]) * manifest["check"]["value"]


def test_from_preset_samples_at_once_and_trains_on():
    gan = presets.from_preset("dcgan_mnist", seed=1)
    images = gan.generate(8, seed=0)
    assert images.shape == (8, 28, 28, 1) and images.dtype == np.float32
    assert -1.0 <= images.min() and images.max() <= 1.0 and images.std() > 0.3  # digits: mostly -1, strokes +1
    before = [w.copy() for w in gan.generator.get_weights()]
    gan.fit(np.asarray(images), batch_size=8, epochs=1, verbose=0)
    assert any(not np.allclose(a, b) for a, b in zip(before, gan.generator.get_weights()))


def test_stylegan_ships_its_moving_average_as_the_weights_fine_tuning_starts_from():
    gan = presets.from_preset("stylegan_emoji")
    for averaged, trained in zip(gan.ema_generator.weights, gan.generator.weights):
        np.testing.assert_array_equal(keras.ops.convert_to_numpy(averaged), keras.ops.convert_to_numpy(trained))
    assert np.abs(keras.ops.convert_to_numpy(gan.generator.w_avg)).sum() > 0  # truncation's centre came along


def test_from_preset_and_get_say_which_name_to_use():
    with pytest.raises(ValueError, match=r"'dcgan' is a preset; its pretrained models are \['dcgan_fashion_mnist', 'dcgan_mnist'\]"):
        presets.from_preset("dcgan")
    with pytest.raises(ValueError, match="Unknown pretrained model.*Received: 'dcgan_mnsit'. Did you mean 'dcgan_mnist'"):
        presets.from_preset("dcgan_mnsit")
    with pytest.raises(ValueError, match=r"is a pretrained model: use from_preset\('dcgan_mnist'\)"):
        presets.get("dcgan_mnist")


def test_corrupt_and_foreign_weights_are_named(tmp_path):
    manifest = SHIPPED["dcgan_mnist"]
    corrupt = tmp_path / "corrupt.npz"
    with open(pretrained.weights_path(manifest), "rb") as file:
        corrupt.write_bytes(file.read()[:1000])
    model = presets.get("dcgan", **manifest["build"])
    with pytest.raises(ValueError, match="Could not read the pretrained weights .*corrupt.npz"):
        pretrained.load_weights(model, str(corrupt))
    wider = presets.get("dcgan", base_filters=8)
    with pytest.raises(ValueError, match="another architecture. Expected generator/0000 .* of shape"):
        pretrained.load_weights(wider, pretrained.weights_path(manifest))
    with pytest.raises(ValueError, match=r"another architecture. Expected 14 arrays for the networks \['generator'\] of 'mlp_gan'. Received: 12 arrays"):
        pretrained.load_weights(presets.mlp_gan(), pretrained.weights_path(manifest))


def test_weights_round_trip_in_float16_without_changing_samples(tmp_path):
    gan = presets.dcgan(image_shape=(16, 16, 1), base_filters=4, latent_dim=8, seed=0)
    path = tmp_path / "tiny.npz"
    pretrained.save_weights(gan, str(path))
    with np.load(path) as arrays:
        assert {arrays[key].dtype for key in arrays.files} == {np.dtype("float16")}
    copy = presets.dcgan(image_shape=(16, 16, 1), base_filters=4, latent_dim=8, seed=1)
    pretrained.load_weights(copy, str(path))
    np.testing.assert_allclose(copy.generate(4, seed=0), gan.generate(4, seed=0), atol=2e-2)
    assert os.listdir(tmp_path) == ["tiny.npz"]  # written atomically: no temporary file left


def test_cli_samples_a_pretrained_model_by_name(tmp_path, capsys):
    from PIL import Image

    out = tmp_path / "grid.png"
    assert cli.main(["sample", "cgan_mnist", "--n", "20", "--out", str(out)]) == 0
    assert Image.open(out).size == (2 + 10 * 30, 2 + 2 * 30)  # 10 classes across, 2 rows of 28 px
    assert cli.main(["list"]) == 0
    printed = capsys.readouterr().out
    assert "Pretrained" in printed and "dcgan_mnist" in printed and "cfd" in printed
    with pytest.raises(SystemExit, match="or a pretrained model: .*dcgan_mnist"):
        cli.main(["sample", "dcgan_mnsit"])


@pytest.mark.slow
def test_a_plain_install_samples_a_pretrained_model_offline(tmp_path):
    """`pip install .` (a wheel, not this checkout) carries every shipped file, and its
    `kerasgan sample dcgan_mnist` works from another folder."""
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path), ROOT],
        check=True,
    )
    (wheel,) = tmp_path.glob("kerasgan-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for name, manifest in SHIPPED.items():
        assert f"kerasgan/saved_models/{name}.json" in names
        assert f"kerasgan/saved_models/{manifest['weights']}" in names
    assert {"kerasgan/saved_models/mnist_classifier.keras", "kerasgan/saved_models/fashion_mnist_classifier.keras"} <= names

    # A virtual environment that sees the installed dependencies, with the wheel installed in it.
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True)
    python = str(venv / "bin" / "python")
    subprocess.run([python, "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)], check=True)
    out = tmp_path / "digits.png"
    result = subprocess.run(
        [str(venv / "bin" / "kerasgan"), "sample", "dcgan_mnist", "--n", "16", "--out", str(out)],
        cwd=tmp_path, capture_output=True, text=True, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}, check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert out.stat().st_size > 0
    where = subprocess.run(
        [python, "-c", "import kerasgan; print(kerasgan.__file__)"], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    assert where.stdout.strip().startswith(str(venv)), where.stdout  # the wheel's copy, not this checkout
