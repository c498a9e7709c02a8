"""Running a scoring job: settings, the run plan, the part function, the engines'
shared pieces (workers, run folders, ``run_info``).

- :mod:`~serviceart.run.settings`: :class:`ScoreSettings`, every setting of a run;
- :mod:`~serviceart.run.plan`: cases, repeat contacts, the end of the data and the
  parts, over the whole dataset;
- :mod:`~serviceart.run.chunk`: :func:`score_part`, every table of one part;
- :mod:`~serviceart.run.worker`: worker processes;
- :mod:`~serviceart.run.folder`: run folders, both layouts;
- :mod:`~serviceart.run.info`: ``run_info``.
"""
