using System.Runtime.InteropServices;

namespace Hcr.MLNet.Native;

/// <summary>Finds the files that this process's dynamic loader uses for a SONAME (Linux).</summary>
internal static class LoadedLibraries
{
    /// <summary>
    /// The path of the library the loader binds <paramref name="soName"/> to, as a dependency of a
    /// library loaded now would get it: the one already mapped, or the one <c>dlopen</c> finds.
    /// Null when there is none.
    /// </summary>
    public static string? FindBySoName(string soName)
    {
        // dlopen by bare SONAME returns the mapped copy if there is one, else searches as the loader does.
        if (!NativeLibrary.TryLoad(soName, out _))
            return null;
        string prefix = soName.Split(".so", 2)[0] + ".so";
        foreach (string path in MappedFiles().Where(p => Path.GetFileName(p).StartsWith(prefix, StringComparison.Ordinal)))
        {
            try
            {
                if (ElfFile.Parse(File.ReadAllBytes(path), path).SoName == soName)
                    return path;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Not readable or not a library we understand: keep looking.
            }
        }
        return null;
    }

    /// <summary>Distinct paths of files mapped into this process, from <c>/proc/self/maps</c>.</summary>
    public static IReadOnlyList<string> MappedFiles()
    {
        var paths = new List<string>();
        foreach (string line in File.ReadLines("/proc/self/maps"))
        {
            int slash = line.IndexOf('/', StringComparison.Ordinal);
            if (slash < 0)
                continue;
            string path = line[slash..];
            if (!path.EndsWith(" (deleted)", StringComparison.Ordinal) && !paths.Contains(path))
                paths.Add(path);
        }
        return paths;
    }
}
