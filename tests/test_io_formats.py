"""Every export format: the real files of ../shared/formats read in place, and our samples."""

import gzip
import shutil

import pytest

from evidextract.io import ReadError, iter_records, read

FORMATS = [
    # file, records, with abstract, first record_id, first title start, first words,
    # last words, year, canonical sections of the first record
    ("23657305.xml", 1, 1, "23657305", "Hfe mutations and iron overload in patie",
     "CONTEXT: Alcoholic liver", "or severity.", 2013,
     ("background", "objective", "methods", "results", "conclusion")),
    ("36987902.xml", 1, 1, "36987902", "Patients over 75 years admitted to the N",
     "BACKGROUND: The number", "adjusting therapy.", 2023,
     ("background", "methods", "results", "conclusion")),
    ("38747095.xml", 1, 1, "38747095", "Comparison of Australian Football League",
     "AIMS: This cross-sectional", "athletic performance.", 2024,
     ("objective", "methods", "results", "conclusion")),
    ("EndnoteXmlImporterTestArticle.xml", 1, 1, "25647015", "Trends in the lifetime risk of",
     "test abstract", "test abstract", 2015, ()),
    ("EndnoteXmlImporterTestArticle2.xml", 2, 0, "EndnoteXmlImporterTestArticle2:1",
     "An ecological basis for reforestation of", "", "", 1937, ()),
    ("PMC101395.nxml", 1, 1, "11943073", "Diclofenac does not interact with codein",
     "Background: Previously, we", "healthy volunteers.", 2002,
     ("background", "methods", "results", "conclusion")),
    ("Paper.json", 1015, 780, "10.1093/MIND/LIX.236.433", "Computing Machinery and Intelligence",
     "I propose to", "Gallup poll.", 1950, ()),
    ("embase.csv", 6, 6, "10.4103/2303-9027.138783", "Duplication cysts: Diagnosis, management",
     "Gastrointestinal tract duplication", "these lesions.", 2014, ()),
    ("embase.ris", 6, 6, "10.4103/2303-9027.138783", "Duplication cysts: Diagnosis, management",
     "Gastrointestinal tract duplication", "these lesions.", 2014, ()),
    ("example_wos.ris", 2, 2, "15170338", "Interactions stabilizing the structure o",
     "Reconstitution experiments with", "the complex.", 2004, ()),
    ("marcelis-20301770.nbib", 1, 1, "20301770", "Feingold Syndrome 1.",
     "CLINICAL CHARACTERISTICS: Feingold", "are possible.", 1993, ()),
    ("ovid_psycinfo.ris", 6, 6, "10.1002/cpp.2398", "The influence of self-criticism on depre",
     "Considering that self-criticism", "psychological care.", 2019, ()),
    ("ovid_zotero.ris", 6, 6, "10.1002/cpp.2398", "The influence of self-criticism on depre",
     "Considering that self-criticism", "psychological care.", 2019, ()),
    ("pone.0046493.nxml", 1, 1, "23029536", "MmPPOX Inhibits Mycobacterium tuberculos",
     "Lipid metabolism plays", "mycobacterial growth.", 2012, ()),
    ("proquest.ris", 6, 6, "10.1002/jts.22387", "Predictors of posttraumatic stress sympt",
     "People respond differently", "[Author Abstract]", 2019, ()),
    ("pubmed-29768149.xml", 1, 1, "29768149", "Inhaled Combined Budesonide-Formoterol a",
     "BACKGROUND: In patients", "NCT02149199 .).", 2018,
     ("background", "methods", "results", "conclusion")),
    ("pubmed4.xml", 1, 1, "27797938", "Leucocyte telomere length, genetic varia",
     "OBJECTIVE: Telomere shortening", "pancreatic cancer.", 2017,
     ("objective", "methods", "results", "conclusion")),
    ("pubmed5.xml", 1, 1, "28775130", "Occupational pesticide exposure and subc",
     "OBJECTIVES: Animal studies", "pesticide applicators.", 2018,
     ("objective", "methods", "results", "conclusion")),
    ("pubmed_endnote.txt", 6, 6, "21553931", "Boswellia serrata: an overall assessment",
     "Non-steroidal anti-inflammatory drug", "clinical trials.", 2011, ()),
    ("pubmed_result2.txt", 4, 4, "16403221", "A high level interface to SCOP and ASTRA",
     "BACKGROUND: Benchmarking algorithms", "more principled.", 2006,
     ("background", "results", "conclusion")),
    ("pubmed_result3.txt", 1, 1, "23039619", "Effects of different parameters in the f",
     "PURPOSE: High-intensity focused", "ablation treatment.", 2012,
     ("objective", "methods", "results", "conclusion")),
    ("pubmed_zotero.ris", 6, 6, "10.5114/pg.2018.81081", "The importance of cognitive flexibility",
     "Introduction: There are", "therapeutic methods.", 2019,
     ("background", "objective", "methods", "results", "conclusion")),
    ("schoot-lgmm-ptsd-included-3.ris", 8, 8, "10.1037/a0018601",
     "Psychopathology and Resilience Following", "Objective: To investigate", "the U.S.", 2010,
     ("objective", "methods", "results", "conclusion")),
    ("scopus.ris", 6, 6, "10.1016/j.psyneuen.2019.104501", "Stress and the brain-gut axis in",
     "The broad role", "gut microbiota.", 2020, ()),
    ("web_of_science.txt", 10, 10, "10.1016/j.jarmac.2018.03.001",
     "Holding Yourself Captive: Perceptions of", "Police custody activates", "future research.",
     2018, ()),
    ("works_0_25.json", 25, 25, "27919275", "Rayyan—a web and mobile app for systemat",
     "Synthesis of multiple", "of reviewers.", 2016, ()),
]


