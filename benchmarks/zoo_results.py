"""The results tables of docs/results.md: trains every preset on MNIST or Fashion-MNIST and evaluates it.

Protocol: train on the 60k train split (batch 64, `--epochs` epochs, seed 0); generate
`--num-samples` images (latent seed 0; conditional presets cycle through the classes)
and compare them with the first `--num-samples` images of the 10k test split: FID, KID
and precision/recall (k=3) with the reference Inception network, and kerasgan's
classifier FD and classifier score. A first row compares real train images with the
test split, the floor of each number at this sample size.

    KERAS_BACKEND=jax python benchmarks/zoo_results.py --dataset mnist --epochs 5 --num-samples 10000
    python benchmarks/zoo_results.py --dataset fashion_mnist --presets dcgan --num-samples 2000  # CPU

Reads the data with tensorflow-datasets (prepared by scripts/prepare_offline_data.py),
or from `--data`, an .npz with x_train, y_train, x_test, y_test (uint8), where
TensorFlow is not installed. Writes `results.jsonl` and a sample grid per preset to
`--out`.
"""

import argparse
import json
import os
import platform
import time

import keras
import numpy as np

import kerasgan
from kerasgan.callbacks import sample_for_grid, save_image_grid

METRICS = ["fid", "kid", "pr", "cfd", "is"]


def arrays(dataset, data_path):
    """`(train_images, train_labels, test_images)`: images float32 in [-1, 1], (n, 28, 28, 1)."""
    if data_path:
        with np.load(data_path) as data:
            x_train, y_train, x_test = data["x_train"], data["y_train"], data["x_test"]
    else:
        import tensorflow_datasets as tfds

        def split(name):
            return tfds.as_numpy(tfds.load(dataset, split=name, batch_size=-1, as_supervised=True, download=False))

        (x_train, y_train), (x_test, _) = split("train"), split("test")
    return (
        x_train.reshape(-1, 28, 28, 1).astype(np.float32) / 127.5 - 1,
        y_train.astype(np.int32),
        x_test.reshape(-1, 28, 28, 1).astype(np.float32) / 127.5 - 1,
    )


def hardware():
    device = keras.backend.backend()
    if device == "jax":
        import jax

        return f"{jax.devices()[0].device_kind}, JAX"
    return f"{platform.processor() or platform.machine()} CPU x{os.cpu_count()}, {device}"


def report(out, row):
    print(json.dumps(row), flush=True)
    with open(os.path.join(out, "results.jsonl"), "a") as file:
        file.write(json.dumps(row) + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="mnist", choices=["mnist", "fashion_mnist"])
    parser.add_argument("--data", default=None, help=".npz with x_train, y_train, x_test (uint8)")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--num-samples", type=int, default=10000)
    parser.add_argument("--eval-batch-size", type=int, default=200)
    parser.add_argument("--presets", nargs="*", default=[n for n, p in kerasgan.presets.PRESETS.items() if p.data in ("images", "labelled images") and n != "mlp_gan"])
    parser.add_argument("--out", default="runs/zoo_results")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-real-row", action="store_true", help="skip the real-images row (measured once is enough)")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    train_images, train_labels, test_images = arrays(args.dataset, args.data)
    reference = test_images[: args.num_samples]
    common = {"dataset": args.dataset, "num_samples": len(reference), "hardware": hardware()}

    def evaluate(fake):
        return kerasgan.metrics.evaluate(
            reference,
            fake,
            metrics=METRICS,
            num_samples=args.num_samples,
            domain=args.dataset,
            batch_size=args.eval_batch_size,
            verbose=False,
        )

    if not args.no_real_row:
        start = time.perf_counter()
        results = evaluate(train_images[: args.num_samples])
        report(args.out, {**common, "preset": "real train images", **results, "eval_seconds": time.perf_counter() - start})
    for name in args.presets:
        keras.utils.set_random_seed(args.seed)
        gan = kerasgan.presets.get(name, seed=args.seed)
        start = time.perf_counter()
        gan.fit(
            train_images,
            train_labels if gan.num_classes else None,
            batch_size=args.batch_size,
            epochs=args.epochs,
            verbose=0,
        )
        train_seconds = time.perf_counter() - start
        start = time.perf_counter()
        results = evaluate(gan)
        eval_seconds = time.perf_counter() - start
        grid, rows = sample_for_grid(gan, 64, seed=2)
        save_image_grid(
            grid, os.path.join(args.out, f"{args.dataset}_{name}.png"), rows=rows, title=f"{name}, {args.epochs} epochs"
        )
        steps = args.epochs * (len(train_images) // args.batch_size)
        row = {**common, "preset": name, "epochs": args.epochs, "g_steps": steps, "d_steps": gan.d_steps}
        report(args.out, {**row, **results, "train_seconds": train_seconds, "eval_seconds": eval_seconds})


if __name__ == "__main__":
    main()
