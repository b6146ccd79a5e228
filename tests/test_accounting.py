"""Accounting: every input record appears in the output, with a status and a reason.

The records table says what happened to each record (``ok``, ``no_abstract``, ``unreadable``,
``error`` and a message); ``extract`` lists the records it could not process in
``df.attrs["failed"]``; ``errors="raise"`` stops at the first problem; the command line ends
each run with a summary line.
"""

import gzip
import json
import re
import warnings

import pandas as pd
import pytest
from spacy.language import Language

import evidextract as ev
from evidextract.cli import main
from evidextract.extract import ExtractWarning
from evidextract.extract._pipeline import build_pipeline
from evidextract.io import STATUSES, ReadError, ReadWarning

PUBMED_ARTICLE = (
    "<PubmedArticle><MedlineCitation><PMID>{pmid}</PMID><Article><ArticleTitle>Trial {pmid}"
    "</ArticleTitle><Abstract><AbstractText>The AUC was 0.8{pmid} in 120 patients."
    "</AbstractText></Abstract></Article></MedlineCitation></PubmedArticle>"
)
RIS = (
    "TY  - JOUR\nTI  - With abstract\nAB  - Pain fell from 6.8 ± 2.2 to 4.1 ± 2.4 (p < 0.001)."
    "\nDO  - 10.1000/ok.1\nER  -\nTY  - JOUR\nTI  - Without abstract\nDO  - 10.1000/none.2\n"
    "ER  -\n"
)


