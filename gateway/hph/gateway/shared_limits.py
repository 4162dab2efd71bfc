"""Rate limits shared by the worker processes of one `hph up`: token buckets in a memory-mapped file.

Why: `hph up --workers N` runs one REST gateway per worker process on one port (SO_REUSEPORT), and
the kernel spreads connections over the workers at random. A limiter per process (edge.RateLimiter)
would let a client spend N budgets. `SharedRateLimiter` keeps the same buckets, with the same
semantics, in one fixed-size file that every worker maps, so the limits hold machine-wide.

Layout (little-endian): a 16-byte header (magic, format version, slot count) then `slots` slots of
24 bytes: key hash (u64, 0 = empty), tokens (f64), last update (f64, the clock's seconds). The key
hash is an 8-byte blake2b of a dimension prefix and the key, with its lowest bit replaced by the
dimension, so an IP and a user never share a bucket and a slot tells which limit refills it.

Consistency: one `check` takes an exclusive `flock` on the file, reads the clock, looks up both
buckets and takes from both or neither, then unlocks; the clock is read under the lock, so the
stored update times never run ahead of another worker's reading (CLOCK_MONOTONIC is system-wide).
flock belongs to an open file description, so an instance inherited over fork() re-opens the file
in the child before its first check; threads of one process are serialised by a thread lock.
A check runs on the event loop thread, so it never blocks on either lock: it tries the flock
without blocking and retries for at most LOCK_WAIT (2 ms), and when the lock still cannot be had
it serves the request without reading or writing the table (see Approximations). Opening the file
(at start-up, and in a forked child's first check) still waits for the lock.

Approximations, all erring towards serving:
- Open addressing with a bounded probe (16 slots). A bucket refilled to full equals a fresh one, so
  its slot is free for any key; when all probed slots hold buckets still refilling, the one full
  soonest is replaced (that key starts over with a full bucket, like BucketTable's eviction), but
  never the other bucket of the same check. With more keys active within one refill period than
  the table holds, some get more than their limit; a key that finds no slot at all is served.
- Two keys with the same 63-bit hash share a bucket (negligible at 65,536 slots).
- A bucket whose update time lies ahead of the clock (a file left over from before a reboot) or
  whose values are not sane counts as fresh.
- A check that cannot take the lock within LOCK_WAIT is served unchecked (fail open), counted in
  `lock_timeouts` and reported by a warning at most once a minute: a worker stopped or starved while
  holding the lock (SIGSTOP, a CPU quota, a lock on a network filesystem) then costs the others
  their limits, not their event loops (gRPC included). After such a timeout a check tries the lock
  once without waiting, until one gets it again, so a lock held for long costs each request one
  syscall rather than 2 ms.

Cost: the file is 16 + 24 * slots bytes (1.5 MiB for 65,536 slots; put it on tmpfs, e.g. under
$XDG_RUNTIME_DIR, to keep page writeback away). A check is two flock syscalls, one or two blake2b
hashes and up to 2 x 16 slot reads: a few microseconds, during which another worker's check spins
for the lock (a non-blocking flock and a sched_yield per turn). A worker descheduled while holding
the lock delays the others' checks by up to LOCK_WAIT each, then they serve unchecked.

A file of the wrong size or header (another slot count, another format version) is replaced, not
rewritten in place: a new file is built beside it and renamed over the path, so a process still
mapping the old file keeps valid memory (it counts apart) instead of faulting on a truncated map.
A missing file is built beside the path and hard-linked to it (link() fails when a racing opener
was first, whose file is then the table). On a filesystem without hard links (vfat, exFAT, some
FUSE or SMB mounts) it is created at the path with O_EXCL and filled under its flock instead; an
opener validates a file under that lock, so none maps it half-built (see _create_in_place).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import logging
import math
import mmap
import os
import secrets
import struct
import threading
import time
import weakref
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

MAGIC = b"HPHRLIM\x00"
VERSION = 1
DEFAULT_SLOTS = 65536
PROBE = 16

HEADER = struct.Struct("<8sII")
SLOT = struct.Struct("<Qdd")

_IP, _USER = 0, 1
_PREFIXES = (b"ip\x00", b"user\x00")
_OPEN_ATTEMPTS = 100

# How long a check may wait for the table's lock before serving the request unchecked. The lock is
# held for a few microseconds per check, so even dozens of workers checking at once hand it over
# within tens or hundreds of microseconds; a wait of milliseconds means the holder is not running
# (preempted for a scheduler time slice or more, throttled by a CPU quota, stopped), which may last
# milliseconds or forever. 2 ms is far past plain contention and bounds what a stuck holder adds to
# a request on the event loop (REST and gRPC alike) to about the cost of a small REST call. Waiting
# is a spin, a non-blocking flock and a sched_yield per turn (about 2 us a turn), not a sleep: the
# lock changes hands within microseconds, which sleeps (50 us of timer slack at least) would mostly
# miss, failing open under plain contention; sched_yield lets a holder preempted on this CPU finish.
LOCK_WAIT = 0.002
# The least time between two warnings about checks served unchecked (each names how many there were).
WARN_INTERVAL = 60.0
# What link() fails with on filesystems without hard links: vfat and exFAT say EPERM, FUSE and SMB
# mounts ENOSYS, EOPNOTSUPP (= ENOTSUP on Linux) or EPERM; EMLINK is a link count already at its limit.
_NO_HARD_LINKS = frozenset({errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.ENOSYS, errno.EMLINK})

log = logging.getLogger("hph.gateway.limits")


class _Dimension:
    """One limit (per IP or per user): its bucket parameters and key hashing."""

    __slots__ = ("capacity", "enabled", "prefix", "rate", "tag")

    def __init__(self, tag: int, per_minute: int) -> None:
        self.tag = tag
        self.prefix = _PREFIXES[tag]
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self.enabled = per_minute > 0

    def key(self, key: str) -> int:
        # surrogatepass: a JWT `sub` may decode to lone surrogates, which must not crash a check.
        digest = hashlib.blake2b(self.prefix + key.encode("utf-8", "surrogatepass"), digest_size=8).digest()
        hashed = (int.from_bytes(digest, "little") & ~1) | self.tag
        return hashed or 2  # 0 marks an empty slot


class SharedRateLimiter:
    """Per client IP and per user token buckets shared by every process that opens the same file.

    `lock_timeouts` counts the checks served unchecked because the lock could not be had in time.
    """

    def __init__(
        self,
        path: Path,
        *,
        per_ip_per_minute: int,
        per_user_per_minute: int,
        clock: Callable[[], float],
        slots: int = DEFAULT_SLOTS,
    ) -> None:
        if slots < 1:
            raise ValueError(f"a shared rate limit table needs at least one slot, not {slots}")
        self.path = path
        self.slots = slots
        self._clock = clock
        self._dimensions = (_Dimension(_IP, per_ip_per_minute), _Dimension(_USER, per_user_per_minute))
        self._ips, self._users = self._dimensions
        self._probe = min(PROBE, slots)
        self._fd = -1
        self._map: mmap.mmap | None = None
        self._thread_lock = threading.Lock()
        self._forked = False
        self.lock_timeouts = 0
        # Set by a lock timeout, cleared when the lock is next had: until then checks do not wait.
        self._stalled = False
        self._warned_at = -math.inf  # time.monotonic(), not the injected clock, which tests freeze
        self._warned_timeouts = 0
        self._attach()
        _OPEN_LIMITERS.add(self)

    @classmethod
    def open(
        cls,
        path: Path,
        *,
        per_ip_per_minute: int,
        per_user_per_minute: int,
        clock: Callable[[], float],
        slots: int = DEFAULT_SLOTS,
    ) -> SharedRateLimiter:
        """Maps the table at `path`, creating or replacing the file when it is missing or mismatched."""
        return cls(
            path,
            per_ip_per_minute=per_ip_per_minute,
            per_user_per_minute=per_user_per_minute,
            clock=clock,
            slots=slots,
        )

    @property
    def enabled(self) -> bool:
        """Whether any limit applies (a request is checked at all)."""
        return self._ips.enabled or self._users.enabled

    def check(self, ip: str, user: str | None) -> int:
        """0 if the request may proceed (tokens taken), else whole seconds to wait (Retry-After)."""
        # Hash before locking: the lock is held by every worker in turn, so keep its span short.
        ip_key = self._ips.key(ip) if self._ips.enabled else 0
        user_key = self._users.key(user) if user and self._users.enabled else 0
        if not (ip_key or user_key):
            return 0
        # Neither lock is waited for without bound: this runs on the event loop (module docstring).
        # The first attempts are inline and non-blocking: uncontended, they are all a check pays.
        thread_lock = self._thread_lock
        if not thread_lock.acquire(False) and not thread_lock.acquire(timeout=self._lock_wait()):
            return self._serve_unchecked()
        try:
            if self._forked:
                self._reattach()
            table = self._table()
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if not self._lock_table(self._lock_wait()):
                    return self._serve_unchecked()
            self._stalled = False
            try:
                return self._check_locked(table, ip_key, user_key)
            finally:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            thread_lock.release()

    def bucket_count(self) -> int:
        """Buckets holding state: stored and not yet refilled to full (a full one equals no bucket).

        For tests and diagnostics, not the event loop: it waits for the lock as long as it takes.
        """
        with self._thread_lock:
            if self._forked:
                self._reattach()
            table = self._table()
            fcntl.flock(self._fd, fcntl.LOCK_EX)
            try:
                now = self._clock()
                data = bytes(table[HEADER.size :])
            finally:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        return sum(
            1
            for hashed, tokens, updated in SLOT.iter_unpack(data)
            if hashed and self._full_at(hashed, tokens, updated, now) > now
        )

    def close(self) -> None:
        """Unmaps the table and closes the file (the file stays for the other processes)."""
        _OPEN_LIMITERS.discard(self)
        with self._thread_lock:
            self._detach()

    def __enter__(self) -> SharedRateLimiter:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # -------------------------------------------------------------------------------- the lock

    def _lock_wait(self) -> float:
        """How long to wait for a lock that is taken: LOCK_WAIT, or not at all after a timeout."""
        return 0.0 if self._stalled else LOCK_WAIT

    def _lock_table(self, wait: float) -> bool:
        """Retries the file's flock, found taken at the first try, for up to `wait` s (see LOCK_WAIT)."""
        fd = self._fd
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            os.sched_yield()
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue
            return True
        return False

    def _serve_unchecked(self) -> int:
        """Fails open: the request proceeds without touching the table, counted and reported."""
        # Unlocked bookkeeping: threads racing here may miscount by one, which a counter can bear.
        self.lock_timeouts += 1
        self._stalled = True
        now = time.monotonic()
        if now - self._warned_at >= WARN_INTERVAL:
            log.warning(
                "Rate limits not applied: the shared rate limit table %s stayed locked for over %.0f ms;"
                " %d request(s) served unchecked since the last warning (is a worker stopped or starved"
                " while holding its lock?)",
                self.path,
                LOCK_WAIT * 1000,
                self.lock_timeouts - self._warned_timeouts,
            )
            self._warned_at = now
            self._warned_timeouts = self.lock_timeouts
        return 0

    # ------------------------------------------------------------------------------- the table

    def _check_locked(self, table: mmap.mmap, ip_key: int, user_key: int) -> int:
        now = self._clock()
        ip_slot, ip_tokens = self._find(table, self._ips, ip_key, now, -1, user_key) if ip_key else (-1, math.inf)
        user_slot, user_tokens = (
            self._find(table, self._users, user_key, now, ip_slot, 0) if user_key else (-1, math.inf)
        )
        wait = max(self._wait(self._ips, ip_tokens), self._wait(self._users, user_tokens))
        if wait > 0:
            # Nothing is written on a refusal: refilling is a pure function of (tokens, updated, now).
            return max(1, math.ceil(wait))
        if ip_slot >= 0:
            SLOT.pack_into(table, HEADER.size + ip_slot * SLOT.size, ip_key, ip_tokens - 1, now)
        if user_slot >= 0:
            SLOT.pack_into(table, HEADER.size + user_slot * SLOT.size, user_key, user_tokens - 1, now)
        return 0

    def _find(
        self, table: mmap.mmap, dimension: _Dimension, key: int, now: float, taken: int, keep: int
    ) -> tuple[int, float]:
        """The slot for `key` and its tokens at `now`; slot -1 when none can be had (a fresh bucket).

        `taken` is the slot already chosen for the other key of this check: both may be new and want
        the same free slot, or the other key may be reusing this key's full slot. `keep` is the other
        key of this check when it is yet to be looked up: replacing its bucket would let it through.
        """
        slots = self.slots
        start = (key >> 1) % slots
        free = reusable = -1
        reusable_full_at = math.inf
        for step in range(self._probe):
            index = (start + step) % slots
            if index == taken:
                continue
            hashed, tokens, updated = SLOT.unpack_from(table, HEADER.size + index * SLOT.size)
            if hashed == key:
                if not (tokens >= 0.0 and updated <= now):
                    return index, dimension.capacity
                return index, min(dimension.capacity, tokens + (now - updated) * dimension.rate)
            if hashed == 0:
                # Slots are never emptied, so no key was stored past an empty slot of its probe.
                if free < 0:
                    free = index
                break
            full_at = self._full_at(hashed, tokens, updated, now)
            if full_at <= now:
                if free < 0:
                    free = index
            elif full_at < reusable_full_at and hashed != keep:
                reusable, reusable_full_at = index, full_at
        return (free if free >= 0 else reusable), dimension.capacity

    def _full_at(self, hashed: int, tokens: float, updated: float, now: float) -> float:
        """When the bucket in a slot is full again; -inf for one that already counts as fresh."""
        dimension = self._dimensions[hashed & 1]
        if not (dimension.enabled and tokens >= 0.0 and updated <= now):
            return -math.inf
        return updated + (dimension.capacity - tokens) / dimension.rate

    @staticmethod
    def _wait(dimension: _Dimension, tokens: float) -> float:
        return 0.0 if tokens >= 1 else (1 - tokens) / dimension.rate

    def _table(self) -> mmap.mmap:
        if self._map is None:
            raise ValueError(f"the shared rate limit table {self.path} is closed")
        return self._map

    # -------------------------------------------------------------------------------- the file

    def _attach(self) -> None:
        size = HEADER.size + self.slots * SLOT.size
        fd = _open_table(self.path, self.slots, size)
        try:
            self._map = mmap.mmap(fd, size, flags=mmap.MAP_SHARED, prot=mmap.PROT_READ | mmap.PROT_WRITE)
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd

    def _detach(self) -> None:
        if self._map is not None:
            self._map.close()
            self._map = None
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def _reattach(self) -> None:
        # The inherited descriptor shares its flock with the parent, which would then exclude
        # nothing; closing the child's copy leaves the parent's lock alone.
        self._forked = False
        self._detach()
        self._attach()

    def _after_fork(self) -> None:
        self._thread_lock = threading.Lock()  # another thread may have held it at the fork
        self._forked = self._map is not None
        self._stalled = False  # the child waits for the lock of its own descriptor afresh


