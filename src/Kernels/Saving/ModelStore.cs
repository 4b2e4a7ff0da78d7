using System.Runtime.InteropServices;
using System.Security.Cryptography;
using DistTrain.Kernels.Models;
using DistTrain.Kernels.Training;
using MessagePack;

namespace DistTrain.Kernels.Saving;

/// <summary>
/// Saves and loads models in one file (Keras' <c>model.save</c> / <c>load_model</c>) and
/// weights alone (<c>save_weights</c> / <c>load_weights</c>). A file is a MessagePack
/// envelope holding a magic string, the format version, the body and its SHA-256; the body
/// holds the architecture (for a model), the parameter layout, the weights and, when asked,
/// the optimiser with its state vectors. A load checks the magic, the version, the checksum,
/// the layout against the architecture (names, offsets, shapes) and every vector's size, and
/// rejects anything else with a <see cref="ModelFileException"/> that says what is wrong.
/// Writes go to a temporary file that is then renamed, so a crash never leaves half a file.
/// </summary>
public static class ModelStore
{
    private static readonly MessagePackSerializerOptions ReadOptions =
        MessagePackSerializerOptions.Standard.WithSecurity(MessagePackSecurity.UntrustedData);

    /// <summary>Writes <paramref name="model"/> (validated) to <paramref name="path"/>.</summary>
    public static void Save(string path, SavedModel model)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(model);
        model.Validate();
        var body = new ModelFileBody
        {
            Kind = ModelFileBody.ModelKind,
            ModelSpecJson = model.Spec.ToJson(),
            Layout = LayoutOf(model.Spec),
            Weights = ToBytes(model.Weights),
        };
        if (model.Optimizer is { } optimizer)
        {
            body.OptimizerJson = optimizer.SpecJson;
            body.OptimizerState = [.. optimizer.State.Select(v => new CheckpointFileVector { Name = v.Name, Values = ToBytes(v.Values) })];
            body.Step = optimizer.Step;
            body.SkippedSteps = optimizer.SkippedSteps;
        }

