"""Batch extraction: throughput on 1 and 2 processes, peak memory at 1x and 10x input.

Reads ../shared/bench/abstracts.jsonl.gz in place, writes PubMed XML files made
from it into a temporary folder (never into the repository), and runs
``evidextract.extract_files`` on them, each configuration in a fresh Python
process so that its peak memory (parent and workers) is its own.

    .venv/bin/python benchmarks/bench_batch.py            # full (a few minutes)
    .venv/bin/python benchmarks/bench_batch.py --quick    # smaller inputs

Wall times include Python start-up, imports and the pipeline build: on a
2-core machine shared with other work they are distorted (the load average is
printed beside them); the CPU time and the rate net of start-up are steadier.

Targets (issue 6): 2 processes >= 1.7 x 1 process; peak memory flat from 1x to 10x.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "bench" / "abstracts.jsonl.gz"
PUBMED_BASELINE_RECORDS = 1300 * 30_000  # ~1,300 files of ~30,000 records

# Runs in a fresh interpreter: one extract_files call, then its figures as JSON.
_RUNNER = r"""
import json, os, resource, sys, threading, time
sys.path.insert(0, os.path.join(os.getcwd(), "benchmarks"))  # workers inherit it
from evidextract import extract_files

TICK = os.sysconf("SC_CLK_TCK")
seen = {}  # pid -> (peak RSS in KiB, CPU seconds, parent pid), for every descendant


