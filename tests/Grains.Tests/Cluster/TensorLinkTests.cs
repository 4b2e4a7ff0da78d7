using System.Net.Sockets;
using DistTrain.Grains.Link;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace DistTrain.Grains.Tests.Cluster;

/// <summary>
/// The tensor link between silos: workers read weights from and push gradients to the slices
/// of the other silo through it with the local loop's bits; a dropped link fails only the step
/// in flight, which is retried over a new connection; bytes that are not the protocol close
/// only their own connection.
/// </summary>
[Collection(TwoSiloCollection.Name)]
public sealed class TensorLinkTests(TwoSiloFixture fixture)
{
    private const int Steps = 12;

    internal static TensorLinkServer Link(SiloHandle silo) => ((InProcessSiloHandle)silo).SiloHost.Services.GetRequiredService<TensorLinkServer>();

    private IEnumerable<TensorLinkServer> Links => fixture.Cluster.Silos.Select(Link);

    [Fact]
    public async Task WorkersReachTheOtherSilosSlicesThroughTheLinkWithTheLocalLoopsBits()
    {
        Assert.All(Links, l => Assert.NotNull(l.Endpoint));
        long before = Links.Sum(l => l.RequestsServed);
        var spec = TestRuns.Spec(TestRuns.SmallMlp(), TestRuns.Data(32), Steps, workers: 4, slices: 0, optimizer: TestRuns.Optimizer() with { ClipNorm = null }) with { BucketBytes = 1024 };

        var (status, weights) = await TestRuns.RunToCompletion(fixture.Grains, spec, "link");

        Assert.Equal(4, status.Workers);
        TestRuns.AssertSameBits(TestRuns.LocalWeights(spec, Steps), weights, "4 workers over the link");
        // Each of the 12 steps: the two remote workers read their slice's 4.5 KB in 1 KB buckets and push every partial sum in buckets.
        Assert.True(Links.Sum(l => l.RequestsServed) - before >= Steps * 2 * 5, $"the links served {Links.Sum(l => l.RequestsServed) - before} requests");
    }

    [Fact]
    public async Task ADroppedLinkFailsOnlyTheStepInFlightWhichIsRetriedWithTheSameBits()
    {
        const int steps = 40;
        var spec = TestRuns.Spec(TestRuns.SmallMlp(), TestRuns.Data(32), steps, workers: 4, slices: 0, optimizer: TestRuns.Optimizer() with { ClipNorm = null });
        var run = fixture.Grains.GetGrain<ITrainingRunGrain>($"link-drop-{Guid.NewGuid():N}");
        await run.Start(spec);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        int drops = 0;
        long lastDrop = -1;
        RunStatus status;
        while ((status = await run.GetStatus()).State is RunState.Running)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the run stalled at step {status.Step}");
            if (status.Step > lastDrop + 8 && drops < 3 && Links.Sum(l => l.OpenConnections) > 0)
            {
                foreach (var link in Links)
                {
                    link.DropConnections();
                }

                drops++;
                lastDrop = status.Step;
            }

            await Task.Delay(5);
        }

        Assert.True(status.State == RunState.Completed, $"Run ended {status.State}: {status.Error}");
        Assert.True(drops >= 1, "no link was open to drop");
        TestRuns.AssertSameBits(TestRuns.LocalWeights(spec, steps), (await run.GetWeights())!, $"a run whose links were dropped {drops} times");
    }

    [Fact]
    public async Task BytesThatAreNotTheProtocolCloseOnlyTheirConnectionAndAnUnknownSliceIsAClearError()
    {
        string endpoint = Link(fixture.Cluster.Primary!).Endpoint!;
        var address = System.Net.IPEndPoint.Parse(endpoint);

        // Another protocol's greeting, then a frame header that announces a 1 GB payload.
        Assert.True(await ClosedByTheSilo(address, "GET / HTTP/1.1\r\n\r\n"u8.ToArray()));
        byte[] lying = [.. LinkProtocol.Magic, .. BitConverter.GetBytes(8), .. BitConverter.GetBytes(1 << 30), .. new byte[8]];
        Assert.True(await ClosedByTheSilo(address, lying));

        await using var connection = await LinkConnection.Open(endpoint, null, new ExactArrayPool(), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10));
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => connection.Push("no-such-slice", new GradientChunk("r", 0, new ShardNode(0, 0), 0, new byte[8])));
        Assert.Contains("'no-such-slice' is not served by silo", error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<InvalidOperationException>(() => connection.Read("no-such-slice", ParameterKind.Weights, 0, 4));
        Assert.False(connection.IsFaulted); // an answered error leaves the connection usable

        // The silo still trains over its link.
        var spec = TestRuns.Spec(TestRuns.SmallMlp(), TestRuns.Data(32), 4, workers: 4, slices: 0, optimizer: TestRuns.Optimizer() with { ClipNorm = null });
        var (_, weights) = await TestRuns.RunToCompletion(fixture.Grains, spec, "link-after-garbage");
        TestRuns.AssertSameBits(TestRuns.LocalWeights(spec, 4), weights, "after garbage on the link");
    }

    private static async Task<bool> ClosedByTheSilo(System.Net.IPEndPoint address, byte[] bytes)
    {
        using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(address);
        await socket.SendAsync(bytes);
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            return await socket.ReceiveAsync(new byte[1], wait.Token) == 0;
        }
        catch (SocketException)
        {
            return true; // reset
        }
    }
}

/// <summary>Two silos whose tensor link is off: every transfer between them is a grain call.</summary>
public sealed class TwoSiloNoLinkFixture() : ClusterFixture(2)
{
    /// <inheritdoc />
    protected override void Configure(TestClusterBuilder builder) => builder.AddSiloBuilderConfigurator<NoLink>();

    private sealed class NoLink : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder) => siloBuilder.Services.Configure<TensorLinkOptions>(o => o.Enabled = false);
    }
}

/// <summary>Tests owning <see cref="TwoSiloNoLinkFixture"/>.</summary>
[CollectionDefinition(Name)]
public sealed class TwoSiloNoLinkCollection : ICollectionFixture<TwoSiloNoLinkFixture>
{
    /// <summary>Collection name.</summary>
    public const string Name = "two silos without a link";
}

/// <summary>With the link off, grain calls carry the same bytes to the same bits.</summary>
[Collection(TwoSiloNoLinkCollection.Name)]
public sealed class NoLinkTests(TwoSiloNoLinkFixture fixture)
{
    [Fact]
    public async Task WithTheLinkOffGrainCallsGiveTheSameBits()
    {
        var spec = TestRuns.Spec(TestRuns.SmallMlp(), TestRuns.Data(32), 12, workers: 4, slices: 0, optimizer: TestRuns.Optimizer() with { ClipNorm = null }) with { BucketBytes = 1024 };

        var (status, weights) = await TestRuns.RunToCompletion(fixture.Grains, spec, "no-link");

        Assert.All(fixture.Cluster.Silos, s => Assert.Null(TensorLinkTests.Link(s).Endpoint));
        Assert.All(fixture.Cluster.Silos, s => Assert.Equal(0, TensorLinkTests.Link(s).RequestsServed));
        TestRuns.AssertSameBits(TestRuns.LocalWeights(spec, 12), weights, "4 workers by grain calls");
    }
}
