"""The combining-mark table written into searcher/arabic/marks.py matches Unicode's data."""

from __future__ import annotations

import re
import unicodedata

import pytest

from searcher.arabic import marks


def test_the_written_table_is_this_pythons_unicode_data() -> None:
    # A Python with another Unicode version computes the ranges instead (next test); this one
    # must find the written table identical to a fresh scan, or the table is stale.
    assert unicodedata.unidata_version == marks.UNIDATA_VERSION, (
        "regenerate with: python -m searcher.arabic.marks"
    )
    assert marks.mark_ranges() == marks.compute_ranges()


def test_another_unicode_version_computes_the_ranges(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(marks, "RANGES", "0300-0300")  # a table that is plainly wrong …
    monkeypatch.setattr(marks, "UNIDATA_VERSION", "1.0.0")  # … for another Unicode version
    assert marks.mark_ranges() == marks.compute_ranges()


def test_every_mark_of_vocalised_quranic_text_is_in_the_class() -> None:
    verse = "ذَٰلِكَ ٱلۡكِتَٰبُ لَا رَيۡبَۛ فِيهِۛ هُدٗى لِّلۡمُتَّقِينَ"  # al-Baqara 2:2, Uthmani
    in_class = re.compile(f"[{marks.character_class()}]")
    found = [ch for ch in verse if unicodedata.category(ch).startswith("M")]
    assert len(found) > 15
    assert all(in_class.fullmatch(ch) for ch in found)
    assert not any(in_class.fullmatch(ch) for ch in "ذلك الكتب")  # letters and the space are not
