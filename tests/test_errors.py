"""The typed errors a library caller catches: every one is public, from one module."""

from __future__ import annotations

import inspect

from alliance_qa import errors


def test_every_error_of_the_hierarchy_is_exported_and_nothing_else() -> None:
    # without `__all__`, help(alliance_qa.errors) and `from alliance_qa.errors import *` offered
    # no list of what to catch, and `__future__.annotations` came along with a star import
    defined = {
        name
        for name, value in vars(errors).items()
        if inspect.isclass(value) and issubclass(value, errors.AllianceQAError)
    }
    assert set(errors.__all__) == defined
    assert len(errors.__all__) == len(defined)
