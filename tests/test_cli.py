"""The `kerasgan` command: the default run on a cut-down budget, sample, errors."""

import json
import os
import re

import keras
import numpy as np
import pytest
from helpers import require_fid_weights

from kerasgan import cli, presets


@pytest.fixture(autouse=True)
def _from_a_folder_holding_runs(tmp_path_factory, monkeypatch):
    """Every test here runs from a folder that holds a run of each preset in its default
    --out (runs/<preset>/, as `kerasgan train` leaves after the README's quickstart), and
    must neither depend on it nor touch it."""
    folder = tmp_path_factory.mktemp("current_folder")
    for name in presets.PRESETS:
        (folder / "runs" / name).mkdir(parents=True)
        (folder / "runs" / name / "model.keras").write_text("a run in the current folder")
    monkeypatch.chdir(folder)
    yield
    for name in presets.PRESETS:
        assert os.listdir(folder / "runs" / name) == ["model.keras"], f"runs/{name} of the current folder was touched"


@pytest.mark.slow
def test_default_train_run_writes_everything(tmp_path, capsys):
    out = tmp_path / "run"
    assert cli.main(["train", "--epochs", "2", "--steps-per-epoch", "3", "--out", str(out)]) == 0
    names = set(os.listdir(out))
    assert {"samples_epoch_001.png", "samples_epoch_002.png", "samples_latest.png"} <= names
    assert {"training_curves.png", "model.keras", "model.keras.json"} <= names
    if keras.backend.backend() == "tensorflow":
        assert "saved_model.pb" in os.listdir(out / "generator_savedmodel")
    printed = capsys.readouterr().out
    assert "images/s" in printed

    grid = tmp_path / "grid.png"
    assert cli.main(["sample", str(out / "model.keras"), "--n", "9", "--out", str(grid)]) == 0
    assert grid.stat().st_size > 0

    # --resume continues after the 2 epochs done.
    assert cli.main(["train", "--epochs", "3", "--steps-per-epoch", "3", "--out", str(out), "--resume"]) == 0
    assert "Resuming" in capsys.readouterr().out
    steps = json.loads((out / "training_curves.json").read_text())["curves"]["step"]
    assert steps[0] == 1 and steps[-1] == 7, "the resumed run continues the curves"
    assert int(keras.models.load_model(out / "model.keras").g_optimizer.iterations) == 9

    # Another preset's run is not continued under a new name.
    with pytest.raises(SystemExit, match=r"holds a 'dcgan' run, not 'wgan'. Resume it with `kerasgan train dcgan --resume"):
        cli.main(["train", "wgan", "--epochs", "4", "--out", str(out), "--resume"])
    # --epochs is the total: a finished run says so instead of training nothing.
    with pytest.raises(SystemExit, match="has trained for 3 epochs, and --epochs is the total"):
        cli.main(["train", "--epochs", "3", "--out", str(out), "--resume"])
    with pytest.raises(SystemExit, match="latent_dim=100, fixed when it began"):
        cli.main(["train", "--epochs", "4", "--latent-dim", "16", "--out", str(out), "--resume"])


def test_train_keeps_an_earlier_run_unless_told_to_replace_it(tmp_path, capsys):
    out = tmp_path / "run"
    out.mkdir()
    for name in ("model.keras", "samples_epoch_007.png", "notes.txt"):
        (out / name).write_text("an earlier run's file")
    with pytest.raises(SystemExit, match="already holds a run .* --resume, replace it with --overwrite"):
        cli.main(["train", "--epochs", "1", "--out", str(out)])
    assert (out / "model.keras").read_text() == "an earlier run's file"
    arguments = ["train", "--epochs", "1", "--steps-per-epoch", "1", "--batch-size", "8", "--out", str(out)]
    assert cli.main([*arguments, "--overwrite"]) == 0
    # The earlier run's outputs are gone, the user's own file stays, the new model loads.
    assert sorted(name for name in os.listdir(out) if name.startswith("samples_epoch")) == ["samples_epoch_001.png"]
    assert (out / "notes.txt").read_text() == "an earlier run's file"
    assert not [name for name in os.listdir(out) if name.startswith(".previous-run")], "the earlier run, set aside, is removed"
    assert int(keras.models.load_model(out / "model.keras").g_optimizer.iterations) == 1
    with pytest.raises(SystemExit, match="is a file"):
        cli.main(["train", "--epochs", "1", "--out", str(out / "notes.txt")])


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["train", "--epochs", "0"], "--epochs: expected a positive int. Received: '0'"),
        (["train", "--batch-size", "0"], "--batch-size: expected a positive int"),
        (["train", "--steps-per-epoch", "-2"], "--steps-per-epoch: expected a positive int"),
        (["train", "--g-lr", "0"], "--g-lr: expected a positive float"),
        (["sample", "dcgan_mnist", "--n", "0"], "--n: expected a positive int"),
        (["evaluate", "dcgan_mnist", "--num-samples", "x"], "--num-samples: expected a positive int. Received: 'x'"),
    ],
)
def test_counts_and_rates_must_be_positive(arguments, message, capsys):
    with pytest.raises(SystemExit):
        cli.main(arguments)
    assert message in capsys.readouterr().err


def test_options_that_would_be_ignored_are_refused(tmp_path):
    with pytest.raises(SystemExit, match="--channels sets the colour of your own images, with --data-dir"):
        cli.main(["train", "--channels", "1", "--out", str(tmp_path / "run")])
    with pytest.raises(SystemExit, match="--fit sets how your own images are brought to square, with --data-dir"):
        cli.main(["train", "--fit", "pad", "--out", str(tmp_path / "run")])


