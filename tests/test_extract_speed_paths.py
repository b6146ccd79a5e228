"""The code paths added for speed give what the plain paths give (no timing here)."""

import json
import random

import pandas as pd
import pytest
import spacy
from spacy.language import Language
from spacy.tokens import Doc

import evidextract as ee
from evidextract.extract import COLUMNS, ExtractWarning
from evidextract.extract._components import ROWS_ONLY
from evidextract.extract._numbers import token_number_info
from evidextract.extract._pipeline import build_pipeline
from evidextract.extract._sparse import SparseMatcher, _predicate
from evidextract.extract._tokenizer import CACHE_SIZE
from evidextract.extract._tokens import TEXT_KEY, token_columns, token_table
from evidextract.io._sections import _is_label, _key, _label_pattern, _label_table, split_sections

TEXT = ("Background: Pain is common. Results: Pain fell from 6.8 ± 2.2 to 4.1 ± 2.4 "
        "(p < 0.001) in 120 patients; AUC was 0.85 (95% CI 0.80-0.90).")


def test_extract_speed_rows_only_skips_spans_keeps_rows():
    nlp = ee.make_pipeline()
    full = nlp(TEXT)
    doc = nlp.make_doc(TEXT)
    doc.user_data[ROWS_ONLY] = True
    for _name, proc in nlp.pipeline:
        doc = proc(doc)
    assert doc._.evid_rows == full._.evid_rows
    assert "evid" not in doc.spans
    assert [s._.evid_row for s in full.spans["evid"]] == full._.evid_rows
    assert ROWS_ONLY not in doc.user_data and TEXT_KEY not in doc.user_data


def test_extract_speed_token_columns_agree_with_token_number_info():
    doc = ee.make_pipeline().make_doc("Twelve of 1,267 (0·72) had a fourth dose; −2.00 and .001")
    texts, _, _ = token_table(doc)
    lowers, numbers, is_num = token_columns(doc)
    assert list(zip(lowers, numbers, is_num, strict=True)) == [token_number_info(t) for t in texts]
    assert is_num[:3] == [True, False, True] and numbers[2] == 1267.0


def test_extract_speed_token_table_text_from_tokenizer_or_rebuilt():
    nlp = ee.make_pipeline()
    doc = nlp.make_doc("Mean 6.8 ± 2.2 mg.")
    assert doc.user_data[TEXT_KEY] == doc.text
    assert token_table(doc)[2] == doc.text
    # A wrong text left by someone else is not trusted: the table joins the tokens.
    doc.user_data[TEXT_KEY] = "something else entirely"
    assert token_table(doc)[2] == "Mean 6.8 ± 2.2 mg."
    plain = Doc(nlp.vocab, words=["p", "<", ".05"], spaces=[True, True, False])
    assert token_table(plain) == (["p", "<", ".05"], [True, True, False], "p < .05")


def test_extract_speed_tokenizer_keeps_more_chunks():
    assert build_pipeline().tokenizer.tokenizer.max_cache_size == CACHE_SIZE
    assert spacy.blank("en").tokenizer.max_cache_size < CACHE_SIZE


def reference_sections(abstract):
    """``split_sections`` by its definition: the label pattern searched at every character."""
    found = [m for m in _label_pattern().finditer(abstract) if _is_label(abstract, m)]
    if len(found) < 2:
        return []
    sections = []
    for i, match in enumerate(found):
        end = found[i + 1].start() if i + 1 < len(found) else len(abstract)
        while end > match.start() and abstract[end - 1].isspace():
            end -= 1
        label = match.group("label")
        sections.append((_label_table()[_key(label)], label, match.start(), end))
    return sections


@pytest.mark.parametrize("text", [
    "Results: x. Conclusion: y.",
    "\n\nRESULTS The rate rose. CONCLUSIONS It is.",
    "  Objective: a. results: b. Methods: c.",
    "Objectives: a (n = 3). Methods: b.\nResults: c.",
    "\u212aey points: a. Results: b.",  # Kelvin sign: a capital that matches "k"
    # Long s matches "s" ignoring case: casefolded, it finds "results" in the label table.
    "Key points: a. Re\u017fults: b.",
    "Purpose: To test. Materials and methods: We did. Results: It worked. Findings",
    "We studied 12 patients. Results were good.",
])
def test_extract_speed_split_sections_same_as_its_definition(text):
    assert _outcome(split_sections, text) == _outcome(reference_sections, text)


