"""The `kerasgan` command: the default run on a cut-down budget, sample, errors."""

import json
import os

import keras
import pytest

from kerasgan import cli


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


def test_unknown_preset_and_dataset(capsys):
    with pytest.raises(SystemExit, match="unknown preset 'dcgam'"):
        cli.main(["train", "dcgam"])
    assert cli.main(["train", "--dataset", "mnsit"]) == 1
    assert "Unknown dataset" in capsys.readouterr().err


def test_sample_rejects_missing_corrupt_and_foreign_files(tmp_path):
    with pytest.raises(SystemExit, match="no model file"):
        cli.main(["sample", str(tmp_path / "absent.keras")])
    corrupt = tmp_path / "corrupt.keras"
    corrupt.write_bytes(b"not a zip file")
    with pytest.raises(SystemExit, match="could not load"):
        cli.main(["sample", str(corrupt)])
    foreign = tmp_path / "foreign.keras"
    keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)]).save(foreign)
    with pytest.raises(SystemExit, match="not a kerasgan model"):
        cli.main(["sample", str(foreign)])


def test_list_prints_presets(capsys):
    assert cli.main(["list"]) == 0
    printed = capsys.readouterr().out
    assert "dcgan" in printed and "mlp_gan" in printed


def test_conditional_preset_trains_on_labelled_data(tmp_path, capsys):
    out = tmp_path / "cgan"
    assert cli.main(["train", "cgan", "--epochs", "1", "--steps-per-epoch", "2", "--out", str(out)]) == 0
    assert (out / "samples_latest.png").exists() and (out / "model.keras").exists()
    grid = tmp_path / "grid.png"
    assert cli.main(["sample", str(out / "model.keras"), "--n", "20", "--out", str(grid)]) == 0
    assert grid.stat().st_size > 0


def test_evaluate_prints_a_table_and_writes_json(tmp_path, capsys):
    from kerasgan import presets
    from kerasgan.metrics import inception

    if not os.path.exists(os.path.join(inception.cache_dir(), inception.WEIGHTS_FILE)):
        pytest.skip("FID Inception weights not cached: run `python -m kerasgan.metrics` once")
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
    assert results["fid"] > 100  # an untrained generator is far from real digits
    assert 0 <= results["precision"] <= 1


def test_evaluate_rejects_bad_metrics_and_models(tmp_path, capsys):
    with pytest.raises(SystemExit, match="no model file"):
        cli.main(["evaluate", str(tmp_path / "absent.keras")])
    from kerasgan import presets

    model = tmp_path / "dcgan.keras"
    presets.dcgan(image_shape=(28, 28, 1), seed=0).save(model)
    assert cli.main(["evaluate", str(model), "--metrics", "fid,fdi"]) == 1
    assert "Unknown metrics" in capsys.readouterr().err
