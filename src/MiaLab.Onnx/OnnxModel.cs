using MiaLab.Core;
using MiaLab.Core.Config;
using MiaLab.Core.IO;
using MiaLab.Core.Models;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Onnx;

namespace MiaLab.Onnx;

/// <summary>
/// A model trained elsewhere (PyTorch, TensorFlow…) as an ONNX file, behind <see cref="IModel"/>:
/// the query stage, MINT and the studies use it as they use MiaLab's own models. ONNX Runtime runs
/// each batch on every core. Samples are converted to the model's layout and scaling
/// (<see cref="OnnxInputFormat"/>); probabilities become log-probabilities, which softmax maps back
/// to the same probabilities, so every attack reads them as logits. Activations at intermediate
/// tensors come from a copy of the model, made in memory, with those tensors added as outputs.
/// </summary>
public sealed class OnnxModel : IModel
{
    /// <summary>log p of a probability output is floored at log(1e-30), so a 0 stays finite.</summary>
    public const float SmallestProbability = 1e-30f;

    private readonly ModelProto _proto;
    private readonly SessionOptions _options;
    private readonly InferenceSession _session;
    private readonly Dictionary<string, InferenceSession> _captureSessions = new(StringComparer.Ordinal);
    private readonly OnnxInputFormat _format;
    private readonly string _path, _input, _output;
    private readonly int? _fixedBatch;
    private readonly bool _probabilities;
    private readonly int _classes;

    private OnnxModel(string path, ModelProto proto, SessionOptions options, InferenceSession session, OnnxInputFormat format,
        string input, string output, int? fixedBatch, bool probabilities, int[] sampleShape, int classes, string sha256)
    {
        _path = path; _proto = proto; _options = options; _session = session; _format = format;
        _input = input; _output = output; _fixedBatch = fixedBatch; _probabilities = probabilities; _classes = classes;
        InputShape = sampleShape;
        OutputShape = [classes];
        CapturePoints = OnnxFile.CapturePoints(proto);
        Sha256 = sha256;
        Description = $"ONNX model {path} (input '{input}' {format.Layout}, output '{output}'{(probabilities ? " as probabilities" : "")})";
    }

    /// <summary>MiaLab's sample shape ([C, H, W] or [F]); the model's own layout is internal.</summary>
    public IReadOnlyList<int> InputShape { get; }
    public IReadOnlyList<int> OutputShape { get; }
    public IReadOnlyList<string> CapturePoints { get; }
    public string Sha256 { get; }
    public string Description { get; }

    /// <summary>
    /// Opens config.onnx for samples of <paramref name="sampleShape"/> in <paramref name="classes"/>
    /// classes. Every mismatch is one <see cref="InputException"/> naming the file: not ONNX, no such
    /// input, an input of another shape or type, an output with another class count.
    /// <paramref name="key"/> names the config section in messages ("target").
    /// </summary>
    public static OnnxModel Load(OnnxModelConfig config, int[] sampleShape, int classes, string key = "model", string? device = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ConfigFile.ValidateOnnxModel(key, config);
        return Open(config, sampleShape, key, device, config.OutputName, config.Output == "probabilities", classes);
    }

    /// <summary>
    /// Opens config.onnx as a feature extractor, read for its intermediate tensors (a backbone): fed
    /// like any ONNX model, but its output is not a classifier's, so it is not checked against a class
    /// count. <see cref="IModel.OutputShape"/> is the first output's values per sample (as declared, or
    /// measured on one zero sample).
    /// </summary>
    public static OnnxModel LoadFeatures(OnnxInputConfig config, int[] sampleShape, string key, string? device = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ConfigFile.ValidateOnnxInput(key, config);
        return Open(config, sampleShape, key, device, outputName: null, probabilities: false, classes: null);
    }

    private static OnnxModel Open(OnnxInputConfig config, int[] sampleShape, string key, string? device, string? outputName, bool probabilities,
        int? classes)
    {
        string path = config.Onnx ?? throw new InputException($"{key}.onnx is required (the .onnx file)");
        var (proto, bytes) = OnnxFile.Read(path);
        var format = new OnnxInputFormat(config, sampleShape, key);
        var options = Options(device);
        InferenceSession session;
        try
        {
            session = new InferenceSession(bytes, options);
        }
        catch (OnnxRuntimeException e)
        {
            options.Dispose();
            throw new InputException($"{path}: ONNX Runtime cannot load the model ({InputException.OneLine(e.Message)})");
        }
        try
        {
            string input = ChooseInput(path, session, config.Input, key);
            int? fixedBatch = CheckInput(path, session.InputMetadata[input], input, format, sampleShape);
            string output = ChooseOutput(path, session, outputName, key);
            if (classes is { } c) CheckOutput(path, session.OutputMetadata[output], output, c);
            int values = classes ?? OutputValues(path, session, input, output, format, fixedBatch);
            return new OnnxModel(path, proto, options, session, format, input, output, fixedBatch, probabilities,
                (int[])sampleShape.Clone(), values, FileHash.Sha256(path));
        }
        catch
        {
            session.Dispose();
            options.Dispose();
            throw;
        }
    }

