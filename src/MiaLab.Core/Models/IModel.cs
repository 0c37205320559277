namespace MiaLab.Core.Models;

/// <summary>The activation of one capture point for a batch: float32 values in C order, shape
/// [B, F] for a vector point or [B, C, H, W] for a conv map.</summary>
public sealed record ActivationBatch(float[] Values, int[] Shape);

/// <summary>What one forward pass gives: the outputs [B, *OutputShape] and the activations of the
/// capture points that were asked for.</summary>
public sealed record ModelRun(float[] Outputs, IReadOnlyDictionary<string, ActivationBatch> Activations);

/// <summary>
/// One trained model as the query stage, activation capture and MINT see it, whoever trained it:
/// a MiaLab model rebuilt from its weights, an ONNX file, a pretrained backbone. The interface is
/// arrays in, arrays out, so the stages that use it need no native library of their own.
/// </summary>
public interface IModel : IDisposable
{
    /// <summary>The shape of one input sample, e.g. [1, 28, 28] or [784].</summary>
    IReadOnlyList<int> InputShape { get; }

    /// <summary>The shape of one output: [C] logits for a classifier, [C, H, W] for an image-to-image model.</summary>
    IReadOnlyList<int> OutputShape { get; }

    /// <summary>The named points whose activations <see cref="Run"/> can return, in forward order.</summary>
    IReadOnlyList<string> CapturePoints { get; }

    /// <summary>SHA-256 of what defines the model (its weights file, its ONNX file).</summary>
    string Sha256 { get; }

    /// <summary>A short human description ("mlp [512, 256], weights runs/x/models/model-0000.npz").</summary>
    string Description { get; }

    /// <summary>Runs <paramref name="count"/> samples given as float32 [count, *InputShape] in C order, in
    /// evaluation mode and without gradients; returns their outputs and the activations of <paramref name="capture"/>.</summary>
    ModelRun Run(ReadOnlySpan<float> inputs, int count, IReadOnlyList<string>? capture = null);
}
