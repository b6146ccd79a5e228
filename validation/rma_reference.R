# Reference values for evidextract's pooling (rma), computed by R's metafor.
#
# Produced with R 4.x and metafor 3.8-1 (Debian package r-cran-metafor); the version actually
# used is written into the output as "metafor_version".
#
# Re-run from the repository root:
#     Rscript validation/rma_reference.R
# It writes tests/data/metafor_rma.json, which the tests read (the tests never need R).
#
# Every fit uses metafor's defaults (control settings, tolerances, uniroot precision), so the
# JSON holds the numbers a metafor user sees, not more precise ones.

suppressMessages(library(metafor))
suppressMessages(library(jsonlite))

out_path <- file.path("tests", "data", "metafor_rma.json")

# ---------------------------------------------------------------- data sets (yi, vi via escalc)
bcg <- escalc(measure = "RR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = dat.bcg,
              slab = paste(author, year, sep = ", "))
normand <- escalc(measure = "SMD", m1i = m1i, sd1i = sd1i, n1i = n1i,
                  m2i = m2i, sd2i = sd2i, n2i = n2i, data = dat.normand1999, slab = source)
pritz <- escalc(measure = "PLO", xi = xi, ni = ni, data = dat.pritz1997, slab = authors)
molloy <- escalc(measure = "ZCOR", ri = ri, ni = ni, data = dat.molloy2014,
                 slab = paste(authors, year, sep = ", "))
curtis <- escalc(measure = "ROM", m1i = m1i, sd1i = sd1i, n1i = n1i,
                 m2i = m2i, sd2i = sd2i, n2i = n2i, data = dat.curtis1998,
                 slab = paste("obs", id))
# Pre-post pain scores: the first two from the seed abstracts (NRS 6.8 +- 2.2 -> 2.5 +- 2.6 at
# 1 month in 64 patients; VAS 8.19 +- 1.1 -> 3.41 +- 2.1 in 51 patients), three made up for the
# test. m1i is the follow-up mean, m2i the baseline, so a reduction is negative; ri = 0.5.
pain_raw <- data.frame(
  study = c("Cryoablation NRS (seed 003)", "Cementoplasty VAS (seed 004)",
            "Made-up A", "Made-up B", "Made-up C"),
  m1i = c(2.5, 3.41, 3.0, 3.9, 2.2), sd1i = c(2.6, 2.1, 2.4, 2.7, 1.9),
  m2i = c(6.8, 8.19, 7.1, 6.5, 7.6), sd2i = c(2.2, 1.1, 1.8, 2.0, 1.5),
  ni = c(64, 51, 40, 28, 33), ri = 0.5)
pain <- escalc(measure = "SMCC", m1i = m1i, sd1i = sd1i, m2i = m2i, sd2i = sd2i, ni = ni,
               ri = ri, data = pain_raw, slab = study)

datasets <- list(bcg = bcg, normand1999 = normand, pritz1997 = pritz, molloy2014 = molloy,
                 curtis1998 = curtis, pain = pain)
measures <- c(bcg = "RR", normand1999 = "SMD", pritz1997 = "PLO", molloy2014 = "ZCOR",
              curtis1998 = "ROM", pain = "SMCC")
methods <- c("EE", "DL", "REML", "ML", "PM", "HE", "SJ", "HS", "EB")
tests <- c("z", "knha")

num <- function(x) if (is.null(x)) NA_real_ else as.numeric(x)

# Run expr; on error keep the message so the tests can check we fail the same way.
attempt <- function(expr) {
  warnings <- character(0)
  value <- withCallingHandlers(
    tryCatch(expr, error = function(e) list(error = conditionMessage(e))),
    warning = function(w) {
      warnings <<- c(warnings, conditionMessage(w))
      invokeRestart("muffleWarning")
    })
  if (is.list(value) && length(warnings)) value$warnings <- warnings
  value
}

model_values <- function(res) {
  list(estimate = num(res$beta), se = num(res$se), zval = num(res$zval), pval = num(res$pval),
       ci_low = num(res$ci.lb), ci_high = num(res$ci.ub), tau2 = num(res$tau2),
       se_tau2 = num(res$se.tau2), i2 = num(res$I2) / 100, h2 = num(res$H2),
       q = num(res$QE), q_pval = num(res$QEp), k = res$k, ddf = num(res$ddf))
}

one_fit <- function(d, method, test) {
  res <- rma(yi, vi, data = d, method = method, test = test)
  val <- model_values(res)
  pr <- predict(res)
  val$predict <- list(pred = num(pr$pred), se = num(pr$se), ci_low = num(pr$ci.lb),
                      ci_high = num(pr$ci.ub), pi_low = num(pr$pi.lb), pi_high = num(pr$pi.ub))
  val$confint <- attempt({
    ci <- confint(res)$random
    list(tau2 = num(ci["tau^2", ]), tau = num(ci["tau", ]), i2 = num(ci["I^2(%)", ]) / 100,
         h2 = num(ci["H^2", ]))
  })
  val$regtest <- attempt({
    rt <- regtest(res)
    list(zval = num(rt$zval), pval = num(rt$pval), ddf = num(rt$ddf), est = num(rt$est),
         ci_low = num(rt$ci.lb), ci_high = num(rt$ci.ub))
  })
  val$trimfill <- attempt({
    tf <- trimfill(res)
    list(k0 = tf$k0, side = tf$side, estimate = num(tf$beta), se = num(tf$se),
         ci_low = num(tf$ci.lb), ci_high = num(tf$ci.ub), tau2 = num(tf$tau2), k = tf$k,
         fill = tf$fill, yi = num(tf$yi), vi = num(tf$vi))
  })
  val$leave1out <- attempt({
    l1 <- leave1out(res)
    list(estimate = num(l1$estimate), se = num(l1$se),
         zval = num(if (is.null(l1$zval)) l1$tval else l1$zval), pval = num(l1$pval),
         ci_low = num(l1$ci.lb), ci_high = num(l1$ci.ub), q = num(l1$Q), q_pval = num(l1$Qp),
         tau2 = num(if (is.null(l1$tau2)) rep(0, length(l1$estimate)) else l1$tau2),
         i2 = num(l1$I2) / 100, h2 = num(l1$H2))
  })
  val
}