@pytest.mark.parametrize(("name", "n", "n_abstracts", "rid", "title", "head", "tail", "year",
                          "sections"), FORMATS, ids=[f[0] for f in FORMATS])
def test_io_formats_shared_exports(shared_dir, name, n, n_abstracts, rid, title, head, tail,
                                   year, sections):
    frame = read(shared_dir / "formats" / name)
    assert len(frame) == n
    assert (frame["abstract"] != "").sum() == n_abstracts
    assert set(frame["status"]) <= {"ok", "no_abstract"}
    assert frame.attrs["warnings"] == []
    first = frame.iloc[0]
    assert first["record_id"] == rid
    assert first["title"].startswith(title)
    assert first["abstract"].startswith(head)
    assert first["abstract"].endswith(tail)
    assert first["year"] == year
    assert tuple(name for name, *_ in first["sections"]) == sections
    assert frame["record_id"].is_unique


def test_io_formats_every_shared_file_is_covered(shared_dir):
    on_disk = {p.name for p in (shared_dir / "formats").iterdir() if p.name != "SOURCES.txt"}
    assert on_disk == {f[0] for f in FORMATS}


def test_io_formats_character_references_become_text(shared_dir):
    text = read(shared_dir / "formats" / "38747095.xml").loc[0, "abstract"]
    assert "6712 ± 622 m" in text  # &#x2009;&#xb1;&#x2009; folded to plain spaces
    text = read(shared_dir / "formats" / "36987902.xml").loc[0, "abstract"]
    assert "≥ 75" in text and "\xa0" not in text


def test_io_formats_same_records_from_ris_and_csv_exports(shared_dir):
    ris = read(shared_dir / "formats" / "embase.ris")
    csv = read(shared_dir / "formats" / "embase.csv")
    assert ris["doi"].tolist() == csv["doi"].tolist()
    assert ris["abstract"].tolist() == csv["abstract"].tolist()


