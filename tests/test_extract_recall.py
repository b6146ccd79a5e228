"""Recall rules of the extractor, each on a real sentence, with a sentence it must leave alone.

The sentences come from the abstracts of ``data/gold`` (record id in the comment) or from
``../shared/bench`` (quoted as ``bench``). Each rule has a test of the rows it must produce
(stat, value and every stated field) and a test of the precision side: a sentence of the
same shape where the rule must not fire.
"""

import math

import pandas as pd
import pytest

import evidextract as ee

FIELDS = ("comparator", "sd", "ci_low", "ci_high", "ci_level", "range_low", "range_high",
          "count", "total", "unit")


def _rows(text):
    """The rows of ``text`` as ``(stat, value, {field: value})``, fields that are set only."""
    table = ee.extract(text)
    out = []
    for row in table.to_dict("records"):
        assert text[row["start"]:row["end"]] == row["text"]
        fields = {k: row[k] for k in FIELDS if not (row[k] is None or row[k] is pd.NA or (
            isinstance(row[k], float) and math.isnan(row[k])))}
        out.append((row["stat"], round(float(row["value"]), 6), fields))
    return out


def _values(text, stat):
    return [value for s, value, _ in _rows(text) if s == stat]


# --------------------------------------------------------------------------- lists of values

def test_extract_recall_list_continues_the_statistic_named_once():
    # 10.5812/iranjradiol.28281
    text = ("The areas under the ROC curves were 0.78 for the faculty members, 0.59 for the "
            "senior residents, and 0.52 for the junior residents, respectively.")
    assert _values(text, "auc") == [0.78, 0.59, 0.52]
    # 30416597: the semicolon inside the first interval does not end the list
    text = ("RFA and MWA were significantly more effective than cryoablation with odds ratio "
            "(OR) of 0.04 (95% confidence interval [CI]: 0.004, 0.38; P = 0.005) and 0.02 "
            "(95% CI: 0.002, 0.24; P = 0.001), respectively.")
    rows = [r for r in _rows(text) if r[0] != "p_value"]
    assert rows == [
        ("odds_ratio", 0.04, {"ci_low": 0.004, "ci_high": 0.38, "ci_level": 0.95}),
        ("odds_ratio", 0.02, {"ci_low": 0.002, "ci_high": 0.24, "ci_level": 0.95}),
    ]


def test_extract_recall_list_of_lengths_of_time_after_a_median():
    # PMC6190664, 24965604: "14 months" is a median, not a timepoint
    text = ("The resection group had a higher disease-free survival (median, 22 months vs. "
            "14 months).")
    assert _rows(text) == [("median", 22.0, {"unit": "months"}),
                           ("median", 14.0, {"unit": "months"})]
    text = ("The median cancer-specific and median overall survivals were 47.4 months and "
            "33.8 months.")
    assert _values(text, "median") == [47.4, 33.8]


def test_extract_recall_list_stops_at_times_and_interval_ends():
    # bench: numbers listed before a time unit are times, not more means
    text = ("Mean arterial pressures were 84 at baseline and lower at 1, 3, and 5 minutes "
            "after intubation.")
    assert _values(text, "mean") == [84.0]
    # bench: "0.72–1.27" is the interval of 0.96, not one more hazard ratio
    text = ("Effect modification was seen for aspirin use (HR 1.45, 95% CI 1.13–1.85, "
            "compared with 0.96, 0.72–1.27, in nonusers).")
    assert _rows(text) == [
        ("hazard_ratio", 1.45, {"ci_low": 1.13, "ci_high": 1.85, "ci_level": 0.95}),
        ("hazard_ratio", 0.96, {"ci_low": 0.72, "ci_high": 1.27, "ci_level": 0.95}),
    ]


# --------------------------------------------------------------------------- keywords