def _earlier_run(out):
    """A folder with an earlier run's files and one of the user's own: `{name: bytes}`."""
    out.mkdir(parents=True)
    files = {
        "model.keras": b"an earlier run's model", "model.keras.json": b'{"epochs_done": 7}',
        "samples_epoch_007.png": b"a grid", "samples_latest.png": b"a grid", "training_curves.json": b"{}",
        "notes.txt": b"the user's own file",
    }
    for name, data in files.items():
        (out / name).write_bytes(data)
    return files


def _files(out):
    return {path.name: path.read_bytes() for path in out.iterdir() if path.is_file()}


@pytest.mark.parametrize("arguments, message", [
    (["--dataset", "mnsit"], "Unknown dataset.*'mnsit'.*Did you mean 'mnist'"),
    (["--data-dir", "absent/"], "--data-dir 'absent/' is not a folder"),
    (["--data-dir", "empty/"], r"Expected image files \(png.*in 'empty/'. Received: none"),
    (["--image-size", "30"], "DCGAN networks expect a side that halves.*Received: image_shape=\\(30, 30, 1\\)"),
    (["--channels", "1"], "--channels sets the colour of your own images"),
    (["--category", "chair"], "--category selects furniture for gan3d"),
])
def test_overwrite_changes_nothing_until_the_command_is_known_to_run(tmp_path, monkeypatch, capsys, arguments, message):
    # On main, --overwrite deleted the earlier run before these errors: 12 files -> 0.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "empty").mkdir()
    files = _earlier_run(tmp_path / "run")
    try:
        code = cli.main(["train", "--epochs", "1", "--out", "run", "--overwrite", *arguments])
    except SystemExit as error:
        code, printed = error.code, str(error)
    else:
        printed = capsys.readouterr().err
    assert code != 0 and re.search(message, printed), printed
    assert "already holds a run" not in printed
    assert sorted(os.listdir(tmp_path / "run")) == sorted(files) and _files(tmp_path / "run") == files


def test_a_typo_is_named_before_the_run_in_the_folder(tmp_path, capsys):
    # With a run in the folder, the typo was answered with "already holds a run".
    _earlier_run(tmp_path / "run")
    assert cli.main(["train", "--dataset", "mnsit", "--out", str(tmp_path / "run")]) == 1
    assert "Did you mean 'mnist'" in capsys.readouterr().err
    with pytest.raises(SystemExit, match="unknown preset 'dcgam'"):
        cli.main(["train", "dcgam", "--out", str(tmp_path / "run")])
    with pytest.raises(SystemExit, match="already holds a run"):
        cli.main(["train", "--out", str(tmp_path / "run")])


@pytest.mark.parametrize("failure", [KeyboardInterrupt, RuntimeError])
def test_overwrite_restores_the_earlier_run_when_the_new_one_stops_before_its_first_checkpoint(tmp_path, monkeypatch, capsys, failure):
    from kerasgan import callbacks

    files = _earlier_run(tmp_path / "run")

    def stop(self, epoch, logs=None):
        raise failure("stopped in epoch 1")

    monkeypatch.setattr(callbacks.SampleGrid, "on_epoch_end", stop)  # before Checkpoint's
    arguments = ["train", "--epochs", "3", "--steps-per-epoch", "1", "--batch-size", "8", "--out", str(tmp_path / "run"), "--overwrite"]
    if failure is KeyboardInterrupt:
        assert cli.main(arguments) == 130
        printed = capsys.readouterr().err
        assert printed.count("\n") == 1, printed
        assert printed == (
            f"Interrupted in epoch 1 of 3, after step 1 of 1, before the first checkpoint: nothing saved; the earlier run "
            f"in {tmp_path / 'run'}/ is back in place. Start again with: kerasgan {' '.join(arguments)}\n"
        )
    else:
        assert cli.main(arguments) == 1
        assert "stopped in epoch 1" in capsys.readouterr().err
    assert _files(tmp_path / "run") == files and sorted(os.listdir(tmp_path / "run")) == sorted(files)


def test_an_overwrite_killed_midway_is_finished_by_the_next_run(tmp_path):
    out = tmp_path / "run"
    files = _earlier_run(out)
    # Killed (kill -9) while the new run trained: the earlier run set aside, a new grid out.
    previous = cli._PreviousRun(str(out), str(out / "model.keras"))
    previous.set_aside()
    (out / "samples_epoch_001.png").write_bytes(b"the new run's grid")
    cli._PreviousRun.recover(str(out))
    assert _files(out) == files and sorted(os.listdir(out)) == sorted(files)
    # Killed after the new run's first checkpoint: the earlier run goes.
    previous.set_aside()
    (out / "model.keras").write_bytes(b"the new run's model")
    cli._PreviousRun.recover(str(out))
    assert sorted(os.listdir(out)) == ["model.keras", "notes.txt"]
    # Killed while setting aside: every file goes back.
    partial = out / ".previous-run.partial"
    partial.mkdir()
    os.replace(out / "model.keras", partial / "model.keras")
    cli._PreviousRun.recover(str(out))
    assert sorted(os.listdir(out)) == ["model.keras", "notes.txt"]


def test_other_commands_end_a_ctrl_c_in_one_line(monkeypatch, capsys):
    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setitem(cli.COMMANDS, "list", interrupted)
    assert cli.main(["list"]) == 130
    assert capsys.readouterr().err == "kerasgan list: interrupted.\n"


def test_verbose_shows_tensorflow_log_lines(monkeypatch):
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "3")
    assert cli.main(["list", "--verbose"]) == 0
    assert os.environ["TF_CPP_MIN_LOG_LEVEL"] == "0"


