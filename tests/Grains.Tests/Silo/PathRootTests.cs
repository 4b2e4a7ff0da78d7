using DistTrain.Grains.Data;
using DistTrain.Grains.Runs;
using DistTrain.Grains.Security;
using DistTrain.Grains.Tests.Cluster;
using DistTrain.Silo.Data;

namespace DistTrain.Grains.Tests.Silo;

/// <summary>The paths a run spec names stay under the roots the silo's configuration allows.</summary>
public sealed class PathRootTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("disttrain-roots-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Root => Path.Combine(_directory, "checkpoints");

    private CoordinatorOptions Options(params string[] extraRoots) =>
        new() { CheckpointRoot = Root, CheckpointRoots = extraRoots.Length == 0 ? [] : [Root, .. extraRoots] };

    private static RunSpec Spec(string? checkpointDirectory = null, string? resumeFrom = null) =>
        TestRuns.Spec(TestRuns.SmallMlp(), TestRuns.Data(32), steps: 4, workers: 1) with { CheckpointDirectory = checkpointDirectory, ResumeFrom = resumeFrom };

    private RunContext Create(RunSpec spec, string runId = "run", CoordinatorOptions? options = null) =>
        RunContext.Create(runId, spec, new DataSetProvider(), options ?? Options());

    [Fact]
    public void ARunWithoutItsOwnDirectoryCheckpointsBelowTheRootAndRelativePathsAreTakenBelowIt()
    {
        Assert.Equal(Path.Combine(Root, "run"), Create(Spec()).CheckpointDirectory);
        Assert.Equal(Path.Combine(Root, "team", "a"), Create(Spec("team/a")).CheckpointDirectory);
        Assert.Equal(Path.Combine(Root, "b"), Create(Spec(Path.Combine(Root, "x", "..", "b"))).CheckpointDirectory);
        Assert.Equal(Path.Combine(Root, "run", "checkpoint.msgpack"), Create(Spec(resumeFrom: "run/checkpoint.msgpack")).ResumeFrom);
    }

    [Theory]
    [InlineData("../elsewhere")]
    [InlineData("a/../../elsewhere")]
    [InlineData("/etc")]
    [InlineData("/")]
    public void ACheckpointDirectoryOutsideTheRootsIsRefusedNamingTheSetting(string directory)
    {
        var e = Assert.Throws<ArgumentException>(() => Create(Spec(directory)));

        Assert.Contains($"RunSpec.CheckpointDirectory '{directory}'", e.Message);
        Assert.Contains("outside the directories this silo allows", e.Message);
        Assert.Contains("DistTrain:Coordinator:CheckpointRoots", e.Message);
    }

    [Fact]
    public void TheTensorBoardLogGoesBesideTheCheckpointsOrBelowARootAndNowhereElse()
    {
        Assert.Equal(Path.Combine(Root, "run", "logs"), Create(Spec()).LogDirectory);
        Assert.Equal(Path.Combine(Root, "team", "logs"), Create(Spec() with { LogDirectory = "team/logs" }).LogDirectory);
        foreach (string outside in new[] { "/etc/cron.d", "../../logs" })
        {
            var e = Assert.Throws<ArgumentException>(() => Create(Spec() with { LogDirectory = outside }));
            Assert.Contains($"RunSpec.LogDirectory '{outside}'", e.Message);
            Assert.Contains("DistTrain:Coordinator:CheckpointRoots", e.Message);
        }
    }

    [Fact]
    public void AResumeFileOutsideTheRootsARootNamedAsAPrefixAndARunIdThatClimbsAreRefused()
    {
        Assert.Contains("RunSpec.ResumeFrom", Assert.Throws<ArgumentException>(() => Create(Spec(resumeFrom: "/etc/passwd"))).Message);
        Assert.Contains("RunSpec.ResumeFrom", Assert.Throws<ArgumentException>(() => Create(Spec(resumeFrom: "../x/checkpoint.msgpack"))).Message);
        Assert.Throws<ArgumentException>(() => Create(Spec(Root + "-sibling"))); // a string prefix of the root is not inside it
        Assert.Throws<ArgumentException>(() => Create(Spec(), runId: ".."));
        Assert.Throws<ArgumentException>(() => Create(Spec(), runId: "a\\b"));
    }

    [Fact]
    public void AnotherListedRootIsAllowedAndALinkOutOfARootIsNot()
    {
        string shared = Path.Combine(_directory, "shared");
        string outside = Directory.CreateDirectory(Path.Combine(_directory, "outside")).FullName;
        Directory.CreateDirectory(Root);
        Directory.CreateSymbolicLink(Path.Combine(Root, "escape"), outside);

        Assert.Equal(Path.Combine(shared, "r"), Create(Spec(Path.Combine(shared, "r")), options: Options(shared)).CheckpointDirectory);
        var e = Assert.Throws<ArgumentException>(() => Create(Spec("escape/run")));
        Assert.Contains($"really '{Path.Combine(outside, "run")}'", e.Message);
    }

    [Fact]
    public void DataPathsAreConfinedToTheDataRootsAndACsvKeepsItsTargetColumn()
    {
        string[] roots = [Path.Combine(_directory, "data")];

        var csv = RootedDataSetProvider.Confine(new DataSpec("csv", "houses.csv#price"), roots);
        var cache = RootedDataSetProvider.Confine(new DataSpec("mnist", Path.Combine(roots[0], "cache")), roots);
        var escaping = Assert.Throws<ArgumentException>(() => RootedDataSetProvider.Confine(new DataSpec("csv", "../secrets.csv#0"), roots));
        var absolute = Assert.Throws<ArgumentException>(() => RootedDataSetProvider.Confine(new DataSpec("mnist", "/var/lib"), roots));

        Assert.Equal(Path.Combine(roots[0], "houses.csv") + "#price", csv.Path);
        Assert.Equal(Path.Combine(roots[0], "cache"), cache.Path);
        Assert.Null(RootedDataSetProvider.Confine(TestRuns.Data(4), roots).Path);
        Assert.Contains("data set 'csv'", escaping.Message);
        Assert.Contains("DistTrain:Data:Roots", escaping.Message);
        Assert.Contains("'/var/lib'", absolute.Message);
    }

    [Fact]
    public void TheSilosProviderRefusesADataPathOutsideItsRootsBeforeLoading()
    {
        var provider = new RootedDataSetProvider(new DataSetProvider(), [Path.Combine(_directory, "data")]);

        var e = Assert.Throws<ArgumentException>(() => provider.Get(new DataSpec("csv", "/etc/passwd")));

        Assert.Contains("outside the directories this silo allows", e.Message);
    }
}

/// <summary>The same refusal reaches a client through a real cluster.</summary>
[Collection(OneSiloCollection.Name)]
public sealed class PathRootClusterTests(OneSiloFixture fixture)
{
    [Fact]
    public async Task StartingARunWhoseCheckpointDirectoryClimbsOutOfTheRootFailsWithAClearError()
    {
        var run = fixture.Grains.GetGrain<ITrainingRunGrain>($"roots-{Guid.NewGuid():N}");
        var spec = TestRuns.Spec(TestRuns.SmallMlp(), TestRuns.Data(32), steps: 4, workers: 1) with { CheckpointDirectory = "../../outside" };

        var e = await Assert.ThrowsAsync<ArgumentException>(() => run.Start(spec));

        Assert.Contains("outside the directories this silo allows", e.Message);
        Assert.Equal(RunState.NotStarted, (await run.GetStatus()).State);
    }
}
