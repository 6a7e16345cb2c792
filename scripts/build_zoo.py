"""Builds the pretrained zoo: trains each entry with `kerasgan train`, then ships its
generators to kerasgan/saved_models/ with a manifest of what was measured.

    python scripts/build_zoo.py dcgan_mnist --train      # trains runs/zoo/dcgan_mnist, then ships it
    python scripts/build_zoo.py dcgan_mnist              # ships an existing run
    python scripts/build_zoo.py --all                    # ships every entry whose run exists
    python scripts/build_zoo.py --table                  # docs/pretrained.md's table, from the manifests
    python scripts/build_zoo.py dcgan_mnist --train --compare   # retrains and scores it beside the manifest, ships nothing

Shipping loads the run's `model.keras`, writes its generators' weights
(`kerasgan.pretrained.save_weights`), loads them back the way users do
(`kerasgan.presets.from_preset`), scores those shipped weights (FID/KID with the
reference Inception network, and the check that tests/test_pretrained.py repeats), and
writes `<name>.json` and a sample grid in docs/images/pretrained/.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras

import kerasgan
from kerasgan import pretrained
from kerasgan.callbacks import sample_for_grid, save_image_grid

# Every family's pretrained models (RECIPES in kerasgan/families/<family>/presets.py).
ZOO = kerasgan.presets.RECIPES
RUNS_DIR = os.path.join("runs", "zoo")
COMPARE_DIR = os.path.join("runs", "zoo_compare")  # retrains to compare: the shipped runs stay
GRIDS_DIR = os.path.join("docs", "images", "pretrained")


def train_command(name, runs_dir=RUNS_DIR):
    entry = ZOO[name]
    return ["kerasgan", "train", entry.preset, "--dataset", entry.dataset, *entry.train_options, "--seed", "0", "--out", os.path.join(runs_dir, name), "--overwrite"]


def full_scores(model, entry):
    """Every score of the shipped weights under the CPU protocol of docs/pretrained.md."""
    from kerasgan import datasets, metrics

    if entry.check["metric"] == "cfd":
        real = datasets.load(entry.dataset, split="test", batch_size=50, shuffle=False, drop_remainder=False, cache=False)
        scores = metrics.evaluate(real, model, metrics=["fid", "kid", "pr", "cfd", "is"], num_samples=2000, domain=entry.dataset, seed=0)
        labels = "; classes in turn" if getattr(model, "num_classes", None) else ""
        return {"protocol": f"2,000 generated images (latent seed 0{labels}) against the first 2,000 test images", **scores}
    kind = kerasgan.presets.PRESETS[entry.preset].data
    if kind == "pairs":
        inputs, targets = pretrained.held_out(entry.dataset, "pairs", model)
        scores = metrics.evaluate_translation(model.translate, (inputs, targets), metrics=["l1", "psnr", "ssim"], verbose=False)
        scores["fid"] = metrics.frechet_inception_distance(targets, model.translate(inputs), verbose=False)
        return {"protocol": f"the {len(inputs)} held-out test pairs", **scores}
    if kind == "domains":
        inputs_a, inputs_b = pretrained.held_out(entry.dataset, "domains", model)
        scores = {
            "a_to_b_fid": metrics.frechet_inception_distance(inputs_b, model.translate(inputs_a, "a_to_b"), verbose=False),
            "b_to_a_fid": metrics.frechet_inception_distance(inputs_a, model.translate(inputs_b, "b_to_a"), verbose=False),
            "identity_fid": metrics.frechet_inception_distance(inputs_b, inputs_a, verbose=False),
        }
        return {"protocol": f"translations of the held-out test images ({len(inputs_a)} a, {len(inputs_b)} b) against the other domain's", **scores}
    if kind == "images":
        real = pretrained.reference_images(entry.dataset, model)
        count = min(2000, len(real))
        scores = metrics.evaluate(real, model, metrics=["fid", "kid", "pr"], num_samples=count, seed=0)
        return {"protocol": f"{count} generated images (latent seed 0) against the first {count} training images", **scores}
    if kind != "voxels":
        raise ValueError(f"Expected a recipe whose check scores its data kind. Received: preset {entry.preset!r}, data {kind!r}, check {entry.check}")
    reference = pretrained.reference_voxels(entry.dataset, entry.check.get("categories"))
    generated = model.generate(len(reference), seed=0)
    scores = metrics.coverage_and_mmd(generated, reference)
    scores["one_nna"] = metrics.one_nearest_neighbour_accuracy(generated, reference)
    return {"protocol": f"{len(generated)} generated shapes (latent seed 0) against the {len(reference)} training shapes", **scores}


def _build_options(entry):
    return {k: tuple(v) if isinstance(v, list) else v for k, v in entry.build.items()}


def _as_shipped(entry, trained, weights_path):
    """The preset built as users build it, with `trained`'s generators written to
    `weights_path` and loaded back (which checks they fit it)."""
    model = kerasgan.presets.get(entry.preset, **_build_options(entry))
    pretrained.save_weights(trained, weights_path)
    pretrained.load_weights(model, weights_path)
    return model


def compare(name):
    """Scores a fresh run of `name` (in runs/zoo_compare/) as shipping would, beside its manifest's scores,
    and appends both to docs/results/zoo_remeasure.jsonl; ships nothing."""
    entry = ZOO[name]
    run_dir = os.path.join(COMPARE_DIR, name)
    with tempfile.TemporaryDirectory() as folder:
        model = _as_shipped(entry, keras.models.load_model(os.path.join(run_dir, "model.keras")), os.path.join(folder, "weights.npz"))
        scores = full_scores(model, entry)
    with open(os.path.join(run_dir, "run.json")) as file:
        run = json.load(file)
    shipped = pretrained.manifests()[name]
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    row = {
        "name": name, "commit": commit, "backend": run["backend"], "seconds": run["seconds"],
        "scores": {key: round(float(value), 4) if isinstance(value, float) else value for key, value in scores.items()},
        "shipped_scores": shipped["scores"], "shipped_seconds": shipped["training"]["seconds"],
    }
    os.makedirs(os.path.join("docs", "results"), exist_ok=True)
    with open(os.path.join("docs", "results", "zoo_remeasure.jsonl"), "a") as file:
        file.write(json.dumps(row) + "\n")
    for key in ("fid", "kid", "cfd", "precision", "recall"):
        if key in scores:
            print(f"{name} {key}: shipped {shipped['scores'].get(key)}, now {row['scores'][key]}")


def ship(name):
    entry = ZOO[name]
    run_dir = os.path.join(RUNS_DIR, name)
    run_path = os.path.join(run_dir, "model.keras")
    trained = keras.models.load_model(run_path)
    epochs = kerasgan.callbacks.Checkpoint.epochs_done(run_path)
    optimizer = getattr(trained, trained.optimizer_names()[-1])
    weights_file = f"{name}.npz"
    os.makedirs(pretrained.SAVED_MODELS_DIR, exist_ok=True)
    model = _as_shipped(entry, trained, os.path.join(pretrained.SAVED_MODELS_DIR, weights_file))

    started = time.perf_counter()
    check = {
        **entry.check,
        "value": pretrained.measure(model, entry.dataset, entry.check),
        # What the same check gives the untrained preset: the tolerance must be far tighter.
        "untrained_value": pretrained.measure(kerasgan.presets.get(entry.preset, seed=0, **_build_options(entry)), entry.dataset, entry.check),
    }
    scores = full_scores(model, entry)
    print(f"{name}: check {check['metric']} = {check['value']:.4f}; {json.dumps(scores, default=float)[:300]}")
    with open(os.path.join(run_dir, "training_curves.json")) as file:
        curves = json.load(file)["curves"]
    with open(os.path.join(run_dir, "run.json")) as file:
        run = json.load(file)
    manifest = {
        "name": name,
        "preset": entry.preset,
        "description": f"Pretrained {entry.preset} on {entry.data}",
        "build": entry.build,
        "weights": weights_file,
        "data": {"dataset": entry.dataset, "split": "train", "description": entry.data},
        "training": {
            "epochs": epochs,
            "steps": int(optimizer.iterations.numpy()),
            "seed": 0,
            "batch_size": kerasgan.presets.PRESETS[entry.preset].batch_size,
            "backend": run["backend"],
            "hardware": run["hardware"],
            "seconds": run["seconds"],
            "final_logs": {key: round(values[-1], 4) for key, values in curves.items() if key != "step" and values},
        },
        "scores": {key: round(float(value), 4) if isinstance(value, float) else value for key, value in scores.items()},
        "check": check,
        "commands": [
            " ".join(train_command(name)),
            f"python scripts/build_zoo.py {name}",
        ],
        "kerasgan_version": kerasgan.__version__,
        "keras_version": keras.__version__,
    }
    pretrained.save_manifest(manifest)
    kind = kerasgan.presets.PRESETS[entry.preset].data
    examples = pretrained.held_out(entry.dataset, kind, model) if kind in ("pairs", "domains") else None
    images, rows = sample_for_grid(model, 16 if kind == "voxels" else 64, seed=0, examples=examples and tuple(part[:8] for part in examples))
    save_image_grid(images, os.path.join(GRIDS_DIR, f"{name}.png"), rows=rows)
    print(f"Shipped {name} in {time.perf_counter() - started:.0f} s: {os.path.getsize(os.path.join(pretrained.SAVED_MODELS_DIR, weights_file)) / 1e6:.2f} MB")


def _headline(scores):
    """The scores of one manifest as short "name value" pieces for docs/pretrained.md's table."""
    pieces = []
    for key, label, scale in [
        ("fid", "FID", 1), ("kid", "KID x1000", 1000), ("cfd", "classifier FD", 1), ("precision", "precision", 1),
        ("recall", "recall", 1), ("l1", "L1", 1), ("psnr", "PSNR", 1), ("ssim", "SSIM", 1), ("a_to_b_fid", "FID a->b", 1),
        ("b_to_a_fid", "FID b->a", 1), ("coverage", "coverage", 1), ("mmd", "MMD", 1), ("one_nna", "1-NNA", 1),
    ]:
        if key in scores:
            pieces.append(f"{label} {scores[key] * scale:.3g}")
    return ", ".join(pieces)


