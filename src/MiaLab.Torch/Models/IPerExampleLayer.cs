using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MiaLab.Torch.Models;

/// <summary>
/// A stacked layer whose per-example parameter gradients can be had from its input and the gradient
/// of its output, without one backward pass per example (DP-SGD). While
/// <see cref="KeepActivations"/> is on, forward keeps its input and its output (the tensor the
/// trainer asks autograd for ∂L/∂output). Examples are the [K, B] slots: model k's example b.
/// </summary>
public interface IPerExampleLayer
{
    bool KeepActivations { get; set; }

    /// <summary>This layer's output in the last forward (null before one, or when not kept).</summary>
    Tensor? Output { get; }

    /// <summary>Its parameters, each with first dimension K × chunk.</summary>
    IReadOnlyList<Parameter> PerExampleParameters { get; }

    /// <summary>‖g_kb‖² summed over this layer's parameters, [K, B], from ∂L/∂output.</summary>
    Tensor SquaredNorms(Tensor outputGrad);

    /// <summary>Sets each parameter's gradient to Σ_b scale[k, b]·g_kb (per model k).</summary>
    void SetScaledGradientSum(Tensor outputGrad, Tensor scale);

    /// <summary>Drops the kept input and output.</summary>
    void Release();
}
