"""The long fuzzing campaign: many thousands of generated inputs, then every bench abstract.

Usage::

    .venv/bin/python benchmarks/fuzz_long.py            # full campaign (about 16 minutes)
    .venv/bin/python benchmarks/fuzz_long.py --scale 0.1 --bench-limit 2000   # a quick look

Part 1 runs the generators of the CI fuzz tests (``tests/test_fuzz_*.py``) for many more
inputs, with a fixed random seed: random Unicode, statistics soup and mutated real abstracts
through ``extract``; random bytes and truncated/mutated/re-encoded real files through
``read`` and ``extract``; generated data sets through ``rma``. Each input is checked with the
same invariants as in CI; a failure is counted and its first examples printed, and the
campaign goes on. Atheris, when installed, adds a coverage-guided run of ``read``.

Part 2 reads all abstracts of ``../shared/bench/abstracts.jsonl.gz`` (30,463) with
``read`` and extracts them, checking that every record is accounted for, every offset holds,
p-values and proportions are in [0, 1], counts do not exceed totals, and reporting the
throughput and the slowest records per character (a linear-time check on real text).
"""

from __future__ import annotations

import argparse
import collections
import gzip
import random
import sys
import time
import traceback
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import test_fuzz_extract as fx  # noqa: E402
import test_fuzz_meta as fm  # noqa: E402
import test_fuzz_read as fr  # noqa: E402

import evidextract as ev  # noqa: E402
from evidextract.extract import make_pipeline  # noqa: E402
from evidextract.io import FORMATS  # noqa: E402

BENCH = ROOT.parent / "shared" / "bench" / "abstracts.jsonl.gz"
# Known, reported bugs (strict xfails in CI), counted apart from new failures. The four
# classes the first full run found (percentages outside 0-100 read as proportions, negative
# SDs after ±, decimals before a percent change read as counts) were fixed in 6227091.
KNOWN: dict = {}


class Tally:
    """Count inputs and failures by kind; keep the first examples of each failure."""

    def __init__(self):
        self.inputs = collections.Counter()
        self.failures = collections.Counter()
        self.examples = collections.defaultdict(list)

    def run(self, campaign: str, check, *args):
        self.inputs[campaign] += 1
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                check(*args)
        except Exception as exc:  # a campaign never stops on a failure
            key = f"{campaign}: {type(exc).__name__}: {str(exc).splitlines()[0][:100]}"
            self.failures[key] += 1
            if len(self.examples[key]) < 2:
                self.examples[key].append((repr(args)[:300], traceback.format_exc(limit=3)))

    def report(self):
        print(f"\n{'campaign':<34}{'inputs':>9}{'failures':>10}")
        for campaign, n in self.inputs.items():
            failed = sum(v for k, v in self.failures.items() if k.startswith(campaign + ":"))
            print(f"{campaign:<34}{n:>9}{failed:>10}")
        print(f"{'total':<34}{sum(self.inputs.values()):>9}{sum(self.failures.values()):>10}")
        for key, count in self.failures.most_common():
            print(f"\nFAILED x{count}: {key}")
            for args, trace in self.examples[key]:
                print(f"  input: {args}\n  {trace.strip().splitlines()[-1]}")


def _random_unicode(rng: random.Random, size: int) -> str:
    blocks = [(0x20, 0x7E), (0x00, 0x1F), (0xA0, 0x17F), (0x2000, 0x206F), (0x2190, 0x22FF),
              (0x0370, 0x03FF), (0x4E00, 0x4E80), (0xFFF0, 0xFFFF), (0x1F600, 0x1F64F)]
    chars = []
    for _ in range(rng.randint(0, size)):
        low, high = rng.choice(blocks)
        chars.append(chr(rng.randint(low, high)))
    return "".join(chars)


def _soup(rng: random.Random, joiner: str) -> str:
    return joiner.join(rng.choice(fx.FRAGMENTS) for _ in range(rng.randint(1, 80)))


