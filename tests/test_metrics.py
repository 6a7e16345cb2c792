"""Metric mathematics by hand, and the streaming pipeline with a tiny feature extractor."""

import os

import numpy as np
import pytest
import scipy.linalg
from helpers import frechet_distance_of, kernel_distance_of, tiny_gan

import kerasgan
from kerasgan import metrics
from kerasgan.metrics import evaluation
from kerasgan.metrics.statistics import FeatureStatistics


def statistics_of(mean, covariance, count=1000):
    """FeatureStatistics holding exactly `mean` and `covariance`."""
    mean = np.asarray(mean, np.float64)
    statistics = FeatureStatistics(len(mean))
    statistics.count = count
    statistics._sum = count * mean
    statistics._outer = (count - 1) * np.asarray(covariance, np.float64) + count * np.outer(mean, mean)
    return statistics


class FlatPixels:
    """A tiny extractor: the pixels of 4x4 grey images as 16-d features."""

    name = "flat"
    dim = 16
    identity = "flat-pixels-test"
    has_probabilities = False

    def __init__(self):
        self.calls = 0

    def __call__(self, images):
        self.calls += 1
        return {"features": np.asarray(images, np.float32).reshape(len(images), -1)}


def test_streaming_statistics_equal_numpy():
    features = np.random.default_rng(11).normal(size=(103, 5)) * [1, 2, 3, 4, 5] + 7
    statistics = FeatureStatistics(5)
    for start in range(0, 103, 10):
        statistics.update(features[start : start + 10])
    np.testing.assert_allclose(statistics.mean, features.mean(0), rtol=1e-12)
    np.testing.assert_allclose(statistics.covariance, np.cov(features, rowvar=False), rtol=1e-10)


def test_statistics_round_trip(tmp_path):
    statistics = FeatureStatistics(3)
    statistics.update(np.random.default_rng(12).normal(size=(10, 3)))
    statistics.save(tmp_path / "stats.npz")
    loaded = FeatureStatistics.load(tmp_path / "stats.npz")
    np.testing.assert_array_equal(loaded.covariance, statistics.covariance)
    (tmp_path / "bad.npz").write_bytes(b"not a zip")
    with pytest.raises(ValueError, match="not a kerasgan feature statistics file"):
        FeatureStatistics.load(tmp_path / "bad.npz")


def test_frechet_distance_of_a_set_with_itself_is_zero():
    features = np.random.default_rng(13).normal(size=(500, 20))
    statistics = FeatureStatistics(20)
    statistics.update(features)
    assert metrics.frechet_distance_from_statistics(statistics, statistics) == pytest.approx(0, abs=1e-8)


def test_frechet_distance_of_diagonal_gaussians_is_the_closed_form():
    # FD = |mu1 - mu2|^2 + sum (sqrt(a_i) - sqrt(b_i))^2 for diagonal covariances a, b.
    mean_1, mean_2 = np.array([0.0, 1.0, 2.0]), np.array([1.0, 1.0, 0.0])
    a, b = np.array([1.0, 4.0, 9.0]), np.array([4.0, 1.0, 9.0])
    expected = 1 + 0 + 4 + (1 - 2) ** 2 + (2 - 1) ** 2 + 0
    distance = metrics.frechet_distance_from_statistics(
        statistics_of(mean_1, np.diag(a)), statistics_of(mean_2, np.diag(b))
    )
    assert distance == pytest.approx(expected, rel=1e-10)


def test_frechet_distance_matches_scipy_sqrtm_on_full_covariances():
    rng = np.random.default_rng(14)
    a, b = rng.normal(size=(6, 6)), rng.normal(size=(6, 6))
    covariance_1, covariance_2 = a @ a.T + 0.1 * np.eye(6), b @ b.T + 0.1 * np.eye(6)
    mean_1, mean_2 = rng.normal(size=6), rng.normal(size=6)
    expected = (
        np.sum((mean_1 - mean_2) ** 2)
        + np.trace(covariance_1 + covariance_2)
        - 2 * np.trace(scipy.linalg.sqrtm(covariance_1 @ covariance_2)).real
    )
    distance = metrics.frechet_distance_from_statistics(
        statistics_of(mean_1, covariance_1), statistics_of(mean_2, covariance_2)
    )
    assert distance == pytest.approx(expected, rel=1e-8)


