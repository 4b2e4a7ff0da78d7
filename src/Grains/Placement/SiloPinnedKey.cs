using Orleans.Runtime;

namespace DistTrain.Grains.Placement;

/// <summary>Keys of silo-pinned grains: <c>{silo}</c> or <c>{silo}/{device}</c>.</summary>
public static class SiloPinnedKey
{
    /// <summary>The key of the grain for <paramref name="device"/> on <paramref name="silo"/>.</summary>
    public static string For(SiloAddress silo, string device)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentException.ThrowIfNullOrEmpty(device);
        return $"{silo.ToParsableString()}/{device}";
    }

    /// <summary>The key of a per-silo grain.</summary>
    public static string For(SiloAddress silo)
    {
        ArgumentNullException.ThrowIfNull(silo);
        return silo.ToParsableString();
    }

    /// <summary>The silo named by a key.</summary>
    public static SiloAddress SiloOf(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        int slash = key.IndexOf('/', StringComparison.Ordinal);
        string silo = slash < 0 ? key : key[..slash];
        try
        {
            return SiloAddress.FromParsableString(silo);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or IndexOutOfRangeException)
        {
            throw new ArgumentException($"Grain key '{key}' does not start with a silo address such as '127.0.0.1:11111@123'.", nameof(key), e);
        }
    }

    /// <summary>The device part of a <c>{silo}/{device}</c> key.</summary>
    public static string DeviceOf(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        int slash = key.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 || slash == key.Length - 1
            ? throw new ArgumentException($"Grain key '{key}' has no '/device' part.", nameof(key))
            : key[(slash + 1)..];
    }
}
