"""Each training option, declared once.

`HYPERPARAMS` is the one place a hyper-parameter is written down, in magicgui's spirit (one typed
declaration gives the widget, its bounds and the call): its kind, default, bounds or choices, help
text and the form's group. Built from it: `TrainConfig`'s defaults and choice checks, the window's
`RunSettings` (its fields, and stored values clamped to the bounds), the `train` command's options
and help, and the training form's rows (and the Run view's pace list: the pace is a window
setting shown there, since it changes while a run goes). Adding an option is one entry here plus
its use in `core.training` (a `TrainConfig` field).

Only `core.choices` is imported, so `digitlab --help` builds the `train` options from this table
without loading numpy or torch (an Option is a NamedTuple, not a dataclass: `dataclasses` pulls in
`inspect`, a third of a bare `--help`'s time).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from digitlab.core.choices import (
    ACTIVATIONS,
    AUGMENT_NAMES,
    DATASET_LABELS,
    DATASETS,
    DEFAULT_LR,
    OPTIMIZERS,
    SCHEDULES,
    describe_augment,
    is_colour,
    parse_hidden,
)

if TYPE_CHECKING:
    from digitlab.core.protocol import TrainConfig

# The form's boxes, in order. Not "Run": the Run view (Start, Pause, …) sits right below the form.
GROUPS: tuple[str, ...] = ("Data", "Network", "Optimiser", "Steps")

# The window's limits on hidden layers, which keep its views responsive; the command line has
# none and checks the memory a net needs instead.
MAX_HIDDEN_UNITS = 4096
MAX_HIDDEN_LAYERS = 8

_SAME = object()  # Option.cli_default: the same default as the window's


class Option(NamedTuple):
    """One hyper-parameter: everything the window, the command line and the settings need."""

    name: str  # the field of RunSettings / TrainConfig; `--name-with-dashes` on the command line
    default: Any
    group: str  # one of GROUPS
    label: str  # the form's row
    help: str  # `train --help` (bounds and default are added) and the form's tool tip
    kind: str = "float"  # "int", "float", "choice" (one of `choices`) or "text" (see `parse`)
    bounds: tuple[float, float] | None = None  # inclusive; stored values are clamped to them
    choices: tuple[Any, ...] = ()
    labels: Mapping[Any, str] = {}  # how the window shows a value (read only)
    other_label: str = "{}"  # how it shows a value not in `labels` (a stored one)
    what: str = ""  # how a message names it: "the batch size must be from 1 to 8,192"
    step: float = 0.0  # a float spin box's arrow step
    log: bool = False  # a learning-rate box: typed freely, stepped along 1, 2, 5 × 10^k
    # Used only while the other options' values (by name) pass this test (see `when`); a form
    # disables it otherwise. `dropped_unused`: then it also falls back to its default, for an
    # option the run cannot take at all (augmentation of colour pictures).
    needs: Callable[[Mapping[str, Any]], bool] | None = None
    dropped_unused: bool = False
    config: str | None = ""  # the TrainConfig field it sets ("": its own name; None: none)
    annotation: str = ""  # its type in RunSettings ("": from `kind`)
    parse: Callable[[str], Any] | None = None  # text → value, ValueError if malformed
    window_parse: Callable[[str], Any] | None = None  # the window's parse, if stricter
    format: Callable[[Any], str] = str  # value → text (the inverse of parse)
    placeholder: str = ""  # a text field's hint when empty
    window: bool = True  # a field of RunSettings (remembered), and a row of the form unless…
    form: bool = True  # False: another view shows it (the pace: the Run view, also mid-run)
    live: bool = False  # also changes a going run, from its next step (`core.live`)
    cli: bool = True  # an option of `digitlab train`
    cli_default: Any = _SAME  # what `train` uses when not given, if not `default`
    cli_const: Any = None  # the value of the option named without one (`--augment`)
    cli_bounded: bool = True  # False: `train` takes any positive finite number
    shown_default: str = ""  # the default as `--help` says it ("": format(default))
    metavar: str | None = None

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    @property
    def config_field(self) -> str | None:
        return self.name if self.config == "" else self.config

    @property
    def type_name(self) -> str:
        if self.annotation:
            return self.annotation
        return {"int": "int", "float": "float"}.get(self.kind, "str")

    @property
    def default_for_cli(self) -> Any:
        return self.default if self.cli_default is _SAME else self.cli_default

    def used(self, values: Mapping[str, Any]) -> bool:
        """Does this option count with the others at `values` (by name)?"""
        return self.needs is None or self.needs(values)

    @property
    def tooltip(self) -> str:
        return self.help[:1].upper() + self.help[1:]

    def parse_for_window(self, text: str) -> Any:
        """A text field's value as the window takes it; ValueError says what is wrong."""
        parse = self.window_parse or self.parse
        assert parse is not None, f"{self.name} is not a text option"
        return parse(text)

    def label_of(self, value: Any) -> str:
        """How the window shows `value` in a list."""
        return self.labels.get(value, self.other_label.format(value))

    def check_choice(self, value: Any) -> None:
        """ValueError unless `value` is one of the choices (messages name the non-empty ones)."""
        if value not in self.choices:
            names = ", ".join(str(c) for c in self.choices if c != "")
            raise ValueError(f"{self.what or self.name} must be one of {names}")

    def describe_default(self) -> str:
        if self.shown_default:
            return self.shown_default
        value = self.default_for_cli
        if value == "":  # a choice of none: what the window calls it
            return self.labels.get(value, "none")
        return f"{value:g}" if isinstance(value, float) else self.format(value)


