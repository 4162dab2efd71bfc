"""One platform per data dir: `hph up` and `hph serve` hold an advisory lock on `<data dir>/hph.lock`.

Two platforms on one store would each run the outbox relay and the sweepers over the same
containers (events published twice, orders cancelled twice), and the rate-limit table of their
workers is one per data dir. The lock is `flock` on a file holding the holder's pid, so a second
`hph up` names the process to stop; the kernel releases it when the holder exits, however it exits,
so a crash leaves no stale lock. The workers a platform starts itself (`hph up --workers N`, the agents'
process, and the gateway process with `HPH_GATEWAY_COHOSTED=false`) share the data dir by design and take no lock: they
run only as its children and die with it. Services meant to share one store run in one platform
(`hph serve --services a,b`); separate platforms need separate data dirs.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path

LOCK_FILE = "hph.lock"


class DataDirInUse(OSError):
    """Another platform holds the data dir's lock."""


class DataDirLock:
    """The held lock; `release` (or the process's exit) frees it."""

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self._fd: int | None = fd

    @classmethod
    def acquire(cls, data_dir: Path) -> DataDirLock:
        """Takes the lock without waiting; DataDirInUse naming the holder's pid if another has it."""
        data_dir.mkdir(parents=True, exist_ok=True)
        path = data_dir / LOCK_FILE
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(fd)
            os.close(fd)
            raise DataDirInUse(
                f"the data dir {data_dir} is in use by another hph (pid {holder}); stop it, or give this one "
                "another --data-dir (HPH_DATA_DIR)"
            ) from None
        except BaseException:
            os.close(fd)
            raise
        # The file is kept between runs (unlinking it would let a newcomer lock a fresh inode while
        # another waits on the old one); only its content, the holder's pid, is rewritten.
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        return cls(path, fd)

    def release(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, 0)
            os.close(self._fd)  # closing the last descriptor drops the flock
            self._fd = None


def _holder(fd: int) -> str:
    """The pid the holder wrote, or a placeholder in the instant before it wrote it."""
    text = os.pread(fd, 32, 0).decode(errors="replace").strip()
    return text if text.isdigit() else "unknown"
