"""`python -m coach` is the `coach` command."""
from .cli import main

main()
