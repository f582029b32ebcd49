using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;

namespace ActorMlp.Cli.Export;

/// <summary>
/// A thin layer over ONNX's <see cref="GraphProto"/>: nodes with their attributes, initializers from
/// float and int64 arrays, typed inputs and outputs. Names of intermediate values are made unique here,
/// so the exporter only says what connects to what.
/// </summary>
internal sealed class OnnxGraph
{
    /// <summary>The batch dimension of every input and output: any number of rows.</summary>
    public const string Rows = "N";

    readonly Dictionary<string, int> _counts = new();

    public GraphProto Proto { get; } = new();

    public OnnxGraph(string name) => Proto.Name = name;

    /// <summary>A fresh value name: stem, stem_1, stem_2, ...</summary>
    public string Name(string stem)
    {
        int n = _counts.TryGetValue(stem, out int c) ? c : 0;
        _counts[stem] = n + 1;
        return n == 0 ? stem : $"{stem}_{n}";
    }

    /// <summary>Adds a float32 initializer of the given shape; ONNX stores raw_data little-endian, as this process does.</summary>
    public string Floats(string stem, ReadOnlySpan<float> values, params long[] dims)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("ONNX export writes little-endian tensors");
        var tensor = new TensorProto { Name = Name(stem), DataType = (int)TensorProto.Types.DataType.Float, RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values)) };
        tensor.Dims.AddRange(dims);
        Proto.Initializer.Add(tensor);
        return tensor.Name;
    }

    public string Int64s(string stem, params long[] values)
    {
        var tensor = new TensorProto { Name = Name(stem), DataType = (int)TensorProto.Types.DataType.Int64 };
        tensor.Dims.Add(values.Length);
        tensor.Int64Data.AddRange(values);
        Proto.Initializer.Add(tensor);
        return tensor.Name;
    }

    /// <summary>Adds a node of the default ONNX domain and returns the name of its (only) output.</summary>
    public string Node(string opType, string[] inputs, string output, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = Name(opType) };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        Proto.Node.Add(node);
        return output;
    }

    public void Input(string name, TensorProto.Types.DataType type, int columns, string doc)
        => Proto.Input.Add(Value(name, type, [null, columns], doc));

    /// <summary>An output of shape [N, columns], or [N] when columns is null.</summary>
    public void Output(string name, TensorProto.Types.DataType type, int? columns, string doc)
        => Proto.Output.Add(Value(name, type, columns is { } c ? [null, c] : [null], doc));

    public static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Float(string name, float value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    public static AttributeProto Ints(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    // dims: null is the symbolic batch dimension
    static ValueInfoProto Value(string name, TensorProto.Types.DataType type, int?[] dims, string doc)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims)
            shape.Dim.Add(d is { } size ? new TensorShapeProto.Types.Dimension { DimValue = size } : new TensorShapeProto.Types.Dimension { DimParam = Rows });
        return new ValueInfoProto
        {
            Name = name,
            DocString = doc,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } },
        };
    }
}
