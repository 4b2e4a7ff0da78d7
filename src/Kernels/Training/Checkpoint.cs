using DistTrain.Kernels.Models;

namespace DistTrain.Kernels.Training;

/// <summary>
/// Everything needed to resume training bit-identically: the model, the layout of the flat
/// parameter vector, weights and the optimiser's state vectors, and the position in the data. The data order is a
/// pure function of (seed, epoch, step), so <see cref="Step"/>, <see cref="Epoch"/> and
/// <see cref="Seed"/> are the whole RNG and data position. Saved and loaded by
/// <see cref="CheckpointStore"/>.
/// </summary>
/// <param name="ModelSpecJson">The model, as <c>ModelSpec.ToJson()</c> wrote it.</param>
/// <param name="Layout">The parameter layout, in vector order.</param>
/// <param name="Weights">The flat weights after <paramref name="Step"/> steps.</param>
/// <param name="OptimizerState">The optimiser's state vectors (<see cref="Optim.OptimizerSpec.StateNames"/>, in order), each in the weights' layout.</param>
/// <param name="Step">Steps applied (the next step to compute).</param>
/// <param name="Epoch">Epoch of the next step.</param>
/// <param name="Seed">Seed of the initialisation and the per-epoch shuffle.</param>
/// <param name="OptimizerJson">The optimiser settings as JSON (for people and for checks).</param>
/// <param name="SkippedSteps">Steps skipped so far for a non-finite gradient; <c>Step − SkippedSteps</c> updates were applied (Adam's bias-correction count).</param>
public sealed record Checkpoint(
    string ModelSpecJson,
    IReadOnlyList<CheckpointTensor> Layout,
    float[] Weights,
    IReadOnlyList<OptimizerStateVector> OptimizerState,
    long Step,
    int Epoch,
    ulong Seed,
    string OptimizerJson,
    long SkippedSteps = 0)
{
    /// <summary>Optimiser updates applied so far (<c>Step − SkippedSteps</c>): the t of Adam's bias correction before the next update.</summary>
    public long AppliedUpdates => Step - SkippedSteps;

    /// <summary>
    /// Throws <see cref="CheckpointException"/> unless the state vectors are those of
    /// <paramref name="optimizer"/> (same names in the same order): a run resumes with the
    /// optimiser that wrote the checkpoint.
    /// </summary>
    public void ValidateOptimizerState(Optim.OptimizerSpec optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        IReadOnlyList<string> expected = optimizer.StateNames;
        string[] actual = [.. (OptimizerState ?? []).Select(s => s.Name)];
        if (!expected.SequenceEqual(actual))
        {
            throw new CheckpointException($"Checkpoint holds optimiser state [{string.Join(", ", actual)}] but {optimizer.Kind} keeps [{string.Join(", ", expected)}]: resume with the optimiser that wrote it (checkpoint optimiser: {OptimizerJson}).");
        }
    }

    /// <summary>The checkpoint form of a model's parameter layout.</summary>
    public static IReadOnlyList<CheckpointTensor> LayoutOf(ParameterLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        return [.. layout.Entries.Select(e => new CheckpointTensor(e.Name, e.Offset, e.Length, [.. e.Shape]))];
    }

    /// <summary>Throws <see cref="CheckpointException"/> unless this checkpoint fits <paramref name="layout"/> (see <see cref="ValidateAgainst(IReadOnlyList{CheckpointTensor}, string?)"/>).</summary>
    public void ValidateAgainst(ParameterLayout layout) => ValidateAgainst(LayoutOf(layout));

    /// <summary>
    /// Throws <see cref="CheckpointException"/> unless the vectors match the layout: every
    /// entry inside the vector, entries contiguous and in order, lengths equal to their shapes.
    /// </summary>
    public void ValidateSizes()
    {
        ArgumentNullException.ThrowIfNull(Layout);
        long expected = 0;
        foreach (CheckpointTensor entry in Layout)
        {
            if (entry is null || entry.Name is null || entry.Shape is null)
            {
                throw new CheckpointException("Checkpoint layout has an entry without a name or a shape.");
            }

            // Untrusted shapes: a negative dimension or a product past int range cannot describe a tensor.
            long shapeProduct = 1;
            foreach (int dimension in entry.Shape)
            {
                shapeProduct = dimension < 0 || shapeProduct * dimension > int.MaxValue ? -1 : shapeProduct * dimension;
                if (shapeProduct < 0)
                {
                    throw new CheckpointException($"Checkpoint layout entry '{entry.Name}' has the shape [{string.Join('x', entry.Shape)}], which no tensor has.");
                }
            }

            if (entry.Offset != expected || entry.Length != shapeProduct || entry.Length < 0)
            {
                throw new CheckpointException($"Checkpoint layout entry {entry} (length {entry.Length}) does not follow the previous entries (expected offset {expected}, length {shapeProduct}).");
            }

            expected += entry.Length;
        }

        if (Weights is null || Weights.Length != expected)
        {
            throw new CheckpointException($"Checkpoint weights hold {Weights?.Length ?? 0} floats but the layout has {expected}.");
        }

        if (OptimizerState is null)
        {
            throw new CheckpointException("Checkpoint has no optimiser state list.");
        }

        foreach (OptimizerStateVector state in OptimizerState)
        {
            if (state?.Values is null || state.Values.Length != expected)
            {
                throw new CheckpointException($"Checkpoint optimiser state '{state?.Name}' holds {state?.Values?.Length ?? 0} floats but the layout has {expected}.");
            }
        }

        if (Step < 0 || Epoch < 0 || SkippedSteps < 0 || SkippedSteps > Step)
        {
            throw new CheckpointException($"Checkpoint step {Step}, epoch {Epoch} and skipped steps {SkippedSteps} must not be negative (and skipped ≤ step).");
        }
    }

    /// <summary>
    /// Throws <see cref="CheckpointException"/> naming the first difference unless this
    /// checkpoint was written for <paramref name="expectedLayout"/> (and, when given, the
    /// same model JSON).
    /// </summary>
    public void ValidateAgainst(IReadOnlyList<CheckpointTensor> expectedLayout, string? expectedModelSpecJson = null)
    {
        ArgumentNullException.ThrowIfNull(expectedLayout);
        ValidateSizes();
        if (Layout.Count != expectedLayout.Count)
        {
            throw new CheckpointException($"Checkpoint has {Layout.Count} parameter tensors but the model has {expectedLayout.Count}.");
        }

        for (int i = 0; i < Layout.Count; i++)
        {
            if (!Layout[i].Matches(expectedLayout[i]))
            {
                throw new CheckpointException($"Checkpoint parameter {i} is {Layout[i]} but the model expects {expectedLayout[i]}.");
            }
        }

        if (expectedModelSpecJson is not null && !string.Equals(ModelSpecJson, expectedModelSpecJson, StringComparison.Ordinal))
        {
            throw new CheckpointException("Checkpoint was written for a different model specification (same layout, different JSON).");
        }
    }
}

/// <summary>One named optimiser state vector of a <see cref="Checkpoint"/> (for example Adam's <c>momentum</c>).</summary>
/// <param name="Name">The name, from <see cref="Optim.OptimizerSpec.StateNames"/>.</param>
/// <param name="Values">The values, in the weights' layout.</param>
public sealed record OptimizerStateVector(string Name, float[] Values);
