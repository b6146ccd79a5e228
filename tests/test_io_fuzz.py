"""Property tests: the readers on random and mutated input never raise and never lie.

Each property runs ``max_examples`` generated inputs (see the settings below): random bytes,
random Unicode, and truncated/mutated copies of every sample in ``tests/data/io`` and of the
seeds, read with format detection and with every reader forced on them.
"""

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evidextract.io import (
    FORMATS,
    RECORD_COLUMNS,
    STATUSES,
    html_to_text,
    normalize_text,
    read,
    split_sections,
)

DATA = Path(__file__).resolve().parent / "data" / "io"
SEEDS = Path(__file__).resolve().parents[1] / "data" / "seeds"
SAMPLES = sorted(DATA.iterdir()) + sorted(SEEDS.glob("*.txt"))
SAMPLE_BYTES = [p.read_bytes() for p in SAMPLES]
FUZZ = settings(max_examples=60, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def check_table(frame):
    assert tuple(frame.columns) == RECORD_COLUMNS
    assert set(frame["status"]) <= set(STATUSES)
    assert frame["record_id"].map(lambda x: isinstance(x, str) and x != "").all()
    assert frame["record_id"].is_unique
    for abstract, sections, status in zip(frame["abstract"], frame["sections"],
                                          frame["status"], strict=True):
        assert (status == "no_abstract") == (abstract == "" and status not in
                                             ("unreadable", "error"))
        previous_end = 0
        for _name, label, start, end in sections:
            assert previous_end <= start < end <= len(abstract)
            assert abstract[start:end].startswith(label)
            previous_end = end
    return frame


def read_quietly(data, **kwargs):
    return check_table(read(data, errors="ignore", **kwargs))


def random_bytes(data):
    first = read_quietly(data)
    assert first.equals(read_quietly(data))  # deterministic


def random_text(text):
    read_quietly(text.encode("utf-8", errors="surrogatepass"))


def mutated_sample(index, cut, mutations, format):
    data = bytearray(SAMPLE_BYTES[index][: int(len(SAMPLE_BYTES[index]) * cut)])
    for where, insert in mutations:
        position = int(len(data) * where)
        data[position : position + len(insert)] = insert
    data = bytes(data)
    first = read_quietly(data, format=format)
    assert first.equals(read_quietly(data, format=format))
    for warning in first.attrs["warnings"]:  # no reader may fail inside: only clean refusals
        assert "failed after" not in warning.message, warning


BYTES = (st.binary(max_size=3000),)
TEXT = (st.text(max_size=3000),)
MUTATIONS = (
    st.sampled_from(range(len(SAMPLES))),
    st.floats(min_value=0, max_value=1),
    st.lists(st.tuples(st.floats(min_value=0, max_value=1), st.binary(max_size=4)),
             max_size=6),
    st.sampled_from(["auto", *FORMATS]),
)
LONG = settings(FUZZ, max_examples=2000, derandomize=False)

test_io_fuzz_random_bytes = FUZZ(given(*BYTES)(random_bytes))
test_io_fuzz_random_text = FUZZ(given(*TEXT)(random_text))
test_io_fuzz_truncated_and_mutated_samples = FUZZ(given(*MUTATIONS)(mutated_sample))
test_io_fuzz_long_random_bytes = pytest.mark.slow(LONG(given(*BYTES)(random_bytes)))
test_io_fuzz_long_random_text = pytest.mark.slow(LONG(given(*TEXT)(random_text)))
test_io_fuzz_long_mutated_samples = pytest.mark.slow(LONG(given(*MUTATIONS)(mutated_sample)))


@pytest.mark.parametrize("path", SAMPLES, ids=[p.name for p in SAMPLES])
def test_io_fuzz_every_prefix_keeps_what_it_can(path):
    # Cutting a file never makes it lose records that sit wholly before the cut.
    data = path.read_bytes()
    full = read_quietly(data)
    for fraction in (0.25, 0.5, 0.75, 0.95):
        part = read_quietly(data[: int(len(data) * fraction)])
        assert len(part) <= len(full) + 1


@FUZZ
@given(st.text(alphabet=st.sampled_from(list("Results:METHODS BACKGROUND.ab \n:;")),
               max_size=400))
def test_io_fuzz_sections_spans_are_valid(text):
    sections = split_sections(text)
    previous_end = 0
    for name, label, start, end in sections:
        assert name in ("background", "objective", "methods", "results", "conclusion", "other")
        assert previous_end <= start < end <= len(text)
        assert text[start:end].startswith(label)
        previous_end = end
    assert sections == split_sections(text)


@FUZZ
@given(st.text(max_size=600))
def test_io_fuzz_normalize_is_idempotent_without_markup(text):
    once = normalize_text(text)
    assert "  " not in once and once == once.strip()
    if "<" not in text and "&" not in text:
        assert normalize_text(once) == once


ADVERSARIAL = {
    "long_digits": "1" * 200_000,
    "nested_parentheses": "(" * 50_000 + "p < 0.05" + ")" * 50_000,
    "repeated_plus_minus": "5 ± " * 40_000,
    "repeated_labels": "Results: " * 30_000,
    "unclosed_tags": "<p " * 30_000,
    "unclosed_tags_html": "<html><body>" + "<p " * 30_000,
    "nested_tags": "<p><strong><sup>" * 10_000 + "x" + "</sup></strong></p>" * 10_000,
    "copyright_runs": ". (c) 2020" * 20_000,
    "entities": "&amp;" * 40_000 + "&#x" + "1" * 10_000,
    "colons": ":" * 100_000,
    "unclosed_comments": "<!--" * 30_000,
    "unclosed_scripts": "<script>" * 30_000 + "</style>",
    "unclosed_meta": '<meta name="a" ' * 20_000,
}


@pytest.mark.parametrize("name", list(ADVERSARIAL))
def test_io_fuzz_adversarial_text_finishes(name):
    # Each would take minutes under catastrophic regex backtracking; here each is one pass.
    text = ADVERSARIAL[name]
    assert len(html_to_text(text)) <= len(text)
    split_sections(normalize_text(text))
    frame = read_quietly(text)
    assert len(frame) == 1
