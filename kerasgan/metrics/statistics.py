"""The mathematics of the metrics, on features and class probabilities (numpy, float64).

Reference:
    Heusel et al., 2017, "GANs Trained by a Two Time-Scale Update Rule Converge to a
    Local Nash Equilibrium" (FID). Binkowski et al., 2018, "Demystifying MMD GANs" (KID).
    Salimans et al., 2016, "Improved Techniques for Training GANs" (IS). Kynkaanniemi et
    al., 2019, "Improved Precision and Recall Metric for Assessing Generative Models".
"""

import os

import numpy as np

from kerasgan.files import atomic_write

__all__ = [
    "FeatureStatistics",
    "frechet_distance_from_statistics",
    "inception_score_from_probabilities",
    "kernel_distance_from_features",
    "precision_recall_from_features",
]


class FeatureStatistics:
    """Mean and covariance of features, accumulated batch by batch in float64.

    Memory is `dim * dim` float64 whatever the number of samples (32 MB for 2048-d).
    """

    def __init__(self, dim):
        self.dim = dim
        self.count = 0
        self._sum = np.zeros(dim, np.float64)
        self._outer = np.zeros((dim, dim), np.float64)

    def update(self, features):
        features = np.asarray(features, np.float64).reshape(-1, self.dim)
        self.count += len(features)
        self._sum += features.sum(axis=0)
        self._outer += features.T @ features

    @property
    def mean(self):
        return self._sum / self.count

    @property
    def covariance(self):
        if self.count < 2:
            raise ValueError(f"Expected at least 2 samples for a covariance. Received: {self.count}.")
        mean = self.mean
        return (self._outer - self.count * np.outer(mean, mean)) / (self.count - 1)

    def save(self, path, **arrays):
        """Writes an `.npz` atomically, with `arrays` (such as the features) beside."""

        def write(temporary):
            with open(temporary, "wb") as file:
                np.savez(file, count=self.count, sum=self._sum, outer=self._outer, **arrays)

        atomic_write(path, write)

    @classmethod
    def load(cls, path):
        try:
            with np.load(path) as file:
                statistics = cls(len(file["sum"]))
                statistics.count = int(file["count"])
                statistics._sum = file["sum"]
                statistics._outer = file["outer"]
        except (OSError, KeyError, ValueError) as error:
            raise ValueError(
                f"{os.fspath(path)} is not a kerasgan feature statistics file (.npz with count, sum, "
                f"outer): {error}"
            ) from error
        return statistics


def _trace_sqrt_product(covariance_1, covariance_2):
    """trace(sqrtm(C1 @ C2)), as the sum of sqrt(eig(sqrt(C1) @ C2 @ sqrt(C1))).

    That matrix is symmetric positive semi-definite, so `eigh` is stable and real where
    `scipy.linalg.sqrtm(C1 @ C2)` can return complex values or fail on singular C1 C2.
    """
    values, vectors = np.linalg.eigh(covariance_1)
    sqrt_1 = (vectors * np.sqrt(np.clip(values, 0, None))) @ vectors.T
    middle = sqrt_1 @ covariance_2 @ sqrt_1
    return np.sqrt(np.clip(np.linalg.eigvalsh((middle + middle.T) / 2), 0, None)).sum()


def frechet_distance_from_statistics(statistics_1, statistics_2):
    """||mu1 - mu2||^2 + tr(C1 + C2 - 2 sqrt(C1 C2)) between two `FeatureStatistics`."""
    if statistics_1.dim != statistics_2.dim:
        raise ValueError(
            f"Expected statistics of features of one size. Received: {statistics_1.dim} and {statistics_2.dim}."
        )
    difference = statistics_1.mean - statistics_2.mean
    covariance_1, covariance_2 = statistics_1.covariance, statistics_2.covariance
    distance = difference @ difference + np.trace(covariance_1) + np.trace(covariance_2)
    return float(max(distance - 2 * _trace_sqrt_product(covariance_1, covariance_2), 0.0))