fits <- list()
for (name in names(datasets)) {
  for (method in methods) {
    for (test in tests) {
      value <- attempt(one_fit(datasets[[name]], method, test))
      value$dataset <- name
      value$method <- method
      value$test <- test
      fits[[length(fits) + 1]] <- value
    }
  }
}

# ---------------------------------------------------------------- meta-regression on dat.bcg
mods_fits <- list()
for (formula in c("~ ablat", "~ ablat + year")) {
  for (method in methods) {
    for (test in tests) {
      value <- attempt({
        res <- rma(yi, vi, mods = as.formula(formula), data = bcg, method = method, test = test)
        val <- model_values(res)
        val$term <- rownames(res$beta)
        val$r2 <- if (is.null(res$R2)) NA_real_ else res$R2 / 100
        val$qm <- res$QM
        val$qm_df <- num(res$QMdf)
        val$qm_pval <- res$QMp
        pr <- predict(res)
        val$predict <- list(pred = num(pr$pred), se = num(pr$se), ci_low = num(pr$ci.lb),
                            ci_high = num(pr$ci.ub), pi_low = num(pr$pi.lb),
                            pi_high = num(pr$pi.ub))
        val
      })
      value$formula <- formula
      value$method <- method
      value$test <- test
      mods_fits[[length(mods_fits) + 1]] <- value
    }
  }
}

# ---------------------------------------------------------------- subgroups of dat.bcg by alloc
# metafor has no subgroup argument: the usual route (metafor's documentation, "tips/comp_two_
# independent_estimates") fits each subgroup, then tests the subgroup estimates for equality
# with a fixed-effects model (Q between = QE of that model, df = groups - 1).
subgroup_fits <- list()
for (method in methods) {
  for (test in tests) {
    value <- attempt({
      groups <- sort(unique(bcg$alloc))
      per <- lapply(groups, function(g) {
        res <- rma(yi, vi, data = bcg, subset = alloc == g, method = method, test = test)
        c(model_values(res), list(group = g))
      })
      est <- sapply(per, function(v) v$estimate)
      se <- sapply(per, function(v) v$se)
      between <- rma(est, sei = se, method = "EE")
      list(groups = per, q_between = between$QE, df_between = length(groups) - 1,
           p_between = between$QEp)
    })
    value$method <- method
    value$test <- test
    subgroup_fits[[length(subgroup_fits) + 1]] <- value
  }
}

# ---------------------------------------------------------------- a REML fit that does not converge
# Random data (k = 20) on which metafor's Fisher scoring oscillates for 100 iterations and stops
# with an error; with control = list(stepadj = 0.5) it converges.
nonconv_yi <- c(
  0.42030303985486756, 0.23843508914655995, -0.41083819920307046, 0.6854644711874337,
  -0.020833251870056912, 0.4594034915190675, -0.06291556780631558, 0.35750268382696293,
  0.5638584516512418, 0.28828541648308953, 0.10682079423971902, 0.5759780041173006,
  0.3651086868559995, 0.14143581448761086, 0.30850845594071025, 0.2724632121188505,
  0.15003168604289568, 0.52409192038684, 1.114624863884814, 0.11187035705691817)
nonconv_vi <- c(
  0.19068410383505602, 0.06576224214538161, 0.11935403245636966, 0.14377625300374486,
  0.16091984986680566, 0.10378817971101709, 0.1603201987302124, 0.0977334196188387,
  0.15120969920636462, 0.13054913734604207, 0.098272586975881, 0.1753715589176931,
  0.0693935852873593, 0.07827004378256952, 0.10172224831567307, 0.02163275684270216,
  0.12241411204515393, 0.014598841619998913, 0.17460371456415893, 0.07621372485211504)
nonconvergent <- list(
  yi = nonconv_yi, vi = nonconv_vi,
  default = attempt(rma(nonconv_yi, nonconv_vi)),
  stepadj_half = attempt(model_values(rma(nonconv_yi, nonconv_vi, control = list(stepadj = 0.5))))
)

data_out <- lapply(names(datasets), function(name) {
  d <- datasets[[name]]
  extra <- list()
  if (name == "bcg") extra <- list(ablat = d$ablat, year = d$year, alloc = d$alloc)
  c(list(yi = as.numeric(d$yi), vi = as.numeric(d$vi), slab = as.character(attr(d$yi, "slab")),
         measure = unname(measures[name])), extra)
})
names(data_out) <- names(datasets)

result <- list(
  metafor_version = as.character(packageVersion("metafor")),
  r_version = R.version.string,
  generated_by = "validation/rma_reference.R",
  datasets = data_out,
  fits = fits,
  mods = mods_fits,
  subgroup = subgroup_fits,
  nonconvergent = nonconvergent
)
writeLines(toJSON(result, auto_unbox = TRUE, digits = NA, na = "null", null = "null"), out_path)
cat("wrote", out_path, ":", length(fits), "fits,", length(mods_fits), "meta-regressions,",
    length(subgroup_fits), "subgroup analyses\n")