def _mutate_text(rng: random.Random, text: str) -> str:
    i = rng.randint(0, len(text))
    j = rng.randint(i, len(text))
    return rng.choice([
        lambda: text[:j],
        lambda: text[:i] + text[j:],
        lambda: text[:j] + text[i:],
        lambda: text[j:] + text[:i],
        lambda: text[:i] + text[i:j].upper() + text[j:],
        lambda: text[:i] + rng.choice(fx.FRAGMENTS) * rng.randint(1, 300) + text[i:],
    ])()


def _mutate_bytes(rng: random.Random, data: bytes) -> bytes:
    n = len(data)
    i = rng.randint(0, n)
    j = rng.randint(i, n)
    kind = rng.randrange(7)
    if kind == 0:
        return data[:i]
    if kind == 1:
        return data[:i] + data[j:]
    if kind == 2:
        return data[:j] + data[i:]
    if kind == 3:
        return data[:i] + rng.choice(fr.JUNK) * rng.randint(1, 50) + data[i:]
    if kind == 4:
        flipped = bytearray(data)
        for _ in range(rng.randint(1, 30)):
            if flipped:
                flipped[rng.randrange(len(flipped))] ^= rng.randint(1, 255)
        return bytes(flipped)
    if kind == 5:
        return data.decode("utf-8", "replace").encode(rng.choice(["latin-1", "utf-16",
                                                                    "cp1252"]), "replace")
    packed = gzip.compress(data)
    return packed[: rng.randint(10, max(10, len(packed)))]


def _check_extract(texts):
    fx.extract_strict(texts)


def _check_pool(yi, vi, method):
    fm._fit_or_clear_error(yi, vi, method=method)


def part1(tally: Tally, scale: float, seed: int):
    rng = random.Random(seed)
    n = lambda base: max(1, int(base * scale))  # noqa: E731
    start = time.perf_counter()
    for _ in range(n(5000)):
        tally.run("extract/random-unicode", _check_extract, [_random_unicode(rng, 600)])
    for _ in range(n(5000)):
        tally.run("extract/statistics-soup", _check_extract, [_soup(rng, " ")])
    for _ in range(n(3000)):
        tally.run("extract/soup-without-spaces", _check_extract, [_soup(rng, "")])
    for _ in range(n(5000)):
        tally.run("extract/mutated-real-abstract", _check_extract,
                  [_mutate_text(rng, rng.choice(fx.REAL))])
    for _ in range(n(3000)):
        name, data = rng.choice(fr.SEEDS)
        tally.run("read+extract/mutated-file", fr.read_and_check, _mutate_bytes(rng, data),
                  name)
    for _ in range(n(2000)):
        size = rng.randint(0, 3000)
        data = bytes(rng.getrandbits(8) for _ in range(size))
        tally.run("read+extract/random-bytes", fr.read_and_check, data, "random.bin",
                  rng.choice(sorted(FORMATS) + ["auto"]))
    for _ in range(n(2000)):
        name, data = rng.choice(fr.SEEDS)
        tally.run("read+extract/forced-format", fr.read_and_check, data, name,
                  rng.choice(sorted(FORMATS)))
    for _ in range(n(3000)):
        k = rng.randint(2, 30)
        yi = np.array([rng.uniform(-5, 5) for _ in range(k)])
        vi = 10.0 ** np.array([rng.uniform(-6, 4) for _ in range(k)])
        tally.run("rma/generated-data", _check_pool, yi, vi, rng.choice(fm.METHODS))
    print(f"part 1: {sum(tally.inputs.values())} generated inputs in "
          f"{time.perf_counter() - start:.0f} s")


def part_atheris(seconds: int):
    try:
        import atheris  # noqa: F401
    except ImportError:
        print("atheris not installed: coverage-guided run skipped")
        return
    print("atheris is installed but its run is left to a separate process (it takes over "
          "sys.argv and never returns); run it with a harness if needed")


