"""Tests of the context of extracted rows: the outcome and the group each statistic belongs to.

Sentences come from the dev gold (``../shared/eval/dev``), from our own gold set
(``data/gold``) and from real abstracts found in the stored pages (source in a comment).
Each test asserts the exact ``(stat, value, outcome, group)`` of every row of a sentence.
"""

import pandas as pd
import pytest

import evidextract as ee


def _context(text):
    table = ee.extract(text)
    rows = []
    for row in table.itertuples():
        outcome = None if pd.isna(row.outcome) else row.outcome
        group = None if pd.isna(row.group) else row.group
        rows.append((row.stat, round(float(row.value), 4), outcome, group))
    return rows


def test_extract_context_outcome_as_written_not_its_canonical_name():
    # dev gold 002: the instrument as the abstract names it ("pain severity", not "pain score").
    text = ("Pain severity significantly decreased postoperatively, with a mean reduction of "
            "4.5 points (P < 0.0001).")
    assert _context(text) == [
        ("mean_difference", 4.5, "Pain severity", None),
        ("p_value", 0.0001, "Pain severity", None),
    ]


def test_extract_context_spelled_out_scale_goes_by_its_abbreviation():
    # dev gold 10.1007/s00330-021-08477-6: "Numerical Pain Rating Scale" is pooled as NRS.
    text = ("Among the 64 (64/74; 86.5%) patients with painful SM, the mean Numerical Pain "
            "Rating Scale dropped from 6.8 ± 2.2 (range, 0–10) at the baseline to 4.1 ± 2.4 "
            "(range, 0–9; p < 0.0001) at 24 h.")
    rows = _context(text)
    assert [r[2] for r in rows if r[0] == "mean"] == ["NRS", "NRS"]
    assert ("p_value", 0.0001, "NRS", "painful SM") in rows


def test_extract_context_subject_of_a_linking_verb_is_the_outcome():
    # data/gold 31289539 and 24965604: "The mean tumor size was", "The ... rates ... were".
    assert _context("The mean tumor size was 5.0±1.8 cm.") == [("mean", 5.0, "tumor size", None)]
    text = ("The overall survival rates at 1, 2, 3 and 5 years after MWA were 89%, 63%, 43%, "
            "and 16 %, respectively.")
    assert [r[2] for r in _context(text)] == ["overall survival rates"] * 4


def test_extract_context_percentage_of_and_odds_of_are_no_part_of_the_outcome():
    # dev gold 10.1007/s00256-024-04722-3: "an osteoporosis prevalence of 4.4%".
    text = ("For 316 cases of Chinese men (age:73.7±4.5 years), OLVFss ≤ -2.5 defines an "
            "osteoporosis prevalence of 4.4%; to achieve this osteoporosis prevalence, the "
            "corresponding QCT LS BMD value is < 47.5 mg/ml.")
    assert _context(text) == [
        ("sample_size", 316.0, None, "Chinese men"),
        ("mean", 73.7, "age", "Chinese men"),
        ("quantity", -2.5, "OLVFss", "Chinese men"),
        ("proportion", 0.044, "osteoporosis prevalence", "Chinese men"),
        ("quantity", 47.5, "QCT LS BMD value", "Chinese men"),
    ]


def test_extract_context_compared_arms_and_their_p_value():
    # dev gold 10.1007/s00256-025-04879-5: "X demonstrated higher accuracy than Y (a vs. b".
    text = ("From 576 measurements, EOS imaging demonstrated significantly higher accuracy than "
            "digital radiography (83.6% vs. 73.5% absolute accuracy; p < 0.001) when "
            "non-calibrated values were included.")
    assert _context(text) == [
        ("sample_size", 576.0, None, None),
        ("accuracy", 0.836, "absolute accuracy", "EOS imaging"),
        ("accuracy", 0.735, "absolute accuracy", "digital radiography"),
        ("p_value", 0.001, "absolute accuracy", "EOS imaging vs digital radiography"),
    ]


def test_extract_context_in_one_arm_compared_with_another():
    # data/gold anesthesiology-2016-124-150 (Anesthesiology 2016;124:150).
    text = ("In the intention-to-treat analysis (n = 25), VASweek4 was significantly lower in "
            "the duloxetine phase compared with placebo (4.1 ± 2.9 vs. 6.0 ± 2.7; P = 0.001).")
    assert _context(text) == [
        ("sample_size", 25.0, None, "intention-to-treat analysis"),
        ("mean", 4.1, "VASweek4", "duloxetine"),
        ("mean", 6.0, "VASweek4", "placebo"),
        ("p_value", 0.001, "VASweek4", "duloxetine vs placebo"),
    ]


