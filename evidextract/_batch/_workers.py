"""The work on one input: stream its records, extract chunk by chunk, write parts.

The functions here run in worker processes started with the ``spawn``
method, so they live at module level and reach their state (the extractor,
the progress queue) through :func:`init_worker`, which runs once per process:
the spaCy pipeline is built there, not once per chunk.
"""

from __future__ import annotations

import functools
import signal
import warnings
from collections import Counter, deque
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pandas as pd

from evidextract._batch._manifest import fingerprint
from evidextract._batch._parts import (
    part_name,
    read_identity,
    records_table,
    statistics_table,
    write_atomic,
)

#: Most problem records listed per input in the manifest (all are in the records table).
MAX_PROBLEMS = 50

# Record statuses that make the input count as failed: reported, exit status 1,
# retried on a re-run (its finished parts are reused if the file is unchanged).
_PROBLEM_STATUSES = {"unreadable", "error"}

_STATE: dict = {"extractor": None, "queue": None}


class PartWriteError(OSError):
    """A part could not be written (full disk, permissions, ...)."""


def default_extractor(records: pd.DataFrame) -> pd.DataFrame:
    """Extract with :func:`evidextract.extract` on one process."""
    from evidextract.extract import extract

    return extract(records)


def extractor_name(extractor) -> str:
    """Return what identifies an extractor in a part's footer (parts of another are redone).

    Examples
    --------
    >>> extractor_name(None).startswith("evidextract.extract ")
    True
    >>> import functools
    >>> extractor_name(functools.partial(len, 1))
    'functools.partial(builtins.len)'
    """
    if extractor is None or extractor is default_extractor:
        from evidextract import __version__

        return f"evidextract.extract {__version__}"
    if isinstance(extractor, functools.partial):
        return f"functools.partial({extractor_name(extractor.func)})"
    module = getattr(extractor, "__module__", None) or type(extractor).__module__
    name = getattr(extractor, "__qualname__", None) or type(extractor).__qualname__
    return f"{module}.{name}"


def init_worker(extractor, queue, ignore_interrupt: bool = True) -> None:
    """Set up a worker process: keep the extractor, build its pipeline once.

    Parameters
    ----------
    extractor : callable or None
        ``extractor(records_frame) -> statistics_frame``; None for
        :func:`evidextract.extract`.
    queue : multiprocessing queue or None
        Where per-chunk progress ``(records, abstracts)`` is sent.
    ignore_interrupt : bool
        Ignore Ctrl-C in the worker: the parent handles it and stops workers.
    """
    if ignore_interrupt:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    _STATE["extractor"] = extractor or default_extractor
    _STATE["queue"] = queue
    try:  # build the pipeline now, in parallel with the other workers
        _STATE["extractor"](_records_frame([]))
    except Exception:  # a broken extractor reports itself on the first real chunk
        pass


def run_task(task: dict) -> dict:
    """Process one input in a worker process set up by :func:`init_worker`."""
    queue = _STATE["queue"]

    def report(n_records, n_abstracts):
        if queue is not None:
            queue.put((n_records, n_abstracts))

    return process_input(task, _STATE["extractor"] or default_extractor, report)


def _records_frame(records: list[dict]) -> pd.DataFrame:
    """Return a chunk of record dicts as a records DataFrame."""
    frame = pd.DataFrame.from_records(records) if records else pd.DataFrame()
    # Keys with a leading underscore are the reader's private bookkeeping.
    frame = frame[[c for c in frame.columns if not str(c).startswith("_")]]
    for column in ("record_id", "abstract", "status", "message"):
        if column not in frame.columns:
            frame[column] = pd.Series([None] * len(frame), dtype=object)
    return frame


def _has_abstract(value) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _mark(records: pd.DataFrame, label, reason: str) -> None:
    records.loc[label, "status"] = "error"
    records.loc[label, "message"] = f"extraction failed: {reason}"


def extract_chunk(records: pd.DataFrame, extractor) -> pd.DataFrame:
    """Extract the statistics of one chunk; a record that breaks the extractor is marked.

    Records the extractor reports in ``stats.attrs["failed"]`` (``{"record_id",
    "reason"}`` dicts), as :func:`evidextract.extract` does, get status
    ``error`` and the reason as message, in place in ``records``. When the
    extractor raises on the whole chunk, the records are retried one by one
    and those that still fail are marked the same way: no record is lost and
    the others of the chunk are kept.
    """
    try:
        stats = extractor(records)
    except Exception:
        stats = None
    if stats is not None:
        failed = stats.attrs.get("failed")
        if failed:
            reasons = {str(item["record_id"]): item["reason"] for item in failed}
            for label, rid in records["record_id"].items():
                if str(rid) in reasons:
                    _mark(records, label, str(reasons[str(rid)]))
        stats.attrs = {}
        return stats
    frames = []
    for position in range(len(records)):
        single = records.iloc[[position]]
        try:
            frames.append(extractor(single))
        except Exception as exc:
            _mark(records, records.index[position], f"{type(exc).__name__}: {exc}")
    frames = [frame for frame in frames if frame is not None]
    if not frames:
        try:
            frames = [extractor(records.iloc[0:0])]
        except Exception:
            return pd.DataFrame()
    for frame in frames:
        frame.attrs = {}
    return pd.concat(frames, ignore_index=True)


