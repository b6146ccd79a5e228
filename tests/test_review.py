"""Study tables, review sheets and notebook displays, on the dev gold statistics table."""

import html
import math
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as scipy_stats

from evidextract import estimates, pre_post, proportions, show, two_groups
from evidextract.review import StudyTable

CRYO = "10.1007/s00330-021-08477-6"  # NRS 6.8 ± 2.2 -> 2.5 ± 2.6 at 1 month, 64 patients
CEMENT = "10.1007/s00330-013-3071-z"  # VAS 8.19 ± 1.1 -> 3.41 ± 2.1 at 1 month, 51 patients
META = "10.1007/s00256-025-04877-7"  # SMD -3.71 (95% CI -5.29 to -2.00)

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9•])")


def _with_spans(gold: pd.DataFrame, records: pd.DataFrame) -> pd.DataFrame:
    """Give the gold rows the offsets and sentences the extractor reports."""
    abstracts = dict(zip(records["id"], records["abstract"], strict=True))
    starts, ends, sentences, cursors = [], [], [], {}
    for record_id, text in zip(gold["record_id"], gold["text"], strict=True):
        abstract = abstracts[record_id]
        found = abstract.find(text, cursors.get(record_id, 0))
        if found < 0:
            found = abstract.find(text)
        assert found >= 0, (record_id, text)
        cursors[record_id] = found + 1
        bounds = [0] + [m.end() for m in _SENTENCE_END.finditer(abstract)] + [len(abstract)]
        first = max(b for b in bounds if b <= found)
        last = min(b for b in bounds if b >= found + len(text))
        starts.append(found)
        ends.append(found + len(text))
        sentences.append(abstract[first:last].strip())
    return gold.assign(start=pd.array(starts, dtype="Int64"), end=pd.array(ends, dtype="Int64"),
                       sentence=sentences)


@pytest.fixture(scope="module")
def dev(shared_dir):
    gold = pd.read_json(shared_dir / "eval" / "dev" / "gold.jsonl", lines=True)
    records = pd.read_json(shared_dir / "eval" / "dev" / "records.jsonl", lines=True)
    return _with_spans(gold, records), records.rename(columns={"id": "record_id"})


@pytest.fixture(scope="module")
def pain(dev):
    stats, _ = dev
    return pre_post(stats, outcome="NRS,VAS", followup="1month")


def test_review_pre_post_gold_numbers_and_n(pain):
    assert list(pain["record_id"]) == [CRYO, CEMENT]
    cryo, cement = pain.iloc[0], pain.iloc[1]
    assert (cryo["outcome"], cryo["m1i"], cryo["sd1i"], cryo["m2i"], cryo["sd2i"]) == \
        ("NRS", 2.5, 2.6, 6.8, 2.2)
    assert cryo["ni"] == 64  # the 64 patients with painful SM, not the 74 enrolled
    assert cryo["ni_text"] == "64 (64/74; 86.5%) patients"
    assert cryo["n_source"] == "total the text attaches to the measurement"
    assert (cement["outcome"], cement["m1i"], cement["sd1i"], cement["m2i"], cement["sd2i"]) == \
        ("VAS", 3.41, 2.1, 8.19, 1.1)
    assert pd.isna(cement["ni"]) and cement["n_source"].startswith("missing")
    assert list(pain["ri"]) == [0.5, 0.5]
    assert list(pain["imputed"]) == ["imputed r = 0.5", "imputed r = 0.5"]
    assert list(pain["timepoint_days"]) == [30.4375, 30.4375]


def test_review_pre_post_keeps_source_spans(dev, pain):
    _, records = dev
    abstracts = dict(zip(records["record_id"], records["abstract"], strict=True))
    for _, row in pain.iterrows():
        for prefix in ("m1i", "m2i"):
            start, end = row[f"{prefix}_start"], row[f"{prefix}_end"]
            assert abstracts[row["record_id"]][start:end] == row[f"{prefix}_text"]
            assert row[f"{prefix}_text"] in row[f"{prefix}_sentence"]
    assert pain.iloc[0]["m1i_text"] == "2.5 ± 2.6 (range, 0–9"
    assert pain.iloc[0]["m2i_text"] == "6.8 ± 2.2 (range, 0–10)"
    assert pain.iloc[1]["m2i_sentence"].startswith("VAS scores decreased from 8.19 ± 1.1")


