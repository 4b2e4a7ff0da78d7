using DistTrain.Kernels.Backends;
using DistTrain.Kernels.Models;

namespace DistTrain.Kernels.Onnx;

/// <summary>
/// Writes a trained model as an ONNX graph for serving (ONNX Runtime, …). The graph input is
/// <c>[batch, ...InputShape]</c> as DistTrain lays samples out (NHWC for images), the output
/// <c>[batch, ...OutputShape]</c>. Dense → Gemm; Conv2D → Conv (kernel <c>[kh, kw, c, f]</c>
/// rewritten as ONNX's <c>[f, c, kh, kw]</c>, TensorFlow's <c>same</c> padding as explicit
/// pads); MaxPool2D/AvgPool2D → MaxPool/AveragePool (padding cells ignored, as DistTrain does);
/// UpSampling2D → Resize (nearest, asymmetric, floor); Flatten → Flatten; Dropout → nothing.
/// ONNX's image operators take NCHW, so runs of image layers are wrapped in Transposes
/// (to NCHW on entry, back to NHWC before a Flatten or the output), which keeps Flatten's
/// element order DistTrain's.
/// </summary>
public static class OnnxExporter
{
    /// <summary>ONNX IR version written (ONNX 1.8+; opset 13 needs ≥ 7).</summary>
    public const long IrVersion = 7;

    /// <summary>The ONNX model bytes of <paramref name="spec"/> with <paramref name="weights"/> (its flat parameter vector).</summary>
    public static byte[] Export(ModelSpec spec, ReadOnlySpan<float> weights, OnnxExportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        options ??= new OnnxExportOptions();
        if (options.Opset < 13)
        {
            throw new ArgumentOutOfRangeException(nameof(options), $"ONNX export needs opset 13 or later, got {options.Opset}.");
        }

        spec.Validate();
        var layout = ParameterLayout.For(spec);
        if (weights.Length != layout.Total)
        {
            throw new ArgumentException($"The weights hold {weights.Length} floats but the model has {layout.Total} parameters.", nameof(weights));
        }

        float[] flat = weights.ToArray();
        var graph = new GraphBuilder(options.InputName, spec.InputShape);
        var entries = layout.Entries.ToDictionary(e => e.Name);
        IReadOnlyList<Layer> layers = spec.CreateLayers();
        try
        {
            foreach (Layer layer in layers)
            {
                AddLayer(graph, layer, name => flat.AsSpan(entries[$"{layer.Name}/{name}"].Offset, entries[$"{layer.Name}/{name}"].Length).ToArray());
            }
        }
        finally
        {
            foreach (Layer layer in layers)
            {
                layer.Dispose();
            }
        }

        graph.ToNhwc();
        if (options.OutputActivation && spec.PredictionActivation != ActivationKind.Linear)
        {
            if (spec.PredictionActivation == ActivationKind.Softmax && spec.OutputShape.Count != 1)
            {
                throw new NotSupportedException($"ONNX export: a softmax over a [{string.Join(", ", spec.OutputShape)}] output is not supported; export the logits (OutputActivation = false).");
            }

            graph.Activation(spec.PredictionActivation, "prediction");
        }

        graph.Node("Identity", "output", [graph.Current], [options.OutputName]);
        ProtoWriter model = OnnxProto.Model(
            IrVersion,
            options.Opset,
            "DistTrain",
            typeof(OnnxExporter).Assembly.GetName().Version?.ToString() ?? "0",
            $"DistTrain model, loss {spec.Loss}; input [batch, {string.Join(", ", spec.InputShape)}] (NHWC for images).",
            graph.Build("disttrain", options.OutputName, spec.OutputShape));
        return model.ToArray();
    }

