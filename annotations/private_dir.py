"""Private folders for caches: created 0700, refused when someone else could write them.

A cache folder another local user can write (or owns) lets them plant files that the
next run reads. Nothing we cache can run code (JSON and the search engine's own
format), but a planted index could still hide or invent passages, so such a folder is
not used: `private_dir` answers with a fresh private temporary folder instead and a
message saying why.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path


def problem(path: Path) -> str:
    """Why `path` (an existing folder) is not private to us, or "" if it is."""
    try:
        st = os.lstat(path)
    except OSError as exc:
        return f"cannot be checked ({exc.strerror})"
    if stat.S_ISLNK(st.st_mode):
        return "is a symbolic link"
    if not stat.S_ISDIR(st.st_mode):
        return "is not a folder"
    if hasattr(os, "geteuid") and st.st_uid != os.geteuid():
        return "is owned by another user"
    if st.st_mode & 0o022:
        return "is writable by other users"
    return ""


def ensure(path: Path) -> str:
    """Create `path` and missing parents 0700; "" if it is usable, else the reason not."""
    missing = []
    p = path
    while not p.exists() and p != p.parent:
        missing.append(p)
        p = p.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=0o700)
        except FileExistsError:
            pass
        except OSError as exc:
            return f"cannot be created ({exc.strerror})"
    # The folder itself and its parent up to the first one we did not create here
    # (the user's cache root, e.g. ~/.cache/tagline).
    for folder in (path, path.parent):
        why = problem(folder)
        if why:
            return f"{folder} {why}"
    return ""


def private_dir(path: Path | str) -> tuple[Path, str]:
    """`path` made private, or a fresh private temporary folder and the reason why not."""
    path = Path(path)
    why = ensure(path)
    if not why:
        return path, ""
    fallback = Path(tempfile.mkdtemp(prefix="tagline-cache-"))  # 0700 by construction
    return fallback, f"cache folder {why}; using a private temporary cache instead"
