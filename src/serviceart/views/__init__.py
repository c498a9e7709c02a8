"""Views of a result: the explanation of one interaction's scores
(:mod:`~serviceart.views.explain`), its scorecard in HTML
(:mod:`~serviceart.views.scorecard`), the report of a run
(:mod:`~serviceart.views.report`) and plots (:mod:`~serviceart.plot`)."""
