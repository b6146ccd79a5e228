"""Tests of the statistics extractor: dev gold rows, golden cases, bad input, invariants."""

import importlib
import json
import math
import time
import warnings

import numpy as np
import pandas as pd
import pytest
import spacy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from spacy.matcher import Matcher

import evidextract as ee
from evidextract.extract import COLUMNS, ExtractWarning
from evidextract.extract._patterns import PATTERN_FILES, load_patterns
from evidextract.extract._sparse import SparseMatcher
from evidextract.extract._tokens import token_table
from tests.conftest import DATA

FRACTIONS = {"proportion", "sensitivity", "specificity", "accuracy", "i2"}
NUMERIC = ["sd", "se", "ci_low", "ci_high", "ci_level", "range_low", "range_high", "iqr_low",
           "iqr_high", "count", "total", "timepoint_days"]
CASES = [json.loads(line) for line in (DATA / "extraction_cases.jsonl").read_text("utf-8")
         .splitlines() if line.strip()]


def _missing(x):
    return x is None or x is pd.NA or (isinstance(x, float) and math.isnan(x))


def _same_number(stat, field, want, got):
    if _missing(got):
        return False
    if field == "timepoint_days":
        return abs(got - want) <= max(0.5, 0.02 * abs(want))
    if stat in FRACTIONS and field in ("value", "ci_low", "ci_high"):
        return abs(got - want) <= 0.0005 + 1e-9
    return abs(float(got) - want) <= 1e-6 * max(1.0, abs(want))


def _row_matches(gold, row):
    if row["stat"] != gold["stat"] or not _same_number(gold["stat"], "value", gold["value"],
                                                       row["value"]):
        return False
    for field in NUMERIC:
        if field in gold and not _same_number(gold["stat"], field, gold[field], row[field]):
            return False
    return gold.get("comparator", "=") == (row["comparator"] if not _missing(row["comparator"])
                                           else "=")


@pytest.fixture(scope="module")
def dev(shared_dir):
    folder = shared_dir / "eval" / "dev"
    records = [json.loads(x) for x in (folder / "records.jsonl").read_text("utf-8").splitlines()]
    gold = [json.loads(x) for x in (folder / "gold.jsonl").read_text("utf-8").splitlines()]
    table = ee.extract([{"record_id": r["id"], "abstract": r["abstract"]} for r in records])
    return records, gold, table


def test_extract_dev_gold_every_row_found_with_its_fields(dev):
    """Each gold statistic has its own predicted row: stat, value and every stated number."""
    _, gold, table = dev
    by_record = {rid: frame.to_dict("records") for rid, frame in table.groupby("record_id")}
    for rid in {g["record_id"] for g in gold}:
        rows = list(by_record.get(rid, []))
        for g in [g for g in gold if g["record_id"] == rid]:
            hit = next((r for r in rows if _row_matches(g, r)), None)
            assert hit is not None, f"{rid}: no row for {g}"
            rows.remove(hit)


def test_extract_dev_gold_no_extra_rows(dev):
    _, gold, table = dev
    assert len(table) == len(gold)
    assert table.groupby("record_id").size().to_dict() == pd.Series(
        [g["record_id"] for g in gold]).value_counts().to_dict()


def test_extract_dev_offsets_sentences_and_sections(dev):
    records, _, table = dev
    text = {r["id"]: r["abstract"] for r in records}
    for row in table.itertuples():
        assert text[row.record_id][row.start:row.end] == row.text
        assert row.text in row.sentence and row.sentence in text[row.record_id]
    nrs = table[(table.record_id == "10.1007/s00330-021-08477-6") & (table.stat == "mean")]
    assert set(nrs.section) == {"results"}
    unstructured = table[table.record_id == "10.1007/s00256-024-04722-3"]
    assert unstructured.section.isna().all()


