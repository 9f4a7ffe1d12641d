"""Command-line options made from the hyper-parameter table (`core.hyperparams`): each table entry
becomes `--name` with the argparse type of its bounds, its choices and a help text that states
them, so the `train` options cannot drift from the window's."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterable
from typing import Any

from digitlab.cli.args import number, whole
from digitlab.core.hyperparams import HYPERPARAMS, Option


def option_type(option: Option) -> Callable[[str], Any] | None:
    """The argparse type of a table option: its bounds and its name in the message (out of the
    window's bounds training diverges or never ends, and the message would blame the learning
    rate; better to name the setting now). None for a choice (argparse checks those)."""
    if option.kind == "choice":
        return None
    if option.kind == "text":
        assert option.parse is not None
        return _checked(option.parse)
    assert option.bounds is not None, option.name
    low, high = option.bounds
    if option.kind == "int":
        return whole(int(low), int(high), option.what)
    if not option.cli_bounded:
        return number(0.0, strict=True, what=option.what)
    return number(low, strict=False, maximum=high, what=option.what)


def _checked(parse: Callable[[str], Any]) -> Callable[[str], Any]:
    """`parse` with its ValueError as argparse's one-line error."""

    def check(text: str) -> Any:
        try:
            return parse(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    return check


def option_help(option: Option) -> str:
    """'images per step, 1 to 8192 (default: 64)': the table's text, bounds and default."""
    text = option.help.replace("\n", " ")
    if option.cli_const is not None:
        text += f"; {option.flag} alone: {option.cli_const}"
    if option.bounds is not None and option.cli_bounded:
        low, high = option.bounds
        text += f", {low:g} to {high:g}" if option.kind == "float" else f", {low} to {high}"
    return f"{text} (default: {option.describe_default()})"


def add_options(parser: argparse.ArgumentParser, options: Iterable[Option]) -> None:
    """One option per table entry, as `--batch-size N` etc."""
    for option in options:
        kwargs: dict[str, Any] = {
            "default": option.default_for_cli,
            "help": option_help(option),
            "type": option_type(option),
            "metavar": option.metavar,
        }
        if option.kind == "choice":
            kwargs["choices"] = [c for c in option.choices if c != ""]  # "": not named
        if option.cli_const is not None:
            kwargs.update(nargs="?", const=option.cli_const)
        parser.add_argument(option.flag, **kwargs)


seed = option_type(HYPERPARAMS["seed"])  # `train` and `experiment` take the same seeds
SEED_HELP = option_help(HYPERPARAMS["seed"])