        Write(path, body);
    }

    /// <summary>Reads and checks the model at <paramref name="path"/> (a weights-only file is refused: it has no architecture).</summary>
    public static SavedModel Load(string path)
    {
        ModelFileBody body = Read(path);
        if (body.Kind == ModelFileBody.WeightsKind)
        {
            throw new ModelFileException($"'{path}' holds weights only (SaveWeights), without an architecture: load it with LoadWeights into a model of the same layout.");
        }

        ModelSpec spec;
        try
        {
            spec = ModelSpec.FromJson(body.ModelSpecJson ?? throw new ModelFileException($"Model file '{path}' has no architecture."));
        }
        catch (FormatException e)
        {
            throw new ModelFileException($"Model file '{path}': {e.Message}", e);
        }

        float[] weights = CheckedWeights(path, body, spec);
        SavedOptimizerState? optimizer = null;
        if (body.OptimizerJson is not null)
        {
            if (body.OptimizerState is null || body.OptimizerState.Any(v => v?.Name is null || v.Values is null || v.Values.Length % sizeof(float) != 0))
            {
                throw new ModelFileException($"Model file '{path}' has optimiser settings but no whole optimiser state vectors.");
            }

            optimizer = new SavedOptimizerState(
                SavedOptimizerState.ParseSpec(body.OptimizerJson),
                [.. body.OptimizerState.Select(v => new OptimizerStateVector(v.Name!, FromBytes(v.Values!)))],
                body.Step,
                body.SkippedSteps);
        }

        var model = new SavedModel(spec, weights, optimizer);
        try
        {
            model.Validate();
        }
        catch (ModelFileException e)
        {
            throw new ModelFileException($"Model file '{path}': {e.Message}", e);
        }

        return model;
    }

    /// <summary>Writes the weights of a <paramref name="spec"/> model (its layout, no architecture or optimiser) to <paramref name="path"/>.</summary>
    public static void SaveWeights(string path, ModelSpec spec, float[] weights)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        new SavedModel(spec, weights).Validate();
        Write(path, new ModelFileBody { Kind = ModelFileBody.WeightsKind, Layout = LayoutOf(spec), Weights = ToBytes(weights) });
    }

    /// <summary>
    /// Reads the weights at <paramref name="path"/> (a weights file or a whole model file) for a
    /// <paramref name="spec"/> model, checking that the file's layout is the model's.
    /// </summary>
    public static float[] LoadWeights(string path, ModelSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return CheckedWeights(path, Read(path), spec);
    }

    private static float[] CheckedWeights(string path, ModelFileBody body, ModelSpec spec)
    {
        CheckpointFileTensor[] expected = LayoutOf(spec);
        CheckpointFileTensor[] actual = body.Layout ?? throw new ModelFileException($"Model file '{path}' has no parameter layout.");
        if (actual.Length != expected.Length)
        {
            throw new ModelFileException($"Model file '{path}' has {actual.Length} parameter tensors but the model has {expected.Length}.");
        }

        for (int i = 0; i < expected.Length; i++)
        {
            CheckpointFileTensor a = actual[i], e = expected[i];
            if (a is null || a.Name != e.Name || a.Offset != e.Offset || a.Length != e.Length || !(a.Shape ?? []).SequenceEqual(e.Shape!))
            {
                throw new ModelFileException($"Model file '{path}': parameter {i} is {Describe(a)} but the model expects {Describe(e)}.");
            }
        }

        if (body.Weights is null || body.Weights.Length % sizeof(float) != 0)
        {
            throw new ModelFileException($"Model file '{path}' holds no whole number of weight floats.");
        }

        float[] weights = FromBytes(body.Weights);
        int total = expected.Sum(t => t.Length);
        return weights.Length == total
            ? weights
            : throw new ModelFileException($"Model file '{path}' holds {weights.Length} weights but its layout has {total}.");
    }

    private static void Write(string path, ModelFileBody body)
    {
        byte[] bytes = MessagePackSerializer.Serialize(body);
        var envelope = new ModelFileEnvelope
        {
            Magic = ModelFileEnvelope.ExpectedMagic,
            Version = ModelFileEnvelope.CurrentVersion,
            Body = bytes,
            Sha256 = SHA256.HashData(bytes),
        };
        string fullPath = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(fullPath)!);
        string temporary = $"{fullPath}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
            {
                MessagePackSerializer.Serialize(stream, envelope);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, fullPath, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }

    private static ModelFileBody Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new ModelFileException($"Model file '{path}' does not exist.");
        }

        ModelFileEnvelope envelope;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
            envelope = MessagePackSerializer.Deserialize<ModelFileEnvelope>(stream, ReadOptions);
        }
        catch (MessagePackSerializationException e)
        {
            throw new ModelFileException($"'{path}' is not a DistTrain model file or is truncated: {e.Message}", e);
        }

        if (envelope?.Magic != ModelFileEnvelope.ExpectedMagic)
        {
            throw new ModelFileException($"'{path}' is not a DistTrain model file (magic '{envelope?.Magic}'; a checkpoint is read with CheckpointStore).");
        }

        if (envelope.Version != ModelFileEnvelope.CurrentVersion)
        {
            throw new ModelFileException($"Model file '{path}' has format version {envelope.Version}; this build reads version {ModelFileEnvelope.CurrentVersion}.");
        }

        if (envelope.Body is null || envelope.Sha256 is null || !SHA256.HashData(envelope.Body).AsSpan().SequenceEqual(envelope.Sha256))
        {
            throw new ModelFileException($"Model file '{path}' fails its SHA-256 checksum: it is corrupt.");
        }

        try
        {
            return MessagePackSerializer.Deserialize<ModelFileBody>(envelope.Body, ReadOptions)
                ?? throw new ModelFileException($"Model file '{path}' has an empty body.");
        }
        catch (MessagePackSerializationException e)
        {
            throw new ModelFileException($"Model file '{path}' has a malformed body: {e.Message}", e);
        }
    }

    private static CheckpointFileTensor[] LayoutOf(ModelSpec spec) =>
        [.. Checkpoint.LayoutOf(ParameterLayout.For(spec)).Select(t => new CheckpointFileTensor { Name = t.Name, Offset = t.Offset, Length = t.Length, Shape = t.Shape })];

    private static string Describe(CheckpointFileTensor? t) =>
        t is null ? "missing" : $"{t.Name}[{string.Join("x", t.Shape ?? [])}] at {t.Offset}";

    private static byte[] ToBytes(float[] values)
    {
        ThrowIfBigEndian();
        return MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
    }

    private static float[] FromBytes(byte[] bytes)
    {
        ThrowIfBigEndian();
        return MemoryMarshal.Cast<byte, float>(bytes).ToArray();
    }

    private static void ThrowIfBigEndian()
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("Model files store little-endian floats; this platform is big-endian.");
        }
    }
}
