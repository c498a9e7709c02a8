"""``python -m serviceart``: the ``serviceart`` command."""

from serviceart.cli import main

if __name__ == "__main__":
    main()
