namespace DistTrain.Grains.Security;

/// <summary>
/// Confines the paths a run spec names (checkpoint directory, checkpoint to resume from, data
/// files) to directories the silo's configuration allows. A relative path is taken below the
/// first root; an absolute one must lie below one of them. Both are compared after
/// <c>..</c> segments and symbolic links are resolved, so <c>../</c>, absolute paths elsewhere
/// and links pointing out of a root are all refused with an <see cref="ArgumentException"/>
/// that names the path, where it led and the setting that lists the roots.
/// </summary>
public static class PathRoots
{
    private static readonly StringComparison Comparison =
        OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

    /// <summary>
    /// The full path of <paramref name="path"/> when it lies under one of <paramref name="roots"/>;
    /// otherwise throws <see cref="ArgumentException"/>.
    /// </summary>
    /// <param name="path">The path from the run spec (relative paths are taken below the first root).</param>
    /// <param name="roots">The allowed roots (at least one).</param>
    /// <param name="what">What the path is, for the message (for example <c>RunSpec.CheckpointDirectory</c>).</param>
    /// <param name="setting">The configuration key that lists the roots, for the message.</param>
    public static string Resolve(string path, IReadOnlyList<string> roots, string what, string setting)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(roots);
        if (roots.Count == 0 || roots.Any(string.IsNullOrWhiteSpace))
        {
            throw new InvalidOperationException($"{setting} must list at least one directory and no empty entries.");
        }

        if (path.Length == 0 || path.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException($"{what} '{path}' is empty or contains a NUL character.", nameof(path));
        }

        string full = Path.IsPathRooted(path) ? Path.GetFullPath(path) : Path.GetFullPath(path, Path.GetFullPath(roots[0]));
        string real = RealPath(full);
        foreach (string root in roots)
        {
            if (IsUnder(real, RealPath(Path.GetFullPath(root))))
            {
                return full;
            }
        }

        string resolved = string.Equals(real, full, Comparison) ? $"'{full}'" : $"'{full}' (really '{real}')";
        throw new ArgumentException(
            $"{what} '{path}' resolves to {resolved}, outside the directories this silo allows: {string.Join(", ", roots)} (setting {setting}).",
            nameof(path));
    }

    /// <summary>Whether <paramref name="path"/> is <paramref name="root"/> or below it (both full, resolved paths).</summary>
    public static bool IsUnder(string path, string root)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(root);
        string trimmedRoot = Path.TrimEndingDirectorySeparator(root);
        string trimmedPath = Path.TrimEndingDirectorySeparator(path);
        if (string.Equals(trimmedPath, trimmedRoot, Comparison))
        {
            return true;
        }

        string prefix = trimmedRoot.EndsWith(Path.DirectorySeparatorChar) ? trimmedRoot : trimmedRoot + Path.DirectorySeparatorChar;
        return trimmedPath.StartsWith(prefix, Comparison);
    }

    /// <summary>
    /// <paramref name="fullPath"/> with every symbolic link along its existing part replaced by
    /// its final target (the part that does not exist yet is kept as written).
    /// </summary>
    public static string RealPath(string fullPath)
    {
        ArgumentNullException.ThrowIfNull(fullPath);
        string? root = Path.GetPathRoot(fullPath);
        if (string.IsNullOrEmpty(root))
        {
            return fullPath;
        }

        string current = root;
        string[] parts = fullPath[root.Length..].Split([Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar], StringSplitOptions.RemoveEmptyEntries);
        for (int i = 0; i < parts.Length; i++)
        {
            string next = Path.Combine(current, parts[i]);
            FileSystemInfo info = Directory.Exists(next) ? new DirectoryInfo(next) : new FileInfo(next);
            if (!info.Exists)
            {
                return Path.Combine([current, .. parts[i..]]);
            }

            // A link's target may itself be relative or contain "..": ResolveLinkTarget gives its final, full form.
            current = info.LinkTarget is not null && info.ResolveLinkTarget(returnFinalTarget: true) is { } target
                ? Path.GetFullPath(RealPath(target.FullName))
                : next;
        }

        return current;
    }
}
