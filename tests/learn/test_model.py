"""Training, prediction, calibration, thresholds, determinism and the errors training raises."""

from __future__ import annotations

import numpy as np
import pytest

from khien.errors import ModelError
from khien.learn import TrainConfig, evaluate, read_dataset, save_model, train
from khien.learn.data import Dataset
from khien.learn.calibrate import tune_offsets


def test_three_class_model_learns_the_small_data(small_csv):
    data = read_dataset(small_csv, text_column="free_text", label_column="label_id")
    model = train(data, data, TrainConfig(seed=0, min_df=1))
    assert model.labels == ("clean", "hate", "offensive")
    predicted = model.predict(["Cảm ơn chị, món này ngon", "Đồ ngu, cút đi", "Đuổi hết lũ mọi rợ đó về quê"])
    assert predicted == ["clean", "offensive", "hate"]
    proba = model.predict_proba(["Cảm ơn chị"])
    assert proba.shape == (1, 3) and abs(proba.sum() - 1) < 1e-9 and proba[0, 0] > 0.5
    report = evaluate(model, data)
    assert report["macro_f1"] == 1.0 and report["accuracy"] == 1.0
    assert report["confusion_matrix"]["rows_true_columns_predicted"] == [[16, 0, 0], [0, 12, 0], [0, 0, 12]]
    assert set(report["per_class"]["hate"]) == {"precision", "recall", "f1", "support"}
    assert report["items_per_second"] > 0 and report["model"]["data_sha256"] == data.digest()


def test_binary_model_with_spans_gives_evidence(examples_model):
    model = examples_model
    assert model.labels == ("clean", "offensive")
    assert len(model.span_keys) > 0
    assert model.predict(["Mày là đồ óc chó", "Cảm ơn shop, giao hàng nhanh"]) == ["offensive", "clean"]
    text = "mày là đồ óc chó"
    (spans,) = model.evidence_spans([text], 1)
    quoted = " ".join(text[s:e] for s, e in spans)
    assert "óc chó" in quoted and "mày là" not in quoted.replace("mày là đồ", "")
    threshold = model.thresholds()["offensive"]
    assert 0.0 < threshold < 1.0


def test_same_seed_same_bytes(tmp_path, examples):
    cfg = TrainConfig(seed=3, holdout=0.25)
    a = save_model(train(examples, None, cfg, name="x"), tmp_path / "a")
    b = save_model(train(examples, None, cfg, name="x"), tmp_path / "b")
    for name in ("model.json", "arrays.npz"):
        assert (a / name).read_bytes() == (b / name).read_bytes()


def test_cross_validation_trains_on_train_and_dev_and_is_deterministic(tmp_path, small_csv):
    data = read_dataset(small_csv, text_column="free_text", label_column="label_id")
    train_part = Dataset(data.texts[::2], data.labels[::2])
    dev_part = Dataset(data.texts[1::2], data.labels[1::2])
    cfg = TrainConfig(seed=1, min_df=1, cv_folds=3)
    model = train(train_part, dev_part, cfg, name="cv")
    assert model.meta["training"]["examples"] == len(data)
    assert model.meta["training"]["held_out"].startswith("3-fold cross-validation on train + dev")
    assert model.meta["training"]["config"]["cv_folds"] == 3
    assert model.predict(["Đồ ngu, cút đi", "Cảm ơn chị, món này ngon"]) == ["offensive", "clean"]
    a = save_model(model, tmp_path / "a")
    b = save_model(train(train_part, dev_part, cfg, name="cv"), tmp_path / "b")
    for name in ("model.json", "arrays.npz"):
        assert (a / name).read_bytes() == (b / name).read_bytes()
    assert "cv_folds" not in TrainConfig().to_dict()  # models trained without it keep their bytes
    with pytest.raises(ModelError, match="cv_folds"):
        train(data, None, TrainConfig(cv_folds=1))
    with pytest.raises(ModelError, match="at least 30 examples"):
        train(data, None, TrainConfig(cv_folds=30))


def test_single_class_is_a_clear_error():
    data = Dataset(("xin chào", "chào bạn", "tạm biệt"), ("clean", "clean", "clean"))
    with pytest.raises(ModelError, match="single class"):
        train(data)


def test_dev_label_unknown_to_training_is_an_error(small_csv):
    data = read_dataset(small_csv, text_column="free_text", label_column="label_id")
    dev = Dataset(("xin chào",), ("spam",))
    with pytest.raises(ModelError, match="'spam'"):
        train(data, dev)


def test_eval_refuses_labels_the_model_does_not_know(examples_model):
    with pytest.raises(ModelError, match="'spam'"):
        evaluate(examples_model, Dataset(("xin chào",), ("spam",)))


def test_offsets_improve_macro_f1_for_a_rare_class():
    # the rare class 1 is under-predicted at argmax; a positive offset recovers it
    proba = np.array([[0.6, 0.4]] * 10 + [[0.9, 0.1]] * 90)
    y = np.array([1] * 10 + [0] * 90)
    offsets = tune_offsets(proba, y)
    decided = np.argmax(np.log(proba) + offsets, axis=1)
    assert (decided == y).all() and offsets[1] > 0
