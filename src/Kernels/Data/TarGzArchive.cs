using System.Formats.Tar;
using System.IO.Compression;

namespace DistTrain.Kernels.Data;

/// <summary>
/// Reads chosen regular files out of a <c>.tar.gz</c> archive (System.Formats.Tar over
/// GZipStream). Entries are chosen by exact name and written under names the caller gives,
/// never under a path taken from the archive, so a hostile entry name cannot escape the
/// destination. Sizes come from the tar headers and are capped before anything is allocated.
/// </summary>
public static class TarGzArchive
{
    /// <summary>
    /// Calls <paramref name="visit"/> with the name and content stream of every regular-file
    /// entry for which <paramref name="select"/> is true, after checking its size against
    /// <paramref name="maxEntryBytes"/>. Corrupt archives give <see cref="DataFormatException"/>.
    /// </summary>
    public static void ForEachEntry(string archivePath, Func<string, bool> select, long maxEntryBytes, Action<string, Stream> visit)
    {
        ArgumentNullException.ThrowIfNull(select);
        ArgumentNullException.ThrowIfNull(visit);
        using var file = File.OpenRead(archivePath);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var tar = new TarReader(gzip);
        long index = 0;
        while (true)
        {
            TarEntry? entry;
            try
            {
                entry = tar.GetNextEntry(copyData: false);
            }
            catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException)
            {
                throw new DataFormatException(archivePath, file.Position, $"the archive is corrupt after entry {index} ({e.Message})", e);
            }

            if (entry is null)
            {
                return;
            }

            index++;
            if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || !select(entry.Name))
            {
                continue;
            }

            if (entry.Length > maxEntryBytes)
            {
                throw new DataFormatException(archivePath, file.Position,
                    $"entry {entry.Name} is {entry.Length} bytes, more than the limit of {maxEntryBytes}");
            }

            try
            {
                visit(entry.Name, entry.DataStream ?? Stream.Null);
            }
            catch (InvalidDataException e)
            {
                throw new DataFormatException(archivePath, file.Position, $"the archive is corrupt inside entry {entry.Name} ({e.Message})", e);
            }
        }
    }

    /// <summary>Reads the whole entry <paramref name="content"/>, failing beyond <paramref name="maxBytes"/>.</summary>
    internal static byte[] ReadAll(Stream content, string archivePath, string entryName, long maxBytes)
    {
        using var memory = new MemoryStream();
        var buffer = new byte[1 << 16];
        int got;
        while ((got = content.Read(buffer)) > 0)
        {
            if (memory.Length + got > maxBytes)
            {
                throw new DataFormatException(archivePath, 0, $"entry {entryName} is larger than the limit of {maxBytes} bytes");
            }

            memory.Write(buffer, 0, got);
        }

        return memory.ToArray();
    }

    /// <summary>
    /// Extracts the entries named <c>prefix + name</c> for each of <paramref name="fileNames"/>
    /// into <paramref name="destination"/> as <c>name</c> (each through a temporary file and a
    /// rename). Throws when any is missing from the archive.
    /// </summary>
    public static void Extract(string archivePath, string prefix, IReadOnlyCollection<string> fileNames, string destination, long maxEntryBytes)
    {
        ArgumentNullException.ThrowIfNull(fileNames);
        Directory.CreateDirectory(destination);
        var wanted = fileNames.ToDictionary(n => prefix + n, n => n, StringComparer.Ordinal);
        var found = new HashSet<string>(StringComparer.Ordinal);
        ForEachEntry(archivePath, wanted.ContainsKey, maxEntryBytes, (name, content) =>
        {
            string target = Path.Combine(destination, wanted[name]);
            string partial = $"{target}.{Guid.NewGuid():N}.part";
            try
            {
                using (var output = File.Create(partial))
                {
                    content.CopyTo(output);
                }

                File.Move(partial, target, overwrite: true);
                found.Add(name);
            }
            finally
            {
                if (File.Exists(partial))
                {
                    File.Delete(partial);
                }
            }
        });

        string[] missing = [.. wanted.Keys.Where(k => !found.Contains(k))];
        if (missing.Length > 0)
        {
            throw new DataFormatException(archivePath, 0, $"the archive lacks {string.Join(", ", missing)}");
        }
    }
}
