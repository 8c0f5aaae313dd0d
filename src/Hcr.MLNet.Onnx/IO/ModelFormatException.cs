namespace Hcr.MLNet.IO;

/// <summary>A saved model cannot be read: not a model file, truncated, corrupt, or written in another format version.</summary>
public sealed class ModelFormatException : IOException
{
    /// <summary>Creates the exception; <paramref name="source"/> names the file or stream.</summary>
    public ModelFormatException(string source, string problem, Exception? innerException = null)
        : base($"{source}: {problem}", innerException)
    {
        Source = source;
        Problem = problem;
    }

    /// <summary>The file (or stream) that could not be read.</summary>
    public new string Source { get; }

    /// <summary>What is wrong with it.</summary>
    public string Problem { get; }
}