def test_frechet_distance_is_finite_for_singular_covariances():
    # Fewer samples than dimensions: rank-deficient covariances, where sqrtm struggles.
    rng = np.random.default_rng(15)
    one, two = FeatureStatistics(50), FeatureStatistics(50)
    one.update(rng.normal(size=(10, 50)))
    two.update(rng.normal(size=(10, 50)) + 0.5)
    distance = metrics.frechet_distance_from_statistics(one, two)
    assert np.isfinite(distance) and distance > 0


def test_kernel_distance_by_hand():
    real = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    fake = np.array([[2.0, 0.0], [0.0, 0.0], [1.0, -1.0]])

    def kernel(x, y):
        return (x @ y / 2 + 1) ** 3

    m = 3
    k_xx = sum(kernel(real[i], real[j]) for i in range(m) for j in range(m) if i != j) / (m * (m - 1))
    k_yy = sum(kernel(fake[i], fake[j]) for i in range(m) for j in range(m) if i != j) / (m * (m - 1))
    k_xy = sum(kernel(real[i], fake[j]) for i in range(m) for j in range(m)) / (m * m)
    mean, std = metrics.kernel_distance_from_features(real, fake, num_subsets=3, subset_size=3)
    assert mean == pytest.approx(k_xx + k_yy - 2 * k_xy, rel=1e-12)
    assert std == pytest.approx(0, abs=1e-12)  # every subset is the whole set


def test_kernel_distance_is_near_zero_for_one_distribution_and_large_between_two():
    rng = np.random.default_rng(16)
    same, _ = metrics.kernel_distance_from_features(rng.normal(size=(400, 8)), rng.normal(size=(400, 8)), 20, 200)
    shifted, _ = metrics.kernel_distance_from_features(rng.normal(size=(400, 8)), rng.normal(size=(400, 8)) + 1, 20, 200)
    assert abs(same) < 0.02 < shifted


def test_inception_score_by_hand():
    confident = np.eye(10)  # ten images, one per class, fully confident: IS = 10
    assert metrics.inception_score_from_probabilities(confident, splits=1)[0] == pytest.approx(10, rel=1e-9)
    one_class = np.tile(np.eye(10)[:1], (10, 1))  # always the same class: IS = 1
    assert metrics.inception_score_from_probabilities(one_class, splits=1)[0] == pytest.approx(1, rel=1e-9)
    two = np.array([[0.9, 0.1], [0.2, 0.8]])
    marginal = two.mean(0)
    kl = [np.sum(p * np.log(p / marginal)) for p in two]
    assert metrics.inception_score_from_probabilities(two, splits=1)[0] == pytest.approx(np.exp(np.mean(kl)), rel=1e-9)
    mean, std = metrics.inception_score_from_probabilities(np.vstack([confident, one_class]), splits=2)
    assert (mean, std) == (pytest.approx(5.5), pytest.approx(4.5))


def test_precision_recall_by_hand():
    real = np.arange(5, dtype=np.float32)[:, None]  # 0..4: each real ball has radius 1 (k=1)
    fake = np.array([[10.0], [2.5], [-2.9], [4.5]], np.float32)
    precision, recall = metrics.precision_recall_from_features(real, fake, k=1)
    assert precision == 0.5  # 2.5 and 4.5 lie inside; 10 and -2.9 do not
    # Fake radii (k=1): -2.9 -> 5.4, 2.5 -> 2, 4.5 -> 2, 10 -> 5.5; every real is covered.
    assert recall == 1.0
    far = np.array([[100.0], [101.0]], np.float32)  # fake balls of radius 1, far away
    assert metrics.precision_recall_from_features(real, far, k=1) == (0.0, 0.0)


