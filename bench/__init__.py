"""Benchmarks of hoidap against the local fake Telegram Bot API (see ``bench/run.py``)."""