def test_extract_context_estimate_between_two_groups():
    # data/gold 29042794: "between the MWA group and the HRN group (HR =0.98".
    text = ("The overall meta-analysis demonstrated no significant difference in overall "
            "survival between the MWA group and the HRN group (HR =0.98, 95% CI =0.76–1.26, "
            "P=0.878).")
    assert _context(text) == [
        ("hazard_ratio", 0.98, "overall survival", "MWA vs HRN"),
        ("p_value", 0.878, "overall survival", "MWA vs HRN"),
    ]
    # World J Meta-Anal 2022;10(4):220 (wjgnet.com/2308-3840/full/v10/i4/220.htm).
    text = ("CA rates between MWA and RFA groups were similar in prospective cohort studies "
            "[odds ratio (OR) 0.95, 95% confidence interval (CI) 0.28–3.23].")
    assert _context(text) == [("odds_ratio", 0.95, None, "MWA vs RFA")]


def test_extract_context_parallel_values_share_the_outcome():
    # Osteoarthritis Cartilage 2016, duloxetine in Chinese patients
    # (oarsijournal.com/article/S1063-4584(16)30498-8/fulltext).
    text = ("The incidence of discontinuations due to adverse events was 9.0% in "
            "duloxetine-treated patients and 4.5% in placebo-treated patients (P = 0.109).")
    outcome = "discontinuations due to adverse events"
    assert _context(text) == [
        ("proportion", 0.09, outcome, "duloxetine-treated patients"),
        ("proportion", 0.045, outcome, "placebo-treated patients"),
        ("p_value", 0.109, outcome, "duloxetine-treated patients vs placebo-treated patients"),
    ]


def test_extract_context_arm_in_brackets_is_a_group_not_an_outcome():
    # J Pain 2010;11:1282, duloxetine versus placebo in chronic low back pain.
    text = ("Significantly more patients in the duloxetine group (15.2%) than patients in the "
            "placebo group (5.4%) discontinued because of adverse events (P = .002).")
    assert _context(text) == [
        ("proportion", 0.152, None, "duloxetine"),
        ("proportion", 0.054, None, "placebo"),
        ("p_value", 0.002, None, "duloxetine vs placebo"),
    ]


def test_extract_context_counted_subpopulations_are_groups():
    # dev gold 10.1007/s00256-025-04878-6: "751 statin users and 751 non-users".
    text = ("After adjusting for potential confounders, 1502 knees were included (751 statin "
            "users and 751 non-users; mean age 63.5 ± 8.7 years, 44.5% female).")
    assert _context(text) == [
        ("sample_size", 1502.0, None, None),
        ("sample_size", 751.0, None, "statin users"),
        ("sample_size", 751.0, None, "non-users"),
        ("mean", 63.5, "age", None),
        ("proportion", 0.445, "female", None),
    ]
    # dev gold 10.1007/s00256-024-04733-0: every patient of the study is no subgroup.
    assert _context("One hundred fifty-one patients with MM were included in the study.") == [
        ("sample_size", 151.0, None, None)]


def test_extract_context_count_in_brackets_names_the_data_split_of_what_follows():
    # data/gold 34599265.
    text = ("Results are reported for the testing dataset only (n = 100; age 62.5 ± 5.2; "
            "male 55%, event rate 50%).")
    assert _context(text) == [
        ("sample_size", 100.0, None, "testing dataset"),
        ("mean", 62.5, "age", "testing dataset"),
        ("proportion", 0.55, "male", "testing dataset"),
        ("proportion", 0.5, "event rate", "testing dataset"),
    ]


def test_extract_context_arms_by_abbreviation_after_the_value():
    # data/gold 15145173: "35% SF vs. 8% MF nonresponders".
    text = ("The response status after initial treatment did not predict occurrence of "
            "retreatment: 35% SF vs. 8% MF nonresponders and 22% SF vs. 10% MF patients with "
            "progressive pain were retreated.")
    assert [r[3] for r in _context(text)] == ["SF", "MF", "SF", "MF"]


def test_extract_context_population_named_before_the_clause():
    # data/gold anesthesiology-2016-124-150: the abbreviation defined for the population.
    text = ("Among patients with chronic low back pain (CLBP), approximately 37% show signs of "
            "a neuropathic pain component (radicular pain).")
    assert _context(text) == [("proportion", 0.37, None, "CLBP")]