def test_unknown_preset_and_dataset(capsys):
    with pytest.raises(SystemExit, match="unknown preset 'dcgam'.*Did you mean 'dcgan'"):
        cli.main(["train", "dcgam"])
    assert cli.main(["train", "--dataset", "mnsit"]) == 1
    assert "Unknown dataset" in capsys.readouterr().err


def test_sample_rejects_missing_corrupt_and_foreign_files(tmp_path):
    with pytest.raises(SystemExit, match="no model file"):
        cli.main(["sample", str(tmp_path / "absent.keras")])
    corrupt = tmp_path / "corrupt.keras"
    corrupt.write_bytes(b"not a zip file")
    with pytest.raises(SystemExit, match="not a .keras archive"):
        cli.main(["sample", str(corrupt)])
    import kerasgan

    whole = tmp_path / "whole.keras"
    kerasgan.presets.dcgan(base_filters=4, latent_dim=8).save(whole)
    truncated = tmp_path / "truncated.keras"
    truncated.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    with pytest.raises(SystemExit, match="not a .keras archive"):
        cli.main(["sample", str(truncated)])
    foreign = tmp_path / "foreign.keras"
    keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)]).save(foreign)
    with pytest.raises(SystemExit, match="not a kerasgan model"):
        cli.main(["sample", str(foreign)])


def test_list_prints_presets(capsys):
    assert cli.main(["list"]) == 0
    printed = capsys.readouterr().out
    assert "dcgan" in printed and "mlp_gan" in printed
    assert "stylegan_emoji" in printed and "check: fid of 500 samples" in printed


def test_conditional_preset_trains_on_labelled_data(tmp_path, capsys):
    out = tmp_path / "cgan"
    assert cli.main(["train", "cgan", "--epochs", "1", "--steps-per-epoch", "2", "--out", str(out)]) == 0
    assert (out / "samples_latest.png").exists() and (out / "model.keras").exists()
    grid = tmp_path / "grid.png"
    assert cli.main(["sample", str(out / "model.keras"), "--n", "20", "--out", str(grid)]) == 0
    assert grid.stat().st_size > 0


def test_evaluate_prints_a_table_and_writes_json(tmp_path, capsys):
    from kerasgan import presets

    require_fid_weights()
    model = tmp_path / "dcgan.keras"
    presets.dcgan(image_shape=(28, 28, 1), seed=0).save(model)  # untrained: noise-like samples
    out = tmp_path / "evaluation.json"
    argv = ["evaluate", str(model), "--num-samples", "20", "--metrics", "fid,kid,pr", "--out", str(out)]
    assert cli.main(argv) == 0
    printed = capsys.readouterr().out
    assert "FID (Inception)" in printed and "recall" in printed
    report = json.loads(out.read_text())
    assert report["dataset"] == "mnist_sample" and report["num_samples"] == 20
    results = report["results"]
    assert results["num_real"] == results["num_fake"] == 20
    assert 0 <= results["precision"] <= 1
    # At 20 images the FID is large even between real digits (the estimator's small-
    # sample bias). Measured: 96.1 between these 20 digits (the sample's first) and the
    # next 20, 88.5 against the 20 after those; 453 against uniform noise; 333 for this
    # untrained generator (TensorFlow; 322 on JAX, 316 on PyTorch). Real digits
    # cannot pass twice the digits-vs-digits value; noise-like samples must.
    # (tests/test_inception.py checks the same separation on 40 images, computed.)
    digits_vs_digits = 96.1
    assert results["fid"] > 2 * digits_vs_digits, results["fid"]


def test_evaluate_rejects_bad_metrics_and_models(tmp_path, capsys):
    with pytest.raises(SystemExit, match="no model file"):
        cli.main(["evaluate", str(tmp_path / "absent.keras")])
    from kerasgan import presets

    model = tmp_path / "dcgan.keras"
    presets.dcgan(image_shape=(28, 28, 1), seed=0).save(model)
    assert cli.main(["evaluate", str(model), "--metrics", "fid,fdi"]) == 1
    assert "Unknown metrics" in capsys.readouterr().err
    assert cli.main(["evaluate", str(model), "--metrics", "fid,is", "--num-samples", "5"]) == 1
    assert "Expected num_samples >= 10" in capsys.readouterr().err
    presets.pix2pix(image_shape=(16, 16, 3), base_filters=4).save(tmp_path / "pix2pix.keras")
    with pytest.raises(SystemExit, match="scores image generators against a dataset. Received: a Pix2Pix"):
        cli.main(["evaluate", str(tmp_path / "pix2pix.keras")])


def test_translate_maps_a_folder_of_images(tmp_path, capsys):
    import numpy as np
    from PIL import Image

    import kerasgan

    model = kerasgan.presets.pix2pix(image_shape=(16, 16, 3), base_filters=4, seed=0)
    model.save(tmp_path / "pix2pix.keras")
    folder = tmp_path / "in"
    folder.mkdir()
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 255, (16, 16, 3), dtype=np.uint8)).save(folder / "rgb.png")
    Image.fromarray(rng.integers(0, 255, (16, 16, 4), dtype=np.uint8), "RGBA").save(folder / "rgba.png")
    Image.fromarray(rng.integers(0, 255, (40, 30, 3), dtype=np.uint8)).save(folder / "large.jpg")
    out = tmp_path / "out"
    assert cli.main(["translate", str(tmp_path / "pix2pix.keras"), str(folder), "--out", str(out)]) == 0
    assert sorted(os.listdir(out)) == ["large.png", "rgb.png", "rgba.png"]
    with Image.open(out / "large.png") as picture:
        assert (picture.size, picture.mode) == ((16, 16), "RGB")
    # The file holds the model's translation of the input.
    with Image.open(folder / "rgb.png") as picture:
        source = np.asarray(picture, dtype=np.float32) / 127.5 - 1
    expected = kerasgan.datasets.to_uint8(model.translate(source))
    with Image.open(out / "rgb.png") as picture:
        np.testing.assert_array_equal(np.asarray(picture), expected)
    assert "Translated 3 images" in capsys.readouterr().out

    cyclegan = kerasgan.presets.cyclegan(image_shape=(16, 16, 1), base_filters=4, num_blocks=1, seed=0)
    cyclegan.save(tmp_path / "cyclegan.keras")
    assert cli.main(["translate", str(tmp_path / "cyclegan.keras"), str(folder), "--out", str(out), "--direction", "b_to_a"]) == 0
    with Image.open(out / "rgb.png") as picture:
        assert (picture.size, picture.mode) == ((16, 16), "L")


