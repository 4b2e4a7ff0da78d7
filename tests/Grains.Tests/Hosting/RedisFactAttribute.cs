namespace DistTrain.Grains.Tests.Hosting;

/// <summary>A fact that needs a local <c>redis-server</c>; skipped, saying why, where none is installed.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RedisFactAttribute : FactAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when <see cref="RedisServer.Executable"/> is missing.</summary>
    public RedisFactAttribute()
    {
        if (RedisServer.Executable is null)
        {
            Skip = "redis-server is not installed (Debian: apt-get install redis-server; .ci/run installs it).";
        }
    }
}
