"""``evidextract extract``: one table or a folder of parts, exit status, summary."""

from __future__ import annotations

import json

import pandas as pd
import pytest

import evidextract
from evidextract._batch._pubmed_xml import write_pubmed_xml
from evidextract.cli import main


@pytest.fixture(scope="module")
def inputs(shared_dir, tmp_path_factory):
    """Two PubMed XML files of three real abstracts each, and the reference statistics."""
    import gzip

    rows = []
    with gzip.open(shared_dir / "bench" / "abstracts.jsonl.gz", "rt", encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            if "%" in (row.get("abstract") or "") and len(row["abstract"]) < 2000:
                rows.append({"pmid": str(92_000_000 + len(rows)), "title": row["title"],
                             "abstract": row["abstract"]})
                if len(rows) == 6:
                    break
    folder = tmp_path_factory.mktemp("cli")
    paths = [folder / "one.xml", folder / "two.xml.gz"]
    write_pubmed_xml(rows[:3], paths[0])
    write_pubmed_xml(rows[3:], paths[1])
    expected = evidextract.extract(pd.concat([evidextract.read(p) for p in paths],
                                             ignore_index=True))
    assert len(expected) > 0
    return paths, expected


def _key_columns(frame):
    columns = ["record_id", "start", "end", "text", "stat", "value"]
    return [[None if pd.isna(v) else (str(v) if c in ("record_id", "text", "stat") else float(v))
             for c, v in zip(columns, row, strict=True)]
            for row in frame[columns].astype(object).itertuples(index=False)]


def test_cli_extract_folder_then_resume(inputs, tmp_path, capsys):
    paths, expected = inputs
    out = tmp_path / "stats"
    argv = ["extract", *map(str, paths), "-o", str(out), "--chunk-size", "2", "--no-progress"]
    assert main(argv) == 0
    screen = capsys.readouterr().err
    assert "2 inputs (0 done before, 0 parts of others reused), 6 records" in screen
    stats = pd.read_parquet(out / "statistics")
    assert _key_columns(stats) == _key_columns(expected)
    manifest = json.loads((out / "manifest.json").read_text())
    assert [e["status"] for e in manifest["inputs"]] == ["done", "done"]
    assert main(argv) == 0
    assert "2 inputs (2 done before, 0 parts of others reused)" in capsys.readouterr().err


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".jsonl"])
def test_cli_extract_single_table(inputs, tmp_path, suffix):
    paths, expected = inputs
    target = tmp_path / f"stats{suffix}"
    assert main(["extract", *map(str, paths), "-o", str(target), "--no-progress"]) == 0
    if suffix == ".csv":
        table = pd.read_csv(target)
    elif suffix == ".parquet":
        table = pd.read_parquet(target)
    else:
        table = pd.read_json(target, lines=True, dtype=False, precise_float=True)
    assert list(table.columns) == list(expected.columns)
    assert _key_columns(table) == _key_columns(expected)
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]  # no debris


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_cli_extract_single_table_leaves_out_records_seen_before(inputs, tmp_path, capsys,
                                                                 suffix):
    paths, expected = inputs
    # The first record again, with no PMID, in a RIS export: the same abstract.
    first = evidextract.read(paths[0]).iloc[0]
    again = tmp_path / "scopus.ris"
    again.write_text(f"TY  - JOUR\nTI  - {first.title}\nAB  - {first.abstract}\nER  - \n",
                     encoding="utf-8")
    target = tmp_path / f"stats{suffix}"
    argv = ["extract", *map(str, paths), str(again), "-o", str(target), "--no-progress"]
    assert main(argv) == 0
    assert "(1 repeated record left out)" in capsys.readouterr().err
    table = pd.read_csv(target) if suffix == ".csv" else pd.read_parquet(target)
    assert _key_columns(table) == _key_columns(expected)

    assert main([*argv, "--keep-duplicates"]) == 0
    table = pd.read_csv(target) if suffix == ".csv" else pd.read_parquet(target)
    first_rows = expected[expected["record_id"] == first.record_id]
    assert len(table) == len(expected) + len(first_rows) > len(expected)


def test_cli_extract_failed_input_exits_one_after_writing_the_rest(inputs, tmp_path, capsys):
    paths, expected = inputs
    broken = tmp_path / "broken.xml.gz"
    broken.write_bytes(b"\x1f\x8b\x08\x00 truncated")
    target = tmp_path / "stats.csv"
    status = main(["extract", str(broken), *map(str, paths), "-o", str(target),
                   "--no-progress"])
    screen = capsys.readouterr().err
    assert status == 1
    assert f"FAILED {broken}" in screen
    assert "1 of 3 inputs failed" in screen
    assert _key_columns(pd.read_csv(target)) == _key_columns(expected)


def test_cli_extract_ctrl_c_exits_130(inputs, tmp_path, monkeypatch):
    import evidextract.batch

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(evidextract.batch, "extract_files", interrupted)
    assert main(["extract", str(inputs[0][0]), "-o", str(tmp_path / "s")]) == 130


def test_cli_extract_sigterm_saves_manifest_exits_143_and_rerun_resumes(inputs, tmp_path,
                                                                       monkeypatch):
    import signal
    import sys

    paths, expected = inputs
    module = sys.modules["evidextract.extract"]
    real_extract = module.extract
    calls = []

    def terminated_extract(records, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            signal.raise_signal(signal.SIGTERM)
        return real_extract(records, **kwargs)

    monkeypatch.setattr(module, "extract", terminated_extract)
    out = tmp_path / "stats"
    argv = ["extract", *map(str, paths), "-o", str(out), "--chunk-size", "2", "--no-progress"]
    assert main(argv) == 143
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # the handler is put back
    manifest = json.loads((out / "manifest.json").read_text())
    assert [e["status"] for e in manifest["inputs"]] == ["done", "interrupted"]
    monkeypatch.undo()
    assert main(argv) == 0
    assert _key_columns(pd.read_parquet(out / "statistics")) == _key_columns(expected)


def test_cli_extract_rejects_zero_jobs(inputs, tmp_path):
    assert main(["extract", str(inputs[0][0]), "-o", str(tmp_path / "s"), "--jobs", "0"]) == 2
