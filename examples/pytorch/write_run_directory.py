#!/usr/bin/env python3
"""An attack-only run from PyTorch (run by you, not by MiaLab): train your own target and
reference models, write the run directory's arrays, and let MiaLab run only the attacks.

  python3 examples/pytorch/write_run_directory.py runs/from-pytorch
  ./mialab attack --run runs/from-pytorch --all-targets

The contract (docs/architecture.md, "The run directory is the contract"):

  labels.npy               int64 [N]        the class of every sample
  keep.npy                 bool  [M, N]     keep[m, i]: model m trained on sample i (model 0 is the target by default)
  logits/model-XXXX.npy    float32 [N, A, C] each model's logits for every sample, A query augmentations
                                            (A = 1: identity only; a second, horizontally flipped query helps LiRA)

Here: 8 small MLPs on 2,000 Fashion-MNIST images, each on a random half. Needs torch and numpy.
"""
import gzip
import os
import sys

import numpy as np
import torch
from torch import nn

RUN = sys.argv[1] if len(sys.argv) > 1 else "runs/from-pytorch"
DATA = os.environ.get("MIALAB_DATA", "/usr/share/datasets/fashion-mnist")
N, M, EPOCHS = 2000, 8, 15


def idx(name, offset):
    with gzip.open(os.path.join(DATA, name), "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)


x = torch.from_numpy((idx("train-images-idx3-ubyte.gz", 16).reshape(-1, 1, 28, 28)[:N] / 255.0).astype(np.float32))
y = idx("train-labels-idx1-ubyte.gz", 8)[:N].astype(np.int64)
rng = np.random.default_rng(0)
keep = np.zeros((M, N), dtype=bool)
for m in range(M):
    keep[m, rng.permutation(N)[: N // 2]] = True

os.makedirs(os.path.join(RUN, "logits"), exist_ok=True)
for m in range(M):
    torch.manual_seed(m)
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    rows_in = torch.from_numpy(np.flatnonzero(keep[m]))
    for epoch in range(EPOCHS):
        for batch in rows_in[torch.randperm(len(rows_in))].split(64):
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(x[batch]), torch.from_numpy(y)[batch]).backward()
            optimizer.step()
    model.eval()
    with torch.no_grad():
        identity = model(x)
        flipped = model(torch.flip(x, dims=[3]))  # the last axis is the image width
    logits = torch.stack([identity, flipped], dim=1).numpy().astype(np.float32)  # [N, A = 2, C]
    np.save(os.path.join(RUN, "logits", f"model-{m:04d}.npy"), logits)
    print(f"model {m}: train accuracy {(identity.argmax(1).numpy() == y)[keep[m]].mean():.3f}")

np.save(os.path.join(RUN, "labels.npy"), y)
np.save(os.path.join(RUN, "keep.npy"), keep)
print(f"wrote {RUN}; now: ./mialab attack --run {RUN} --all-targets")