def test_extract_dev_pain_scores_timepoints(dev):
    _, _, table = dev
    vas = table[(table.record_id == "10.1007/s00330-013-3071-z") & (table.stat == "mean")]
    assert vas.timepoint_days.tolist() == [0.0, 3.0, 30.4375, 91.3125]
    assert set(vas.outcome) == {"VAS"}
    nrs = table[(table.record_id == "10.1007/s00330-021-08477-6") & (table.outcome == "NRS")
                & (table.stat == "mean")]
    assert nrs.timepoint.tolist() == ["baseline", "24 h", "1 month", "last available follow-up"]
    assert nrs.timepoint_days.iloc[:3].tolist() == [0.0, 1.0, 30.4375]
    assert pd.isna(nrs.timepoint_days.iloc[3])
    assert nrs.total.tolist() == [64, 64, 64, 64]


def test_extract_p_value_linked_to_the_row_it_tests(dev):
    _, _, table = dev
    rec = table[table.record_id == "10.1007/s00330-021-08477-6"].reset_index(drop=True)
    p = rec[rec.stat == "p_value"]
    assert len(p) == 3
    for row in p.itertuples():
        tested = rec[rec.start == row.link_id]
        assert tested.stat.tolist() == ["mean"]
        assert tested.timepoint.iloc[0] == row.timepoint


@pytest.mark.parametrize("case", CASES, ids=[c["text"][:40] for c in CASES])
def test_extract_golden_cases(case):
    table = ee.extract(case["text"])
    rows = table.to_dict("records")
    assert len(rows) == len(case["expected"]), table[["text", "stat", "value"]]
    for want, got in zip(case["expected"], rows, strict=True):
        for key, value in want.items():
            if isinstance(value, str):
                assert got[key] == value, (key, got)
            else:
                assert _same_number(want["stat"], key, value, got[key]), (key, got)


def test_extract_columns_and_dtypes_never_depend_on_input():
    empty = ee.extract([])
    one = ee.extract("We studied 12 patients (p < 0.05).")
    assert list(empty.columns) == list(COLUMNS) == list(one.columns)
    assert (empty.dtypes == one.dtypes).all()
    assert str(one.dtypes["start"]) == "Int64" and str(one.dtypes["stat"]) == "category"
    assert set(one.stat.cat.categories) == set(ee.extract("").stat.cat.categories)


def test_extract_accepts_dataframe_with_sections_and_dicts():
    text = "Methods: We saw 12 patients. Results: Pain fell (p = 0.02)."
    frame = pd.DataFrame({"record_id": ["a"], "abstract": [text],
                          "sections": [[("methods", "Methods", 0, 28), ("results", "Results",
                                                                         29, len(text))]]})
    table = ee.extract(frame)
    assert table.record_id.tolist() == ["a", "a"]
    assert table.section.tolist() == ["methods", "results"]
    dicts = ee.extract([{"id": "b", "abstract": text}])
    assert dicts.record_id.tolist() == ["b", "b"]


def test_extract_empty_abstract_in_records_table_gives_no_rows():
    frame = pd.DataFrame({"record_id": ["empty", "blank", "ok"],
                          "abstract": ["", "   ", "We included 12 patients."],
                          "sections": [[], None, []]})
    table = ee.extract(frame, errors="raise")
    assert table.record_id.tolist() == ["ok"]
    assert table.value.tolist() == [12.0]
    assert len(table.attrs["failed"]) == 0


@pytest.mark.parametrize("encode", [json.dumps, repr, lambda s: "garbage [", lambda s: "[1, 2]"])
def test_extract_sections_read_back_from_csv_as_text(encode, tmp_path):
    text = "Methods: We saw 12 patients. Results: Pain fell (p = 0.02)."
    sections = [("methods", "Methods", 0, 28), ("results", "Results", 29, len(text))]
    path = tmp_path / "records.csv"
    pd.DataFrame({"record_id": ["a"], "abstract": [text],
                  "sections": [encode(sections)]}).to_csv(path, index=False)
    table = ee.extract(pd.read_csv(path), errors="raise")
    # decoded when well formed, recomputed from the text otherwise: the same sections
    assert table.section.tolist() == ["methods", "results"]
    assert table.value.tolist() == [12.0, 0.02]


def test_extract_chunked_yields_tables_with_global_index():
    texts = [f"We included {n} patients." for n in range(10, 15)]
    chunks = list(ee.extract(texts, chunked=True, batch_size=2))
    assert [len(c) for c in chunks] == [2, 2, 1]
    whole = pd.concat(chunks)
    assert whole.index.tolist() == [0, 1, 2, 3, 4]
    assert whole.value.tolist() == [10.0, 11.0, 12.0, 13.0, 14.0]
    assert whole.record_id.tolist() == ["0", "1", "2", "3", "4"]