def test_extract_recall_subject_keyword_across_the_clause():
    # PMC5482613: the keyword is 12 tokens back, behind "with 95% confidence interval for ..."
    text = ("The sensitivities with 95% confidence interval for PET/PET-CT and MRI were 0.21 "
            "(0.13 − 0.32) and 0.77 (95% CI = 0.60 − 0.89).")
    assert _rows(text) == [
        ("sensitivity", 0.21, {"ci_low": 0.13, "ci_high": 0.32, "ci_level": 0.95}),
        ("sensitivity", 0.77, {"ci_low": 0.6, "ci_high": 0.89, "ci_level": 0.95}),
    ]
    # 10.1002/cncr.24837: a timepoint between keyword and value
    text = ("The average decrease in pain intensity from pre-RFA to 1-month follow-up was 26.9 "
            "(P < .0001) and 14.2 for 3-month follow-up (P = .02).")
    assert _values(text, "mean_difference") == [26.9, 14.2]


def test_extract_recall_subject_keyword_not_past_another_value():
    # The keyword names 61, not the count after it.
    text = "The mean age was 61 years and the number of lesions per patient was 3."
    assert _rows(text) == [("mean", 61.0, {"unit": "years"})]


def test_extract_recall_keyword_after_a_value_names_that_value():
    # 34379216: "accuracy" names 0.986; the Youden index is no row
    text = ("The test values after training with one hospital dataset were 0.999 AUC, 0.986 "
            "accuracy, 0.960 Youden index, and 0.966 sensitivity, and 0.993 specificity.")
    assert [(s, v) for s, v, _ in _rows(text)] == [
        ("auc", 0.999), ("accuracy", 0.986), ("sensitivity", 0.966), ("specificity", 0.993)]


def test_extract_recall_named_statistic_before_a_generic_estimate():
    # 10.1016/j.radonc.2020.10.023
    text = "The C-index random effects estimate was 0.57 (95% CI 0.53–0.62)."
    assert _rows(text) == [("auc", 0.57, {"ci_low": 0.53, "ci_high": 0.62, "ci_level": 0.95})]


def test_extract_recall_bracketed_estimate_keeps_its_keyword():
    # 31289539: "OR" belongs to 6.57 inside the brackets; "≥4 cm" is a tumor size
    text = ("Incomplete tumor ablation [odds ratio (OR) 6.57; P<0.05] and tumor size ≥4 cm "
            "(OR 0.18; P<0.05) were significant independent predictors of LTP.")
    rows = [r for r in _rows(text) if r[0] != "p_value"]
    assert rows == [("odds_ratio", 6.57, {}),
                    ("quantity", 4.0, {"comparator": ">=", "unit": "cm"}),
                    ("odds_ratio", 0.18, {})]


def test_extract_recall_odds_and_times_make_a_ratio():
    # researcher.life-6157771e271f3f8f80980291e8781255, 10.1002/cncr.24837
    text = ("After accounting for all other factors, the odds of any one examination resulting "
            "in an RAI increased by 2.16 times (95% confidence interval: 2.12, 2.21) from 1995 "
            "to 2008.")
    assert _rows(text) == [
        ("odds_ratio", 2.16, {"ci_low": 2.12, "ci_high": 2.21, "ci_level": 0.95})]
    text = ("The odds of lower pain severity at 1-month follow-up were 14.0 (95% CI, 2.3-25.7; "
            "P < .0001) times higher than at pre-RFA.")
    assert _values(text, "odds_ratio") == [14.0]


def test_extract_recall_odds_alone_needs_an_interval_or_times():
    text = "The odds of relief were higher when the drug was taken 3 times a day."
    assert _rows(text) == []
    assert _rows("The odds of relief were 2 in 5 patients.") == [
        ("sample_size", 5.0, {"unit": "patients"})]


def test_extract_recall_concordance_correlation_with_its_sign():
    # 30042967
    assert _rows("In total, only 9/542 features have a CCC > 0.85.")[-1] == (
        "correlation", 0.85, {"comparator": ">"})


def test_extract_recall_predictive_values_are_proportions():
    # 10.1177/10815589231208479
    text = "The positive predictive value increased from 0.525 to 0.886 after external validation."
    assert _values(text, "proportion") == [0.525, 0.886]


