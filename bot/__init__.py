"""hoidap: the bot of the weekly program «Cơ sở hỏi, cán bộ tổ chức trả lời»."""

import os

# python-telegram-bot 22 announces that durations such as RetryAfter.retry_after become
# timedelta; opt in now (the code reads both forms) so no deprecation warning is emitted.
os.environ.setdefault("PTB_TIMEDELTA", "1")
