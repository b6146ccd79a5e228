import pytest

from evidextract.io import split_sections


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Objectives: To test. Materials and methods: We did it. Results: Good. "
            "Conclusion: Fine.",
            [("objective", "Objectives"), ("methods", "Materials and methods"),
             ("results", "Results"), ("conclusion", "Conclusion")],
        ),
        (
            "BACKGROUND: A. METHODS: B. RESULTS: C. CONCLUSIONS: D.",
            [("background", "BACKGROUND"), ("methods", "METHODS"), ("results", "RESULTS"),
             ("conclusion", "CONCLUSIONS")],
        ),
        (
            "Purpose To see. Findings We saw. Interpretation: It is so.",
            [],  # title-case labels without a colon are not taken
        ),
        (
            "Background: X. Findings: 12 of 30 (40%). Interpretation: Y. Funding: Z.",
            [("background", "Background"), ("results", "Findings"),
             ("conclusion", "Interpretation"), ("other", "Funding")],
        ),
        ("BACKGROUND The disease. METHODS We counted. RESULTS Many.",
         [("background", "BACKGROUND"), ("methods", "METHODS"), ("results", "RESULTS")]),
    ],
)
def test_io_sections_labels(text, expected):
    got = split_sections(text)
    assert [(name, label) for name, label, _, _ in got] == expected
    for _, label, start, end in got:
        assert text[start:end].startswith(label)
        assert not text[start:end].endswith(" ")


def test_io_sections_spans_tile_the_abstract():
    text = "Background: A b. Methods: C d. Results: E f. Conclusions: G h."
    got = split_sections(text)
    assert [(s, e) for *_, s, e in got] == [(0, 16), (17, 30), (31, 44), (45, 62)]
    assert text[got[2][2]:got[2][3]] == "Results: E f."


@pytest.mark.parametrize(
    "text",
    [
        "",
        "We enrolled 40 patients. Results were good in the methods: group.",
        "The results: an increase. Conclusion: none.",  # lower-case 'results:' is no label
        "In this study the methods: were weak. Background: only one label.",
    ],
)
def test_io_sections_unstructured_gives_empty(text):
    assert split_sections(text) == []
