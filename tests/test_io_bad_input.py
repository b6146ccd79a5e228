"""Bad input: every readable record kept, every problem named with its file and line."""

import warnings

import pytest

from evidextract.io import ReadError, ReadWarning, read

RIS_NO_ER = (
    "TY  - JOUR\nTI  - First\nAB  - One abstract.\n"
    "TY  - JOUR\nTI  - Second\nAB  - Two abstract.\nER  - \n"
    "TY  - JOUR\nTI  - Third\nAB  - Three\n  continues.\n"
)


def _write(tmp_path, name, data):
    path = tmp_path / name
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


def test_io_bad_input_truncated_xml_keeps_records_before_the_break(data_dir, tmp_path):
    source = (data_dir / "io" / "pubmed_sample.xml").read_bytes()
    path = _write(tmp_path, "cut.xml", source[: source.index(b"<AbstractText>Forty") + 20])
    with pytest.warns(ReadWarning, match="XML breaks off"):
        frame = read(path)
    assert frame["record_id"].tolist() == ["90000001", "cut:2"]
    assert frame["status"].tolist() == ["ok", "error"]
    assert frame.loc[0, "abstract"].endswith("CONCLUSIONS: Cryoablation relieved pain.")
    (warning,) = frame.attrs["warnings"]
    assert (warning.file, warning.record, warning.line) == ("cut.xml", "2", 45)
    assert "kept the 1 record(s)" in frame.loc[1, "message"]


def test_io_bad_input_ris_record_without_er(tmp_path):
    path = _write(tmp_path, "no_er.ris", RIS_NO_ER)
    with pytest.warns(ReadWarning):
        frame = read(path)
    assert frame["title"].tolist() == ["First", "Second", "Third"]
    assert frame["abstract"].tolist() == ["One abstract.", "Two abstract.", "Three continues."]
    assert [(w.record, w.line) for w in frame.attrs["warnings"]] == [("1", 1), ("3", 8)]
    assert "no ER line" in frame.attrs["warnings"][0].message


def test_io_bad_input_record_without_abstract_is_a_row(data_dir):
    frame = read(data_dir / "io" / "pubmed_sample.xml")
    row = frame.set_index("record_id").loc["90000003"]
    assert (row["abstract"], row["status"], row["sections"]) == ("", "no_abstract", [])
    assert row["title"] == "A letter without an abstract."


def test_io_bad_input_latin1_text(tmp_path):
    text = "TY  - JOUR\nTI  - Étude\nAB  - Douleur réduite (âge médian 61 ans).\nER  - \n"
    path = _write(tmp_path, "latin.ris", text.encode("latin-1"))
    with pytest.warns(ReadWarning, match="not UTF-8"):
        frame = read(path)
    assert frame.loc[0, "abstract"] == "Douleur réduite (âge médian 61 ans)."
    assert frame.attrs["warnings"][0].line == 2


def test_io_bad_input_mis_encoded_bytes_in_utf8(tmp_path):
    text = "TY  - JOUR\nTI  - Café\nAB  - Mean 5.1 ± 2.0.\nER  - \n".encode()
    text += b"TY  - JOUR\nTI  - bad \xff byte\nAB  - Fine text.\nER  - \n"
    path = _write(tmp_path, "mixed.ris", text)
    with pytest.warns(ReadWarning, match="not valid UTF-8"):
        frame = read(path)
    assert frame["title"].tolist() == ["Café", "bad \ufffd byte"]
    assert frame.loc[0, "abstract"] == "Mean 5.1 ± 2.0."  # good UTF-8 stays good
    assert frame.attrs["warnings"][0].line == 6


@pytest.mark.parametrize("bom", [b"\xef\xbb\xbf", b"\xff\xfe"], ids=["utf-8", "utf-16"])
def test_io_bad_input_byte_order_mark(tmp_path, bom):
    text = "TY  - JOUR\r\nTI  - With BOM\r\nAB  - 3 of 4 (75%).\r\nER  - \r\n"
    data = bom + (text.encode("utf-16-le") if bom == b"\xff\xfe" else text.encode())
    frame = read(_write(tmp_path, "bom.ris", data))
    assert frame[["title", "abstract"]].values.tolist() == [["With BOM", "3 of 4 (75%)."]]
    assert frame.attrs["warnings"] == []


def test_io_bad_input_empty_file(tmp_path):
    path = _write(tmp_path, "empty.ris", b"")
    with pytest.warns(ReadWarning, match="empty file"):
        frame = read([path, _write(tmp_path, "ok.ris", "TY  - JOUR\nTI  - T\nER  - \n")])
    assert frame["record_id"].tolist() == ["ok"]
    assert frame.attrs["warnings"][0].file == "empty.ris"


