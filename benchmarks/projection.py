"""Projection of held-out images (docs/stylegan.md): how close a GAN gets to images it never saw.

Protocol: `--num-images` images evenly spaced through the emoji test split (Noto Emoji,
never seen in training; the split is in code-point order, so the first ones are all
keycaps and flags) at the model's size; each projected with `--steps` steps into W and
W+ with the perceptual and pixel terms (the defaults), and into W with pixels alone;
beside them the training set's nearest neighbour of each image (by pixel distance), what
a model that memorised its data would give. Each is scored against the held-out images:
PSNR (dB), SSIM and the perceptual distance (`kerasgan.metrics.perceptual`, lower is
closer). A grid per variant goes to `--out`: rows of targets, then reconstructions.

    python benchmarks/projection.py --model stylegan_emoji --num-images 32 --steps 500
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
from kerasgan.metrics.perceptual import PerceptualDistance
from kerasgan.metrics.translation import psnr, ssim


def arrays(name, split, image_size, spread=None):
    """The split's images, or `spread` of them evenly spaced through it."""
    batches = kerasgan.datasets.load(name, split=split, image_size=image_size, batch_size=256, shuffle=False, drop_remainder=False)
    images = np.concatenate([np.asarray(batch) for batch in batches])
    return images[np.linspace(0, len(images) - 1, spread).round().astype(int)] if spread else images


def nearest_neighbours(targets, training):
    """Each target's nearest training image by squared pixel distance."""
    flat = training.reshape(len(training), -1)
    norms = np.sum(flat**2, axis=1)
    chosen = [np.argmin(norms - 2 * flat @ target.ravel()) for target in targets]
    return training[chosen]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="stylegan_emoji", help="a pretrained StyleGAN or a .keras file")
    parser.add_argument("--dataset", default="emoji")
    parser.add_argument("--num-images", type=int, default=16)
    parser.add_argument("--steps", type=int, default=500)
    parser.add_argument("--variants", nargs="+", default=["w", "w+", "w_pixels_only", "nearest_neighbour"])
    parser.add_argument("--out", default="runs/projection")
    parser.add_argument("--json-out", default=None, help="append one JSON line per variant to this file")
    args = parser.parse_args()

    model = kerasgan.presets.from_preset(args.model) if not os.path.isfile(args.model) else keras.models.load_model(args.model)
    size = model.image_shape[0]
    targets = arrays(args.dataset, "test", size, args.num_images)
    distance = PerceptualDistance(model.image_shape)
    os.makedirs(args.out, exist_ok=True)
    hardware = f"{platform.processor() or platform.machine()} CPU x{os.cpu_count()}, {keras.backend.backend()}"

    rows = []
    for variant in args.variants:
        start = time.time()
        if variant == "nearest_neighbour":
            reconstructions = nearest_neighbours(targets, arrays(args.dataset, "train", size))
        else:
            space = "w+" if variant == "w+" else "w"
            weights = {"perceptual_weight": 0.0} if variant.endswith("pixels_only") else {}
            reconstructions = model.project(targets, space=space, steps=args.steps, **weights).images
        seconds = time.time() - start
        row = {
            "variant": variant,
            "model": args.model,
            "images": len(targets),
            "steps": None if variant == "nearest_neighbour" else args.steps,
            "psnr": round(psnr(reconstructions, targets), 2),
            "ssim": round(ssim(reconstructions, targets), 3),
            "perceptual_distance": round(float(distance(reconstructions, targets).mean()), 4),
            "seconds": round(seconds, 1),
            "hardware": hardware,
        }
        rows.append(row)
        shown = min(len(targets), 16)
        save_image_grid(np.concatenate([targets[:shown], reconstructions[:shown]]), os.path.join(args.out, f"{variant}.png"), columns=shown)
        print(json.dumps(row), flush=True)
        if args.json_out:
            with open(args.json_out, "a") as file:
                file.write(json.dumps(row) + "\n")

    print(f"\n{args.model}, {len(targets)} held-out {args.dataset} test images, {args.steps} steps ({hardware})\n")
    print("| variant | PSNR (dB) | SSIM | perceptual distance | seconds |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for row in rows:
        print(f"| {row['variant']} | {row['psnr']} | {row['ssim']} | {row['perceptual_distance']} | {row['seconds']} |")


if __name__ == "__main__":
    main()