def test_sample_and_translate_say_which_command_fits_the_model(tmp_path):
    import kerasgan

    kerasgan.presets.pix2pix(image_shape=(16, 16, 3), base_filters=4).save(tmp_path / "pix2pix.keras")
    with pytest.raises(SystemExit, match="whose outputs are .translations.. Use `kerasgan translate`"):
        cli.main(["sample", str(tmp_path / "pix2pix.keras")])
    kerasgan.presets.dcgan(base_filters=4, latent_dim=8).save(tmp_path / "dcgan.keras")
    (tmp_path / "in").mkdir()
    with pytest.raises(SystemExit, match="does not translate images. Use `kerasgan sample`"):
        cli.main(["translate", str(tmp_path / "dcgan.keras"), str(tmp_path / "in"), "--out", str(tmp_path / "out")])
    with pytest.raises(SystemExit, match="no images"):
        cli.main(["translate", str(tmp_path / "pix2pix.keras"), str(tmp_path / "in"), "--out", str(tmp_path / "out")])
    with pytest.raises(SystemExit, match="INPUT is a folder of images. Received: .*which does not exist"):
        cli.main(["translate", str(tmp_path / "pix2pix.keras"), str(tmp_path / "absent"), "--out", str(tmp_path / "out")])
    (tmp_path / "in" / "broken.png").write_text("not an image")
    with pytest.raises(SystemExit, match=r"broken\.png' is not a readable image"):
        cli.main(["translate", str(tmp_path / "pix2pix.keras"), str(tmp_path / "in"), "--out", str(tmp_path / "out")])
    with pytest.raises(SystemExit, match="--direction chooses the direction of a two-way translator; a Pix2Pix translates one way"):
        cli.main(["translate", str(tmp_path / "pix2pix.keras"), str(tmp_path / "in"), "--out", str(tmp_path / "out"), "--direction", "b_to_a"])


@pytest.mark.slow
def test_train_and_sample_stylegan_with_truncation(tmp_path, capsys):
    out = tmp_path / "stylegan"
    assert cli.main(["train", "stylegan", "--epochs", "1", "--steps-per-epoch", "2", "--out", str(out)]) == 0
    assert "(32, 32, 3)" in capsys.readouterr().out  # the preset's image size on emoji
    grid = tmp_path / "truncated.png"
    assert cli.main(["sample", str(out / "model.keras"), "--n", "4", "--truncation", "0.5", "--out", str(grid)]) == 0
    assert grid.stat().st_size > 0


def test_stylegan_trains_at_its_own_size_on_other_datasets():
    # MNIST's 28 px is no power of two: the preset's 32 px applies on any dataset.
    import argparse

    from kerasgan import presets

    args = argparse.Namespace(image_size=None, category=None, data_dir=None, channels=None, fit=None, labels=None, seed=0)
    _, options, _ = cli._training_data(presets.PRESETS["stylegan"], args, "mnist_sample", 8)
    assert options == {"image_shape": (32, 32, 1)}
    _, options, _ = cli._training_data(presets.PRESETS["dcgan"], args, "mnist_sample", 8)
    assert options == {"image_shape": (28, 28, 1)}  # presets without a size keep the data's


@pytest.mark.slow
def test_train_and_sample_gan3d_on_one_category(tmp_path, capsys):
    out = tmp_path / "gan3d"
    assert cli.main(["train", "gan3d", "--category", "chair", "--epochs", "1", "--steps-per-epoch", "1", "--out", str(out)]) == 0
    assert "(32, 32, 32, 1)" in capsys.readouterr().out
    assert (out / "samples_latest.png").stat().st_size > 0  # rendered views of voxel samples
    grid = tmp_path / "shapes.png"
    assert cli.main(["sample", str(out / "model.keras"), "--n", "4", "--out", str(grid)]) == 0
    assert grid.stat().st_size > 0
    with pytest.raises(SystemExit, match="--truncation applies to style-based models"):
        cli.main(["sample", str(out / "model.keras"), "--truncation", "0.5"])


def test_category_is_refused_for_image_presets():
    with pytest.raises(SystemExit, match="--category selects furniture for gan3d"):
        cli.main(["train", "dcgan", "--category", "chair"])


def test_train_in_mixed_precision_with_tensorboard(tmp_path, capsys):
    import keras

    out = tmp_path / "run"
    try:
        arguments = ["train", "--epochs", "1", "--steps-per-epoch", "2", "--mixed-precision", "float16", "--tensorboard", "--out", str(out)]
        assert cli.main([*arguments, "--resume"]) == 0
        printed = capsys.readouterr().out
        assert f"No checkpoint to resume at {out / 'model.keras'}: starting a new run." in printed
        assert "in float16 mixed precision" in printed
        assert f"tensorboard --logdir {out / 'tensorboard'}" in printed
        assert os.listdir(out / "tensorboard" / "train") and os.listdir(out / "tensorboard" / "samples")
        model = keras.models.load_model(out / "model.keras")
        assert model.generator.dtype_policy.name == "mixed_float16"
        assert isinstance(model.g_optimizer, keras.optimizers.LossScaleOptimizer) and int(model.g_optimizer.iterations) == 2
    finally:
        keras.mixed_precision.set_global_policy("float32")


