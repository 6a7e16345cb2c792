"""tf.distribute: two replicas give the same update as one device."""

import json
import os
import subprocess
import sys

import keras
import numpy as np
import pytest

pytestmark = pytest.mark.skipif(
    keras.backend.backend() != "tensorflow", reason="tf.distribute runs on the TensorFlow backend"
)

SCRIPT = os.path.join(os.path.dirname(__file__), "scripts", "distributed_step.py")


def test_two_replicas_match_one_device():
    # A fresh process: logical CPU devices must be set before TensorFlow starts.
    completed = subprocess.run(
        [sys.executable, SCRIPT], capture_output=True, text=True, timeout=300, check=True
    )
    line = next(l for l in completed.stdout.splitlines() if l.startswith("RESULT "))
    result = json.loads(line[len("RESULT ") :])
    assert result["num_replicas"] == 2
    moved = 0
    for one, two in zip(result["one_device"], result["two_replicas"]):
        one, two = np.array(one), np.array(two)
        # Without per-replica loss scaling the 2-replica update would be twice as large.
        np.testing.assert_allclose(two, one, atol=1e-6)
        moved += np.abs(one).max() > 1e-3
    assert moved >= 2, "the step should update the discriminator and the generator"
