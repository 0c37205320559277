using Google.Protobuf;
using MiaLab.Core;
using Onnx;

namespace MiaLab.Onnx;

/// <summary>
/// An ONNX file as a protobuf message (OnnxSharp's generated types): read with a clear error for a
/// file that is not ONNX, its intermediate tensors listed, and copies of it with more graph outputs
/// made in memory, so the user's file is never edited.
/// </summary>
public static class OnnxFile
{
    /// <summary>metadata_props key under which MiaLab's exporter lists a model's capture points.</summary>
    public const string CapturePointsKey = "mialab.capture_points";

    public static (ModelProto Model, byte[] Bytes) Read(string path)
    {
        if (!File.Exists(path))
            throw new InputException(Directory.Exists(path) ? $"{path}: is a folder, expected an .onnx file" : $"{path}: ONNX file not found");
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (IOException e) { throw new InputException($"{path}: cannot read the ONNX file ({e.Message})"); }
        return (Parse(bytes, path), bytes);
    }

    public static ModelProto Parse(byte[] bytes, string source)
    {
        ModelProto model;
        try
        {
            model = ModelProto.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new InputException($"{source}: not an ONNX model (it does not parse as an ONNX protobuf: {InputException.OneLine(e.Message)})");
        }
        // Protobuf reads many byte strings as some message; an ONNX model has a graph of nodes and an opset.
        if (model.Graph is null || model.Graph.Node.Count == 0 || model.OpsetImport.Count == 0 || model.IrVersion <= 0)
            throw new InputException($"{source}: not an ONNX model (no graph, nodes, IR version or opset in it)");
        return model;
    }

    /// <summary>
    /// The tensors whose activations can be read: the capture points MiaLab's exporter recorded, or
    /// else the output of every node in file order (graph outputs included) except shape
    /// arithmetic and tensors declared as other than float.
    /// </summary>
    public static IReadOnlyList<string> CapturePoints(ModelProto model)
    {
        var recorded = model.MetadataProps.FirstOrDefault(p => p.Key == CapturePointsKey);
        if (recorded is not null)
            return recorded.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var declared = model.Graph.ValueInfo.Concat(model.Graph.Output)
            .Where(v => v.Type?.TensorType is not null)
            .GroupBy(v => v.Name).ToDictionary(g => g.Key, g => g.First().Type.TensorType.ElemType, StringComparer.Ordinal);
        var points = new List<string>();
        foreach (var node in model.Graph.Node)
        {
            if (ShapeOps.Contains(node.OpType)) continue;
            foreach (var output in node.Output)
                if (output.Length > 0 && (!declared.TryGetValue(output, out int type) || type == (int)TensorProto.Types.DataType.Float))
                    points.Add(output);
        }
        return points;
    }

    /// <summary>The model's bytes with <paramref name="names"/> added as float graph outputs (those
    /// not outputs already), so that ONNX Runtime returns them.</summary>
    public static byte[] WithOutputs(ModelProto model, IEnumerable<string> names)
    {
        var copy = model.Clone();
        var existing = copy.Graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var name in names)
        {
            if (!existing.Add(name)) continue;
            copy.Graph.Output.Add(new ValueInfoProto
            {
                Name = name,
                Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float } },
            });
        }
        return copy.ToByteArray();
    }

    private static readonly HashSet<string> ShapeOps = new(StringComparer.Ordinal)
    {
        "Shape", "Size", "Constant", "ConstantOfShape", "Range", "NonZero", "Unsqueeze", "Squeeze", "Concat", "Gather", "Cast", "Reshape",
    };
}
