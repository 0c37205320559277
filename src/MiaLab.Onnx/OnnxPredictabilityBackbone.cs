using MiaLab.Core;
using MiaLab.Core.Config;
using MiaLab.Core.Pipeline;
using MiaLab.Core.Translation;
using Onnx;

namespace MiaLab.Onnx;

/// <summary>
/// The predictability score's backbone as an ONNX file (task.predictability.backbone): a model
/// pretrained elsewhere, fed with the same input settings as every ONNX section, whose four named
/// tensors are the stages. It takes the images its input declares (a fixed [C, H, W], e.g. an
/// ImageNet model's 3×224×224: the run's images are then resized to it, as for the zoo backbone), or
/// else the run's own. Its record names the file and its SHA-256, so a replaced file computes L_pred again.
/// </summary>
public static class OnnxPredictabilityBackbone
{
    public const string Key = "task.predictability.backbone";

    /// <summary>The configured ONNX backbone, its stages checked (one clear line for a name that is not a
    /// tensor of the model, or not a feature map); null when the config uses the zoo backbone.</summary>
    public static PredictabilityBackbone? Load(RunConfig config, Core.Data.Dataset samples)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(samples);
        if (config.Task?.Predictability.Backbone is not { } b) return null;
        string path = b.Onnx ?? throw new InputException($"{Key}.onnx is required (the .onnx file of a pretrained backbone)");
        var model = OnnxModel.LoadFeatures(b, SampleShape(b, path, samples.SampleShape), Key, config.Device);
        try
        {
            var stages = PredictabilityScores.CheckStages(model, b.Stages, $"{Key}.stages");
            string shape = string.Join("×", model.InputShape);
            var record = new BackboneRecord($"ONNX model, {shape} input ({b.Layout ?? "nchw"}, scaling {b.Scaling}), stages {string.Join(", ", stages)}",
                "unknown to MiaLab: pretrained elsewhere (the ONNX file's own training data; it should not include the audited samples)",
                0, 0, 0, double.NaN, model.Sha256, 0, Path.GetFullPath(path));
            return new PredictabilityBackbone(model, stages, record);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>The [C, H, W] the model's input declares, when every axis after the batch is fixed; else the run's sample shape.</summary>
    private static int[] SampleShape(PredictabilityBackboneConfig b, string path, int[] dataShape)
    {
        string layout = b.Layout ?? "nchw";
        if (layout == "flat") return dataShape;
        var (proto, _) = OnnxFile.Read(path);
        var initialisers = proto.Graph.Initializer.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        var inputs = proto.Graph.Input.Where(i => !initialisers.Contains(i.Name)).ToList();
        var input = b.Input is null ? (inputs.Count == 1 ? inputs[0] : null) : inputs.FirstOrDefault(i => i.Name == b.Input);
        var dims = input?.Type?.TensorType?.Shape?.Dim;
        if (dims is not { Count: 4 } || dims.Skip(1).Any(d => d.ValueCase != TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue || d.DimValue <= 0))
            return dataShape; // OnnxModel's own checks then say what does not fit
        int[] d = [.. dims.Select(x => (int)x.DimValue)];
        return layout == "nhwc" ? [d[3], d[1], d[2]] : [d[1], d[2], d[3]];
    }
}