    public ModelRun Run(ReadOnlySpan<float> inputs, int count, IReadOnlyList<string>? capture = null)
    {
        int values = _format.Values;
        if (inputs.Length != (long)count * values)
            throw new ArgumentException($"expected {count} × {values} input values, got {inputs.Length}");
        if (capture is not null)
            foreach (var p in capture)
                if (!CapturePoints.Contains(p))
                    throw new InputException($"unknown capture point '{p}'; {_path} has: {string.Join(", ", CapturePoints.Take(40))}{(CapturePoints.Count > 40 ? ", …" : "")}");
        var session = capture is { Count: > 0 } ? CaptureSession(capture) : _session;
        var names = new List<string> { _output };
        if (capture is not null) names.AddRange(capture.Where(p => p != _output));

        var converted = new float[inputs.Length];
        _format.Convert(inputs, count, converted);
        var outputs = new float[(long)count * _classes];
        var parts = names.Skip(1).ToDictionary(n => n, _ => new List<(float[] Values, long[] Shape)>(), StringComparer.Ordinal);
        int chunk = _fixedBatch ?? Math.Max(count, 1);
        int[] outputAxes = [_classes]; // the output's axes after the batch, as the model gives them
        for (int start = 0; start < count; start += chunk)
        {
            int b = Math.Min(chunk, count - start);
            var batch = new float[(long)chunk * values];
            Array.Copy(converted, (long)start * values, batch, 0, (long)b * values);
            int rows = _fixedBatch ?? b; // a fixed-batch model gets padded batches; only b rows are kept
            using var input = OrtValue.CreateTensorValueFromMemory(batch, [rows, .. _format.SampleShape.Select(d => (long)d)]);
            using var results = RunSession(session, input, names);
            var logits = results[0];
            var shape = logits.GetTensorTypeAndShape().Shape;
            long perSample = shape.Skip(1).Aggregate(1L, (a, d) => a * d);
            if (shape.Length == 0 || shape[0] != rows || perSample != _classes)
                throw new InputException($"{_path}: output '{_output}' gave shape [{string.Join(", ", shape)}] for {rows} samples, expected [{rows}, {_classes}] ({_classes} classes)");
            outputAxes = shape.Skip(1).Select(d => (int)d).ToArray();
            logits.GetTensorDataAsSpan<float>()[..(b * _classes)].CopyTo(outputs.AsSpan(start * _classes, b * _classes));
            for (int j = 1; j < names.Count; j++)
            {
                var value = results[j];
                var s = value.GetTensorTypeAndShape().Shape;
                long per = s.Skip(1).Aggregate(1L, (a, d) => a * d);
                parts[names[j]].Add((value.GetTensorDataAsSpan<float>()[..(int)(b * per)].ToArray(), [b, .. s.Skip(1)]));
            }
        }
        if (_probabilities)
            for (int i = 0; i < outputs.Length; i++) outputs[i] = MathF.Log(MathF.Max(outputs[i], SmallestProbability));
        var activations = new Dictionary<string, ActivationBatch>(StringComparer.Ordinal);
        if (capture is not null)
            foreach (var p in capture)
                activations[p] = p == _output ? new ActivationBatch((float[])outputs.Clone(), [count, .. outputAxes]) : Join(parts[p]);
        return new ModelRun(outputs, activations);
    }

    public void Dispose()
    {
        _session.Dispose();
        foreach (var s in _captureSessions.Values) s.Dispose();
        _options.Dispose();
    }

    // ───────────────────────── helpers ─────────────────────────

    private IDisposableReadOnlyCollection<OrtValue> RunSession(InferenceSession session, OrtValue input, IReadOnlyList<string> names)
    {
        try
        {
            using var runOptions = new RunOptions();
            return session.Run(runOptions, [_input], [input], names);
        }
        catch (OnnxRuntimeException e)
        {
            throw new InputException($"{_path}: ONNX Runtime failed on MiaLab's samples ({InputException.OneLine(e.Message)})");
        }
    }

    private InferenceSession CaptureSession(IReadOnlyList<string> capture)
    {
        string key = string.Join("\n", capture);
        if (_captureSessions.TryGetValue(key, out var existing)) return existing;
        InferenceSession session;
        try
        {
            session = new InferenceSession(OnnxFile.WithOutputs(_proto, capture), _options);
        }
        catch (OnnxRuntimeException e)
        {
            throw new InputException($"{_path}: cannot read the tensors {string.Join(", ", capture)} ({InputException.OneLine(e.Message)}); choose float activations");
        }
        _captureSessions[key] = session;
        return session;
    }