def test_review_pre_post_n_given_by_caller(dev):
    stats, _ = dev
    table = pre_post(stats, outcome="VAS", followup="1 month", n={CEMENT: 51})
    assert list(table["ni"]) == [51]
    assert table.iloc[0]["n_source"] == "given by the caller (n=)"
    assert pd.isna(table.iloc[0]["ni_text"])


def test_review_pre_post_n_from_sample_size_is_flagged(dev):
    stats, _ = dev
    table = pre_post(stats, outcome="NRS,VAS", followup="1month", n_from="sample_size")
    assert list(table["ni"]) == [64, 51]  # the cryoablation n stays the measurement's own
    cement = table.iloc[1]
    assert cement["ni_text"] == "51 consecutive patients"
    assert cement["imputed"] == "n = 51 from the study's sample size; imputed r = 0.5"
    assert "not stated for the measurement" in cement["n_source"]


def test_review_pre_post_n_from_sample_size_takes_the_enrolment():
    stats = pd.DataFrame({
        "record_id": ["s"] * 5, "stat": ["sample_size", "sample_size", "sample_size", "mean",
                                        "mean"],
        "value": [51, 5, 65, 8.19, 3.41], "sd": [np.nan, np.nan, np.nan, 1.1, 2.1],
        "unit": ["consecutive patients", "patients", "lesions", None, None],
        "outcome": [None, None, None, "VAS", "VAS"],
        "timepoint": [None, None, None, "preoperatively", "1 month"],
        "timepoint_days": [np.nan, np.nan, np.nan, 0.0, 30.4375],
        "text": ["51 consecutive patients", "5 patients", "65 lesions", "8.19 ± 1.1",
                 "3.41 ± 2.1"]})
    row = pre_post(stats, outcome="VAS", n_from="sample_size").iloc[0]
    assert (row["ni"], row["ni_text"]) == (51, "51 consecutive patients")  # not 65 lesions
    assert pd.isna(pre_post(stats, outcome="VAS").iloc[0]["ni"])
    with pytest.raises(ValueError, match="n_from"):
        pre_post(stats, n_from="guess")


def test_review_pre_post_every_followup(dev):
    stats, _ = dev
    table = pre_post(stats, outcome=["nrs", "vas"])
    assert list(zip(table["timepoint"], table["m1i"], table["sd1i"], strict=True)) == [
        ("24 h", 4.1, 2.4), ("1 month", 2.5, 2.6), ("last available follow-up", 2.4, 2.5),
        ("3 days", 4.94, 1.6), ("1 month", 3.41, 2.1), ("3 months", 3.02, 1.9)]
    assert list(table["m2i"]) == [6.8, 6.8, 6.8, 8.19, 8.19, 8.19]
    last = pre_post(stats, outcome="NRS", followup="last")
    assert list(last["m1i"]) == [2.4]


def test_review_pre_post_lists_studies_it_skips(dev):
    stats, _ = dev
    table = pre_post(stats, outcome="NRS,VAS", followup="3 months")
    assert list(table["record_id"]) == [CEMENT]
    assert table.attrs["skipped"] == [
        {"record_id": CRYO, "outcome": "NRS", "reason": "no follow-up 3 months mean"}]


def _vas_0_100() -> pd.DataFrame:
    return pd.DataFrame({
        "record_id": ["v", "v", "n", "n"], "stat": ["mean"] * 4,
        "value": [81.9, 34.1, 6.8, 2.5], "sd": [11.0, 21.0, 2.2, 2.6], "total": [51, 51, 64, 64],
        "outcome": ["VAS", "VAS", "Numerical Pain Rating Scale", "Numerical Pain Rating Scale"],
        "timepoint": ["baseline", "1 month"] * 2, "timepoint_days": [0.0, 30.4375] * 2,
        "text": ["81.9 ± 11", "34.1 ± 21", "6.8 ± 2.2", "2.5 ± 2.6"]})


