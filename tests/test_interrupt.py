"""`kill -9` in the middle of `kerasgan train`, or a clean stop, then `--resume`: the run
ends as an uninterrupted one does (the same weights, optimizer and random state, sample
grids and curves, bit for bit), and no partial file is left.

Real `python -m kerasgan.cli train` subprocesses, killed with SIGKILL three times in a
row at three kinds of moment, each time resumed with `--resume`:

1. mid-run, a moment after the first checkpoint (wherever that falls in epoch 2);
2. while the checkpoint is being written (as soon as its temporary file appears), which
   leaves a `.tmp-` file behind and the curves one epoch ahead of the checkpoint;
3. right after `model.keras` is renamed into place, before anything else runs (the
   child kills itself there, so the moment is exact; os.replace is wrapped to do it).
"""

import json
import os
import signal
import subprocess
import sys
import time

import keras
import numpy as np
import pytest
from PIL import Image

# Importing kerasgan registers its model classes, for keras.models.load_model.
from kerasgan import callbacks
from kerasgan.callbacks import Checkpoint
from kerasgan.files import remove_temporary_files

REPOSITORY = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EPOCHS, STEPS = 4, 5
TIMEOUT = 240  # seconds for any one wait; a run takes about 10 s on 2 idle CPU cores, more beside the other suites in CI

# Child of kill 3: the CLI, with os.replace killing the process as soon as model.keras is in place.
_KILL_AFTER_CHECKPOINT_RENAME = """
import os, runpy, signal, sys
replace = os.replace
def replace_then_die(source, destination, *args, **kwargs):
    replace(source, destination, *args, **kwargs)
    if os.fspath(destination).endswith("model.keras"):
        os.kill(os.getpid(), signal.SIGKILL)
os.replace = replace_then_die
sys.argv[0] = "kerasgan"
runpy.run_module("kerasgan.cli", run_name="__main__")
"""



def _train_arguments(out, resume=False, epochs=EPOCHS):
    arguments = ["train", "dcgan", "--epochs", str(epochs), "--steps-per-epoch", str(STEPS), "--out", str(out), "--seed", "0"]
    return arguments + (["--resume"] if resume else [])


@pytest.fixture
def processes():
    """The runs started; any still alive when the test ends (a failure) are killed."""
    started = []
    yield started
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait()


def _start(processes, out, log, resume=False, python_code=None, epochs=EPOCHS):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", KERAS_BACKEND=keras.backend.backend())
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [REPOSITORY, env.get("PYTHONPATH")]))
    command = [sys.executable, *(["-c", python_code] if python_code else ["-m", "kerasgan.cli"])]
    with open(log, "ab") as file:
        process = subprocess.Popen(
            [*command, *_train_arguments(out, resume, epochs)], env=env, stdout=file, stderr=subprocess.STDOUT,
            cwd=out.parent,
        )
    processes.append(process)
    return process


def _tail(log):
    return log.read_text(errors="replace")[-3000:]


def _wait_for(condition, process, log, what):
    deadline = time.monotonic() + TIMEOUT
    while not condition():
        if process.poll() is not None:
            pytest.fail(f"the run ended (status {process.returncode}) before {what}:\n{_tail(log)}")
        if time.monotonic() > deadline:
            pytest.fail(f"no {what} after {TIMEOUT} s:\n{_tail(log)}")
        time.sleep(0.002)


def _epochs_done(out):
    try:
        return json.loads((out / "model.keras.json").read_text())["epochs_done"]
    except (FileNotFoundError, json.JSONDecodeError, KeyError):
        return 0


def _temporary_files(out):
    return sorted(
        os.path.relpath(os.path.join(folder, name), out)
        for folder, _, names in os.walk(out)
        for name in names
        if name.startswith(".tmp-")
    )


def _killed(process, log):
    process.send_signal(signal.SIGKILL)  # os.kill(pid, SIGKILL)
    status = process.wait(TIMEOUT)
    assert status == -signal.SIGKILL, f"status {status}, not killed:\n{_tail(log)}"


def _state(out):
    try:
        steps_done = json.loads((out / "training_curves.json").read_text())["steps_done"]
    except FileNotFoundError:
        steps_done = None
    return f"epochs done {_epochs_done(out)}, curves' steps done {steps_done}, temporary files {_temporary_files(out)}"


