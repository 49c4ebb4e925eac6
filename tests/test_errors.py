"""The typed errors a library caller catches: every one is public, from one module."""

from __future__ import annotations

import inspect
import pickle

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


def test_every_error_crosses_a_process_boundary_as_it_was() -> None:
    # a process pool sends a worker's exception to its parent pickled; NoTextError came back
    # rebuilt from its message, each character taken for a document id
    made = [errors.NoTextError(["a", "b"], names=["x.md", "y.md"]), errors.NoTextError(["faq"])]
    made += [getattr(errors, name)("what to change") for name in errors.__all__ if name != "NoTextError"]
    for error in made:
        back = pickle.loads(pickle.dumps(error))
        assert type(back) is type(error) and str(back) == str(error) and vars(back) == vars(error)
