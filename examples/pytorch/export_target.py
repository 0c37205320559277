#!/usr/bin/env python3
"""Audit a model you trained in PyTorch with MiaLab (run by you, not by MiaLab).

This script plays the PyTorch user: it trains a small MLP on a known half of 4,000 Fashion-MNIST
images and ships it as ONNX. It writes, into the folder you give (default: examples/pytorch/out):

  data.npz       x float32 [N, 1, 28, 28] (pixel/255) and y int64 [N]: the population MiaLab audits,
                 in this order (audit.yaml reads it with population 0 and holdout 0: all rows, as they are)
  members.npy    bool [N]: which rows the model trained on (the auditor knows it)
  target.onnx    the model, exported with torch.onnx.export (input "image", output "logits")

Then MiaLab trains its reference models with the same architecture and recipe (audit.yaml's
model: and training: sections) on a balanced plan over the same rows, queries your ONNX model and
its own references alike, and runs every attack:

  python3 examples/pytorch/export_target.py
  ./mialab audit --config examples/pytorch/audit.yaml

Your own model: save your data as data.npz (x in the layout and scaling your model takes, or say
so in audit.yaml's target: section: layout nchw|nhwc|flat, scaling pixel/255|mean/std|0-255), your
training mask as members.npy, and export with torch.onnx.export as below (a dynamic batch axis is
faster; a fixed batch of 1 works too). Needs torch and numpy (Debian: apt-get install python3-torch).
"""
import gzip
import os
import sys

import numpy as np
import torch
from torch import nn

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "out")
DATA = os.environ.get("MIALAB_DATA", "/usr/share/datasets/fashion-mnist")
N = 4000


def idx(name, offset):
    with gzip.open(os.path.join(DATA, name), "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)


x = (idx("train-images-idx3-ubyte.gz", 16).reshape(-1, 1, 28, 28)[:N] / 255.0).astype(np.float32)
y = idx("train-labels-idx1-ubyte.gz", 8)[:N].astype(np.int64)
rng = np.random.default_rng(1)
members = np.zeros(N, dtype=bool)
members[rng.permutation(N)[: N // 2]] = True

# The architecture and recipe audit.yaml declares for the references: MLP 784-256-10 (ReLU),
# SGD with momentum 0.9, learning rate 0.05 on a cosine schedule, batch 128, 20 epochs.
torch.manual_seed(1)
model = nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
epochs, batch = 20, 128
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
steps = epochs * int(np.ceil(members.sum() / batch))
schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, steps)
train_x, train_y = torch.from_numpy(x[members]), torch.from_numpy(y[members])
for epoch in range(epochs):
    order = torch.randperm(len(train_y))
    for start in range(0, len(order), batch):
        rows = order[start:start + batch]
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(model(train_x[rows]), train_y[rows])
        loss.backward()
        optimizer.step()
        schedule.step()
model.eval()
with torch.no_grad():
    accuracy = lambda mask: (model(torch.from_numpy(x[mask])).argmax(1).numpy() == y[mask]).mean()
    print(f"trained on {members.sum()} of {N} images: train accuracy {accuracy(members):.3f}, on the other half {accuracy(~members):.3f}")

os.makedirs(OUT, exist_ok=True)
np.savez(os.path.join(OUT, "data.npz"), x=x, y=y)
np.save(os.path.join(OUT, "members.npy"), members)
torch.onnx.export(model, torch.from_numpy(x[:1]), os.path.join(OUT, "target.onnx"), input_names=["image"], output_names=["logits"],
                  dynamic_axes={"image": {0: "batch"}, "logits": {0: "batch"}}, opset_version=13)
print(f"wrote {OUT}/data.npz, members.npy and target.onnx; now: ./mialab audit --config examples/pytorch/audit.yaml")
