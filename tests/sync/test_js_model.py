"""Run the JavaScript model's own tests (node's built-in runner) as part of pytest."""

from tests.sync.node import run_node


def test_javascript_sync_model_unit_tests_pass():
    result = run_node("--test", "tests/js/")

    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "# fail 0" in result.stdout