def _count_statistics(records: pd.DataFrame, stats: pd.DataFrame) -> pd.Series:
    """Return the number of statistics rows of each record, aligned with ``records``."""
    if "record_id" not in stats.columns or stats.empty:
        return pd.Series(0, index=records.index, dtype="int64")
    counts = stats["record_id"].astype(object).value_counts()
    ids = records["record_id"].astype(object)
    return ids.map(counts).fillna(0).astype("int64")


def _finished_part(out: Path, name: str, expected: dict) -> dict | None:
    """Return the counts of a part a previous run finished for this chunk, if any."""
    found = {}
    for table in ("statistics", "records"):
        identity = read_identity(out / table / name)
        if identity is None:
            return None
        if any(identity.get(k) != v for k, v in expected.items()):
            return None
        if identity.get("problems"):  # records in error are retried, not kept
            return None
        found[table] = identity
    return found["records"]


def build_part(task: dict, fingerprint_: dict, chunk: int, buffer: list[dict],
               extractor) -> dict:
    """Write the parts of one chunk (or find them done) and return their account.

    Returns
    -------
    dict
        ``name, records, abstracts, statistics, by_status, problems,
        warnings`` and ``reused`` (True when an earlier run's part was kept).
    """
    out = Path(task["out"])
    name = part_name(task["key"], chunk)
    expected = {
        "key": task["key"],
        "fingerprint": fingerprint_,
        "chunk_size": task["chunk_size"],
        "chunk": chunk,
        "records": len(buffer),
        "extractor": extractor_name(extractor),
    }
    previous = _finished_part(out, name, expected)
    if previous is not None:
        return {"name": name, "reused": True, "warnings": [],
                **{k: previous[k] for k in
                   ("records", "abstracts", "statistics", "by_status", "problems")}}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.simplefilter("ignore", ResourceWarning)
        records = _records_frame(buffer)
        stats = extract_chunk(records, extractor)
    records["n_statistics"] = _count_statistics(records, stats)
    statuses = records["status"].fillna("ok").astype(str)
    by_status = dict(sorted(Counter(statuses).items()))
    n_abstracts = int(records["abstract"].map(_has_abstract).sum())
    problems = [
        {"record_id": _plain(row.record_id), "status": status, "message": _plain(row.message)}
        for row, status in zip(records.itertuples(), statuses, strict=True)
        if status not in ("ok", "no_abstract")
    ][:MAX_PROBLEMS]
    counts = {"abstracts": n_abstracts, "statistics": len(stats),
              "by_status": by_status, "problems": problems}
    try:
        write_atomic(statistics_table(stats), out / "statistics" / name,
                     {**expected, **counts, "rows": len(stats)})
        write_atomic(records_table(records), out / "records" / name,
                     {**expected, **counts, "rows": len(records)})
    except OSError as exc:
        raise PartWriteError(exc.errno, f"cannot write part {name}: {exc}") from exc
    return {"name": name, "reused": False, "records": len(records),
            "warnings": [str(w.message) for w in caught[:MAX_PROBLEMS]], **counts}


def run_chunk(task: dict, fingerprint_: dict, chunk: int, buffer: list[dict]) -> dict:
    """Build one chunk's parts in a worker process set up by :func:`init_worker`."""
    return build_part(task, fingerprint_, chunk, buffer, _STATE["extractor"] or default_extractor)


