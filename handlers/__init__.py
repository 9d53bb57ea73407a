"""Handlers: what the bot does with each kind of event, on every channel alike.

They see channel-neutral events (``bot/transport/port.py``) through a
:class:`~handlers.common.Turn`, never a channel's own types. The way in is the dispatcher
(``handlers/dispatch.py``): the gate, the record that each event is handled once and each
sender's order sit there, once for all channels; the table of commands is
``handlers/commands.py``.
"""
