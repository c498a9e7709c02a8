"""Analysis of scored runs: scores by group with intervals
(:mod:`~serviceart.analysis.aggregate`), weights fitted to analysts' scores
(:mod:`~serviceart.analysis.calibrate`), agreement with reviewers
(:mod:`~serviceart.analysis.agreement`) and the fairness audit across customer
segments (:mod:`~serviceart.analysis.fairness`)."""