def test_extract_recall_no_estimate_from_a_count_of_things():
    # researcher.life-6157771e271f3f8f80980291e8781255
    text = "To estimate the effects of 11 clinically relevant factors."
    assert _rows(text) == []


# --------------------------------------------------------------------------- p-values, CIs

def test_extract_recall_second_p_value_with_its_own_sign():
    # 10.5812/iranjradiol.28281
    text = ("Diagnostic performance was significantly higher in the faculty members than the "
            "senior and junior residents (P = 0.0001 and < 0.0001, respectively).")
    assert _rows(text) == [("p_value", 0.0001, {"comparator": "="}),
                           ("p_value", 0.0001, {"comparator": "<"})]


def test_extract_recall_p_value_after_a_number_that_is_no_statistic():
    # The p-value is the first row of the sentence: no value to pass a CI on from.
    assert _rows("Outcomes improved at 2 (p = 0.01).") == [("p_value", 0.01, {"comparator": "="})]


def test_extract_recall_interval_that_misses_its_value_is_dropped():
    # PMC5482613: "0.98 (0.96 − 0.89)" is printed as is, without CI fields
    text = "The areas under curve were 0.98 (0.96 − 0.89) and 0.97 (0.96 − 0.98)."
    assert _rows(text) == [("auc", 0.98, {}),
                           ("auc", 0.97, {"ci_low": 0.96, "ci_high": 0.98, "ci_level": 0.95})]


def test_extract_recall_mean_with_a_bare_pair_is_a_range_unless_a_ci_is_named():
    # 14712405
    assert _rows("Average age was 49 (1 - 94) years (41% female and 59% male).")[0] == (
        "mean", 49.0, {"range_low": 1.0, "range_high": 94.0, "unit": "years"})
    text = "Mean scores were 4.5 (95% CI 3.2 to 5.8) and 3.9 (3.1 to 4.7)."
    assert _rows(text) == [
        ("mean", 4.5, {"ci_low": 3.2, "ci_high": 5.8, "ci_level": 0.95}),
        ("mean", 3.9, {"ci_low": 3.1, "ci_high": 4.7, "ci_level": 0.95})]


def test_extract_recall_range_then_its_mean_in_brackets():
    # PMC5928380
    assert _rows("Eleven tumors measuring 13–52 mm (mean 30.2 mm) were treated.") == [
        ("sample_size", 11.0, {"unit": "tumors"}),
        ("mean", 30.2, {"range_low": 13.0, "range_high": 52.0, "total": 11, "unit": "mm"})]


# --------------------------------------------------------------------------- sample sizes

def test_extract_recall_sex_letters_count_men_and_women():
    # 32613648
    text = ("CT Chest imaging for 89 patients with intermediate and high-grade STS (53 M, 36 F; "
            "58.5±19.0 years old) was reviewed.")
    assert [(s, v, f.get("unit")) for s, v, f in _rows(text)][:3] == [
        ("sample_size", 89.0, "patients"), ("sample_size", 53.0, "M"),
        ("sample_size", 36.0, "F")]


def test_extract_recall_a_lone_capital_m_is_no_count():
    assert _values("A 2 M solution of sodium chloride was used.", "sample_size") == []


def test_extract_recall_coordinated_counts_share_their_noun():
    # 10.1177/10815589231208479
    text = ("Both PDA algorithms were assessed using the HSU test dataset containing 50 "
            "pneumothorax and 150 non-pneumothorax radiographs.")
    assert [(s, v, f["unit"]) for s, v, f in _rows(text)] == [
        ("sample_size", 50.0, "pneumothorax radiographs"),
        ("sample_size", 150.0, "non-pneumothorax radiographs")]


def test_extract_recall_no_shared_noun_without_modifiers():
    # bench: "controls" is a noun of its own, not the head shared by "20 cholelithiasis"
    text = "Sera were grouped into a training set (30 BTCs, 20 cholelithiasis and 20 controls)."
    assert [(v, f["unit"]) for _, v, f in _rows(text)] == [(20.0, "controls")]


