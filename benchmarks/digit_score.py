"""Shared by the sweep benchmarks: the bundled digits and kerasgan's classifier metrics.

The metrics use kerasgan's MNIST domain classifier (saved_models/, 99.5% test
accuracy): the classifier FD (lower is better; real digits about 0.1) and the
classifier score (the Inception Score formula; 10 = confident and all classes equally
present). They are fast on a CPU and rank settings; they are not comparable with
papers, which use the Inception FID (`kerasgan.metrics.frechet_inception_distance`).
"""

import functools

import numpy as np

import kerasgan
from kerasgan.datasets import load_mnist_sample


def digits():
    """The bundled sample as float32 images in [-1, 1] `(10000, 28, 28, 1)` and labels.

    Numpy only, so it runs where TensorFlow is not installed, such as the GPU machine.
    """
    raw_images, labels = load_mnist_sample()
    return raw_images[..., None].astype("float32") / 127.5 - 1.0, labels


@functools.cache
def _classifier():
    return kerasgan.metrics.DomainClassifier("mnist")  # loaded once, not per call


def readable(images, threshold=0.9):
    """`(readable, rarest)`: the share of `images` that the MNIST classifier reads with
    probability >= `threshold`, and the share of the rarest digit among those (0.1 when
    every digit is drawn equally; 0 when one is missing).

    A confident classification, not a legible digit: the classifier is as confident on
    blank images and on noise (`main` prints them), so read it beside a distance to real
    digits (the classifier FD) and the rarest digit (a collapsed generator can draw one
    confident digit only)."""
    probabilities = _classifier()(images)["probabilities"]
    confident = probabilities.max(axis=1) >= threshold
    counts = np.bincount(probabilities[confident].argmax(axis=1), minlength=10)
    return float(np.mean(confident)), float(counts.min() / max(counts.sum(), 1))


def classifier_metrics(real_images, fake_images, num_samples=2000):
    """`{"cfd", "is", "is_std", "readable", "rarest"}` of generated digits against real ones."""
    scores = kerasgan.metrics.evaluate(
        real_images, fake_images, metrics=["cfd", "is"], num_samples=num_samples, domain="mnist", verbose=False
    )
    scores["readable"], scores["rarest"] = readable(fake_images[:num_samples])
    return scores


def parse_options(text):
    """`"a=1,b=2e-4"` -> `{"a": 1, "b": 0.0002}`: one setting of a sweep."""
    options = {}
    for item in filter(None, text.split(",")):
        key, value = item.split("=")
        options[key] = float(value) if any(c in value for c in ".e") else int(value)
    return options


def main():
    """Prints the readable share of the bundled real digits, of blank and noise images,
    and of each pretrained MNIST model's 2,000 samples (latent seed 1; conditional models cycle through the classes).

    Usage: python benchmarks/digit_score.py
    """
    images, _ = digits()
    rows = [
        ("real digits (bundled sample, first 2,000)", images[:2000]),
        # What "readable" cannot tell: the classifier is confident on these too.
        ("blank images", np.full((2000, 28, 28, 1), -1.0, "float32")),
        ("uniform noise", np.random.default_rng(0).uniform(-1.0, 1.0, (2000, 28, 28, 1)).astype("float32")),
    ]
    for name, manifest in sorted(kerasgan.presets.pretrained().items()):
        if manifest["data"]["dataset"] == "mnist":
            rows.append((name, kerasgan.presets.from_preset(name).generate(2000, seed=1)))
    for name, samples in rows:
        share, rarest = readable(samples)
        print(f"{name:45s} readable {share:.3f}, rarest digit {rarest:.3f}", flush=True)


if __name__ == "__main__":
    main()
