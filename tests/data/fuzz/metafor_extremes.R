# Reference numbers for tests/test_fuzz_meta.py: rma() of metafor on extreme inputs.
# Run: Rscript tests/data/fuzz/metafor_extremes.R > tests/data/fuzz/metafor_extremes.json
suppressMessages(library(metafor))
suppressMessages(library(jsonlite))
sets <- list(
  tiny_variances = list(yi = c(0.1, 0.2, 0.15, 0.3), vi = c(1e-8, 2e-8, 1.5e-8, 3e-8)),
  huge_variances = list(yi = c(0.1, 0.5, -0.2, 0.3), vi = c(1e6, 5e5, 2e6, 1e6)),
  variance_ratio_1e9 = list(yi = c(0.1, 0.5, -0.2, 0.3, 0.2), vi = c(1e-5, 1e4, 0.1, 1, 10)),
  identical_effects = list(yi = rep(0.3, 5), vi = c(0.01, 0.02, 0.03, 0.04, 0.05)),
  huge_effects = list(yi = c(1e6, 1.1e6, 0.9e6), vi = c(1e10, 2e10, 1.5e10)),
  two_studies_opposed = list(yi = c(-3, 3), vi = c(0.01, 0.01)),
  tiny_effects = list(yi = c(1e-9, 3e-9, -2e-9, 5e-9), vi = c(1e-18, 2e-18, 1e-18, 3e-18))
)
dat0 <- escalc("OR", ai = c(0, 0, 2, 0), bi = c(10, 20, 18, 15), ci = c(0, 1, 3, 0),
               di = c(10, 19, 17, 15))
sets$all_zero_cells_or <- list(yi = as.numeric(dat0$yi[!is.na(dat0$yi)]),
                               vi = as.numeric(dat0$vi[!is.na(dat0$vi)]))
methods <- c("FE", "DL", "HE", "HS", "SJ", "ML", "REML", "EB", "PM")
out <- list()
for (name in names(sets)) {
  s <- sets[[name]]
  res <- list(yi = s$yi, vi = s$vi, fits = list())
  for (m in methods) {
    warns <- character(0)
    fit <- withCallingHandlers(
      tryCatch(rma(s$yi, s$vi, method = m), error = function(e) conditionMessage(e)),
      warning = function(w) { warns <<- c(warns, conditionMessage(w)); invokeRestart("muffleWarning") })
    if (is.character(fit)) {
      res$fits[[m]] <- list(error = fit, warnings = warns)
    } else {
      res$fits[[m]] <- list(estimate = as.numeric(fit$b), se = fit$se, tau2 = fit$tau2,
                            ci_low = fit$ci.lb, ci_high = fit$ci.ub, q = fit$QE, i2 = fit$I2,
                            warnings = warns)
    }
  }
  out[[name]] <- res
}
cat(toJSON(list(metafor = as.character(packageVersion("metafor")), sets = out),
           auto_unbox = TRUE, digits = NA, pretty = TRUE))
