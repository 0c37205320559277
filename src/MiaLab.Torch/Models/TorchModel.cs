using MiaLab.Core;
using MiaLab.Core.Config;
using MiaLab.Core.IO;
using MiaLab.Core.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace MiaLab.Torch.Models;

/// <summary>
/// A model of the zoo behind <see cref="IModel"/>: one trained model (a K = 1 stack) rebuilt from
/// its weights file. This is how the query stage, activation capture and MINT see MiaLab's own
/// models; they see an ONNX file the same way.
/// </summary>
public sealed class TorchModel : IModel
{
    private readonly StackedModel _model;
    private readonly bool _owned;

    private TorchModel(StackedModel model, int[] inputShape, string sha256, string description, bool owned = true)
    {
        _model = model;
        _owned = owned;
        InputShape = inputShape;
        // One model gives [C] (or [C, H, W]) per sample; a stack of K gives [K, …] (each sample through every model).
        OutputShape = model.Models == 1 ? [.. model.OutputShape] : [model.Models, .. model.OutputShape];
        Sha256 = sha256;
        Description = description;
    }

    public IReadOnlyList<int> InputShape { get; }
    public IReadOnlyList<int> OutputShape { get; }
    public IReadOnlyList<string> CapturePoints => _model.CapturePoints;

    /// <summary>The model as plain operations with its weights (the ONNX exporter's input); one model only.</summary>
    public ModelGraph ToGraph() => _model.Models == 1 ? _model.ToGraph(0, [.. InputShape])
        : throw new InvalidOperationException("a stack of several models is exported one model at a time");

    public string Sha256 { get; }
    public string Description { get; }

    /// <summary>The architecture <paramref name="config"/> names, with the weights of <paramref name="weightsPath"/>.</summary>
    public static TorchModel Load(ModelConfig config, int[] sampleShape, int classes, string weightsPath, int[]? targetShape = null)
    {
        if (!File.Exists(weightsPath)) throw new InputException($"{weightsPath}: weights file not found");
        var model = ModelZoo.Create(config, sampleShape, classes, [0], targetShape);
        try
        {
            ModelWeights.Load(model, 0, weightsPath);
        }
        catch
        {
            model.Dispose();
            throw;
        }
        return new TorchModel(model, sampleShape, FileHash.Sha256(weightsPath), $"{config.Kind} model, weights {weightsPath}");
    }

    /// <summary>A stack held in memory behind the interface, without taking ownership of it.</summary>
    public static TorchModel Wrap(StackedModel model, int[] sampleShape, string description = "in-memory model") =>
        new(model, sampleShape, "", description, owned: false);

    /// <summary>A stack held in memory behind the interface, disposed with it.</summary>
    public static TorchModel Own(StackedModel model, int[] sampleShape, string description = "in-memory model") =>
        new(model, sampleShape, "", description, owned: true);

    /// <summary>The outputs [N, A, C] of each of the stack's K models, queried together.</summary>
    public static float[][] QueryEach(StackedModel model, Core.Data.Dataset data, IReadOnlyList<string> augmentations)
    {
        using var wrapped = Wrap(model, data.SampleShape);
        var all = Core.Pipeline.ModelQuery.Query(wrapped, data, augmentations); // [N, A, K, C]
        int k = model.Models, c = model.OutputShape.Aggregate(1, (a, d) => a * d), rows = data.Count * augmentations.Count;
        var each = Enumerable.Range(0, k).Select(_ => new float[(long)rows * c]).ToArray();
        for (int r = 0; r < rows; r++)
            for (int m = 0; m < k; m++)
                Array.Copy(all, ((long)r * k + m) * c, each[m], (long)r * c, c);
        return each;
    }

    public ModelRun Run(ReadOnlySpan<float> inputs, int count, IReadOnlyList<string>? capture = null)
    {
        int values = InputShape.Aggregate(1, (a, d) => a * d);
        if (inputs.Length != (long)count * values)
            throw new ArgumentException($"expected {count} × {values} input values, got {inputs.Length}");
        if (capture is not null)
            foreach (var p in capture)
                if (!_model.CapturePoints.Contains(p))
                    throw new InputException($"unknown capture point '{p}'; this model has: {string.Join(", ", _model.CapturePoints)}");
        _model.eval();
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        long[] shape = [1, count, .. InputShape.Select(d => (long)d)];
        var x = torch.tensor(inputs.ToArray(), shape).expand([_model.Models, count, .. InputShape.Select(d => (long)d)]);
        var captured = capture is null ? null : new Dictionary<string, Tensor>();
        // [K, B, …] → [B, K, …], so each sample's outputs are contiguous.
        var outputs = TorchDevice.Host(_model.Forward(x, captured).transpose(0, 1).contiguous()).data<float>().ToArray();
        var activations = new Dictionary<string, ActivationBatch>(StringComparer.Ordinal);
        if (captured is not null && _model.Models != 1)
            throw new InvalidOperationException("activations are captured from one model at a time");
        if (captured is not null)
            foreach (var p in capture!)
            {
                var t = TorchDevice.Host(captured[p].squeeze(0).contiguous());
                activations[p] = new ActivationBatch(t.data<float>().ToArray(), t.shape.Select(d => (int)d).ToArray());
            }
        return new ModelRun(outputs, activations);
    }

    public void Dispose()
    {
        if (_owned) _model.Dispose();
    }
}
