"""The one way Tagline replaces a file: write beside it, fsync, rename, fsync the folder.

A reader of the target sees the old file or the new one, never half of either; a
kill mid-write leaves the old file and at most a temp file beside it. Only regular
files are replaced by rename: a FIFO or a device named as the target (`-o fifo`,
`-o /dev/stdout`) is written to directly, as a shell redirection would, so the node
itself survives. New files get the mode the user's umask gives (0666 & ~umask), and
a replaced file keeps its own mode.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any, TypeVar

T = TypeVar("T")


def current_umask() -> int:
    # os.umask can only be read by setting it; set it straight back.
    mask = os.umask(0o077)
    os.umask(mask)
    return mask


def fsync_dir(folder: Path) -> None:
    """Make a rename in `folder` durable (a no-op where folders cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _open_mode(binary: bool) -> dict[str, Any]:
    return {"mode": "wb"} if binary else {"mode": "w", "encoding": "utf-8", "newline": "\n"}


def atomic_write(
    path: Path | str,
    writer: Callable[[IO[Any]], T],
    *,
    binary: bool = False,
    mode: int | None = None,
) -> T:
    """Call `writer(stream)` to produce the new content of `path`, then swap it in.

    `mode` forces permissions (the store's private 0600 files); otherwise a new file
    gets 0666 & ~umask and an existing one keeps its mode. Returns what `writer` returns.
    """
    path = Path(path).expanduser()
    # Follow a symlink to the file it names: replace the target, keep the link.
    with contextlib.suppress(OSError):
        if path.is_symlink():
            path = Path(os.path.realpath(path))
    try:
        st = os.stat(path)
    except FileNotFoundError:
        st = None
    if st is not None and not stat.S_ISREG(st.st_mode):
        if stat.S_ISDIR(st.st_mode):
            raise IsADirectoryError(21, "is a folder, not a file", str(path))
        if stat.S_ISFIFO(st.st_mode) or stat.S_ISCHR(st.st_mode):
            with open(path, **_open_mode(binary)) as fh:
                return writer(fh)
        raise OSError(22, "not a regular file; refusing to replace it", str(path))

    folder = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        if mode is not None:
            wanted = mode
        elif st is not None:
            wanted = stat.S_IMODE(st.st_mode)
        else:
            wanted = 0o666 & ~current_umask()
        os.fchmod(fd, wanted)
        with os.fdopen(fd, **_open_mode(binary)) as fh:
            result = writer(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    fsync_dir(folder)
    return result


def atomic_write_bytes(path: Path | str, data: bytes, mode: int | None = None) -> None:
    atomic_write(path, lambda fh: fh.write(data), binary=True, mode=mode)


def ensure_private_dir(path: Path) -> None:
    """Create `path` (and parents) with mode 0700 if missing; coding can be confidential."""
    if not path.exists():
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
