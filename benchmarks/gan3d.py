"""The 3D-GAN results of docs/gan3d.md: train the gan3d preset on furniture on a CPU budget, score it.

Protocol: the `gan3d` preset (seed `--seed`, 0) trains on the train split of the Sweet
Home 3D furniture at 32^3 (all 845 shapes, or those of `--category`, repeatable),
optionally mirrored left to right at random (`--mirror`), batch `--batch-size` (16),
for `--epochs` epochs (150); preset options not given keep the preset's defaults. It
reports shapes per second over the whole fit (compilation included), `d_accuracy` and
`d_skipped` (the adaptive discriminator update) at 10 evenly spaced epochs and
`d_skipped` over the fit, and scores `--num-samples` generated shapes (seed 1;
default: as many as the reference set) with coverage (COV), minimum matching distance
(MMD, 1 - IoU) and 1-nearest-neighbour accuracy (1-NNA, on equal-sized sets: the first
min(samples, reference) of each) from `kerasgan.metrics`, voxels above 0.5 being solid.

The reference set: the test split holds only 67 shapes (3 chairs), too few to score one
category, so by default (`--reference train`) the reference is the training shapes
themselves. The numbers then measure fidelity to and coverage of the training
distribution, not generalisation to unseen shapes. `--reference test` scores against
the held-out shapes of the same categories instead (meaningful for all categories).

So that the numbers mean something, the same metrics are reported for baselines at the
same set sizes:

- `baseline_training_set`: the training shapes themselves (up to `--num-samples`)
  against the reference. With the training reference this is the exact score of a
  generator that memorises: COV 1, MMD 0, 1-NNA 0 (below the ideal 0.5: copies).
- `baseline_resampled`: `--num-samples` training shapes drawn at random with
  replacement, what a generator that reproduces the training distribution exactly
  (i.i.d. draws of its shapes) scores: COV about 0.63 for as many draws as shapes, since
  some are drawn twice and others never. Novel shapes can beat it on COV, not on MMD.
- `baseline_untrained`: the same preset and seed before training (the floor).

Grids of 16 rendered samples (seed 0) go to `--out`, with one of 16 training shapes, and
a JSON row per variant to `--results`. Variants: every combination of the values given
to `--base-filters`, `--g-learning-rate`, `--d-learning-rate` and `--threshold`.

    # The README's numbers (about 5 minutes on a 2-core CPU):
    python benchmarks/gan3d.py --category chair --category table --category sofa --category bed --mirror
    # The paper's discriminator learning rate, on the same budget:
    python benchmarks/gan3d.py --category chair --category table --category sofa --category bed --mirror --d-learning-rate 1e-5
    python benchmarks/gan3d.py --category chair --epochs 300 --base-filters 16 32 --threshold 0.8 none
"""

import argparse
import inspect
import itertools
import json
import os
import platform
import time

import keras
import numpy as np

import kerasgan
from kerasgan.callbacks import save_image_grid
from kerasgan.render import render_voxels


def hardware():
    return f"{platform.processor() or platform.machine()} CPU x{os.cpu_count()}, {keras.backend.backend()}"


def scores(generated, reference):
    """COV, MMD and 1-NNA of `generated` against `reference` (1-NNA on equal-sized sets)."""
    results = kerasgan.metrics.coverage_and_mmd(generated, reference)
    size = min(len(generated), len(reference))
    results["one_nna"] = kerasgan.metrics.one_nearest_neighbour_accuracy(generated[:size], reference[:size])
    return {key: round(value, 4) for key, value in results.items()}


def curve(values, points=10):
    """`values` (one per epoch) at up to `points` evenly spaced epochs, the last included."""
    if not len(values):
        return []
    epochs = np.unique(np.linspace(0, len(values) - 1, min(points, len(values))).round().astype(int))
    return [round(float(values[epoch]), 3) for epoch in epochs]


def threshold_value(text):
    return None if text.lower() == "none" else float(text)


def save_grid(voxels, path, title):
    save_image_grid(render_voxels(voxels), path, title=title)


