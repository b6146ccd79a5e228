"""Batch extraction: throughput on 1 and 2 processes, peak memory at 1x and 10x input.

Reads ../shared/bench/abstracts.jsonl.gz in place, writes PubMed XML files made
from it into a temporary folder (never into the repository), and runs
``evidextract.extract_files`` on them, each configuration in a fresh Python
process so that its peak memory (parent and workers) is its own.

    .venv/bin/python benchmarks/bench_batch.py            # full (a few minutes)
    .venv/bin/python benchmarks/bench_batch.py --quick    # smaller inputs

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
import json, resource, sys, time
from evidextract import extract_files

if __name__ == "__main__":
    files, out, n_process, chunk_size = json.loads(sys.argv[1])
    start = time.perf_counter()
    run = extract_files(files, out=out, n_process=n_process, chunk_size=chunk_size,
                        progress=False)
    elapsed = time.perf_counter() - start
    kib = 1024 if sys.platform != "darwin" else 1
    print(json.dumps({
        "elapsed": elapsed,
        "abstracts": run.totals["abstracts"],
        "records": run.totals["records"],
        "statistics": run.totals["statistics"],
        "failed": run.totals["failed"],
        "parent_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * kib / 2**20,
        "worker_rss_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * kib / 2**20,
    }))
"""


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


def run(files: list[str], out: Path, n_process: int, chunk_size: int) -> dict:
    """Run one configuration in a fresh interpreter and return its figures."""
    argument = json.dumps([files, str(out), n_process, chunk_size])
    completed = subprocess.run([sys.executable, "-c", _RUNNER, argument], capture_output=True,
                               text=True, check=False, cwd=ROOT)
    if completed.returncode != 0:
        raise SystemExit(f"benchmark run failed:\n{completed.stderr}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller inputs")
    parser.add_argument("--chunk-size", type=int, default=250)
    args = parser.parse_args()
    files_n, per_file = (4, 250) if args.quick else (4, 750)  # throughput input
    mem_files, mem_per_file = (2, 150) if args.quick else (2, 300)  # memory input at 1x

    needed = max(files_n * per_file, 10 * mem_files * mem_per_file)
    records = load_abstracts(min(needed, 30_000))
    print(f"python {platform.python_version()}, {os.cpu_count()} cores, "
          f"corpus {CORPUS.name}: {len(records)} abstracts used")
    with tempfile.TemporaryDirectory(prefix="evidextract-bench-") as temp:
        temp = Path(temp)
        files = make_files(records, files_n, per_file, temp / "xml", "speed")
        size = sum(os.path.getsize(f) for f in files) / 2**20
        print(f"throughput input: {files_n} PubMed XML .gz files x {per_file} records "
              f"({size:.1f} MiB), chunk size {args.chunk_size}\n")

        results = {}
        for n_process in (1, 2):
            results[n_process] = run(files, temp / f"out{n_process}", n_process, args.chunk_size)
        one, two = results[1], results[2]
        rate = {n: r["abstracts"] / r["elapsed"] for n, r in results.items()}
        print(f"{'':32}{'1 process':>14}{'2 processes':>14}")
        print(f"{'wall time (s)':32}{one['elapsed']:14.1f}{two['elapsed']:14.1f}")
        print(f"{'abstracts/s':32}{rate[1]:14.0f}{rate[2]:14.0f}")
        print(f"{'statistics extracted':32}{one['statistics']:14d}{two['statistics']:14d}")
        print(f"{'peak RSS parent (MiB)':32}{one['parent_rss_mib']:14.0f}"
              f"{two['parent_rss_mib']:14.0f}")
        print(f"{'peak RSS largest worker (MiB)':32}{'(in parent)':>14}"
              f"{two['worker_rss_mib']:14.0f}")
        speedup = rate[2] / rate[1]
        print(f"speed-up 2 vs 1 process: {speedup:.2f}x (target >= 1.7x; wall times include "
              "process start-up and pipeline build; other work on this 2-core machine "
              "distorts it)\n")

        small = make_files(records, mem_files, mem_per_file, temp / "mem1", "mem1x")
        large = make_files(records, mem_files, 10 * mem_per_file, temp / "mem10", "mem10x")
        memory = {"1x": run(small, temp / "m1", 2, args.chunk_size),
                  "10x": run(large, temp / "m10", 2, args.chunk_size)}
        print(f"memory input: {mem_files} files x {mem_per_file} records (1x) and x "
              f"{10 * mem_per_file} records (10x), 2 processes, chunk size {args.chunk_size}")
        print(f"{'':32}{'1x':>14}{'10x':>14}")
        print(f"{'records':32}{memory['1x']['records']:14d}{memory['10x']['records']:14d}")
        for key, label in (("parent_rss_mib", "peak RSS parent (MiB)"),
                           ("worker_rss_mib", "peak RSS largest worker (MiB)")):
            print(f"{label:32}{memory['1x'][key]:14.0f}{memory['10x'][key]:14.0f}")
        growth = memory["10x"]["worker_rss_mib"] / memory["1x"]["worker_rss_mib"]
        print(f"worker peak memory 10x / 1x: {growth:.2f} (target: flat, ~1.0)\n")

        hours_per_core = PUBMED_BASELINE_RECORDS / rate[1] / 3600
        print(f"PubMed baseline ({PUBMED_BASELINE_RECORDS:,} records): projected "
              f"{hours_per_core:.0f} core-hours at {rate[1]:.0f} abstracts/s a core; "
              f"{PUBMED_BASELINE_RECORDS / rate[2] / 3600:.0f} h on this 2-core machine, "
              f"{hours_per_core / 32:.1f} h on 32 cores if scaling holds")
        print(f"(measured {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC)")


if __name__ == "__main__":
    main()