def _assert_files_complete(out):
    """Every file in the run folder, but temporary ones, is whole: it parses or loads."""
    for name in os.listdir(out):
        path = out / name
        if name.startswith(".tmp-") or path.is_dir():
            continue
        if name.endswith(".png"):
            with Image.open(path) as picture:
                picture.load()
        elif name.endswith(".json"):
            json.loads(path.read_text())
        elif name.endswith(".keras"):
            keras.models.load_model(path)
        else:
            pytest.fail(f"unexpected file {name} in the run folder")


def _run_to_the_end(processes, out, log, resume, epochs=EPOCHS):
    process = _start(processes, out, log, resume=resume, epochs=epochs)
    assert process.wait(TIMEOUT) == 0, _tail(log)


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory):
    """The folder of the same run, uninterrupted: what every interrupted one must end as."""
    out = tmp_path_factory.mktemp("uninterrupted") / "run"
    out.mkdir()
    processes = []
    try:
        _run_to_the_end(processes, out, out.parent / "train.log", resume=False)
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
    return out


def _state_of_model(path):
    """Every variable of the checkpoint's networks (with the seed generators' states)
    and of its optimizers, as `[(path, array)]` in the model's order."""
    model = keras.models.load_model(path)
    variables = list(model.variables)
    for optimizer in model.optimizers_by_name().values():
        variables += optimizer.variables
    return [(variable.path, np.asarray(variable)) for variable in variables]


def _assert_same_run(out, reference):
    """The run in `out` ends bit for bit as `reference`: weights, optimizers and random
    state, every sample grid, the curves."""
    state, expected = _state_of_model(out / "model.keras"), _state_of_model(reference / "model.keras")
    assert len(state) == len(expected)
    assert any("seed_generator_state" in path for path, _ in expected)
    differing = [path for (path, value), (_, other) in zip(expected, state) if not np.array_equal(value, other)]
    assert not differing, f"{len(differing)} of {len(expected)} variables differ from the uninterrupted run's: {differing[:5]}"
    for epoch in range(1, EPOCHS + 1):
        name = f"samples_epoch_{epoch:03d}.png"
        assert (out / name).read_bytes() == (reference / name).read_bytes(), f"{name} differs"
    assert (out / "samples_latest.png").read_bytes() == (reference / "samples_latest.png").read_bytes()
    curves = json.loads((out / "training_curves.json").read_text())
    assert curves == json.loads((reference / "training_curves.json").read_text())


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_kill_9_then_resume_ends_as_an_uninterrupted_run_and_leaves_no_partial_file(tmp_path, processes, uninterrupted):
    started = time.monotonic()
    out, log = tmp_path / "run", tmp_path / "train.log"
    out.mkdir()

    # 1. Killed a moment into epoch 2, after the first checkpoint.
    process = _start(processes, out, log)
    _wait_for(lambda: _epochs_done(out) >= 1, process, log, "first checkpoint")
    time.sleep(0.1)
    _killed(process, log)
    print(f"after kill 1: {_state(out)}")
    assert _epochs_done(out) < EPOCHS
    _assert_files_complete(out)

    # 2. Killed while the next checkpoint is being written.
    stale = set(_temporary_files(out))
    process = _start(processes, out, log, resume=True)
    is_checkpoint_being_written = lambda: any(
        name.endswith(".keras") and name not in stale for name in _temporary_files(out)
    )
    _wait_for(is_checkpoint_being_written, process, log, "checkpoint write")
    _killed(process, log)
    print(f"after kill 2: {_state(out)}")
    assert _epochs_done(out) < EPOCHS
    _assert_files_complete(out)

    # 3. Killed right after a checkpoint is renamed into place.
    epochs_before = Checkpoint.epochs_done(out / "model.keras")
    process = _start(processes, out, log, resume=True, python_code=_KILL_AFTER_CHECKPOINT_RENAME)
    assert process.wait(TIMEOUT) == -signal.SIGKILL, _tail(log)
    print(f"after kill 3: {_state(out)}")
    _assert_files_complete(out)
    checkpoint = keras.models.load_model(out / "model.keras")
    assert int(checkpoint.g_optimizer.iterations) == (epochs_before + 1) * STEPS
    assert _epochs_done(out) == epochs_before, "killed before model.keras.json was updated"
    assert Checkpoint.epochs_done(out / "model.keras") == epochs_before + 1

    # The last resume runs to the end.
    _run_to_the_end(processes, out, log, resume=True)
    interrupted_seconds = time.monotonic() - started

    assert _temporary_files(out) == [], "partial files are left"
    _assert_files_complete(out)
    assert _epochs_done(out) == EPOCHS and Checkpoint.epochs_done(out / "model.keras") == EPOCHS
    model = keras.models.load_model(out / "model.keras")
    assert int(model.g_optimizer.iterations) == EPOCHS * STEPS
    assert int(model.d_optimizer.iterations) == EPOCHS * STEPS
    for epoch in range(1, EPOCHS + 1):
        assert (out / f"samples_epoch_{epoch:03d}.png").exists()
    curves = json.loads((out / "training_curves.json").read_text())
    steps = curves["curves"]["step"]
    assert steps == sorted(set(steps)), f"steps repeated or out of order after resuming: {steps}"
    assert curves["steps_done"] == EPOCHS * STEPS
    assert all(len(values) == len(steps) for values in curves["curves"].values()), curves["curves"]

    # The same weights, random state, grids and curves as the run uninterrupted.
    _assert_same_run(out, uninterrupted)
    print(f"interrupted 3 times and resumed: {interrupted_seconds:.0f} s; all: {time.monotonic() - started:.0f} s")