@pytest.mark.parametrize("text, owners", [
    # data/gold 10.1007/978-3-319-41546-8_7.
    ("The AUC of CNN was 0.87, which was higher than the mean AUC of the radiologists (0.84), "
     "though the difference was not significant.", ["CNN", "radiologists"]),
    # data/gold 10.1177/10815589231208479.
    ("The physicians’ sensitivity and specificity for detecting pneumothorax were 0.585 and "
     "0.988, respectively.", ["physicians", "physicians"]),
    ("The areas under the curve for PDA-Alpha and PDA-Beta were 0.993 (95% confidence interval "
     "(CI): 0.985–1.000) and 0.986 (95% CI: 0.962–1.000), respectively.",
     ["PDA-Alpha", "PDA-Beta"]),
])
def test_extract_context_whose_figure_a_statistic_is(text, owners):
    assert [r[3] for r in _context(text)] == owners


def test_extract_context_no_group_from_what_a_figure_is_for():
    # data/gold 32205817: "For classification/detection of pneumonia," names a task, not a group.
    text = ("For classification/detection of pneumonia, AUC on frontal radiographs was 0.854 "
            "with a sensitivity of 82.8% and specificity of 72.6%.")
    assert _context(text) == [
        ("auc", 0.854, "AUC", None),
        ("sensitivity", 0.828, "sensitivity", None),
        ("specificity", 0.726, "specificity", None),
    ]


def test_extract_context_no_outcome_from_a_quantifier_or_the_statistic_itself():
    # Osteoarthritis Cartilage 2016 (as above): "The majority (76.4%)" counts nothing named.
    assert _context("The majority (76.4%) of patients was female; mean age was 60.5 years.") == [
        ("proportion", 0.764, None, None),
        ("mean", 60.5, "age", None),
    ]
    # dev gold 10.1007/s00256-025-04878-6: "effect estimates" is the statistic, not an outcome.
    text = ("Statin use is associated with a smaller increase in BML volume over 4 years "
            "(time-treatment interaction effect estimates, 95% confidence interval (CI) - 14.88 "
            "mm3/year, - 23.04 to - 6.72, P < 0.001).")
    assert all(r[2] != "effect estimates" for r in _context(text))


def test_extract_context_comparison_names_the_outcome_of_a_p_value():
    # dev gold 10.1007/s00256-024-04742-z.
    text = ("Ktrans and Kep were significantly lower in both chordoma, and chondrosarcoma "
            "compared to giant cell tumor of the bone (p = 0.006 - 0.011).")
    assert _context(text) == [
        ("p_value", 0.006, "Ktrans and Kep", "chordoma and chondrosarcoma vs giant cell tumor"),
        ("p_value", 0.011, "Ktrans and Kep", "chordoma and chondrosarcoma vs giant cell tumor"),
    ]


def _times(text):
    table = ee.extract(text)
    return [(row.stat, None if pd.isna(row.timepoint) else row.timepoint,
             None if pd.isna(row.group) else row.group) for row in table.itertuples()]


def test_extract_context_time_the_brackets_open_after_and_arms_compared_with_than():
    # data/gold 10.1155/2019/9037510 (meta-analysis of radiofrequency for knee pain).
    text = ("The pain scores (VAS) in the RF group were lower than those in the conservative "
            "treatment group after 1 week (WMD -1.77, 95% CI -2.93 to -0.61, P<0.01), 1 month "
            "(WMD -1.40, 95% CI -1.98 to -0.82, P<0.01), and 3 months (WMD -1.32, 95% CI -2.27 "
            "to -0.37, P<0.01) of treatment.")
    arms = "RF vs conservative treatment"
    assert _times(text) == [
        ("mean_difference", "1 week", arms), ("p_value", "1 week", arms),
        ("mean_difference", "1 month", arms), ("p_value", "1 month", arms),
        ("mean_difference", "3 months", arms), ("p_value", "3 months", arms),
    ]