def test_io_formats_openalex_inverted_index_rebuilt(shared_dir):
    frame = read(shared_dir / "formats" / "works_0_25.json")
    first = frame.iloc[0]
    assert first["pmid"] == "27919275"
    assert first["doi"] == "10.1186/s13643-016-0384-4"
    assert first["journal"] == "Systematic Reviews"
    assert "  " not in first["abstract"]


def test_io_formats_semantic_scholar_citations_are_records(shared_dir):
    frame = read(shared_dir / "formats" / "Paper.json")
    assert frame.loc[0, "journal"] == "Mind"
    nested = frame.iloc[1:]
    assert nested["message"].str.contains("in the (?:citations|references) of 2d5673ca").all()
    assert (nested["message"].str.contains("citations")).sum() == 1000
    assert (frame["status"] == "no_abstract").sum() == 235


def test_io_formats_wos_plain_text_fields(shared_dir):
    frame = read(shared_dir / "formats" / "example_wos.ris")
    assert frame["doi"].tolist() == ["10.1021/bi049798f", "10.1021/bi0497291"]
    assert frame["pmid"].tolist() == ["15170338", "15170339"]
    assert frame.loc[0, "journal"] == "BIOCHEMISTRY"


# --- our own small samples, one per format family -------------------------------------------

SAMPLES = [
    # file, record ids, statuses, first title, first abstract start, first section labels
    ("pubmed_sample.xml", ["90000001", "90000002", "90000003"], ["ok", "ok", "no_abstract"],
     "Cryoablation of painful bone metastases: a pilot trial.",
     "BACKGROUND: Pain from bone metastases is common. METHODS: We treated 24 patients with "
     "lesions of 103 mm³ or more. RESULTS: Pain fell from 7.1 ± 1.2 to 3.0 (P < 0.001).",
     ["BACKGROUND", "METHODS", "RESULTS", "CONCLUSIONS"]),
    ("medline_sample.nbib", ["90000011", "90000012"], ["ok", "no_abstract"],
     "Radiofrequency ablation of osteoid osteoma: a synthetic cohort.",
     "OBJECTIVE: To describe outcomes. METHODS: Thirty-two children were treated.",
     ["OBJECTIVE", "METHODS", "RESULTS", "CONCLUSION"]),
    ("scopus_sample.ris", ["10.9999/ssj.2020.5", "scopus_sample:2"], ["ok", "no_abstract"],
     "Percutaneous vertebroplasty for synthetic fractures",
     "Purpose: To assess vertebroplasty. Materials and methods: 50 patients.",
     ["Purpose", "Materials and methods", "Results", "Conclusion"]),
    ("ovid_numbered.ris", ["10.9999/ovid.1", "2020-00002-001"], ["ok", "ok"],
     "Depression after synthetic injury.",
     "Depression was present in 18 of 60 participants (30%).", []),
    ("embase_bom.ris", ["10.9999/gut.2017.3"], ["ok"], "Embase record with a byte-order mark",
     "Endoscopic ultrasound found 9 cysts in 40 patients.", []),
    ("wos_sample.txt", ["90000031", "WOS:000000000000002"], ["ok", "no_abstract"],
     "Synthetic light-harvesting complexes and their stability",
     "We measured 14 complexes; 12 were stable at 25 degrees.", []),
    ("endnote_sample.xml", ["90000041", "endnote_sample:2"], ["ok", "no_abstract"],
     "Microwave ablation of synthetic liver tumours",
     "Background: Tumours recur. Results: Complete ablation in 88 of 95 (92.6%).",
     ["Background", "Results"]),
    ("bibtex_sample.bib", ["10.9999/sr.2022.7", "roe2021"], ["ok", "no_abstract"],
     "MRI of synthetic knees",
     "Objectives: To compare MRI readers. Results: Kappa was 0.81 (95% CI 0.70--0.90).",
     ["Objectives", "Results"]),
    ("embase_sample.csv", ["10.9999/se.2014.1", "embase_sample:2"], ["ok", "no_abstract"],
     "Duplication cysts in synthetic adults", "EUS found 12 cysts, 4 of them infected.", []),
    ("jats_sample.nxml", ["90000051"], ["ok"], "Drug A does not interact with drug B in vivo",
     "Background: Drug A inhibits an enzyme in vitro. Methods: Twelve volunteers took 100 mg "
     "of drug B. Serum was sampled for 36 h. Results:",
     ["Background", "Methods", "Results", "Conclusions"]),
    ("s2_sample.json", ["90000061", "10.9999/s2.2", "ghi789"], ["ok", "ok", "no_abstract"],
     "A Semantic Scholar paper", "We surveyed 300 radiologists; 210 (70%) answered.", []),
    ("openalex_sample.json", ["90000071", "W200"], ["ok", "no_abstract"], "An OpenAlex work",
     "Background: screening saves time. Automated screening helps.", []),
    ("gold_sample.jsonl", ["10.9999/gold.1", "my_page_2"], ["ok", "ok"], "Gold record one",
     "Objective: To test. Results: 5 of 10 (50%) improved.", ["Objective", "Results"]),
    ("pagedump_sample.txt", ["10.9999/dump.1", "10.9999/dump.2"], ["ok", "ok"],
     "First dumped record.",
     "Purpose: To count. Results: AUC was 0.87 (p < .001); 103 cells.", ["Purpose", "Results"]),
    ("webpage_sample.html", ["10.9999/web.1"], ["ok"], "Cementoplasty for synthetic bone lesions",
     "Objective: To illustrate cementoplasty & its effect. Results: VAS fell from 8.2 ± 1.1 to "
     "3.0 ± 1.9 (P < 0.01). Conclusions: It works.", ["Objective", "Results", "Conclusions"]),
    ("text_sample.txt", ["text_sample"], ["ok"], "Ablation of synthetic renal tumours",
     "We treated 41 tumours in 38 patients. Technical success was 100%, and local", []),
]


