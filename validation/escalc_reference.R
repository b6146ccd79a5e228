# Reference values for evidextract.escalc, computed with R's metafor.
#
# metafor version: 3.8.1 (Debian r-cran-metafor), R 4.2.2, jsonlite 1.8.4.
# Re-run from the repository root:
#     Rscript validation/escalc_reference.R
# It writes tests/data/metafor_escalc.json, which tests/test_escalc.py reads
# (the tests do not need R).
#
# Each case records the measure, the arguments (named as in evidextract.escalc,
# which are metafor's names), the options, and the yi/vi that metafor::escalc
# returned (NA -> null). Cases whose "source" is "formula" are not metafor
# outcomes (metafor 3.8 has no AUC measure and no conv.wald()): they are the
# published formulas typed out in base R, an independent second implementation.

suppressPackageStartupMessages({
  library(metafor)
  library(jsonlite)
})

cases <- list()
as_object <- function(x) if (length(x)) x else structure(list(), names = character(0))
add_case <- function(id, measure, args, options = list(), source = "metafor::escalc") {
  call_args <- c(list(measure = measure), args, options)
  res <- suppressWarnings(do.call(escalc, call_args))
  cases[[length(cases) + 1L]] <<- list(
    id = id, measure = measure, source = source, args = args,
    options = as_object(options), yi = as.numeric(res$yi), vi = as.numeric(res$vi)
  )
}
add_formula_case <- function(id, measure, args, options, yi, vi) {
  cases[[length(cases) + 1L]] <<- list(
    id = id, measure = measure, source = "formula", args = args,
    options = as_object(options), yi = as.numeric(yi), vi = as.numeric(vi)
  )
}

# --- 2x2 tables: dat.bcg (BCG vaccine trials) -------------------------------
bcg <- list(ai = dat.bcg$tpos, bi = dat.bcg$tneg, ci = dat.bcg$cpos, di = dat.bcg$cneg)
add_case("bcg_OR", "OR", bcg)
add_case("bcg_RR", "RR", bcg)
for (vt in c("LS", "UB", "AV")) add_case(paste0("bcg_RD_", vt), "RD", bcg, list(vtype = vt))
add_case("bcg_PETO", "PETO", bcg)
# the same tables given as events and group sizes (ai, n1i, ci, n2i)
add_case("bcg_OR_n", "OR", list(ai = dat.bcg$tpos, n1i = dat.bcg$tpos + dat.bcg$tneg,
                                ci = dat.bcg$cpos, n2i = dat.bcg$cpos + dat.bcg$cneg))

# --- 2x2 tables with zero cells: continuity correction and drop00 ----------
zero <- list(ai = c(0, 0, 3, 10, 12, 0), bi = c(10, 20, 7, 0, 8, 15),
             ci = c(5, 0, 0, 5, 9, 0), di = c(5, 20, 10, 5, 11, 15))
for (m in c("OR", "RR", "RD")) {
  for (to in c("only0", "all", "if0all", "none")) {
    add_case(paste0("zero_", m, "_", to), m, zero, list(to = to))
  }
  add_case(paste0("zero_", m, "_drop00"), m, zero, list(drop00 = TRUE))
  add_case(paste0("zero_", m, "_add1"), m, zero, list(add = 1))
}
add_case("zero_PETO", "PETO", zero)
# a zero cell in every study
allzero <- list(ai = c(0, 0, 0), bi = c(10, 12, 9), ci = c(2, 0, 1), di = c(8, 12, 9))
add_case("allzero_OR", "OR", allzero)
add_case("allzero_RR", "RR", allzero)

# --- two-group means: dat.normand1999 (stroke length of stay) ---------------
norm <- list(m1i = dat.normand1999$m1i, sd1i = dat.normand1999$sd1i, n1i = dat.normand1999$n1i,
             m2i = dat.normand1999$m2i, sd2i = dat.normand1999$sd2i, n2i = dat.normand1999$n2i)
