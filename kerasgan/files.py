"""Atomic file writes: a file on disk is either complete or absent, never half-written.

Every file is written to a temporary name in the same folder and then renamed.
`cache_dir()` is where kerasgan keeps what it converts once (weights, datasets).
`RestrictedUnpickler` reads the pickles inside fetched packages without running their
code.
"""

import os
import pickle
import re
import shutil
import tempfile

# The names atomic_write's temporary files get: mkstemp's 8 random characters after the prefix.
_TEMPORARY_NAME = re.compile(r"\.tmp-[a-z0-9_]{8}(\.[^.]*)?")


def _file_mode():
    # mkstemp makes files private; written files get a normal file's permissions.
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


_FILE_MODE = _file_mode()


# The package's own data: the shipped generators with their manifests, and the domain
# classifiers the metrics use.
SAVED_MODELS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "saved_models")


def cache_dir():
    """Where kerasgan keeps converted weights, statistics and datasets: `$KERASGAN_HOME`
    or `~/.keras/kerasgan`."""
    return os.environ.get("KERASGAN_HOME") or os.path.join(os.path.expanduser("~"), ".keras", "kerasgan")


def atomic_write(path, write):
    """Calls `write(temporary_path)`, then renames the result to `path`."""
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    suffix = os.path.splitext(path)[1]
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=".tmp-", suffix=suffix)
    os.close(handle)
    try:
        write(temporary)
        os.chmod(temporary, _FILE_MODE)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.remove(temporary)
        raise


def atomic_write_folder(path, write, marker):
    """Calls `write(temporary_path)`, which makes a folder there (a SavedModel), then puts
    it at `path`. An earlier folder there is replaced only when it is empty or holds the
    file `marker` (an earlier export); anything else is refused before writing, and the
    earlier folder is kept when `write` or the rename fails."""
    path = os.fspath(os.path.abspath(path))
    if os.path.exists(path) and not (os.path.isdir(path) and (not os.listdir(path) or os.path.exists(os.path.join(path, marker)))):
        raise FileExistsError(
            f"Expected a new folder or an earlier export (holding {marker}) at {path!r}. Received: "
            f"{'a folder holding other files' if os.path.isdir(path) else 'a file'}, which an export would "
            "replace. Choose another path or remove it."
        )
    directory = os.path.dirname(path)
    os.makedirs(directory, exist_ok=True)
    scratch = tempfile.mkdtemp(dir=directory, prefix=".tmp-")
    try:
        write(os.path.join(scratch, "new"))
        earlier = os.path.join(scratch, "earlier")
        if os.path.isdir(path):
            os.replace(path, earlier)
        try:
            os.replace(os.path.join(scratch, "new"), path)
        except BaseException:
            if os.path.isdir(earlier):
                os.replace(earlier, path)
            raise
    finally:
        shutil.rmtree(scratch)


def remove_temporary_files(directory):
    """Removes the temporary files (and folders) `atomic_write` left in `directory` when its process
    was killed mid-write (SIGKILL, power loss), which no `except` can clean up. Call it
    only when nothing writes there, such as the start of a run in its own folder."""
    try:
        names = os.listdir(directory)
    except FileNotFoundError:
        return
    for name in names:
        if _TEMPORARY_NAME.fullmatch(name):
            path = os.path.join(directory, name)
            try:
                shutil.rmtree(path) if os.path.isdir(path) else os.remove(path)
            except FileNotFoundError:
                pass


def write_text(path, text):
    def write(temporary):
        with open(temporary, "w") as file:
            file.write(text)

    atomic_write(path, write)


class RestrictedUnpickler(pickle.Unpickler):
    """An unpickler that imports nothing the pickle names: every global it names is
    looked up in `table`, so no code from the file runs.

    Args:
        file: a binary file object holding the pickle.
        table: dict `{(module, name): object}`, every other global refused with a
            `pickle.UnpicklingError`; or a callable `(module, name) -> object` that
            stands in for every global.
        expected: str or None. What the pickle may hold, for the error (None: the
            table's globals). Defaults to None.
        persistent_load: callable or None. Resolves the pickle's persistent ids (see
            `pickle.Unpickler.persistent_load`). Defaults to None.
    """

    def __init__(self, file, table, expected=None, persistent_load=None):
        super().__init__(file)
        self._table = table
        self._expected = expected
        if persistent_load is not None:
            self.persistent_load = persistent_load

    def find_class(self, module, name):
        if callable(self._table):
            return self._table(module, name)
        if (module, name) not in self._table:
            expected = self._expected or "only " + ", ".join(".".join(known) for known in self._table)
            raise pickle.UnpicklingError(f"Expected {expected} in the pickle. Received: {module}.{name}")
        return self._table[(module, name)]
