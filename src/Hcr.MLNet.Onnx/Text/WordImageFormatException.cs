namespace Hcr.MLNet.Text;

/// <summary>
/// A word-image list (<c>data.csv</c>) cannot be used: missing or wrong columns, a malformed row, an empty text, or an
/// image it names that does not exist. The message names the file, the line when there is one, and the problem.
/// </summary>
public sealed class WordImageFormatException : IOException
{
    /// <summary>Creates the exception for <paramref name="file"/> (and <paramref name="line"/>, 1-based, when known).</summary>
    public WordImageFormatException(string file, int? line, string problem, Exception? innerException = null)
        : base(line is int l ? $"{file}, line {l}: {problem}" : $"{file}: {problem}", innerException)
    {
        File = file;
        Line = line;
        Problem = problem;
    }

    /// <summary>The list (or folder) at fault.</summary>
    public string File { get; }

    /// <summary>The 1-based line at fault, when one is.</summary>
    public int? Line { get; }

    /// <summary>What is wrong, without the file's name.</summary>
    public string Problem { get; }
}