_OPEN_LIMITERS: weakref.WeakSet[SharedRateLimiter] = weakref.WeakSet()


def _mark_forked() -> None:
    for limiter in list(_OPEN_LIMITERS):
        limiter._after_fork()


os.register_at_fork(after_in_child=_mark_forked)


def _open_table(path: Path, slots: int, size: int) -> int:
    """A descriptor of a valid table file at `path`, after creating or replacing it if need be."""
    for _ in range(_OPEN_ATTEMPTS):
        try:
            fd = os.open(path, os.O_RDWR | os.O_CLOEXEC)
        except FileNotFoundError:
            _publish(path, slots, size, replace=False)
            continue
        keep = False
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                # A repairer that locked before us may have renamed a new file over the path.
                if not _is_current(fd, path):
                    continue
                if _is_valid(fd, slots, size):
                    keep = True
                    return fd
                # Under the old file's lock, so concurrent openers repair it once between them.
                _publish(path, slots, size, replace=True)
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            if not keep:
                os.close(fd)
    raise OSError(f"could not open the shared rate limit table {path}: it keeps being replaced")


def _publish(path: Path, slots: int, size: int, *, replace: bool) -> None:
    """Builds an empty table beside `path` and puts it in place, so nobody maps a half-made file."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(temporary, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
    no_hard_links = False
    try:
        try:
            _build(fd, slots, size)
        finally:
            os.close(fd)
        if replace:
            os.replace(temporary, path)
        else:
            try:
                os.link(temporary, path)
            except FileExistsError:
                pass  # another opener published first; theirs is the table
            except OSError as error:
                if error.errno not in _NO_HARD_LINKS:
                    raise
                no_hard_links = True
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
    if no_hard_links:
        _create_in_place(path, slots, size)


def _create_in_place(path: Path, slots: int, size: int) -> None:
    """Creates a missing table at `path` itself, for a filesystem without hard links.

    Not a rename of a built file: rename() replaces what is there, so it could put a second table
    over one a racing opener has just created and mapped, and the two would count apart. O_EXCL
    lets one opener create the file; it builds the file under the file's flock, and every opener
    validates a file under that same lock (in _open_table), so none maps it half-built. An opener
    that locks the new file before its creator does finds it empty and replaces it with a built one
    (rename over the path); the creator then fills the unlinked file, which nobody maps, and takes the
    table at the path like everyone else. A creator that dies before building leaves an invalid file,
    replaced the same way. The header is written last, so even unlocked a file is valid only whole.
    """
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
    except FileExistsError:
        return  # a racing opener created it: _open_table takes theirs
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        _build(fd, slots, size)  # unlocked by the close
    finally:
        os.close(fd)


def _build(fd: int, slots: int, size: int) -> None:
    os.ftruncate(fd, size)  # zero-filled: every slot empty
    os.pwrite(fd, HEADER.pack(MAGIC, VERSION, slots), 0)  # last: the header makes the file valid


def _is_current(fd: int, path: Path) -> bool:
    try:
        at_path = os.stat(path)
    except FileNotFoundError:
        return False
    opened = os.fstat(fd)
    return (opened.st_dev, opened.st_ino) == (at_path.st_dev, at_path.st_ino)


def _is_valid(fd: int, slots: int, size: int) -> bool:
    if os.fstat(fd).st_size != size:
        return False
    header = os.pread(fd, HEADER.size, 0)
    return len(header) == HEADER.size and HEADER.unpack(header) == (MAGIC, VERSION, slots)