def test_sample_of_a_conditional_model_honours_n_and_label(tmp_path, capsys):
    from PIL import Image

    import kerasgan

    kerasgan.presets.cgan(image_shape=(16, 16, 1), latent_dim=8, base_filters=4, seed=0).save(tmp_path / "cgan.keras")
    grid = tmp_path / "grid.png"
    assert cli.main(["sample", str(tmp_path / "cgan.keras"), "--n", "25", "--out", str(grid)]) == 0
    assert "Wrote 25 samples to" in capsys.readouterr().out
    with Image.open(grid) as picture:
        # One class per column: 10 columns, 3 rows of 16-pixel tiles with 2-pixel borders.
        assert picture.size == (10 * 18 + 2, 3 * 18 + 2)
    assert cli.main(["sample", str(tmp_path / "cgan.keras"), "--n", "4", "--label", "7", "--out", str(grid)]) == 0
    assert "Wrote 4 samples of class 7" in capsys.readouterr().out
    with Image.open(grid) as picture:
        assert picture.size == (2 * 18 + 2, 2 * 18 + 2)
    assert cli.main(["sample", str(tmp_path / "cgan.keras"), "--label", "10", "--out", str(grid)]) == 1
    assert "Expected labels in [0, 10). Received: labels in [10, 10]" in capsys.readouterr().err
    kerasgan.presets.dcgan(image_shape=(16, 16, 1), latent_dim=8, base_filters=4).save(tmp_path / "dcgan.keras")
    with pytest.raises(SystemExit, match="--label applies to conditional models"):
        cli.main(["sample", str(tmp_path / "dcgan.keras"), "--label", "1"])


def test_help_and_version_answer_without_loading_keras():
    import subprocess
    import sys

    code = (
        "import sys, kerasgan_cli\n"
        "for argv in (['--help'], ['train', '--help'], ['--version']):\n"
        "    try:\n"
        "        kerasgan_cli.main(argv)\n"
        "    except SystemExit:\n"
        "        pass\n"
        "print('loaded:', 'keras' in sys.modules, 'tensorflow' in sys.modules)\n"
    )
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=180, check=True)
    assert "loaded: False False" in completed.stdout
    assert "--data-dir" in completed.stdout and "kerasgan 0.1.0" in completed.stdout
    assert completed.stderr == ""


def _write_images(folder, n, size=20, seed=0):
    from PIL import Image

    folder.mkdir(parents=True)
    rng = np.random.default_rng(seed)
    for index in range(n):
        Image.fromarray(rng.integers(0, 256, (size, size, 3), dtype=np.uint8)).save(folder / f"{index:02d}.png")


def test_train_on_a_folder_with_chosen_sizes_and_learning_rates(tmp_path, capsys):
    _write_images(tmp_path / "photos", 8)
    out = tmp_path / "run"
    arguments = [
        "train", "--data-dir", str(tmp_path / "photos"), "--image-size", "32", "--channels", "1", "--batch-size", "4",
        "--latent-dim", "16", "--g-lr", "1e-3", "--d-lr", "5e-4", "--epochs", "2", "--sample-every", "2", "--out", str(out),
    ]
    assert cli.main(arguments) == 0
    assert f"Training dcgan on {tmp_path / 'photos'} (32, 32, 1)" in capsys.readouterr().out
    model = keras.models.load_model(out / "model.keras")
    assert model.latent_dim == 16 and model.image_shape == (32, 32, 1)
    assert np.isclose(float(model.g_optimizer.learning_rate), 1e-3) and np.isclose(float(model.d_optimizer.learning_rate), 5e-4)
    assert int(model.g_optimizer.iterations) == 4
    names = set(os.listdir(out))
    assert "samples_epoch_002.png" in names and "samples_epoch_001.png" not in names

    # A conditional preset reads one class per sub-folder; pix2pix needs inputs/ and targets/.
    _write_images(tmp_path / "classes" / "cats", 4)
    _write_images(tmp_path / "classes" / "dogs", 4, seed=1)
    assert cli.main(["train", "cgan", "--data-dir", str(tmp_path / "classes"), "--image-size", "32", "--batch-size", "4",
                     "--epochs", "1", "--out", str(tmp_path / "cgan")]) == 0
    assert keras.models.load_model(tmp_path / "cgan" / "model.keras").num_classes == 2
    with pytest.raises(SystemExit, match=r"pix2pix trains on .*/photos/inputs and .*/photos/targets. Missing"):
        cli.main(["train", "pix2pix", "--data-dir", str(tmp_path / "photos")])
    with pytest.raises(SystemExit, match="has no latent vector"):
        cli.main(["train", "cyclegan", "--latent-dim", "8", "--epochs", "1", "--steps-per-epoch", "1", "--out", str(tmp_path / "c")])


def _folder_args(preset, data_dir, **overrides):
    import argparse

    options = dict(preset=preset, data_dir=str(data_dir), image_size=None, channels=None, fit=None, seed=0, epochs=2,
                   batch_size=None, steps_per_epoch=None, labels=None)
    return argparse.Namespace(**{**options, **overrides})


