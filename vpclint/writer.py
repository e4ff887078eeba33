"""Atomic output files: a temporary file in the same folder, then a rename over the target.

* The temporary file is ``.NAME.vpclint-<pid>.tmp``; it is removed on any exit the process survives (errors,
  Ctrl-C, SIGTERM: see :func:`vpclint.cli.main`), and a later write of ``NAME`` removes those left by processes
  that no longer run (killed with SIGKILL, power loss).
* The file gets the user's umask (``0o666 & ~umask``), like any file a shell redirection creates.
* A path that is a symbolic link is refused (a link to ``/dev/null`` or to another file must not be written
  through silently); links in ``/dev`` and ``/proc`` (``/dev/stdout``, ``/dev/fd/1``) are the system's device names
  and are written in place, like any path that is not a regular file (``/dev/null``, a FIFO).
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

TEMP_MARK = ".vpclint-"
DEVICE_FOLDERS = ("/dev", "/proc")


def _alive(pid: int) -> bool:
    """True when a process ``pid`` exists (or might: anything but a clear "no such process")."""
    if os.name != "posix":
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def temp_path(path: Path) -> Path:
    """This process's temporary file for ``path``."""
    return path.with_name(f".{path.name}{TEMP_MARK}{os.getpid()}.tmp")


def remove_stale(path: Path) -> None:
    """Remove the temporary files of ``path`` left by processes that no longer run."""
    prefix, own = f".{path.name}{TEMP_MARK}", temp_path(path).name
    for candidate in path.parent.glob(f"{_glob_escape(prefix)}*.tmp"):
        pid = candidate.name[len(prefix):-len(".tmp")]
        if candidate.name != own and pid.isdigit() and not _alive(int(pid)):
            candidate.unlink(missing_ok=True)


def _glob_escape(text: str) -> str:
    return "".join(f"[{c}]" if c in "*?[" else c for c in text)


def _in_device_folder(path: Path) -> bool:
    folder = os.path.abspath(path.parent)
    return any(folder == d or folder.startswith(d + os.sep) for d in DEVICE_FOLDERS)


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically; see the module notes for links, devices and leftovers."""
    path = Path(path)
    if path.is_symlink() and not _in_device_folder(path):
        raise OSError(errno.ELOOP, f"is a symbolic link to {os.readlink(path)}; vpclint does not write through "
                                   "links (remove it, or name the file it points to)")
    if path.exists() and not path.is_file():
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
        return
    remove_stale(path)
    tmp = temp_path(path)
    tmp.unlink(missing_ok=True)  # left by an earlier process that had this pid
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # the umask applies
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
