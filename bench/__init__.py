"""Benchmarks of hoidap against the local fake Telegram Bot API: ``python -m bench.run``.

One module per concern: ``common`` (what they share), ``roundtrip`` (a), ``publish`` (b),
``memory`` and ``memory_child`` (c), ``search`` (d), ``press`` (e), ``scaling`` (f),
``startup`` (g); ``report`` writes BENCHMARKS.md.
"""
