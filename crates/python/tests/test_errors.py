"""Bad input raises Python exceptions (ValueErrors) with the command line's messages."""

import pytest

import asymwar


def cli_error(p):
    """The message the command line printed after `error: `."""
    assert p.returncode != 0
    last = p.stderr.strip()
    assert last.startswith("error: "), p.stderr
    return last[len("error: ") :]


def test_an_unknown_scenario_is_a_scenario_error_with_the_cli_message(cli):
    with pytest.raises(asymwar.ScenarioError) as e:
        asymwar.run("no_such_scenario", days=1)
    assert str(e.value) == cli_error(cli("run", "no_such_scenario", "--days", 1, check=False))
    assert "mali_blockade" in str(e.value)
    assert isinstance(e.value, ValueError)


def test_a_broken_scenario_file_names_the_file_and_every_problem(cli, tmp_path):
    text = asymwar.scenario_ron("tutorial").replace("discipline: 0.6", "discipline: 1.7")
    assert "discipline: 1.7" in text
    bad = tmp_path / "bad.ron"
    bad.write_text(text)
    with pytest.raises(asymwar.ScenarioError) as e:
        asymwar.validate(bad)
    msg = str(e.value)
    assert str(bad) in msg and "params.army.discipline" in msg and "1.7" in msg
    # `asymwar validate` prints each file's problems as they are, then a count.
    assert cli("validate", bad, check=False).stderr.startswith(msg)
    with pytest.raises(asymwar.ScenarioError, match="discipline"):
        asymwar.run(bad, days=1)


def test_a_syntax_error_names_the_line_as_the_cli_does(cli, tmp_path):
    bad = tmp_path / "syntax.ron"
    bad.write_text(asymwar.scenario_ron("tutorial").replace("seed:", "seed: :", 1))
    with pytest.raises(asymwar.ScenarioError, match=r"syntax\.ron:\d+:\d+: ") as e:
        asymwar.validate(bad)
    assert str(e.value) == cli_error(cli("run", bad, "--days", 1, check=False))


def test_bad_parameters_are_parameter_errors_naming_the_path_and_the_rule():
    with pytest.raises(asymwar.ParameterError, match=r"unknown parameter path 'army\.disciplin'"):
        asymwar.run("tutorial", days=1, params={"army.disciplin": 0.5})
    with pytest.raises(
        asymwar.ParameterError,
        match=r"params\.army\.discipline: must be a probability in \[0, 1\], got 1\.5",
    ):
        asymwar.run("tutorial", days=1, params={"army.discipline": 1.5})
    with pytest.raises(asymwar.ParameterError, match="escort_doctrine"):
        asymwar.validate("tutorial", {"army.escort_doctrine": "convoys_by_air"})
    with pytest.raises(asymwar.ParameterError, match="must be a finite number"):
        asymwar.validate("tutorial", {"army.discipline": float("nan")})
    # A ParameterError is a ScenarioError: one `except` catches both.
    assert issubclass(asymwar.ParameterError, asymwar.ScenarioError)
    with pytest.raises(TypeError, match="'army.discipline': expected a number"):
        asymwar.run("tutorial", days=1, params={"army.discipline": [0.5]})
    # Valid parameters pass.
    assert asymwar.validate("tutorial", {"army.discipline": 0.2}) is None


def test_a_length_over_the_limit_has_the_cli_message(cli):
    with pytest.raises(asymwar.ScenarioError) as e:
        asymwar.run("tutorial", days=10_000_000)
    assert str(e.value) == cli_error(cli("run", "tutorial", "--days", 10_000_000, check=False))


def test_a_bad_sweep_spec_is_a_sweep_error_with_the_cli_message(cli, tmp_path):
    with pytest.raises(asymwar.SweepError) as e:
        asymwar.sweep("no_such_sweep", tmp_path / "out")
    assert str(e.value) == cli_error(cli("sweep", "no_such_sweep", "--out", tmp_path / "o", check=False))
    with pytest.raises(asymwar.SweepError, match="shard"):
        asymwar.sweep("smoke", tmp_path / "out", shard="3/2")