@pytest.mark.parametrize(("name", "ids", "statuses", "title", "abstract", "labels"), SAMPLES,
                         ids=[s[0] for s in SAMPLES])
def test_io_formats_samples(data_dir, name, ids, statuses, title, abstract, labels):
    frame = read(data_dir / "io" / name)
    assert frame["record_id"].tolist() == ids
    assert frame["status"].tolist() == statuses
    assert frame.loc[0, "title"] == title
    assert frame.loc[0, "abstract"].startswith(abstract)
    assert [label for _, label, _, _ in frame.loc[0, "sections"]] == labels
    assert frame.attrs["warnings"] == []
    for row in frame.itertuples():
        if row.status == "no_abstract":
            assert row.abstract == "" and row.message.startswith("no abstract in the record")


def test_io_formats_sample_fields(data_dir):
    pubmed = read(data_dir / "io" / "pubmed_sample.xml")
    assert pubmed.loc[0, "doi"] == "10.9999/jsr.2021.001"
    assert pubmed.loc[0, "authors"] == "Doe J; Synthetic Trial Group"
    assert pubmed["year"].tolist() == [2021, 2019, 2020]  # MedlineDate "2019 Nov-Dec"
    scopus = read(data_dir / "io" / "scopus_sample.ris")
    assert scopus.loc[0, "abstract"].endswith("Conclusion: Safe.")  # © line dropped
    assert scopus.loc[0, "pmid"] == ""  # Scopus C2 is not taken as a PMID
    assert scopus.loc[0, "journal"] == "Synthetic Spine Journal"
    ovid = read(data_dir / "io" / "ovid_numbered.ris")
    assert ovid.loc[0, "abstract"].endswith("(30%).")  # PsycINFO notice dropped
    bib = read(data_dir / "io" / "bibtex_sample.bib")
    assert bib.loc[0, "authors"] == "Doe, Jane; Müller, Hans"
    assert bib.loc[0, "journal"] == "Synthetic Radiology"  # @string expanded
    csv = read(data_dir / "io" / "embase_sample.csv")
    assert csv.loc[0, "journal"] == "Synthetic Endoscopy" and csv.loc[0, "year"] == 2014
    assert csv.loc[1, "title"] == "A second, quoted, title"
    page = read(data_dir / "io" / "pagedump_sample.txt")
    assert page.attrs["duplicates"] == [
        {"kept": "10.9999/dump.1", "dropped": "10.9999/dump.1", "source": "pagedump_sample.txt"}
    ]
    assert page.loc[1, "abstract"] == "Plain text with p < .05 kept."
    html = read(data_dir / "io" / "webpage_sample.html")
    assert "not text" not in html.loc[0, "abstract"]  # <script> content dropped
    assert html.loc[0, "journal"] == "Synthetic Radiology"