def _outcome(function, text):
    try:
        return function(text)
    except KeyError as exc:
        return KeyError, str(exc)


def test_extract_speed_split_sections_same_on_random_texts():
    labels = sorted(_label_table())
    pieces = [". ", ".\n", "\n", ") ", ": ", " ", "the ", "The ", "In ", "x", "\u2022", "*",
              '"', "\u2019 ", "\n\n", "\t", ":", " - ", ".\u2014 "]
    pieces += [w.upper() for w in labels[:30]] + [w.title() for w in labels] + labels[:30]
    rng = random.Random(7)
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 20)))
        assert _outcome(split_sections, text) == _outcome(reference_sections, text), text


def test_extract_speed_sparse_predicates():
    test = _predicate({"LOWER": "ci", "LIKE_NUM": False})
    assert test("CI", "ci", False) and not test("CI", "ci", True) and not test("x", "x", False)
    shape = _predicate({"SHAPE": {"IN": ["dddd"]}})
    assert shape("2019", "2019", True) and not shape("201", "201", True)
    matcher = SparseMatcher([("R", [{"LIKE_NUM": True}, {"ORTH": "-", "OP": "?"},
                                    {"LOWER": {"IN": ["mm", "cm"]}}]),
                             ("Y", [{"SHAPE": "dddd"}])])
    texts = ["2019", "-", "mm", "12", "cm", "x"]
    numbers = [2019.0, None, None, 12.0, None, None]
    assert matcher.match(texts, [t.lower() for t in texts], numbers) == [
        ("R", 0, 3), ("Y", 0, 1), ("R", 3, 5)]


@Language.component("speed_test_corrupt_row")
def _corrupt_row(doc):
    for row in doc._.evid_rows or []:
        if "bad" in doc.text:
            row["text"] = "not in the abstract"
    return doc


def test_extract_speed_row_check_fails_one_record_only():
    nlp = build_pipeline()
    nlp.add_pipe("speed_test_corrupt_row")
    records = [{"record_id": "a", "abstract": "AUC was 0.85 in 120 patients."},
               {"record_id": "b", "abstract": "A bad AUC of 0.70."},
               {"record_id": "c", "abstract": "Mean age was 61 years."}]
    with pytest.warns(ExtractWarning, match="'b'"):
        table = ee.extract(records, nlp=nlp)
    assert table.record_id.unique().tolist() == ["a", "c"]
    assert [f["record_id"] for f in table.attrs["failed"]] == ["b"]
    with pytest.raises(ValueError, match="do not give"):
        ee.extract(records, nlp=nlp, errors="raise")


def test_extract_speed_one_chunk_equals_many_chunks():
    records = [TEXT, "Sensitivity was 91% and specificity 85%.", "No numbers here.",
               "ICC was 0.92 (range, 0.85-0.97) at 6 months."] * 3
    one = ee.extract(records, batch_size=256)
    many = ee.extract(records, batch_size=2)
    pd.testing.assert_frame_equal(one, many)
    assert isinstance(one.index, pd.RangeIndex) and one.index.start == 0
    assert {name: str(one[name].dtype) for name in COLUMNS} == {
        name: str(pd.Series([], dtype=dtype).dtype) for name, dtype in COLUMNS.items()}


def test_extract_speed_split_sections_same_as_its_definition_on_real_abstracts(shared_dir):
    import gzip

    path = shared_dir / "bench" / "abstracts.jsonl.gz"
    with gzip.open(path, "rt", encoding="utf-8") as f:
        texts = [json.loads(line).get("abstract") or "" for line, _ in
                 zip(f, range(2000), strict=False)]
    dev = shared_dir / "eval" / "dev" / "records.jsonl"
    texts += [json.loads(x)["abstract"] for x in dev.read_text("utf-8").splitlines()]
    texts += ["", "Results: one label only.", "BACKGROUND Upper case. METHODS None. x"]
    assert sum(bool(split_sections(t)) for t in texts) > 500
    for text in texts:
        assert split_sections(text) == reference_sections(text), text[:200]
