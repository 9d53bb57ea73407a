"""What a reader of the bot's messages should never meet: programmers' words and notation.

Shared by the tests of what goes to a group (tests/e2e/test_plain_posts.py) and of the templates
(tests/test_render.py). Inside ``<code>`` anything may stand (a hex value, a command, the literal
string of the draw rule): that is copied, not read.
"""

from __future__ import annotations

import re

from bot.transport.plaintext import to_plain

# English words a leader or a staff member would have to translate (whole words; «\w» includes
# Vietnamese letters, so «id» inside a Vietnamese word never matches).
ENGLISH = re.compile(
    r"(?<![\w/.@-])("
    r"seeds?|ids?|hash(?:es)?|reply|ok|okay|links?|files?|documents?"
    r"|commitments?|pool|attempts?|admins?|users?|chat|rounds?|index|null|none|true|false"
    r"|error|url|buttons?|click|sessions?|draws?|verify|check"
    r")(?![\w-])",
    re.IGNORECASE,
)
# Notation of the draw rule, fine in the private full view (/kiemtra in private), never in a
# group: a person's database number «#12», the hash function, counting from zero, modular
# arithmetic.
NOTATION = re.compile(r"#\d|sha-?256|đếm từ 0|\bmod\b|⌊|²⁵⁶", re.IGNORECASE)
_CODE = re.compile(r"<code>.*?</code>|<pre>.*?</pre>", re.DOTALL)


def outside_code(html: str) -> str:
    """The plain text of Telegram HTML without what ``<code>`` and ``<pre>`` hold."""
    return to_plain(_CODE.sub(" ", html))


def english(html: str) -> list[str]:
    """The English words of ``html`` a reader would meet (outside ``<code>``)."""
    return [m.group(0) for m in ENGLISH.finditer(outside_code(html))]


def for_experts(html: str) -> list[str]:
    """English words and the draw rule's notation: what a group post must not hold."""
    text = outside_code(html)
    return english(html) + [m.group(0) for m in NOTATION.finditer(text)]