def test_train_on_a_folder_reports_it_and_chooses_the_size_and_colour(tmp_path, capsys):
    from PIL import Image

    from kerasgan import presets

    # The case, smaller: grey 16 px shapes, too few for the default batch of 64.
    (tmp_path / "shapes").mkdir()
    for index in range(12):
        Image.fromarray(np.full((16, 16), index * 20, np.uint8)).save(tmp_path / "shapes" / f"{index:02d}.png")
    args = _folder_args("dcgan", tmp_path / "shapes")
    dataset, options, _ = cli._folder_data(presets.PRESETS["dcgan"], args, 64)
    assert options == {"image_shape": (16, 16, 1)}  # the images' size and colour, not 64 px RGB
    assert tuple(next(iter(dataset)).shape) == (12, 16, 16, 1)
    printed = capsys.readouterr().out.splitlines()
    assert printed[:4] == [
        f"Found 12 images in {tmp_path / 'shapes'}.",
        "  size: all 16x16",
        "  colour: all grey",
        "Image size 16x16 (the images' typical shorter side; --image-size to choose), grey (every image is grey).",
    ]
    assert printed[4] == "warning: 12 images do not fill one batch of 64: each step sees the same 12."
    assert printed[5].startswith("warning: 12 images in batches of 64 make 1 step an epoch, 2 in 2 epochs; a GAN needs thousands. Try --batch-size 8 --epochs 2000")
    assert printed[6].startswith("warning: 12 images is a small set for a GAN") and "kerasgan train stylegan --data-dir" in printed[6]

    # Asked for, the size and colour are the user's; stylegan's small-set advice is its own ADA.
    args = _folder_args("stylegan", tmp_path / "shapes", image_size=8, channels=3, fit="pad", epochs=400)
    _, options, _ = cli._folder_data(presets.PRESETS["stylegan"], args, 4)
    printed = capsys.readouterr().out
    assert options == {"image_shape": (8, 8, 3)} and "Image size 8x8 (--image-size), RGB (--channels)." in printed
    assert "make 3 steps an epoch" in printed and "augment=\"ada\", on by default" in printed


def test_train_on_pair_and_domain_folders_reports_them(tmp_path, capsys):
    from PIL import Image

    from kerasgan import presets

    for folder, count in (("inputs", 5), ("targets", 4), ("a", 6), ("b", 3)):
        (tmp_path / folder).mkdir()
        for index in range(count):
            Image.fromarray(np.zeros((24, 32, 3), np.uint8)).save(tmp_path / folder / f"{index}.png")
    with pytest.raises(ValueError, match="'4.png' in input_dir without a match"):
        cli._folder_data(presets.PRESETS["pix2pix"], _folder_args("pix2pix", tmp_path, batch_size=2), 2)
    printed = capsys.readouterr().out
    assert f"Found 4 pairs in {tmp_path / 'inputs'} and {tmp_path / 'targets'}" in printed
    assert "1 inputs without a match in targets (same name, any extension): 4.png" in printed
    dataset, options, examples = cli._folder_data(presets.PRESETS["cyclegan"], _folder_args("cyclegan", tmp_path), 2)
    printed = capsys.readouterr().out
    assert f"Found 6 images in {tmp_path / 'a'} and 3 in {tmp_path / 'b'}" in printed
    assert "Image size 24x24 (the images' typical shorter side" in printed and "centre-cropped" in printed
    assert options == {"image_shape": (24, 24, 3)} and examples[0].shape == (2, 24, 24, 3)


def test_evaluate_against_your_own_folder(tmp_path, capsys, monkeypatch):
    from kerasgan import metrics, presets

    _write_images(tmp_path / "mine", 6, size=20)
    model = tmp_path / "dcgan.keras"
    presets.dcgan(image_shape=(16, 16, 1), base_filters=4, seed=0).save(model)
    seen = {}

    def evaluate(real_images, gan, metrics, num_samples, **kwargs):  # the metrics have their own tests
        seen["real"] = np.concatenate([np.asarray(batch) for batch in real_images])
        seen["metrics"] = metrics
        return {"kid": 0.5, "kid_std": 0.1, "num_real": len(seen["real"]), "num_fake": num_samples}

    monkeypatch.setattr(metrics, "evaluate", evaluate)
    out = tmp_path / "evaluation.json"
    argv = ["evaluate", str(model), "--data-dir", str(tmp_path / "mine"), "--metrics", "kid", "--num-samples", "10", "--out", str(out)]
    assert cli.main(argv) == 0
    assert seen["real"].shape == (6, 16, 16, 1) and seen["metrics"] == ["kid"]  # the model's size and colour
    printed = capsys.readouterr().out
    assert f"Found 6 images in {tmp_path / 'mine'}" in printed and "read as grey" in printed
    assert "warning: the folder holds 6 images, fewer than --num-samples 10" in printed
    report = json.loads(out.read_text())
    assert report["data_dir"] == str(tmp_path / "mine") and report["dataset"] is None and report["fit"] == "crop"
    # A folder given as a dataset name points to --data-dir, not to tfds's name grammar.
    assert cli.main(["evaluate", str(model), "--dataset", str(tmp_path / "mine") + "/"]) == 1
    assert "--data-dir" in capsys.readouterr().err
    with pytest.raises(SystemExit, match="give one"):
        cli.main(["evaluate", str(model), "--data-dir", str(tmp_path / "mine"), "--dataset", "mnist"])


def test_interpolate_writes_one_walk_per_row(tmp_path, capsys):
    from PIL import Image

    import kerasgan

    gan = kerasgan.presets.cgan(image_shape=(16, 16, 1), latent_dim=8, base_filters=4, seed=0)
    walks = gan.interpolate(steps=6, rows=3, seed=0, labels=4)
    assert walks.shape == (18, 16, 16, 1)
    # Each walk starts and ends at the generator's images of its two end latents.
    start, end = np.random.default_rng(0).standard_normal((2, 3, 8)).astype("float32")
    np.testing.assert_allclose(walks[0], gan.generate_from(start[:1], np.array([4]))[0], atol=1e-4)
    np.testing.assert_allclose(walks[5], gan.generate_from(end[:1], np.array([4]))[0], atol=1e-4)

    gan.save(tmp_path / "cgan.keras")
    assert cli.main(["interpolate", str(tmp_path / "cgan.keras"), "--steps", "5", "--rows", "2", "--out", str(tmp_path / "walk.png")]) == 0
    assert "Wrote 2 walks of 5 images" in capsys.readouterr().out
    with Image.open(tmp_path / "walk.png") as picture:
        assert picture.size == (5 * 18 + 2, 2 * 18 + 2)