def _row_problems(stats: pd.DataFrame, abstracts: dict) -> collections.Counter:
    problems = collections.Counter()
    for row in stats.itertuples():
        abstract = abstracts[row.record_id]
        if abstract[row.start:row.end] != row.text:
            problems["offset does not give the text"] += 1
        value = row.value
        if row.stat == "p_value" and not pd.isna(value) and not 0 <= value <= 1:
            problems["p-value outside [0, 1]"] += 1
        if row.stat == "proportion" and not pd.isna(value) and not 0 <= value <= 1:
            key = ("proportion/percent above 1" if row.pattern_id == "proportion/percent"
                   else f"proportion outside [0, 1] ({row.pattern_id})")
            problems[key] += 1
        if not pd.isna(row.count) and not pd.isna(row.total) and row.count > row.total:
            problems[f"count above total ({row.pattern_id})"] += 1
    return problems


def part2(limit: int | None, per_record: bool):
    if not BENCH.is_file():
        print(f"{BENCH} not found: part 2 skipped")
        return
    with gzip.open(BENCH, "rt", encoding="utf-8") as handle:
        lines = sum(1 for line in handle if line.strip())
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        records = ev.read(BENCH, dedupe=False)
    read_seconds = time.perf_counter() - start
    print(f"\npart 2: {BENCH.name}: {lines} lines, {len(records)} records read in "
          f"{read_seconds:.0f} s; status {records['status'].value_counts().to_dict()}; "
          f"{len(records.attrs['warnings'])} warnings")
    if len(records) != lines:
        print(f"FAILED accounting: {lines} lines but {len(records)} records")
    if limit:
        records = records.head(limit)
    abstracts = dict(zip(records["record_id"], records["abstract"], strict=True))
    start = time.perf_counter()
    failed, problems, n_stats = [], collections.Counter(), 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for chunk in ev.extract(records, chunked=True, batch_size=500):
            failed.extend(list(chunk.attrs.get("failed", ())) if not isinstance(
                chunk.attrs.get("failed"), pd.DataFrame) else chunk.attrs["failed"].values)
            problems += _row_problems(chunk, abstracts)
            n_stats += len(chunk)
    seconds = time.perf_counter() - start
    n_abstracts = int((records["abstract"] != "").sum())
    print(f"extracted {n_abstracts} abstracts in {seconds:.0f} s ({n_abstracts / seconds:.0f} "
          f"abstracts/s), {n_stats} statistics, {len(failed)} records failed")
    for record_id, reason in failed[:10]:
        print(f"  FAILED record {record_id}: {reason}")
    for key, count in problems.most_common():
        known = " (known: " + KNOWN[key] + ")" if key in KNOWN else ""
        print(f"  {'KNOWN' if known else 'FAILED'} x{count}: {key}{known}")
    if per_record:
        nlp = make_pipeline()
        timings = []
        for record_id, abstract in abstracts.items():
            if not abstract:
                continue
            t0 = time.perf_counter()
            nlp(abstract)
            timings.append((time.perf_counter() - t0, len(abstract), record_id))
        per_char = sorted(((t / n * 1e6, t, n, rid) for t, n, rid in timings), reverse=True)
        median = float(np.median([p[0] for p in per_char]))
        print(f"time per record: median {np.median([t for t, _, _ in timings]) * 1e3:.1f} ms, "
              f"max {max(t for t, _, _ in timings) * 1e3:.0f} ms; per character: median "
              f"{median:.2f} us")
        for us, t, n, rid in per_char[:5]:
            print(f"  slowest per character: {rid}: {us:.2f} us/char ({t * 1e3:.0f} ms, "
                  f"{n} chars, {us / median:.1f} x the median)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0,
                        help="multiply the number of generated inputs (default 1: 28,000)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--bench-limit", type=int, default=None,
                        help="extract only the first N bench abstracts (default: all)")
    parser.add_argument("--no-per-record", dest="per_record", action="store_false",
                        help="skip the per-record timing pass over the bench abstracts")
    args = parser.parse_args()
    tally = Tally()
    part1(tally, args.scale, args.seed)
    part_atheris(60)
    tally.report()
    part2(args.bench_limit, args.per_record)


if __name__ == "__main__":
    main()
