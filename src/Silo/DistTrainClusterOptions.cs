using System.ComponentModel.DataAnnotations;

namespace DistTrain.Silo;

/// <summary>
/// How a silo joins its cluster (section <c>DistTrain:Cluster</c>). Without a Redis
/// connection string the silo forms a localhost cluster (one machine); with one, every silo
/// and client of the same <see cref="ClusterId"/> meets through Redis, which also holds the
/// grain state and the reminders.
/// </summary>
public sealed class DistTrainClusterOptions
{
    /// <summary>Configuration section.</summary>
    public const string SectionName = "DistTrain:Cluster";

    /// <summary>Cluster id: silos and clients with the same id form one cluster.</summary>
    [Required]
    public string ClusterId { get; set; } = "disttrain";

    /// <summary>Service id: keeps grain state and reminders across cluster restarts.</summary>
    [Required]
    public string ServiceId { get; set; } = "disttrain";

    /// <summary>Redis connection string (StackExchange.Redis form); null or empty for localhost clustering and in-memory storage.</summary>
    public string? RedisConnectionString { get; set; }

    /// <summary>
    /// Redis clustering only: the IP address other silos and clients reach this silo at; null
    /// or empty takes the machine's first non-loopback address (set it on machines with several
    /// networks, or to 127.0.0.1 for a cluster on one machine).
    /// </summary>
    public string? AdvertisedAddress { get; set; }

    /// <summary>Port for silo-to-silo traffic.</summary>
    [Range(1, 65535)]
    public int SiloPort { get; set; } = 11111;

    /// <summary>Port clients connect to.</summary>
    [Range(1, 65535)]
    public int GatewayPort { get; set; } = 30000;

    /// <summary>Localhost clustering only: the silo port of the primary silo that others join (its own port for the first silo).</summary>
    [Range(1, 65535)]
    public int PrimarySiloPort { get; set; } = 11111;

    /// <summary>Whether Redis is configured.</summary>
    public bool UsesRedis => !string.IsNullOrWhiteSpace(RedisConnectionString);
}