def test_review_pre_post_rescales_pain_scales_to_0_10():
    table = pre_post(_vas_0_100(), outcome="VAS,NRS", followup="1month", scale="0-10")
    vas, nrs = table.iloc[0], table.iloc[1]
    assert [vas["m1i"], vas["sd1i"], vas["m2i"], vas["sd2i"]] == \
        pytest.approx([3.41, 2.1, 8.19, 1.1])
    assert vas["rescaled"] == "VAS 0-100 -> 0-10 (x 0.1)"
    assert (nrs["outcome"], nrs["m1i"], nrs["rescaled"]) == ("NRS", 2.5, "NRS 0-10 (as reported)")
    assert list(table["scale"]) == ["0-10", "0-10"]
    assert list(table["direction"]) == ["higher = worse"] * 2
    flipped = pre_post(_vas_0_100(), outcome="VAS", followup="1month", scale="0-10",
                       reverse="VAS")
    assert flipped.iloc[0]["m1i"] == pytest.approx(10 - 3.41)
    assert flipped.iloc[0]["rescaled"].endswith("reversed so that higher = worse")
    unscaled = pre_post(_vas_0_100(), outcome="VAS", followup="1month")
    assert unscaled.iloc[0]["m1i"] == 34.1 and pd.isna(unscaled.iloc[0]["rescaled"])


def test_review_pre_post_sd_from_se_needs_n():
    stats = pd.DataFrame({"record_id": ["r", "r"], "stat": ["mean", "mean"],
                          "value": [7.0, 3.0], "se": [0.5, 0.25], "outcome": ["NRS", "NRS"],
                          "timepoint": ["baseline", "1 month"], "timepoint_days": [0.0, 30.4375]})
    missing = pre_post(stats, outcome="NRS")
    assert math.isnan(missing.iloc[0]["sd1i"])
    assert "SD from SE needs n (missing)" in missing.iloc[0]["imputed"]
    given = pre_post(stats, outcome="NRS", n={"r": 16})
    assert (given.iloc[0]["sd1i"], given.iloc[0]["sd2i"]) == (1.0, 2.0)
    assert given.iloc[0]["imputed"] == \
        "follow-up: SD from SE; baseline: SD from SE; imputed r = 0.5"


def test_review_two_groups_takes_each_arms_n():
    stats = pd.DataFrame({
        "record_id": ["t"] * 4, "stat": ["mean", "mean", "sample_size", "sample_size"],
        "value": [3.1, 4.6, 30, 28], "sd": [1.2, 1.9, np.nan, np.nan],
        "total": [pd.NA, pd.NA, pd.NA, pd.NA], "outcome": ["VAS", "VAS", None, None],
        "group": ["Cryoablation", "Radiotherapy", "cryoablation", "radiotherapy"],
        "unit": [None, None, "patients", "patients"],
        "text": ["3.1 ± 1.2", "4.6 ± 1.9", "30 patients", "28 patients"]})
    table = two_groups(stats, groups=("cryoablation", "radiotherapy"), outcome="VAS")
    row = table.iloc[0]
    assert (row["m1i"], row["sd1i"], row["n1i"], row["m2i"], row["sd2i"], row["n2i"]) == \
        (3.1, 1.2, 30, 4.6, 1.9, 28)
    assert (row["n1i_text"], row["n2i_text"]) == ("30 patients", "28 patients")


def test_review_proportions_gold(dev):
    stats, _ = dev
    free = proportions(stats, outcome="completely pain-free")
    assert list(free[["xi", "ni"]].iloc[0]) == [34, 64]
    assert free.iloc[0]["xi_text"] == "Thirty-four patients (34/64; 53.1%)"
    fractures = proportions(stats, outcome="osteoporotic vertebral fracture prevalence")
    assert (fractures.iloc[0]["xi"], fractures.iloc[0]["ni"]) == (36, 1267)  # 2.84% of 1267
    assert fractures.iloc[0]["imputed"] == "events = round(0.0284 x 1267)"
    survival = proportions(stats, outcome="survival rates")
    assert len(survival) == 8 and survival["ni"].isna().all()