def test_extract_recall_counts_said_elliptically():
    # thejns-spine-14-5-561
    text = ("Of 105 patients with acute osteoporotic VCFs, 82 were eligible for participation: "
            "40 patients underwent PV and 42 received OMT.")
    assert [(v, f["unit"]) for _, v, f in _rows(text)] == [
        (105.0, "patients"), (82.0, "patients"), (40.0, "patients"), (42.0, "patients")]
    # 14712405: the counts add up to the total they are taken from
    text = ("Of the 823 correlated diagnoses, 431 were true positive, 14 false positive, 66 "
            "false negative and 312 true negative.")
    assert [v for _, v, _ in _rows(text)] == [823.0, 431.0, 14.0, 66.0, 312.0]
    # PMC6190664: the same words after both counts
    text = "A total of 111 patients in the RFA group and 92 in the resection group were matched."
    assert [(v, f["unit"]) for _, v, f in _rows(text)] == [(111.0, "patients"),
                                                          (92.0, "patients")]
    # 10.1093/bjr/tqae004: a bracketed breakdown whose parts add up to the count
    text = "1166 MRIs were included (77 research, 1043 clinical, and 46 both)."
    assert [v for _, v, _ in _rows(text)] == [1166.0, 77.0, 1043.0, 46.0]


def test_extract_recall_no_elliptic_count_without_a_parallel():
    # "12" may count tumours: nothing says it counts patients
    assert [v for _, v, _ in _rows("Tumors were found in 30 patients and 12 were benign.")] \
        == [30.0]
    # the parts do not add up to 1166 and the brackets are not right after the count
    text = "1166 MRIs were included in the study of the cohort (77 research, 1043 clinical)."
    assert [v for _, v, _ in _rows(text)] == [1166.0]


def test_extract_recall_readers_choices_and_references_are_no_samples():
    # 10.1093/bjr/tqae004, 23065947, 30070054
    assert _rows("Three neuroradiologists reviewed MRI scans using NIH Common Data Elements.") \
        == []
    text = "61 adult patients with 1 or 2 painful bone metastases were treated."
    assert [(v, f["unit"]) for _, v, f in _rows(text)] == [(61.0, "adult patients")]
    assert _rows("The outcomes of these two treatments were similar.") == []


# --------------------------------------------------------------------------- counts and totals

def test_extract_recall_count_comma_percent_gets_its_total():
    # 30070054: 139 of 238 is 58.4%
    text = ("Between March 2012 and January 2018, 238 patients with lung cancer were treated "
            "with MWA (139, 58.4%) or RFA (99, 41.6%) in our center.")
    assert _rows(text)[1:] == [
        ("proportion", 0.584, {"count": 139, "total": 238}),
        ("proportion", 0.416, {"count": 99, "total": 238})]


def test_extract_recall_total_taken_from_an_earlier_sentence_by_its_percentage():
    # 10.3971/j.issn.1000-8578.2019.18.1791: 39 of 160 vertebrae is 24.4%, of 42 it is not
    text = ("A total of 160 vertebrae in 42 patients were treated. Cement leakage occurred in "
            "39(24.4%) vertebrae.")
    assert _rows(text)[-1] == ("proportion", 0.244, {"count": 39, "total": 160,
                                                     "unit": "vertebrae"})


def test_extract_recall_no_total_when_no_count_gives_the_percentage():
    text = "A total of 42 patients were treated. Cement leakage occurred in 39(24.4%) vertebrae."
    assert _rows(text)[-1] == ("proportion", 0.244, {"count": 39, "unit": "vertebrae"})


def test_extract_recall_count_of_a_noun_phrase_with_its_percentage():
    # researcher.life-2f849e51d97a3158b26c5423de475238
    assert _rows("Clinically asymptomatic cement leakage occurred at 5 fracture levels (10.4%).") \
        == [("proportion", 0.104, {"count": 5, "unit": "fracture levels"})]
    # bench: "+2" is a threshold, not a count
    text = "IGF0T resulted in the fewest IGF-I excursions above +2 SDS (6·8% vs 30·0%)."
    assert all("count" not in f for _, _, f in _rows(text))


