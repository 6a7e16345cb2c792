"""Data-parallel training gives the same update as one device.

TensorFlow: MirroredStrategy on 2 logical CPU devices, and MultiWorkerMirroredStrategy
with two worker processes on localhost. JAX: `keras.distribution.DataParallel` on 2
virtual CPU devices in one process, and on two processes of one device each. Each runs
in fresh processes (devices and clusters are set before the framework starts), from
the scripts in tests/scripts/. The torch backend has no `keras.distribution` support
in Keras 3.15, so nothing here runs on it.
"""

import contextlib
import json
import os
import socket
import subprocess
import sys
import time

import keras
import numpy as np
import pytest

BACKEND = keras.backend.backend()
tensorflow_only = pytest.mark.skipif(BACKEND != "tensorflow", reason="tf.distribute runs on the TensorFlow backend")
# The JAX scripts set their own backend, so they could run in any suite; they run in the JAX one.
jax_only = pytest.mark.skipif(BACKEND != "jax", reason="keras.distribution is tested in the JAX suite")

TESTS = os.path.dirname(os.path.abspath(__file__))
SCRIPTS = os.path.join(TESTS, "scripts")


def script_env(**extra):
    """The environment of a script: kerasgan importable from this checkout, quiet TensorFlow."""
    env = {k: v for k, v in os.environ.items() if k not in ("TF_CONFIG", "KERAS_BACKEND", "XLA_FLAGS")}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (os.path.dirname(TESTS), env.get("PYTHONPATH")) if p)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    return {**env, **extra}


def result_of(stdout):
    line = next(line for line in stdout.splitlines() if line.startswith("RESULT "))
    return json.loads(line[len("RESULT ") :])


def run_script(name, *args, timeout=300):
    completed = subprocess.run(
        [sys.executable, os.path.join(SCRIPTS, name), *args],
        capture_output=True, text=True, timeout=timeout, env=script_env(), check=False,
    )
    assert completed.returncode == 0, completed.stderr[-4000:]
    return result_of(completed.stdout)


def run_together(commands, directory, timeout):
    """Runs `{name: (argv, env)}` as concurrent processes; returns `{name: stdout}`.

    Fails, killing the others, as soon as one exits with an error (a worker whose
    peer died would wait for it) or when `timeout` seconds have passed.
    """
    processes, killed = {}, []
    with contextlib.ExitStack() as files:
        try:
            for name, (argv, env) in commands.items():
                stdout = files.enter_context(open(directory / f"{name}.out", "w"))
                stderr = files.enter_context(open(directory / f"{name}.err", "w"))
                processes[name] = subprocess.Popen(argv, stdout=stdout, stderr=stderr, env=env)
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                codes = [process.poll() for process in processes.values()]
                if None not in codes or any(code not in (None, 0) for code in codes):
                    break
                time.sleep(0.2)
        finally:
            for name, process in processes.items():
                if process.poll() is None:
                    process.kill()
                    killed.append(name)
                process.wait()
    failed = [name for name, process in processes.items() if process.returncode != 0 and name not in killed]
    if failed or killed:
        reports = [
            f"{name} exited with {processes[name].returncode}:\n{(directory / f'{name}.err').read_text()[-4000:]}"
            for name in failed
        ]
        pytest.fail("\n".join([*reports, f"killed after {timeout} s or a failure: {killed}"]))
    return {name: (directory / f"{name}.out").read_text() for name in processes}