def test_review_estimates_generic_route(dev):
    stats, _ = dev
    smd = estimates(stats, stat="smd")
    row = smd.iloc[0]
    z = scipy_stats.norm.ppf(0.975)
    assert (row["record_id"], row["measure"], row["yi"]) == (META, "SMD", -3.71)
    assert row["sei"] == pytest.approx((-2.00 + 5.29) / (2 * z), rel=1e-12)
    assert row["vi"] == pytest.approx(row["sei"] ** 2, rel=1e-12)
    assert (row["se_source"], row["imputed"]) == ("95% CI", "")
    unknown = estimates(stats, stat="auc")  # AUROC 0.874 (0.073): an SD across folds, no SE
    assert unknown["vi"].isna().all()
    assert set(unknown["se_source"]) == {"none: no CI or SE, variance unknown"}
    ratio = estimates(pd.DataFrame({"record_id": ["r"], "stat": ["hazard_ratio"],
                                    "value": [0.49], "ci_low": [0.34], "ci_high": [0.70],
                                    "ci_level": [0.95]}))
    assert ratio.iloc[0]["yi"] == pytest.approx(math.log(0.49), rel=1e-12)
    assert ratio.iloc[0]["sei"] == pytest.approx(math.log(0.70 / 0.34) / (2 * z), rel=1e-12)
    with pytest.raises(ValueError, match="valid"):
        estimates(stats, stat="odds")


def test_review_show_highlights_every_gold_statistic(dev):
    stats, records = dev
    view = show(records, stats, max_records=None)
    assert (view.located, view.missing) == (len(stats), 0)
    assert view.html.count('<mark class="entity"') == len(stats) - 4  # 4 spans overlap others
    assert "6.8 ± 2.2 (range, 0–10)<span" in view.html
    assert ('title="value: 6.8\nsd: 2.2\nrange_low: 0\nrange_high: 10\ntotal: 64\n'
            'outcome: NRS\ntimepoint: baseline"') in view.html
    by_sentence = show(None, stats)
    assert (by_sentence.located, by_sentence.missing) == (len(stats), 0)
    assert by_sentence.html.count("<p>") == len(stats.drop_duplicates(["record_id", "sentence"]))


def test_review_show_escapes_everything_from_a_file():
    records = pd.DataFrame({
        "record_id": ['r"1<x>'], "title": ["<img src=x onerror=alert(1)>"],
        "abstract": ["Pain <script>alert('x')</script> fell to 2.5 ± 2.6 (p < 0.001)."]})
    stats = pd.DataFrame({
        "record_id": ['r"1<x>', 'r"1<x>'], "start": [46, 57], "end": [55, 66],
        "text": ["2.5 ± 2.6", "p < 0.001"], "stat": ["mean", "p_value"], "value": [2.5, 0.001],
        "outcome": ['"><script>bad()</script>', None]})
    view = show(records, stats)
    assert "<script" not in view.html and "<img" not in view.html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in view.html
    assert "outcome: &quot;&gt;&lt;script&gt;bad()&lt;/script&gt;" in view.html
    assert "r&quot;1&lt;x&gt;" in view.html
    assert view.html.count("<mark") == 2 and "P_VALUE" in view.html
    sentences = show(None, stats.assign(sentence=records["abstract"][0]))
    assert "<script" not in sentences.html and sentences.html.count("<mark") == 2
    assert sentences.html.count("<p>") == 1  # one sentence, both statistics in it


def test_review_study_table_html_escapes_and_marks_imputed(pain):
    table = pain.copy()
    table.loc[1, "m1i_text"] = "<script>alert(1)</script>"
    assert isinstance(table, StudyTable)
    markup = table._repr_html_()
    assert "<script" not in markup and "&lt;script&gt;alert(1)&lt;/script&gt;" in markup
    assert markup.count("†</th>") == 2  # both rows rest on an imputed correlation
    assert "«64 (64/74; 86.5%) patients»" in markup
    assert 'title="Among the 64 (64/74; 86.5%) patients with painful SM' in markup


