using System.ComponentModel.DataAnnotations;

namespace DistTrain.Silo;

/// <summary>
/// Which compute devices a silo offers to workers (section <c>DistTrain:Devices</c>); each
/// device gets one worker grain pinned to this silo.
/// </summary>
public sealed class DeviceOptions
{
    /// <summary>Configuration section.</summary>
    public const string SectionName = "DistTrain:Devices";

    /// <summary><c>auto</c> (accelerators when present, else the CPU) or <c>cpu</c>.</summary>
    [Required]
    [RegularExpression("^(auto|cpu)$", ErrorMessage = "DistTrain:Devices:Backend must be 'auto' or 'cpu'.")]
    public string Backend { get; set; } = "auto";

    /// <summary>CPU workers when training on the CPU (each has its own engine; 1 uses every core).</summary>
    [Range(1, 256)]
    public int CpuWorkers { get; set; } = 1;

    /// <summary>Threads of each CPU worker's engine; null uses every core.</summary>
    [Range(1, 1024)]
    public int? CpuThreads { get; set; }
}
