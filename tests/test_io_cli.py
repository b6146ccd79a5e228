"""``evidextract read`` end to end."""

import json

import pandas as pd
import pytest

from evidextract.cli import main
from evidextract.io import read


@pytest.fixture(scope="module")
def seed_glob(shared_dir):
    return str(shared_dir / "seeds" / "*.txt")


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".jsonl"])
def test_io_cli_read_writes_each_distinct_abstract_once(seed_glob, tmp_path, capsys, suffix):
    out = tmp_path / f"seeds{suffix}"
    assert main(["read", seed_glob, "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert "12 records read from 5 file(s): 12 with abstract, 0 no abstract, 0 unreadable" in err
    assert "1 duplicate(s) merged" in err
    back = read(out)
    direct = read(seed_glob)
    assert back["record_id"].tolist() == direct["record_id"].tolist()
    assert back["abstract"].tolist() == direct["abstract"].tolist()
    assert back["sections"].tolist() == direct["sections"].tolist()
    assert back["abstract"].is_unique


def test_io_cli_sections_round_trip_in_each_file_format(seed_glob, tmp_path):
    assert main(["read", seed_glob, "-o", str(tmp_path / "s.csv")]) == 0
    assert main(["read", seed_glob, "-o", str(tmp_path / "s.parquet")]) == 0
    assert main(["read", seed_glob, "-o", str(tmp_path / "s.jsonl")]) == 0
    csv_sections = json.loads(pd.read_csv(tmp_path / "s.csv").loc[0, "sections"])
    assert csv_sections[0] == ["objective", "Objective", 0, 184]
    parquet = pd.read_parquet(tmp_path / "s.parquet")
    assert dict(parquet.loc[0, "sections"][1]) == {
        "name": "methods", "label": "Materials and methods", "start": 185, "end": 767}
    first_line = (tmp_path / "s.jsonl").read_text("utf-8").splitlines()[0]
    assert json.loads(first_line)["sections"][3] == ["conclusion", "Conclusion", 1315, 1582]


def test_io_cli_read_prints_a_summary_without_output(seed_glob, capsys):
    assert main(["read", seed_glob]) == 0
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert lines[0].startswith("10.1007/s00256-024-04733-0  [ok]  Whole-body low-dose")
    assert "sections: Objective, Materials and methods, Results, Conclusion" in lines[1]
    assert "merged duplicate 001_b81337c7d4989284" in captured.out
    assert captured.err.strip().splitlines()[-1].startswith("12 records read")


def test_io_cli_read_reports_problems_on_stderr(tmp_path, capsys):
    path = tmp_path / "no_er.ris"
    path.write_text("TY  - JOUR\nTI  - A\nAB  - x.\nTY  - JOUR\nTI  - B\nER  - \n")
    assert main(["read", str(path), "-o", str(tmp_path / "r.csv")]) == 0
    err = capsys.readouterr().err
    assert "warning: no_er.ris, record 1, line 1: record has no ER line" in err
    assert "2 records read from 1 file(s): 1 with abstract, 1 no abstract" in err
    assert main(["read", str(path), "--errors", "raise"]) == 1
    assert "evidextract read: no_er.ris, record 1, line 1" in capsys.readouterr().err


def test_io_cli_read_column_mapping_and_format(data_dir, tmp_path, capsys):
    out = tmp_path / "t.jsonl"
    code = main(["read", str(data_dir / "io" / "custom_columns.tsv"), "--columns",
                 "Heading=title", "Summary=abstract", "-o", str(out)])
    assert code == 0
    row = json.loads(out.read_text("utf-8"))
    assert (row["title"], row["record_id"]) == ("My own table", "custom_columns")
    assert main(["read", str(data_dir / "io" / "text_sample.txt"), "--format", "docx"]) == 1
    assert "unknown format 'docx'" in capsys.readouterr().err


def test_io_cli_read_help_explains_formats(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["read", "--help"])
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    for words in ("INPUT", "-o FILE", "pubmed_xml", "ris", "status (ok, no_abstract",
                  "evidextract read data/seeds/*.txt"):
        assert words in text


def test_io_cli_read_refuses_unknown_output_suffix(seed_glob, tmp_path, capsys):
    assert main(["read", seed_glob, "-o", str(tmp_path / "x.xlsx")]) == 1
    assert "use a .csv, .parquet or .jsonl name" in capsys.readouterr().err
