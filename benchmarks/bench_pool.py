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
timing <- system.time(
  for (i in seq_along(groups)) {
    g <- groups[[i]]
    res <- try(rma(g$yi, g$vi, method = "REML"), silent = TRUE)
    if (!inherits(res, "try-error")) { est[i] <- res$beta[1]; tau2[i] <- res$tau2 }
  }
)
cpu <- timing[["user.self"]] + timing[["sys.self"]]
write.csv(data.frame(analysis_id = as.integer(names(groups)), estimate = est, tau2 = tau2),
          args[2], row.names = FALSE)
cat(sprintf("%.6f %.6f %s\n", timing[["elapsed"]], cpu, as.character(packageVersion("metafor"))))
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


class Clock:
    """Wall-clock and CPU seconds of a block (the machine may be shared: CPU time is fairer)."""

    def __enter__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu


def time_ours(long, k):
    yi = long["yi"].to_numpy().reshape(-1, k)
    vi = long["vi"].to_numpy().reshape(-1, k)
    est = np.full(yi.shape[0], np.nan)
    tau2 = np.full(yi.shape[0], np.nan)
    with Clock() as clock:
        for i in range(yi.shape[0]):
            try:
                fit = rma(yi[i], vi[i], method="REML")
            except ConvergenceError:
                continue
            est[i], tau2[i] = fit.estimate, fit.tau2
            _ = (fit.ci_low, fit.pval, fit.i2)  # what a user reads; computed on first access
    return clock, est, tau2


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
        wall, cpu, version = proc.stdout.split()
        return (float(wall), float(cpu), pd.read_csv(out), version), ""


def _row(label, n, wall, cpu, ref):
    rate_wall, rate_cpu = n / wall, n / cpu
    if ref is None:
        vs = f"{'-':>9}{'-':>9}"
    else:
        vs = f"{rate_wall / ref[0]:>8.1f}x{rate_cpu / ref[1]:>8.1f}x"
    print(f"{label:<40}{wall:>8.3f}{cpu:>8.3f}{rate_wall:>11.1f}{rate_cpu:>11.1f}{vs}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="number of meta-analyses")
    parser.add_argument("--k", type=int, default=20, help="studies per meta-analysis")
    parser.add_argument("--batch-n", type=int, default=20000, help="analyses for the big batch")
    args = parser.parse_args()
    warnings.simplefilter("ignore")

    long = make_data(args.n, args.k)
    rma(long["yi"].to_numpy()[: args.k], long["vi"].to_numpy()[: args.k])  # warm-up (imports)
    ours, ours_est, ours_tau2 = time_ours(long, args.k)

    print(f"REML fits of k = {args.k}, {args.n} meta-analyses (random data, fixed seed)")
    print(
        f"{'implementation':<40}{'wall s':>8}{'cpu s':>8}{'fits/s':>11}{'fits/cpu-s':>11}"
        f"{'vs metafor (wall, cpu)':>24}"
    )
    mf, why = time_metafor(long)
    ref = None
    if mf is None:
        print(f"{'metafor rma (R)':<40}   skipped: {why}")
    else:
        mf_wall, mf_cpu, mf_out, version = mf
        ref = (args.n / mf_wall, args.n / mf_cpu)
        _row(f"metafor {version} rma, one call each", args.n, mf_wall, mf_cpu, ref)
    _row("evidextract.rma, one call each", args.n, ours.wall, ours.cpu, ref)

    with Clock() as clock:
        batch = rma_batch(long, method="REML")
    _row("evidextract.rma_batch, same analyses", args.n, clock.wall, clock.cpu, ref)

    big = make_data(args.batch_n, args.k, seed=7)
    with Clock() as clock:
        rma_batch(big, method="REML")
    _row(
        f"evidextract.rma_batch, {args.batch_n} analyses", args.batch_n, clock.wall, clock.cpu, ref
    )

    failed = int(np.isnan(ours_est).sum())
    print(f"\nnon-converging REML fits (metafor's error, ours too): {failed} of {args.n}")
    ok = batch["status"] == "ok"
    same = np.allclose(batch.loc[ok, "estimate"], ours_est[ok.to_numpy()], rtol=1e-12)
    print(f"rma_batch equals rma one by one (rtol 1e-12): {same}")
    if mf is not None:
        mf_est = mf_out["estimate"].to_numpy()
        both = ~np.isnan(ours_est) & ~np.isnan(mf_est)
        rel = np.abs(ours_est[both] - mf_est[both]) / np.abs(mf_est[both])
        d_tau2 = np.abs(ours_tau2[both] - mf_out["tau2"].to_numpy()[both])
        print(f"metafor failures: {int(np.isnan(mf_est).sum())}; fits compared: {int(both.sum())}")
        print(f"max relative difference in estimate vs metafor: {rel.max():.2e}")
        print(f"max absolute difference in tau2 vs metafor:     {d_tau2.max():.2e}")


if __name__ == "__main__":
    main()