def test_review_pre_post_median_with_iqr_is_converted_and_says_so():
    stats = pd.DataFrame({
        "record_id": ["m", "m"], "stat": ["median", "median"], "value": [7.0, 3.0],
        "iqr_low": [5.0, 1.0], "iqr_high": [8.0, 5.0], "total": [40, 40],
        "outcome": ["VAS", "VAS"], "timepoint": ["baseline", "4 weeks"],
        "timepoint_days": [0.0, 28.0], "text": ["7 (IQR 5-8)", "3 (IQR 1-5)"]})
    row = pre_post(stats, outcome="VAS", followup="4 weeks").iloc[0]
    n = 40
    w = 0.7 + 0.39 / n  # Luo et al. (2018), eq. 11
    eta = 2 * scipy_stats.norm.ppf((0.75 * n - 0.125) / (n + 0.25))  # Wan et al. (2014), eq. 16
    assert row["m1i"] == pytest.approx(w * (1 + 5) / 2 + (1 - w) * 3, rel=1e-12)
    assert row["sd1i"] == pytest.approx((5 - 1) / eta, rel=1e-12)
    assert row["m2i"] == pytest.approx(w * (5 + 8) / 2 + (1 - w) * 7, rel=1e-12)
    assert row["sd2i"] == pytest.approx((8 - 5) / eta, rel=1e-12)
    assert row["imputed"] == (
        "follow-up: mean/SD from median and IQR (Luo 2018; Wan 2014); "
        "baseline: mean/SD from median and IQR (Luo 2018; Wan 2014); imputed r = 0.5")
    no_n = pre_post(stats.assign(total=pd.NA), outcome="VAS").iloc[0]
    assert math.isnan(no_n["m1i"]) and "needs n (missing)" in no_n["imputed"]


# metafor 3.8-1, the two seed pain studies at 1 month (n = 51 supplied for the cementoplasty):
#   d <- data.frame(m1i=c(2.5,3.41), sd1i=c(2.6,2.1), m2i=c(6.8,8.19), sd2i=c(2.2,1.1),
#                   ni=c(64,51))
#   for (r in seq(.2,.8,.1)) { d$ri <- r; e <- escalc("SMCC", m1i=m1i, sd1i=sd1i, m2i=m2i,
#       sd2i=sd2i, ni=ni, ri=ri, data=d); f <- rma(yi, vi, data=e)
#       cat(r, f$b, f$ci.lb, f$ci.ub, f$tau2, "\n") }
METAFOR_SMCC_BY_RI = {
    0.2: (-1.75988505, -2.52323721, -0.99653289, 0.25606575),
    0.3: (-1.86353500, -2.64751250, -1.07955749, 0.26921038),
    0.4: (-1.98826759, -2.79128069, -1.18525449, 0.28054143),
    0.5: (-2.14256827, -2.95969238, -1.32544416, 0.28668440),
    0.6: (-2.34081710, -3.15935107, -1.52228314, 0.27999018),
    0.7: (-2.61014945, -3.39723459, -1.82306430, 0.24214904),
    0.8: (-3.01105228, -3.67059251, -2.35151206, 0.12740365),
}
# REML's Fisher scoring stops at a 1e-5 change in tau^2 (metafor's threshold), so estimates
# agree with metafor to about 1e-6 relatively, not to machine precision.
RTOL_REML = 1e-6


def test_review_sensitivity_matches_metafor_over_ri(dev):
    from evidextract import sensitivity

    stats, _ = dev
    table = pre_post(stats, outcome="NRS,VAS", followup="1month", n={CEMENT: 51})
    grid = sensitivity(table, measure="SMCC")
    assert list(grid.columns) == ["ri", "k", "estimate", "se", "ci_low", "ci_high", "pval",
                                  "tau2", "i2"]
    assert list(grid["ri"]) == list(METAFOR_SMCC_BY_RI)
    assert list(grid["k"]) == [2] * 7
    expected = np.array(list(METAFOR_SMCC_BY_RI.values()))
    got = grid[["estimate", "ci_low", "ci_high", "tau2"]].to_numpy()
    np.testing.assert_allclose(got, expected, rtol=RTOL_REML)
    with pytest.warns(UserWarning, match="k = 1"):
        without_n = sensitivity(pre_post(stats, outcome="NRS,VAS", followup="1month"),
                                ri=[0.5])
    assert list(without_n["k"]) == [1]  # the study without n is left out, not guessed


