"""The composition root of hoidap: the one place where the application is put together
(``hoidap/app.py``: the channels, the dispatcher, the outbox, the scheduler), its command line
(``hoidap/cli.py``, ``python -m hoidap``) and the offline demo (``hoidap/demo.py``).

It sits above everything it assembles: ``bot`` (the core: services, store, transport) and
``handlers`` never import it.
"""
