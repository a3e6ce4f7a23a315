"""atomic_write: the umask is honoured, special files are written into, never replaced."""

from __future__ import annotations

import os
import stat
import threading

import pytest

from annotations.atomic import atomic_write, atomic_write_bytes


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_new_file_gets_the_umask_mode(tmp_path):
    old = os.umask(0o077)
    try:
        atomic_write(tmp_path / "private.txt", lambda fh: fh.write("x"))
    finally:
        os.umask(old)
    assert _mode(tmp_path / "private.txt") == 0o600
    old = os.umask(0o022)
    try:
        atomic_write(tmp_path / "shared.txt", lambda fh: fh.write("x"))
    finally:
        os.umask(old)
    assert _mode(tmp_path / "shared.txt") == 0o644


def test_replaced_file_keeps_its_mode_and_forced_mode_wins(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")
    os.chmod(target, 0o640)
    atomic_write(target, lambda fh: fh.write("new"))
    assert target.read_text() == "new" and _mode(target) == 0o640
    atomic_write_bytes(target, b"bytes", mode=0o600)
    assert target.read_bytes() == b"bytes" and _mode(target) == 0o600


def test_a_failing_writer_leaves_the_old_file_and_no_temp(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("good")

    def boom(fh):
        fh.write("half")
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError):
        atomic_write(target, boom)
    assert target.read_text() == "good"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_a_fifo_is_written_into_not_replaced(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    count = atomic_write(fifo, lambda fh: fh.write("through the pipe\n"))
    reader.join(5)
    assert count == len("through the pipe\n")
    assert got == [b"through the pipe\n"]
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_a_character_device_is_written_into_not_replaced():
    before = os.stat("/dev/null")
    atomic_write("/dev/null", lambda fh: fh.write("gone"))
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and after.st_ino == before.st_ino


def test_a_full_device_reports_the_error_and_survives():
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full on this system")
    before = os.stat("/dev/full")
    with pytest.raises(OSError):
        atomic_write("/dev/full", lambda fh: fh.write("x" * 100_000))
    assert os.stat("/dev/full").st_ino == before.st_ino


def test_a_symlink_keeps_pointing_at_the_replaced_target(tmp_path):
    real = tmp_path / "real.txt"
    real.write_text("old")
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    atomic_write(link, lambda fh: fh.write("new"))
    assert link.is_symlink() and real.read_text() == "new"


def test_a_folder_is_refused(tmp_path):
    with pytest.raises(IsADirectoryError):
        atomic_write(tmp_path, lambda fh: fh.write("x"))
