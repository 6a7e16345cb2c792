"""Trains every preset on the bundled MNIST sample; writes a grid and prints time and score.

Usage: KERAS_BACKEND=jax python benchmarks/preset_grids.py --epochs 30 --out docs/images/presets
       [--presets dcgan wgan_gp ...]

Conditional presets draw one row per class. The numbers are kerasgan's classifier FD
and classifier score on 2,000 samples (benchmarks/digit_score.py); the preset table's
Inception FIDs come from benchmarks/zoo_results.py.
"""

import argparse
import os
import time

import keras
from digit_score import classifier_metrics, digits, parse_options

import kerasgan
from kerasgan.callbacks import sample_for_grid, save_image_grid


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--out", default="runs/preset_grids")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--presets", nargs="*", default=[n for n, p in kerasgan.presets.PRESETS.items() if p.data in ("images", "labelled images") and n != "mlp_gan"])
    parser.add_argument("--options", nargs="*", default=[""], help="preset keyword sets, e.g. learning_rate=1e-4,clip_value=0.02")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    images, labels = digits()
    runs = [(name, options) for name in args.presets for options in args.options]
    for name, options in runs:
        keras.utils.set_random_seed(args.seed)
        gan = kerasgan.presets.get(name, seed=args.seed, **parse_options(options))
        start = time.perf_counter()
        gan.fit(images, labels if gan.num_classes else None, batch_size=args.batch_size, epochs=args.epochs, verbose=0)
        seconds = time.perf_counter() - start
        scores = classifier_metrics(images, gan)
        grid, rows = sample_for_grid(gan, 64, seed=2)
        label = f"{name}{',' + options if options else ''}"
        filename = label.replace(",", "_").replace("=", "")
        save_image_grid(grid, os.path.join(args.out, f"{filename}.png"), rows=rows, title=f"{label}, {args.epochs} epochs")
        print(
            f"{label:8s} epochs {args.epochs} ({args.epochs * (10000 // args.batch_size)} G steps, d_steps "
            f"{gan.d_steps}): classifier FD {scores['cfd']:.2f}, score {scores['is']:.2f}, {seconds:.0f} s "
            f"({keras.backend.backend()})",
            flush=True,
        )


if __name__ == "__main__":
    main()
