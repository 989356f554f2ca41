import sys

from .commands import main

if __name__ == "__main__":   # parsing workers import this module again: run only once
    sys.exit(main())
