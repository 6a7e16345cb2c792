"""Export of a model's serving network for deployment, with Keras's own exporters:
a SavedModel (TensorFlow Serving, TF.js), ONNX (onnxruntime, TensorRT) or LiteRT
(TFLite, on phones).

Every export has a fixed signature: the network's input shapes with a free batch size,
so that a call with images of another size is refused by the runtime with the shape it
expects, not resized or broadcast.
"""

import os

import keras

from kerasgan.files import atomic_write, atomic_write_folder

FORMATS = ("tf_saved_model", "onnx", "litert")
# Where Keras 3.15 exports each format from these models (its SavedModel exporter fails
# on torch for them; its LiteRT exporter needs TensorFlow or the litert-torch package).
BACKENDS = {"tf_saved_model": ("tensorflow", "jax"), "onnx": ("tensorflow", "jax", "torch"), "litert": ("tensorflow",)}
# The file every SavedModel folder holds: an earlier export that a new one may replace.
SAVED_MODEL_MARKER = "saved_model.pb"
# The extra a format needs, for the error that names it.
PACKAGES = {"onnx": "pip install 'kerasgan[export]' (onnx, onnxruntime, tf2onnx, jax2onnx, onnxscript)", "litert": "pip install 'kerasgan[export]' (ai-edge-litert)"}


def check_format(format):
    """Refuses a format this backend cannot export, before anything is written."""
    if format not in FORMATS:
        raise ValueError(f"Expected format in {FORMATS}. Received: format={format!r}")
    backend = keras.backend.backend()
    if backend not in BACKENDS[format]:
        supported = " and ".join(BACKENDS[format])
        raise NotImplementedError(
            f"Export to {format!r} runs on the {supported} backend(s), not {backend}. Save the "
            "model with model.save('model.keras'), then export it with KERAS_BACKEND="
            f"{BACKENDS[format][0]}: keras.models.load_model('model.keras').export(path, format={format!r})."
        )


def input_signature(network):
    """The network's inputs as `keras.InputSpec`s with their names (a list of one list
    for several inputs, as Keras's exporters take them)."""
    specs = [keras.InputSpec(shape=tensor.shape, dtype=tensor.dtype, name=tensor.name) for tensor in network.inputs]
    return [specs] if len(specs) > 1 else specs


def _three_d_convolutions(network):
    return any(isinstance(layer, (keras.layers.Conv3D, keras.layers.Conv3DTranspose)) for layer in network._flatten_layers())


def export_network(network, filepath, format="tf_saved_model", verbose=True, **kwargs):
    """Exports a functional `network` in `format` (`FORMATS`) to `filepath`.

    A SavedModel serves it as the endpoint `serve`; ONNX and LiteRT write one file. The
    export is complete or absent (`kerasgan.files`), and an earlier one is kept when it fails.
    """
    check_format(format)
    if format == "onnx" and keras.backend.backend() == "jax" and _three_d_convolutions(network):
        # jax2onnx 0.17 has no 3-D convolution ("Unsupported conv layouts").
        raise NotImplementedError(
            "ONNX export of 3-D convolutions fails on the JAX backend (jax2onnx). Save the model "
            "with model.save('model.keras'), then export it with KERAS_BACKEND=tensorflow or torch."
        )
    filepath = os.fspath(filepath)
    if format == "litert" and not filepath.lower().endswith(".tflite"):
        raise ValueError(f"A LiteRT export is a .tflite file. Received: filepath={filepath!r}")
    def write(path):
        network.export(path, format=format, verbose=False, input_signature=input_signature(network), **kwargs)

    try:
        if format == "tf_saved_model":
            atomic_write_folder(filepath, write, SAVED_MODEL_MARKER)
        else:
            atomic_write(filepath, write)
    except ImportError as error:
        needed = PACKAGES.get(format, "pip install 'kerasgan[all]'")
        raise ImportError(f"Export to {format!r} needs packages that are not installed: {needed}. ({error})") from error
    if verbose:
        endpoints = " (endpoint 'serve')" if format == "tf_saved_model" else ""
        print(f"Saved {format} artifact at '{filepath}'{endpoints}.")
