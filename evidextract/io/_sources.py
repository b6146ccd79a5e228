"""Where records come from: paths, folders, globs, raw text, open files; bytes to text."""

from __future__ import annotations

import glob
import gzip
import io
import os
from dataclasses import dataclass
from pathlib import Path

from evidextract.io._records import Problems

_GZIP_MAGIC = b"\x1f\x8b"
_BOMS = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
_KNOWN_SUFFIXES = {
    ".xml", ".gz", ".nxml", ".ris", ".nbib", ".bib", ".csv", ".tsv", ".json", ".jsonl",
    ".txt", ".medline", ".enw", ".html", ".htm", ".parquet", ".ciw",
}


@dataclass
class Input:
    """One file (or one piece of raw text) to read."""

    name: str
    stem: str
    path: Path | None = None
    data: bytes | None = None

    def open_binary(self):
        """Return a binary stream of the content, gunzipped when it is gzip."""
        raw = open(self.path, "rb") if self.path is not None else io.BytesIO(self.data)
        magic = raw.read(2)
        raw.seek(0)
        if magic == _GZIP_MAGIC:
            return gzip.GzipFile(fileobj=raw)
        return raw

    def head(self, size: int = 65536) -> bytes:
        """Return the first ``size`` bytes of the (gunzipped) content.

        A gzip file cut short gives what it held before the cut (``read(size)`` would
        raise and lose it, and the file would pass for empty).
        """
        chunks, total = [], 0
        with self.open_binary() as stream:
            try:
                while total < size:
                    chunk = stream.read1(size - total)
                    if not chunk:
                        break
                    chunks.append(chunk)
                    total += len(chunk)
            except (OSError, EOFError):
                pass
        return b"".join(chunks)

    def read_bytes(self, problems: Problems) -> bytes:
        """Return the whole (gunzipped) content; a broken gzip keeps what it could read."""
        stream = self.open_binary()
        chunks = []
        try:
            while True:
                chunk = stream.read(1 << 20)
                if not chunk:
                    break
                chunks.append(chunk)
        except (OSError, EOFError) as exc:
            problems.add(self.name, f"compressed file ends early ({exc}); read what came before")
        finally:
            stream.close()
        return b"".join(chunks)

    def read_text(self, problems: Problems) -> str:
        """Return the content decoded to text (see :func:`decode`)."""
        return decode(self.read_bytes(problems), self.name, problems)


def decode(data: bytes, name: str, problems: Problems) -> str:
    r"""Decode bytes read from a file, saying what was done when they are not clean UTF-8.

    A byte-order mark chooses the encoding and is dropped. Text that is not valid UTF-8 is
    read as UTF-8 with the bad bytes replaced (U+FFFD) when the rest is UTF-8, else as
    Windows-1252 (a superset of Latin-1); either way a warning names the first bad line.
    Line ends become ``\n``.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            text = data[len(bom) :].decode(encoding, errors="replace")
            break
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            replaced = data.decode("utf-8", errors="replace")
            bad = replaced.count("\ufffd")
            has_utf8 = any(ord(ch) > 127 and ch != "\ufffd" for ch in replaced)
            if has_utf8:
                text = replaced
                problems.add(
                    name, f"{bad} byte(s) are not valid UTF-8 (first at line {line}); "
                    "replaced by U+FFFD", line=line
                )
            else:
                text = data.decode("cp1252", errors="replace")
                bad_cp = [i for i, ch in enumerate(text) if ch == "\ufffd"]
                if bad_cp:  # bytes undefined in cp1252 are Latin-1 control characters
                    text = data.decode("latin-1")
                problems.add(
                    name, f"not UTF-8 (first non-UTF-8 byte at line {line}); "
                    "read as Windows-1252/Latin-1", line=line
                )
    return text.replace("\r\n", "\n").replace("\r", "\n")


def looks_binary(text: str) -> bool:
    """Whether decoded text is mostly control characters (an image, a zip, random bytes)."""
    sample = text[:4096]
    if not sample:
        return False
    if "\x00" in sample:
        return True
    control = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\n\t\f\v")
    return control > 0.05 * len(sample)


def _from_path(path: Path) -> list[Input]:
    if path.is_dir():
        files = sorted(
            p for p in path.rglob("*")
            if p.is_file() and not any(part.startswith(".") for part in p.relative_to(path).parts)
        )
        return [item for p in files for item in _from_path(p)]
    # A file name that is not UTF-8 holds surrogates (os.fsdecode); show it with U+FFFD, as
    # UTF-8, Arrow and spaCy refuse surrogates. The path itself is kept for opening.
    try:
        name = path.name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:  # a surrogate os.fsdecode does not make
        name = path.name.encode("utf-8", "replace").decode("utf-8")
    stem = name
    for suffix in (".gz", ".xml", ".nxml", ".ris", ".nbib", ".bib", ".csv", ".tsv", ".json",
                   ".jsonl", ".txt", ".medline", ".enw", ".html", ".htm", ".parquet", ".ciw"):
        if stem.lower().endswith(suffix):
            stem = stem[: -len(suffix)]
    return [Input(name=name, stem=stem or name, path=path)]


def resolve_sources(source) -> list[Input]:
    """Turn what the user passed to :func:`read` into a list of :class:`Input`.

    ``source`` may be a path (file or folder, read recursively, hidden files skipped), a glob
    pattern, a list of any of these, raw text (a string holding a line break, or one that
    names no file), bytes, or an open file (text or binary).
    """
    if isinstance(source, (list, tuple)):
        return [item for part in source for item in resolve_sources(part)]
    if isinstance(source, (bytes, bytearray)):
        return [Input(name="<bytes>", stem="bytes", data=bytes(source))]
    if hasattr(source, "read"):
        content = source.read()
        if isinstance(content, str):
            content = content.encode("utf-8", "replace")
        name = os.path.basename(str(getattr(source, "name", "") or "")) or "<stream>"
        stem = _from_path(Path(name))[0].stem if name != "<stream>" else "stream"
        return [Input(name=name, stem=stem, data=content)]
    if isinstance(source, os.PathLike):
        path = Path(source)
        if not path.exists():
            raise FileNotFoundError(f"no such file or folder: {path}")
        return _from_path(path)
    if not isinstance(source, str):
        raise TypeError(f"cannot read from {type(source).__name__}")
    if "\n" in source or len(source) > 4096:
        return [Input(name="<text>", stem="text", data=source.encode("utf-8", "replace"))]
    path = Path(os.path.expanduser(source))
    if path.exists():
        return _from_path(path)
    if glob.has_magic(source):
        matches = sorted(glob.glob(os.path.expanduser(source), recursive=True))
        if not matches:
            raise FileNotFoundError(f"no file matches {source!r}")
        return [item for match in matches for item in _from_path(Path(match))]
    if path.suffix.lower() in _KNOWN_SUFFIXES or os.sep in source:
        raise FileNotFoundError(f"no such file or folder: {source}")
    return [Input(name="<text>", stem="text", data=source.encode("utf-8", "replace"))]
