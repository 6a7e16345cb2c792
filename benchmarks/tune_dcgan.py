"""Sweeps DCGAN settings on the bundled MNIST sample and scores the samples.

Each setting gets kerasgan's classifier FD and classifier score on 2,000 generated
digits (benchmarks/digit_score.py): fast yardsticks for comparing settings, not numbers
comparable with papers. A sample grid per setting is written to --out.

Usage: KERAS_BACKEND=jax python benchmarks/tune_dcgan.py --epochs 30 --out /tmp/tune
       [--configs base_filters=32 base_filters=64,label_smoothing=0.1 ...]
"""

import argparse
import os
import time

import keras
from digit_score import classifier_metrics, digits, parse_options

from kerasgan.callbacks import save_image_grid
from kerasgan.models import GAN
from kerasgan.networks import dcgan_discriminator, dcgan_generator


def build(config, seed):
    base_filters = config.get("base_filters", 32)
    gan = GAN(
        dcgan_generator((28, 28, 1), 100, base_filters=config.get("g_filters", base_filters)),
        dcgan_discriminator((28, 28, 1), base_filters=config.get("d_filters", base_filters)),
        label_smoothing=config.get("label_smoothing", 0.0),
        seed=seed,
    )
    lr = config.get("lr", 2e-4)
    gan.compile(
        d_optimizer=keras.optimizers.Adam(config.get("d_lr", lr), beta_1=0.5),
        g_optimizer=keras.optimizers.Adam(config.get("g_lr", lr), beta_1=0.5),
    )
    return gan


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--out", default="runs/tune_dcgan")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--configs", nargs="*", default=["base_filters=32"])
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    images, _ = digits()
    for text in args.configs:
        keras.utils.set_random_seed(args.seed)
        gan = build(parse_options(text), args.seed)
        start = time.perf_counter()
        gan.fit(images, batch_size=args.batch_size, epochs=args.epochs, verbose=0)
        seconds = time.perf_counter() - start
        samples = gan.generate(2000, seed=1)
        scores = classifier_metrics(images, samples)
        name = text.replace(",", "_").replace("=", "")
        save_image_grid(samples[:64], os.path.join(args.out, f"{name}.png"), title=text)
        print(
            f"{text:45s} epochs {args.epochs}: classifier FD {scores['cfd']:.2f}, score {scores['is']:.2f}, "
            f"{seconds:.0f} s ({keras.backend.backend()})"
        )


if __name__ == "__main__":
    main()