def test_extract_bad_record_reported_others_processed(monkeypatch):
    records = [{"record_id": "ok", "abstract": "We studied 12 patients."},
               {"record_id": "bad", "abstract": 42},
               {"record_id": "boom", "abstract": "We studied 13 patients."}]
    from evidextract.extract import _grammar

    real = _grammar.scan_sentence

    def failing(index, lo, hi):
        if "13" in index.texts[lo:hi]:
            raise RuntimeError("broken rule")
        return real(index, lo, hi)

    components = importlib.import_module("evidextract.extract._components")
    monkeypatch.setattr(components, "scan_sentence", failing)
    with pytest.warns(ExtractWarning) as caught:
        table = ee.extract(records)
    assert sorted(str(w.message).split("'")[1] for w in caught) == ["bad", "boom"]
    assert table.record_id.tolist() == ["ok"]
    failed = pd.DataFrame(table.attrs["failed"])
    assert failed.record_id.tolist() == ["bad", "boom"]
    assert "broken rule" in failed.reason.iloc[1]
    with pytest.raises(RuntimeError, match="broken rule"):
        ee.extract(records[2:], errors="raise")


ADVERSARIAL = {
    "empty": "",
    "digits": "1" * 10_000,
    "unbalanced": "Pain (range 0-10 was (( 4.5 ± [ 2.1 (p < 0.05 " * 200,
    "pm_alone": "The value was ± and ±. Then 4.5 ±",
    "mojibake": "Mean age was 61.8 Â± 4.2 years; 45 patients (Ã©tude) â€“ p â‰¤ 0.05.",
    "control": "We saw\x00 12\x07 patients\x1b (p\x0c< 0.05).\x7f",
    "big": ("Among 64 (64/74; 86.5%) patients, NRS fell from 6.8 ± 2.2 (range, 0–10) at "
            "baseline to 4.1 ± 2.4 (p < 0.0001) at 24 h. ") * 9000,
}


@pytest.mark.parametrize("name", list(ADVERSARIAL))
def test_extract_bad_input_never_raises(name):
    text = ADVERSARIAL[name]
    table = ee.extract([text], errors="raise")
    for row in table.itertuples():
        assert text[row.start:row.end] == row.text
    if name == "big":
        assert len(text) > 1_000_000 and len(table) == 9000 * 4


def _seconds(text):
    t0 = time.perf_counter()
    ee.extract([text], errors="raise")
    return time.perf_counter() - t0


@pytest.mark.parametrize("unit", [
    "(((( 4.5 ± ", "1" * 50 + " ", "p < 0.05 - ", "12 patients (12/20; 60%) ",
    "aged 18-100 years ", "- 1.2 to - 3.4, "])
def test_extract_adversarial_time_is_linear(unit):
    ee.extract("warm up 1 patient.")
    small = unit * 2000
    base = min(_seconds(small) for _ in range(2))
    double = min(_seconds(small * 2) for _ in range(2))
    assert double < 3.5 * base + 0.05, (base, double)


WORDS = ["patients", "(", ")", "[", "]", ";", ",", ".", "±", "p", "<", "=", "%", "95%", "CI",
         "to", "-", "–", "range", "IQR", "mean", "median", "SD", "at", "baseline", "months",
         "OR", "HR", "AUC", "of", "n", "/", "Thirty-four", "weeks", "mg/ml", "\n", "Results:"]
TOKENS = st.one_of(st.sampled_from(WORDS),
                   st.floats(-100, 1000, allow_nan=False).map(lambda v: f"{v:.2f}"),
                   st.integers(0, 3000).map(str), st.text(max_size=3))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(TOKENS, st.sampled_from([" ", "", "  "])), max_size=60))
def test_extract_offsets_invariant_and_deterministic(parts):
    text = "".join(t + s for t, s in parts)
    first = ee.extract([text], errors="raise")
    for row in first.itertuples():
        assert text[row.start:row.end] == row.text
    second = ee.extract([text], errors="raise")
    pd.testing.assert_frame_equal(first, second)


