"""The bundled resources are found, installed or from a checkout."""

from annotator.paths import resource, resource_dir


def test_bundled_resources_are_found():
    assert resource("taxonomy.json").is_file()
    assert resource("labels.json").is_file()
    assert len(list((resource_dir() / "demo").glob("*.txt"))) >= 8