def test_extract_recall_of_the_total_is_no_new_sample():
    # 14712405
    text = ("Surgery was performed on 134 of the 418 patients (32%) who underwent computed "
            "tomography, with the surgery urgent in 71 (17%) and elective in 63 (15%) of the "
            "418 patients.")
    assert _rows(text) == [
        ("proportion", 0.32, {"count": 134, "total": 418, "unit": "patients"}),
        ("proportion", 0.17, {"count": 71, "total": 418}),
        ("proportion", 0.15, {"count": 63, "total": 418}),
    ]


def test_extract_recall_mean_age_n_is_men_and_women_together():
    # apm.amegroups.org-79890
    text = ("All patients (14 men and 4 women; mean age 60.2 years) underwent image-guided "
            "percutaneous palliative MWA.")
    assert _rows(text)[-1] == ("mean", 60.2, {"total": 18, "unit": "years"})


@pytest.mark.parametrize("text", [
    "The AUCs were 0.91 and 0.88, respectively, in 120 patients.",
    "The median follow-up was 24 months and 12 patients died.",
])
def test_extract_recall_counts_never_continue_a_list_of_estimates(text):
    rows = _rows(text)
    assert [s for s, _, _ in rows if s == "sample_size"] == ["sample_size"]


def test_extract_recall_ci_level_right_after_the_value():
    # bench: "OR 3.7 95% CI (1.8 to 8.0)", no bracket or comma before the level
    text = ("Compared with usual care, tCBT (35.4%; OR 3.7 95% CI (1.8 to 8.0)) was more "
            "effective. The OR was 2.1 95% CI 1.3-3.4 in men.")
    assert [r for r in _rows(text) if r[0] == "odds_ratio"] == [
        ("odds_ratio", 3.7, {"ci_low": 1.8, "ci_high": 8.0, "ci_level": 0.95}),
        ("odds_ratio", 2.1, {"ci_low": 1.3, "ci_high": 3.4, "ci_level": 0.95})]


def test_extract_recall_consecutive_counts_its_units():
    # 10.1007/s10140-008-0775-5, 33735214
    text = ("We retrospectively analyzed 189 consecutive acute abdominal CT. Between January "
            "2014 and March 2019, 102 consecutive percutaneous RFA were performed.")
    assert [(v, f["unit"]) for _, v, f in _rows(text)] == [
        (189.0, "acute abdominal CT"), (102.0, "percutaneous RFA")]
    assert _rows("Pain was recorded on 3 consecutive days.") == []


def test_extract_recall_letter_labels_and_numbered_readers():
    # "B" names a model, not a beta coefficient
    text = "The AUCs of models A, B and C were 0.977, 0.971 and 0.95, respectively."
    assert _values(text, "auc") == [0.977, 0.971, 0.95]
    # "reader 1" is a label; the keyword is the subject of "was"
    text = ("The sensitivity of reader 1 in the first reading session was 100% and the "
            "specificity was 85%.")
    assert [(s, v) for s, v, _ in _rows(text)] == [("sensitivity", 1.0), ("specificity", 0.85)]


def test_extract_recall_bracketed_estimates_in_parallel():
    # bench: the second bracket repeats the kind of the first
    text = ("Effects differed by self-reported history of neuropathy (hazard ratio [HR] 1.95, "
            "95% CI 1.41–2.69) versus no history of neuropathy (0.99, 0.79–1.26; P value for "
            "interaction 0.0008).")
    assert [r for r in _rows(text) if r[0] != "p_value"] == [
        ("hazard_ratio", 1.95, {"ci_low": 1.41, "ci_high": 2.69, "ci_level": 0.95}),
        ("hazard_ratio", 0.99, {"ci_low": 0.79, "ci_high": 1.26, "ci_level": 0.95})]
    # bench: digits after "these" still count; the percentage finds its total
    assert _rows("Among these 35 patients, 21 (60%) used their CPAP devices regularly.") == [
        ("sample_size", 35.0, {"unit": "patients"}),
        ("proportion", 0.6, {"count": 21, "total": 35})]


