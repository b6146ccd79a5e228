"""Pooling speed: evidextract.rma vs R metafor's rma, and the batch path (a script, not a test).

Fits 1,000 random-effects REML meta-analyses of k = 20 studies (random data, fixed seed) one
call at a time with ``evidextract.rma`` and, in the same run, with metafor's ``rma`` through
``Rscript`` (skipped with a message when R or metafor is missing). Then fits the same 1,000
analyses, and a larger set, with ``rma_batch``. Both sides fit identical data; the script also
reports how far the estimates and tau² values are apart.

Run from the repository root:
    .venv/bin/python benchmarks/bench_pool.py [--n 1000] [--k 20] [--batch-n 20000]
"""

import argparse
import shutil
import subprocess
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from evidextract import rma
from evidextract.meta import ConvergenceError, rma_batch

R_SCRIPT = r"""
suppressMessages(library(metafor))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1])
groups <- split(d, d$analysis_id)
est <- rep(NA_real_, length(groups)); tau2 <- rep(NA_real_, length(groups))
elapsed <- system.time(
  for (i in seq_along(groups)) {
    g <- groups[[i]]
    res <- try(rma(g$yi, g$vi, method = "REML"), silent = TRUE)
    if (!inherits(res, "try-error")) { est[i] <- res$beta[1]; tau2[i] <- res$tau2 }
  }
)[["elapsed"]]
write.csv(data.frame(analysis_id = as.integer(names(groups)), estimate = est, tau2 = tau2),
          args[2], row.names = FALSE)
cat(sprintf("%.6f %s\n", elapsed, as.character(packageVersion("metafor"))))
"""


def make_data(n, k, seed=20261121):
    """Long table of ``n`` random meta-analyses with ``k`` studies each."""
    rng = np.random.default_rng(seed)
    vi = rng.uniform(0.01, 0.2, size=(n, k))
    tau2 = rng.uniform(0.0, 0.1, size=(n, 1))
    yi = rng.normal(0.3, np.sqrt(vi + tau2))
    return pd.DataFrame(
        {"analysis_id": np.repeat(np.arange(n), k), "yi": yi.ravel(), "vi": vi.ravel()}
    )


def time_ours(long, k):
    yi = long["yi"].to_numpy().reshape(-1, k)
    vi = long["vi"].to_numpy().reshape(-1, k)
    est = np.full(yi.shape[0], np.nan)
    tau2 = np.full(yi.shape[0], np.nan)
    start = time.perf_counter()
    for i in range(yi.shape[0]):
        try:
            fit = rma(yi[i], vi[i], method="REML")
        except ConvergenceError:
            continue
        est[i], tau2[i] = fit.estimate, fit.tau2
        _ = (fit.ci_low, fit.pval, fit.i2)  # what a user reads; computed on first access
    return time.perf_counter() - start, est, tau2


def time_metafor(long):
    if shutil.which("Rscript") is None:
        return None, "Rscript not found: metafor comparison skipped"
    with tempfile.TemporaryDirectory() as tmp:
        src, out, script = Path(tmp, "in.csv"), Path(tmp, "out.csv"), Path(tmp, "bench.R")
        long.to_csv(src, index=False, float_format="%.17g")
        script.write_text(R_SCRIPT)
        proc = subprocess.run(
            ["Rscript", str(script), str(src), str(out)], capture_output=True, text=True
        )
        if proc.returncode != 0:
            return None, "metafor not usable: " + proc.stderr.strip().splitlines()[-1]
        elapsed, version = proc.stdout.split()
        return (float(elapsed), pd.read_csv(out), version), ""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="number of meta-analyses")
    parser.add_argument("--k", type=int, default=20, help="studies per meta-analysis")
    parser.add_argument("--batch-n", type=int, default=20000, help="analyses for the big batch")
    args = parser.parse_args()
    warnings.simplefilter("ignore")

    long = make_data(args.n, args.k)
    rma(long["yi"].to_numpy()[: args.k], long["vi"].to_numpy()[: args.k])  # warm-up (imports)
    ours_s, ours_est, ours_tau2 = time_ours(long, args.k)
    ours_rate = args.n / ours_s

    print(f"REML fits of k = {args.k}, {args.n} meta-analyses (random data, fixed seed)")
    print(f"{'implementation':<38}{'seconds':>10}{'fits/s':>12}{'vs metafor':>12}")
    mf, why = time_metafor(long)
    if mf is None:
        print(f"{'metafor rma (R)':<38}{'-':>10}{'-':>12}{'-':>12}   {why}")
        mf_rate = None
    else:
        mf_s, mf_out, version = mf
        mf_rate = args.n / mf_s
        label = f"metafor {version} rma, one call each"
        print(f"{label:<38}{mf_s:>10.3f}{mf_rate:>12.1f}{1:>11.1f}x")
    ratio = f"{ours_rate / mf_rate:>11.1f}x" if mf_rate else f"{'-':>12}"
    print(f"{'evidextract.rma, one call each':<38}{ours_s:>10.3f}{ours_rate:>12.1f}{ratio}")

    start = time.perf_counter()
    batch = rma_batch(long, method="REML")
    batch_s = time.perf_counter() - start
    batch_rate = args.n / batch_s
    ratio = f"{batch_rate / mf_rate:>11.1f}x" if mf_rate else f"{'-':>12}"
    print(f"{'evidextract.rma_batch, same analyses':<38}{batch_s:>10.3f}{batch_rate:>12.1f}{ratio}")

    big = make_data(args.batch_n, args.k, seed=7)
    start = time.perf_counter()
    rma_batch(big, method="REML")
    big_s = time.perf_counter() - start
    big_rate = args.batch_n / big_s
    ratio = f"{big_rate / mf_rate:>11.1f}x" if mf_rate else f"{'-':>12}"
    label = f"evidextract.rma_batch, {args.batch_n} analyses"
    print(f"{label:<38}{big_s:>10.3f}{big_rate:>12.1f}{ratio}")

    failed = int(np.isnan(ours_est).sum())
    print(f"\nnon-converging REML fits (metafor's error, ours too): {failed} of {args.n}")
    ok = batch["status"] == "ok"
    same = np.allclose(batch.loc[ok, "estimate"], ours_est[ok.to_numpy()], rtol=1e-12)
    print(f"rma_batch equals rma one by one (rtol 1e-12): {same}")
    if mf_rate:
        both = ~np.isnan(ours_est) & ~np.isnan(mf_out["estimate"].to_numpy())
        rel = np.abs(ours_est[both] - mf_out["estimate"].to_numpy()[both]) / np.abs(
            mf_out["estimate"].to_numpy()[both]
        )
        d_tau2 = np.abs(ours_tau2[both] - mf_out["tau2"].to_numpy()[both])
        mf_failed = int(mf_out["estimate"].isna().sum())
        print(f"metafor failures: {mf_failed}; fits compared: {int(both.sum())}")
        print(f"max relative difference in estimate vs metafor: {rel.max():.2e}")
        print(f"max absolute difference in tau2 vs metafor:     {d_tau2.max():.2e}")


if __name__ == "__main__":
    main()
