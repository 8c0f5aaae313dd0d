namespace Hcr.MLNet.Native;

/// <summary>A native library file is not the ELF file the runtime expected; the message says what was found.</summary>
internal sealed class ElfFormatException : IOException
{
    /// <summary>Creates the exception for <paramref name="filePath"/>.</summary>
    public ElfFormatException(string filePath, string problem)
        : base($"{filePath}: {problem}")
    {
        FilePath = filePath;
    }

    /// <summary>The file that could not be read or patched.</summary>
    public string FilePath { get; }
}
