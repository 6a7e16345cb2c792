"""The real MNIST and Fashion-MNIST through `datasets.load`, when prepared offline.

Skipped unless `python scripts/prepare_offline_data.py` has prepared them in tfds's
default data dir ($TFDS_DATA_DIR or ~/tensorflow_datasets); failed instead under
KERASGAN_REQUIRE_DATA=1, as CI runs them. Nothing here downloads.
"""

import numpy as np
import pytest
from helpers import require_tfds_dataset

from kerasgan import datasets

# Exact class histograms of the real 10,000-image test splits.
TEST_LABEL_COUNTS = {
    "mnist": [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009],
    "fashion_mnist": [1000] * 10,
}


@pytest.mark.parametrize("name", sorted(TEST_LABEL_COUNTS))
def test_real_test_split_in_unit_range(name):
    require_tfds_dataset(name)
    dataset = datasets.load(name, split="test", batch_size=2500, shuffle=False, drop_remainder=False)
    batches = [np.asarray(batch) for batch in dataset]
    images = np.concatenate(batches)
    assert images.shape == (10000, 28, 28, 1) and images.dtype == np.float32
    assert images.min() == -1.0 and images.max() == 1.0
    # Real images, not noise: about half (Fashion-MNIST) to 80% (MNIST) of the
    # pixels are background at exactly -1.
    assert (images == -1.0).mean() > 0.4


@pytest.mark.parametrize("name", sorted(TEST_LABEL_COUNTS))
def test_real_test_split_labels(name):
    require_tfds_dataset(name)
    dataset = datasets.load(
        name, split="test", batch_size=5000, labels=True, shuffle=False, drop_remainder=False
    )
    labels = np.concatenate([np.asarray(batch_labels) for _, batch_labels in dataset])
    assert labels.shape == (10000,) and labels.dtype == np.int32
    assert labels.min() >= 0 and labels.max() <= 9
    assert np.bincount(labels, minlength=10).tolist() == TEST_LABEL_COUNTS[name]
