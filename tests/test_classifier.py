"""The domain classifiers in kerasgan/saved_models/: accuracy on real digits, and clear errors."""

import os

import numpy as np
import pytest

import kerasgan
from kerasgan.metrics.classifier import DomainClassifier, default_classifier_path


@pytest.fixture(scope="module")
def digits():
    images, labels = kerasgan.datasets.load_mnist_sample()
    return images[:2000, ..., None].astype(np.float32) / 127.5 - 1, labels[:2000]


@pytest.fixture(scope="module")
def classifier():
    return DomainClassifier("mnist")


def test_mnist_classifier_recognises_real_digits(classifier, digits):
    images, labels = digits
    outputs = classifier(images)
    assert outputs["features"].shape == (2000, 128)
    np.testing.assert_allclose(outputs["probabilities"].sum(axis=1), 1, rtol=1e-6)
    assert (outputs["probabilities"].argmax(axis=1) == labels).mean() > 0.98


def test_classifier_distance_and_score_tell_digits_from_noise(classifier, digits, tmp_path, monkeypatch):
    monkeypatch.setenv("KERASGAN_HOME", str(tmp_path))
    images, _ = digits
    noise = np.random.default_rng(0).uniform(-1, 1, (1000, 28, 28, 1)).astype(np.float32)
    between_halves = kerasgan.metrics.frechet_distance(images[:1000], images[1000:], features=classifier, verbose=False)
    against_noise = kerasgan.metrics.frechet_distance(images[:1000], noise, features=classifier, verbose=False)
    assert between_halves < 1
    assert against_noise > 100
    real_score, _ = kerasgan.metrics.inception_score(images, classifier=classifier, verbose=False)
    assert real_score > 9  # confident, and the ten classes about equally present
    one_class = np.repeat(images[:1], 100, axis=0)
    assert kerasgan.metrics.inception_score(one_class, classifier=classifier, verbose=False)[0] < 1.1


def test_classifier_errors_say_what_was_expected(classifier, tmp_path):
    with pytest.raises(ValueError, match=r"expects images of shape \(28, 28, 1\). Received: \(32, 32, 3\)"):
        classifier(np.zeros((2, 32, 32, 3), np.float32))
    with pytest.raises(FileNotFoundError, match="train_domain_classifiers.py"):
        DomainClassifier("mnist", path=str(tmp_path / "absent.keras"))
    corrupt = tmp_path / "corrupt.keras"
    corrupt.write_bytes(b"not a model")
    with pytest.raises(ValueError, match="not a kerasgan domain classifier"):
        DomainClassifier("mnist", path=str(corrupt))
    with pytest.raises(ValueError, match="Unknown classifier domain"):
        default_classifier_path("cifar10")
    with pytest.raises(ValueError, match="class probabilities"):
        kerasgan.metrics.inception_score(np.zeros((10, 28, 28, 1)), classifier=_NoProbabilities())


def test_both_classifiers_ship():
    for domain in ("mnist", "fashion_mnist"):
        assert os.path.getsize(default_classifier_path(domain)) < 2_000_000


class _NoProbabilities:
    name = "features only"
    dim = 2
    identity = "none"
    has_probabilities = False
