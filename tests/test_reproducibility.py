"""A seed gives the same initial weights, samples and training in two separate processes."""

import json
import os
import subprocess
import sys

import keras

_SCRIPT = r"""
import hashlib, json, sys
import numpy as np
import keras
import kerasgan

def digest(arrays):
    h = hashlib.sha256()
    for a in arrays:
        h.update(np.ascontiguousarray(np.asarray(a, dtype="float32")).tobytes())
    return h.hexdigest()

preset = sys.argv[1]
if preset == "dcgan":
    model = kerasgan.presets.dcgan(image_shape=(28, 28, 1), base_filters=4, latent_dim=8, seed=0)
    data = (np.random.default_rng(0).uniform(-1, 1, (16, 28, 28, 1)).astype("float32"),)
    sample = lambda: model.generate(4, seed=1)
else:
    model = kerasgan.presets.pix2pix(image_shape=(16, 16, 1), base_filters=4, seed=0)
    x = np.random.default_rng(0).uniform(-1, 1, (16, 16, 16, 1)).astype("float32")
    data = (x, -x)
    sample = lambda: model.translate(data[0][:4])
initial = digest(model.get_weights())
before = digest([sample()])
model.fit(*data, batch_size=8, epochs=1, verbose=0, shuffle=False)
print(json.dumps({"initial": initial, "samples": before, "trained": digest(model.get_weights())}))
"""


def _run(preset):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    result = subprocess.run(
        [sys.executable, "-c", _SCRIPT, preset], capture_output=True, text=True, env=env, timeout=300, check=True
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_a_preset_seed_reproduces_weights_samples_and_training_across_processes():
    for preset in ("dcgan", "pix2pix"):
        first, second = _run(preset), _run(preset)
        assert first == second, (preset, keras.backend.backend(), first, second)