def test_io_formats_user_column_mapping(data_dir):
    path = data_dir / "io" / "custom_columns.tsv"
    frame = read(path, columns={"Heading": "title", "Summary": "abstract",
                                "Identifier": "record_id"})
    assert frame[["record_id", "title", "abstract"]].values.tolist() == [
        ["X-1", "My own table", "We enrolled 80 patients; 20 (25%) relapsed."]
    ]
    with pytest.raises(ValueError, match="fields are"):
        read(path, columns={"Heading": "headline"})


def test_io_formats_explicit_format_and_aliases(data_dir):
    path = data_dir / "io" / "medline_sample.nbib"
    assert read(path, format="nbib")["record_id"].tolist() == ["90000011", "90000012"]
    with pytest.raises(ValueError, match="unknown format"):
        read(path, format="docx")


def test_io_formats_gzip_pubmed_streams_like_plain(data_dir, tmp_path):
    plain = data_dir / "io" / "pubmed_sample.xml"
    packed = tmp_path / "pubmed_sample.xml.gz"
    with open(plain, "rb") as src, gzip.open(packed, "wb") as dst:
        shutil.copyfileobj(src, dst)
    a, b = read(plain), read(packed)
    assert a.drop(columns="source").equals(b.drop(columns="source"))
    assert b.loc[0, "source"] == "pubmed_sample.xml.gz"


def _baseline_like(path, n):
    article = (
        "<PubmedArticle><MedlineCitation><PMID>{i}</PMID><Article><Journal><JournalIssue>"
        "<PubDate><Year>2020</Year></PubDate></JournalIssue><Title>J</Title></Journal>"
        "<ArticleTitle>Title {i}</ArticleTitle><Abstract><AbstractText Label=\"RESULTS\">"
        + "Of 100 patients, {i} responded. " * 20
        + "</AbstractText></Abstract></Article></MedlineCitation></PubmedArticle>\n"
    )
    with gzip.open(path, "wt", encoding="utf-8") as out:
        out.write("<?xml version=\"1.0\"?>\n<PubmedArticleSet>\n")
        for i in range(1, n + 1):
            out.write(article.format(i=i))
        out.write("</PubmedArticleSet>\n")


def test_io_formats_pubmed_baseline_is_streamed(tmp_path):
    # A baseline file whose end is broken: a reader that parsed the whole file first would
    # fail before giving anything; the streaming reader hands out records as it goes.
    path = tmp_path / "pubmed24n0001.xml.gz"
    _baseline_like(path, 1000)
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        text = handle.read()
    broken = tmp_path / "broken.xml.gz"
    with gzip.open(broken, "wt", encoding="utf-8") as out:
        out.write(text[: text.rindex("<PubmedArticle>") + 40])
    records = iter_records(broken, errors="raise")
    assert next(records)["record_id"] == "1"
    assert sum(1 for _ in zip(range(998), records, strict=False)) == 998  # records 2 to 999
    with pytest.raises(ReadError, match="line 1002"):
        next(records)
    assert sum(1 for _ in iter_records(path)) == 1000
