"""Batch extraction over many files, on several processes, resumable.

:func:`extract_files` streams the records of many bibliographic files (a
folder of PubMed baseline files, say), extracts their statistics on several
processes and writes them as partitioned Parquet, one part per chunk of each
input, with a manifest that makes the run resumable.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import queue as queue_module
import sys
import time
import warnings
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pandas as pd

from evidextract._batch._manifest import (
    MANIFEST_NAME,
    UnsafePathError,
    fingerprint,
    input_key,
    inside,
    load_manifest,
    new_manifest,
    save_manifest,
)
from evidextract._batch._parts import TABLES, read_identity, read_parts, remove_temp_files
from evidextract._batch._workers import (
    SplitInput,
    extractor_name,
    init_worker,
    process_input,
    run_task,
)

__all__ = ["extract_files", "BatchResult", "BatchError"]

# Seconds between two manifest saves while inputs finish (always saved at the end).
_SAVE_EVERY = 2.0

# Inputs a worker process handles before the pool is renewed: spaCy's
# vocabulary only grows (measured: +50 MiB over the first 8,000 abstracts, then
# slower), so a long-lived worker's memory would creep up over a whole baseline;
# a new pool costs one pipeline build a worker (about a second, from the
# forkserver) and the idle tail of the generation before it.
_TASKS_PER_WORKER = 8


class BatchError(RuntimeError):
    """An input failed and ``errors="raise"`` was asked; the manifest is saved."""


class BatchWarning(UserWarning):
    """Inputs failed in a batch run (``errors="warn"``); see ``BatchResult.failures``."""


class BatchResult:
    """The outcome of :func:`extract_files`: where the parts are, counts, failures.

    Attributes
    ----------
    out : pathlib.Path
        The output folder.
    manifest : dict
        The manifest as written to ``out/manifest.json``.
    elapsed : float
        Wall time of the run in seconds.
    reused_inputs : int
        Inputs an earlier run had finished, skipped by this one.
    processed_abstracts : int
        Abstracts extracted by this run (not counting reused parts).
    reused_parts : int
        Parts of unfinished inputs that an earlier, interrupted run had written
        and this run kept.
    """

    def __init__(self, out: Path, manifest: dict, elapsed: float, reused: int,
                 processed_abstracts: int, reused_parts: int = 0):
        self.out = out
        self.manifest = manifest
        self.elapsed = elapsed
        self.reused_inputs = reused
        self.processed_abstracts = processed_abstracts
        self.reused_parts = reused_parts

    @property
    def totals(self) -> dict:
        """Counts over all inputs: inputs, failed, records, abstracts, statistics."""
        return dict(self.manifest["totals"])

    @property
    def ok(self) -> bool:
        """True when no input failed."""
        return self.totals["failed"] == 0

    @property
    def failures(self) -> pd.DataFrame:
        """One row per failed input or problem record: ``input, record_id, status, message``."""
        rows = []
        for entry in self.manifest["inputs"]:
            if entry["status"] != "done":
                rows.append({"input": entry["path"], "record_id": None,
                             "status": entry["status"], "message": entry["error"]})
            for problem in entry.get("problems", []):
                rows.append({"input": entry["path"], **problem})
        return pd.DataFrame(rows, columns=["input", "record_id", "status", "message"])

    def part_paths(self, table: str = "statistics") -> list[Path]:
        """Return the paths of the parts of ``table`` (``statistics`` or ``records``), in order."""
        return [inside(self.out, part[table]) for entry in self.manifest["inputs"]
                for part in entry.get("parts", [])]

    def statistics(self) -> pd.DataFrame:
        """Read the statistics table of every part, in input order, into memory.

        For outputs larger than memory, read ``out / "statistics"`` lazily
        instead, e.g. with ``dask.dataframe.read_parquet`` or ``pyarrow.dataset``.
        """
        frame = read_parts(self.part_paths("statistics"))
        if frame is None:
            return pd.DataFrame()
        if "stat" in frame.columns:
            frame["stat"] = frame["stat"].astype("category")
        return frame

    def records(self) -> pd.DataFrame:
        """Read the records table (status and message of every record) into memory."""
        frame = read_parts(self.part_paths("records"))
        return pd.DataFrame() if frame is None else frame

    def summary(self) -> str:
        """Return the one-paragraph account printed at the end of a run."""
        t = self.totals
        rate = self.processed_abstracts / self.elapsed if self.elapsed > 0 else 0.0
        lines = [
            f"{t['inputs']} inputs ({self.reused_inputs} done before, {self.reused_parts} parts "
            f"of others reused), {t['records']} records, "
            f"{t['abstracts']} abstracts, {t['statistics']} statistics; "
            f"{self.processed_abstracts} abstracts extracted in {self.elapsed:.1f} s "
            f"({rate:.0f} abstracts/s)",
        ]
        problems = sum(t["by_status"].get(s, 0) for s in ("unreadable", "error"))
        if problems:
            lines.append(f"{problems} records unreadable or in error (status in the records table)")
        for entry in self.manifest["inputs"]:
            if entry["status"] != "done":
                lines.append(f"FAILED {entry['path']}: {entry['error']}")
        if t["failed"]:
            lines.append(f"{t['failed']} of {t['inputs']} inputs failed; finished parts are kept, "
                         "re-run the same command to retry them")
        return "\n".join(lines)

    def __repr__(self) -> str:
        t = self.totals
        return (f"<BatchResult {t['inputs']} inputs, {t['failed']} failed, {t['records']} records, "
                f"{t['statistics']} statistics in {str(self.out)!r}>")


def _expand(inputs, out: Path) -> list[Path]:
    """Return the input files: folders are walked (sorted), duplicates dropped.

    Hidden files and anything inside the output folder (when it sits in an
    input folder) are left out, so a re-run never reads its own parts.
    """
    if isinstance(inputs, str | os.PathLike):
        inputs = [inputs]
    own = Path(os.path.realpath(out))
    files, seen = [], set()
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*")
                           if p.is_file() and not p.name.startswith(".")
                           and own not in Path(os.path.realpath(p)).parents)
        else:
            found = [path]
        for file in found:
            absolute = os.path.abspath(file)
            if absolute not in seen:
                seen.add(absolute)
                files.append(file)
    return files


def _reusable(out: Path, entry: dict, fp: dict, chunk_size: int, checksum: bool,
              extractor: str) -> bool:
    """Return True when an earlier run finished this input and every part checks out."""
    if entry.get("status") != "done" or not isinstance(entry.get("parts"), list):
        return False
    old = entry.get("fingerprint") or {}
    if (old.get("size"), old.get("mtime_ns")) != (fp["size"], fp["mtime_ns"]):
        return False
    if checksum and old.get("sha256") != fp["sha256"]:
        return False
    for part in entry["parts"]:
        for table in TABLES:
            try:
                path = inside(out, part[table])
            except (UnsafePathError, KeyError, TypeError):
                return False
            identity = read_identity(path)
            if (identity is None or identity.get("key") != entry["key"]
                    or identity.get("extractor") != extractor
                    or identity.get("chunk_size") != chunk_size
                    or identity.get("fingerprint", {}).get("size") != fp["size"]
                    or identity.get("records") != part.get("n_records")):
                return False
    return True


def _remove_stale_parts(out: Path, old: dict | None, keep: set[str]) -> int:
    """Remove the parts of inputs an earlier run listed and this run does not."""
    removed = 0
    for entry in (old or {}).get("inputs", []):
        if not isinstance(entry, dict) or entry.get("key") in keep:
            continue
        for part in entry.get("parts", []) or []:
            for table in TABLES:
                try:
                    path = inside(out, part[table])
                except (UnsafePathError, KeyError, TypeError) as exc:
                    warnings.warn(f"ignoring manifest entry: {exc}", BatchWarning, stacklevel=3)
                    continue
                if path.parent.name in TABLES and path.suffix == ".parquet" and path.is_file():
                    path.unlink()
                    removed += 1
    return removed


def _totals(entries: list[dict]) -> dict:
    by_status: dict[str, int] = {}
    for entry in entries:
        for status, n in entry.get("by_status", {}).items():
            by_status[status] = by_status.get(status, 0) + n
    return {
        "inputs": len(entries),
        "failed": sum(entry["status"] != "done" for entry in entries),
        "records": sum(entry.get("records", 0) for entry in entries),
        "abstracts": sum(entry.get("abstracts", 0) for entry in entries),
        "statistics": sum(entry.get("statistics", 0) for entry in entries),
        "by_status": dict(sorted(by_status.items())),
    }


class _Progress:
    """A tqdm bar of records, with abstracts per second, or nothing."""

    def __init__(self, enabled: bool):
        self.bar = None
        self.abstracts = 0
        self.start = time.perf_counter()
        if enabled:
            from tqdm.auto import tqdm

            self.bar = tqdm(unit=" records", desc="extract", file=sys.stderr, smoothing=0.1)

    def update(self, n_records: int, n_abstracts: int) -> None:
        self.abstracts += n_abstracts
        if self.bar is not None:
            rate = self.abstracts / max(time.perf_counter() - self.start, 1e-9)
            self.bar.set_postfix_str(f"{rate:.0f} abstracts/s", refresh=False)
            self.bar.update(n_records)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _entry(path: Path, key: str, status: str, error: str | None, fp: dict | None) -> dict:
    return {"key": key, "path": str(path), "fingerprint": fp, "status": status, "error": error,
            "records": 0, "abstracts": 0, "statistics": 0, "by_status": {}, "parts": [],
            "problems": [], "warnings": []}


def extract_files(
    inputs,
    out="stats/",
    *,
    n_process: int = 1,
    chunk_size: int = 1000,
    progress: bool = True,
    errors: str = "warn",
    format: str = "auto",
    checksum: bool = False,
    extractor=None,
) -> BatchResult:
    r"""Extract the statistics of many files into partitioned Parquet, resumably.

    Each input is streamed record by record (PubMed XML, ``.gz`` or not, and
    every format :func:`evidextract.read` knows) and cut into chunks of
    ``chunk_size`` records; each chunk becomes one part in
    ``out/statistics/`` and one in ``out/records/``. Inputs are spread over
    ``n_process`` processes; each process builds its spaCy pipeline once.

    Parameters
    ----------
    inputs : path, or list of paths
        Files, or folders whose files are all read (sorted by path).
    out : path, default "stats/"
        Output folder; created if needed. A re-run into the same folder skips
        the inputs and chunks already done and redoes the rest.
    n_process : int, default 1
        Worker processes. 1 runs in the calling process.
    chunk_size : int, default 1000
        Records a part. Memory grows with it, not with the size of the inputs.
    progress : bool, default True
        Show a progress bar of records (and abstracts per second) on stderr.
    errors : {"warn", "raise"}, default "warn"
        ``"warn"``: a failed input is reported (manifest, warning, summary)
        and the run goes on. ``"raise"``: the run stops at the first failed
        input with :class:`BatchError` (after saving the manifest).
    format : str, default "auto"
        Format of the inputs, passed to :func:`evidextract.io.iter_records`.
    checksum : bool, default False
        Also identify inputs by SHA-256, not only by size and modification
        time, when deciding whether an earlier run already did them.
    extractor : callable, optional
        ``extractor(records_frame) -> statistics_frame``, a module-level
        function (worker processes import it). Default :func:`evidextract.extract`.

    Returns
    -------
    BatchResult
        ``.statistics()`` and ``.records()`` read the tables back,
        ``.failures`` lists failed inputs and problem records, ``.manifest``
        is the manifest, ``.ok`` is False when an input failed.

    Raises
    ------
    BatchError
        With ``errors="raise"``, at the first failed input.
    KeyboardInterrupt
        Re-raised after the manifest is saved: every finished part is kept
        and a re-run resumes.

    Notes
    -----
    The output does not depend on ``n_process``: part names come from the
    input file name and a hash of its path, rows keep the input order, and
    chunks are numbered as the input is read. With at least as many inputs
    as processes, each input is processed whole by one worker; with fewer,
    this process reads the inputs and spreads their chunks over the workers
    (at most two chunks a worker in flight). Workers are started by a
    forkserver (spawn on Windows) and build their spaCy pipeline once; the
    pool is renewed every 8 inputs a worker, which keeps the workers' memory
    from creeping. Memory
    is bounded by ``chunk_size``: records are streamed and each chunk is
    written before the next is read.

    Records are not merged across inputs as :func:`evidextract.read` does
    (``dedupe=True``): a streamed run cannot know what a later file holds.
    Drop duplicates from the records table afterwards if inputs overlap.

    A worker killed from outside (out of memory, ``kill -9``) fails the
    inputs it and the other workers had in hand; their finished parts are
    kept and a re-run does the rest.

    Every part is written to a temporary file in its folder, flushed with
    ``fsync`` and renamed over its final name, so a run killed at any moment
    leaves complete parts only; the temporary debris is removed by the next
    run. Each part's Parquet footer records the input's fingerprint (size,
    modification time), the chunk number, the extractor (name and version)
    and counts; a re-run reuses a part only when these match and it holds no
    record in error, so a changed input or a new extractor is redone.

    ``out/manifest.json`` lists each input with its fingerprint, status
    (``done`` or ``failed``), error, counts by record status, parts and up to
    50 problem records. Paths read from it are checked to stay inside
    ``out``. Parts of inputs that the previous run listed and this one does
    not are removed, so the folder always holds this run's inputs only.

    Examples
    --------
    >>> import json, tempfile
    >>> from pathlib import Path
    >>> import evidextract
    >>> folder = Path(tempfile.mkdtemp())
    >>> rows = [{"id": "1", "abstract": "Of 120 patients, 45 (37.5%) responded (p = 0.02)."}]
    >>> _ = (folder / "a.jsonl").write_text("\n".join(json.dumps(r) for r in rows))
    >>> run = evidextract.extract_files([folder / "a.jsonl"], out=folder / "stats",
    ...                                 progress=False)
    >>> run.ok, run.totals["records"]
    (True, 1)
    >>> sorted(p.name for p in (folder / "stats").iterdir())
    ['manifest.json', 'records', 'statistics']
    """
    if errors not in ("warn", "raise"):
        raise ValueError(f"errors must be 'warn' or 'raise', not {errors!r}")
    if int(chunk_size) < 1:
        raise ValueError(f"chunk_size must be at least 1, not {chunk_size!r}")
    if int(n_process) < 1:
        raise ValueError(f"n_process must be at least 1, not {n_process!r}")
    chunk_size, n_process = int(chunk_size), int(n_process)
    started = time.perf_counter()
    out = Path(out)
    for table in TABLES:
        (out / table).mkdir(parents=True, exist_ok=True)
    remove_temp_files(out)
    for debris in out.glob(".tmp-manifest-*"):
        debris.unlink()

    old, problem = load_manifest(out)
    if problem:
        warnings.warn(problem, BatchWarning, stacklevel=2)
    if old is not None and old.get("chunk_size") != chunk_size:
        old_entries = {}  # parts of another chunk size are redone (their footers say so)
    else:
        old_entries = {e.get("key"): e for e in (old or {}).get("inputs", [])
                       if isinstance(e, dict)}

    files = _expand(inputs, out)
    keys = [input_key(path) for path in files]
    _remove_stale_parts(out, old, set(keys))

    manifest = new_manifest(chunk_size)
    entries: list[dict] = []
    tasks: list[tuple[int, dict]] = []
    reused = 0
    for path, key in zip(files, keys, strict=True):
        try:
            fp = fingerprint(path, checksum)
        except OSError as exc:
            entries.append(_entry(path, key, "failed", f"cannot read input: {exc}", None))
            continue
        previous = old_entries.get(key)
        if previous is not None and _reusable(out, previous, fp, chunk_size, checksum,
                                              extractor_name(extractor)):
            entries.append({**previous, "path": str(path)})
            reused += 1
            continue
        entries.append(_entry(path, key, "pending", "not processed yet", fp))
        tasks.append((len(entries) - 1, {
            "key": key, "path": str(path), "out": str(out), "chunk_size": chunk_size,
            "format": format, "errors": errors, "checksum": checksum,
        }))
    manifest["inputs"] = entries

    def save():
        manifest["totals"] = _totals(entries)
        save_manifest(out, manifest)

    save()
    failures = [entry for entry in entries if entry["status"] == "failed"]
    for entry in failures:  # inputs missing or unreadable before the run started
        print(f"evidextract: FAILED {entry['path']}: {entry['error']}", file=sys.stderr)
    if failures and errors == "raise":
        tasks = []
    bar = _Progress(progress and bool(tasks))
    reused_parts = 0
    last_save = 0.0
    try:
        for position, result in _run_tasks(tasks, n_process, extractor, bar):
            entry = entries[position]
            reused_parts += result.get("reused_parts", 0)
            entry.update({k: v for k, v in result.items() if k != "reused_parts"})
            if entry["status"] != "done":
                print(f"evidextract: FAILED {entry['path']}: {entry['error']}", file=sys.stderr)
                failures.append(entry)
                if errors == "raise":
                    break
            if time.perf_counter() - last_save > _SAVE_EVERY:
                save()
                last_save = time.perf_counter()
    except KeyboardInterrupt:
        for entry in entries:
            if entry["status"] == "pending":
                entry.update(status="interrupted", error="interrupted (Ctrl-C) before it finished")
        save()
        bar.close()
        print("evidextract: interrupted; finished parts are kept, re-run the same command "
              "to resume", file=sys.stderr)
        raise
    finally:
        bar.close()
    for entry in entries:
        if entry["status"] == "pending":
            entry.update(status="failed", error="not processed: the run stopped at an earlier "
                         "failure (errors='raise')")
    save()
    result = BatchResult(out, manifest, time.perf_counter() - started, reused, bar.abstracts,
                         reused_parts)
    if failures:
        if errors == "raise":
            raise BatchError(f"{failures[0]['path']}: {failures[0]['error']} "
                             f"(manifest: {out / MANIFEST_NAME})")
        warnings.warn(f"{result.totals['failed']} of {result.totals['inputs']} inputs failed; "
                      "see .failures and the manifest", BatchWarning, stacklevel=2)
    return result


def _run_tasks(tasks, n_process, extractor, bar):
    """Yield ``(position, result)`` for each task as it finishes."""
    if not tasks:
        return
    if n_process == 1:
        from evidextract._batch._workers import default_extractor

        chosen = extractor or default_extractor
        for position, task in tasks:
            yield position, process_input(task, chosen, bar.update)
        return
    yield from _run_pool(tasks, n_process, extractor, bar)


def _worker_context():
    """Return the multiprocessing context of the workers: forkserver, else spawn.

    Both start workers without copying the caller's threads or state (the
    workers get theirs from :func:`init_worker`). Where the forkserver exists
    (Linux, macOS) it imports the worker module once and forks each worker
    from it, so starting or replacing a worker costs no new import of spaCy
    and pandas; Windows falls back to spawn.
    """
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["evidextract._batch._workers"])
        return context
    return multiprocessing.get_context("spawn")


def _run_pool(tasks, n_process, extractor, bar):
    """Run tasks on pools of worker processes, draining their progress reports.

    Workers are renewed by starting a fresh pool for every generation of
    ``n_process * _TASKS_PER_WORKER`` inputs. (``max_tasks_per_child`` would
    do it more smoothly, but ProcessPoolExecutor can then wait forever for a
    replacement worker: CPython gh-115634, in 3.11 to 3.15.0b3.)
    """
    context = _worker_context()
    progress_queue = context.Queue()
    try:
        if len(tasks) < n_process:
            # Fewer inputs than processes: read each input here and spread its
            # chunks over the workers, so that every process is busy.
            with _pool(context, n_process, extractor, progress_queue) as executor:
                for position, task in tasks:
                    split = SplitInput(task, executor.submit, 2 * n_process, bar.update)
                    yield position, split.run()
            return
        size = n_process * _TASKS_PER_WORKER
        for first in range(0, len(tasks), size):
            generation = tasks[first:first + size]
            with _pool(context, min(n_process, len(generation)), extractor,
                       progress_queue) as executor:
                yield from _run_generation(executor, generation, progress_queue, bar)
    finally:
        progress_queue.close()


@contextlib.contextmanager
def _pool(context, n_workers, extractor, progress_queue):
    """Yield a process pool; stop it at once, workers terminated, if its user fails."""
    executor = ProcessPoolExecutor(
        max_workers=n_workers, mp_context=context,
        initializer=init_worker, initargs=(extractor, progress_queue),
    )
    try:
        yield executor
    except BaseException:
        # Ctrl-C, errors="raise" or a closed generator: stop the workers now; the
        # parts they finished are complete, the half-written ones are temp files.
        executor.shutdown(wait=False, cancel_futures=True)
        # ProcessPoolExecutor has no public way to stop running workers before
        # Python 3.14 (terminate_workers); its process table is the way in.
        processes = list((getattr(executor, "_processes", None) or {}).values())
        for process in processes:
            process.terminate()
        for process in processes:
            process.join(5)
        raise
    executor.shutdown(wait=True)


def _run_generation(executor, tasks, progress_queue, bar):
    """Yield ``(position, result)`` for each input of one pool as it finishes."""
    pending = {executor.submit(run_task, task): position for position, task in tasks}
    while pending:
        done, _ = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
        _drain(progress_queue, bar)
        for future in sorted(done, key=pending.get):
            position = pending.pop(future)
            try:
                result = future.result()
            except BrokenProcessPool as exc:
                result = {"status": "failed",
                          "error": f"a worker process died (killed or out of memory): {exc}"}
            yield position, result
    _drain(progress_queue, bar)


def _drain(progress_queue, bar) -> None:
    while True:
        try:
            n_records, n_abstracts = progress_queue.get_nowait()
        except queue_module.Empty:
            return
        bar.update(n_records, n_abstracts)