@pytest.mark.slow
def test_a_clean_stop_then_resume_ends_as_an_uninterrupted_run(tmp_path, processes, uninterrupted):
    """`--epochs 2`, then `--epochs 4 --resume`: the data order, latents and random
    state of epochs 3 and 4 are the uninterrupted run's (they were epoch 1's again)."""
    out, log = tmp_path / "run", tmp_path / "train.log"
    out.mkdir()
    _run_to_the_end(processes, out, log, resume=False, epochs=2)
    _run_to_the_end(processes, out, log, resume=True)
    _assert_same_run(out, uninterrupted)


# The pieces, without a subprocess.


def test_remove_temporary_files_removes_only_atomic_writes_leftovers(tmp_path):
    leftovers = [".tmp-abc_1234.keras", ".tmp-0a1b2c3d.png", ".tmp-zzzzzzzz"]
    kept = ["model.keras", "model.keras.json", ".tmp-notes.txt", ".tmp-abc_1234.keras.bak", "tmp-abcdefgh.png"]
    for name in leftovers + kept:
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / ".tmp-q1w2e3r4" / "new").mkdir(parents=True)  # atomic_write_folder's (a SavedModel)
    remove_temporary_files(tmp_path)
    assert sorted(os.listdir(tmp_path)) == sorted(kept)
    remove_temporary_files(tmp_path / "absent")  # no folder yet: nothing to do


def test_epochs_done_reads_the_count_inside_the_checkpoint_first(tmp_path):
    import zipfile

    path = tmp_path / "model.keras"
    assert Checkpoint.epochs_done(path) == 0
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("config.json", "{}")  # as written before the count was kept inside
    (tmp_path / "model.keras.json").write_text(json.dumps({"epochs_done": 2}))
    assert Checkpoint.epochs_done(path) == 2
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr(callbacks._EPOCHS_DONE_ENTRY, json.dumps({"epochs_done": 3}))
    assert Checkpoint.epochs_done(path) == 3, "the .json is one epoch behind when killed between the two"


def _curves_epoch(curves, epoch, steps):
    curves.on_epoch_begin(epoch)
    for batch in range(steps):
        curves.on_train_batch_end(batch, {"d_loss": 1.0 + epoch, "g_loss": 2.0})
    curves.on_epoch_end(epoch, {"cfd": 10.0 - epoch})


def test_resumed_curves_drop_the_epochs_after_the_checkpoint(tmp_path):
    path = tmp_path / "training_curves.png"
    curves = callbacks.TrainingCurves(path, every_n_batches=2)
    for epoch in range(3):
        _curves_epoch(curves, epoch, steps=3)
    # Killed after epoch 3's curves, before its checkpoint: resumed after epoch 2.
    resumed = callbacks.TrainingCurves(path, every_n_batches=2, resume=True)
    (tmp_path / ".tmp-abcdefgh.png").write_bytes(b"half")
    resumed.on_train_begin()
    assert not (tmp_path / ".tmp-abcdefgh.png").exists()
    for epoch in range(2, 4):
        _curves_epoch(resumed, epoch, steps=3)
    saved = json.loads(path.with_suffix(".json").read_text())
    assert saved["steps_done"] == 12
    assert saved["curves"]["step"] == [1, 3, 4, 6, 7, 9, 10, 12]
    assert saved["curves"]["d_loss"] == [1.0, 1.0, 2.0, 2.0, 3.0, 3.0, 4.0, 4.0]
    assert saved["quality"]["cfd"] == {"step": [3, 6, 9, 12], "value": [10.0, 9.0, 8.0, 7.0]}
    assert saved["epoch_ends"] == [[1, 3], [2, 6], [3, 9], [4, 12]]
