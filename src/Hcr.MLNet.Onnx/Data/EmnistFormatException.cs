namespace Hcr.MLNet.Data;

/// <summary>
/// A data file is not what it claims to be: a wrong IDX magic number, a truncated file, image and
/// label counts that disagree, a label outside the mapping, a malformed CSV row, and so on.
/// The message always names the file and the problem.
/// </summary>
public sealed class EmnistFormatException : IOException
{
    /// <summary>Creates the exception for <paramref name="filePath"/> with a description of the problem.</summary>
    public EmnistFormatException(string filePath, string problem, Exception? innerException = null)
        : base($"{filePath}: {problem}", innerException)
    {
        FilePath = filePath;
        Problem = problem;
    }

    /// <summary>The file that is malformed.</summary>
    public string FilePath { get; }

    /// <summary>What is wrong with it, without the file name.</summary>
    public string Problem { get; }
}
