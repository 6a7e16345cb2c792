"""Trains the MNIST and Fashion-MNIST domain classifiers into kerasgan/saved_models/.

They give kerasgan's classifier FD and classifier score
(`kerasgan.metrics.frechet_distance(..., features="mnist")`). Needs the real datasets,
prepared offline first:

    python scripts/prepare_offline_data.py
    python scripts/train_domain_classifiers.py            # both, ~? min on 2 CPU cores

Prints the test accuracy of each; docs/evaluation.md quotes them.
"""

import argparse
import os
import time

import keras

import kerasgan
from kerasgan.files import atomic_write
from kerasgan.metrics.classifier import (
    DOMAINS,
    build_domain_classifier,
    default_classifier_path,
)


def train(domain, epochs, batch_size, seed):
    keras.utils.set_random_seed(seed)
    train_data = kerasgan.datasets.load(domain, split="train", batch_size=batch_size, labels=True, seed=seed)
    test_data = kerasgan.datasets.load(
        domain, split="test", batch_size=500, labels=True, shuffle=False, drop_remainder=False
    )
    # Small shifts make the features robust to a GAN's imperfect centring.
    augment = keras.Sequential([keras.layers.RandomTranslation(0.08, 0.08, fill_mode="constant", fill_value=-1.0)])
    classifier = build_domain_classifier()
    inputs = keras.Input(classifier.input_shape[1:])
    trainer = keras.Model(inputs, classifier(augment(inputs)))
    steps = epochs * (60_000 // batch_size)
    trainer.compile(
        optimizer=keras.optimizers.Adam(keras.optimizers.schedules.CosineDecay(2e-3, steps)),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    start = time.time()
    trainer.fit(train_data, epochs=epochs, verbose=2)
    classifier.compile(
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"]
    )
    _, accuracy = classifier.evaluate(test_data, verbose=0)
    path = default_classifier_path(domain)
    atomic_write(path, classifier.save)
    size = os.path.getsize(path) / 1e6
    print(f"{domain}: test accuracy {accuracy:.4f}, {time.time() - start:.0f} s, {path} ({size:.2f} MB)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--domains", nargs="+", default=list(DOMAINS), choices=DOMAINS)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    for domain in args.domains:
        train(domain, args.epochs, args.batch_size, args.seed)


if __name__ == "__main__":
    main()