def free_ports(n):
    """`n` distinct localhost ports that are free now (all held open until all are picked)."""
    sockets = [socket.socket() for _ in range(n)]
    try:
        for s in sockets:
            s.bind(("localhost", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def assert_same_update(update, reference, atol=1e-6):
    moved = 0
    for got, expected in zip(update, reference):
        got, expected = np.array(got), np.array(expected)
        # Without per-replica loss scaling the data-parallel update would be twice as large.
        np.testing.assert_allclose(got, expected, atol=atol)
        moved += np.abs(expected).max() > 1e-3
    assert moved >= 2, "the step should update the discriminator and the generator"


@tensorflow_only
def test_two_replicas_match_one_device():
    # A fresh process: logical CPU devices must be set before TensorFlow starts.
    result = run_script("distributed_step.py")
    assert result["num_replicas"] == 2
    assert_same_update(result["two_replicas"], result["one_device"])


@tensorflow_only
def test_two_workers_match_one_device(tmp_path):
    script = os.path.join(SCRIPTS, "multi_worker_step.py")
    workers = [f"localhost:{port}" for port in free_ports(2)]
    commands = {"reference": ([sys.executable, script, "reference"], script_env())}
    for index in range(2):
        # No "chief" task: worker 0 is the chief.
        tf_config = {"cluster": {"worker": workers}, "task": {"type": "worker", "index": index}}
        commands[f"worker{index}"] = ([sys.executable, script, "worker"], script_env(TF_CONFIG=json.dumps(tf_config)))
    stdouts = run_together(commands, tmp_path, timeout=240)
    reference = result_of(stdouts["reference"])
    workers = [result_of(stdouts[f"worker{index}"]) for index in range(2)]

    assert reference["num_replicas"] == 1
    assert [w["num_replicas"] for w in workers] == [2, 2]
    # Each worker got its own half of the global batch of 8: together, the reference's batch.
    assert [len(w["seen"]) for w in workers] == [4, 4]
    together = sorted(map(tuple, workers[0]["seen"] + workers[1]["seen"]))
    np.testing.assert_array_equal(together, sorted(map(tuple, reference["seen"])))
    for worker in workers:
        assert_same_update(worker["update"], reference["update"])
    # The preset trained on both workers, in step: the same mirrored weights and averaged logs.
    assert workers[0]["preset_weight_sums"] == workers[1]["preset_weight_sums"]
    assert workers[0]["preset_losses"] == workers[1]["preset_losses"]
    assert all(np.isfinite(list(workers[0]["preset_losses"].values())))


@jax_only
def test_jax_data_parallel_matches_one_device():
    # A fresh process: XLA splits the CPU into two devices before JAX starts.
    result = run_script("jax_data_parallel_step.py")
    one, two = result["one_device"], result["two_devices"]
    assert result["num_devices"] == 2
    assert_same_update(two["update"], one["update"])

    # Every variable (networks, each optimizer, metrics) is replicated on both devices.
    assert all(devices == [2] and replicated for devices, replicated in two["placement"].values()), two["placement"]
    assert all(devices == [1] for devices, _ in one["placement"].values()), one["placement"]
    # The real images are split over the batch axis: each device computes on half.
    toy = two["batch_layouts"][0]
    assert toy["devices"] == 2 and toy["shard"] == [4, *toy["shape"][1:]], toy
    assert all(layout["devices"] == 2 and layout["shard"][0] * 2 == layout["shape"][0] for layout in two["batch_layouts"])

    # The DCGAN preset: XLA computes BatchNorm statistics over the whole sharded batch,
    # so the two runs agree. Adam's first steps move a weight by about the learning
    # rate (2e-4) whatever its gradient's size, so one whose gradient is near zero
    # can move differently after a different rounding: hence the tolerance.
    for key in one["preset_losses"]:
        np.testing.assert_allclose(two["preset_losses"][key], one["preset_losses"][key], rtol=1e-4)
    for got, expected in zip(two["preset_weights"], one["preset_weights"]):
        np.testing.assert_allclose(got, expected, atol=1e-3)


@jax_only
def test_jax_two_processes_match_one_device(tmp_path):
    # Two processes of one CPU device each form one mesh, as two hosts would.
    script = os.path.join(SCRIPTS, "jax_multi_process_step.py")
    coordinator = f"localhost:{free_ports(1)[0]}"
    commands = {"reference": ([sys.executable, script, "reference"], script_env())}
    for index in range(2):
        argv = [sys.executable, script, "process", str(index), coordinator, str(tmp_path)]
        commands[f"process{index}"] = (argv, script_env())
    stdouts = run_together(commands, tmp_path, timeout=240)
    reference = result_of(stdouts["reference"])
    processes = [result_of(stdouts[f"process{index}"]) for index in range(2)]

    assert reference["process_count"] == 1
    for process in processes:
        assert (process["process_count"], process["num_devices"], process["local_devices"]) == (2, 2, 1)
        assert_same_update(process["update"], reference["update"])
    # Every process saved (the save gathers values from both).
    assert (tmp_path / "process0.keras").stat().st_size > 0 and (tmp_path / "process1.keras").exists()


def _check_model_state(result):
    """ADA's p and the CycleGAN pools under data parallelism, as on one device."""
    for run in ("one_device", "two_devices"):
        state = result[run]
        devices = 2 if run == "two_devices" else 1
        # p moves by a whole step, 8 images / speed 64, each update: from the whole
        # batch's r_t, not by half a step from each replica's share.
        history = [*state["stylegan_losses"]["augment_p"], state["augment_p"]["value"][0]]
        assert history[0] == 0.5 and all(abs(abs(b - a) - 0.125) < 1e-6 for a, b in zip(history, history[1:])), (run, history)
        assert state["augment_p"]["devices"] == devices and state["augment_p"]["same_on_every_device"], state["augment_p"]
        for count, images in zip(state["pool_counts"], state["pool_images"]):
            assert count["devices"] == devices and count["same_on_every_device"] and count["value"] == [4], count
            assert images["abs_mean"] > 1e-4, "the pool holds translations"
        losses = [*state["stylegan_losses"].values(), *state["cyclegan_losses"].values()]
        assert all(np.isfinite(value).all() for value in losses)


@tensorflow_only
def test_ada_and_the_image_pools_under_mirrored_strategy():
    result = run_script("family_data_parallel_step.py", "tensorflow")
    _check_model_state(result)


@jax_only
def test_ada_and_the_image_pools_under_jax_data_parallel():
    result = run_script("family_data_parallel_step.py", "jax")
    _check_model_state(result)
    # One program over the global batch: the same numbers as one device, the pools whole
    # on every device.
    one, two = result["one_device"], result["two_devices"]
    assert two["stylegan_losses"]["augment_p"] == one["stylegan_losses"]["augment_p"]
    for key in ("stylegan_losses", "cyclegan_losses"):
        for name in one[key]:
            np.testing.assert_allclose(two[key][name], one[key][name], rtol=1e-4, err_msg=name)
    for got, expected in zip(two["pool_images"], one["pool_images"]):
        assert got["same_on_every_device"]
        np.testing.assert_allclose([*got["value"], got["abs_mean"]], [*expected["value"], expected["abs_mean"]], atol=1e-5)
