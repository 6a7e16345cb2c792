"""Sweeps DCGAN settings on the bundled MNIST sample and scores the samples.

Each setting gets, on 2,000 generated digits (benchmarks/digit_score.py): the share
that kerasgan's MNIST classifier reads with probability >= 0.9 ("readable"; the
bundled real digits score about 0.99), the classifier FD and the classifier score: fast
yardsticks for comparing settings, not numbers comparable with papers. A sample grid
per setting is written to --out.

Usage: KERAS_BACKEND=tensorflow python benchmarks/tune_dcgan.py --epochs 30 --out /tmp/tune
       [--configs base_filters=32 base_filters=64,d_lr=4e-4 r1=0.1,ema=0.999 ...]

Options of a config: base_filters, g_filters, d_filters, lr, g_lr, d_lr, beta_2,
label_smoothing, r1 (weight of an R1 penalty), ema (decay; the EMA generator is
scored), minibatch (1: minibatch standard deviation in the discriminator), batch_size.
"""

import argparse
import os
import time

import keras
from digit_score import classifier_metrics, digits, parse_options

from kerasgan import losses, parts
from kerasgan.callbacks import save_image_grid
from kerasgan.models import GAN
from kerasgan.networks import dcgan_discriminator, dcgan_generator


def build(config, seed):
    base_filters = config.get("base_filters", 32)
    gan = GAN(
        dcgan_generator((28, 28, 1), 100, base_filters=config.get("g_filters", base_filters)),
        dcgan_discriminator(
            (28, 28, 1),
            base_filters=config.get("d_filters", base_filters),
            minibatch="stddev" if config.get("minibatch") else None,
        ),
        label_smoothing=config.get("label_smoothing", 0.0),
        penalties=[losses.R1(config["r1"])] if config.get("r1") else [],
        ema=parts.EMA(config["ema"]) if config.get("ema") else None,
        reuse_fakes=not config.get("r1"),
        seed=seed,
    )
    lr = config.get("lr", 2e-4)
    beta_2 = config.get("beta_2", 0.999)
    gan.compile(
        d_optimizer=keras.optimizers.Adam(config.get("d_lr", lr), beta_1=0.5, beta_2=beta_2),
        g_optimizer=keras.optimizers.Adam(config.get("g_lr", lr), beta_1=0.5, beta_2=beta_2),
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
        config = parse_options(text)
        keras.utils.set_random_seed(args.seed)
        gan = build(config, args.seed)
        epochs = config.get("epochs", args.epochs)
        start = time.perf_counter()
        gan.fit(images, batch_size=config.get("batch_size", args.batch_size), epochs=epochs, verbose=0)
        seconds = time.perf_counter() - start
        samples = gan.generate(2000, seed=1)
        scores = classifier_metrics(images, samples)
        name = text.replace(",", "_").replace("=", "") or "default"
        save_image_grid(samples[:64], os.path.join(args.out, f"{name}.png"), title=text)
        print(
            f"{text:45s} epochs {epochs}: readable {scores['readable']:.3f}, classifier FD {scores['cfd']:.2f}, "
            f"score {scores['is']:.2f}, {seconds:.0f} s ({keras.backend.backend()})",
            flush=True,
        )


if __name__ == "__main__":
    main()
