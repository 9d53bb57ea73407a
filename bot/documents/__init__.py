"""Documents the office files: the program's document settings, the Party heading block, the
calendar of upcoming sessions. Modules that build files import their libraries inside functions."""