def test_review_effect_sizes_smcc_smcr_mc(dev):
    from evidextract.review import effect_sizes

    stats, _ = dev
    table = pre_post(stats, outcome="NRS,VAS", followup="1month", n={CEMENT: 51})
    # metafor: escalc("SMCC", ...) yi -1.7521, -2.5877; vi 0.0396, 0.0853;
    # escalc("MC", ...) yi -4.30, -4.78; escalc("SMCR", m1i=post, m2i=pre, sd1i=sd_pre, ...)
    smcc = effect_sizes(table, "SMCC")
    np.testing.assert_allclose(smcc["yi"], [-1.7520812863931596, -2.5876843729978463],
                               rtol=1e-12)
    np.testing.assert_allclose(smcc["vi"], [0.03960772526663366, 0.08525598445350252],
                               rtol=1e-12)
    np.testing.assert_allclose(effect_sizes(table, "MC")["yi"], [-4.3, -4.78], rtol=1e-12)
    # metafor: escalc("SMCR", m1i=m1i, m2i=m2i, sd1i=sd_pre, ni=ni, ri=ri) with sd_pre the
    # baseline SDs 2.2 and 1.1 gives yi -1.931168786288, -4.279890076521,
    # vi 0.044761038134, 0.199190775168
    smcr = effect_sizes(table, "SMCR")
    np.testing.assert_allclose(smcr["yi"], [-1.931168786288, -4.279890076521], rtol=1e-10)
    np.testing.assert_allclose(smcr["vi"], [0.044761038134, 0.199190775168], rtol=1e-10)
    with pytest.raises(ValueError, match="pre-post"):
        effect_sizes(table, "SMD")


def test_review_pre_post_keeps_a_0_10_scale_with_a_wide_sd():
    stats = _vas_0_100().iloc[2:].assign(value=[8.5, 2.0], sd=[2.1, 2.6])  # 8.5 + 2.1 > 10
    row = pre_post(stats, outcome="NRS", followup="1month", scale="0-10").iloc[0]
    assert (row["m2i"], row["sd2i"], row["rescaled"]) == (8.5, 2.1, "NRS 0-10 (as reported)")


def test_review_pre_post_correlation_per_study():
    table = pre_post(_vas_0_100(), outcome="VAS,NRS", followup="1month", ri={"v": 0.7})
    assert table.iloc[0]["ri"] == 0.7 and table.iloc[0]["imputed"] == "r = 0.7 given (ri=)"
    assert math.isnan(table.iloc[1]["ri"])
    assert table.iloc[1]["imputed"] == "r missing: ri= gives none for this study"


_OUR_TAGS = re.compile(r"</?(?:mark|span|div|h4|code|small|p|i|b|br)(?: [^<>]*)?>")


@settings(max_examples=40, deadline=None)  # ~0.1 s an example
@given(abstract=st.text(alphabet="ab <>&\"'=/;x\n±", min_size=1, max_size=60),
       title=st.text(alphabet="<>&\"' t", max_size=10), data=st.data())
def test_review_show_property_no_markup_from_input_survives(abstract, title, data):
    start = data.draw(st.integers(0, len(abstract) - 1))
    end = data.draw(st.integers(start + 1, len(abstract)))
    outcome = data.draw(st.text(alphabet="<>\"'& o", max_size=8))
    records = pd.DataFrame({"record_id": ["<r>"], "title": [title], "abstract": [abstract]})
    stats = pd.DataFrame({"record_id": ["<r>"], "start": [start], "end": [end],
                          "text": [abstract[start:end]], "stat": ["mean"], "value": [1.0],
                          "outcome": [outcome], "sentence": [abstract]})
    for view in (show(records, stats), show(None, stats)):
        assert view.located == 1
        residue = _OUR_TAGS.sub("", view.html)
        assert "<" not in residue and ">" not in residue
        text = re.sub(r"<[^<>]*>", "", view.html)
        assert html.unescape(text).count(abstract[start:end]) >= 1
