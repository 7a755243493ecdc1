"""The tour in German (``--lang de``): the lecture's words, no English left, glyphs in the font."""

from __future__ import annotations

import re
import string
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from matplotlib import font_manager
from matplotlib.ft2font import FT2Font
from matplotlib.text import Text

from demos import fehler, texts
from tests.test_demos import TourRun, run_tour, texts_cut_off

# The slides' words (seeds/003_...txt) and the notes' (seeds/000_...txt), as the tour must say them
LECTURE_TERMS = [
    "Fehlerrückführung",
    "Beobachtung → Label",
    "Vorhersage ← Merkmale",
    "Fehlergröße",
    "Loss-Funktion",
    "Datensatz",
    "Gewichte einstellen",
    "Bewertung",
    "„Fehlerberg“",
    "Gradientenabstieg",
    "„Der schnellste Weg ins Tal“",
    "steilsten Aufstiegs",
    "Kettenregel",
    "Epochen",
]
# English words that must not be left in the German story (code such as backward() is allowed)
ENGLISH = [
    "the", "and", "of", "with", "is", "are", "from", "after", "error", "errors", "prediction",
    "predictions", "observation", "feature", "features", "weight", "weights", "step", "steps",
    "valley", "mountain", "picture", "pictures", "summary", "learning rate", "too small",
    "too large", "good", "by hand", "accuracy", "epoch", "epochs", "frames", "sum", "height",
    "slope", "largest", "difference", "class", "points", "decision boundary", "contour",
]  # fmt: skip
LEFTOVER = re.compile(r"\b(" + "|".join(ENGLISH) + r")\b", re.IGNORECASE)


@dataclass
class GermanRun:
    """The tour told in German, and the keys of every text it looked up."""

    run: TourRun
    keys: set[str]


@pytest.fixture(scope="module")
def german_run(tmp_path_factory: pytest.TempPathFactory) -> GermanRun:
    """The whole tour in German, quick mode, once for this module, its texts' keys recorded."""
    keys: set[str] = set()

    class Recording(dict[str, str]):
        def __getitem__(self, key: str) -> str:
            keys.add(key)
            return super().__getitem__(key)

    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(texts.LANGUAGES, "de", Recording(texts.LANGUAGES["de"]))
        run = run_tour(tmp_path_factory.mktemp("tour-de"), "de")
    return GermanRun(run, keys)


@pytest.fixture
def german(german_run: GermanRun) -> TourRun:
    return german_run.run


def figure_texts(run: TourRun) -> dict[str, list[str]]:
    """Every text drawn in each matplotlib figure: titles, labels, legends, tables, notes."""
    return {
        name: [t.get_text() for t in fig.findobj(Text) if t.get_text().strip()]
        for name, fig in run.figures.items()
    }


def test_every_language_has_exactly_the_keys_of_english() -> None:
    english = texts.LANGUAGES["en"]
    for code, words in texts.LANGUAGES.items():
        assert set(words) == set(english), code


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_language_fills_in_the_same_fields() -> None:
    english = texts.LANGUAGES["en"]
    for code, words in texts.LANGUAGES.items():
        for key, template in words.items():
            assert fields(template) == fields(english[key]), (code, key)


def test_an_unknown_language_is_refused_with_the_known_ones() -> None:
    with pytest.raises(ValueError, match=r"'fr' is not one of the tour's languages: de, en"):
        texts.language("fr").__enter__()


def told(run: TourRun) -> str:
    """What the tour printed, the paths of its files (names, not words) left out."""
    return re.sub(r"DIR/\S*", "DIR", run.stdout.replace(str(run.out), "DIR"))


def test_german_story_uses_the_lecture_terms(german: TourRun) -> None:
    told_ = told(german)
    missing = [term for term in LECTURE_TERMS if term not in told_]
    assert not missing


def test_german_story_has_no_english_left(german: TourRun) -> None:
    leftovers = [line for line in told(german).splitlines() if LEFTOVER.search(line)]
    assert leftovers == []


def test_german_pictures_have_no_english_left(german: TourRun) -> None:
    drawn = figure_texts(german)
    assert len(drawn) == 9  # every matplotlib figure of the tour
    leftovers = {name: [t for t in words if LEFTOVER.search(t)] for name, words in drawn.items()}
    assert {name: words for name, words in leftovers.items() if words} == {}


def test_german_pictures_say_the_lecture_terms(german: TourRun) -> None:
    drawn = "\n".join(t for words in figure_texts(german).values() for t in words)
    for term in ["Beobachtung → Label", "Vorhersage ← Merkmale", "Fehlergröße", "„Fehlerberg“"]:
        assert term in drawn
    assert "„Der schnellste Weg ins Tal“" in drawn


def test_the_default_language_stays_english(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fehler.main(tmp_path)
    assert "total error (Fehler) = 3" in capsys.readouterr().out


def test_the_font_of_the_pictures_has_every_german_glyph(german: TourRun) -> None:
    used = {c for template in texts.LANGUAGES["de"].values() for c in template if ord(c) > 127}
    assert set("„“äöüß") <= used  # the German typography is really there
    font = FT2Font(font_manager.findfont(font_manager.FontProperties()))
    missing = sorted(c for c in used if font.get_char_index(ord(c)) == 0)
    assert missing == []
    assert not [w for w in german.warnings if "missing from" in w]  # matplotlib's glyph warning


def test_every_text_is_used_by_the_tour(german_run: GermanRun) -> None:
    assert set(texts.LANGUAGES["de"]) - german_run.keys == {"ch5.no_dot"}  # only without dot


def test_no_german_text_reaches_past_the_edge_of_its_picture(german: TourRun) -> None:
    cut = {name: texts_cut_off(fig) for name, fig in german.figures.items()}
    assert {name: texts for name, texts in cut.items() if texts} == {}


def test_a_chapter_alone_speaks_german_with_lang_de(tmp_path: Path) -> None:
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "demos.fehlerberg",
            "--out",
            str(tmp_path),
            "--quick",
            "--lang",
            "de",
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parents[1],
    )
    story = [line for line in run.stdout.splitlines() if "report.numbers" not in line]
    assert "3. „Fehlerberg“" in story[1]
    words = [re.sub(rf"{re.escape(str(tmp_path))}\S*", "", line) for line in story]  # no paths
    assert [line for line in words if LEFTOVER.search(line)] == []
    assert sorted(p.name for p in tmp_path.glob("*.png")) == [
        "03-fehlerberg-3d.png",
        "03-fehlerberg-contour.png",
    ]
