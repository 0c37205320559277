using System.Runtime.InteropServices;
using Google.Protobuf;
using MiaLab.Core;
using MiaLab.Core.IO;
using MiaLab.Core.Models;
using Onnx;

namespace MiaLab.Onnx;

/// <summary>
/// Writes a <see cref="ModelGraph"/> (one of MiaLab's trained models as plain operations) as an
/// ONNX model: input "input" [batch, *sample shape], output "logits" [batch, classes] for a
/// classifier or "output" [batch, C, H, W] for an image-to-image model (<see cref="ModelGraph.OutputName"/>),
/// every capture point a named tensor (listed in the metadata, so <see cref="OnnxModel"/> offers the
/// same points). Opset 13 and IR version 7, which ONNX Runtime and the onnx Python package of 2022 on
/// both read. An architecture with a new kind of operation is one more case in <see cref="AddOp"/>.
/// </summary>
public static class OnnxExport
{
    public const int Opset = 13;
    public const long IrVersion = 7;

    public static void Write(ModelGraph graph, string path)
    {
        ArgumentNullException.ThrowIfNull(graph);
        string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null && !Directory.Exists(dir)) throw new InputException($"{path}: the folder {dir} does not exist");
        AtomicFile.WriteAllBytes(path, ToModel(graph).ToByteArray());
    }

    public static ModelProto ToModel(ModelGraph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var g = new GraphProto { Name = graph.Architecture };
        g.Input.Add(FloatValue(ModelGraph.InputName, ["batch", .. graph.InputShape.Select(d => (object)d)]));
        g.Output.Add(FloatValue(graph.OutputName, ["batch", .. graph.OutputShape.Select(d => (object)d)]));
        var builder = new Builder(g);
        foreach (var op in graph.Ops) AddOp(builder, op);
        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "MiaLab",
            ProducerVersion = ToolVersion.Text,
            Graph = g,
            DocString = $"{graph.Architecture} exported by MiaLab {ToolVersion.Text}",
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        model.MetadataProps.Add(new StringStringEntryProto { Key = OnnxFile.CapturePointsKey, Value = string.Join(",", graph.CapturePoints) });
        model.MetadataProps.Add(new StringStringEntryProto { Key = "mialab.architecture", Value = graph.Architecture });
        return model;
    }

    private static void AddOp(Builder b, GraphOp op)
    {
        switch (op)
        {
            case FlattenOp f:
                b.Node("Flatten", [f.Input], f.Output, Int("axis", 1));
                break;
            case LinearOp l:
                {
                    string w = b.Constant(l.Output + ".weight", l.Weight, l.In, l.Out);
                    if (l.Bias is null) b.Node("MatMul", [l.Input, w], l.Output);
                    else b.Node("Gemm", [l.Input, w, b.Constant(l.Output + ".bias", l.Bias, l.Out)], l.Output);
                    break;
                }
            case Conv2dOp c:
                {
                    var inputs = new List<string> { c.Input, b.Constant(c.Output + ".weight", c.Weight, c.OutChannels, c.InChannels, c.Kernel, c.Kernel) };
                    if (c.Bias is not null) inputs.Add(b.Constant(c.Output + ".bias", c.Bias, c.OutChannels));
                    b.Node("Conv", inputs, c.Output, Ints("kernel_shape", c.Kernel, c.Kernel), Ints("strides", c.Stride, c.Stride),
                        Ints("pads", c.Padding, c.Padding, c.Padding, c.Padding));
                    break;
                }
            case BatchNorm2dOp n:
                {
                    int ch = n.Scale.Length;
                    b.Node("BatchNormalization",
                        [n.Input, b.Constant(n.Output + ".scale", n.Scale, ch), b.Constant(n.Output + ".bias", n.Bias, ch),
                            b.Constant(n.Output + ".mean", n.Mean, ch), b.Constant(n.Output + ".var", n.Variance, ch)],
                        n.Output, Float("epsilon", n.Epsilon));
                    break;
                }
            case ActivationOp a:
                b.Node(a.Function switch
                {
                    "relu" => "Relu",
                    "tanh" => "Tanh",
                    _ => throw new InvalidOperationException($"activation '{a.Function}' has no ONNX export"),
                }, [a.Input], a.Output);
                break;
            case MaxPool2dOp p:
                b.Node("MaxPool", [p.Input], p.Output, Ints("kernel_shape", p.Kernel, p.Kernel), Ints("strides", p.Kernel, p.Kernel));
                break;
            case AveragePool2dOp p:
                b.Node("AveragePool", [p.Input], p.Output, Ints("kernel_shape", p.Kernel, p.Kernel), Ints("strides", p.Kernel, p.Kernel));
                break;
            case UpsampleNearestOp u:
                // Output pixel i reads input pixel ⌊i / scale⌋: asymmetric coordinates, rounded down (torch's
                // nearest). Opset 13's Resize takes the scales as its third input; roi (the second) is unused.
                b.Node("Resize", [u.Input, "", b.Constant(u.Output + ".scales", [1, 1, u.Scale, u.Scale], 4)], u.Output,
                    Text("mode", "nearest"), Text("coordinate_transformation_mode", "asymmetric"), Text("nearest_mode", "floor"));
                break;
            case ConcatChannelsOp c:
                b.Node("Concat", c.Inputs, c.Output, Int("axis", 1));
                break;
            case ClipOp c:
                // Since opset 11, Clip takes its bounds as (scalar) inputs, not attributes.
                b.Node("Clip", [c.Input, b.Constant(c.Output + ".min", [c.Min]), b.Constant(c.Output + ".max", [c.Max])], c.Output);
                break;
            case GlobalAveragePoolOp p:
                b.Node("GlobalAveragePool", [p.Input], p.Output);
                break;
            case AddOp a:
                b.Node("Add", [a.Left, a.Right], a.Output);
                break;
            case CosineClassifierOp c:
                {
                    // s · (x / max(‖x‖, ε)) · (W / max(‖W‖, ε) per class column): the weights are
                    // constant, so their columns are normalised here, as the layer does each pass.
                    string norm = b.Node("ReduceL2", [c.Input], c.Output + ".norm", Ints("axes", 1), Int("keepdims", 1));
                    string clamped = b.Node("Max", [norm, b.Constant(c.Output + ".eps", [(float)c.Epsilon])], c.Output + ".clamped");
                    string unit = b.Node("Div", [c.Input, clamped], c.Output + ".unit");
                    string cos = b.Node("MatMul", [unit, b.Constant(c.Output + ".weight", NormaliseColumns(c.Weight, c.In, c.Classes, c.Epsilon), c.In, c.Classes)],
                        c.Output + ".cos");
                    b.Node("Mul", [cos, b.Constant(c.Output + ".scale", [(float)c.Scale])], c.Output);
                    break;
                }
            default:
                throw new InvalidOperationException($"{op.GetType().Name} has no ONNX export yet");
        }
    }

    private static float[] NormaliseColumns(float[] w, int rows, int columns, double epsilon)
    {
        var result = new float[w.Length];
        for (int j = 0; j < columns; j++)
        {
            float sum = 0;
            for (int i = 0; i < rows; i++) sum += w[i * columns + j] * w[i * columns + j];
            float norm = Math.Max(MathF.Sqrt(sum), (float)epsilon);
            for (int i = 0; i < rows; i++) result[i * columns + j] = w[i * columns + j] / norm;
        }
        return result;
    }

    private static ValueInfoProto FloatValue(string name, IReadOnlyList<object> dims)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims)
            shape.Dim.Add(d is string p ? new TensorShapeProto.Types.Dimension { DimParam = p } : new TensorShapeProto.Types.Dimension { DimValue = (int)d });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }

    private static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    private static AttributeProto Float(string name, double value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = (float)value };

    private static AttributeProto Text(string name, string value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    private static AttributeProto Ints(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    /// <summary>Adds nodes and initialisers to one graph.</summary>
    private sealed class Builder(GraphProto graph)
    {
        public string Node(string opType, IEnumerable<string> inputs, string output, params AttributeProto[] attributes)
        {
            var node = new NodeProto { OpType = opType, Name = output };
            node.Input.AddRange(inputs);
            node.Output.Add(output);
            node.Attribute.AddRange(attributes);
            graph.Node.Add(node);
            return output;
        }

        public string Constant(string name, float[] values, params long[] dims)
        {
            long count = dims.Aggregate(1L, (a, d) => a * d);
            if (count != values.Length) throw new ArgumentException($"{name}: {values.Length} values for shape [{string.Join(", ", dims)}]");
            var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
            tensor.Dims.AddRange(dims);
            var bytes = MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
            if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("ONNX raw data is little-endian");
            tensor.RawData = ByteString.CopyFrom(bytes);
            graph.Initializer.Add(tensor);
            return name;
        }
    }
}