def test_extract_recall_list_ending_in_a_percentage_is_percentages():
    # bench: 10.9 shares the "%" of 12.1, it does not continue the mean before it
    text = "Subjects experienced mean percent weight loss of 2.5, 10.9, and 12.1%, respectively."
    assert [(s, v) for s, v, _ in _rows(text)][1:] == [("proportion", 0.109),
                                                       ("proportion", 0.121)]
    # bench: "min 2" is a time, not a mean
    assert _rows("The mean SBP at min 2 and min 5 was lower in group A.") == []


def test_extract_recall_estimates_across_a_count_and_in_bracketed_arms():
    # bench: the subject "hazard ratios ... among 1954 participants" spans a count
    text = ("Respective demographic-adjusted hazard ratios (95% confidence intervals) for "
            "incident HF among 1954 participants without baseline HF were 1.21 (0.81–1.81), "
            "0.71 (0.54–0.94), and 0.71 (0.51–0.98).")
    assert [(s, v, f.get("ci_low")) for s, v, f in _rows(text)] == [
        ("sample_size", 1954.0, None), ("hazard_ratio", 1.21, 0.81),
        ("hazard_ratio", 0.71, 0.54), ("hazard_ratio", 0.71, 0.51)]
    # bench: each arm's bracketed estimate after the first one named
    text = ("Antidepressant use was associated with diabetes risk in the placebo (adjusted "
            "hazard ratio 2.34 [95% CI 1.32–4.15]) and lifestyle (2.48 [1.45–4.22]) arms, but "
            "not in the metformin arm (0.55 [0.25–1.19]).")
    assert [(s, v, f.get("ci_high")) for s, v, f in _rows(text)] == [
        ("hazard_ratio", 2.34, 4.15), ("hazard_ratio", 2.48, 4.22), ("hazard_ratio", 0.55, 1.19)]


def test_extract_recall_before_a_named_procedure_is_baseline():
    # 23065947
    text = ("Prior to cryoablation, the mean score for worst pain in a 24-hour period was "
            "7.1/10 with a range of 4/10 to 10/10.")
    row = ee.extract(text).iloc[0]
    assert (row.stat, row.value, row.timepoint, row.timepoint_days) == (
        "mean", 7.1, "Prior to cryoablation", 0.0)
    # "prior to" without a procedure is no timepoint
    assert pd.isna(ee.extract("Prior to this, the mean score was 7.1/10.").iloc[0].timepoint)


def test_extract_recall_numbered_readers_in_a_list():
    # "reader 1 and 80%": the label takes one digit, not the next value
    assert [(s, v) for s, v, _ in _rows("Sensitivity was 85% for reader 1 and 80% for reader 2.")] \
        == [("sensitivity", 0.85), ("sensitivity", 0.8)]
    assert _values("Agreement was good (κ = 0.81 and 0.76 for readers 1 and 2).", "kappa") == [
        0.81, 0.76]
    # a percentage of things after a sensitivity is no second sensitivity
    text = "The sensitivity was 85%, and 40% of the lesions were benign."
    assert [(s, v) for s, v, _ in _rows(text)] == [("sensitivity", 0.85), ("proportion", 0.4)]


def test_extract_recall_lengths_of_time_listed_by_group():
    text = ("The median PFS was 8.2 months in the TACE group and 5.1 months in the control "
            "group (HR 0.62, 95% CI 0.45-0.85).")
    assert [(s, v) for s, v, _ in _rows(text)] == [
        ("median", 8.2), ("median", 5.1), ("hazard_ratio", 0.62)]
    # "12 months after surgery" is a time, not a second median
    text = "The median follow-up was 24 months and 12 months after surgery, 3 patients died."
    assert [(s, v) for s, v, _ in _rows(text)] == [("median", 24.0), ("sample_size", 3.0)]