def test_extract_context_time_far_after_a_value_belongs_to_the_next_clause():
    # data/gold 10.1002/cncr.24837 (Cancer 2010, radiofrequency ablation of bone metastases).
    text = ("The average increase in pain relief from pre-RFA to 1-month follow-up is 26.3 "
            "(95% confidence interval [CI], 17.7-34.9; P < .0001), and the increase from pre-RFA "
            "to 3-month follow-up is 16.38 (95% CI, 3.4-29.4; P = .02).")
    assert [t[1] for t in _times(text)] == ["1-month", "1-month", "3-month", "3-month"]
    # data/gold 10.1186/s13018-021-02906-4: a p-value of its own takes the time before it.
    text = ("Subgroup analysis of knee pain indicated that the efficacy of RF treatment "
            "targeting the genicular nerve was significantly better than intra-articular RF at "
            "12 weeks after treatment (P = 0.03).")
    assert _times(text) == [("p_value", "12 weeks", None)]


@pytest.mark.parametrize("text, groups", [
    # PLoS One 2015, hospital-based work support for female cancer patients (Evidence
    # Inference v2, huggingface.co/datasets/araag2/Evidence_Inference_v2).
    ("Breast and gynaecological cancer patients who were treated with curative intent and had "
     "paid work were randomised to the intervention group (n = 65) or control group (n = 68).",
     ["intervention", "control"]),
    # A randomized trial of three arms (th4.ilovetranslation.com/-1lad3lFLfS=d).
    ("A total of 60 patients were randomized into group A (n = 20), group B (n = 20) or Group C "
     "(n = 20) (Figure 1 flowchart).", [None, "group A", "group B", "Group C"]),
])
def test_extract_context_arm_named_before_its_count_in_brackets(text, groups):
    assert [r[3] for r in _context(text)] == groups


def test_extract_context_coordinated_subjects_share_their_head_noun():
    # dev gold 002 and data/gold 19061774.
    assert [r[2] for r in _context("Major and minor complication rates were 2.0% and 4.8%, "
                                   "respectively.")] == ["Major complication rates",
                                                         "minor complication rates"]
    text = ("Postoperatively, the mean amounts of nonnarcotic and narcotic analgesic decreased "
            "to 1.35+/-0.70 (P<.05) and 0.65+/-0.53 (P<.05).")
    assert _context(text) == [
        ("mean", 1.35, "nonnarcotic analgesic", None),
        ("p_value", 0.05, "nonnarcotic analgesic", None),
        ("mean", 0.65, "narcotic analgesic", None),
        ("p_value", 0.05, "narcotic analgesic", None),
    ]


def test_extract_context_outcome_after_a_list_and_of_a_count_found():
    # dev gold 10.1007/s00256-025-04879-5 and 10.1007/s00330-013-3071-z.
    text = ("EOS maintained superior accuracy at 30 mm, 50 mm, and 70 mm of lengthening "
            "(p < 0.05), with no difference at 10 mm.")
    assert [r[2] for r in _context(text) if r[0] == "quantity"][:3] == ["lengthening"] * 3
    assert _context("Cement leakage was found in 8 lesions without any symptoms.") == [
        ("sample_size", 8.0, "Cement leakage", None)]


def test_extract_context_difference_by_a_value_between_two_groups():
    # dev gold 10.1007/s00256-024-04744-x.
    text = ("There was no difference in TS between normal and pathologic ACLs; however, LTS-MTS "
            "differences were larger with partial tears (2.5 ± 4.9) than normal ACLs by 4.5° "
            "(± 1.2, p < .001), complete tears by 4.5° (± 1.3, p < .001), and mucoid "
            "degeneration by 4.9° (± 1.5, p = .001).")
    rows = [r for r in _context(text) if r[0] != "p_value"]
    assert rows == [
        ("mean", 2.5, "LTS-MTS differences", "partial tears"),
        ("mean_difference", 4.5, "LTS-MTS differences", "partial tears vs normal ACLs"),
        ("mean_difference", 4.5, "LTS-MTS differences", "partial tears vs complete tears"),
        ("mean_difference", 4.9, "LTS-MTS differences", "partial tears vs mucoid degeneration"),
    ]


@pytest.mark.parametrize("text, groups", [
    # data/gold 37543888.
    ("Group 1 had 34.6%, group 2 had 54.6%, and group 3 had 10.8% IFs.",
     ["Group 1", "group 2", "group 3"]),
    # data/gold 10.1186/s12880-021-00718-w: the subject that achieved a figure.
    ("The present score achieved a sensitivity of 0.78.", ["present score"]),
    # data/gold 30070054: groups listed before values given "respectively".
    ("The total complication rates in the RFA and MWA groups were 24.2% (24/99) and 16.5% "
     "(23/139), respectively, and there was no statistically significant difference "
     "(P = 0.142).", ["RFA", "MWA", "RFA vs MWA"]),
    # data/gold 31289539: the predictor an odds ratio in brackets belongs to.
    ("Incomplete tumor ablation [odds ratio (OR) 6.57; P<0.05] and tumor size ≥4 cm (OR 0.18; "
     "P<0.05) were significant independent predictors of LTP.",
     ["Incomplete tumor ablation", "Incomplete tumor ablation", None, None, None]),
    # data/gold: "The procedure demonstrated 100% technical success" names no group.
    ("The procedure demonstrated 100% technical success.", [None]),
])
def test_extract_context_group_that_had_or_achieved_a_value(text, groups):
    assert [r[3] for r in _context(text)] == groups


