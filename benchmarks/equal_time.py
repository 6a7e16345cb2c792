"""Presets compared at equal training time: each trains for `--seconds` of wall time on
the same machine (at its preset's batch size, seeds `--seeds`), then is scored like docs/results.md:
`--num-samples` generated images (latent seed 0) against the first `--num-samples` test
images, FID with the reference Inception network and kerasgan's classifier FD.

    python benchmarks/equal_time.py --presets dcgan r3gan --datasets mnist fashion_mnist --seconds 150 --seeds 0 1

Writes one JSON line per run to `--out`/results.jsonl and a sample grid per run; prints
a table. Both cores are used by each run in turn: run nothing else beside it.
"""

import argparse
import json
import os
import time

import keras

import kerasgan
from kerasgan.callbacks import sample_for_grid, save_image_grid


class TimeBudget(keras.callbacks.Callback):
    """Stops training once `seconds` of wall time have passed since the first batch."""

    def __init__(self, seconds, batch_size):
        super().__init__()
        self.seconds = seconds
        self.batch_size = batch_size
        self.started = None
        self.images = 0

    def on_train_batch_begin(self, batch, logs=None):
        self.started = self.started or time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        self.images += self.batch_size
        if time.perf_counter() - self.started >= self.seconds:
            self.model.stop_training = True


def run(preset, dataset, seed, seconds, num_samples, out):
    batch_size = kerasgan.presets.PRESETS[preset].batch_size
    data = kerasgan.datasets.load(dataset, batch_size=batch_size, seed=seed)
    model = kerasgan.presets.get(preset, image_shape=(28, 28, 1), seed=seed)
    budget = TimeBudget(seconds, batch_size)
    model.fit(data, epochs=1000, verbose=0, callbacks=[budget])
    trained = time.perf_counter() - budget.started
    real = kerasgan.datasets.load(dataset, split="test", batch_size=50, shuffle=False, drop_remainder=False, cache=False)
    scores = kerasgan.metrics.evaluate(real, model, metrics=["fid", "cfd"], num_samples=num_samples, domain=dataset, seed=0, verbose=False)
    images, rows = sample_for_grid(model, 64, seed=0)
    save_image_grid(images, os.path.join(out, f"{preset}_{dataset}_seed{seed}.png"), rows=rows)
    return {
        "preset": preset, "dataset": dataset, "seed": seed, "batch_size": batch_size, "seconds": round(trained, 1), "images_seen": budget.images,
        "img_per_s": round(budget.images / trained, 1), "fid": round(scores["fid"], 2), "cfd": round(scores["cfd"], 2),
        "num_samples": num_samples, "backend": keras.backend.backend(),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--presets", nargs="+", default=["dcgan", "r3gan"])
    parser.add_argument("--datasets", nargs="+", default=["mnist", "fashion_mnist"])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1])
    parser.add_argument("--seconds", type=float, default=150)
    parser.add_argument("--num-samples", type=int, default=2000)
    parser.add_argument("--out", default="runs/equal_time")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    rows = []
    for dataset in args.datasets:
        for seed in args.seeds:
            for preset in args.presets:
                row = run(preset, dataset, seed, args.seconds, args.num_samples, args.out)
                rows.append(row)
                with open(os.path.join(args.out, "results.jsonl"), "a") as file:
                    file.write(json.dumps(row) + "\n")
                print(json.dumps(row), flush=True)
    print("\n| preset | dataset | seed | images seen | img/s | FID | classifier FD |\n| --- | --- | --- | --- | --- | --- | --- |")
    for row in rows:
        print(f"| {row['preset']} | {row['dataset']} | {row['seed']} | {row['images_seen']:,} | {row['img_per_s']:.0f} | {row['fid']:.1f} | {row['cfd']:.1f} |")


if __name__ == "__main__":
    main()
