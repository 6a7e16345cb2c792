"""Quiet start-up: `import kerasgan` prints none of TensorFlow's start-up lines unless
the user asks for them (kerasgan.logs)."""

import os
import subprocess
import sys

import keras

from kerasgan import logs

REPOSITORY = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_the_python_api_starts_without_tensorflow_log_lines():
    # Without TF_CPP_MIN_LOG_LEVEL, TensorFlow 2.21 printed its oneDNN, CUDA-driver and
    # "failed call to cuInit" lines from `import kerasgan` and the first batch.
    env = {name: value for name, value in os.environ.items() if name != logs.LEVEL}
    env.update(KERAS_BACKEND=keras.backend.backend(), PYTHONPATH=os.pathsep.join(filter(None, [REPOSITORY, env.get("PYTHONPATH")])))
    code = (
        "import os, kerasgan\n"
        "images = next(iter(kerasgan.datasets.load('mnist_sample', batch_size=4)))\n"
        "kerasgan.presets.dcgan(image_shape=(16, 16, 1), base_filters=4, latent_dim=8).generate(2)\n"
        "print(os.environ['TF_CPP_MIN_LOG_LEVEL'])\n"
    )
    completed = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr
    assert completed.stderr == ""
    assert completed.stdout.strip() == "3"


def test_a_log_level_the_user_chose_is_kept(monkeypatch):
    monkeypatch.setenv(logs.LEVEL, "1")
    logs.set_default_level()
    assert os.environ[logs.LEVEL] == "1"
    monkeypatch.delenv(logs.LEVEL)
    logs.set_default_level()
    assert os.environ[logs.LEVEL] == "3"
