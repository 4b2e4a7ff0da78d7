using DistTrain.Grains.Devices;
using DistTrain.Grains.Placement;
using DistTrain.Grains.Plugins;
using DistTrain.Kernels.Models;
using DistTrain.Silo;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace DistTrain.Grains.Tests.Cluster;

/// <summary>
/// Custom layers from a plugin folder: <c>tests/TestPlugin</c> (the course's MyDense and MyModel),
/// which this project builds but does not reference, copied into <c>plugins/</c> beside the tests.
/// </summary>
public static class TestPlugin
{
    /// <summary>The folder the plugin silos load.</summary>
    public static string Folder { get; } = Path.Combine(AppContext.BaseDirectory, "plugins");

    /// <summary>The plugin's MyDense type name.</summary>
    public const string MyDense = "DistTrain.TestPlugin.MyDense, DistTrain.TestPlugin";

    /// <summary>The plugin loaded into this process (a load context of its own, as a silo's), for the local reference and for writing specs.</summary>
    public static LayerTypeResolver Resolver => s_resolver.Value;

    private static readonly Lazy<LayerTypeResolver> s_resolver = new(() => LayerTypeResolver.FromFolder(Folder, searchDefaultContext: false));

    /// <summary>32 → 64 (relu, the plugin's MyDense) → 10 (a built-in Dense), cross-entropy.</summary>
    public static ModelSpec Model() =>
        new([32], [CustomLayerSpec.For(MyDense, new { inputs = 32, outputs = 64, activation = "relu" }) with { Resolver = Resolver }, new DenseSpec(10)], LossKind.SoftmaxCrossEntropy);

    /// <summary>Only silos with a device of one CPU thread: two silos give two workers, one on each.</summary>
    public sealed class OneWorkerPerSilo : ISiloConfigurator
    {
        /// <inheritdoc />
        public void Configure(ISiloBuilder siloBuilder) =>
            siloBuilder.Services.Configure<DeviceOptions>(o => o.CpuWorkers = 1);
    }
}

/// <summary>Two silos, one worker each, both with <c>DistTrain:Plugins:Path</c> set to the test plugin.</summary>
public sealed class PluginSiloFixture() : ClusterFixture(2)
{
    /// <inheritdoc />
    protected override void Configure(TestClusterBuilder builder)
    {
        builder.ConfigureHostConfiguration(c => c.AddInMemoryCollection(new Dictionary<string, string?> { [PluginOptions.PathKey] = TestPlugin.Folder }));
        builder.AddSiloBuilderConfigurator<TestPlugin.OneWorkerPerSilo>();
    }
}

/// <summary>Two silos, one worker each; only the primary has the plugin folder.</summary>
public sealed class HalfPluginSiloFixture() : ClusterFixture(2)
{
    /// <inheritdoc />
    protected override void Configure(TestClusterBuilder builder)
    {
        builder.AddSiloBuilderConfigurator<TestPlugin.OneWorkerPerSilo>();
        builder.AddSiloBuilderConfigurator<PrimaryPlugins>();
    }

    private sealed class PrimaryPlugins : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            if (siloBuilder.Configuration["Orleans:Name"] is "Primary" || siloBuilder.Configuration["SiloName"] is "Primary")
            {
                siloBuilder.Services.Configure<PluginOptions>(o => o.Path = TestPlugin.Folder);
            }
        }
    }
}

/// <summary>Tests owning <see cref="PluginSiloFixture"/>.</summary>
[CollectionDefinition(Name)]
public sealed class PluginSiloCollection : ICollectionFixture<PluginSiloFixture>
{
    /// <summary>Collection name.</summary>
    public const string Name = "plugin silos";
}

/// <summary>Tests owning <see cref="HalfPluginSiloFixture"/>.</summary>
[CollectionDefinition(Name)]
public sealed class HalfPluginSiloCollection : ICollectionFixture<HalfPluginSiloFixture>
{
    /// <summary>Collection name.</summary>
    public const string Name = "half plugin silos";
}