def descendants():
    parents = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat") as fh:
                    parents[int(name)] = int(fh.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                pass
    found, frontier = {}, {os.getpid()}
    while frontier:
        frontier = {pid for pid, ppid in parents.items() if ppid in frontier} - set(found)
        found.update({pid: parents[pid] for pid in frontier})
    return found  # pid -> parent pid


def sample(stop):
    # Workers are forked by the forkserver, so getrusage(RUSAGE_CHILDREN) misses
    # them: read their peak RSS (VmHWM) and CPU time from /proc instead (Linux).
    while not stop.wait(0.1):
        for pid, ppid in descendants().items():
            try:
                with open(f"/proc/{pid}/status") as fh:
                    hwm = next(int(l.split()[1]) for l in fh if l.startswith("VmHWM"))
                with open(f"/proc/{pid}/stat") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
                cpu = (int(fields[11]) + int(fields[12])) / TICK
            except (OSError, StopIteration, IndexError, ValueError):
                continue
            old = seen.get(pid, (0, 0.0, ppid))
            seen[pid] = (max(old[0], hwm), max(old[1], cpu), ppid)


if __name__ == "__main__":
    files, out, n_process, chunk_size, null = json.loads(sys.argv[1])
    extractor = None
    if null:
        from bench_batch import null_extractor as extractor
    stop = threading.Event()
    sampler = threading.Thread(target=sample, args=(stop,), daemon=True)
    sampler.start()
    start = time.perf_counter()
    run = extract_files(files, out=out, n_process=n_process, chunk_size=chunk_size,
                        progress=False, extractor=extractor)
    elapsed = time.perf_counter() - start
    stop.set()
    sampler.join()
    own = resource.getrusage(resource.RUSAGE_SELF)
    # Direct children are the forkserver (it imports the worker module once) and
    # multiprocessing's resource tracker; the workers are the forkserver's children.
    workers = [v for v in seen.values() if v[2] != os.getpid()]
    print(json.dumps({
        "cpu": own.ru_utime + own.ru_stime + sum(v[1] for v in seen.values()),
        "load": os.getloadavg()[0],
        "elapsed": elapsed,
        "abstracts": run.totals["abstracts"],
        "records": run.totals["records"],
        "statistics": run.totals["statistics"],
        "failed": run.totals["failed"],
        "parent_rss_mib": own.ru_maxrss / 1024,
        "worker_rss_mib": max((v[0] for v in workers), default=0) / 1024,
    }))
"""


def null_extractor(records):
    """Extract nothing: what is left is the batch machinery (read XML, write parts)."""
    from evidextract.extract import extract

    return extract(records.iloc[0:0])


def load_abstracts(n: int) -> list[dict]:
    """Return the first ``n`` records of the corpus that have an abstract, with unique PMIDs."""
    records, seen = [], set()
    with gzip.open(CORPUS, "rt", encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            if not (row.get("abstract") or "").strip():
                continue
            pmid = str(row.get("pmid") or "")
            if not pmid.isdigit() or pmid in seen:
                pmid = str(90_000_000 + len(records))
            seen.add(pmid)
            records.append({"pmid": pmid, "title": row.get("title") or "",
                            "abstract": row["abstract"]})
            if len(records) == n:
                break
    return records


def make_files(records: list[dict], n_files: int, per_file: int, folder: Path,
               tag: str) -> list[str]:
    """Write ``n_files`` gzipped PubMed XML files of ``per_file`` records (cycling the corpus)."""
    from evidextract._batch._pubmed_xml import write_pubmed_xml

    folder.mkdir(parents=True, exist_ok=True)
    files, position = [], 0
    for number in range(n_files):
        chunk = []
        for _ in range(per_file):
            record = dict(records[position % len(records)])
            if position >= len(records):  # a repeated abstract gets its own PMID
                record["pmid"] = str(80_000_000 + position)
            chunk.append(record)
            position += 1
        path = folder / f"{tag}{number + 1:04d}.xml.gz"
        write_pubmed_xml(chunk, path)
        files.append(str(path))
    return files


def same_parts(left: Path, right: Path) -> bool:
    """Return True when two output folders hold the same parts, byte for byte."""
    names = sorted(p.relative_to(left) for p in left.glob("*/*.parquet"))
    if names != sorted(p.relative_to(right) for p in right.glob("*/*.parquet")):
        return False
    return all((left / n).read_bytes() == (right / n).read_bytes() for n in names)


def run(files: list[str], out: Path, n_process: int, chunk_size: int, null=False) -> dict:
    """Run one configuration in a fresh interpreter and return its figures."""
    argument = json.dumps([files, str(out), n_process, chunk_size, null])
    start = time.perf_counter()
    completed = subprocess.run([sys.executable, "-c", _RUNNER, argument], capture_output=True,
                               text=True, check=False, cwd=ROOT)
    total = time.perf_counter() - start
    if completed.returncode != 0:
        raise SystemExit(f"benchmark run failed:\n{completed.stderr}")
    figures = json.loads(completed.stdout.strip().splitlines()[-1])
    figures["total"] = total  # the whole command: interpreter, imports, run
    return figures


def run_two_independent(files: list[str], out: Path, chunk_size: int) -> dict:
    """Run two single-process commands at once, on half the files each: the machine's ceiling.

    No scheme of two processes can beat two independent ones; on a machine
    shared with other work their speed-up over one process shows how much
    parallelism is actually available at the time.
    """
    half = len(files) // 2
    start = time.perf_counter()
    processes = [
        subprocess.Popen([sys.executable, "-c", _RUNNER,
                          json.dumps([part, str(out / str(n)), 1, chunk_size, False])],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
        for n, part in enumerate((files[:half], files[half:]))
    ]
    outputs = [process.communicate() for process in processes]
    total = time.perf_counter() - start
    if any(process.returncode for process in processes):
        raise SystemExit(f"benchmark run failed:\n{outputs}")
    figures = [json.loads(stdout.strip().splitlines()[-1]) for stdout, _ in outputs]
    return {"total": total, "elapsed": max(f["elapsed"] for f in figures),
            "abstracts": sum(f["abstracts"] for f in figures),
            "cpu": sum(f["cpu"] for f in figures), "load": figures[0]["load"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller inputs")
    parser.add_argument("--chunk-size", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=2,
                        help="alternating rounds of the throughput runs; the fastest is kept")
    args = parser.parse_args()
    files_n, per_file = (4, 60) if args.quick else (4, 1500)  # throughput input
    mem_files, mem_per_file = (2, 40) if args.quick else (2, 100)  # memory input at 1x

    needed = max(files_n * per_file, 10 * mem_files * mem_per_file)
    records = load_abstracts(min(needed, 30_000))
    print(f"python {platform.python_version()}, {os.cpu_count()} cores, "
          f"corpus {CORPUS.name}: {len(records)} abstracts used")
    with tempfile.TemporaryDirectory(prefix="evidextract-bench-") as temp:
        temp = Path(temp)
        files = make_files(records, files_n, per_file, temp / "xml", "speed")
        tiny = make_files(records, 2, 1, temp / "tiny", "tiny")
        size = sum(os.path.getsize(f) for f in files) / 2**20
        print(f"throughput input: {files_n} PubMed XML .gz files x {per_file} records "
              f"({size:.1f} MiB), chunk size {args.chunk_size}\n")

        results, startup = {}, {}
        # Rounds alternate the configurations; the fastest round of each is kept,
        # as other work on a shared machine only ever slows a run down.
        ceiling = None
        for round_ in range(args.rounds):
            for n_process in (1, 2):
                tiny_run = run(tiny, temp / f"tiny{n_process}-{round_}", n_process,
                               args.chunk_size)
                startup[n_process] = min(startup.get(n_process, 1e9), tiny_run["elapsed"])
                figures = run(files, temp / f"out{n_process}-{round_}", n_process,
                              args.chunk_size)
                if n_process not in results or figures["total"] < results[n_process]["total"]:
                    results[n_process] = figures
            control = run_two_independent(files, temp / f"independent-{round_}",
                                          args.chunk_size)
            if ceiling is None or control["total"] < ceiling["total"]:
                ceiling = control
        machinery = run(files, temp / "null", 1, args.chunk_size, null=True)
        one, two = results[1], results[2]
        rate = {n: r["abstracts"] / r["total"] for n, r in results.items()}
        net = {n: r["abstracts"] / max(r["elapsed"] - startup[n], 1e-9)
               for n, r in results.items()}
        print(f"fastest of {args.rounds} alternating rounds")
        print(f"{'':34}{'1 process':>14}{'2 processes':>14}")
        print(f"{'wall time, whole command (s)':34}{one['total']:14.1f}{two['total']:14.1f}")
        print(f"{'  of which extract_files (s)':34}{one['elapsed']:14.1f}{two['elapsed']:14.1f}")
        print(f"{'start-up: 2 one-record files (s)':34}{startup[1]:14.1f}{startup[2]:14.1f}")
        print(f"{'abstracts/s (whole command)':34}{rate[1]:14.1f}{rate[2]:14.1f}")
        print(f"{'abstracts/s (net of start-up)':34}{net[1]:14.1f}{net[2]:14.1f}")
        print(f"{'CPU s, parent + workers':34}{one['cpu']:14.1f}{two['cpu']:14.1f}")
        print(f"{'statistics extracted':34}{one['statistics']:14d}{two['statistics']:14d}")
        print(f"{'peak RSS parent (MiB)':34}{one['parent_rss_mib']:14.0f}"
              f"{two['parent_rss_mib']:14.0f}")
        print(f"{'peak RSS largest worker (MiB)':34}{'(in parent)':>14}"
              f"{two['worker_rss_mib']:14.0f}")
        print(f"{'load average (1 min) after run':34}{one['load']:14.2f}{two['load']:14.2f}")
        print(f"speed-up 2 vs 1 process: {rate[2] / rate[1]:.2f}x whole command, "
              f"{net[2] / net[1]:.2f}x net of start-up (target >= 1.7x); CPU ratio "
              f"{two['cpu'] / one['cpu']:.2f} (1.0 = no parallel overhead). Other work on this "
              "2-core machine distorts wall times: see the load average.")
        ceiling_rate = ceiling["abstracts"] / ceiling["total"]
        print(f"control: two independent 1-process commands at once, half the files each: "
              f"{ceiling['total']:.1f} s, {ceiling_rate:.1f} abstracts/s = "
              f"{ceiling_rate / rate[1]:.2f}x one process (the parallelism this machine "
              f"offered; load {ceiling['load']:.2f}); extract_files(n_process=2) reached "
              f"{rate[2] / ceiling_rate:.0%} of it")
        print(f"parts of 1 and 2 processes byte-identical: "
              f"{same_parts(temp / 'out1-0', temp / 'out2-0')}")
        single = make_files(records, 1, per_file, temp / "single", "single")
        alone = {n: run(single, temp / f"single{n}", n, args.chunk_size) for n in (1, 2)}
        print(f"one file of {per_file} records (2 processes: this process reads it and spreads "
              f"its chunks): {alone[1]['total']:.1f} s on 1 process, {alone[2]['total']:.1f} s "
              f"on 2 = {alone[1]['total'] / alone[2]['total']:.2f}x; parts byte-identical: "
              f"{same_parts(temp / 'single1', temp / 'single2')}")
        print(f"batch machinery alone (read XML, write parts; extractor returns nothing), "
              f"1 process: {machinery['abstracts'] / machinery['elapsed']:.0f} abstracts/s wall, "
              f"{machinery['abstracts'] / max(machinery['elapsed'] - startup[1], 1e-9):.0f} net\n")

        small = make_files(records, mem_files, mem_per_file, temp / "mem1", "mem1x")
        large = make_files(records, mem_files, 10 * mem_per_file, temp / "mem10", "mem10x")
        # chunk size = the 1x file: the 10x files are 10 chunks each
        memory = {"1x": run(small, temp / "m1", 2, mem_per_file),
                  "10x": run(large, temp / "m10", 2, mem_per_file)}
        print(f"memory input: {mem_files} files x {mem_per_file} records (1x) and x "
              f"{10 * mem_per_file} records (10x), 2 processes, chunk size {mem_per_file}")
        print(f"{'':32}{'1x':>14}{'10x':>14}")
        print(f"{'records':32}{memory['1x']['records']:14d}{memory['10x']['records']:14d}")
        for key, label in (("parent_rss_mib", "peak RSS parent (MiB)"),
                           ("worker_rss_mib", "peak RSS largest worker (MiB)")):
            print(f"{label:32}{memory['1x'][key]:14.0f}{memory['10x'][key]:14.0f}")
        growth = memory["10x"]["worker_rss_mib"] / memory["1x"]["worker_rss_mib"]
        print(f"worker peak memory 10x / 1x: {growth:.2f} (target: flat, ~1.0); worker "
              "figures are sampled from /proc (VmHWM), CPU includes the forkserver\n")

        per_core = one["abstracts"] / one["cpu"]  # CPU-bound: abstracts per CPU second
        hours_per_core = PUBMED_BASELINE_RECORDS / per_core / 3600
        print(f"PubMed baseline ({PUBMED_BASELINE_RECORDS:,} records): {per_core:.1f} abstracts "
              f"per CPU second -> projected {hours_per_core:,.0f} core-hours; "
              f"{hours_per_core / 2:,.0f} h on 2 idle cores, {hours_per_core / 32:,.1f} h on 32 "
              "cores if scaling holds (start-up is seconds a process, negligible at this scale)")
        print(f"(measured {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC)")


if __name__ == "__main__":
    main()
