"""The StyleGAN and ADA results of docs/stylegan.md: train the stylegan preset on a CPU budget, score it.

Protocol: the `stylegan` preset (seed 0) trains on the train split of `--dataset`
("emoji": Noto Emoji at 32 px on white; "mnist" / "fashion_mnist": padded to 32 px),
optionally its first `--subset` images only (limited data), batch 32, for `--steps`
steps (an equal budget in images for every variant). It reports images per second over
the whole fit, then the FID (reference Inception network) of `--num-samples` samples
of the EMA generator (truncation 1) against the training images the model saw (up to
`--num-samples` of them; the usual protocol with limited data) and, for MNIST-like
sets, against as many test images. Grids (truncation 1 and 0.7) go to `--out`, and a
JSON row per variant to `--results`.

    python benchmarks/stylegan.py --dataset emoji --steps 3000
    python benchmarks/stylegan.py --dataset fashion_mnist --subset 1000 --steps 2000 --augment none ada diffaugment
"""

import argparse
import json
import os
import platform
import time

import keras
import numpy as np

import kerasgan
from kerasgan.callbacks import save_image_grid


def hardware():
    return f"{platform.processor() or platform.machine()} CPU x{os.cpu_count()}, {keras.backend.backend()}"


def training_images(dataset, split, subset):
    """uint8-free float images in [-1, 1], 32 px, as one numpy array."""
    if dataset == "emoji":
        data = kerasgan.datasets.load("emoji", split=split, image_size=32, batch_size=256, shuffle=False, drop_remainder=False)
    else:
        data = kerasgan.datasets.load(dataset, split=split, batch_size=256, shuffle=False, drop_remainder=False, pad_to=32)
    images = np.concatenate([batch.numpy() for batch in data])
    return images[:subset] if subset else images


def run(args, augment):
    images = training_images(args.dataset, "train", args.subset)
    gan = kerasgan.presets.stylegan(
        image_shape=images.shape[1:],
        augment=kerasgan.layers.ADA(speed=args.augment_speed) if augment == "ada" and args.augment_speed else None if augment == "none" else augment,
        channel_base=args.channel_base,
        channel_max=args.channel_max,
        seed=args.seed,
    )
    dataset = kerasgan.datasets.from_arrays(images, batch_size=args.batch_size, value_range=(-1, 1), seed=args.seed)
    steps_per_epoch = len(images) // args.batch_size
    epochs = -(-args.steps // steps_per_epoch)
    start = time.time()
    history = gan.fit(dataset.repeat(), epochs=epochs, steps_per_epoch=steps_per_epoch, verbose=args.verbose)
    seconds = time.time() - start
    steps = epochs * steps_per_epoch
    name = f"stylegan_{args.dataset}{'_' + str(args.subset) if args.subset else ''}_{augment}"
    os.makedirs(args.out, exist_ok=True)
    gan.save(os.path.join(args.out, f"{name}.keras"))
    for truncation in (1.0, 0.7):
        save_image_grid(gan.generate(64, seed=0, truncation=truncation), os.path.join(args.out, f"{name}_psi{truncation:g}.png"))
    samples = gan.generate(args.num_samples, seed=1)
    row = {
        "variant": name,
        "dataset": args.dataset,
        "training_images": len(images),
        "augment": augment,
        "steps": steps,
        "batch_size": args.batch_size,
        "seconds": round(seconds, 1),
        "images_per_second": round(steps * args.batch_size / seconds, 1),
        "final_logs": {key: round(float(values[-1]), 4) for key, values in history.history.items()},
        "fid_vs_train": round(kerasgan.metrics.frechet_inception_distance(images[: args.num_samples], samples, verbose=False), 2),
        "num_samples": args.num_samples,
        "seed": args.seed,
        "channel_base": args.channel_base,
        "channel_max": args.channel_max,
        "hardware": hardware(),
    }
    if args.dataset != "emoji":
        test = training_images(args.dataset, "test", None)[: args.num_samples]
        row["fid_vs_test"] = round(kerasgan.metrics.frechet_inception_distance(test, samples, verbose=False), 2)
    print(json.dumps(row), flush=True)
    with open(args.results, "a") as file:
        file.write(json.dumps(row) + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="emoji", choices=["emoji", "mnist", "fashion_mnist"])
    parser.add_argument("--subset", type=int, default=None, help="train on the first N training images only")
    parser.add_argument("--steps", type=int, default=3000)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--augment", nargs="*", default=["ada"], help="none, ada, diffaugment")
    parser.add_argument("--augment-speed", type=int, default=None)
    parser.add_argument("--channel-base", type=int, default=512)
    parser.add_argument("--channel-max", type=int, default=64)
    parser.add_argument("--num-samples", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--verbose", type=int, default=2)
    parser.add_argument("--out", default="runs/stylegan")
    parser.add_argument("--results", default="docs/results/stylegan_cpu.jsonl")
    args = parser.parse_args()
    for augment in args.augment:
        run(args, augment)


if __name__ == "__main__":
    main()