    private static ActivationBatch Join(List<(float[] Values, long[] Shape)> parts)
    {
        var shape = parts[0].Shape.Select(d => (int)d).ToArray();
        shape[0] = parts.Sum(p => (int)p.Shape[0]);
        return new ActivationBatch(parts.Count == 1 ? parts[0].Values : parts.SelectMany(p => p.Values).ToArray(), shape);
    }

    private static SessionOptions Options(string? device)
    {
        var options = new SessionOptions
        {
            IntraOpNumThreads = Environment.ProcessorCount,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        if (device == "cuda")
        {
            if (!OrtEnv.Instance().GetAvailableProviders().Contains("CUDAExecutionProvider"))
            {
                options.Dispose();
                throw new InputException(OnnxDevice.NoCudaMessage);
            }
            options.AppendExecutionProvider_CUDA(0);
        }
        return options;
    }

    private static string ChooseInput(string path, InferenceSession session, string? name, string key)
    {
        var inputs = session.InputNames;
        if (name is null)
        {
            if (inputs.Count == 1) return inputs[0];
            throw new InputException($"{path}: has {inputs.Count} inputs ({string.Join(", ", inputs)}); name the one that takes the samples with {key}.input");
        }
        if (!inputs.Contains(name))
            throw new InputException($"{path}: has no input '{name}' ({key}.input); its inputs are: {string.Join(", ", inputs)}");
        return name;
    }

    private static string ChooseOutput(string path, InferenceSession session, string? name, string key)
    {
        var outputs = session.OutputNames;
        if (name is null) return outputs[0];
        if (!outputs.Contains(name))
            throw new InputException($"{path}: has no output '{name}' ({key}.output_name); its outputs are: {string.Join(", ", outputs)}");
        return name;
    }

    /// <summary>The input must take float32 samples of the layout's shape; returns its batch size when fixed.</summary>
    private static int? CheckInput(string path, NodeMetadata meta, string name, OnnxInputFormat format, int[] sampleShape)
    {
        if (!meta.IsTensor || meta.ElementDataType != TensorElementType.Float)
            throw new InputException($"{path}: input '{name}' takes {meta.ElementDataType} values, but MiaLab gives float32 samples");
        var dims = meta.Dimensions;
        var expected = format.SampleShape;
        string Shape(IEnumerable<int> d) => "[" + string.Join(", ", d.Select(x => x < 0 ? "?" : x.ToString(System.Globalization.CultureInfo.InvariantCulture))) + "]";
        bool fits = dims.Length == expected.Length + 1 && dims.Skip(1).Zip(expected).All(p => p.First < 0 || p.First == p.Second);
        if (!fits)
            throw new InputException($"{path}: input '{name}' takes {Shape(dims)} (batch first) but the data gives [batch, {string.Join(", ", expected)}] " +
                $"({format.Layout} of samples [{string.Join(", ", sampleShape)}]); check the layout and the dataset");
        return dims[0] > 0 ? dims[0] : null;
    }

    /// <summary>The output's values per sample: as declared when every axis after the batch is fixed, else
    /// as given for one batch of zero samples.</summary>
    private static int OutputValues(string path, InferenceSession session, string input, string output, OnnxInputFormat format, int? fixedBatch)
    {
        var dims = session.OutputMetadata[output].Dimensions;
        if (dims.Length > 0 && dims.Skip(1).All(d => d > 0)) return dims.Skip(1).Aggregate(1, (a, d) => a * d);
        int rows = fixedBatch ?? 1;
        using var zeros = OrtValue.CreateTensorValueFromMemory(new float[rows * format.Values], [rows, .. format.SampleShape.Select(d => (long)d)]);
        try
        {
            using var runOptions = new RunOptions();
            using var results = session.Run(runOptions, [input], [zeros], [output]);
            return (int)results[0].GetTensorTypeAndShape().Shape.Skip(1).Aggregate(1L, (a, d) => a * d);
        }
        catch (OnnxRuntimeException e)
        {
            throw new InputException($"{path}: ONNX Runtime failed on MiaLab's samples ({InputException.OneLine(e.Message)})");
        }
    }

    /// <summary>A declared output must give one value per class after the batch axis.</summary>
    private static void CheckOutput(string path, NodeMetadata meta, string name, int classes)
    {
        if (!meta.IsTensor || meta.ElementDataType != TensorElementType.Float)
            throw new InputException($"{path}: output '{name}' gives {meta.ElementDataType} values, expected float32 logits or probabilities");
        var dims = meta.Dimensions;
        if (dims.Length < 2 || dims.Skip(1).Any(d => d < 0)) return; // symbolic: checked on the first batch
        long perSample = dims.Skip(1).Aggregate(1L, (a, d) => a * d);
        if (perSample != classes)
            throw new InputException($"{path}: output '{name}' gives {perSample} values per sample (shape [{string.Join(", ", dims.Select(d => d < 0 ? "?" : d.ToString(System.Globalization.CultureInfo.InvariantCulture)))}]) but the data has {classes} classes");
    }
}
