using DistTrain.Kernels.Data;

namespace DistTrain.Grains.Data;

/// <summary>
/// Resolves a run's <see cref="DataSpec"/> to the samples on this silo. Workers read their
/// micro-shards from it; the coordinator asks it for the sample count. Registered in the
/// silo's services; every silo must resolve the same spec to the same samples.
/// </summary>
public interface IDataSetProvider
{
    /// <summary>The data set named by <paramref name="spec"/> (cached: the same instance for equal specs).</summary>
    IDataSet Get(DataSpec spec);
}
