"""CIFAR-10 as a dataset of digitlab: the registry, loading through `load_dataset`, training a
tiny 3072-input net on small CIFAR-format folders written here, saving and loading it, and the
one-line refusals of what a colour model cannot do."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from digitlab.cli import main
from digitlab.core.checkpoint import load_checkpoint, save_checkpoint
from digitlab.core.choices import CLASS_NAMES, DATASET_SHAPES, DATASETS, input_size, is_colour
from digitlab.core.data import DatasetCache, is_downloaded, load_dataset, load_split
from digitlab.core.errors import CheckpointError, DataError
from digitlab.core.hyperparams import HYPERPARAMS
from digitlab.core.network import ModelSpec, Network
from digitlab.core.protocol import DataRequest, RunState, Snapshot, TrainConfig, TrainJob
from digitlab.core.training import run_job
from tests.core.test_cifar import NAMES, write_cifar


@pytest.fixture
def cifar_root(tmp_path: Path) -> Path:
    return write_cifar(tmp_path / "data", per_batch=20, test=30)


def test_the_registry_knows_every_datasets_shape_and_names() -> None:
    assert "cifar10" in DATASETS and "cifar10" in HYPERPARAMS["dataset"].choices
    assert DATASET_SHAPES["cifar10"] == (32, 32, 3) and input_size("cifar10") == 3072
    assert all(input_size(name) == 784 for name in ("mnist", "fashion", "kmnist"))
    assert CLASS_NAMES["cifar10"] == tuple(NAMES) and CLASS_NAMES["mnist"][3] == "3"
    assert all(len(CLASS_NAMES[name]) == 10 for name in DATASETS)
    assert is_colour("cifar10") and not is_colour("mnist")


def test_load_dataset_reads_cifar_with_its_shape_and_names(cifar_root: Path) -> None:
    assert is_downloaded("cifar10", cifar_root) and not is_downloaded("mnist", cifar_root)
    data = load_dataset("cifar10", root=cifar_root, download_missing=False)
    assert data.name == "cifar10" and data.image_shape == (32, 32, 3)
    assert data.train.images.shape == (100, 32, 32, 3) and len(data.test) == 30
    assert data.train.as_float().shape == (100, 3072)
    assert data.label_names == tuple(NAMES)
    assert load_split("cifar10", "test", cifar_root).images.shape == (30, 32, 32, 3)


def test_a_cifar_class_subset_is_relabelled_as_mnists(cifar_root: Path) -> None:
    whole = load_dataset("cifar10", root=cifar_root, download_missing=False)
    cats_dogs = load_dataset("cifar10", root=cifar_root, classes=(3, 5), download_missing=False)
    assert cats_dogs.classes == (3, 5) and cats_dogs.label_names == ("cat", "dog")
    assert set(cats_dogs.train.labels.tolist()) == {0, 1}
    assert np.array_equal(cats_dogs.train.images[0], whole.train.images[whole.train.labels == 3][0])
    cache = DatasetCache()
    assert cache.get("cifar10", str(cifar_root), (3, 5)).label_names == ("cat", "dog")


def test_a_class_the_cifar_files_lack_is_one_line(tmp_path: Path) -> None:
    root = write_cifar(tmp_path, per_batch=5, test=5)  # labels 0–4 only
    with pytest.raises(DataError, match="no images of class 7") as info:
        load_dataset("cifar10", root=root, classes=(3, 7), download_missing=False)
    assert "\n" not in str(info.value)


def test_missing_cifar_names_the_folder_without_downloading(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="cifar-10-batches-py") as info:
        load_dataset("cifar10", root=tmp_path, download_missing=False)
    assert "CIFAR-10 is missing" in str(info.value) and "\n" not in str(info.value)


def test_the_trainer_job_trains_a_3072_input_net(cifar_root: Path) -> None:
    spec = ModelSpec(hidden=(8,), input_size=3072)
    config = TrainConfig(epochs=2, batch_size=16, seed=1)
    items = list(run_job(TrainJob(spec, DataRequest("cifar10", str(cifar_root)), config),
                         RunState(), DatasetCache()))  # fmt: skip
    snaps = [item for item in items if isinstance(item, Snapshot)]
    assert snaps[-1].finished and snaps[-1].weights[0].shape == (8, 3072)
    assert snaps[-1].train_size == 100 and 0.0 <= snaps[-1].test_accuracy <= 1.0


def test_a_job_whose_net_does_not_fit_the_pictures_is_refused() -> None:
    with pytest.raises(ValueError, match="784 inputs cannot read cifar10's 3072"):
        TrainJob(ModelSpec(), DataRequest("cifar10"), TrainConfig())


def test_augmenting_colour_pictures_is_refused_in_one_line(cifar_root: Path) -> None:
    job = TrainJob(ModelSpec(input_size=3072), DataRequest("cifar10", str(cifar_root)),
                   TrainConfig(augment="light"))  # fmt: skip
    with pytest.raises(DataError, match="set Augment to none"):
        list(run_job(job, RunState(), DatasetCache()))


def test_train_saves_a_cifar_model_that_loads_and_evaluates(cifar_root, tmp_path, capsys):
    out = tmp_path / "cifar.safetensors"
    code = main(["train", "--dataset", "cifar10", "--hidden", "6", "--epochs", "1",
                 "--data-dir", str(cifar_root), "--out", str(out), "--quiet"])  # fmt: skip
    assert code == 0 and "3072→6→10 relu on cifar10" in capsys.readouterr().err
    model = load_checkpoint(out)
    assert model.spec.input_size == 3072 and model.dataset == "cifar10" and model.is_colour
    assert model.meta["image_shape"] == [32, 32, 3] and model.meta["class_names"] == NAMES
    assert model.label_names == tuple(NAMES) and model.image_shape == (32, 32, 3)
    assert "cifar10" in model.describe()
    assert main(["evaluate", str(out), "--data-dir", str(cifar_root)]) == 0
    printed = capsys.readouterr().out
    assert "on cifar10 (30 test images)" in printed and "airplane" in printed
    assert main(["evaluate", str(out), "--data-dir", str(cifar_root), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["samples"] == 30


def test_train_refuses_augment_for_cifar_before_loading(tmp_path: Path, capsys) -> None:
    code = main(["train", "--dataset", "cifar10", "--augment", "--data-dir", str(tmp_path),
                 "--out", str(tmp_path / "m.safetensors")])  # fmt: skip
    err = capsys.readouterr().err.strip()
    assert code != 0 and err.count("\n") == 0 and "CIFAR-10 trains without it" in err
    assert not (tmp_path / "cifar-10-batches-py").exists()


def _cifar_network(seed: int = 0) -> Network:
    rng = np.random.default_rng(seed)
    spec = ModelSpec(hidden=(4,), input_size=3072)
    return Network.from_arrays(
        spec,
        [rng.normal(0, 0.05, shape).astype(np.float32) for shape in spec.layer_shapes],
        [np.zeros(shape[0], np.float32) for shape in spec.layer_shapes],
    )


def test_a_model_whose_inputs_do_not_fit_its_dataset_is_one_line(tmp_path: Path) -> None:
    path = save_checkpoint(tmp_path / "m.safetensors", _cifar_network(), {"dataset": "mnist"})
    with pytest.raises(CheckpointError, match="takes 3072 inputs, not 28×28 = 784") as info:
        load_checkpoint(path)
    assert "\n" not in str(info.value)
    saved = save_checkpoint(tmp_path / "ok.safetensors", _cifar_network(), {"dataset": "cifar10"})
    assert load_checkpoint(saved).spec.input_size == 3072


def test_evaluate_refuses_a_digit_folder_and_png_for_a_cifar_model(tmp_path, capsys) -> None:
    path = save_checkpoint(tmp_path / "c.safetensors", _cifar_network(), {"dataset": "cifar10"})
    (tmp_path / "digits").mkdir()
    assert main(["evaluate", str(path), "--images", str(tmp_path / "digits")]) != 0
    err = capsys.readouterr().err.strip()
    assert "reads 32×32 colour pictures, not a folder of digits" in err and "\n" not in err
    assert main(["evaluate", str(path), "--png", str(tmp_path / "c.png")]) != 0
    err = capsys.readouterr().err.strip()
    assert "CIFAR-10 model" in err and "\n" not in err and not (tmp_path / "c.png").exists()


def test_predict_reads_a_picture_for_a_cifar_model(tmp_path, capsys) -> None:
    from PIL import Image

    path = save_checkpoint(tmp_path / "c.safetensors", _cifar_network(), {"dataset": "cifar10"})
    picture = tmp_path / "red.png"
    Image.new("RGB", (64, 48), (220, 30, 30)).save(picture)
    assert main(["predict", str(picture), "--model", str(path)]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["class"] in NAMES and len(answer["probs"]) == 10
    expected = load_checkpoint(path).network.probabilities(
        np.full((1, 32, 32, 3), (220, 30, 30), np.uint8)
    )[0]
    np.testing.assert_allclose(answer["probs"], expected, atol=1e-5)
    assert main(["predict", str(tmp_path / "none.png"), "--model", str(path)]) == 1