def test_class_interpolation_blends_one_class_into_another(tmp_path, capsys):
    import kerasgan

    gan = kerasgan.presets.cgan(image_shape=(16, 16, 1), latent_dim=8, base_filters=4, seed=0)
    walks = gan.interpolate_classes(2, 7, steps=5, rows=3, seed=0)
    assert walks.shape == (15, 16, 16, 1)
    # Each row keeps its latent: it starts at class 2's image and ends at class 7's.
    latents = np.random.default_rng(0).standard_normal((3, 8)).astype("float32")
    np.testing.assert_allclose(walks[0::5], gan.generate_from(latents, np.full(3, 2)), atol=1e-4)
    np.testing.assert_allclose(walks[4::5], gan.generate_from(latents, np.full(3, 7)), atol=1e-4)
    # The middle is neither end (an untrained generator's images are small: compare distances).
    span = np.abs(walks[4] - walks[0]).sum()
    assert np.abs(walks[2] - walks[0]).sum() > 0.2 * span and np.abs(walks[2] - walks[4]).sum() > 0.2 * span
    with pytest.raises(ValueError, match=r"Expected labels in \[0, 10\)"):
        gan.interpolate_classes(2, 10)

    gan.save(tmp_path / "cgan.keras")
    assert cli.main(["interpolate", str(tmp_path / "cgan.keras"), "--classes", "1", "3", "--steps", "4", "--out", str(tmp_path / "w.png")]) == 0
    assert "Wrote 4 class walks from 1 to 3 of 4 images" in capsys.readouterr().out
    kerasgan.presets.dcgan(image_shape=(16, 16, 1), latent_dim=8, base_filters=4).save(tmp_path / "dcgan.keras")
    with pytest.raises(SystemExit, match="--classes blends the classes of a conditional model.*unconditional GAN"):
        cli.main(["interpolate", str(tmp_path / "dcgan.keras"), "--classes", "1", "3"])


