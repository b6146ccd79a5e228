"""``evidextract pool``: the dev gold statistics table to metafor's printout and a forest plot."""

from pathlib import Path

import matplotlib.image
import pandas as pd
import pytest

from evidextract.cli import main

CEMENT = "10.1007/s00330-013-3071-z"
# metafor 3.8-1, rma(yi, vi) on escalc("SMCC", ...) of the two seed pain studies at 1 month,
# ri = 0.5, n = 64 and 51 (see tests/test_review.py for the data):
METAFOR_RESULTS = "-2.1426  0.4169  -5.1392  <.0001  -2.9597  -1.3254"
METAFOR_TAU2 = "tau^2 (estimated amount of total heterogeneity): 0.2867 (SE = 0.4937)"
METAFOR_Q = "Q(df = 1) = 5.5920, p-val = 0.0180"


@pytest.fixture(scope="module")
def stats_csv(shared_dir, tmp_path_factory):
    path = tmp_path_factory.mktemp("pool") / "stats.csv"
    pd.read_json(shared_dir / "eval" / "dev" / "gold.jsonl", lines=True).to_csv(path, index=False)
    return path


def _pool(stats_csv, *extra):
    return main(["pool", str(stats_csv), "--measure", "SMCC", "--outcome", "NRS,VAS",
                 "--followup", "1month", *extra])


def test_cli_pool_prints_metafor_numbers_and_writes_forest(stats_csv, tmp_path, capsys,
                                                           close_figures):
    forest = tmp_path / "forest.png"
    assert _pool(stats_csv, "--n", f"{CEMENT}=51", "--forest", str(forest)) == 0
    out = capsys.readouterr().out
    assert "Random-Effects Model (k = 2; tau^2 estimator: REML)" in out
    assert METAFOR_TAU2 in out and METAFOR_Q in out and METAFOR_RESULTS in out
    image = matplotlib.image.imread(forest)
    assert image.ndim == 3 and image.shape[0] > 200 and image.shape[1] > 600


def test_cli_pool_leaves_out_a_study_without_n(stats_csv, capsys):
    assert _pool(stats_csv) == 0
    captured = capsys.readouterr()
    assert f"left out {CEMENT} (VAS): n missing: the text gives no n" in captured.err
    assert "Random-Effects Model (k = 1; tau^2 estimator: REML)" in captured.out
    # metafor: rma(yi, vi) on the cryoablation study alone
    assert "-1.7521  0.1990  -8.8037  <.0001  -2.1421  -1.3620" in captured.out


def test_cli_pool_n_from_sample_size_and_review_sheet(stats_csv, tmp_path, capsys):
    sheet = tmp_path / "studies.xlsx"
    assert _pool(stats_csv, "--n-from", "sample_size", "--studies", str(sheet)) == 0
    assert METAFOR_RESULTS in capsys.readouterr().out
    reviewed = pd.read_excel(sheet)
    assert list(reviewed["ni"]) == [64, 51]
    assert reviewed.loc[1, "ni_text"] == "51 consecutive patients"


def test_cli_pool_reads_a_corrected_sheet(stats_csv, tmp_path, capsys):
    sheet = tmp_path / "studies.csv"
    assert _pool(stats_csv, "--studies", str(sheet)) == 0
    edited = pd.read_csv(sheet, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    edited.loc[edited["record_id"] == CEMENT, "ni"] = "51"
    edited.to_csv(sheet, index=False, encoding="utf-8-sig")
    capsys.readouterr()
    assert _pool(stats_csv, "--reviewed", str(sheet)) == 0
    assert METAFOR_RESULTS in capsys.readouterr().out


def test_cli_pool_asks_for_one_followup(stats_csv, capsys):
    assert main(["pool", str(stats_csv), "--outcome", "NRS"]) == 1
    assert "choose one with --followup (1 month, 24 h, last available follow-up)" in \
        capsys.readouterr().err


def test_cli_pool_rejects_a_bad_n(stats_csv):
    with pytest.raises(SystemExit, match="RECORD=N"):
        _pool(stats_csv, "--n", "51")


ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def seeds_run(tmp_path_factory):
    """``evidextract run data/seeds`` once, with n from each study's enrolment where needed.

    A missing path and a file of random bytes ride along: they are reported, never fatal.
    """
    import contextlib
    import io

    out = tmp_path_factory.mktemp("run")
    garbage = out.parent / "garbage.bin"
    garbage.write_bytes(bytes(range(256)) * 8)
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        status = main(["run", str(ROOT / "data" / "seeds"), str(out.parent / "missing.ris"),
                       str(garbage), "-o", str(out), "--no-progress",
                       "--n-from", "sample_size"])
    return status, out, stdout.getvalue(), stderr.getvalue()


def test_cli_run_pools_the_seed_pain_studies(seeds_run, close_figures):
    status, out, stdout, stderr = seeds_run
    assert status == 0
    assert "missing.ris: no such file or folder" in stderr
    assert "garbage.bin" in stderr  # named, with the reader's reason
    assert stdout.startswith("13 records (12 ok, 1 unreadable), ")
    assert "Random-Effects Model (k = 2; tau^2 estimator: REML)" in stdout
    assert METAFOR_TAU2 in stdout and METAFOR_Q in stdout and METAFOR_RESULTS in stdout
    assert ("assumed or converted:\n  Cazzato 2022: imputed r = 0.5\n"
            "  Sun 2014: n = 51 from the study's sample size; imputed r = 0.5\n") in stdout
    studies = pd.read_csv(out / "studies.csv", encoding="utf-8-sig")
    assert list(studies["study"]) == ["Cazzato 2022", "Sun 2014"]
    assert list(studies["ni"]) == [64, 51]
    assert list(studies["ni_text"]) == ["64 (64/74; 86.5%) patients", "51 consecutive patients"]
    assert list(studies["imputed"]) == ["imputed r = 0.5",
                                        "n = 51 from the study's sample size; imputed r = 0.5"]
    records = pd.read_csv(out / "records.csv")
    stats = pd.read_csv(out / "stats.csv")
    assert len(records) == 13 and set(stats["record_id"]) <= set(records["record_id"])
    assert matplotlib.image.imread(out / "forest.png").shape[1] > 600


def test_cli_run_stats_pool_strictly_without_the_fallback(seeds_run, capsys):
    _, out, _, _ = seeds_run
    assert main(["pool", str(out / "stats.csv"), "--outcome", "NRS,VAS",
                 "--followup", "1month"]) == 0
    captured = capsys.readouterr()
    assert ("left out 10.1007/s00330-013-3071-z (VAS): n missing: the text gives no n for the "
            "means; supply it with --n 10.1007/s00330-013-3071-z=N") in captured.err
    assert "-1.7521  0.1990  -8.8037  <.0001  -2.1421  -1.3620" in captured.out


def test_cli_pool_raw_change_puts_scales_on_0_10(stats_csv, capsys):
    assert _pool(stats_csv, "--measure", "MC", "--n", f"{CEMENT}=51") == 0
    captured = capsys.readouterr()
    assert "MC: pain scales put on 0-10 first" in captured.err
    # metafor: escalc("MC", ...) yi -4.30, -4.78; vi 0.0919, 0.0649; rma(yi, vi):
    assert "-4.5681  0.2383  -19.1655  <.0001  -5.0353  -4.1009" in captured.out