def _parse_classes(text: str) -> tuple[int, ...] | None:
    from digitlab.core.data import parse_classes  # numpy: imported when a value is parsed

    return parse_classes(text)


def format_classes(classes: tuple[int, ...] | None) -> str:
    """(0, 1) → '0,1'; None (all ten) → ''."""
    return ",".join(str(c) for c in classes or ())


def format_hidden(hidden: tuple[int, ...]) -> str:
    """(100, 2) → '100,2'; () → '' (the 1-layer net)."""
    return ",".join(str(h) for h in hidden)


def parse_window_hidden(text: str) -> tuple[int, ...]:
    """Hidden sizes as the window takes them: at most 8 layers of at most 4096 units."""
    return parse_hidden(text, MAX_HIDDEN_UNITS, MAX_HIDDEN_LAYERS)


REFRESH_LABELS = {
    0: "10× per second",
    1: "every step",
    10: "every 10 steps",
    100: "every 100 steps",
}

# The Run view's pace (steps a second), from full speed down to slow motion.
PACE_LABELS = {
    0.0: "full speed",
    100.0: "100 steps/s",
    30.0: "30 steps/s",
    10.0: "10 steps/s",
    3.0: "3 steps/s",
    1.0: "1 step/s",
    0.5: "0.5 steps/s (slow motion)",
}


def when(name: str, value: Any) -> Callable[[Mapping[str, Any]], bool]:
    """An option's `needs`: used only while option `name` has `value`."""
    return lambda values: values.get(name) == value