class _Input:
    """Bookkeeping of one input while it is processed, chunk after chunk."""

    def __init__(self, task: dict, extractor, report):
        self.task = task
        self.out = Path(task["out"])
        self.extractor = extractor
        self.report = report
        self.result = {
            "key": task["key"],
            "status": "done",
            "error": None,
            "fingerprint": None,
            "records": 0,
            "abstracts": 0,
            "statistics": 0,
            "by_status": Counter(),
            "parts": [],
            "reused_parts": 0,
            "problems": [],
            "warnings": [],
        }

    def handle(self, chunk: int, buffer: list[dict]) -> None:
        """Process one chunk: here, in this process."""
        self.add(build_part(self.task, self.result["fingerprint"], chunk, buffer,
                            self.extractor))

    def flush(self) -> None:
        """Wait for chunks still in progress (none when they run here)."""

    def add(self, part: dict) -> None:
        """Account for one finished chunk, in chunk order."""
        result = self.result
        name = part["name"]
        result["parts"].append({
            "chunk": len(result["parts"]),
            "statistics": f"statistics/{name}",
            "records": f"records/{name}",
            "n_records": part["records"],
            "n_statistics": part["statistics"],
        })
        result["records"] += part["records"]
        result["abstracts"] += part["abstracts"]
        result["statistics"] += part["statistics"]
        result["by_status"].update(part["by_status"])
        room = MAX_PROBLEMS - len(result["problems"])
        result["problems"].extend(part["problems"][:max(room, 0)])
        result["warnings"].extend(part["warnings"][:max(MAX_PROBLEMS - len(result["warnings"]),
                                                        0)])
        if part["reused"]:
            result["reused_parts"] += 1
        else:
            self.report(part["records"], part["abstracts"])


    def run(self) -> dict:
        # The reader's warnings go to the manifest, not to the screen of a long run.
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            warnings.simplefilter("ignore", ResourceWarning)  # interpreter noise, not input
            self._run()
        result = self.result
        result["warnings"] = ([str(w.message) for w in caught] + result["warnings"])[:MAX_PROBLEMS]
        if result["status"] == "done" and result["records"] == 0:
            # A file with no record at all is an empty or unreadable download, never a
            # success: it is reported and retried rather than silently skipped.
            reason = result["warnings"][0] if result["warnings"] else "the file holds none"
            result["status"] = "failed"
            result["error"] = f"no record could be read: {reason}"
        return result

    def _run(self) -> None:
        task, result = self.task, self.result
        path = Path(task["path"])
        buffer: list[dict] = []
        chunk = 0
        try:
            result["fingerprint"] = fingerprint(path, task.get("checksum", False))
            from evidextract.io import iter_records

            records = iter_records(path, format=task.get("format", "auto"),
                                   errors=task.get("errors", "warn"))
            try:
                for record in records:
                    buffer.append(record)
                    if len(buffer) >= task["chunk_size"]:
                        self.handle(chunk, buffer)
                        chunk, buffer = chunk + 1, []
            except PartWriteError:
                raise
            except Exception as exc:
                # The file broke part-way: keep what was read before the damage.
                if isinstance(exc, BrokenProcessPool):
                    raise
                result["status"] = "failed"
                result["error"] = f"{type(exc).__name__}: {exc}"
            if buffer:
                self.handle(chunk, buffer)
                chunk += 1
            self.flush()
        except Exception as exc:
            result["status"] = "failed"
            if isinstance(exc, FileNotFoundError):
                result["error"] = f"input disappeared: {exc}"
            else:
                result["error"] = f"{type(exc).__name__}: {exc}"
        n_problems = sum(n for s, n in result["by_status"].items() if s in _PROBLEM_STATUSES)
        if result["status"] == "done" and n_problems:
            first = result["problems"][0] if result["problems"] else {}
            result["status"] = "failed"
            result["error"] = (f"{n_problems} record(s) unreadable or in error, first: "
                               f"{first.get('record_id') or 'record'}: {first.get('message')}")
        if result["status"] == "done":
            _remove_extra_parts(self.out, task["key"], chunk)
        result["by_status"] = dict(sorted(result["by_status"].items()))


class SplitInput(_Input):
    """One input whose chunks run on a pool of workers while this process reads it.

    Used when there are fewer inputs than processes. At most ``window``
    chunks are in flight, so memory stays bounded; chunks are accounted in
    order, so the result is the one :func:`process_input` gives.
    """

    def __init__(self, task: dict, submit, window: int, report):
        super().__init__(task, None, report)
        self.submit = submit
        self.window = window
        self.in_flight: deque = deque()

    def handle(self, chunk: int, buffer: list[dict]) -> None:
        self.in_flight.append(self.submit(run_chunk, self.task, self.result["fingerprint"],
                                          chunk, buffer))
        while len(self.in_flight) >= self.window:
            self.add(self.in_flight.popleft().result())

    def flush(self) -> None:
        try:
            while self.in_flight:
                self.add(self.in_flight.popleft().result())
        finally:
            for future in self.in_flight:  # after a failure: drop the rest
                future.cancel()
            self.in_flight.clear()


def _plain(value):
    """Return a JSON-friendly scalar (text or None)."""
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return str(value)


def _remove_extra_parts(out: Path, key: str, n_chunks: int) -> None:
    """Remove parts of ``key`` numbered ``n_chunks`` or more (left by a longer earlier file)."""
    for table in ("statistics", "records"):
        for path in (out / table).glob(f"{key}-*.parquet"):
            suffix = path.name[len(key) + 1 : -len(".parquet")]
            if suffix.isdigit() and int(suffix) >= n_chunks and not path.is_symlink():
                path.unlink()


def process_input(task: dict, extractor, report=lambda n_records, n_abstracts: None) -> dict:
    """Extract one input into parts and return its manifest entry.

    Parameters
    ----------
    task : dict
        ``key``, ``path``, ``out``, ``chunk_size``, ``format``, ``errors``
        and ``checksum``.
    extractor : callable
        ``extractor(records_frame) -> statistics_frame``.
    report : callable
        Called with ``(records, abstracts)`` after each chunk written.

    Returns
    -------
    dict
        Status (``done`` or ``failed``), error, fingerprint, counts, parts.
    """
    return _Input(task, extractor, report).run()
