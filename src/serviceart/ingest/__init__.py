"""Ingest: export files to validated :class:`~serviceart.ingest.model.Conversations`.

- :mod:`~serviceart.ingest.io`: ``read``, ``stream`` and ``sniff`` over files and folders;
- :mod:`~serviceart.ingest.validate`: checks of every turn and interaction, rejects;
- :mod:`~serviceart.ingest.roles`: agents and customers told apart from speaker labels;
- :mod:`~serviceart.ingest.model`: ``Conversations``, chunks of whole cases.

The format plug-ins themselves are in :mod:`serviceart.readers`.
"""
