namespace Hcr.MLNet.Imaging;

/// <summary>
/// An image cannot be used to read a character or text: the file is empty, is not an image or cannot be
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

    /// <summary>The problem of an image in which no ink stands out from the paper, in the one wording of every path that looks for ink.</summary>
    internal const string NoInkProblem = "no ink found: the image is blank or uniform, or its marks are too faint to tell from the background.";

    /// <summary>
    /// The exception for <paramref name="imageSource"/> showing no ink: a character (<see cref="InkNormalizer"/>), a page of
    /// characters (<see cref="CharacterSegmentation"/>) or a line of text (the text reader's line normalisation).
    /// </summary>
    internal static UnusableImageException NoInk(string imageSource) => new(imageSource, NoInkProblem);
}