@pytest.mark.parametrize("text, rows", [
    # dev gold 10.1007/s00330-021-08477-6: what the counted patients were.
    ("Thirty-four patients (34/64; 53.1%) were completely pain-free at the last follow-up.",
     [("proportion", 0.531, "completely pain-free", None)]),
    # data/gold 10.3971/j.issn.1000-8578.2019.18.1791: what the counted units showed or had.
    ("Among the 160 vertebrae with incomplete vertebral posterior wall, 39(24.4%) vertebrae "
     "showed bone cement leakage and 7(4.4%) vertebrae were intraspinal leakage.",
     [("sample_size", 160.0, None, "incomplete vertebral posterior wall"),
      ("proportion", 0.244, "bone cement leakage", "incomplete vertebral posterior wall"),
      ("proportion", 0.044, "intraspinal leakage", "incomplete vertebral posterior wall")]),
    # data/gold 10.1093/gerona/glaa141: a verb without object is the outcome.
    ("After a mean 6.44 ± 1.06 years of follow-up, 635 (9.33%) men and 265 (5.81%) women died.",
     [("mean", 6.44, "follow-up", None), ("proportion", 0.0933, "men", None),
      ("proportion", 0.0581, "died", None)]),
    # dev gold 10.1007/s00256-024-04744-x: a sex counted with no verb after it.
    ("There were 108/172 (62.79%) males and 64/172 (37.21%) females.",
     [("proportion", 0.6279, "males", None), ("proportion", 0.3721, "females", None)]),
    # data/gold thejns-spine-14-5-561: the arm a count underwent or received, after the
    # first count of the sentence; "were eligible" is no outcome.
    ("Of 105 patients with acute osteoporotic VCFs, 82 were eligible for participation: 40 "
     "patients underwent PV and 42 received OMT.",
     [("sample_size", 105.0, None, None), ("sample_size", 82.0, None, None),
      ("sample_size", 40.0, None, "PV"), ("sample_size", 42.0, None, "OMT")]),
    # dev gold 10.1007/s00330-013-3071-z: everyone of the first count underwent it.
    ("A retrospective study was conducted to review 51 consecutive patients who underwent "
     "cementoplasty under CT or fluoroscopic guidance, a total of 65 lesions involving the "
     "ilium, ischium, pubis, acetabulum, humeral, femur and tibia.",
     [("sample_size", 51.0, None, None), ("sample_size", 65.0, None, None)]),
    # data/gold 10.1186/s40349-018-0117-3: labels before their values.
    ("The proportion of responders according to the International Bone Metastases Consensus "
     "Working Party was: Partial Response 50% (8/16) and Complete Response 37.5% (6/16).",
     [("proportion", 0.5, "Partial Response", None),
      ("proportion", 0.375, "Complete Response", None)]),
])
def test_extract_context_what_counted_units_had_or_received(text, rows):
    assert _context(text) == rows


def test_extract_context_group_that_had_more_and_what_it_was_compared_with():
    # dev gold 10.1007/s00256-024-04744-x.
    text = ("Mucoid degeneration patients had a higher BMI and were older than control (p < .05) "
            "or completely torn (p < .001) ACL patients.")
    assert [r[3] for r in _context(text)] == ["Mucoid degeneration vs control",
                                             "Mucoid degeneration vs completely torn"]
    # data/gold PMC6190664: the other group of "the two groups" is not named.
    text = ("Overall survival was similar between the two groups, but the resection group had a "
            "higher disease-free survival (median, 22 months vs. 14 months).")
    assert _context(text) == [("median", 22.0, "disease-free survival", "resection"),
                              ("median", 14.0, "disease-free survival", None)]
    text = ("Compared to the resection group, the RFA group had a higher rate of intrahepatic "
            "recurrence (34.8% vs. 12.0%) and a shorter recurrence free period.")
    assert _context(text) == [("proportion", 0.348, "intrahepatic recurrence", "RFA"),
                              ("proportion", 0.12, "intrahepatic recurrence", "resection")]


