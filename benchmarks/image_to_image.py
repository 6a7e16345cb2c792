"""The image-to-image results of docs/image-to-image.md: train Pix2Pix or CycleGAN, score held-out images.

Protocol: train on the train split (batch 16, `--epochs` epochs, seed 0, the papers'
schedule: constant learning rate for the first half, linear decay to 0 over the
second), then translate the whole held-out test split. With ground truth (OpenMoji
pairs; emoji, where Noto and Twemoji share file names) it reports L1 ([-1, 1] units),
PSNR and SSIM against the true counterpart, and the same for the identity (the input
itself) as a floor to beat; and the FID (reference Inception network) of the
translations against the target images of the test split (both directions for
CycleGAN). Each variant's grid goes to `--out`.

    python benchmarks/image_to_image.py pix2pix --dataset openmoji --image-size 32 --epochs 20
    python benchmarks/image_to_image.py pix2pix --dataset openmoji --image-size 32 --epochs 10 --normalization batch instance
    python benchmarks/image_to_image.py cyclegan --dataset horse_zebra --epochs 10
    python benchmarks/image_to_image.py cyclegan --dataset emoji --image-size 32 --epochs 10
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
    if keras.backend.backend() == "jax":
        import jax

        return f"{jax.devices()[0].device_kind}, JAX"
    return f"{platform.processor() or platform.machine()} CPU x{os.cpu_count()}, {keras.backend.backend()}"


def test_arrays(preset, dataset, image_size):
    """Held-out `(inputs, targets)` as numpy; targets are the true counterparts where known,
    else the other domain's held-out images (for the FID only)."""
    if preset == "pix2pix":
        data = kerasgan.datasets.load_pairs(dataset, split="test", image_size=image_size, shuffle=False, drop_remainder=False)
    elif dataset == "emoji":
        data = kerasgan.datasets.load_domains(dataset, split="test", image_size=image_size, batch_size=64, paired=True)
    else:
        # One pair per batch: every held-out image of both domains (the smaller repeated).
        data = kerasgan.datasets.load_domains(dataset, split="test", image_size=image_size, batch_size=1, shuffle=False)
    inputs, targets = (np.concatenate(part) for part in zip(*[(a.numpy(), b.numpy()) for a, b in data]))
    if preset == "cyclegan" and dataset != "emoji":
        inputs, targets = np.unique(inputs, axis=0), np.unique(targets, axis=0)
    return inputs, targets


def scores(translate, inputs, targets, paired, fid, prefix=""):
    """L1/PSNR/SSIM against the true counterparts (and the identity's), FID against the targets."""
    results = {}
    if paired:
        results.update(kerasgan.metrics.evaluate_translation(translate, (inputs, targets), metrics=["l1", "psnr", "ssim"], verbose=False))
        identity = kerasgan.metrics.evaluate_translation(lambda x: x, (inputs, targets), metrics=["l1", "psnr", "ssim"], verbose=False)
        results.update({f"identity_{k}": v for k, v in identity.items()})
    if fid:
        outputs = np.concatenate([translate(inputs[i : i + 64]) for i in range(0, len(inputs), 64)])
        results["fid"] = kerasgan.metrics.frechet_inception_distance(targets, outputs, verbose=False)
        results["identity_fid"] = kerasgan.metrics.frechet_inception_distance(targets, inputs, verbose=False)
    return {prefix + key: value for key, value in results.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("preset", choices=["pix2pix", "cyclegan"])
    parser.add_argument("--dataset", default=None, help="default: openmoji (pix2pix), horse_zebra (cyclegan)")
    parser.add_argument("--image-size", type=int, default=None)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--normalization", nargs="*", default=[None], help="pix2pix variants: batch, instance")
    parser.add_argument("--generator", nargs="*", default=[None], help="cyclegan variants: resnet, unet")
    parser.add_argument("--base-filters", nargs="*", type=int, default=[32])
    parser.add_argument("--no-fid", action="store_true", help="skip the FID (slow on a CPU)")
    parser.add_argument("--out", default="runs/image_to_image")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    dataset_name = args.dataset or kerasgan.presets.PRESETS[args.preset].dataset
    load = kerasgan.datasets.load_pairs if args.preset == "pix2pix" else kerasgan.datasets.load_domains
    train = load(dataset_name, image_size=args.image_size, batch_size=args.batch_size, seed=args.seed)
    first, second = (tuple(spec.shape[1:]) for spec in train.element_spec)
    inputs, targets = test_arrays(args.preset, dataset_name, args.image_size)
    paired = args.preset == "pix2pix" or dataset_name == "emoji"
    steps = args.epochs * int(train.cardinality())
    variants = [(n, g, b) for n in args.normalization for g in args.generator for b in args.base_filters]
    for normalization, generator, base_filters in variants:
        options = {"image_shape": first, "base_filters": base_filters, "total_steps": steps, "seed": args.seed}
        if args.preset == "pix2pix":
            options.update(target_channels=second[-1], **({"normalization": normalization} if normalization else {}))
        elif generator:
            options["generator"] = generator
        model = kerasgan.presets.get(args.preset, **options)
        started = time.perf_counter()
        model.fit(train, epochs=args.epochs, verbose=0)
        seconds = time.perf_counter() - started
        if args.preset == "pix2pix":
            results = scores(model.translate, inputs, targets, paired, not args.no_fid)
        else:
            results = {
                **scores(lambda x, m=model: m.translate(x, "a_to_b"), inputs, targets, paired, not args.no_fid, "a_to_b_"),
                **scores(lambda x, m=model: m.translate(x, "b_to_a"), targets, inputs, paired, not args.no_fid, "b_to_a_"),
            }
        row = {
            "preset": args.preset, "dataset": dataset_name, "image_shape": list(first), "epochs": args.epochs,
            "steps": steps, "batch_size": args.batch_size, "base_filters": base_filters,
            "normalization": normalization or "default", "generator": generator or "default", "train_seconds": round(seconds, 1),
            "seconds_per_epoch": round(seconds / args.epochs, 1),
            "images_per_second": round(steps * args.batch_size / seconds, 1),
            "test_images": [len(inputs), len(targets)], "hardware": hardware(), **results,
        }
        print(json.dumps(row), flush=True)
        with open(os.path.join(args.out, "results.jsonl"), "a") as file:
            file.write(json.dumps(row) + "\n")
        images, rows = model.preview(8, examples=(inputs[:8], targets[:8]))
        tag = f"{args.preset}_{dataset_name}_{first[0]}px_{normalization or generator or 'default'}_{base_filters}"
        save_image_grid(images, os.path.join(args.out, f"{tag}.png"), rows=rows, title=f"{tag}, {args.epochs} epochs")


if __name__ == "__main__":
    main()
