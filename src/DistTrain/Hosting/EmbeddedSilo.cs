using DistTrain.Grains.Data;
using DistTrain.Silo;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DistTrain.Hosting;

/// <summary>
/// The single-process cluster a program (and <c>disttrain train</c> without <c>--cluster</c>) uses:
/// the same silo as <c>DistTrain.Silo</c> (<see cref="DistTrainSiloExtensions.UseDistTrain"/>)
/// with localhost clustering on ports chosen free at start, in-memory grain storage and
/// reminders, checkpoints under <c>~/.disttrain/checkpoints</c>, and run-spec paths allowed
/// anywhere (the process is the user's own), custom layers from the program's own assemblies and
/// from <see cref="ConnectionSettings.PluginsPath"/>. Its data-set provider can be one the program
/// holds (to train on samples the program keeps in memory).
/// </summary>
public static class EmbeddedSilo
{
    /// <summary>Where embedded runs write their checkpoints (one folder per run).</summary>
    public static string CheckpointRoot =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".disttrain", "checkpoints");

    /// <summary>
    /// Adds the embedded silo to <paramref name="builder"/>. <paramref name="dataSets"/>, when
    /// given, is the silo's data-set provider (instead of one with the standard data sets).
    /// </summary>
    public static void Configure(HostApplicationBuilder builder, ConnectionSettings settings, IDataSetProvider? dataSets = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(settings);
        if (dataSets is not null)
        {
            // Registered first: the silo's own registration only adds a provider when none is there.
            builder.Services.AddSingleton(dataSets);
        }

        var siloPort = ClusterConnection.FreeLoopbackPort();
        var gatewayPort = ClusterConnection.FreeLoopbackPort();
        var overrides = new Dictionary<string, string?>
        {
            [$"{DistTrainClusterOptions.SectionName}:{nameof(DistTrainClusterOptions.ClusterId)}"] = settings.ClusterId,
            [$"{DistTrainClusterOptions.SectionName}:{nameof(DistTrainClusterOptions.ServiceId)}"] = settings.ServiceId,
            [$"{DistTrainClusterOptions.SectionName}:{nameof(DistTrainClusterOptions.RedisConnectionString)}"] = string.Empty,
            [$"{DistTrainClusterOptions.SectionName}:{nameof(DistTrainClusterOptions.SiloPort)}"] = Invariant(siloPort),
            [$"{DistTrainClusterOptions.SectionName}:{nameof(DistTrainClusterOptions.GatewayPort)}"] = Invariant(gatewayPort),
            [$"{DistTrainClusterOptions.SectionName}:{nameof(DistTrainClusterOptions.PrimarySiloPort)}"] = Invariant(siloPort),
            // One process, no remote peers: no TLS, whatever the environment says for remote clusters.
            ["DistTrain:Tls:Enabled"] = "false",
        };
        if (!string.IsNullOrWhiteSpace(settings.PluginsPath))
        {
            overrides[Grains.Plugins.PluginOptions.PathKey] = Path.GetFullPath(settings.PluginsPath);
        }

        if (builder.Configuration["DistTrain:Coordinator:CheckpointRoot"] is null)
        {
            overrides["DistTrain:Coordinator:CheckpointRoot"] = CheckpointRoot;
        }

        // The embedded silo runs as the user, with the user's rights: the paths of its run specs
        // (which the console made absolute) may lie anywhere, unless configuration says otherwise.
        string everything = Path.GetPathRoot(Environment.CurrentDirectory) ?? "/";
        foreach (string key in new[] { "DistTrain:Coordinator:CheckpointRoots:0", "DistTrain:Data:Roots:0" })
        {
            if (builder.Configuration[key] is null)
            {
                overrides[key] = everything;
            }
        }

        builder.Configuration.AddInMemoryCollection(overrides);
        builder.UseDistTrain();
    }

    private static string Invariant(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
