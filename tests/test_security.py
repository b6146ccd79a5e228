"""Security: hostile XML, hostile HTML, hostile manifests.

Every XML reader (PubMed, EndNote XML, JATS) must read external entities, external DTDs and
entity bombs without expanding anything; everything that came from a file must be escaped in
every HTML view (``show()``, the study table, the fit summary, the statistics table); paths
read from a batch manifest must never leave the output folder.
"""

import json
import time
import warnings
from pathlib import Path

import lxml.html
import pandas as pd
import pytest

import evidextract as ev
from evidextract._batch._manifest import UnsafePathError, inside
from evidextract.review._table import StudyTable

FUZZ = Path(__file__).resolve().parent / "data" / "fuzz"
MARKER = "EVIDEXTRACT-SECRET-7f3a"

# One record of each XML format, with a placeholder where the entity reference goes.
XML_TEMPLATES = {
    "pubmed_xml": (
        "PubmedArticleSet",
        "<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>101</PMID><Article>"
        "<ArticleTitle>Title {ref}</ArticleTitle><Abstract><AbstractText>Pain fell from "
        "6.1 ± 1.2 to 3.0 ± 1.1 (p &lt; 0.001). {ref}</AbstractText></Abstract></Article>"
        "</MedlineCitation></PubmedArticle></PubmedArticleSet>",
    ),
    "endnote_xml": (
        "xml",
        "<xml><records><record><titles><title>Title {ref}</title></titles>"
        "<dates><year>2020</year></dates><abstract>Pain fell from 6.1 ± 1.2 to 3.0 ± 1.1 "
        "(p &lt; 0.001). {ref}</abstract></record></records></xml>",
    ),
    "jats": (
        "article",
        "<article><front><article-meta><article-id pub-id-type=\"pmc\">7</article-id>"
        "<title-group><article-title>Title {ref}</article-title></title-group><abstract><p>"
        "Pain fell from 6.1 ± 1.2 to 3.0 ± 1.1 (p &lt; 0.001). {ref}</p></abstract>"
        "</article-meta></front></article>",
    ),
}


def _all_text(frame: pd.DataFrame) -> str:
    cells = [str(cell) for cell in frame.to_numpy().ravel()]
    return " ".join(cells + [str(w) for w in frame.attrs.get("warnings", [])])