_OPTIONS = (
    # --- Data ---
    Option("dataset", "mnist", "Data", "Dataset",
           "which images to train on: cifar10 is 32×32 colour pictures (3072 inputs)",
           kind="choice",
           choices=tuple(DATASETS), labels=DATASET_LABELS, config=None),
    Option("classes", None, "Data", "Classes",
           "train on some digits only: 0,1 is the classic 0-vs-1 task, 0-4 the first five",
           kind="text", annotation="tuple[int, ...] | None", parse=_parse_classes,
           format=format_classes, placeholder="all ten, or 0,1 or 0-4", config=None,
           shown_default="all", metavar="C,C…"),
    Option("augment", "", "Data", "Augment",
           f"random shift/scale/rotation/pen per training image: light "
           f"({describe_augment('light')}) or robust ({describe_augment('robust')})",
           kind="choice", choices=("", *AUGMENT_NAMES),
           labels={"": "none", **{name: name for name in AUGMENT_NAMES}},
           what="augmentation", cli_const="light", live=True,
           needs=lambda values: not is_colour(values.get("dataset", "mnist")),
           dropped_unused=True),
    # --- Network ---
    Option("hidden", (100,), "Network", "Hidden layers",
           "hidden layer sizes: 100 is 784→100→10, 100,100 two hidden layers, 2 a 2-D "
           "bottleneck; 0 gives the 1-layer 784→10 net",
           kind="text", annotation="tuple[int, ...]", parse=parse_hidden,
           window_parse=parse_window_hidden, format=format_hidden,
           placeholder="none: the 1-layer net 784→10", config=None, metavar="H[,H…]"),
    Option("activation", "relu", "Network", "Activation", "the hidden layers' non-linearity",
           kind="choice", choices=ACTIVATIONS, config=None),
    # --- Optimiser ---
    Option("optimizer", "adam", "Optimiser", "Optimizer", "how the weights follow the gradient",
           kind="choice", choices=OPTIMIZERS, what="optimizer"),
    Option("lr", DEFAULT_LR["adam"], "Optimiser", "Learning rate", "learning rate",
           bounds=(1e-6, 10.0), log=True, what="the learning rate", cli_default=None,
           cli_bounded=False, live=True,
           shown_default=", ".join(f"{lr:g} {name}" for name, lr in DEFAULT_LR.items())),
    Option("momentum", 0.9, "Optimiser", "Momentum", "SGD momentum", bounds=(0.0, 0.999),
           step=0.05, needs=when("optimizer", "sgd"), what="momentum", live=True),
    Option("schedule", "constant", "Optimiser", "Schedule",
           "learning-rate schedule; cosine decays it to 0 by the last step",
           kind="choice", choices=SCHEDULES, what="schedule"),
    Option("weight_decay", 0.0, "Optimiser", "Weight decay", "L2 penalty (weight decay)",
           bounds=(0.0, 1.0), step=1e-4, what="weight decay", live=True),
    Option("l1", 0.0, "Optimiser", "L1", "L1 penalty on the weights: sparser weights",
           bounds=(0.0, 1.0), step=1e-5, what="the L1 penalty", live=True),
    # --- Steps ---
    Option("batch_size", 64, "Steps", "Batch size", "images per step", kind="int",
           bounds=(1, 8192), what="the batch size", live=True),
    Option("epochs", 3, "Steps", "Epochs", "passes over the training set", kind="int",
           bounds=(1, 1000), what="epochs"),
    # Seeds stop at 2**31 − 1: the window's spin box holds a 32-bit signed number.
    Option("seed", 0, "Steps", "Seed",
           "draws the first weights, the order of the images and the augmentation", kind="int",
           bounds=(0, 2**31 - 1), what="a seed"),
    Option("refresh_every", 0, "Steps", "Refresh",
           "how often curves and weights redraw. 'every step' with a small batch shows each\n"
           "batch imprinting on the weights; training then waits for the display.\n"
           "A slow pace (the Run view's, 20 steps/s or slower) shows every step anyway.",
           kind="int", bounds=(0, 10_000), labels=REFRESH_LABELS, other_label="every {} steps",
           config="snapshot_every", cli=False),
    Option("pace", 0.0, "Steps", "Pace",
           "at most this many steps a second, to watch a net learn; it can change while a run\n"
           "goes. At 20 steps/s or slower every step is shown: at batch size 2 and 3 steps/s\n"
           "one sees each update imprint the two digits of its batch on the weights.",
           bounds=(0.0, 1000.0), labels=PACE_LABELS, other_label="{:g} steps/s",
           what="the pace (steps a second; 0: full speed)", config=None, cli=False, form=False,
           live=True),
    Option("device", "cpu", "Steps", "Device", "where to train; auto picks a GPU if there is one",
           kind="choice", choices=("auto", "cpu", "cuda", "mps"), window=False),
)  # fmt: skip

HYPERPARAMS: dict[str, Option] = {option.name: option for option in _OPTIONS}
WINDOW_OPTIONS: tuple[Option, ...] = tuple(o for o in _OPTIONS if o.window)
FORM_OPTIONS: tuple[Option, ...] = tuple(o for o in WINDOW_OPTIONS if o.form)
CLI_OPTIONS: tuple[Option, ...] = tuple(o for o in _OPTIONS if o.cli)
# The TrainConfig fields a going run takes at its next step (`core.live.LiveSettings`); the pace,
# also live, is the run's state rather than its config.
LIVE_FIELDS: tuple[str, ...] = tuple(o.name for o in _OPTIONS if o.live and o.config_field)
# The bounds of each numeric setting, as the window's boxes and its stored settings hold them.
LIMITS: dict[str, tuple[float, float]] = {o.name: o.bounds for o in _OPTIONS if o.bounds}


def settings_fields(options: Iterable[Option]) -> Callable[[type], type]:
    """A class decorator: a frozen dataclass whose fields are `options` (type and default), so
    a settings class declares its methods and the table declares its fields."""
    from dataclasses import dataclass

    chosen = tuple(options)

    def build(cls: type) -> type:
        cls.__annotations__ = {o.name: o.type_name for o in chosen}
        for option in chosen:
            setattr(cls, option.name, option.default)
        return dataclass(frozen=True)(cls)

    return build


def train_config(values: Mapping[str, Any], **extra: Any) -> TrainConfig:
    """The TrainConfig of the options in `values` (by name), plus `extra` TrainConfig fields:
    the one mapping from settings to a run, for the window and the command line alike."""
    from digitlab.core.protocol import TrainConfig

    chosen = {
        option.config_field: values[option.name]
        for option in _OPTIONS
        if option.config_field and option.name in values
    }
    return TrainConfig(**{**chosen, **extra})
