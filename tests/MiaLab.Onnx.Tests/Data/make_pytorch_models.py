#!/usr/bin/env python3
"""Writes the PyTorch-exported ONNX test models beside this script, with inputs and PyTorch's own
outputs for them, so MiaLab.Onnx.Tests can check that ONNX Runtime, behind MiaLab's IModel, gives
what PyTorch gives. Run by a developer (Debian: apt-get install python3-torch python3-onnx), never
by the tests; the outputs are checked in (a few KB each).

  pytorch-mlp.onnx   MLP 10-16-3 on flat vectors, dynamic batch axis, output "logits".
  pytorch-cnn.onnx   CNN on 1x8x8 images ending in softmax, batch fixed to 1 (torch.onnx.export's
                     default without dynamic_axes), output "probs".
"""
import os

import numpy as np
import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
torch.manual_seed(12)
rng = np.random.default_rng(12)

mlp = nn.Sequential(nn.Linear(10, 16), nn.ReLU(), nn.Linear(16, 3)).eval()
x = rng.standard_normal((7, 10)).astype(np.float32)
torch.onnx.export(mlp, torch.from_numpy(x[:1]), os.path.join(HERE, "pytorch-mlp.onnx"), input_names=["features"],
                  output_names=["logits"], dynamic_axes={"features": {0: "batch"}, "logits": {0: "batch"}}, opset_version=13)
with torch.no_grad():
    np.save(os.path.join(HERE, "pytorch-mlp-inputs.npy"), x)
    np.save(os.path.join(HERE, "pytorch-mlp-logits.npy"), mlp(torch.from_numpy(x)).numpy())

cnn = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                    nn.Linear(4 * 4 * 4, 5), nn.Softmax(dim=1))
with torch.no_grad():  # non-trivial batch-norm statistics
    cnn[1].running_mean.uniform_(-0.2, 0.2)
    cnn[1].running_var.uniform_(0.5, 1.5)
cnn.eval()
images = rng.random((5, 1, 8, 8)).astype(np.float32)  # pixel/255 values in [0, 1)
torch.onnx.export(cnn, torch.from_numpy(images[:1]), os.path.join(HERE, "pytorch-cnn.onnx"), input_names=["image"],
                  output_names=["probs"], opset_version=13)
with torch.no_grad():
    np.save(os.path.join(HERE, "pytorch-cnn-inputs.npy"), images)
    np.save(os.path.join(HERE, "pytorch-cnn-probs.npy"), cnn(torch.from_numpy(images)).numpy())
print("wrote", ", ".join(sorted(f for f in os.listdir(HERE) if f.startswith("pytorch-"))))