def _read(path, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ev.read(path, **kwargs)


@pytest.fixture
def secret(tmp_path):
    path = tmp_path / "secret.txt"
    path.write_text(MARKER + "\n", encoding="utf-8")
    return path


def _xxe_document(fmt, doctype):
    root, body = XML_TEMPLATES[fmt]
    return f'<?xml version="1.0"?>\n<!DOCTYPE {root} [\n{doctype}\n]>\n' + body


@pytest.mark.parametrize("fmt", sorted(XML_TEMPLATES))
def test_security_xxe_external_entity_to_local_file_not_expanded(fmt, secret, tmp_path):
    path = tmp_path / "xxe.xml"
    doctype = f'<!ENTITY xxe SYSTEM "{secret.as_uri()}">'
    path.write_text(_xxe_document(fmt, doctype).replace("{ref}", "&xxe;"), encoding="utf-8")
    frame = _read(path, format=fmt)
    assert MARKER not in _all_text(frame)
    # The record itself is still read, without the entity.
    assert frame["abstract"].tolist() == ["Pain fell from 6.1 ± 1.2 to 3.0 ± 1.1 (p < 0.001)."]
    assert frame["status"].tolist() == ["ok"]


@pytest.mark.parametrize("fmt", sorted(XML_TEMPLATES))
def test_security_xxe_parameter_entity_and_external_dtd_not_loaded(fmt, secret, tmp_path):
    dtd = tmp_path / "evil.dtd"
    dtd.write_text(f'<!ENTITY leak SYSTEM "{secret.as_uri()}">', encoding="utf-8")
    doctype = f'<!ENTITY % remote SYSTEM "{dtd.as_uri()}">\n%remote;'
    path = tmp_path / "param.xml"
    path.write_text(_xxe_document(fmt, doctype).replace("{ref}", "&leak;"), encoding="utf-8")
    frame = _read(path, format=fmt)
    assert MARKER not in _all_text(frame)
    root, body = XML_TEMPLATES[fmt]
    external = tmp_path / "external_dtd.xml"
    external.write_text(f'<?xml version="1.0"?>\n<!DOCTYPE {root} SYSTEM "{dtd.as_uri()}">\n'
                        + body.replace("{ref}", "&leak;"), encoding="utf-8")
    frame = _read(external, format=fmt)
    assert MARKER not in _all_text(frame)
    assert len(frame) >= 1  # the file gives a row (read, or an error row saying why)


@pytest.mark.parametrize("name", ["pubmed_xxe.xml", "endnote_xxe.xml", "jats_xxe.nxml"])
def test_security_xxe_sample_files_read_without_etc_passwd(name):
    frame = _read(FUZZ / name)
    assert "root:" not in _all_text(frame)
    assert frame["status"].tolist() == ["ok"]
    assert frame["abstract"].str.len().gt(20).all()


@pytest.mark.parametrize("fmt", sorted(XML_TEMPLATES))
def test_security_billion_laughs_refused_or_not_expanded(fmt, tmp_path):
    lines = ['<!ENTITY lol "lol">']
    for level in range(1, 10):
        refs = f"&lol{level - 1 if level > 1 else ''};" * 10
        lines.append(f'<!ENTITY lol{level} "{refs}">')
    path = tmp_path / "laughs.xml"
    path.write_text(_xxe_document(fmt, "\n".join(lines)).replace("{ref}", "&lol9;"),
                    encoding="utf-8")
    start = time.perf_counter()
    frame = _read(path, format=fmt)
    elapsed = time.perf_counter() - start
    assert elapsed < 30  # 10**9 "lol"s would take minutes and gigabytes
    assert "lollol" not in _all_text(frame)
    assert frame["abstract"].str.len().max() < 1000
    # Refused: the row says so; or read without the entity.
    for status, message in zip(frame["status"], frame["message"], strict=True):
        assert status == "ok" or (status == "error" and message)


def test_security_billion_laughs_sample_is_an_error_row_with_reason():
    frame = _read(FUZZ / "pubmed_billion_laughs.xml")
    assert len(frame) == 1
    row = frame.iloc[0]
    assert row["status"] in ("error", "ok")
    assert "lollol" not in row["abstract"]
    if row["status"] == "error":
        assert "entity" in row["message"].lower() or "xml" in row["message"].lower()
        assert frame.attrs["warnings"]


def test_security_billion_laughs_raise_mode_raises_read_error():
    with pytest.raises(ev.io.ReadError, match="pubmed_billion_laughs"):
        ev.read(FUZZ / "pubmed_billion_laughs.xml", errors="raise")


@pytest.mark.parametrize("fmt", sorted(XML_TEMPLATES))
def test_security_quadratic_blowup_entity_not_expanded(fmt, tmp_path):
    big = "A" * 20_000
    doctype = f'<!ENTITY big "{big}">'
    path = tmp_path / "quadratic.xml"
    path.write_text(_xxe_document(fmt, doctype).replace("{ref}", "&big;" * 2000),
                    encoding="utf-8")
    frame = _read(path, format=fmt)
    assert frame["abstract"].str.len().max() < 10_000  # 2000 x 20,000 characters never built


# ---------------------------------------------------------------- HTML from files

HOSTILE = {
    "script": "<script>alert('x')</script>",
    "img_onerror": "<img src=x onerror=alert(1)>",
    "attribute": '" onmouseover="alert(2)" x="',
    "attribute_single": "' onfocus='alert(3)' autofocus='",
    "closing_tag": "</td></tr></table><script>alert(4)</script>",
}


def _assert_inert(fragment: str):
    """No element or attribute in ``fragment`` came from hostile text."""
    tree = lxml.html.fragment_fromstring(f"<div>{fragment}</div>")
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        assert element.tag not in ("script", "img", "iframe", "svg", "object"), element.tag
        for name in element.attrib:
            assert not name.lower().startswith("on"), (element.tag, name)
            assert name not in ("autofocus", "x"), (element.tag, name)


def _hostile_records(payload):
    return pd.DataFrame({
        "record_id": [f"r1{payload}"],
        "title": [f"Title {payload}"],
        "abstract": [f"Pain fell from 6.8 ± 2.2 to 4.1 ± 2.4 (p < 0.001) {payload} in 40."],
    })


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_security_show_escapes_html_in_titles_abstracts_and_ids(kind):
    records = _hostile_records(HOSTILE[kind])
    stats = ev.extract(records)
    assert len(stats) >= 2
    view = ev.show(records, stats)
    _assert_inert(view.html)
    assert view.located == len(stats)
    _assert_inert(ev.show(None, stats).html)


def test_security_show_escapes_hostile_stat_fields(tmp_path):
    payload = HOSTILE["attribute"] + HOSTILE["script"]
    stats = pd.DataFrame({"record_id": ["r1"], "start": [0], "end": [3], "text": ["6.8"],
                          "stat": ["mean"], "value": [6.8], "outcome": [payload],
                          "group": [HOSTILE["img_onerror"]], "sentence": [payload]})
    records = pd.DataFrame({"record_id": ["r1"], "title": [payload], "abstract": ["6.8 x"]})
    view = ev.show(records, stats)
    _assert_inert(view.html)
    page = view.save(tmp_path / "page.html").read_text(encoding="utf-8")
    _assert_inert(page.split("<body>", 1)[1].rsplit("</body>", 1)[0])


def test_security_show_escapes_a_hostile_ris_file_end_to_end():
    records = _read(FUZZ / "html_injection.ris")
    assert records["record_id"].tolist() == ["<img src=x onerror=alert(1)>"]
    stats = ev.extract(records)
    view = ev.show(records, stats)
    _assert_inert(view.html)
    assert "&lt;img src=x onerror=alert(1)&gt;" in view.html  # shown as text, not run


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_security_study_table_repr_html_escapes_labels_and_sources(kind):
    payload = HOSTILE[kind]
    table = StudyTable({"study": [f"Smith {payload} 2020"], "m1i": [2.5],
                        "m1i_text": [f"2.5 {payload}"], "m1i_sentence": [payload],
                        "imputed": [payload]}, index=[f"idx{payload}"])
    _assert_inert(table._repr_html_())


def test_security_study_table_from_extract_escapes_study_labels():
    payload = HOSTILE["script"] + HOSTILE["img_onerror"]
    records = pd.DataFrame({"record_id": ["a", "b"], "abstract": [
        "AUC was 0.85 (95% CI 0.80-0.90) in 120 patients.",
        "AUC was 0.78 (95% CI 0.70-0.86) in 80 patients."]})
    stats = ev.extract(records)
    table = ev.estimates(stats, stat="auc", labels={"a": f"Doe {payload}", "b": payload})
    assert len(table) == 2
    _assert_inert(table._repr_html_())


def test_security_fit_summary_repr_html_escapes_moderator_and_study_labels():
    payload = HOSTILE["script"] + HOSTILE["attribute"]
    data = pd.DataFrame({"yi": [0.1, 0.3, 0.35, 0.6, 0.2], "vi": [0.01, 0.02, 0.015, 0.03, 0.02],
                         payload: [1.0, 2.0, 3.0, 4.0, 2.5],
                         "study": [f"S{i} {HOSTILE['img_onerror']}" for i in range(5)]})
    fit = ev.rma("yi", "vi", data=data, mods=[payload], slab="study")
    html_text = fit._repr_html_()
    assert "&lt;script&gt;" in html_text  # the moderator's name is shown, escaped
    _assert_inert(html_text)
    _assert_inert(ev.rma("yi", "vi", data=data, slab="study")._repr_html_())


def test_security_statistics_table_repr_html_escapes_cells():
    records = _hostile_records(HOSTILE["script"] + HOSTILE["img_onerror"])
    stats = ev.extract(records)
    stats = stats.assign(outcome=HOSTILE["closing_tag"])
    stats.attrs = {}
    _assert_inert(stats._repr_html_())


# ---------------------------------------------------------------- batch manifests

@pytest.mark.parametrize("relative", ["../../etc/passwd", "/etc/passwd", "statistics/../../x",
                                      "", "a\x00b"])
def test_security_manifest_path_outside_output_folder_refused(relative, tmp_path):
    with pytest.raises(UnsafePathError):
        inside(tmp_path, relative)


def test_security_manifest_symlink_outside_output_folder_refused(tmp_path):
    out = tmp_path / "out"
    (out / "statistics").mkdir(parents=True)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (out / "statistics" / "link").symlink_to(outside)
    with pytest.raises(UnsafePathError):
        inside(out, "statistics/link/part.parquet")


def _tampered_run(tmp_path, parts):
    """A finished batch run whose manifest was then edited to list ``parts``."""
    source = tmp_path / "in.ris"
    source.write_text("TY  - JOUR\nTI  - A\nAB  - AUC was 0.85 in 120 patients.\nER  -\n",
                      encoding="utf-8")
    out = tmp_path / "out"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ev.extract_files([source], out=out, progress=False)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    manifest["inputs"].append({
        "key": "gone.ris-00000000", "path": str(tmp_path / "gone.ris"),
        "fingerprint": {"size": 1, "mtime_ns": 1, "sha256": None}, "status": "done",
        "error": None, "records": 1, "abstracts": 1, "statistics": 1, "by_status": {"ok": 1},
        "parts": parts,
    })
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return source, out


def test_security_manifest_dotdot_parts_never_deleted_or_read(tmp_path):
    victim = tmp_path / "victim.parquet"
    victim.write_bytes(b"precious")
    parts = [{"chunk": 0, "statistics": "../victim.parquet", "records": "../../etc/passwd",
              "n_records": 1, "n_statistics": 1}]
    source, out = _tampered_run(tmp_path, parts)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = ev.extract_files([source], out=out, progress=False)
    assert victim.read_bytes() == b"precious"  # the stale-part cleanup stayed inside
    assert Path("/etc/passwd").exists()
    assert result.statistics()["stat"].astype(str).tolist() == ["auc", "sample_size"]
    for path in result.part_paths("statistics") + result.part_paths("records"):
        assert out.resolve() in path.resolve().parents


def test_security_manifest_dotdot_parts_of_a_reused_input_are_redone(tmp_path):
    source, out = _tampered_run(tmp_path, [])
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    manifest["inputs"] = manifest["inputs"][:1]
    manifest["inputs"][0]["parts"][0]["statistics"] = "../../etc/passwd"
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = ev.extract_files([source], out=out, progress=False)
    assert result.reused_inputs == 0  # a tampered entry is never trusted
    assert result.statistics()["value"].tolist() == [0.85, 120.0]
    tampered = ev.batch.BatchResult(out, manifest, 0.0, 0, 0)
    with pytest.raises(UnsafePathError):
        tampered.part_paths("statistics")



def test_security_fit_summary_repr_html_escapes_subgroup_labels():
    data = pd.DataFrame({"yi": [0.1, 0.3, 0.35, 0.6, 0.2, 0.4],
                         "vi": [0.01, 0.02, 0.015, 0.03, 0.02, 0.01],
                         "arm": [HOSTILE["script"]] * 3 + [HOSTILE["img_onerror"]] * 3})
    fit = ev.rma("yi", "vi", data=data, subgroup="arm")
    html_text = fit._repr_html_()
    assert "&lt;script&gt;" in html_text
    _assert_inert(html_text)