/// <summary>A user's layer assembly loaded by the silos trains with the local loop's bits.</summary>
[Collection(PluginSiloCollection.Name)]
public sealed class PluginTrainingTests(PluginSiloFixture fixture)
{
    [Fact]
    public async Task APluginLayerTrainsOnOneAndTwoWorkersWithTheLocalLoopsBits()
    {
        Assert.False(File.Exists(Path.Combine(AppContext.BaseDirectory, "DistTrain.TestPlugin.dll")), "the tests must not reference the plugin");
        var notHere = Assert.Throws<FormatException>(() => ModelSpec.FromJson(TestPlugin.Model().ToJson())); // not among this process's own assemblies
        Assert.Contains("was not found in this process", notHere.Message);
        RunSpec Spec(int workers) => TestRuns.Spec(TestPlugin.Model(), TestRuns.Data(32), steps: 8, workers);

        var runs = await Task.WhenAll(new[] { 1, 2 }.Select(w => TestRuns.RunToCompletion(fixture.Grains, Spec(w), $"plugin{w}")));

        // The local loop with the same spec, its layer loaded from the same folder into this process.
        var local = ModelSpec.FromJson(Spec(1).ModelSpecJson, TestPlugin.Resolver);
        float[] expected = TestRuns.LocalWeights(Spec(1), 8, local);
        Assert.Equal([1, 2], runs.Select(r => r.Status.Workers));
        Assert.Equal(["custom_0/w", "custom_0/b", "dense_0/kernel", "dense_0/bias"], ParameterLayout.For(local).Entries.Select(e => e.Name));
        TestRuns.AssertSameBits(expected, runs[0].Weights, "1 worker");
        TestRuns.AssertSameBits(expected, runs[1].Weights, "2 workers on 2 silos");
        Assert.NotEqual(Kernels.Models.ParameterInitializer.Initialize(local, 42), expected); // it trained
    }
}

/// <summary>A silo without the layer's assembly: the run fails at start, the cluster goes on.</summary>
[Collection(HalfPluginSiloCollection.Name)]
public sealed class MissingPluginTests(HalfPluginSiloFixture fixture)
{
    [Fact]
    public async Task ARunWhoseLayerASiloLacksFailsAtStartNamingTheTypeTheSiloAndTheKeyAndTheClusterTrainsOn()
    {
        string secondary = fixture.Cluster.SecondarySilos.Single().SiloAddress.ToParsableString();
        string primary = fixture.Cluster.Primary!.SiloAddress.ToParsableString();
        string json = TestPlugin.Model().ToJson();

        // Each silo answers for itself.
        await fixture.Grains.GetGrain<IDeviceRegistryGrain>(SiloPinnedKey.For(fixture.Cluster.Primary.SiloAddress)).CheckModel(json);
        var lacking = await Assert.ThrowsAnyAsync<Exception>(() => fixture.Grains.GetGrain<IDeviceRegistryGrain>(SiloPinnedKey.For(fixture.Cluster.SecondarySilos[0].SiloAddress)).CheckModel(json));
        Assert.Contains($"Silo {secondary} cannot build the run's model", lacking.Message);
        Assert.Contains($"'{TestPlugin.MyDense}' was not found on silo {secondary}", lacking.Message);
        Assert.Contains(PluginOptions.PathKey, lacking.Message);

        // A run over both silos fails at Start, wherever its coordinator is, and never runs.
        var run = fixture.Grains.GetGrain<ITrainingRunGrain>($"missing-{Guid.NewGuid():N}");
        var failed = await Assert.ThrowsAnyAsync<Exception>(() => run.Start(TestRuns.Spec(TestPlugin.Model(), TestRuns.Data(32), steps: 4, workers: 0)));
        Assert.Contains(TestPlugin.MyDense, failed.Message);
        Assert.Contains(secondary, failed.Message);
        Assert.DoesNotContain(primary, failed.Message);
        Assert.Contains(PluginOptions.PathKey, failed.Message);
        Assert.Equal(RunState.NotStarted, (await run.GetStatus()).State);

        // Nothing else is harmed: a built-in model trains on both silos, with the local loop's bits.
        var spec = TestRuns.Spec(TestRuns.SmallMlp(), TestRuns.Data(32), steps: 4, workers: 0);
        var (status, weights) = await TestRuns.RunToCompletion(fixture.Grains, spec, "after-missing");
        Assert.Equal(2, status.Workers);
        TestRuns.AssertSameBits(TestRuns.LocalWeights(spec, 4), weights, "built-in model after the failed start");
    }
}
