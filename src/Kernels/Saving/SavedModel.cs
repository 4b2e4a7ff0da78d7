using System.Text.Json;
using DistTrain.Kernels.Models;
using DistTrain.Kernels.Optim;
using DistTrain.Kernels.Training;

namespace DistTrain.Kernels.Saving;

/// <summary>
/// A model as <see cref="ModelStore.Save"/> writes it (Keras' <c>model.save</c>): the
/// architecture, the flat weights in <see cref="ParameterLayout.For(ModelSpec)"/>'s layout
/// and, when asked for, the optimiser with its state, so training can go on from it.
/// </summary>
/// <param name="Spec">The architecture.</param>
/// <param name="Weights">The flat weights.</param>
/// <param name="Optimizer">The optimiser state, or null for an inference-only file.</param>
public sealed record SavedModel(ModelSpec Spec, float[] Weights, SavedOptimizerState? Optimizer = null)
{
    /// <summary>The model of <paramref name="checkpoint"/>, with its optimiser state when <paramref name="includeOptimizer"/>.</summary>
    public static SavedModel FromCheckpoint(Checkpoint checkpoint, bool includeOptimizer = false)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        checkpoint.ValidateSizes();
        ModelSpec spec = ModelSpec.FromJson(checkpoint.ModelSpecJson);
        SavedOptimizerState? optimizer = null;
        if (includeOptimizer)
        {
            OptimizerSpec optimizerSpec = SavedOptimizerState.ParseSpec(checkpoint.OptimizerJson);
            optimizer = new SavedOptimizerState(optimizerSpec, checkpoint.OptimizerState, checkpoint.Step, checkpoint.SkippedSteps);
        }

        var model = new SavedModel(spec, checkpoint.Weights, optimizer);
        model.Validate();
        return model;
    }

    /// <summary>
    /// Throws <see cref="ModelFileException"/> naming the first problem: an invalid
    /// architecture, weights not as long as its layout, optimiser state that is not the
    /// optimiser's (names, order, lengths).
    /// </summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Spec);
        ArgumentNullException.ThrowIfNull(Weights);
        ParameterLayout layout;
        try
        {
            layout = ParameterLayout.For(Spec);
        }
        catch (ArgumentException e)
        {
            throw new ModelFileException($"Invalid model architecture: {e.Message}", e);
        }

        if (Weights.Length != layout.Total)
        {
            throw new ModelFileException($"The weights hold {Weights.Length} floats but the model has {layout.Total} parameters.");
        }

        Optimizer?.Validate(layout.Total);
    }
}

/// <summary>The optimiser part of a <see cref="SavedModel"/>: its settings, its state vectors and where training stood.</summary>
/// <param name="Spec">The optimiser settings.</param>
/// <param name="State">Its state vectors (<see cref="OptimizerSpec.StateNames"/>, in order), in the weights' layout.</param>
/// <param name="Step">Training steps taken.</param>
/// <param name="SkippedSteps">Steps skipped for a non-finite gradient (<c>Step − SkippedSteps</c> updates applied).</param>
public sealed record SavedOptimizerState(OptimizerSpec Spec, IReadOnlyList<OptimizerStateVector> State, long Step, long SkippedSteps = 0)
{
    /// <summary>Reads an <see cref="OptimizerSpec"/> from the JSON a checkpoint or model file holds.</summary>
    public static OptimizerSpec ParseSpec(string json)
    {
        try
        {
            var spec = JsonSerializer.Deserialize<OptimizerSpec>(json) ?? throw new ModelFileException("The optimiser JSON is empty.");
            spec.Validate();
            return spec;
        }
        catch (Exception e) when (e is JsonException or ArgumentException or NotSupportedException)
        {
            throw new ModelFileException($"The optimiser settings are unreadable: {e.Message}", e);
        }
    }

    /// <summary>The JSON form of <see cref="Spec"/>, as checkpoints hold it.</summary>
    public string SpecJson => JsonSerializer.Serialize(Spec);

    /// <summary>Throws <see cref="ModelFileException"/> unless the state is the optimiser's and each vector holds <paramref name="parameters"/> floats.</summary>
    public void Validate(int parameters)
    {
        ArgumentNullException.ThrowIfNull(Spec);
        ArgumentNullException.ThrowIfNull(State);
        try
        {
            Spec.Validate();
        }
        catch (ArgumentException e)
        {
            throw new ModelFileException($"Invalid optimiser settings: {e.Message}", e);
        }

        IReadOnlyList<string> names = Spec.StateNames;
        if (!names.SequenceEqual(State.Select(s => s?.Name)))
        {
            throw new ModelFileException($"The optimiser state is [{string.Join(", ", State.Select(s => s?.Name))}] but {Spec.Kind} keeps [{string.Join(", ", names)}].");
        }

        foreach (OptimizerStateVector vector in State)
        {
            if (vector.Values is null || vector.Values.Length != parameters)
            {
                throw new ModelFileException($"Optimiser state '{vector.Name}' holds {vector.Values?.Length ?? 0} floats but the model has {parameters} parameters.");
            }
        }

        if (Step < 0 || SkippedSteps < 0 || SkippedSteps > Step)
        {
            throw new ModelFileException($"Optimiser step {Step} and skipped steps {SkippedSteps} must be ≥ 0, skipped ≤ step.");
        }
    }
}
