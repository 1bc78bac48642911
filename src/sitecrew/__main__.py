"""Allow ``python -m sitecrew`` as a synonym for the ``sitecrew`` command."""

from sitecrew.cli import main

main()
