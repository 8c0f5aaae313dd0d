namespace Hcr.MLNet.Imaging;

/// <summary>
/// An image cannot be used to recognise a character: the file is empty, is not an image or cannot be
/// decoded, is too small to hold a character, or holds no ink. The message names the source and the problem.
/// </summary>
public sealed class UnusableImageException : IOException
{
    /// <summary>Creates the exception for <paramref name="imageSource"/> (a file path or a stream's name) with a description of the problem.</summary>
    public UnusableImageException(string imageSource, string problem, Exception? innerException = null)
        : base($"{imageSource}: {problem}", innerException)
    {
        ImageSource = imageSource;
        Problem = problem;
    }

    /// <summary>The file (or stream) the image came from.</summary>
    public string ImageSource { get; }

    /// <summary>What is wrong with it, without the source's name.</summary>
    public string Problem { get; }
}
