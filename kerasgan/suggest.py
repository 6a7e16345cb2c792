"""The "Did you mean ...?" of every error about an unknown name. A leaf module."""

import difflib


def did_you_mean(name, known):
    """`" Did you mean 'a', 'b'?"` naming up to three of `known` close to `name`
    (ignoring case), or "" when none is."""
    by_lower = {str(choice).lower(): str(choice) for choice in known}
    close = difflib.get_close_matches(str(name).lower(), list(by_lower), n=3)
    return f" Did you mean {', '.join(repr(by_lower[match]) for match in close)}?" if close else ""