@pytest.mark.parametrize("name", PATTERN_FILES)
def test_extract_pattern_files_validate_in_spacy(name):
    patterns = load_patterns(name)
    assert patterns
    matcher = Matcher(spacy.blank("en").vocab, validate=True)
    for p in patterns:
        assert set(p) == {"label", "pattern", "id"}
        matcher.add(f"{p['label']}|{p['id']}", [p["pattern"]])


def test_extract_sparse_matcher_agrees_with_spacy_matcher(dev):
    records, _, _ = dev
    nlp = ee.make_pipeline()
    patterns = [(f"{p['label']}|{p['id']}", p["pattern"]) for name in PATTERN_FILES
                for p in load_patterns(name)]
    reference = Matcher(nlp.vocab)
    for key, pattern in patterns:
        reference.add(key, [pattern])
    sparse = SparseMatcher(patterns)
    for record in records:
        doc = nlp.make_doc(record["abstract"])
        texts, _, _ = token_table(doc)
        lowers = [t.lower() for t in texts]
        from evidextract.extract._numbers import parse_number

        longest = {}
        for m, s, e in reference(doc):
            key = (nlp.vocab.strings[m], s)
            longest[key] = max(longest.get(key, 0), e)
        numbers = [parse_number(t) for t in texts]
        ours = {(k, s): e for k, s, e in sparse.match(texts, lowers, numbers)}
        assert ours == longest
        component = nlp.get_pipe("evidextract_stats")
        anchored = [s for matcher in component.phrases.values() for m, s, _ in matcher(doc)
                    if nlp.vocab.strings[m] == "evidextract_anchor"]
        own = component.matcher
        assert own.match(texts, lowers, numbers, anchored) == own.match(texts, lowers, numbers)


@pytest.mark.parametrize("text, tokens", [
    ("p<.001", ["p", "<", ".001"]),
    ("73.7±4.5", ["73.7", "±", "4.5"]),
    ("95%CI 0.61-0.85", ["95", "%", "CI", "0.61", "-", "0.85"]),
    ("0·72 −2.00 1,267", ["0·72", "−2.00", "1,267"]),
    ("45∼50 mg/ml", ["45", "∼", "50", "mg", "/", "ml"]),
    ("4.5° (± 1.2", ["4.5", "°", "(", "±", "1.2"]),
    ("+/-3.2 (34/64; 53.1%)", ["+/-", "3.2", "(", "34", "/", "64", ";", "53.1", "%", ")"]),
    # brackets glued to numbers, as typeset by some journals
    ("65(±7) years", ["65", "(", "±", "7", ")", "years"]),
    ("97%(87 to 99)", ["97", "%", "(", "87", "to", "99", ")"]),
    ("12.8(±12.4)ng/mL", ["12.8", "(", "±", "12.4", ")", "ng", "/", "mL"]),
    ("0.81[0.72-0.90]", ["0.81", "[", "0.72", "-", "0.90", "]"]),
    ("CD4(+) IL-6(-174)", ["CD4", "(", "+", ")", "IL-6", "(", "-174", ")"]),
])
def test_extract_tokenizer_rules(text, tokens):
    assert [t.text for t in ee.make_pipeline().tokenizer(text)] == tokens


@pytest.mark.parametrize("glued, spaced, text", [
    ("Mean age was 65(±7) years.", "Mean age was 65 (±7) years.", "65(±7) years"),
    ("Sensitivity was 97%(87 to 99).", "Sensitivity was 97% (87 to 99).", "97%(87 to 99)"),
    ("AUC was 0.81[0.72-0.90].", "AUC was 0.81 [0.72-0.90].", "0.81[0.72-0.90]"),
])
def test_extract_glued_brackets_read_as_spaced(glued, spaced, text):
    columns = ["stat", "value", "sd", "ci_low", "ci_high"]
    got = ee.extract(glued)
    assert got["text"].tolist() == [text]
    assert got[columns].equals(ee.extract(spaced)[columns])


