"""The papers' GPU networks (the presets that ship no weights) train at their own sizes
on the CPU: a few steps of every network. Their parameter counts against the reference
code: tests/test_image_to_image.py, test_stylegan.py, test_presets.py."""

import numpy as np
import pytest
from helpers import tiny_data

import kerasgan

PAPER_PRESETS = sorted(name for name, preset in kerasgan.presets.PRESETS.items() if not preset.ships_weights)


@pytest.mark.slow
@pytest.mark.parametrize("name", PAPER_PRESETS)
def test_the_papers_networks_train_at_their_size_on_the_cpu(name):
    preset = kerasgan.presets.PRESETS[name]
    gan = kerasgan.presets.get(name, seed=0)
    side = preset.image_size
    before = [np.array(weight) for weight in gan.trainable_weights]
    # Two steps of batch 2 (pix2pix and CycleGAN train on batch 1, the rest on more).
    history = gan.fit(*tiny_data(preset, (side, side, 3), n=4), batch_size=2, epochs=1, verbose=0)
    for metric, values in history.history.items():
        assert np.all(np.isfinite(values)), (metric, values)
    unchanged = [weight.path for weight, old in zip(gan.trainable_weights, before) if np.array_equal(np.array(weight), old)]
    assert not unchanged, unchanged
