"""The load test in its short form: gunicorn under concurrent page views and searches while the
index is rebuilt; no 5xx, no wrong result count, no leaking files."""

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).parent.parent / "benchmarks" / "load_test.py"


def test_site_keeps_serving_correct_results_while_the_index_is_rebuilt_under_load(capsys):
    spec = importlib.util.spec_from_file_location("load_test", SCRIPT)
    load_test = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(load_test)
    status = load_test.main(["--seconds", "10", "--clients", "10", "--rebuilds", "2"])
    output = capsys.readouterr().out
    assert status == 0, output
    assert "5xx 0, connection failures 0, wrong search totals 0" in output