@pytest.mark.slow
def test_ctrl_c_ends_a_run_with_one_line_that_says_how_to_continue(tmp_path):
    # A real `kerasgan train`, sent SIGINT as soon as its first checkpoint is in place:
    # it printed a 17-frame TensorFlow traceback, without a word of --resume.
    import signal
    import subprocess
    import sys
    import time

    repository = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = dict(os.environ, KERAS_BACKEND=keras.backend.backend())
    env.pop("TF_CPP_MIN_LOG_LEVEL", None)  # the default quiet start-up: no line but ours
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [repository, env.get("PYTHONPATH")]))
    arguments = ["train", "--epochs", "1000", "--steps-per-epoch", "2", "--batch-size", "8", "--out", "run"]
    process = subprocess.Popen(
        [sys.executable, "-m", "kerasgan.cli", *arguments], cwd=tmp_path, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while not (tmp_path / "run" / "model.keras.json").exists():
            assert process.poll() is None and time.monotonic() < deadline, "no checkpoint"
            time.sleep(0.05)
        process.send_signal(signal.SIGINT)
        _, printed = process.communicate(timeout=180)  # a guard only: CI runs suites side by side
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130
    assert printed.count("\n") == 1, printed
    from kerasgan.callbacks import Checkpoint

    done = Checkpoint.epochs_done(tmp_path / "run" / "model.keras")
    assert done >= 1
    assert re.fullmatch(
        rf"Interrupted in epoch \d+ of 1000, after step \d of 2\. On disk: run/model\.keras after epoch {done}\. "
        rf"Continue with: kerasgan {' '.join(arguments)} --resume\n",
        printed,
    ), printed


def test_messages_count_and_join_paths_as_written(tmp_path):
    from kerasgan.callbacks import Checkpoint

    out = tmp_path / "run"
    checkpoint = Checkpoint(str(out / "model.keras"))
    checkpoint.set_model(presets.dcgan(image_shape=(28, 28, 1), base_filters=4, latent_dim=8))
    checkpoint.on_epoch_end(0)
    with pytest.raises(SystemExit, match="has trained for 1 epoch, and --epochs is the total"):  # not "1 epochs"
        cli.main(["train", "--epochs", "1", "--out", str(out), "--resume"])
    (tmp_path / "shapes").mkdir()
    with pytest.raises(SystemExit) as raised:  # not "shapes//inputs"
        cli.main(["train", "pix2pix", "--data-dir", f"{tmp_path / 'shapes'}/", "--out", str(tmp_path / "p")])
    assert f"trains on {tmp_path / 'shapes' / 'inputs'} and {tmp_path / 'shapes' / 'targets'}. Missing" in str(raised.value)


def test_train_on_a_flat_folder_with_a_label_file_builds_a_conditional_model(tmp_path, capsys):
    from PIL import Image

    from kerasgan import presets

    (tmp_path / "flat").mkdir()
    rows = ["file,label"]
    for index in range(6):
        Image.fromarray(np.full((16, 16), 40 * index, np.uint8)).save(tmp_path / "flat" / f"{index}.png")
        rows.append(f"{index}.png,{'circle' if index % 2 else 'square'}")
    Image.fromarray(np.zeros((16, 16), np.uint8)).save(tmp_path / "flat" / "unlabelled.png")
    (tmp_path / "labels.csv").write_text("\n".join(rows) + "\n")
    args = _folder_args("cgan", tmp_path / "flat", labels=str(tmp_path / "labels.csv"))
    dataset, options, _ = cli._folder_data(presets.PRESETS["cgan"], args, 2)
    printed = capsys.readouterr().out
    assert f"classes: 2 from {tmp_path / 'labels.csv'}: circle 3, square 3" in printed
    assert f"1 image not in {tmp_path / 'labels.csv'}" in printed
    assert options["num_classes"] == 2
    labels = np.concatenate([np.asarray(batch[1]) for batch in dataset])
    assert sorted(labels.tolist()) == [0, 0, 0, 1, 1, 1]
    with pytest.raises(SystemExit, match="--labels gives classes to a conditional preset.*Received: --labels with dcgan"):
        cli._folder_data(presets.PRESETS["dcgan"], _folder_args("dcgan", tmp_path / "flat", labels=str(tmp_path / "labels.csv")), 2)
    without_folder = _folder_args("cgan", tmp_path / "flat", labels=str(tmp_path / "labels.csv"), category=None)
    without_folder.data_dir = None
    with pytest.raises(SystemExit, match="--labels gives the classes of your own images, with --data-dir.*Received: --labels without --data-dir"):
        cli._training_data(presets.PRESETS["cgan"], without_folder, "mnist_sample", 2)
    # A label file inside the folder is found there too.
    (tmp_path / "flat" / "inside.csv").write_text("\n".join(rows) + "\n")
    _, options, _ = cli._folder_data(presets.PRESETS["cgan"], _folder_args("cgan", tmp_path / "flat", labels="inside.csv"), 2)
    assert options["num_classes"] == 2


def test_export_writes_what_the_model_generates_in_the_format_of_the_extension(tmp_path, capsys):
    import numpy as np

    import kerasgan

    onnxruntime = pytest.importorskip("onnxruntime")
    gan = kerasgan.presets.dcgan(image_shape=(16, 16, 1), latent_dim=8, base_filters=4, seed=0)
    gan.save(tmp_path / "dcgan.keras")
    assert cli.main(["export", str(tmp_path / "dcgan.keras"), str(tmp_path / "generator.onnx")]) == 0
    assert f"Wrote the onnx export of {tmp_path / 'dcgan.keras'}" in capsys.readouterr().out
    session = onnxruntime.InferenceSession(str(tmp_path / "generator.onnx"))
    latents = np.random.default_rng(0).normal(size=(3, 8)).astype("float32")
    (images,) = session.run(None, {session.get_inputs()[0].name: latents})
    np.testing.assert_allclose(images, gan.generate_from(latents), atol=1e-5)

    with pytest.raises(SystemExit, match="--truncation applies to style-based models"):
        cli.main(["export", str(tmp_path / "dcgan.keras"), str(tmp_path / "t.onnx"), "--truncation", "0.7"])
    with pytest.raises(SystemExit, match="--direction applies to two-way translators"):
        cli.main(["export", str(tmp_path / "dcgan.keras"), str(tmp_path / "d.onnx"), "--direction", "b_to_a"])
    assert sorted(os.listdir(tmp_path)) == ["dcgan.keras", "generator.onnx"]


def test_project_writes_reconstructions_a_grid_and_the_latents(tmp_path, capsys):
    import numpy as np
    from PIL import Image

    import kerasgan

    gan = kerasgan.presets.from_preset("dcgan_mnist")
    targets = gan.generate(2, seed=4)
    folder = tmp_path / "digits"
    folder.mkdir()
    for name, image in zip(["a.png", "b.png"], kerasgan.datasets.to_uint8(targets)):
        Image.fromarray(image.squeeze(-1)).save(folder / name)
    out = tmp_path / "out"
    assert cli.main(["project", "dcgan_mnist", str(folder), "--out", str(out), "--steps", "200", "--pixels-only"]) == 0
    assert "Projected 2 images into z (200 steps)" in capsys.readouterr().out
    assert sorted(os.listdir(out)) == ["a.png", "b.png", "latents.npz", "projection.png"]
    with np.load(out / "latents.npz") as saved:
        assert list(saved["names"]) == ["a.png", "b.png"] and str(saved["space"]) == "z"
        latents = saved["latents"]
        pixel_error = saved["pixel_error"]
    # The files hold what the generator makes of the latents found, close to the digits.
    reconstructions = gan.generate_from(latents)
    with Image.open(out / "b.png") as picture:
        np.testing.assert_array_equal(np.asarray(picture), kerasgan.datasets.to_uint8(reconstructions)[1].squeeze(-1))
    assert np.all(pixel_error < 0.05), pixel_error
    with Image.open(out / "projection.png") as picture:
        assert picture.size == (2 * 28 + 3 * 2, 2 * 28 + 3 * 2)  # the digits above their reconstructions

    with pytest.raises(SystemExit, match=r"a GAN projects into z. Received: --space w"):
        cli.main(["project", "dcgan_mnist", str(folder), "--out", str(tmp_path / "w"), "--space", "w"])
    with pytest.raises(SystemExit, match="projects images of one class: give it with --label C"):
        cli.main(["project", "cgan_mnist", str(folder), "--out", str(tmp_path / "c")])
    with pytest.raises(SystemExit, match="which has no latent space to project into"):
        cli.main(["project", "pix2pix_openmoji", str(folder), "--out", str(tmp_path / "p")])
    with pytest.raises(SystemExit, match="INPUT is a folder of images"):
        cli.main(["project", "dcgan_mnist", str(folder / "a.png"), "--out", str(tmp_path / "f")])
    assert sorted(os.listdir(tmp_path)) == ["digits", "out"]