for (vt in c("LS", "UB", "LS2", "AV")) add_case(paste0("normand_SMD_", vt), "SMD", norm, list(vtype = vt))
for (vt in c("LS", "HO")) add_case(paste0("normand_MD_", vt), "MD", norm, list(vtype = vt))
for (vt in c("LS", "HO", "AV", "AVHO")) add_case(paste0("normand_ROM_", vt), "ROM", norm, list(vtype = vt))

# --- two-group means: dat.curtis1998 (plant biomass under CO2) --------------
curt <- list(m1i = dat.curtis1998$m1i, sd1i = dat.curtis1998$sd1i, n1i = dat.curtis1998$n1i,
             m2i = dat.curtis1998$m2i, sd2i = dat.curtis1998$sd2i, n2i = dat.curtis1998$n2i)
add_case("curtis_ROM", "ROM", curt)
add_case("curtis_SMD", "SMD", curt)
add_case("curtis_MD", "MD", curt)
# too small for the bias correction (mi = n1i + n2i - 2 <= 1): metafor gives NA
add_case("tiny_SMD", "SMD", list(m1i = c(5, 5), sd1i = c(1, 1), n1i = c(2, 10),
                                 m2i = c(4, 4), sd2i = c(1, 1), n2i = c(1, 10)))

# --- single proportions: dat.pritz1997 (one study has xi == ni) --------------
pritz <- list(xi = dat.pritz1997$xi, ni = dat.pritz1997$ni)
for (vt in c("LS", "UB", "AV")) add_case(paste0("pritz_PR_", vt), "PR", pritz, list(vtype = vt))
for (vt in c("LS", "AV")) add_case(paste0("pritz_PLO_", vt), "PLO", pritz, list(vtype = vt))
add_case("pritz_PLN", "PLN", pritz)
add_case("pritz_PFT", "PFT", pritz)
add_case("pritz_PAS", "PAS", pritz)
prz <- list(xi = c(0, 5, 20, 7), ni = c(20, 20, 20, 30))
for (m in c("PR", "PLO", "PLN", "PFT", "PAS")) {
  for (to in c("only0", "all", "none")) add_case(paste0("przero_", m, "_", to), m, prz, list(to = to))
}
add_case("przero_PFT_add", "PFT", prz, list(add = 0.5))

# --- correlations: dat.molloy2014 (conscientiousness and adherence) ---------
mol <- list(ri = dat.molloy2014$ri, ni = dat.molloy2014$ni)
for (vt in c("LS", "AV")) add_case(paste0("molloy_COR_", vt), "COR", mol, list(vtype = vt))
add_case("molloy_ZCOR", "ZCOR", mol)
add_case("small_ZCOR", "ZCOR", list(ri = c(0.5, 0.3, 0.2), ni = c(3, 4, 50)))

# --- pre-post pain scores from the seed abstracts ---------------------------
# NRS 6.8 +/- 2.2 at baseline -> 2.5 +/- 2.6 at 1 month (64 patients) and
# -> 4.1 +/- 2.4 at 24 h; VAS 8.19 +/- 1.1 -> 3.41 +/- 2.1 (51 patients).
# metafor's convention: m1i/sd1i the first occasion (baseline), so yi > 0 is
# a reduction; ri = 0.5 imputed (also 0.3 and 0.7 for sensitivity), and one
# row of a reported change score given as m1i = change, m2i = 0, sd2i = ri = 0.
pp <- list(m1i = c(6.8, 8.19, 6.8, 6.8, 8.19, 3.0), sd1i = c(2.2, 1.1, 2.2, 2.2, 1.1, 2.5),
           m2i = c(2.5, 3.41, 4.1, 2.5, 3.41, 0), sd2i = c(2.6, 2.1, 2.4, 2.6, 2.1, 0),
           ni = c(64, 51, 64, 64, 51, 40), ri = c(0.5, 0.5, 0.5, 0.3, 0.7, 0))
add_case("prepost_MC", "MC", pp)
for (vt in c("LS", "LS2")) {
  add_case(paste0("prepost_SMCC_", vt), "SMCC", pp, list(vtype = vt))
  add_case(paste0("prepost_SMCR_", vt), "SMCR", pp, list(vtype = vt))
}

