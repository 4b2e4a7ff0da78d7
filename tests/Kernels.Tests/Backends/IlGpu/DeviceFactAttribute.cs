using DistTrain.Kernels.Backends;
using DistTrain.Kernels.Backends.IlGpu;
using ILGPU;

namespace DistTrain.Kernels.Tests.Backends.IlGpu;

/// <summary>A fact that is skipped, with the reason, where no device of the given kind is present.</summary>
public sealed class DeviceFactAttribute : FactAttribute
{
    public DeviceFactAttribute(BackendKind kind) => Skip = DevicePresence.SkipReason(kind);
}

/// <summary>A theory that is skipped, with the reason, where no device of the given kind is present.</summary>
public sealed class DeviceTheoryAttribute : TheoryAttribute
{
    public DeviceTheoryAttribute(BackendKind kind) => Skip = DevicePresence.SkipReason(kind);
}

/// <summary>Which ILGPU device kinds this machine has, looked up once per test run.</summary>
internal static class DevicePresence
{
    private static readonly Lazy<HashSet<BackendKind>> Present = new(() =>
    {
        using var context = IlGpuDevices.CreateContext();
        return [.. new[] { BackendKind.Cuda, BackendKind.OpenCl }.Where(kind => IlGpuDevices.Of(context, kind).Count > 0)];
    });

    public static bool Has(BackendKind kind) => Present.Value.Contains(kind);

    public static string? SkipReason(BackendKind kind) => Has(kind) ? null : $"No {kind} device on this machine.";
}

/// <summary>A fact about what happens without a device of the given kind; skipped where one is present.</summary>
public sealed class NoDeviceFactAttribute : FactAttribute
{
    public NoDeviceFactAttribute(BackendKind kind) => Skip = DevicePresence.Has(kind) ? $"A {kind} device is present." : null;
}
