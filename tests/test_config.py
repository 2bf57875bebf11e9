"""l10n.toml: defaults, relative paths, and errors for anything unknown or mistyped."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.config import load_config
from pipeline.errors import ConfigError
from pipeline.frontmatter import DEFAULT_KEYS
from tests.conftest import REPO


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "l10n.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_sample_project_config_loads() -> None:
    config = load_config(REPO / "l10n.toml", cwd=REPO)
    assert config.languages == ("en",)
    assert config.source_lang == "ko"
    assert config.source_dir == REPO / "source"
    assert config.frontmatter_keys == DEFAULT_KEYS


def test_without_a_file_defaults_are_rooted_at_the_working_directory(tmp_path: Path) -> None:
    config = load_config(None, cwd=tmp_path)
    assert (config.root, config.locales_dir, config.languages) == (
        tmp_path,
        tmp_path / "locales",
        (),
    )


def test_paths_are_relative_to_the_config_file(tmp_path: Path) -> None:
    (tmp_path / "site").mkdir()
    path = _write(tmp_path / "site", '[paths]\nsource = "content/ko"\n')
    config = load_config(path, cwd=tmp_path)
    assert config.source_dir == tmp_path / "site" / "content" / "ko"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[langauges]\n", "unknown section [langauges]"),
        ('[paths]\nsources = "x"\n', "unknown key 'sources' in [paths]"),
        ('[languages]\ntargets = "en"\n', "languages.targets must be a list of strings"),
        ("[frontmatter]\nkeys = [1]\n", "frontmatter.keys must be a list of strings"),
        ("[project]\nname = 3\n", "project.name must be a string"),
        ("[paths\n", "not valid TOML"),
        ("[check]\nplaceholders = ['%(']\n", "is not a regular expression"),
        ('[check]\nurls = "x"\n', "check.urls must be a table"),
        ('[check.urls]\nen = "/en/"\n', "check.urls.en must map source link prefixes"),
        ('[anchors]\nstyle = "gitlab"\n', "anchors.style must be one of github, blackfriday"),
    ],
)
def test_bad_configuration_is_an_error_naming_the_file(
    tmp_path: Path, text: str, message: str
) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError, match=message.replace("[", r"\[")) as caught:
        load_config(path, cwd=tmp_path)
    assert caught.value.path == str(path)


def test_toml_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = _write(tmp_path, '[project]\nname = "x"\nbroken =\n')
    with pytest.raises(ConfigError) as caught:
        load_config(path, cwd=tmp_path)
    assert caught.value.line == 3


def test_catalog_and_build_settings_load(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "[catalog]\nwidth = 79\npurge_obsolete_after = 3\ntranslation_memory = false\n"
        'compendia = ["memory/en.po"]\n'
        "[build]\nmin_translated = 50\n[build.min_translated_by_language]\nja = 80.5\n",
    )
    config = load_config(path, cwd=tmp_path)
    assert (config.width, config.purge_obsolete_after, config.translation_memory) == (79, 3, False)
    assert config.compendia == (tmp_path / "memory" / "en.po",)
    assert (config.threshold("en"), config.threshold("ja")) == (50, 80.5)


def test_catalog_and_build_defaults_keep_everything_and_publish_everything(
    tmp_path: Path,
) -> None:
    config = load_config(None, cwd=tmp_path)
    assert (config.width, config.purge_obsolete_after, config.translation_memory) == (None, 0, True)
    assert config.compendia == () and config.threshold("en") == 0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[catalog]\nwidth = 5\n", "catalog.width must be 0 (unwrapped) or a whole number, 20"),
        ("[catalog]\nwidth = true\n", "catalog.width must be"),
        ('[catalog]\nwidth = "79"\n', "catalog.width must be"),
        ("[catalog]\npurge_obsolete_after = -1\n", "catalog.purge_obsolete_after must be a whole"),
        ("[catalog]\ntranslation_memory = 1\n", "catalog.translation_memory must be true or false"),
        ('[catalog]\ncompendia = "a.po"\n', "catalog.compendia must be a list of strings"),
        ("[build]\nmin_translated = 120\n", "build.min_translated must be a number from 0 to 100"),
        ("[build]\nmin_translated = false\n", "build.min_translated must be a number"),
        (
            '[build.min_translated_by_language]\nja = "x"\n',
            "build.min_translated_by_language must be a table of language codes",
        ),
        ("[catalog]\nwrap = 79\n", "unknown key 'wrap' in [catalog]"),
    ],
)
def test_bad_catalog_and_build_settings_are_errors(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(
        ConfigError, match=message.replace("[", r"\[").replace("(", r"\(").replace(")", r"\)")
    ):
        load_config(_write(tmp_path, text), cwd=tmp_path)


def test_check_and_anchor_settings(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        '[check]\nplaceholders = [\'%\\(\\w+\\)s\']\ntext_params = ["label", "title"]\n'
        '[check.urls.en]\n"/ko/" = "/en/"\n'
        '[anchors]\nstyle = "blackfriday"\nsite_prefix = "/ko/"\n',
    )
    config = load_config(path, cwd=tmp_path)
    assert config.placeholder_patterns == (r"%\(\w+\)s",)
    assert config.text_params == ("text", "title", "alt", "prepend", "caption", "label")
    assert config.url_maps == {"en": {"/ko/": "/en/"}}
    assert (config.slug_style, config.site_prefix) == ("blackfriday", "/ko/")


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ('[languages]\ntargets = ["en"]\n\n[build.min_translated_by_language]\nen = 200\n', 4),
        ("[build]\nmin_translated = 10\nmin_translated_by_language = { en = 200 }\n", 3),
        ("[build]\nmin_translated_by_language.en = 200\n", 2),
        ("[check.foo]\nx = 1\n", 1),
        ("[check.urls]\nen = 5\n", 2),
        ("[check]\ntext_params = []\nurls = { en = 5 }\n", 3),
        ('[check.urls.en]\n"/ko/" = 5\n', 1),
        ("[check]\nplaceholders = [\n  'a',\n  '(',\n]\n", 2),
        ('check = 5\n[languages]\ntargets = ["en"]\n', 1),
        ("[[catalog]]\nwidth = 79\n", 1),
        ('anchors.style = "gitlab"\n', 1),
        ('[anchors]\nsite_prefix = "/ko/"\nstyle = "gitlab"\n', 3),
        ("[catalog]\nwidth = 79\n\n[catalog.compendia]\nen = 1\n", 4),
    ],
)
def test_check_anchors_catalog_and_build_errors_name_their_line(
    tmp_path: Path, text: str, line: int
) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(_write(tmp_path, text), cwd=tmp_path)
    assert caught.value.line == line, caught.value.message
    assert caught.value.hint


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        (
            "[build]\nmin_translated = 10\n[build.min_translated_by_language]\nenglish = 80\n",
            "build.min_translated_by_language.english: 'english' is not a language code",
            4,
        ),
        (
            '[check.urls.engl]\n"/ko/" = "/en/"\n',
            "check.urls.engl: 'engl' is not a language code",
            1,
        ),
    ],
)
def test_language_codes_are_checked_wherever_they_appear(
    tmp_path: Path, text: str, message: str, line: int
) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(_write(tmp_path, text), cwd=tmp_path)
    assert caught.value.message == message
    assert caught.value.line == line and caught.value.hint