@pytest.mark.parametrize("sentence, text, stat, unit", [
    ("Mean age was 62.3 (SD 8.1) years.", "62.3 (SD 8.1) years", "mean", "years"),
    ("Median follow-up was 14 (IQR 8-20) months.", "14 (IQR 8-20) months", "median", "months"),
    ("The median PFS was 8.2 (95% CI 6.1-10.3) months.", "8.2 (95% CI 6.1-10.3) months",
     "median", "months"),
    ("Mean volume was 45.9 (± 52.0) cm3.", "45.9 (± 52.0) cm3", "mean", "cm3"),
])
def test_extract_unit_after_attached_brackets(sentence, text, stat, unit):
    row = ee.extract(sentence).iloc[0]
    assert (row["text"], row["stat"], row["unit"]) == (text, stat, unit)


def test_extract_brackets_after_a_unit_belong_to_the_next_statistic():
    # PMID 14712405: the unit ends the median's attachments; "(41%" is a proportion of its own.
    rows = ee.extract("Median age was 49 (1 - 94) years (41% women).")
    assert rows[["text", "stat", "value"]].values.tolist() == [
        ["49 (1 - 94) years", "median", 49.0], ["41% women", "proportion", 0.41]]


@pytest.mark.parametrize("sentence, rows", [
    # An interquartile range goes with a median, named or not.
    ("NRS was 8 (IQR 7-9) at baseline.", [("8 (IQR 7-9)", "median", 8.0, 7.0, None)]),
    # A length of time with its spread or CI is a value, of the mean or median named before.
    ("The follow-up was 14 months (IQR 8-20).",
     [("14 months (IQR 8-20)", "median", 14.0, 8.0, None)]),
    ("The median PFS was 5.9 months (95% CI, 4.5-7.3) in the FOLFIRI group and 7.0 months "
     "(95% CI, 5.4-8.6) in the simvastatin group.",
     [("5.9 months (95% CI, 4.5-7.3)", "median", 5.9, None, 4.5),
      ("7.0 months (95% CI, 5.4-8.6)", "median", 7.0, None, 5.4)]),
    # A length of time spanned or set is no value: the CI is the weight gain's.
    ("a weight gain of 1.0 kg over 2 years (99% CI 0.6-1.4 kg)", []),
    ("Patients were treated for 12 months (+/- 3).", []),
])
def test_extract_lengths_of_time_with_their_spread(sentence, rows):
    table = ee.extract(sentence)
    got = [(r.text, r.stat, r.value, None if pd.isna(r.iqr_low) else r.iqr_low,
            None if pd.isna(r.ci_low) else r.ci_low) for r in table.itertuples()
           if r.stat in ("mean", "median", "coefficient")]
    assert got == rows


def test_extract_sentence_splitter():
    doc = ee.make_pipeline()("Methods: Older than control (P < .05). Larger vs. smaller, as "
                             "Li et al. found. Results: Mean 0.5 (SD 0.1) at 24 h. Fig. 2 "
                             "shows it.")
    assert [s.text for s in doc.sents] == [
        "Methods:", "Older than control (P < .05).", "Larger vs. smaller, as Li et al. found.",
        "Results:", "Mean 0.5 (SD 0.1) at 24 h.", "Fig. 2 shows it."]


def test_extract_components_usable_in_own_pipeline():
    nlp = spacy.blank("en")
    nlp.add_pipe("evidextract_sentences")
    nlp.add_pipe("evidextract_stats", config={"spans_key": "stats"})
    doc = nlp("The OR was 2.1 (95% CI 1.3 to 3.4).")
    assert [(s.label_, s._.evid_value) for s in doc.spans["stats"]] == [("odds_ratio", 2.1)]
    assert doc.spans["stats"][0]._.evid_row["ci_high"] == 3.4


def test_extract_bench_sample_never_fails(shared_dir):
    import gzip

    path = shared_dir / "bench" / "abstracts.jsonl.gz"
    with gzip.open(path, "rt", encoding="utf-8") as f:
        records = [json.loads(line) for line, _ in zip(f, range(400), strict=False)]
    with warnings.catch_warnings():
        warnings.simplefilter("error", ExtractWarning)
        table = ee.extract([{"record_id": r["id"], "abstract": r.get("abstract") or ""}
                            for r in records])
    text = {r["id"]: r.get("abstract") or "" for r in records}
    assert len(table) > 1000
    assert all(text[r.record_id][r.start:r.end] == r.text for r in table.itertuples())
    assert np.isfinite(table.value).all()
