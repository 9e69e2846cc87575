"""A fresh install stays small: camel-tools' ML stack is never installed."""

from __future__ import annotations

import importlib.metadata
import importlib.util

import pytest

HEAVY = ["torch", "transformers", "camel-kenlm", "scikit-learn", "pandas", "scipy", "numpy"]


@pytest.mark.parametrize("distribution", HEAVY)
def test_heavy_dependency_is_not_installed(distribution: str) -> None:
    with pytest.raises(importlib.metadata.PackageNotFoundError):
        importlib.metadata.version(distribution)


def test_torch_cannot_be_imported() -> None:
    assert importlib.util.find_spec("torch") is None
    assert importlib.util.find_spec("transformers") is None


def test_camel_tools_utilities_work_without_them() -> None:
    from camel_tools.utils.dediac import dediac_ar

    assert importlib.metadata.version("camel-tools")
    assert dediac_ar("مُدَرِّسٌ") == "مدرس"
