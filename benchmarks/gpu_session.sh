#!/usr/bin/env bash
# The speed table on a lent GPU machine (JAX and PyTorch there, no TensorFlow), in one
# call that fits the lease: carry .whl (keras, namex, optree wheels for Python 3.12) and
# run `bash benchmarks/gpu_session.sh` from the repository root. Rows are written to
# $OUT/speed.jsonl as each finishes, so a run cut short keeps what it measured.
set -uo pipefail
OUT=${OUT:-/tmp/gpu_out}
mkdir -p "$OUT"
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl || exit 1
export PYTHONPATH=/tmp/site:$PWD PYTHONUNBUFFERED=1 KERAS_BACKEND=jax
nvidia-smi --query-gpu=name,memory.total,clocks.sm,utilization.gpu --format=csv
python3 -c "import keras, jax, torch; print('keras', keras.__version__, 'jax', jax.__version__, jax.devices(), 'torch', torch.__version__)"
budget=${BUDGET_S:-500}
timeout "$budget" python3 benchmarks/speed.py --steps 30 --repeats 2 --row-timeout 110 --json-out "$OUT/speed.jsonl" \
  --rows jax_device kerasgan_jax jax_device_bf16 kerasgan_jax_bf16 kerasgan_jax_uint8 kerasgan_jax_bf16_uint8 \
         torch_eager kerasgan_torch jax_loop jax_loop_bf16 \
         family_stylegan_32 family_stylegan_64 family_pix2pix_64 family_pix2pix_256 family_cyclegan_64 family_cyclegan_256 \
  2>&1 | tee "$OUT/speed.log"
# The table, rebuilt from the rows that finished (also when the timeout cut the run short).
python3 - "$OUT/speed.jsonl" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    print(f"{r['row']:26s} b{r['batch_size']:<4d} {r['image_shape'][0]:>3d}px {r['images_per_second']:>10,.0f} img/s {r['ms_per_step']:8.2f} ms/step {r['cpu_ms_per_step']:8.2f} host ms/step")
PY
# Does a kerasgan torch step still wait for the GPU? torch raises on any synchronising
# call in "error" mode (kerasgan.backend.seed_generator keeps Keras's RNG state on the host).
KERAS_BACKEND=torch timeout 120 python3 - <<'PY' 2>&1 | tail -5 | tee -a "$OUT/speed.log"
import numpy as np, torch, kerasgan
gan = kerasgan.presets.dcgan(image_shape=(32, 32, 3), seed=0)
images = np.random.uniform(-1, 1, (256, 32, 32, 3)).astype("float32")
gan.fit(images, batch_size=64, epochs=1, verbose=0)
gan.make_train_function()
batch = (torch.as_tensor(images[:64], device="cuda"),)
torch.cuda.synchronize()
torch.cuda.set_sync_debug_mode("error")  # the step alone: fit's log reads would sync by design
try:
    gan.train_function(iter([batch]))
    print("torch step: no host sync")
except RuntimeError as error:
    print("torch step synchronises:", str(error).splitlines()[0])
PY
