using DistTrain.Kernels.Backends;

namespace DistTrain.Kernels.Models;

/// <summary>
/// What a layer may need besides its tensors: the backend, whether this is training, and
/// which rows of which global step it is computing (so that a random layer such as dropout
/// draws the same mask for a sample whichever worker computes it).
/// </summary>
/// <param name="Backend">The compute backend that owns every buffer passed to the layer.</param>
/// <param name="Training">True during a training step, false for evaluation and prediction.</param>
/// <param name="Step">Global step (training) or 0.</param>
/// <param name="FirstRow">Position within the global batch of the first row passed to the layer.</param>
/// <param name="Seed">Run seed, for layers that draw random numbers.</param>
public readonly record struct LayerContext(IComputeBackend Backend, bool Training, long Step, int FirstRow, ulong Seed);