# --- generic inverse-variance input: metafor's "GEN" -------------------------
add_case("gen_vi", "GEN", list(yi = c(-3.71, 0.5, 1.2), vi = c(0.7, 0.04, 0.25)))
add_case("gen_sei", "GEN", list(yi = c(-3.71, 0.5, 1.2), sei = c(0.84, 0.2, 0.5)))

# --- formula cases (not in metafor 3.8) --------------------------------------
# Generic estimate with a CI (Cochrane Handbook 6.5.2.3; Altman & Bland 2011):
#   se = (ci_high - ci_low) / (2 * qnorm(1 - (1 - level) / 2)); ratios on the log scale.
# The seeds' SMD -3.71 (95% CI -5.29 to -2.00) is the first row.
est <- c(-3.71, 0.69, 1.5); lo <- c(-5.29, 0.62, 0.9); hi <- c(-2.00, 0.75, 2.1)
se <- (hi - lo) / (2 * qnorm(0.975))
add_formula_case("gen_ci", "GEN", list(yi = est, ci_low = lo, ci_high = hi), list(), est, se^2)
se90 <- (hi - lo) / (2 * qnorm(0.95))
add_formula_case("gen_ci_90", "GEN", list(yi = est, ci_low = lo, ci_high = hi),
                 list(level = 0.90), est, se90^2)
rr <- c(0.81, 2.5, 0.3); rlo <- c(0.70, 1.2, 0.1); rhi <- c(0.94, 5.2, 0.9)
lse <- (log(rhi) - log(rlo)) / (2 * qnorm(0.975))
add_formula_case("gen_ci_log", "GEN", list(yi = rr, ci_low = rlo, ci_high = rhi),
                 list(scale = "log"), log(rr), lse^2)
# from a two-sided p-value: se = |yi| / qnorm(1 - p / 2)
pv <- c(0.032, 0.001, 0.2)
pse <- abs(c(17, -0.4, 0.8)) / qnorm(1 - pv / 2)
add_formula_case("gen_p", "GEN", list(yi = c(17, -0.4, 0.8), pval = pv), list(), c(17, -0.4, 0.8), pse^2)
pse_log <- abs(log(c(0.30, 1.8))) / qnorm(1 - c(0.034, 0.01) / 2)
add_formula_case("gen_p_log", "GEN", list(yi = c(0.30, 1.8), pval = c(0.034, 0.01)),
                 list(scale = "log"), log(c(0.30, 1.8)), pse_log^2)

# AUC with the Hanley & McNeil (1982) variance, n1i cases and n2i controls:
#   Q1 = A / (2 - A), Q2 = 2 A^2 / (1 + A)
#   var = (A (1 - A) + (n1 - 1)(Q1 - A^2) + (n2 - 1)(Q2 - A^2)) / (n1 n2)
# and on the logit scale (delta method): var / (A (1 - A))^2.
A <- c(0.893, 0.75, 0.62, 0.5, 0.97); n1 <- c(58, 40, 120, 25, 30); n2 <- c(51, 60, 80, 25, 200)
Q1 <- A / (2 - A); Q2 <- 2 * A^2 / (1 + A)
hmv <- (A * (1 - A) + (n1 - 1) * (Q1 - A^2) + (n2 - 1) * (Q2 - A^2)) / (n1 * n2)
add_formula_case("auc_hm", "AUC", list(auc = A, n1i = n1, n2i = n2), list(), A, hmv)
add_formula_case("auc_hm_logit", "AUC", list(auc = A, n1i = n1, n2i = n2),
                 list(transform = "logit"), qlogis(A), hmv / (A * (1 - A))^2)

out <- list(
  metafor_version = as.character(packageVersion("metafor")),
  r_version = R.version.string,
  generated_by = "validation/escalc_reference.R",
  cases = cases
)
dir.create("tests/data", showWarnings = FALSE, recursive = TRUE)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, na = "null", pretty = TRUE),
           "tests/data/metafor_escalc.json")
n_values <- sum(vapply(cases, function(x) 2L * length(x$yi), integer(1)))
cat(sprintf("wrote %d cases, %d values to tests/data/metafor_escalc.json\n", length(cases), n_values))