def run(args, training, reference, variant):
    # Options not given keep the preset's defaults.
    defaults = {name: option.default for name, option in inspect.signature(kerasgan.presets.gan3d).parameters.items()}
    names = ("base_filters", "g_learning_rate", "d_learning_rate", "d_accuracy_threshold")
    base_filters, g_learning_rate, d_learning_rate, threshold = (
        defaults[name] if value == "default" else value for name, value in zip(names, variant)
    )
    gan = kerasgan.presets.gan3d(
        voxel_shape=training.shape[1:],
        base_filters=base_filters,
        g_learning_rate=g_learning_rate,
        d_learning_rate=d_learning_rate,
        d_accuracy_threshold=threshold,
        seed=args.seed,
    )
    num_samples = args.num_samples or len(reference)
    untrained = gan.generate(num_samples, seed=1)
    dataset = kerasgan.datasets.from_voxel_arrays(training, batch_size=args.batch_size, mirror=args.mirror, seed=args.seed)
    steps = args.epochs * (len(training) // args.batch_size)
    start = time.perf_counter()
    history = gan.fit(dataset, epochs=args.epochs, verbose=args.verbose)
    seconds = time.perf_counter() - start
    samples = gan.generate(num_samples, seed=1)
    categories = "+".join(args.category) if args.category else "all"
    name = (
        f"gan3d_{categories}{'_mirror' if args.mirror else ''}_b{args.batch_size}_f{base_filters}"
        f"_g{g_learning_rate:g}_d{d_learning_rate:g}_t{threshold}_{args.epochs}ep_s{args.seed}"
    )
    save_grid(gan.generate(16, seed=0), os.path.join(args.out, f"{name}.png"), f"{categories}, {args.epochs} epochs, {seconds / 60:.1f} min")
    logs = history.history
    row = {
        "variant": name,
        "categories": args.category or "all",
        "mirror": args.mirror,
        "training_shapes": len(training),
        "reference": args.reference,
        "reference_shapes": len(reference),
        "num_samples": num_samples,
        "epochs": args.epochs,
        "steps": steps,
        "batch_size": args.batch_size,
        "base_filters": base_filters,
        "g_learning_rate": g_learning_rate,
        "d_learning_rate": d_learning_rate,
        "d_accuracy_threshold": threshold,
        "seconds": round(seconds, 1),
        "shapes_per_second": round(steps * args.batch_size / seconds, 1),
        "final_logs": {key: round(float(values[-1]), 4) for key, values in logs.items()},
        # The adaptive update at (up to) 10 evenly spaced epochs, and over the whole fit.
        "d_accuracy_curve": curve(logs["d_accuracy"]),
        "d_skipped_curve": curve(logs.get("d_skipped", [])),
        "d_skipped_mean": round(float(np.mean(logs["d_skipped"])), 3) if "d_skipped" in logs else None,
        "sample_occupancy": round(float((samples > 0.5).mean()), 4),
        "reference_occupancy": round(float((reference > 0.5).mean()), 4),
        **scores(samples, reference),
        "baseline_untrained": scores(untrained, reference),
        "seed": args.seed,
        "hardware": hardware(),
        "load_average": round(os.getloadavg()[0], 2),
    }
    rng = np.random.default_rng(args.seed)
    row["baseline_training_set"] = scores(training[:num_samples], reference)
    row["baseline_resampled"] = scores(training[rng.integers(0, len(training), num_samples)], reference)
    print(json.dumps(row), flush=True)
    with open(args.results, "a") as file:
        file.write(json.dumps(row) + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--category", action="append", default=None, help="furniture category (repeatable); default: all")
    parser.add_argument("--epochs", type=int, default=150)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--mirror", action="store_true", help="mirror training shapes left to right at random")
    # Preset options: the preset's default unless given.
    parser.add_argument("--base-filters", nargs="+", type=int, default=["default"])
    parser.add_argument("--g-learning-rate", nargs="+", type=float, default=["default"])
    parser.add_argument("--d-learning-rate", nargs="+", type=float, default=["default"])
    parser.add_argument("--threshold", nargs="+", type=threshold_value, default=["default"], help="d_accuracy_threshold; 'none': always update D")
    parser.add_argument("--reference", default="train", choices=["train", "test"])
    parser.add_argument("--num-samples", type=int, default=None, help="default: as many as reference shapes")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--verbose", type=int, default=2)
    parser.add_argument("--out", default="runs/gan3d")
    parser.add_argument("--results", default="docs/results/gan3d_cpu.jsonl")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    training, _ = kerasgan.datasets.voxel_arrays("furniture", categories=args.category, split="train")
    training = training.astype("float32")
    if args.reference == "train":
        reference = training
    else:
        reference = kerasgan.datasets.voxel_arrays("furniture", categories=args.category, split="test")[0].astype("float32")
        if len(reference) == 0:
            parser.error(f"the test split holds no shapes of {args.category}: use --reference train")
    categories = "+".join(args.category) if args.category else "all"
    save_grid(training[np.random.default_rng(0).choice(len(training), min(16, len(training)), replace=False)],
              os.path.join(args.out, f"real_{categories}.png"), f"real: {categories}")
    variants = itertools.product(args.base_filters, args.g_learning_rate, args.d_learning_rate, args.threshold)
    for variant in variants:
        run(args, training, reference, variant)


if __name__ == "__main__":
    main()
