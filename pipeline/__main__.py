"""``python -m pipeline`` runs the ``l10n`` command line."""

from pipeline.cli import main

if __name__ == "__main__":
    main()
