"""Fakes of the outside world, for the tests, the benchmarks and the offline demo: a Telegram Bot
API server (``fakebotapi``), a Zalo Bot API server (``fakezalo``) and the harness that runs the
real application against them with an injected clock (``harness.py``). Outside the product
package: nothing in ``bot`` or ``handlers`` imports them."""
