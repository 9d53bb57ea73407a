"""The former name of ``bench/search.py`` (``python -m bench.bench_search`` still works)."""

from bench.search import main

if __name__ == "__main__":
    raise SystemExit(main())
