"""Arguments checked when parsing (ranges, seeds, threads, long values), help texts made from the
code's own numbers, and output that survives any terminal encoding or a closed stderr."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from digitlab.cli import build_parser, main
from digitlab.core.choices import MAX_THREADS, describe_augment
from digitlab.core.hyperparams import LIMITS
from tests.conftest import REPO

BIG = "9" * 5000  # a 5 KB argument


def refused(argv: list[str], capsys) -> str:
    """The one line of a bad argument (exit 2)."""
    with pytest.raises(SystemExit) as info:
        main(argv)
    err = capsys.readouterr().err
    assert info.value.code == 2 and err.count("\n") == 1 and "Traceback" not in err, err
    return err


@pytest.mark.parametrize(
    ("option", "value", "said"),
    [
        ("--classes", "0-1000000000", "classes must be digits 0–9"),
        ("--classes", "\u0663,4", "classes are digits separated by commas"),  # Arabic-Indic 3
        ("--epochs", "\u0661", "not a whole number"),  # int() would read the Arabic-Indic 1
        ("--epochs", "1" + "0" * 30, "epochs must be from 1 to 1,000"),
        ("--epochs", "0", "epochs must be from 1 to 1,000"),
        ("--seed", str(2**70), "a seed must be from 0 to 2,147,483,647"),
        ("--seed", "-1", "a seed must be from 0 to 2,147,483,647"),
        ("--seed", BIG, "a seed must be from 0 to 2,147,483,647"),
        ("--threads", str(10**12), f"threads must be from 1 to {MAX_THREADS}"),
        ("--momentum", "5", "momentum must be from 0 to 0.999"),
        ("--momentum", "1", "momentum must be from 0 to 0.999"),
        ("--weight-decay", "1e308", "weight decay must be from 0 to 1"),
        ("--l1", "1e308", "the L1 penalty must be from 0 to 1"),
        ("--l1", "nan", "the L1 penalty must be from 0 to 1"),
        ("--batch-size", "1" + "0" * 27, "the batch size must be from 1 to 8,192"),
        ("--lr", "1e400", "the learning rate must be a finite number above 0"),
        ("--hidden", BIG + "x", "hidden sizes are whole numbers"),
        ("--activation", BIG, "invalid choice"),
    ],
)
def test_out_of_range_training_settings_are_refused_when_parsing(option, value, said, capsys):
    err = refused(["train", option, value, "--out", "never.safetensors"], capsys)
    assert f"argument {option}: {said}" in err
    assert len(err) < 250  # at most ~40 characters of the value are echoed


def test_train_and_experiment_take_the_same_seeds_as_the_window(capsys) -> None:
    low, high = (int(v) for v in LIMITS["seed"])
    parser = build_parser()
    for seed in (low, high):
        assert parser.parse_args(["train", "--seed", str(seed), "--out", "m"]).seed == seed
        assert parser.parse_args(["experiment", "run", "depth", "--seed", str(seed)]).seed == seed
    for command in (["train", "--out", "m"], ["experiment", "run", "depth"]):
        for seed in (low - 1, high + 1):
            err = refused([*command, "--seed", str(seed)], capsys)
            assert "a seed must be from 0 to 2,147,483,647" in err


def test_threads_are_bounded_for_every_command(capsys) -> None:
    for argv in (["--threads", "300", "train", "--out", "m"],
                 ["experiment", "run", "depth", "--threads", "300"]):  # fmt: skip
        assert f"threads must be from 1 to {MAX_THREADS}" in refused(argv, capsys)


def test_the_augment_help_states_the_recipes_own_numbers(capsys) -> None:
    from digitlab.core.distort import AUGMENTATIONS

    robust = AUGMENTATIONS["robust"]
    described = describe_augment("robust")
    assert f"±{robust.max_shift:g} px" in described and f"±{robust.max_degrees:g}°" in described
    low, high = robust.pen_range
    assert f"pen −{-low:g}…+{high:g} px" in described
    with pytest.raises(SystemExit):
        main(["train", "--help"])
    text = " ".join(capsys.readouterr().out.split())  # argparse wraps the lines
    assert "±7 px, ±35°" in text and "pen −1.5…+2.5 px" in text and "±6 px" not in text


def test_a_light_augmentation_built_from_nothing_is_the_named_one() -> None:
    from dataclasses import asdict

    from digitlab.core.choices import AUGMENT_DEFAULTS
    from digitlab.core.distort import AUGMENTATIONS, Augmentation

    assert asdict(Augmentation()) == AUGMENT_DEFAULTS == asdict(AUGMENTATIONS["light"])


def _digitlab(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "digitlab", *args], cwd=REPO, capture_output=True, **kwargs
    )


@pytest.mark.parametrize("encoding", ["cp1252", "ascii"])
def test_messages_survive_a_terminal_that_cannot_show_arrows(tmp_path, encoding) -> None:
    env = {**os.environ, "PYTHONIOENCODING": encoding}
    shown = _digitlab("train", "--help", env=env)
    assert shown.returncode == 0 and b"784->10 net" in shown.stdout, shown.stderr
    missing = str(tmp_path / "no-data")
    failed = _digitlab("--data-dir", missing, "train", "--hidden", "10000000", "--out",
                       str(tmp_path / "m.safetensors"), env=env)  # fmt: skip
    err = failed.stderr.decode("ascii")
    assert failed.returncode == 1 and err.count("\n") == 1, err
    assert "784->10000000->10 relu net" in err


def test_with_stderr_closed_messages_stay_out_of_stdout(tmp_path) -> None:
    result = _digitlab(
        "predict", str(tmp_path / "missing.png"), stderr=None, preexec_fn=lambda: os.close(2)
    )
    assert result.returncode == 1 and result.stdout == b""


def test_train_takes_one_thread_for_the_lab_s_nets_and_every_core_for_a_large_one() -> None:
    import os

    from digitlab.cli.train import default_threads
    from digitlab.core.network import ModelSpec

    assert default_threads(ModelSpec((400, 200))) == 1  # the shipped robust model's shape
    assert default_threads(ModelSpec((4000, 4000))) == max(1, os.cpu_count() or 1)


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["predict", ""], "an IMAGE is empty"),  # it read the current folder
        (["evaluate", "linear", "--images", ""], "--images is empty"),  # it scored MNIST
        (["train", "--out", "", "--epochs", "1"], "--out is empty"),
        (["compare", "linear", ""], "B is empty"),
        (["evaluate", "mlp", "--data-dir", ""], "--data-dir is empty"),
    ],
)
def test_an_empty_file_or_folder_name_is_refused_before_any_work(argv, said, capsys) -> None:
    """`--out "$UNSET"`: an empty name is a slip, not the current folder."""
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and said in err and "give a file or folder name" in err, err
