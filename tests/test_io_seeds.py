"""The user's seed documents and the dev gold corpus: exact records, byte-identical abstracts."""

import json
from pathlib import Path

import pytest

from evidextract.io import read

SEEDS = [
    # record_id, file prefix, title start, first words, last words, section labels, year
    ("10.1007/s00256-024-04733-0", "000", "Whole-body low-dose computed tomography",
     "Objective: To develop", "various cytogenetic abnormalities.",
     ("Objective", "Materials and methods", "Results", "Conclusion"), 2025),
    ("10.1007/s00256-024-04744-x", "000", "Association of tibial slope alterations",
     "Objective: To compare", "to normal ACLs.",
     ("Objective", "Materials and methods", "Results", "Conclusion"), 2025),
    ("10.1007/s00256-024-04742-z", "000", "Combining morphological and functional",
     "Purpose: Morphological magnetic", "spine and sacrum.",
     ("Purpose", "Materials and methods", "Results", "Conclusion"), 2025),
    ("10.1007/s00256-024-04752-x", "000", "Radiomics based on multiple machine",
     "Objectives: This study", "optimal classification method.",
     ("Objectives", "Materials and methods", "Results", "Conclusions"), 2025),
    ("10.1007/s00256-024-04722-3", "000", "Quantitative CT lumbar spine BMD cutpoint",
     "For older Caucasian", "for Chinese women.", (), 2025),
    ("10.1007/s00256-025-04879-5", "000", "Accuracy and precision of in vitro EOS",
     "Objectives: Accurate limb", "achieve accurate measurements.",
     ("Objectives", "Methods", "Results", "Conclusion"), 2025),
    ("10.1007/s00256-024-04716-1", "000", "Sclerosing well-differentiated liposarcoma",
     "Liposarcoma is a", "soft tissue tumors.", (), 2025),
    ("10.1007/s00256-025-04878-6", "000", "Statin use and longitudinal bone marrow",
     "Objectives: Knee subchondral", "downstream OA incidence.",
     ("Objectives", "Methods", "Results", "Conclusion"), 2025),
    ("10.1007/s00256-025-04877-7", "000", "Image-guided cryoablation for palliation",
     "Objective: To assess", "in cancer management.",
     ("Objective", "Materials and methods", "Results", "Conclusions"), 2025),
    ("002_6a12386ed7d99a6d", "002", "Percutaneous Cryoablation in the Management",
     "Background: Minimally invasive", "individualized treatment planning.",
     ("Background", "Methods", "Results", "Conclusions"), 2025),
    ("10.1007/s00330-021-08477-6", "003",
     "Percutaneous image-guided cryoablation of spinal metastases: over 10-year",
     "Objectives: To report", "metastases is 82.1%.",
     ("Objectives", "Methods", "Results", "Conclusion", "Key Points"), 2022),
    ("10.1007/s00330-013-3071-z", "004", "Cementoplasty for managing painful bone",
     "Objective: To illustrate", "with extraspinal metastases.",
     ("Objective", "Methods", "Results", "Conclusions", "Key points"), 2014),
]


@pytest.fixture(scope="module")
def seeds(shared_dir):
    return read(str(shared_dir / "seeds" / "*.txt"))


def test_io_seeds_exact_records(seeds):
    assert seeds["record_id"].tolist() == [s[0] for s in SEEDS]
    assert (seeds["status"] == "ok").all()
    for row, (rid, prefix, title, head, tail, labels, year) in zip(
        seeds.itertuples(), SEEDS, strict=True
    ):
        assert row.source.startswith(prefix)
        assert row.title.startswith(title)
        assert row.abstract.startswith(head + " ")
        assert row.abstract.endswith(" " + tail)
        assert tuple(label for _, label, _, _ in row.sections) == labels
        assert row.year == year
        assert row.doi == ("" if rid.startswith("002_") else rid)
    assert not seeds.attrs["warnings"]


def test_io_seeds_deduplicate_the_same_paper_across_files(seeds):
    # 001 is a saved page of the paper that 000 holds as JSON (no DOI on the page).
    assert seeds.attrs["duplicates"] == [{
        "kept": "10.1007/s00256-025-04877-7", "dropped": "001_b81337c7d4989284",
        "source": "001_b81337c7d4989284.txt",
    }]
    kept = seeds.set_index("record_id").loc["10.1007/s00256-025-04877-7"]
    assert "001_b81337c7d4989284" in kept["message"]
    assert seeds["abstract"].is_unique
    assert seeds.attrs["files"] == [
        "000_2cff4f7f87802094.txt", "001_b81337c7d4989284.txt", "002_6a12386ed7d99a6d.txt",
        "003_b53d737dffa061d6.txt", "004_3efab02730bd8da1.txt",
    ]


def test_io_seeds_page_metadata(seeds):
    rows = seeds.set_index("record_id")
    assert rows.loc["002_6a12386ed7d99a6d", "journal"] == "Journal of Neuro-Oncology"
    assert rows.loc["002_6a12386ed7d99a6d", "authors"].startswith("Fallahi MS; Maroufi SF;")
    assert rows.loc["10.1007/s00330-013-3071-z", "journal"] == "Eur Radiol"
    assert rows.loc["10.1007/s00330-021-08477-6", "journal"] == "European Radiology"
    assert rows.loc["10.1007/s00256-024-04733-0", "journal"] == "Skeletal Radiology"
    # the copyright line closing the 002 page is not part of the abstract
    assert "©" not in "".join(seeds["abstract"])


def test_io_seeds_match_the_dev_gold_records_byte_for_byte(seeds, shared_dir):
    path = shared_dir / "eval" / "dev" / "records.jsonl"
    gold = [json.loads(line) for line in path.read_text("utf-8").splitlines()]
    by_id = seeds.set_index("record_id")
    for record in gold:
        assert by_id.loc[record["id"], "abstract"] == record["abstract"], record["id"]
        assert by_id.loc[record["id"], "title"] == record["title"], record["id"]
    assert set(by_id.index) == {r["id"] for r in gold}


def test_io_gold_corpus_reads_with_its_own_ids(shared_dir):
    path = shared_dir / "eval" / "dev" / "records.jsonl"
    gold = [json.loads(line) for line in path.read_text("utf-8").splitlines()]
    frame = read(path)
    assert frame["record_id"].tolist() == [r["id"] for r in gold]
    assert frame["abstract"].tolist() == [r["abstract"] for r in gold]
    assert frame["doi"].tolist() == [r["doi"] for r in gold]


def test_io_repo_seed_copy_reads_like_shared(seeds):
    repo_seeds = Path(__file__).resolve().parents[1] / "data" / "seeds"
    frame = read(str(repo_seeds / "*.txt"))
    assert frame[["record_id", "abstract"]].equals(seeds[["record_id", "abstract"]])