    /// <summary>Writes <see cref="Export"/>'s bytes to <paramref name="path"/>.</summary>
    public static void Save(string path, ModelSpec spec, ReadOnlySpan<float> weights, OnnxExportOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        byte[] bytes = Export(spec, weights, options);
        string fullPath = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(fullPath)!);
        File.WriteAllBytes(fullPath, bytes);
    }

    private static void AddLayer(GraphBuilder graph, Layer layer, Func<string, float[]> parameter)
    {
        string n = layer.Name;
        switch (layer)
        {
            case DenseLayer dense:
                graph.ToNhwc();
                string kernel = graph.Initializer($"{n}/kernel", [dense.InputSize, dense.OutputSize], parameter("kernel"));
                string bias = graph.Initializer($"{n}/bias", [dense.OutputSize], parameter("bias"));
                graph.Step("Gemm", n, [kernel, bias]);
                graph.Activation(dense.Activation, n);
                break;
            case Conv2DLayer conv:
                Window2D w = conv.Window;
                graph.ToNchw();
                string weights = graph.Initializer($"{n}/kernel", [conv.Filters, w.Channels, w.WindowHeight, w.WindowWidth], ToOihw(parameter("kernel"), w, conv.Filters));
                string convBias = graph.Initializer($"{n}/bias", [conv.Filters], parameter("bias"));
                graph.Step("Conv", n, [weights, convBias], WindowAttributes(w, "kernel_shape"));
                graph.Activation(conv.Activation, n);
                break;
            case Pool2DLayer pool:
                graph.ToNchw();
                var attributes = WindowAttributes(pool.Window, "kernel_shape");
                graph.Step(pool.IsMax ? "MaxPool" : "AveragePool", n, [], pool.IsMax ? attributes : [.. attributes, OnnxProto.Attribute("count_include_pad", 0)]);
                break;
            case UpSampling2DLayer up:
                graph.ToNchw();
                string scales = graph.Initializer($"{n}/scales", [4], [1f, 1f, up.Size.Height, up.Size.Width]);
                graph.Step("Resize", n, ["", scales], OnnxProto.Attribute("mode", "nearest"), OnnxProto.Attribute("coordinate_transformation_mode", "asymmetric"), OnnxProto.Attribute("nearest_mode", "floor"));
                break;
            case FlattenLayer:
                graph.ToNhwc();
                graph.Step("Flatten", n, [], OnnxProto.Attribute("axis", 1));
                break;
            case DropoutLayer:
                break; // the identity at inference
            default:
                throw new NotSupportedException($"ONNX export does not support layer {n} ({layer.GetType().Name}).");
        }
    }

    /// <summary>kernel_shape, strides and explicit pads [top, left, bottom, right] of <paramref name="w"/> (TensorFlow's same padding puts any odd cell at the end).</summary>
    private static ProtoWriter[] WindowAttributes(Window2D w, string shapeName)
    {
        int bottom = Math.Max(0, ((w.OutputHeight - 1) * w.StrideHeight) + w.WindowHeight - w.InputHeight - w.PadTop);
        int right = Math.Max(0, ((w.OutputWidth - 1) * w.StrideWidth) + w.WindowWidth - w.InputWidth - w.PadLeft);
        return
        [
            OnnxProto.Attribute(shapeName, w.WindowHeight, w.WindowWidth),
            OnnxProto.Attribute("strides", w.StrideHeight, w.StrideWidth),
            OnnxProto.Attribute("pads", w.PadTop, w.PadLeft, bottom, right),
        ];
    }

    /// <summary>DistTrain's kernel <c>[kh, kw, c, f]</c> as ONNX's <c>[f, c, kh, kw]</c>.</summary>
    private static float[] ToOihw(float[] hwio, Window2D w, int filters)
    {
        int kh = w.WindowHeight, kw = w.WindowWidth, c = w.Channels;
        var oihw = new float[hwio.Length];
        for (int ky = 0; ky < kh; ky++)
        {
            for (int kx = 0; kx < kw; kx++)
            {
                for (int ch = 0; ch < c; ch++)
                {
                    for (int f = 0; f < filters; f++)
                    {
                        oihw[(((f * c) + ch) * kh + ky) * kw + kx] = hwio[(((ky * kw) + kx) * c + ch) * filters + f];
                    }
                }
            }
        }

        return oihw;
    }
}