def test_image_errors_are_clear():
    with pytest.raises(ValueError, match=r"in \[-1, 1\]. Received: values in \[0, 255\]"):
        list(metrics.image_batches(np.linspace(0, 255, 64).reshape(4, 4, 4, 1)))
    with pytest.raises(ValueError, match="1 or 3"):
        list(metrics.image_batches(np.zeros((4, 4, 4, 2))))
    with pytest.raises(ValueError, match="empty array"):
        list(metrics.image_batches(np.zeros((0, 4, 4, 1))))
    with pytest.raises(ValueError, match="empty dataset"):
        list(metrics.image_batches(iter([])))
    with pytest.raises(ValueError, match="finite"):
        list(metrics.image_batches(np.full((2, 4, 4, 1), np.nan)))
    with pytest.raises(ValueError, match="Unknown features"):
        metrics.feature_extractor("imagenet")
    with pytest.raises(ValueError, match="Unknown metrics"):
        metrics.evaluate(np.zeros((4, 4, 4, 1)), np.zeros((4, 4, 4, 1)), metrics=["fidd"])


def test_image_batches_from_datasets_and_gans():
    import tensorflow as tf

    images = np.random.default_rng(0).uniform(-1, 1, (10, 4, 4, 1)).astype(np.float32)
    labels = np.arange(10)
    unbatched = tf.data.Dataset.from_tensor_slices((images, labels))
    batches = list(metrics.image_batches(unbatched, num_samples=7, batch_size=3))
    assert [len(b) for b in batches] == [3, 3, 1]
    np.testing.assert_array_equal(np.concatenate(batches), images[:7])
    gan = tiny_gan()
    generated = list(metrics.image_batches(gan, num_samples=5, batch_size=2))
    assert [b.shape for b in generated] == [(2, 8, 8, 1), (2, 8, 8, 1), (1, 8, 8, 1)]
    with pytest.raises(ValueError, match="num_samples"):
        list(metrics.image_batches(gan))


def test_frechet_distance_pipeline_and_real_statistics_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("KERASGAN_HOME", str(tmp_path))
    rng = np.random.default_rng(17)
    real = np.clip(rng.normal(0, 0.3, (200, 4, 4, 1)), -1, 1).astype(np.float32)
    extractor = FlatPixels()
    assert metrics.frechet_distance(real, real, features=extractor, verbose=False) == pytest.approx(0, abs=1e-6)
    cached = os.listdir(tmp_path / "statistics")
    assert len(cached) == 1 and cached[0].startswith("flat-pixels-test-")
    calls = extractor.calls
    shifted = np.clip(real + 0.5, -1, 1)
    distance = metrics.frechet_distance(real, shifted, features=extractor, verbose=False)
    # The real side came from the cache: only the fakes went through the extractor.
    assert extractor.calls - calls == 4  # 200 fakes in batches of 50
    statistics = FeatureStatistics(16)
    statistics.update(real.reshape(200, -1))
    expected = FeatureStatistics(16)
    expected.update(shifted.reshape(200, -1))
    assert distance == pytest.approx(metrics.frechet_distance_from_statistics(statistics, expected), rel=1e-9)
    assert distance > 1
    # Other real images get their own entry, never the first set's statistics.
    other_real = np.clip(real[::-1] * 0.5 - 0.2, -1, 1)
    assert metrics.frechet_distance(other_real, shifted, features=extractor, verbose=False) == pytest.approx(
        metrics.frechet_distance(other_real, shifted, features=extractor, cache=False, verbose=False), rel=1e-9
    )
    assert len(os.listdir(tmp_path / "statistics")) == 2


