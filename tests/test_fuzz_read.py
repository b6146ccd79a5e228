"""Read then extract, on random bytes and on truncated and mutated real files.

Seeds: the samples of ``tests/data`` (``io`` and ``fuzz``), the user's documents in
``data/seeds`` and the real exports of ``../shared/formats`` (read in place, mutated in
memory; never copied). Each generated input is read with format detection or with a format
forced on it, then extracted. Nothing but :class:`ReadError` (with ``errors="raise"``) may
escape; every record has a status and says why it is not ``ok``; every statistic's offsets
index into its record's abstract; reading is deterministic.
"""

import gzip
import warnings
from pathlib import Path

import pandas as pd
import pytest
from conftest import SHARED as SHARED_ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import evidextract as ev
from evidextract.io import FORMATS, RECORD_COLUMNS, STATUSES, ReadError

ROOT = Path(__file__).resolve().parents[1]
SHARED = SHARED_ROOT / "formats"
PREFIX = 30_000  # bytes of each seed kept, so one example stays well under a second
LOCAL = (sorted((ROOT / "tests" / "data" / "io").iterdir())
         + sorted((ROOT / "tests" / "data" / "fuzz").iterdir())
         + sorted((ROOT / "data" / "seeds").iterdir()))
SHARED_FILES = sorted(p for p in SHARED.glob("*") if p.name != "SOURCES.txt") \
    if SHARED.is_dir() else []
SEEDS = [(p.name, p.read_bytes()[:PREFIX]) for p in LOCAL + SHARED_FILES]
FUZZ = settings(max_examples=50, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
JUNK = [b"\x00", b"\xff\xfe", b"\xef\xbb\xbf", b"<", b"&", b"&#x0;", b"]]>", b"<!--", b"\r",
        b"\n\n", b"ER  -\n", b"TY  - JOUR\n", b"@article{", b'"', b"{", b"\x1b[31m",
        b"\xc3\x28", b"\xe2\x82", b"\xa0", b"\t"]


def _name(name: str) -> str:
    return name.rsplit("/", 1)[-1]


def read_and_check(data: bytes, name: str, format: str = "auto") -> pd.DataFrame:
    """Read ``data`` as a file called ``name``; check the records and their statistics."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import io as _io

        stream = _io.BytesIO(data)
        stream.name = name
        frame = ev.read(stream, format=format, errors="ignore")
        assert tuple(frame.columns) == RECORD_COLUMNS
        assert set(frame["status"]) <= set(STATUSES)
        assert frame["record_id"].map(lambda x: isinstance(x, str) and x != "").all()
        assert frame["record_id"].is_unique
        for status, message, abstract in zip(frame["status"], frame["message"],
                                             frame["abstract"], strict=True):
            if status != "ok":
                assert message, status  # every record that is not ok says why
            assert (status == "ok") == bool(abstract) or status in ("error", "unreadable")
        stats = ev.extract(frame, errors="raise")
    abstracts = dict(zip(frame["record_id"], frame["abstract"], strict=True))
    for row in stats.itertuples():
        assert abstracts[row.record_id][row.start:row.end] == row.text
    assert len(stats.attrs["failed"]) == 0
    return frame


def test_fuzz_read_seeds_found(shared_dir):
    assert len(SEEDS) >= 40
    assert len(SHARED_FILES) >= 25


@pytest.mark.parametrize("name,data", SEEDS, ids=[n for n, _ in SEEDS])
def test_fuzz_read_every_seed_reads_and_extracts_clean(name, data):
    read_and_check(data, name)


@FUZZ
@given(st.binary(max_size=2000), st.sampled_from(sorted(FORMATS) + ["auto"]))
def test_fuzz_read_random_bytes_any_format(data, format):
    read_and_check(data, "random.bin", format)


@FUZZ
@given(st.text(max_size=1000), st.sampled_from(["x.ris", "x.xml", "x.json", "x.csv", "x.txt"]))
def test_fuzz_read_random_unicode_with_a_promising_name(text, name):
    read_and_check(text.encode("utf-8", "replace"), name)


@FUZZ
@given(st.sampled_from(range(len(SEEDS))), st.data())
def test_fuzz_read_truncated_and_mutated_real_files(index, data):
    name, seed = SEEDS[index]
    n = len(seed)
    i = data.draw(st.integers(0, n), label="i")
    j = data.draw(st.integers(i, n), label="j")
    kind = data.draw(st.sampled_from(["truncate", "drop", "double", "junk", "flip", "latin1",
                                      "utf16", "gzip_cut"]), label="kind")
    if kind == "truncate":
        mutated = seed[:i]
    elif kind == "drop":
        mutated = seed[:i] + seed[j:]
    elif kind == "double":
        mutated = seed[:j] + seed[i:]
    elif kind == "junk":
        mutated = seed[:i] + data.draw(st.sampled_from(JUNK), label="junk") + seed[i:]
    elif kind == "flip":
        mutated = bytearray(seed)
        for position in data.draw(st.lists(st.integers(0, max(n - 1, 0)), max_size=20)):
            if mutated:
                mutated[position] ^= data.draw(st.integers(1, 255), label="mask")
        mutated = bytes(mutated)
    elif kind == "latin1":
        mutated = seed.decode("utf-8", "replace").encode("latin-1", "replace")
    elif kind == "utf16":
        mutated = seed.decode("utf-8", "replace").encode("utf-16")
    else:
        packed = gzip.compress(seed)
        mutated = packed[: max(10, len(packed) * i // max(n, 1))]
        name += ".gz"
    read_and_check(mutated, name)


@FUZZ
@given(st.sampled_from(range(len(SEEDS))), st.sampled_from(sorted(FORMATS)))
def test_fuzz_read_real_file_forced_into_the_wrong_format(index, format):
    name, seed = SEEDS[index]
    read_and_check(seed, name, format)


@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(range(len(SEEDS))), st.integers(0, PREFIX))
def test_fuzz_read_raise_mode_raises_only_read_error(index, cut):
    name, seed = SEEDS[index]
    import io as _io

    stream = _io.BytesIO(seed[:cut])
    stream.name = name
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            frame = ev.read(stream, errors="raise")
    except ReadError as exc:
        assert exc.warning.file and exc.warning.message
        return
    assert set(frame["status"]) <= {"ok", "no_abstract"}  # no problem: nothing to raise


@pytest.mark.parametrize("name,data", SEEDS[:: max(1, len(SEEDS) // 12)],
                         ids=[n for n, _ in SEEDS[:: max(1, len(SEEDS) // 12)]])
def test_fuzz_read_is_deterministic(name, data):
    first = read_and_check(data, name)
    second = read_and_check(data, name)
    pd.testing.assert_frame_equal(first, second)