@pytest.mark.parametrize("text, rows", [
    # data/gold thejns-spine-14-5-561: "the incidence of X" names X.
    ("The incidence of new fractures in the OMT group (13.3%) was higher than in the PV group "
     "(2.2%; p < 0.01).",
     [("proportion", 0.133, "new fractures", "OMT"), ("proportion", 0.022, "new fractures", "PV"),
      ("p_value", 0.01, "new fractures", "OMT vs PV")]),
    # data/gold 24965604: the size of counted lesions.
    ("Tumors ≤3.5 cm were associated with better survival than were tumors >3.5 cm.",
     [("quantity", 3.5, "tumor size", None), ("quantity", 3.5, "tumor size", None)]),
    # data/gold 32613648: a covariate adjusted for is no outcome.
    ("Event-free survival also increased with increased SMD in univariate analyses (HR = 0.68 "
     "[0.49, 0.95]) but did not maintain significance after adjusting for age (HR = 0.68 "
     "[0.43, 1.07]).",
     [("hazard_ratio", 0.68, "Event-free survival", None),
      ("hazard_ratio", 0.68, "Event-free survival", None)]),
    # data/gold PMC5928380: times written in words are no part of the outcome.
    ("The overall survival rates at one, two, and three years after MWA were 88.7%, 63.6%, and "
     "42.3%, respectively.",
     [("proportion", 0.887, "overall survival rates", None),
      ("proportion", 0.636, "overall survival rates", None),
      ("proportion", 0.423, "overall survival rates", None)]),
])
def test_extract_context_outcome_named_around_keywords_and_sizes(text, rows):
    assert _context(text) == rows


def test_extract_context_numbered_groups_given_respectively():
    # data/gold 37543888.
    text = ("The percentage of IFs was 75.6% in males and 24.4% in females, and they occurred in "
            "4.8%, 27.6%, 44.3%, 20.9%, and 2.4% of age groups 1 to 5, respectively.")
    assert [(r[2], r[3]) for r in _context(text)] == [
        ("IFs", "males"), ("IFs", "females"), ("IFs", "age group 1"), ("IFs", "age group 2"),
        ("IFs", "age group 3"), ("IFs", "age group 4"), ("IFs", "age group 5")]


def _timepoints(text):
    table = ee.extract(text)
    return [(row.text, row.timepoint, None if pd.isna(row.timepoint_days) else row.timepoint_days)
            for row in table.itertuples()]


def test_extract_context_listed_times_name_listed_values_in_order():
    # Without "respectively": the times come first and the lists are as long.
    assert _timepoints("Overall survival at 1, 3, and 5 years was 95%, 80%, and 65%.") == [
        ("95%", "1 year", 365.25), ("80%", "3 years", 1095.75), ("65%", "5 years", 1826.25)]
    assert _timepoints("At 1 and 3 months, VAS scores were 3.1 ± 1.2 and 2.0 ± 1.1.") == [
        ("3.1 ± 1.2", "1 month", 30.4375), ("2.0 ± 1.1", "3 months", 91.3125)]


def test_extract_context_span_of_times_names_a_span_of_values():
    # data/gold: "from baseline to the last follow-up [6.7 ± 2.3 (range: 0-10) to 1.8 ± 2.3 ...]"
    text = ("The VAS score decreased from baseline to the last follow-up [6.7 ± 2.3 (range: "
            "0-10) to 1.8 ± 2.3 (range: 0-7)].")
    assert _timepoints(text) == [("6.7 ± 2.3 (range: 0-10)", "baseline", 0.0),
                                 ("1.8 ± 2.3 (range: 0-7)", "last follow-up", None)]


@pytest.mark.parametrize("text, groups", [
    ("The model achieved AUCs of 0.85 and 0.80 in the internal and external test sets, "
     "respectively.", ["internal test set", "external test set"]),
    ("Accuracy was 91%, 85% and 80% for the training, validation and test cohorts, "
     "respectively.", ["training cohort", "validation cohort", "test cohort"]),
    ("The AUCs were 0.91 and 0.87 in the training set and the validation set, respectively.",
     ["training set", "validation set"]),
    ("Sensitivity was 90% and 80% in men and women, respectively.", ["men", "women"]),
])
def test_extract_context_names_listed_after_values_respectively(text, groups):
    assert ee.extract(text)["group"].tolist() == groups
