"""The manifest of a batch run: inputs, their fingerprints, parts, counts and failures.

The manifest is ``manifest.json`` in the output folder, written atomically
after every finished input. It is the run's account book (what was read,
what was written, what failed and why) and the first check a re-run makes;
the footer of each part is the second.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from pathlib import Path

MANIFEST_NAME = "manifest.json"
MANIFEST_FORMAT = "evidextract-batch"
MANIFEST_VERSION = 1

# Characters kept from a file name in an input key; the rest become "_".
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class UnsafePathError(ValueError):
    """A path read from a manifest points outside the output folder."""


def input_key(path: Path) -> str:
    """Return the key that names the parts of one input.

    The key is the file name (made safe for any file system) and a short hash
    of the absolute path, so two inputs with one name in two folders never
    share parts, and adding inputs to a run does not rename earlier parts.

    Examples
    --------
    >>> key = input_key(Path("/data/pubmed25n0001.xml.gz"))
    >>> key.startswith("pubmed25n0001.xml.gz-"), len(key.rsplit("-", 1)[1])
    (True, 8)
    >>> input_key(Path("/data/a b?.xml")).startswith("a_b_.xml-")
    True
    """
    absolute = str(Path(os.path.abspath(path)))
    digest = hashlib.sha1(absolute.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    name = _UNSAFE.sub("_", path.name).strip(".") or "input"
    return f"{name[:80]}-{digest}"


def fingerprint(path: Path, checksum: bool = False) -> dict:
    """Return what identifies the content of an input: size, mtime and optionally SHA-256.

    Raises
    ------
    OSError
        When the file cannot be read (missing, permission denied).
    """
    stat = os.stat(path)
    result = {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": None}
    if checksum:
        digest = hashlib.sha256()
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        result["sha256"] = digest.hexdigest()
    return result


def inside(out: Path, relative: str) -> Path:
    """Return ``out / relative`` after checking that it stays inside ``out``.

    Parameters
    ----------
    out : pathlib.Path
        The output folder.
    relative : str
        A path read from a manifest, relative to ``out``.

    Raises
    ------
    UnsafePathError
        When ``relative`` is absolute, climbs out with ``..``, or resolves
        (through symbolic links) to a place outside ``out``.

    Examples
    --------
    >>> inside(Path("/tmp/stats"), "statistics/a-00000.parquet").as_posix()
    '/tmp/stats/statistics/a-00000.parquet'
    >>> try:
    ...     inside(Path("/tmp/stats"), "../../etc/passwd")
    ... except UnsafePathError as exc:
    ...     print(exc)
    manifest path '../../etc/passwd' leaves the output folder
    """
    if not isinstance(relative, str) or not relative or "\x00" in relative:
        raise UnsafePathError(f"manifest path {relative!r} is not a relative path")
    candidate = Path(relative)
    if candidate.is_absolute() or candidate.drive or ".." in candidate.parts:
        raise UnsafePathError(f"manifest path {relative!r} leaves the output folder")
    root = Path(os.path.realpath(out))
    resolved = Path(os.path.realpath(root / candidate))
    if resolved != root and root not in resolved.parents:
        raise UnsafePathError(f"manifest path {relative!r} leaves the output folder")
    return out / candidate


def new_manifest(chunk_size: int) -> dict:
    """Return an empty manifest."""
    return {
        "format": MANIFEST_FORMAT,
        "version": MANIFEST_VERSION,
        "chunk_size": chunk_size,
        "inputs": [],
        "totals": {},
    }


def load_manifest(out: Path) -> tuple[dict | None, str | None]:
    """Return the manifest of an earlier run in ``out`` and a problem, if any.

    A missing manifest gives ``(None, None)``; an unreadable or foreign one
    gives ``(None, reason)`` and the run starts afresh.
    """
    path = out / MANIFEST_NAME
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        return None, None
    except OSError as exc:
        return None, f"cannot read {path}: {exc}"
    try:
        manifest = json.loads(text)
    except ValueError as exc:
        return None, f"{path} is not valid JSON ({exc}); starting afresh"
    if not isinstance(manifest, dict) or manifest.get("format") != MANIFEST_FORMAT:
        return None, f"{path} is not an evidextract manifest; starting afresh"
    if not isinstance(manifest.get("inputs"), list):
        return None, f"{path} has no list of inputs; starting afresh"
    return manifest, None


def save_manifest(out: Path, manifest: dict) -> None:
    """Write the manifest atomically (temporary file, fsync, rename)."""
    text = json.dumps(manifest, indent=1, sort_keys=False, ensure_ascii=False)
    fd, temp_name = tempfile.mkstemp(prefix=".tmp-manifest-", suffix=".json", dir=out)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_name, out / MANIFEST_NAME)
    except BaseException:
        try:
            os.unlink(temp_name)
        except FileNotFoundError:
            pass
        raise
