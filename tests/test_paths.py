"""The bundled resources are found, installed or from a checkout."""

from annotator.paths import resource, resource_dir


def test_bundled_resources_are_found():
    assert resource("taxonomy.json").is_file()
    assert resource("labels.json").is_file()
    assert len(list((resource_dir() / "demo").glob("*.txt"))) >= 8


def test_the_database_folder_chosen_in_preferences_is_the_default_for_every_command(tmp_path, monkeypatch):
    from annotator import paths

    monkeypatch.delenv("ANNOTATOR_HOME")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert paths.default_db() == tmp_path / "data" / "annotator" / "annotator.db"
    paths.set_preference("database_folder", str(tmp_path / "team"))
    assert paths.default_db() == tmp_path / "team" / "annotator.db"
    # Saved per user, beside the other settings, and read back by a later start.
    saved = paths.config_dir() / "preferences.json"
    assert saved.is_file() and paths.preferences() == {"database_folder": str(tmp_path / "team")}
    monkeypatch.setenv("ANNOTATOR_DB", str(tmp_path / "x.db"))
    assert paths.default_db() == tmp_path / "x.db"  # the variable still wins
    monkeypatch.delenv("ANNOTATOR_DB")
    paths.set_preference("database_folder", None)
    assert paths.default_db() == tmp_path / "data" / "annotator" / "annotator.db"


def test_annotator_home_wins_over_the_preference(tmp_path, monkeypatch):
    from annotator import paths

    monkeypatch.setenv("ANNOTATOR_HOME", str(tmp_path / "home"))
    paths.set_preference("database_folder", str(tmp_path / "team"))
    assert paths.default_db() == tmp_path / "home" / "annotator.db"


def test_an_unreadable_preferences_file_is_no_preference(tmp_path):
    from annotator import paths

    paths.config_dir().mkdir(parents=True, exist_ok=True)
    (paths.config_dir() / "preferences.json").write_text("{not json")
    assert paths.preferences() == {}
    paths.set_preference("database_folder", str(tmp_path))
    assert paths.preferences() == {"database_folder": str(tmp_path)}
