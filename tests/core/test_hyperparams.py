"""The hyper-parameter table is the one declaration: the command line and the window offer the same
options with the same defaults, choices and bounds, and a new entry reaches both."""

from __future__ import annotations

import argparse
import math

import pytest

from digitlab.cli import build_parser
from digitlab.cli.options import add_options
from digitlab.core.choices import DEFAULT_LR
from digitlab.core.hyperparams import (
    CLI_OPTIONS,
    GROUPS,
    HYPERPARAMS,
    WINDOW_OPTIONS,
    Option,
    settings_fields,
    train_config,
)
from digitlab.core.protocol import TrainConfig
from digitlab.session.run_settings import RunSettings

SHARED = [o for o in WINDOW_OPTIONS if o.cli]


def _train_actions() -> dict[str, argparse.Action]:
    parser = build_parser()
    train = parser._subparsers._group_actions[0].choices["train"]  # type: ignore[union-attr]
    train.format_help()  # fills it from its module
    return {a.dest: a for a in train._actions}


def _cli_defaults() -> argparse.Namespace:
    return build_parser().parse_args(["train", "--out", "m.safetensors"])


def test_only_the_declared_options_differ_between_the_command_line_and_the_window() -> None:
    cli = {o.name for o in CLI_OPTIONS}
    window = {f for f in RunSettings.__dataclass_fields__}  # type: ignore[attr-defined]
    assert window == {o.name for o in WINDOW_OPTIONS}
    assert cli - window == {"device"}  # where to train: the window's trainer runs on the CPU
    assert window - cli == {"refresh_every", "pace"}  # how often it redraws; how fast it goes
    assert cli <= set(_train_actions())


@pytest.mark.parametrize("option", SHARED, ids=lambda o: o.name)
def test_the_same_default(option: Option) -> None:
    given = getattr(_cli_defaults(), option.name)
    if option.name == "lr":  # the command line follows the optimizer; so does the form
        given = DEFAULT_LR[_cli_defaults().optimizer]
    assert given == getattr(RunSettings(), option.name)


@pytest.mark.parametrize("option", [o for o in SHARED if o.kind == "choice"], ids=lambda o: o.name)
def test_the_same_choices(option: Option) -> None:
    named = [c for c in option.choices if c != ""]  # "": the option left out
    assert list(_train_actions()[option.name].choices) == named
    for choice in option.choices:
        assert getattr(RunSettings.from_dict({option.name: choice}), option.name) == choice
    assert getattr(RunSettings.from_dict({option.name: "nonsense"}), option.name) == option.default


@pytest.mark.parametrize("option", [o for o in SHARED if o.bounds], ids=lambda o: o.name)
def test_the_same_bounds(option: Option, capsys) -> None:
    low, high = option.bounds
    parse = _train_actions()[option.name].type
    assert parse(str(low)) == low and parse(str(high)) == high
    stored = RunSettings.from_dict
    assert getattr(stored({option.name: high * 10 + 1}), option.name) == high
    assert getattr(stored({option.name: low - 1}), option.name) == low
    if not option.cli_bounded:  # the learning rate: any positive rate from a script
        assert parse(str(high * 10)) == high * 10
        with pytest.raises(argparse.ArgumentTypeError):
            parse("0")
        return
    for outside in (low - 1, high * 10 + 1):
        with pytest.raises(argparse.ArgumentTypeError, match="must be from"):
            parse(str(outside))
    help_text = _train_actions()[option.name].help
    assert f"to {high:g}" in help_text or f"to {high}" in help_text


def test_the_train_help_says_each_option_and_its_default(capsys) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["train", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    for option in CLI_OPTIONS:
        assert option.flag in text and f"(default: {option.describe_default()})" in text


def test_the_command_line_and_the_window_give_the_run_the_same_config() -> None:
    args = _cli_defaults()
    cli = train_config(vars(args), lr=DEFAULT_LR[args.optimizer], device="cpu")
    window = RunSettings().config()
    assert cli == TrainConfig(**{**window.__dict__, "snapshot_seconds": cli.snapshot_seconds})


def test_train_config_defaults_are_the_tables() -> None:
    config = TrainConfig()
    for option in HYPERPARAMS.values():
        if option.config_field:
            assert getattr(config, option.config_field) == option.default, option.name


def test_every_option_has_a_known_group_and_a_help_text() -> None:
    for option in HYPERPARAMS.values():
        assert option.group in GROUPS and option.help and option.label, option.name
        if option.kind in ("int", "float"):
            low, high = option.bounds
            assert low <= option.default <= high and math.isfinite(high), option.name
        if option.kind == "choice":
            assert option.default in option.choices, option.name


def test_a_new_entry_reaches_the_settings_and_the_command_line() -> None:
    """What adding an option takes: one entry (its use in training aside)."""
    dropout = Option("dropout", 0.0, "Network", "Dropout", "share of units dropped",
                     bounds=(0.0, 0.9), what="dropout")  # fmt: skip

    @settings_fields([dropout])
    class Settings:
        pass

    assert Settings().dropout == 0.0 and Settings(dropout=0.5).dropout == 0.5
    parser = argparse.ArgumentParser()
    add_options(parser, [dropout])
    assert parser.parse_args(["--dropout", "0.25"]).dropout == 0.25
    with pytest.raises(argparse.ArgumentTypeError, match="dropout must be from 0 to 0.9"):
        parser._option_string_actions["--dropout"].type("1")


@pytest.mark.parametrize(
    ("value", "message"),
    [("strong", "augmentation must be one of light, robust"),
     ("rmsprop", "optimizer must be one of adam, sgd")],
)  # fmt: skip
def test_train_config_refuses_what_the_table_does_not_offer(value, message) -> None:
    name = "augment" if message.startswith("augmentation") else "optimizer"
    with pytest.raises(ValueError, match=message):
        TrainConfig(**{name: value})
