"""Quiet start-up: TensorFlow's C++ log lines only where the user asks for them.

TensorFlow 2.21 prints notes through absl while it is imported, before any log level
applies (oneDNN, "Could not find cuda drivers", CPU instructions), and C++ errors
that are noise to a user (the CUDA probe's "failed call to cuInit" on a machine
without a GPU, grappler's "remapper failed" on RGB convolutions). kerasgan therefore:

- sets `TF_CPP_MIN_LOG_LEVEL=3` when it is imported, unless the user has set it;
- imports TensorFlow (and Keras, which may import it) with the process's stderr muted,
  unless `TF_CPP_MIN_LOG_LEVEL` is "0": every line muted there is an INFO line that the
  level already says to hide. Errors still raise; set `TF_CPP_MIN_LOG_LEVEL=0` (or
  `kerasgan ... --verbose`) to see everything.

A leaf module: it imports nothing of kerasgan.
"""

import contextlib
import importlib
import os
import sys

LEVEL = "TF_CPP_MIN_LOG_LEVEL"


def set_default_level():
    """Hides TensorFlow's C++ INFO, WARNING and ERROR lines unless the user chose a
    level. Applies only where TensorFlow is not imported yet (it reads the level once)."""
    os.environ.setdefault(LEVEL, "3")


@contextlib.contextmanager
def muted_stderr():
    """Sends file descriptor 2 to /dev/null: C++ code writes there, past `sys.stderr`."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # no stderr to mute (a closed or captured stream)
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def import_quietly(name):
    """`importlib.import_module(name)`, with TensorFlow's start-up notes muted unless
    `TF_CPP_MIN_LOG_LEVEL` is "0" (or the module is already imported)."""
    if name in sys.modules:
        return sys.modules[name]
    set_default_level()
    if os.environ[LEVEL] == "0":
        return importlib.import_module(name)
    with muted_stderr():
        return importlib.import_module(name)