def kernel_distance_from_features(real_features, fake_features, num_subsets=100, subset_size=1000, seed=0):
    """KID: unbiased MMD^2 with the kernel (x.y / d + 1)^3, over random subsets.

    Returns:
        `(mean, std)` over `num_subsets` subsets of `min(subset_size, n_real, n_fake)`
        samples each, drawn without replacement.
    """
    real_features = np.asarray(real_features, np.float64)
    fake_features = np.asarray(fake_features, np.float64)
    size = min(subset_size, len(real_features), len(fake_features))
    if size < 2:
        raise ValueError(f"Expected at least 2 real and 2 fake samples for KID. Received: a subset size of {size}.")
    dim = real_features.shape[1]
    rng = np.random.default_rng(seed)
    values = []
    for _ in range(num_subsets):
        x = real_features[rng.choice(len(real_features), size, replace=False)]
        y = fake_features[rng.choice(len(fake_features), size, replace=False)]
        k_xx = (x @ x.T / dim + 1) ** 3
        k_yy = (y @ y.T / dim + 1) ** 3
        k_xy = (x @ y.T / dim + 1) ** 3
        within = (k_xx.sum() - np.trace(k_xx) + k_yy.sum() - np.trace(k_yy)) / (size * (size - 1))
        values.append(within - 2 * k_xy.mean())
    return float(np.mean(values)), float(np.std(values))


def inception_score_from_probabilities(probabilities, splits=10):
    """exp(E_x KL(p(y|x) || p(y))) on each of `splits` parts: `(mean, std)`."""
    probabilities = np.asarray(probabilities, np.float64)
    if len(probabilities) < splits:
        raise ValueError(f"Expected at least {splits} samples for {splits} splits. Received: {len(probabilities)}.")
    scores = []
    for part in np.array_split(probabilities, splits):
        marginal = part.mean(axis=0, keepdims=True)
        kl = np.sum(part * (np.log(part + 1e-12) - np.log(marginal + 1e-12)), axis=1)
        scores.append(np.exp(kl.mean()))
    return float(np.mean(scores)), float(np.std(scores))


def _pairwise_distances(a, b):
    squared = (a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2 * a @ b.T
    return np.sqrt(np.clip(squared, 0, None))


def _radii(features, k, batch_size):
    # Distance to the k-th nearest other sample (index 0 of the sorted row is itself).
    radii = np.empty(len(features), np.float32)
    for start in range(0, len(features), batch_size):
        distances = _pairwise_distances(features[start : start + batch_size], features)
        radii[start : start + batch_size] = np.partition(distances, k, axis=1)[:, k]
    return radii


def _coverage(queries, references, radii, batch_size):
    # Fraction of queries inside at least one reference's k-NN ball.
    inside = np.zeros(len(queries), bool)
    for start in range(0, len(queries), batch_size):
        distances = _pairwise_distances(queries[start : start + batch_size], references)
        inside[start : start + batch_size] = (distances <= radii[None, :]).any(axis=1)
    return float(inside.mean())


def precision_recall_from_features(real_features, fake_features, k=3, batch_size=1000):
    """Precision (fakes inside the real manifold) and recall (reals inside the fake one).

    Each set's manifold is the union of balls around its samples reaching their k-th
    nearest neighbour (Kynkaanniemi et al., 2019, k=3).
    """
    real_features = np.asarray(real_features, np.float32)
    fake_features = np.asarray(fake_features, np.float32)
    if min(len(real_features), len(fake_features)) <= k:
        raise ValueError(
            f"Expected more than k={k} real and fake samples. "
            f"Received: {len(real_features)} real, {len(fake_features)} fake."
        )
    precision = _coverage(fake_features, real_features, _radii(real_features, k, batch_size), batch_size)
    recall = _coverage(real_features, fake_features, _radii(fake_features, k, batch_size), batch_size)
    return precision, recall