def test_io_bad_input_file_not_in_the_format_it_claims(tmp_path):
    path = _write(tmp_path, "export.xml", "TY  - JOUR\nTI  - Really RIS\nAB  - Text.\nER  - \n")
    with pytest.warns(ReadWarning, match="promises .* but the content reads as ris"):
        frame = read(path)
    assert frame.loc[0, "title"] == "Really RIS"
    prose = _write(tmp_path, "notes.ris", "Some notes about 12 patients.\n")
    with pytest.warns(ReadWarning):
        frame = read(prose, format="ris")
    assert frame["status"].tolist() == ["unreadable"]
    assert "no RIS record" in str(frame.attrs["warnings"][-1])


def test_io_bad_input_binary_file(tmp_path):
    path = _write(tmp_path, "image.xml", bytes(range(256)) * 8)
    with pytest.warns(ReadWarning, match="binary"):
        frame = read(path)
    assert frame[["record_id", "status"]].values.tolist() == [["image", "unreadable"]]


def test_io_bad_input_broken_json_line(tmp_path):
    lines = '{"id": "a", "abstract": "One."}\n{"id": "b", "abstract": \n{"id": "c"}\n'
    with pytest.warns(ReadWarning, match="not valid JSON"):
        frame = read(_write(tmp_path, "r.jsonl", lines))
    assert frame["record_id"].tolist() == ["a", "r:2", "c"]
    assert frame["status"].tolist() == ["ok", "unreadable", "no_abstract"]
    assert frame.attrs["warnings"][0].line == 2


def test_io_bad_input_broken_bibtex_entry(tmp_path):
    text = "@article{good, title={Good}, abstract={Fine.}}\n\n@article{bad, title={Unclosed\n"
    with pytest.warns(ReadWarning, match="'bad' could not be parsed"):
        frame = read(_write(tmp_path, "refs.bib", text))
    assert frame["record_id"].tolist() == ["good", "bad"]
    assert frame["status"].tolist() == ["ok", "error"]


def test_io_bad_input_errors_raise(tmp_path):
    path = _write(tmp_path, "no_er.ris", RIS_NO_ER)
    with pytest.raises(ReadError, match=r"no_er.ris, record 1, line 1: record has no ER") as info:
        read(path, errors="raise")
    assert info.value.warning.line == 1


def test_io_bad_input_errors_ignore_collects_silently(tmp_path):
    path = _write(tmp_path, "no_er.ris", RIS_NO_ER)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        frame = read(path, errors="ignore")
    assert len(frame.attrs["warnings"]) == 2


def test_io_bad_input_missing_path_is_an_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        read(tmp_path / "nothing.ris")
    with pytest.raises(FileNotFoundError, match="no file matches"):
        read(str(tmp_path / "*.ris"))


XXE = """<?xml version="1.0"?>
<!DOCTYPE PubmedArticleSet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID><Article>
<ArticleTitle>T &xxe; end</ArticleTitle><Abstract><AbstractText>A &xxe; B</AbstractText>
</Abstract></Article></MedlineCitation></PubmedArticle></PubmedArticleSet>
"""


def test_io_bad_input_xxe_is_not_expanded(tmp_path):
    frame = read(_write(tmp_path, "xxe.xml", XXE))
    assert frame.loc[0, "abstract"] == "A B"
    assert "root:" not in frame.loc[0, "abstract"]


def _billion_laughs():
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    ]
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE PubmedArticleSet [' + "".join(entities) + "]>\n"
        "<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>2</PMID><Article>"
        "<ArticleTitle>Laughs</ArticleTitle><Abstract><AbstractText>x &lol9; y</AbstractText>"
        "</Abstract></Article></MedlineCitation></PubmedArticle></PubmedArticleSet>\n"
    )


def test_io_bad_input_billion_laughs_is_not_expanded(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        frame = read(_write(tmp_path, "lol.xml", _billion_laughs()))
    assert len(frame) == 1
    assert "lollollol" not in frame.loc[0, "abstract"]
    assert frame.loc[0, "status"] in ("ok", "error")


def test_io_bad_input_iter_records_hands_warnings_to_a_list(tmp_path):
    from evidextract.io import iter_records

    found = []
    path = _write(tmp_path, "no_er.ris", RIS_NO_ER)
    titles = [r["title"] for r in iter_records(path, errors="ignore", warnings_list=found)]
    assert titles == ["First", "Second", "Third"]
    assert [(w.file, w.record, w.line) for w in found] == [("no_er.ris", "1", 1),
                                                          ("no_er.ris", "3", 8)]
