"""Learned text classifiers: read labelled data, train, evaluate, save and load (no pickle).

Typical use::

    from khien.learn import read_dataset, train, save_model, load_model
    model = train(read_dataset("train.csv", text_column="free_text", label_column="label_id"))
    save_model(model, "models/mine")
    load_model("models/mine").predict(["bài viết"])
"""

from .data import Dataset, read_dataset
from .format import default_model_path, load_model, save_model
from .model import TextModel, TrainConfig, train
from .evaluate import evaluate

__all__ = [
    "Dataset",
    "TextModel",
    "TrainConfig",
    "default_model_path",
    "evaluate",
    "load_model",
    "read_dataset",
    "save_model",
    "train",
]
