"""Where neuralab keeps what it computes once, and the one way it is stored.

Everything lives under ``$NEURALAB_CACHE_DIR`` (else ``~/.cache/neuralab``): trained
reference models, finished training runs, background-job results. Deleting it is
always safe: what is missing is computed again.

One scheme serves every store (:func:`memo` for results, :func:`load_or_compute` for
bytes such as model weights):

* **The key names the code.** Besides the arguments it holds a hash of the source of
  every module the result depends on (:func:`code_version`), so a fixed bug never keeps
  serving what the old code computed.
* **Writes are atomic.** A file is written beside its place and renamed over it: a
  reader in another process sees the old file or the whole new one, never half.
* **A damaged entry is detected.** Each file starts with the SHA-256 of its payload; a
  truncated or garbled file fails the check, is deleted, and the value is recomputed.
* **A cache that cannot be written costs speed, not answers.** A full, read-only or
  vanished directory makes the lab compute without storing, and says so once in the log.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import logging
import os
import pickle
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

__all__ = ["code_version", "load_or_compute", "memo", "read", "root", "write"]

log = logging.getLogger("neuralab.cache")
T = TypeVar("T")
_PACKAGE = Path(__file__).resolve().parent
_DIGEST = hashlib.sha256().digest_size  # bytes of the checksum at the head of every file
_warned: set[str] = set()


def root() -> Path:
    """The cache directory (not created here)."""
    base = os.environ.get("NEURALAB_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "neuralab"
    )
    return Path(base)


@functools.lru_cache(maxsize=64)
def code_version(*modules: str) -> str:
    """A short hash of the source of ``modules`` (dotted names inside ``neuralab``, e.g. ``"neuralab.train.loop"``).

    A package name covers every file under it. The files are read, not imported.
    """
    from neuralab import __version__

    digest = hashlib.sha256(__version__.encode())
    for name in sorted(set(modules)):
        digest.update(name.encode())
        for path in _sources(name):
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _sources(name: str) -> list[Path]:
    """The source files of module or package ``name``: inside neuralab by path, elsewhere by its loaded module."""
    head, _, rest = name.partition(".")
    if head == "neuralab":
        target = _PACKAGE.joinpath(*rest.split(".")) if rest else _PACKAGE
        if target.is_dir():
            return sorted(target.rglob("*.py"))
        return [target.with_suffix(".py")] if target.with_suffix(".py").is_file() else []
    module = sys.modules.get(name)
    file = getattr(module, "__file__", None)
    return [Path(file)] if file else []


def state_dir(name: str) -> Path:
    """``<root>/<name>``, created: a directory the lab's processes share (job slots, heartbeats, job results).

    When it cannot be made or written (a read-only or full disk, a path that is a file), a private one
    under the system's temporary directory serves instead and the log says so once: the lab goes on
    answering, computing what it cannot keep. A directory deleted while the lab runs is made again.
    """
    path = root() / name
    try:
        path.mkdir(parents=True, exist_ok=True)
        if not os.access(path, os.W_OK | os.X_OK):
            raise PermissionError(f"{path} is not writable")
        return path
    except OSError as exc:
        fallback = Path(tempfile.gettempdir()) / f"neuralab-{os.getuid()}" / name
        fallback.mkdir(parents=True, exist_ok=True)
        said = fallback.parent / f".said-{hashlib.sha256(str(path).encode()).hexdigest()[:16]}"
        if not said.exists():  # once for every process of the lab (jobs are processes of their own)
            said.touch()
            _warn_once(f"cannot use {path}, so {fallback} serves instead", exc)
        return fallback


def _warn_once(what: str, exc: BaseException) -> None:
    if what not in _warned:
        _warned.add(what)
        log.warning("neuralab cache: %s (%s); computing without storing from now on where this recurs.", what, exc)


def read(path: Path) -> bytes | None:
    """The payload stored at ``path``, or None when it is missing or damaged (a damaged file is removed)."""
    try:
        blob = path.read_bytes()
    except OSError:
        return None
    head, payload = blob[:_DIGEST], blob[_DIGEST:]
    if len(head) == _DIGEST and hashlib.sha256(payload).digest() == head:
        return payload
    log.warning("neuralab cache: %s was damaged (%d bytes); it is discarded and recomputed.", path, len(blob))
    try:
        path.unlink()
    except OSError:
        pass
    return None


def write(path: Path, payload: bytes) -> bool:
    """Store ``payload`` at ``path`` atomically, with its checksum; False (logged once) when it cannot be written."""
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            fh.write(hashlib.sha256(payload).digest())
            fh.write(payload)
        os.replace(tmp, path)
        return True
    except OSError as exc:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
        _warn_once(f"cannot write under {path.parent}", exc)
        return False


def load_or_compute(path: Path, compute: Callable[[], bytes]) -> bytes:
    """The bytes stored at ``path``, or ``compute()`` stored there (when the cache can be written).

    While one process computes, another asking for the same path waits and then reads it: the background jobs
    of a page that all need one reference model train it once, not once each.
    """
    payload = read(path)
    if payload is None:
        with _computing(path):
            payload = read(path)
            if payload is None:
                payload = compute()
                write(path, payload)
    return payload


def memo(kind: str, depends: Sequence[str] = (), salt: str = "") -> Callable[[Callable[..., T]], Callable[..., T]]:
    """Keep a deterministic function's results on disk, under ``<root>/<kind>/``, for every process.

    The key is the function's name and arguments (their ``repr``), ``salt`` (e.g. the torch
    version) and :func:`code_version` of the function's own module and of ``depends``.
    Background jobs run in separate processes that share nothing in memory: this lets a
    sweep reuse the runs another job finished, and a reload after a restart answer at once.
    Keyword arguments (a ``progress`` callback, say) reach the function but are not part of the key.
    ``fn.kept(*args)`` says whether a result is already on disk, without computing it.
    While one process computes a value, another asking for the same one waits and then reads it
    (two background jobs that need the same landscape train it once).

    Example:
        >>> @memo("runs", depends=("neuralab.train.loop",), salt=torch.__version__)
        ... def run(lam: float, seed: int) -> Result: ...
    """

    def wrap(fn: Callable[..., T]) -> Callable[..., T]:
        def where(args: tuple) -> Path:
            version = code_version(fn.__module__, *depends)
            key = hashlib.sha256(repr((fn.__qualname__, args, salt)).encode()).hexdigest()[:24]
            return root() / kind / version / f"{key}.pkl"

        @functools.wraps(fn)
        def stored(*args: Any, **kwargs: Any) -> T:
            path = where(args)
            hit = _load(path)
            if hit is not None:
                return hit[0]
            with _computing(path):  # a second process asking for the same result waits for the first
                hit = _load(path)
                if hit is not None:
                    return hit[0]
                value = fn(*args, **kwargs)
                write(path, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
            return value

        stored.kept = lambda *args: where(args).is_file()  # type: ignore[attr-defined]
        return stored

    return wrap


def _load(path: Path) -> tuple[Any] | None:
    """``(value,)`` unpickled from ``path``, or None when it is missing, damaged or no longer loads."""
    payload = read(path)
    if payload is None:
        return None
    try:
        return (pickle.loads(payload),)
    except Exception as exc:  # a class that changed shape since: recompute
        log.warning("neuralab cache: %s no longer loads (%s); recomputed.", path, exc)
        return None


@contextlib.contextmanager
def _computing(path: Path) -> Iterator[None]:
    """Hold an exclusive lock beside ``path`` (none when the directory cannot be written: compute anyway)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fh = open(path.with_name(path.name + ".lock"), "a")  # noqa: SIM115  # closed below
    except OSError:
        yield
        return
    try:
        fcntl.flock(fh, fcntl.LOCK_EX)  # released by the kernel if this process dies
        yield
    finally:
        fh.close()
