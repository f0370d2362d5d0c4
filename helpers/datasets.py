"""Real labelled data for the book: 10,605 rated movie-review sentences.

Pang & Lee's Rotten Tomatoes sentences, each rated for sentiment from -4 to +4 by
20 people (Hutto & Gilbert, 2014). The ratings ship inside the *source* archive of
`vaderSentiment` 3.3.2 on PyPI (MIT licence); the wheel leaves them out. On first use
the archive is fetched with pip, checked against a pinned SHA-256, and the one file
needed is cached, so later calls work offline.
"""

from __future__ import annotations

import hashlib
import io
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import pandas as pd

from helpers.models import cache_dir

VADER_PACKAGE = "vaderSentiment==3.3.2"
VADER_SDIST = "vaderSentiment-3.3.2.tar.gz"
VADER_SDIST_SHA256 = "5d7c06e027fc8b99238edb0d53d970cf97066ef97654009890b83703849632f9"
_INNER_ARCHIVE = "vaderSentiment-3.3.2/additional_resources/hutto_ICWSM_2014.tar.gz"
_MEMBER = "hutto_ICWSM_2014/movieReviewSnippets_GroundTruth.txt"
MOVIE_SENTENCES_SHA256 = "c8293b0d942e90e223ea2c0955d969040d1a1be514a978b9af0698940bd13350"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _download_sdist(folder: Path) -> Path:
    """Fetch the pinned vaderSentiment source archive from PyPI into `folder`."""
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:"]
    command += ["--disable-pip-version-check", "--quiet", VADER_PACKAGE, "-d", str(folder)]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    archive = folder / VADER_SDIST
    if result.returncode != 0 or not archive.exists():
        reason = (result.stderr.strip().splitlines() or ["no output"])[-1]
        raise RuntimeError(
            f"Could not download the source archive of {VADER_PACKAGE} from PyPI ({reason}). "
            "The movie sentences ship inside it. With a network, run\n"
            f"  pip download --no-deps --no-binary :all: {VADER_PACKAGE} -d SOME_FOLDER\n"
            f"and pass archive='SOME_FOLDER/{VADER_SDIST}' to load_movie_sentences()."
        )
    return archive


def _extract_ratings(archive: Path) -> bytes:
    """The ratings file's bytes, read from the checked source archive."""
    data = archive.read_bytes()
    if _sha256(data) != VADER_SDIST_SHA256:
        raise ValueError(
            f"{archive} is not the pinned {VADER_SDIST} (SHA-256 {_sha256(data)[:12]}…, "
            f"expected {VADER_SDIST_SHA256[:12]}…). Download it again with pip (see the docstring)."
        )
    with tarfile.open(fileobj=io.BytesIO(data)) as outer:
        inner_bytes = outer.extractfile(_INNER_ARCHIVE).read()
    with tarfile.open(fileobj=io.BytesIO(inner_bytes)) as inner:
        return inner.extractfile(_MEMBER).read()


def movie_sentences_path(archive: str | Path | None = None) -> Path:
    """Path of the cached ratings file, fetching and checking it on first use.

    `archive` is a local copy of the vaderSentiment 3.3.2 source archive, for
    machines without access to PyPI; by default pip downloads it.
    """
    cached = cache_dir() / "data" / "vader-3.3.2-movieReviewSnippets_GroundTruth.txt"
    if cached.exists() and _sha256(cached.read_bytes()) == MOVIE_SENTENCES_SHA256:
        return cached
    if archive is None:
        with tempfile.TemporaryDirectory() as folder:
            content = _extract_ratings(_download_sdist(Path(folder)))
    else:
        archive = Path(archive)
        if not archive.is_file():
            raise ValueError(f"{archive} does not exist: give the path of {VADER_SDIST}.")
        content = _extract_ratings(archive)
    if _sha256(content) != MOVIE_SENTENCES_SHA256:
        raise ValueError(f"The ratings file inside {VADER_SDIST} does not match its pinned SHA-256.")
    cached.parent.mkdir(parents=True, exist_ok=True)
    partial = cached.with_suffix(".partial")
    partial.write_bytes(content)
    partial.replace(cached)  # atomic: a half-written file is never used
    return cached


def load_movie_sentences(archive: str | Path | None = None, *, drop_neutral: bool = True) -> pd.DataFrame:
    """Rotten Tomatoes sentences with their mean human rating and a binary label.

    Columns: `id`, `rating` (mean of 20 raters, -4 to +4), `text` and `label`
    ("positive" if the rating is above 0, "negative" if below). Of the 10,605 lines,
    two repeat an earlier sentence and are dropped. The 37 sentences rated exactly 0
    have no sign; `drop_neutral=False` keeps them with the label "neutral".
    """
    frame = pd.read_csv(
        movie_sentences_path(archive),
        sep="\t",
        header=None,
        names=["id", "rating", "text"],
        encoding="utf-8",
        quoting=3,  # the text contains quote characters: read every line as is
    )
    frame["text"] = frame["text"].str.strip()
    frame = frame.drop_duplicates("text").reset_index(drop=True)  # two sentences appear twice
    frame["label"] = "neutral"
    frame.loc[frame["rating"] > 0, "label"] = "positive"
    frame.loc[frame["rating"] < 0, "label"] = "negative"
    if drop_neutral:
        frame = frame[frame["label"] != "neutral"].reset_index(drop=True)
    return frame