def table():
    """docs/pretrained.md's table of the shipped models, from their manifests."""
    rows = [
        "| model | trained on | steps, time | scores of the shipped weights | protocol | samples |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for name, manifest in kerasgan.presets.pretrained().items():
        training = manifest["training"]
        rows.append(
            f"| `{name}` | {manifest['data']['description']} | {training['steps']:,} ({training['epochs']} epochs), "
            f"{training['seconds'] / 60:.0f} min | {_headline(manifest['scores'])} | {manifest['scores']['protocol']} "
            f"| [grid](docs/images/pretrained/{name}.png) |"
        )
    return "\n".join(rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*", help=f"zoo entries: {', '.join(ZOO)}")
    parser.add_argument("--all", action="store_true", help="every entry whose run exists")
    parser.add_argument("--train", action="store_true", help="train the entries first (kerasgan train, TensorFlow backend)")
    parser.add_argument("--table", action="store_true", help="print the README's table of the shipped models")
    parser.add_argument("--compare", action="store_true", help="score the runs beside the shipped manifests, without shipping")
    args = parser.parse_args()
    if args.table:
        print(table())
        return
    names = [name for name in ZOO if os.path.exists(os.path.join(RUNS_DIR, name, "model.keras"))] if args.all else args.names
    unknown = [name for name in names if name not in ZOO]
    if unknown or not names:
        parser.error(f"expected zoo entries from {', '.join(ZOO)}. Received: {unknown or 'none'}")
    for name in names:
        if args.train:
            command = train_command(name, COMPARE_DIR if args.compare else RUNS_DIR)
            subprocess.run(command, check=True, env={**os.environ, "KERAS_BACKEND": "tensorflow"})
        (compare if args.compare else ship)(name)


if __name__ == "__main__":
    sys.exit(main())