def _quiet(function, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return function(*args, **kwargs)


@pytest.fixture
def mixed_folder(tmp_path):
    """Six files, each with its own kind of trouble, 11 records in all."""
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "a_good.ris").write_text(RIS, encoding="utf-8")
    xml = ("<?xml version='1.0'?><PubmedArticleSet>" + PUBMED_ARTICLE.format(pmid=1)
           + PUBMED_ARTICLE.format(pmid=2) + PUBMED_ARTICLE.format(pmid=3)[:120])
    (folder / "b_truncated.xml").write_text(xml, encoding="utf-8")
    (folder / "c_binary.pdf").write_bytes(bytes(range(256)) * 8)
    latin1 = "PMID- 77\nTI  - Caf\xe9 study\nAB  - Response in 12 of 40 patients (30%).\n"
    (folder / "d_latin1.nbib").write_bytes(latin1.encode("latin-1"))
    with gzip.open(folder / "e_cut.xml.gz", "wb") as handle:
        handle.write(xml.encode())
    raw = gzip.compress(("<?xml version='1.0'?><PubmedArticleSet>"
                         + PUBMED_ARTICLE.format(pmid=5)).encode())
    (folder / "f_halfgz.xml.gz").write_bytes(raw[: len(raw) // 2])
    return folder


def test_accounting_read_mixed_folder_every_record_has_status_and_message(mixed_folder):
    frame = _quiet(ev.read, mixed_folder, dedupe=False)
    assert set(frame["status"]) <= set(STATUSES)
    by_source = {name: group for name, group in frame.groupby(
        frame["source"].map(lambda s: s.rsplit("/", 1)[-1]))}
    assert by_source["a_good.ris"]["status"].tolist() == ["ok", "no_abstract"]
    assert by_source["b_truncated.xml"]["status"].tolist() == ["ok", "ok", "error"]
    assert by_source["b_truncated.xml"]["record_id"].tolist()[:2] == ["1", "2"]
    assert by_source["c_binary.pdf"]["status"].tolist() == ["unreadable"]
    assert by_source["d_latin1.nbib"]["title"].tolist() == ["Café study"]
    assert by_source["e_cut.xml.gz"]["status"].tolist() == ["ok", "ok", "error"]
    assert by_source["f_halfgz.xml.gz"]["status"].tolist() == ["error"]  # not "empty"
    problems = frame[frame["status"] != "ok"]
    assert problems["message"].str.len().gt(0).all()  # every non-ok record says why
    assert "no abstract" in by_source["a_good.ris"]["message"].iloc[1]
    assert "line" in by_source["b_truncated.xml"]["message"].iloc[-1]
    assert frame["record_id"].is_unique


def test_accounting_read_problems_collected_as_warnings_naming_file_and_record(mixed_folder):
    with pytest.warns(ReadWarning) as caught:
        frame = ev.read(mixed_folder)
    collected = frame.attrs["warnings"]
    assert len(collected) == len([w for w in caught if w.category is ReadWarning]) >= 4
    files = {w.file.rsplit("/", 1)[-1] for w in collected}
    assert {"b_truncated.xml", "c_binary.pdf", "e_cut.xml.gz", "f_halfgz.xml.gz"} <= files
    truncated = next(w for w in collected if w.file.endswith("b_truncated.xml"))
    assert truncated.record == "3" and truncated.line is not None


def test_accounting_read_raise_stops_at_first_problem(mixed_folder):
    with pytest.raises(ReadError) as info:
        ev.read(mixed_folder, errors="raise")
    assert info.value.warning.file.endswith("b_truncated.xml")  # first file with a problem
    assert "b_truncated.xml" in str(info.value)


def test_accounting_read_truncated_ris_without_end_tag_keeps_both_records(tmp_path):
    path = tmp_path / "no_er.ris"
    path.write_text(RIS.replace("ER  -\n", ""), encoding="utf-8")
    frame = _quiet(ev.read, path)
    assert frame["title"].tolist() == ["With abstract", "Without abstract"]
    assert frame["status"].tolist() == ["ok", "no_abstract"]


def test_accounting_read_empty_file_warns_naming_it(tmp_path):
    (tmp_path / "empty.ris").write_bytes(b"")
    frame = _quiet(ev.read, tmp_path / "empty.ris")
    assert len(frame) == 0
    assert [w.file.rsplit("/", 1)[-1] for w in frame.attrs["warnings"]] == ["empty.ris"]


def test_accounting_read_missing_file_raises_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        ev.read(tmp_path / "nope.ris")


# ---------------------------------------------------------------- extract

@Language.component("evidextract_test_explode")
def _explode(doc):
    if "EXPLODE" in doc.text:
        raise RuntimeError("component exploded on purpose")
    return doc


def _failed_ids(failed) -> list:
    """Record ids of ``attrs["failed"]``."""
    return [item["record_id"] for item in failed]


@pytest.fixture(scope="module")
def exploding_nlp():
    nlp = build_pipeline()
    nlp.add_pipe("evidextract_test_explode", first=True)
    return nlp


RECORDS = pd.DataFrame({
    "record_id": ["good1", "bad", "good2", "empty"],
    "abstract": ["AUC was 0.85 in 120 patients.", "AUC was 0.70. EXPLODE",
                 "Response in 12 of 40 patients (30%).", ""],
})


def test_accounting_extract_failed_record_listed_with_reason_others_kept(exploding_nlp):
    with pytest.warns(ExtractWarning, match="'bad'.*exploded on purpose"):
        stats = ev.extract(RECORDS, nlp=exploding_nlp, batch_size=8)
    assert stats.attrs["failed"] == [{"record_id": "bad", "reason":
                                      "RuntimeError: component exploded on purpose"}]
    assert set(stats["record_id"]) == {"good1", "good2"}
    assert stats.loc[stats["record_id"] == "good1", "value"].tolist() == [0.85, 120.0]


def test_accounting_extract_ignore_mode_lists_failure_silently(exploding_nlp):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        stats = ev.extract(RECORDS, nlp=exploding_nlp, errors="ignore")
    assert [f["record_id"] for f in stats.attrs["failed"]] == ["bad"]


def test_accounting_extract_raise_mode_stops_at_first_problem(exploding_nlp):
    with pytest.raises(RuntimeError, match="exploded on purpose"):
        ev.extract(RECORDS, nlp=exploding_nlp, errors="raise")


def test_accounting_extract_non_text_abstract_reported_not_dropped():
    records = [{"record_id": "n1", "abstract": 12345}, {"record_id": "n2", "abstract": b"x"},
               {"record_id": "ok", "abstract": "AUC was 0.85."}]
    stats = _quiet(ev.extract, records)
    failed = pd.DataFrame(stats.attrs["failed"])
    assert failed["record_id"].tolist() == ["n1", "n2"]
    assert failed["reason"].str.contains("not text").all()
    assert stats["record_id"].tolist() == ["ok"]


def test_accounting_extract_no_abstract_and_missing_abstract_are_not_failures():
    records = pd.DataFrame({"record_id": ["e", "n", "ok"],
                            "abstract": ["", None, "AUC was 0.85."]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        stats = ev.extract(records)
    assert len(stats.attrs["failed"]) == 0
    assert stats["record_id"].tolist() == ["ok"]


def test_accounting_extract_records_table_with_every_status(mixed_folder):
    records = _quiet(ev.read, mixed_folder)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ExtractWarning)
        stats = ev.extract(records)
    assert len(stats.attrs["failed"]) == 0
    ok_ids = set(records.loc[records["status"] == "ok", "record_id"])
    assert set(stats["record_id"]) <= ok_ids
    assert {"1", "2", "77"} <= set(stats["record_id"])


def test_accounting_extract_chunked_each_chunk_reports_its_failures(exploding_nlp):
    chunks = list(ev.extract(RECORDS, nlp=exploding_nlp, chunked=True, batch_size=2,
                             errors="ignore"))
    assert [_failed_ids(c.attrs["failed"]) for c in chunks] == [["bad"], []]
    assert [sorted(set(c["record_id"])) for c in chunks] == [["good1"], ["good2"]]


def test_accounting_extract_chunks_concatenate_with_their_failures(tmp_path):
    # attrs["failed"] travels with the tables: pandas compares attrs in concat, merge, astype.
    chunks = ev.extract(["AUC was 0.85.", "AUC was 0.70."], chunked=True, batch_size=1)
    assert len(pd.concat(chunks)) == 2
    stats = ev.extract("AUC was 0.85.")
    assert stats.astype({"value": "float32"})["value"].tolist() == [pytest.approx(0.85)]
    other = ev.extract(["AUC was 0.70.", 5.0], errors="ignore")
    both = pd.concat([stats, other])
    assert both["value"].tolist() == [0.85, 0.70]
    assert len(stats.merge(other, on="stat")) == 1
    assert _failed_ids(other.attrs["failed"]) == ["1"]
    path = tmp_path / "stats.parquet"  # Parquet stores attrs as JSON
    other.to_parquet(path)
    assert pd.read_parquet(path).attrs["failed"] == other.attrs["failed"]


# ---------------------------------------------------------------- command line

def test_accounting_cli_read_ends_with_a_summary_line(mixed_folder, tmp_path, capsys):
    status = main(["read", str(mixed_folder), "-o", str(tmp_path / "records.csv")])
    assert status == 0
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("11 records read from 6 file(s): 6 with abstract, "
                              "1 no abstract, 1 unreadable, 3 error;")
    assert sum(line.startswith("warning: ") for line in err) >= 4
    written = pd.read_csv(tmp_path / "records.csv")
    assert len(written) == 11
    assert written["status"].value_counts().to_dict() == {"ok": 6, "error": 3,
                                                          "no_abstract": 1, "unreadable": 1}


def test_accounting_cli_read_raise_exits_nonzero_naming_the_file(mixed_folder, capsys):
    assert main(["read", str(mixed_folder), "--errors", "raise"]) == 1
    assert "b_truncated.xml" in capsys.readouterr().err


def test_accounting_cli_extract_summary_counts_failed_inputs(mixed_folder, tmp_path, capsys):
    status = main(["extract", str(mixed_folder), "-o", str(tmp_path / "stats.csv"),
                   "--no-progress"])
    err = capsys.readouterr().err
    assert status == 1  # some inputs failed; the rest is written
    assert re.search(r"6 inputs \(0 done before[^)]*\), 11 records, 6 abstracts", err)
    assert "FAILED" in err and "c_binary.pdf" in err
    stats = pd.read_csv(tmp_path / "stats.csv")
    assert {"1", "2", "77"} <= set(stats["record_id"].astype(str))


def test_accounting_batch_records_parts_hold_every_record(mixed_folder, tmp_path):
    expected = _quiet(ev.read, mixed_folder)
    result = _quiet(ev.extract_files, [mixed_folder], out=tmp_path / "out", progress=False)
    records = result.records()
    assert len(records) == len(expected)
    assert records["status"].value_counts().to_dict() == \
        expected["status"].value_counts().to_dict()
    assert result.totals["records"] == len(expected)
    problems = result.failures
    assert len(problems) >= 4


def test_accounting_cli_run_summary_counts_records_by_status(mixed_folder, tmp_path, capsys):
    main(["run", str(mixed_folder), "-o", str(tmp_path / "run"), "--no-progress"])
    out = capsys.readouterr().out
    summary = next(line for line in out.splitlines() if " records (" in line)
    assert summary.startswith("11 records (")
    for part in ("6 ok", "1 no_abstract", "3 error", "1 unreadable"):
        assert part in summary
    written = pd.read_csv(tmp_path / "run" / "records.csv")
    assert len(written) == 11


def test_accounting_batch_raise_stops_at_first_failed_input(mixed_folder, tmp_path):
    from evidextract.batch import BatchError

    out = tmp_path / "out"
    with pytest.raises(BatchError, match="b_truncated.xml.*ReadError"):
        _quiet(ev.extract_files, [mixed_folder], out=out, progress=False, errors="raise")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    status = {entry["path"].rsplit("/", 1)[-1]: entry["status"] for entry in manifest["inputs"]}
    assert status["a_good.ris"] == "done"  # finished before the problem: kept
    assert status["b_truncated.xml"] == "failed"