def test_a_shuffled_source_is_computed_but_not_cached(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("KERASGAN_HOME", str(tmp_path))
    images = np.random.default_rng(0).uniform(-1, 1, (60, 4, 4, 1)).astype(np.float32)

    class Reshuffled:
        def __init__(self):
            self.rng = np.random.default_rng(1)

        def __iter__(self):
            return iter(np.array_split(images[self.rng.permutation(60)], 3))

    result = evaluation.reference_features(Reshuffled(), FlatPixels(), None, 50, False, True, False)
    assert result["statistics"].count == 60
    assert not os.path.exists(tmp_path / "statistics")
    assert "not cached" in capsys.readouterr().out


def test_evaluate_computes_every_asked_metric_with_one_pass_per_set(tmp_path, monkeypatch):
    monkeypatch.setenv("KERASGAN_HOME", str(tmp_path))
    extractor = FlatPixels()
    monkeypatch.setitem(evaluation._EXTRACTORS, ("inception", None), extractor)
    rng = np.random.default_rng(20)
    real = rng.uniform(-1, 1, (100, 4, 4, 1)).astype(np.float32)
    fake = np.clip(rng.normal(0.3, 0.7, (100, 4, 4, 1)), -1, 1).astype(np.float32)
    results = metrics.evaluate(real, fake, metrics=["fid", "kid", "pr"], verbose=False)
    assert extractor.calls == 4  # two batches of real, two of fake
    assert set(results) == {"fid", "kid", "kid_std", "precision", "recall", "num_real", "num_fake"}
    assert results["num_real"] == results["num_fake"] == 100
    # Each value is the direct computation on the same features (the pixels here).
    real_features, fake_features = real.reshape(100, -1), fake.reshape(100, -1)
    assert results["fid"] == pytest.approx(frechet_distance_of(real_features, fake_features), rel=1e-6)
    assert results["fid"] > 1  # the two sets differ: the comparison is not 0 == 0
    # KID's subsets (at most 1000) hold the whole 100 here: every subset gives the full MMD^2.
    assert results["kid"] == pytest.approx(kernel_distance_of(real_features, fake_features), rel=1e-9)
    assert results["kid_std"] == pytest.approx(0, abs=1e-9)
    assert (results["precision"], results["recall"]) == metrics.precision_recall_from_features(
        real_features, fake_features, k=3
    )
    assert 0 < results["precision"] < 1 and 0 < results["recall"] < 1
    # And the one-metric functions on the same images agree with evaluate.
    assert metrics.frechet_distance(real, fake, features=extractor, verbose=False) == pytest.approx(results["fid"], rel=1e-12)
    with pytest.raises(ValueError, match="domain="):
        metrics.evaluate(real, fake, metrics=["cfd"])


def test_evaluate_with_the_mnist_classifier_equals_the_direct_computation(tmp_path, monkeypatch):
    monkeypatch.setenv("KERASGAN_HOME", str(tmp_path))
    digits = kerasgan.datasets.load_mnist_sample()[0][:400, ..., None].astype(np.float32) / 127.5 - 1
    real = digits[:200]
    noise = np.random.default_rng(21).normal(0, 0.5, (200, 28, 28, 1))
    fake = np.clip(digits[200:] + noise, -1, 1).astype(np.float32)  # noisy digits
    results = metrics.evaluate(real, fake, metrics=["cfd", "is"], domain="mnist", verbose=False)
    assert set(results) == {"cfd", "is", "is_std", "num_real", "num_fake"}
    classifier = metrics.DomainClassifier("mnist")
    real_outputs, fake_outputs = classifier(real), classifier(fake)
    expected_cfd = frechet_distance_of(real_outputs["features"], fake_outputs["features"])
    assert results["cfd"] == pytest.approx(expected_cfd, rel=1e-4)
    assert results["cfd"] > 1
    # The Inception Score formula on the classifier's probabilities, 10 splits of 20.
    scores = []
    for part in np.split(fake_outputs["probabilities"].astype(np.float64), 10):
        marginal = part.mean(axis=0)
        kl = np.sum(part * (np.log(part + 1e-30) - np.log(marginal + 1e-30)), axis=1)
        scores.append(np.exp(kl.mean()))
    assert results["is"] == pytest.approx(np.mean(scores), rel=1e-4)
    assert results["is_std"] == pytest.approx(np.std(scores), rel=1e-3, abs=1e-4)
    # The one-metric functions give the same numbers.
    assert metrics.frechet_distance(real, fake, features="mnist", verbose=False) == pytest.approx(results["cfd"], rel=1e-9)
    assert metrics.inception_score(fake, classifier="mnist", verbose=False)[0] == pytest.approx(results["is"], rel=1e-9)
